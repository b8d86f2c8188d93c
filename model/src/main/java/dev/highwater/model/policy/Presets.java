package dev.highwater.model.policy;

import dev.highwater.model.GfpLayout;
import dev.highwater.model.WatermarkRules;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The named kernel presets of kernel-semantics §13, each written as its predecessor plus the commits that
 * changed behaviour. Registration order is version order; iteration is deterministic.
 */
public final class Presets {
    private Presets() {
    }

    private static final WatermarkRules WM_2_6_32 = new WatermarkRules(true, false, 65536, false, false, false, false, 1000, false);
    private static final WatermarkRules WM_4_4 = new WatermarkRules(false, false, 65536, false, false, false, false, 1000, false);
    /** 4.6+: watermark_scale_factor (795ae7a0de6b). */
    private static final WatermarkRules WM_4_6 = new WatermarkRules(false, true, 65536, false, false, false, false, 1000, false);
    /** 6.1: cap 262144 (5.10+), ratio<1 → no reserve (4.19+), empty lower zone → 0, HighMem ratio 0, wsf max 3000. */
    private static final WatermarkRules WM_6_1 = new WatermarkRules(false, true, 262144, true, true, false, true, 3000, true);
    /** 6.6+: Movable min capped like HighMem. */
    private static final WatermarkRules WM_6_6 = new WatermarkRules(false, true, 262144, true, true, true, true, 3000, true);

    private static final OomRules OOM_2_6_32 = new OomRules(OomRules.NofailBypass.ORDER_ONLY, false,
        OomRules.NoFsPath.FAIL, false, false, false, false);
    /** 4.4: one !NOFAIL block, lowmem skip, !FS reports progress, earlier task wins ties. */
    private static final OomRules OOM_4_4 = new OomRules(OomRules.NofailBypass.ALL, true,
        OomRules.NoFsPath.PROGRESS_WITHOUT_KILL, false, false, false, true);
    /** 4.8.15: later task wins ties. */
    private static final OomRules OOM_4_8 = new OomRules(OomRules.NofailBypass.ALL, true,
        OomRules.NoFsPath.PROGRESS_WITHOUT_KILL, false, true, false, true);
    /** 4.9–4.10: earlier wins again. */
    private static final OomRules OOM_4_10 = new OomRules(OomRules.NofailBypass.ALL, true,
        OomRules.NoFsPath.PROGRESS_WITHOUT_KILL, false, false, false, true);
    /** 5.4+/6.x: checks unconditional (4.11), RETRY_MAYFAIL skip (4.13), ALLOC_OOM victims fail (4.14), later wins (5.4). */
    private static final OomRules OOM_6_1 = new OomRules(OomRules.NofailBypass.NONE, true,
        OomRules.NoFsPath.PROGRESS_WITHOUT_KILL, true, true, true, false);

    private static final MmRules MM_2_6_32 = new MmRules(RetryModel.ALWAYS_LOW_ORDER, false, ForceUnreserve.NEVER,
        CompactRetry.NONE, EarlyCompaction.NONE, false, KswapdBalance.ALL_ZONES_OR_QUARTER, false, false, OOM_2_6_32);
    private static final MmRules MM_4_4 = new MmRules(RetryModel.WHILE_PROGRESS, false, ForceUnreserve.NEVER,
        CompactRetry.NONE, EarlyCompaction.ORDER_GT0, false, KswapdBalance.ALL_ZONES_OR_QUARTER, false, false, OOM_4_4);
    /** 4.8: bounded retries with back-off, the should_compact_retry stop-gap, kcompactd, node-based kswapd. */
    private static final MmRules MM_4_8 = new MmRules(RetryModel.BOUNDED, true, ForceUnreserve.NEVER,
        CompactRetry.STOPGAP, EarlyCompaction.COSTLY, true, KswapdBalance.ALL_ZONES, false, true, OOM_4_8);
    /** 4.9.y stable: compaction feedback (4.9), hopeless-node backport, earlier-wins ties; no force unreserve. */
    private static final MmRules MM_4_9 = new MmRules(RetryModel.BOUNDED, true, ForceUnreserve.NEVER,
        CompactRetry.FEEDBACK, EarlyCompaction.COSTLY, true, KswapdBalance.ALL_ZONES, true, true, OOM_4_10);
    /** 4.10: 04c8716f7b00 force-unreserve at the retry limit. */
    private static final MmRules MM_4_10 = new MmRules(RetryModel.BOUNDED, true, ForceUnreserve.AT_RETRY_LIMIT,
        CompactRetry.FEEDBACK, EarlyCompaction.COSTLY, true, KswapdBalance.ALL_ZONES, false, true, OOM_4_10);
    /** 6.1/6.3: no back-off (4.12), no congestion wait (absent T6.1), any-zone kswapd balance (4.12). */
    private static final MmRules MM_6_1 = new MmRules(RetryModel.BOUNDED, false, ForceUnreserve.AT_RETRY_LIMIT,
        CompactRetry.FEEDBACK, EarlyCompaction.COSTLY_OR_UNMOVABLE, false, KswapdBalance.ANY_ZONE, true, true, OOM_6_1);

    public static final KernelPolicy LINUX_2_6_32 = new KernelPolicy(
        "linux-2.6.32", "Linux 2.6.32 (MIGRATE_RESERVE, no highatomic, per-order shrinking watermark)",
        GfpLayout.V2_6_32, WM_2_6_32, ReserveRules.V2_6_32, HighOrderCheck.SHRINKING_MIN,
        HighatomicSubtraction.NONE, FastPathCheck.NONE, HighatomicCreator.NEVER, HighatomicFallback.NONE,
        HighatomicCap.ONE_PERCENT_PLUS_BLOCK, UnreserveAccounting.V4_4, false, StealRule.V2_6_32,
        MergeGuard.NONE, PcpRules.V2_6_32, true, false, false, MM_2_6_32);

    /** 4.4.1: 0aaa29a56e4f (on-demand highatomic), 97a16fc82a7c (order-0-only watermarks). */
    public static final KernelPolicy LINUX_4_4 = LINUX_2_6_32.toBuilder()
        .name("linux-4.4", "Linux 4.4.1 (first MIGRATE_HIGHATOMIC; loop-while-progress slow path)")
        .gfpLayout(GfpLayout.V4_4).watermarkRules(WM_4_4).reserveRules(ReserveRules.V4_4)
        .highOrderCheck(HighOrderCheck.ANY_LIST_IF_HARDER).highatomicSubtraction(HighatomicSubtraction.RESERVED)
        .highatomicCreator(HighatomicCreator.HARDER_HIGH_ORDER).unreserveAccounting(UnreserveAccounting.V4_4)
        .stealRule(StealRule.V4_4).mergeGuard(MergeGuard.ISOLATE).pcpRules(PcpRules.V4_4).migrateReserve(false)
        .mm(MM_4_4)
        .build();

    /** 4.8: wsf (4.6), zone_watermark_fast (4.7), none of Minchan Kim's 4.10 series. */
    public static final KernelPolicy LINUX_4_8 = LINUX_4_4.toBuilder()
        .name("linux-4.8", "Linux 4.8 (before Minchan Kim's highatomic series; should_compact_retry stop-gap)")
        .gfpLayout(GfpLayout.V4_8).watermarkRules(WM_4_6).fastPathCheck(FastPathCheck.IGNORES_HIGHATOMIC)
        .mm(MM_4_8)
        .build();

    /**
     * 4.7: the OOM detection rework (bounded retries) without compaction feedback: an order-2 request whose zones hold
     * no order-2 block fails should_reclaim_retry's high-order check and OOM-kills with reclaimable memory left
     * (the premature order-2 OOM, stop-gap in 4.8, feedback in 4.9; §7.3, §11).
     */
    public static final KernelPolicy LINUX_4_7 = LINUX_4_8.toBuilder()
        .name("linux-4.7", "Linux 4.7 (bounded OOM detection without compaction feedback: premature order-2 OOM)")
        .mm(MM_4_8.withCompactRetry(CompactRetry.NO_FEEDBACK))
        .build();

    /**
     * 4.9.y stable as in seed 000 (4.9.123): 4.8's allocator plus 4855e4a7f29d (stable) and b050e3769c6b
     * (stable); still without 04c8716f7b00, 29fac03bef72, 88ed365ea227 (§6.5 stable backports).
     */
    public static final KernelPolicy LINUX_4_9 = LINUX_4_8.toBuilder()
        .name("linux-4.9", "Linux 4.9.y stable (4855e4a7f29d and b050e3769c6b backported, rest of the 4.10 series absent)")
        .unreserveAccounting(UnreserveAccounting.STILL_HIGHATOMIC_ONLY).highOrderCheck(HighOrderCheck.TYPED_LISTS)
        .mm(MM_4_9)
        .build();

    /** 4.10.17: Minchan Kim's series (88ed365ea227, 4855e4a7f29d, 04c8716f7b00, 29fac03bef72). */
    public static final KernelPolicy LINUX_4_10 = LINUX_4_8.toBuilder()
        .name("linux-4.10", "Linux 4.10 (Minchan Kim's 'use up highorder free pages before OOM' series)")
        .gfpLayout(GfpLayout.V4_10).unreserveAccounting(UnreserveAccounting.V4_10)
        .stealNeverRetypesHighatomic(true).mm(MM_4_10)
        .build();

    /**
     * Debian's stable 6.1.y (6.1.192, the real-kernel oracle): 6.1 plus Mel Gorman's ALLOC_* patches and
     * 281dd25c1a01 as stable backports (§13 notes on column 6.1); still subtracts the whole HA (no c928807f6f6b).
     */
    public static final KernelPolicy LINUX_6_1 = LINUX_4_10.toBuilder()
        .name("linux-6.1", "Debian's Linux 6.1.y (late 6.1.y: 6.3 reserve flags, 281dd25c1a01 and 6.8's unreserve before OOM "
            + "backported)")
        .gfpLayout(GfpLayout.V5_1).watermarkRules(WM_6_1).reserveRules(ReserveRules.V6_3)
        .highOrderCheck(HighOrderCheck.TYPED_LISTS).fastPathCheck(FastPathCheck.CLAMPED_UNUSABLE)
        .highatomicCreator(HighatomicCreator.NON_BLOCK_HIGH_ORDER)
        .highatomicFallback(HighatomicFallback.OOM_AND_NON_BLOCK)
        .stealRule(StealRule.V4_11).mergeGuard(MergeGuard.NON_MERGEABLE).pcpRules(PcpRules.V6_1)
        .watermarkBoost(true).noFragment(true)
        // 6.1.192's should_reclaim_retry force-unreserves whenever it would return false, and the slow path checks
        // gfp_compaction_allowed: the 6.8 changes (unreserve highatomic before oom; 803de9000f33) reached 6.1.y
        // through stable (seen in Debian's linux-source-6.1 6.1.192, mm/page_alloc.c)
        .mm(MM_6_1.withForceUnreserve(ForceUnreserve.WHENEVER_RETRY_FAILS)
            .withEarlyCompaction(EarlyCompaction.COSTLY_OR_UNMOVABLE_WITH_IO))
        .build();

    /** 6.3.8: "Discard __GFP_ATOMIC"; only OOM victims fall back to HIGHATOMIC. */
    public static final KernelPolicy LINUX_6_3 = LINUX_6_1.toBuilder()
        .name("linux-6.3", "Linux 6.3 (reserve access by blocking ability; OOM victims may use highatomic)")
        .gfpLayout(GfpLayout.V6_3).highatomicFallback(HighatomicFallback.OOM_ONLY).mm(MM_6_1)
        .build();

    /** 6.8: Charan Teja Kalla's cap correction (and unreserve before OOM, in the memory system). */
    public static final KernelPolicy LINUX_6_8 = LINUX_6_3.toBuilder()
        .name("linux-6.8", "Linux 6.8 (highatomic cap rounded to blocks, unreserve whenever retry would stop)")
        .watermarkRules(WM_6_6).highatomicCap(HighatomicCap.ROUNDUP_ONE_PERCENT)
        .mm(MM_6_1.withForceUnreserve(ForceUnreserve.WHENEVER_RETRY_FAILS)
            .withEarlyCompaction(EarlyCompaction.COSTLY_OR_UNMOVABLE_WITH_IO))
        .build();

    /**
     * 6.12: c928807f6f6b (subtract free highatomic only) and 281dd25c1a01 (order-0 NON_BLOCK access), and 6.10's
     * size-aware unreserve. (6.10's other freelist changes — steal remainders on the block's own type, pages moved
     * only on a claim — are not modelled.)
     */
    public static final KernelPolicy LINUX_6_12 = LINUX_6_8.toBuilder()
        .name("linux-6.12", "Linux 6.12 (keep track of free highatomic; GFP_ATOMIC order-0 may use highatomic)")
        .highatomicSubtraction(HighatomicSubtraction.FREE_HIGHATOMIC).unreserveAccounting(UnreserveAccounting.V6_10)
        .highatomicFallback(HighatomicFallback.OOM_AND_NON_BLOCK)
        .build();

    /** 6.19 as "current mainline": 6a204d4b14c9 (HIGHATOMIC needs __GFP_HIGH). */
    public static final KernelPolicy MAINLINE = LINUX_6_12.toBuilder()
        .name("mainline", "Linux mainline (6.19): ALLOC_HIGHATOMIC only for non-blocking __GFP_HIGH")
        .highatomicCreator(HighatomicCreator.NON_BLOCK_HIGH_ORDER_WITH_HIGH)
        .build();

    private static final Map<String, KernelPolicy> BY_NAME;

    static {
        Map<String, KernelPolicy> m = new LinkedHashMap<>();
        for (KernelPolicy p : List.of(LINUX_2_6_32, LINUX_4_4, LINUX_4_7, LINUX_4_8, LINUX_4_9, LINUX_4_10, LINUX_6_1,
            LINUX_6_3, LINUX_6_8, LINUX_6_12, MAINLINE)) {
            m.put(p.name(), p);
        }
        BY_NAME = Collections.unmodifiableMap(m);
    }

    /** All presets in version order. */
    public static List<KernelPolicy> all() {
        return List.copyOf(BY_NAME.values());
    }

    public static List<String> names() {
        return List.copyOf(BY_NAME.keySet());
    }

    /**
     * The presets after {@code preset} in version order ({@link #all}), placed by its name, so a preset with a switch
     * changed (a catalog fix applied) has the same ones; empty for an unnamed policy or the last preset.
     */
    public static List<KernelPolicy> after(KernelPolicy preset) {
        List<KernelPolicy> all = all();
        int at = names().indexOf(preset.name());
        return at < 0 ? List.of() : all.subList(at + 1, all.size());
    }

    public static Optional<KernelPolicy> byName(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }
}
