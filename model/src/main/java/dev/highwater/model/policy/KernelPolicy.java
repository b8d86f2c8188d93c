package dev.highwater.model.policy;

import dev.highwater.model.GfpLayout;
import dev.highwater.model.WatermarkRules;

/**
 * One kernel version's allocator behaviour as a record of switches (kernel-semantics §13). Each switch names
 * the section or commit it follows; presets live in {@link Presets}.
 *
 * @param name                   preset name, e.g. {@code linux-4.8}
 * @param description            one line: which kernel this describes
 * @param gfpLayout              numeric GFP layout and composite expansions (§3.5)
 * @param watermarkRules         min/low/high and lowmem_reserve arithmetic (§1)
 * @param reserveRules           gfp_to_alloc_flags and the watermark reductions (§2.1, §3.3)
 * @param highOrderCheck         the order > 0 part of the watermark check (§2.1)
 * @param highatomicSubtraction  what non-reserve callers subtract (§2.1; c928807f6f6b)
 * @param fastPathCheck          the order-0 shortcut of zone_watermark_fast (§2.2)
 * @param highatomicCreator      which allocations reserve a highatomic block (§6.1)
 * @param highatomicFallback     who may use HIGHATOMIC lists after __rmqueue fails (§5.1; 281dd25c1a01)
 * @param highatomicCap          the reserve's limit (§6.2)
 * @param unreserveAccounting    unreserve_highatomic_pageblock's accounting and return (§6.4; 4855e4a7f29d, 29fac03bef72)
 * @param stealNeverRetypesHighatomic 4.10+ (88ed365ea227): the fallback path never retypes a HIGHATOMIC block (§5.4)
 * @param stealRule              stealing and claiming (§5.4)
 * @param mergeGuard             merge restrictions at pageblock order (§4.3)
 * @param pcpRules               per-CPU lists (§4.5)
 * @param migrateReserve         2.6.32: MIGRATE_RESERVE blocks set aside at boot instead of on-demand highatomic (§13)
 * @param watermarkBoost         5.0+: sub-pageblock fallback steals boost the watermarks (§1.5); the order-0 exemption
 *                               is keyed on __GFP_ATOMIC with the 5.1 GFP layout and on ALLOC_MIN_RESERVE with 6.3's
 * @param noFragment             5.1+: ALLOC_NOFRAGMENT when the preferred zone is Normal and a DMA32 zone exists (§3.2, §5.4)
 * @param mm                     the memory system's switches (slow path, reclaim, kswapd, compaction, OOM)
 */
public record KernelPolicy(
        String name,
        String description,
        GfpLayout gfpLayout,
        WatermarkRules watermarkRules,
        ReserveRules reserveRules,
        HighOrderCheck highOrderCheck,
        HighatomicSubtraction highatomicSubtraction,
        FastPathCheck fastPathCheck,
        HighatomicCreator highatomicCreator,
        HighatomicFallback highatomicFallback,
        HighatomicCap highatomicCap,
        UnreserveAccounting unreserveAccounting,
        boolean stealNeverRetypesHighatomic,
        StealRule stealRule,
        MergeGuard mergeGuard,
        PcpRules pcpRules,
        boolean migrateReserve,
        boolean watermarkBoost,
        boolean noFragment,
        MmRules mm) {

    /**
     * 6.10+ freelist migratetype hygiene (§4.3 item 5, §4.6): a page leaving a per-CPU list goes to its block's current
     * type, not the type cached when it entered. Carried by the presets with 6.10's size-aware unreserve.
     */
    public boolean pcpDrainUsesBlockType() {
        return unreserveAccounting == UnreserveAccounting.V6_10;
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Copy-and-change builder: presets are written as "the previous version, plus these commits". */
    public static final class Builder {
        private String name;
        private String description;
        private GfpLayout gfpLayout;
        private WatermarkRules watermarkRules;
        private ReserveRules reserveRules;
        private HighOrderCheck highOrderCheck;
        private HighatomicSubtraction highatomicSubtraction;
        private FastPathCheck fastPathCheck;
        private HighatomicCreator highatomicCreator;
        private HighatomicFallback highatomicFallback;
        private HighatomicCap highatomicCap;
        private UnreserveAccounting unreserveAccounting;
        private boolean stealNeverRetypesHighatomic;
        private StealRule stealRule;
        private MergeGuard mergeGuard;
        private PcpRules pcpRules;
        private boolean migrateReserve;
        private boolean watermarkBoost;
        private boolean noFragment;
        private MmRules mm;

        Builder(KernelPolicy p) {
            name = p.name;
            description = p.description;
            gfpLayout = p.gfpLayout;
            watermarkRules = p.watermarkRules;
            reserveRules = p.reserveRules;
            highOrderCheck = p.highOrderCheck;
            highatomicSubtraction = p.highatomicSubtraction;
            fastPathCheck = p.fastPathCheck;
            highatomicCreator = p.highatomicCreator;
            highatomicFallback = p.highatomicFallback;
            highatomicCap = p.highatomicCap;
            unreserveAccounting = p.unreserveAccounting;
            stealNeverRetypesHighatomic = p.stealNeverRetypesHighatomic;
            stealRule = p.stealRule;
            mergeGuard = p.mergeGuard;
            pcpRules = p.pcpRules;
            migrateReserve = p.migrateReserve;
            watermarkBoost = p.watermarkBoost;
            noFragment = p.noFragment;
            mm = p.mm;
        }

        public Builder name(String v, String desc) { name = v; description = desc; return this; }
        public Builder gfpLayout(GfpLayout v) { gfpLayout = v; return this; }
        public Builder watermarkRules(WatermarkRules v) { watermarkRules = v; return this; }
        public Builder reserveRules(ReserveRules v) { reserveRules = v; return this; }
        public Builder highOrderCheck(HighOrderCheck v) { highOrderCheck = v; return this; }
        public Builder highatomicSubtraction(HighatomicSubtraction v) { highatomicSubtraction = v; return this; }
        public Builder fastPathCheck(FastPathCheck v) { fastPathCheck = v; return this; }
        public Builder highatomicCreator(HighatomicCreator v) { highatomicCreator = v; return this; }
        public Builder highatomicFallback(HighatomicFallback v) { highatomicFallback = v; return this; }
        public Builder highatomicCap(HighatomicCap v) { highatomicCap = v; return this; }
        public Builder unreserveAccounting(UnreserveAccounting v) { unreserveAccounting = v; return this; }
        public Builder stealNeverRetypesHighatomic(boolean v) { stealNeverRetypesHighatomic = v; return this; }
        public Builder stealRule(StealRule v) { stealRule = v; return this; }
        public Builder mergeGuard(MergeGuard v) { mergeGuard = v; return this; }
        public Builder pcpRules(PcpRules v) { pcpRules = v; return this; }
        public Builder migrateReserve(boolean v) { migrateReserve = v; return this; }
        public Builder watermarkBoost(boolean v) { watermarkBoost = v; return this; }
        public Builder noFragment(boolean v) { noFragment = v; return this; }
        public Builder mm(MmRules v) { mm = v; return this; }

        public KernelPolicy build() {
            return new KernelPolicy(name, description, gfpLayout, watermarkRules, reserveRules, highOrderCheck,
                highatomicSubtraction, fastPathCheck, highatomicCreator, highatomicFallback, highatomicCap,
                unreserveAccounting, stealNeverRetypesHighatomic, stealRule, mergeGuard, pcpRules, migrateReserve,
                watermarkBoost, noFragment, mm);
        }
    }
}
