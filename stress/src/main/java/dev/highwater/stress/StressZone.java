package dev.highwater.stress;

import dev.highwater.model.AllocContext;
import dev.highwater.model.AllocFlags;
import dev.highwater.model.Context;
import dev.highwater.model.Gfp;
import dev.highwater.model.GfpMask;
import dev.highwater.model.MigrateType;
import dev.highwater.model.NodeConfig;
import dev.highwater.model.PageAllocator.FreeBlock;
import dev.highwater.model.PageAllocator.PcpBlock;
import dev.highwater.model.Tunables;
import dev.highwater.model.Watermarks;
import dev.highwater.model.ZoneSpec;
import dev.highwater.model.ZoneType;
import dev.highwater.model.fast.FastAllocator;
import dev.highwater.model.policy.AllocFlagRules;
import dev.highwater.model.policy.HighatomicCap;
import dev.highwater.model.policy.KernelPolicy;
import dev.highwater.model.policy.Presets;
import java.util.ArrayList;
import java.util.List;

/**
 * A small zone on a {@link FastAllocator} under one preset, for one JCStress sample: one Normal zone, two CPUs,
 * per-CPU batch and high fixed by the test, and a ledger of the blocks the setup holds. The actors call the allocator
 * directly with the flags a kernel caller of their kind would pass ({@code get_page_from_freelist} with the
 * slow-path ALLOC_* flags, {@code free_unref_page} on the actor's CPU, {@code drain_all_pages},
 * {@code unreserve_highatomic_pageblock}); {@link Integrity} recomputes everything afterwards.
 *
 * <p>Actor kinds (kernel-semantics §4.5): a CPU in process context and a softirq on the <em>same</em> CPU name the
 * same {@code cpu}, so they share that CPU's per-CPU lock and cannot interleave inside a per-CPU list critical
 * section (the kernel's {@code local_irq_save}); a softirq on another CPU, or kswapd, runs fully in parallel.
 */
public final class StressZone {
    public static final int CPU0 = 0;
    public static final int CPU1 = 1;

    public final KernelPolicy policy;
    public final FastAllocator a;
    public final long managed;
    public final int pbPages;
    /** Blocks the setup allocated and still holds: {pfn, order}. */
    public final List<long[]> held = new ArrayList<>();

    /**
     * @param pageblockOrder pageblock_order (2 gives 4-page blocks, so a 1024-page zone has 256 of them)
     * @param pcpBatch       per-CPU batch (pages moved per refill/free batch)
     * @param pcpHigh        per-CPU high (0: every free goes straight back to the buddy lists)
     */
    public StressZone(String preset, long managed, int pageblockOrder, int maxOrder, int pcpBatch, int pcpHigh) {
        this.policy = Presets.byName(preset).orElseThrow(() -> new IllegalArgumentException("no preset " + preset));
        this.managed = managed;
        NodeConfig node = new NodeConfig(List.of(ZoneSpec.of(ZoneType.NORMAL, managed)), pageblockOrder, maxOrder, 2,
            pcpBatch, pcpHigh);
        this.a = new FastAllocator(policy, node, Tunables.defaults(policy.watermarkRules().highmemRatioZero()));
        this.pbPages = node.pageblockPages();
    }

    public GfpMask gfp(String expr) {
        return Gfp.parse(expr).resolve(policy.gfpLayout());
    }

    public AllocContext ac(String gfpExpr, int order, Context ctx, int cpu) {
        GfpMask g = gfp(gfpExpr);
        return new AllocContext(g, order, g.migratetype(), 0, ctx, cpu, false, false);
    }

    /** {@code get_page_from_freelist} with the slow-path flags of the request (§3.3); the pfn or -1. */
    public long alloc(String gfpExpr, int order, Context ctx, int cpu) {
        AllocContext ac = ac(gfpExpr, order, ctx, cpu);
        return a.getPageFromFreelist(ac, AllocFlagRules.slowPathFlags(policy, ac));
    }

    /** {@code get_page_from_freelist} with explicit ALLOC_* flags; the pfn or -1. */
    public long alloc(String gfpExpr, int order, Context ctx, int cpu, int allocFlags) {
        return a.getPageFromFreelist(ac(gfpExpr, order, ctx, cpu), allocFlags);
    }

    /** Setup only: allocate and remember the block (ignores watermarks); throws when the zone is out of pages. */
    public long take(String gfpExpr, int order, int cpu) {
        long pfn = alloc(gfpExpr, order, Context.PROCESS, cpu, AllocFlags.NO_WATERMARKS);
        if (pfn < 0) {
            throw new IllegalStateException("setup: no order-" + order + " block for " + gfpExpr);
        }
        held.add(new long[] {pfn, order});
        return pfn;
    }

    /** Setup only: remember a block the setup allocated some other way. */
    public void hold(long pfn, int order) {
        held.add(new long[] {pfn, order});
    }

    /** Setup only: free part or all of a held block (a split page may be freed a page at a time, as split_page allows). */
    public void release(long pfn, int order, int cpu) {
        for (int i = 0; i < held.size(); i++) {
            long[] b = held.get(i);
            long end = b[0] + (1L << b[1]);
            if (pfn >= b[0] && pfn + (1L << order) <= end) {
                held.remove(i);
                // keep the parts of the held block that stay allocated, as order-0 pages
                for (long q = b[0]; q < end; q++) {
                    if (q < pfn || q >= pfn + (1L << order)) {
                        held.add(i, new long[] {q, 0});
                    }
                }
                a.freePages(pfn, order, cpu);
                return;
            }
        }
        throw new IllegalStateException("setup: pfn " + pfn + " order " + order + " is not held");
    }

    /** Setup only: allocate order-0 pages (ignoring watermarks) until NR_FREE_PAGES is {@code target}. */
    public void fillTo(long target, String gfpExpr, int cpu) {
        // the largest blocks first (one split each), then order-0 pages; order > 0 bypasses 4.x per-CPU lists
        for (int o = a.config().maxOrder() - 1; o > 0; o--) {
            while (a.nrFreePages(0) - (1L << o) >= target + 1L + (1L << o)) {
                take(gfpExpr, o, cpu);
            }
        }
        while (a.nrFreePages(0) > target) {
            take(gfpExpr, 0, cpu);
        }
        if (a.nrFreePages(0) != target) {
            throw new IllegalStateException("setup: free " + a.nrFreePages(0) + " passed target " + target);
        }
    }

    public long min() {
        return a.watermarks(0).min();
    }

    public long nrReservedHighatomic() {
        return a.nrReservedHighatomic(0);
    }

    /** The §6.2 cap of this zone under the preset. */
    public long highatomicCap() {
        return policy.highatomicCap() == HighatomicCap.ONE_PERCENT_PLUS_BLOCK
            ? Watermarks.highatomicCapOnePercentPlusBlock(managed, pbPages)
            : Watermarks.highatomicCapRoundup(managed, pbPages);
    }

    /** The reserve the cap lets the zone reach: the smallest multiple of a pageblock ≥ cap (§6.2). */
    public long highatomicReachable() {
        return Watermarks.highatomicReachable(highatomicCap(), pbPages);
    }

    /** Pageblocks whose type is HIGHATOMIC. */
    public int highatomicBlocks() {
        int n = 0;
        for (long pfn = a.zoneStartPfn(0); pfn < a.zoneStartPfn(0) + managed; pfn += pbPages) {
            if (a.pageblockType(pfn) == MigrateType.HIGHATOMIC) {
                n++;
            }
        }
        return n;
    }

    /** Whether pfn is on some per-CPU list right now (locks each list in turn). */
    public boolean onPcp(long pfn) {
        for (PcpBlock b : a.pcpBlocks(0)) {
            if (b.pfn() == pfn) {
                return true;
            }
        }
        return false;
    }

    /** Whether pfn lies in a free buddy block right now. */
    public boolean inBuddy(long pfn) {
        for (FreeBlock b : a.freeBlocks(0)) {
            if (pfn >= b.pfn() && pfn < b.pfn() + (1L << b.order())) {
                return true;
            }
        }
        return false;
    }
}
