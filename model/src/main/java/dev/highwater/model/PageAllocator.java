package dev.highwater.model;

import dev.highwater.model.policy.KernelPolicy;
import java.util.List;

/**
 * The seam between the memory system and an allocator implementation: the buddy allocator of one node
 * with its zones, per-CPU lists and highatomic reserve (kernel-semantics §2, §4–§6). The reference model
 * and the optimized implementation both implement it, and the memory system drives either.
 *
 * <p>Zones are addressed by position in {@link #zones()} (kernel index order); pages by pfn.
 */
public interface PageAllocator {

    KernelPolicy policy();

    NodeConfig config();

    /** The node's zones in index order. */
    default List<ZoneSpec> zones() {
        return config().zones();
    }

    /** First pfn of a zone; its pages are {@code [zoneStartPfn, zoneStartPfn + managed)}. */
    long zoneStartPfn(int zone);

    /** Current watermarks of a zone (min/low/high include the boost, §1.5). */
    ZoneWatermarks watermarks(int zone);

    /** The zone's current {@code watermark_boost} (5.0+; 0 otherwise). */
    long watermarkBoost(int zone);

    /** kswapd's exit from balance_pgdat removes the zone's watermark boost (§1.5). */
    void clearWatermarkBoost(int zone);

    /** min_free_kbytes in force. */
    int minFreeKbytes();

    /** Recompute watermarks (and lowmem_reserve) after a sysctl write (§1.2 item 4). */
    void setTunables(Tunables tunables);

    Tunables tunables();

    /**
     * {@code get_page_from_freelist}: walk the zonelist from {@code ac.highestZone()} down, check each zone's
     * watermark with {@code allocFlags}, take a block with {@code rmqueue}, and make the highatomic reservation
     * attempt of §6.1. Returns the pfn of the allocated block, or {@code -1}.
     */
    long getPageFromFreelist(AllocContext ac, int allocFlags);

    /** {@code __free_pages}: to the per-CPU list of {@code cpu} for orders it caches, else to the buddy lists. */
    void freePages(long pfn, int order, int cpu);

    /** {@code unreserve_highatomic_pageblock(ac, force)} (§6.4): returns whether it reports success. */
    boolean unreserveHighatomicPageblock(AllocContext ac, boolean force);

    /**
     * Tells {@code move_freepages} which allocated pages belong to movable allocations (its {@code PageLRU} count,
     * §5.4 claim threshold). The memory system owns that knowledge.
     */
    void setMovablePageOracle(java.util.function.LongPredicate isMovableAllocatedPage);

    /**
     * A deep copy of this allocator's state that evolves independently (its movable-page oracle is not copied: the
     * memory system that owns the copy installs its own). Unsupported unless the implementation says otherwise.
     */
    default PageAllocator copy() {
        throw new UnsupportedOperationException("no copy of " + getClass().getSimpleName());
    }

    /**
     * Makes this allocator's state equal to {@code src}'s, as {@link #copy()} would, reusing this one's storage; both
     * must be of one implementation with the same policy and node config. Unsupported unless the implementation says
     * otherwise.
     */
    default void copyStateFrom(PageAllocator src) {
        throw new UnsupportedOperationException("no copyStateFrom for " + getClass().getSimpleName());
    }

    /**
     * A count that grows whenever the free lists, the per-CPU lists, their counters ({@code nr_free},
     * NR_FREE_PAGES, the per-CPU and highatomic counts, {@code nr_reserved_highatomic}) or the pageblock types may
     * have changed: two readings with the same value (one thread driving the allocator) bracket no change to any of
     * them. -1 when the implementation keeps no such count.
     */
    default long modifications() {
        return -1;
    }

    /** Whether a boosted zone asked for kswapd since the last call (5.0+ rmqueue, §5.1); clears the request. */
    boolean takeKswapdWakeRequest(int zone);

    /** The order of the free buddy block headed at pfn ({@code PageBuddy}), or -1 if pfn heads no free block. */
    int freeOrderAt(long pfn);

    /**
     * {@code __isolate_free_page} (compaction's free scanner): take the free block headed at pfn off the buddy lists
     * if the zone stays above its min watermark plus the block (order-0 check with ALLOC_CMA); for blocks of at least
     * half a pageblock, retype their pageblocks MOVABLE unless ISOLATE, CMA or (4.10+, 88ed365ea227) HIGHATOMIC.
     * The pages are then the caller's (not free, not allocated to anyone else). Returns false if refused.
     */
    boolean isolateFreePage(long pfn, int order);

    /** {@code drain_all_pages}: return every per-CPU page to the buddy lists. */
    void drainAllPages();

    /** {@code zone_watermark_ok} with NR_FREE_PAGES (used by kswapd, compaction, the slow path). */
    boolean zoneWatermarkOk(int zone, int order, long mark, int classzone, int allocFlags);

    /** The same check with a caller-supplied free count ({@code should_reclaim_retry}, §7.2). */
    boolean zoneWatermarkOkWithFree(int zone, int order, long mark, int classzone, int allocFlags, long free);

    // ---- observable state (what snapshots and integrity properties read) ----

    /** NR_FREE_PAGES: pages on the buddy free lists (not on per-CPU lists). */
    long nrFreePages(int zone);

    /** {@code nr_reserved_highatomic}, in pages. */
    long nrReservedHighatomic(int zone);

    /** Free pages currently on HIGHATOMIC lists (6.12's {@code nr_free_highatomic}; derived in older versions). */
    long nrFreeHighatomic(int zone);

    /** {@code free_area[order].nr_free} as the allocator's counter holds it. */
    long nrFreeBlocks(int zone, int order);

    /** Pages on all per-CPU lists of a zone ({@code free_pcp}). */
    long pcpPages(int zone);

    /** The pageblock type of the block holding pfn. */
    MigrateType pageblockType(long pfn);

    /** Every free block of a zone, by order, then list type in enum order, then list position (head first). */
    List<FreeBlock> freeBlocks(int zone);

    /** Every page block on a per-CPU list: by cpu, then list index, head first. */
    List<PcpBlock> pcpBlocks(int zone);

    /**
     * {@code {largest order with a free block on a U/M/E list or 2.6.32's RESERVE list, largest order with any free
     * block}}, -1 where there is none: what {@link #freeBlocks} would show, without listing every block (the slow
     * path records it for each failed request).
     */
    default int[] largestFreeOrders(int zone) {
        int usable = -1;
        int any = -1;
        for (FreeBlock b : freeBlocks(zone)) {
            if (b.list().isPcpType() || b.list() == MigrateType.RESERVE) {
                usable = Math.max(usable, b.order());
            }
            any = Math.max(any, b.order());
        }
        return new int[] {usable, any};
    }

    /**
     * Receives the blocks of {@link #forEachFreeBlock} or {@link #forEachPcpBlock}: the head pfn, the order and the
     * list's migratetype, without a record per block.
     */
    @FunctionalInterface
    interface BlockVisitor {
        void block(long pfn, int order, MigrateType list);
    }

    /** {@link #freeBlocks} in the same order, handed to a visitor one block at a time. */
    default void forEachFreeBlock(int zone, BlockVisitor v) {
        for (FreeBlock b : freeBlocks(zone)) {
            v.block(b.pfn(), b.order(), b.list());
        }
    }

    /** {@link #pcpBlocks} in the same order, handed to a visitor one block at a time (cpu and cached type left out). */
    default void forEachPcpBlock(int zone, BlockVisitor v) {
        for (PcpBlock b : pcpBlocks(zone)) {
            v.block(b.pfn(), b.order(), b.list());
        }
    }

    /** The pageblocks of a zone of the given type: {@link #pageblockType} at each pageblock start of the zone. */
    default long pageblocksOfType(int zone, MigrateType type) {
        return countPageblocksOfType(this, zone, type);
    }

    /**
     * {@link #pageblocksOfType} read through {@code a.pageblockType} at each pageblock start, whatever {@code a}
     * overrides (for a caller that must see what pageblockType shows).
     */
    static long countPageblocksOfType(PageAllocator a, int zone, MigrateType type) {
        int pb = a.config().pageblockPages();
        long start = a.zoneStartPfn(zone);
        long end = start + a.zones().get(zone).managedPages();
        long blocks = 0;
        for (long pfn = start; pfn < end; pfn += pb) {
            if (a.pageblockType(pfn) == type) {
                blocks++;
            }
        }
        return blocks;
    }

    /** A free block on a buddy list. */
    record FreeBlock(long pfn, int order, MigrateType list) {
    }

    /** A block on a per-CPU list; {@code cachedType} is the migratetype recorded when it entered the list (§4.3 item 5). */
    record PcpBlock(int cpu, long pfn, int order, MigrateType list, MigrateType cachedType) {
    }
}
