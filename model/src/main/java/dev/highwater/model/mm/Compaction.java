package dev.highwater.model.mm;

import dev.highwater.model.AllocContext;
import dev.highwater.model.AllocFlags;
import dev.highwater.model.MigrateType;
import dev.highwater.model.PageAllocator;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Memory compaction (kernel-semantics §8.4, §7.1 step 7, §7.3), simplified but with the kernel's shape: a migrate
 * scanner walks pageblocks up from the zone start isolating LRU pages, a free scanner walks pageblocks down from the
 * zone end isolating free pages ({@code __isolate_free_page}) as targets; pages move, the sources are freed and merge;
 * it stops when a block of the order sits on a list the requester can use (SUCCESS) or the scanners meet (COMPLETE).
 * Async compaction only migrates from MOVABLE pageblocks and skips dirty file pages; deferral is not modelled.
 */
final class Compaction {

    enum Result { SKIPPED, NOT_SUITABLE, CONTINUE, SUCCESS, COMPLETE }

    /** async → sync-light → sync (§7.3); a higher number is a lighter priority. */
    static final int PRIORITY_ASYNC = 2;
    static final int PRIORITY_SYNC_LIGHT = 1;
    static final int PRIORITY_SYNC = 0;

    private final MemorySystem ms;
    Result lastResult = Result.SKIPPED;

    Compaction(MemorySystem ms) {
        this.ms = ms;
    }

    /** Whether the preset compacts at all (2.6.32 vanilla has no compaction). */
    boolean available() {
        return ms.policy.mm().earlyCompaction() != dev.highwater.model.policy.EarlyCompaction.NONE;
    }

    /** compact_gap(order) = 2 × 2^order. */
    static long compactGap(int order) {
        return 2L << order;
    }

    /** compaction_suitable (§8.4). */
    Result suitable(int zone, int order, int classzone, int allocFlags) {
        PageAllocator a = ms.allocator;
        var w = a.watermarks(zone);
        // already possible with the caller's flags: no compaction needed
        if (a.zoneWatermarkOk(zone, order, w.mark(AllocFlags.wmarkIndex(allocFlags)), classzone, allocFlags)) {
            return Result.SUCCESS;
        }
        long mark = (order <= 3 ? w.min() : w.low()) + compactGap(order);
        if (!a.zoneWatermarkOk(zone, 0, mark, classzone, AllocFlags.CMA)) {
            return Result.SKIPPED;
        }
        if (order > 3) {
            int fragIndex = fragmentationIndex(zone, order);
            if (fragIndex >= 0 && fragIndex <= 500) {
                return Result.NOT_SUITABLE; // vm.extfrag_threshold: failure would be lack of memory
            }
        }
        return Result.CONTINUE;
    }

    /** fragmentation_index (§8.4). */
    int fragmentationIndex(int zone, int order) {
        PageAllocator a = ms.allocator;
        long blocks = 0;
        long pages = 0;
        boolean suitable = false;
        for (PageAllocator.FreeBlock b : a.freeBlocks(zone)) {
            blocks++;
            pages += 1L << b.order();
            if (b.order() >= order) {
                suitable = true;
            }
        }
        if (blocks == 0) {
            return 0;
        }
        if (suitable) {
            return -1000;
        }
        long requested = 1L << order;
        return (int) (1000 - (1000 + 1000 * pages / requested) / blocks);
    }

    /** __compact_finished's per-order test: a block on the requester's list, or one it could steal (§5.4). */
    boolean finished(int zone, int order, MigrateType mt) {
        PageAllocator a = ms.allocator;
        int pb = a.config().pageblockOrder();
        for (PageAllocator.FreeBlock b : a.freeBlocks(zone)) {
            if (b.order() < order) {
                continue;
            }
            if (b.list() == mt) {
                return true;
            }
            boolean fallback = false;
            for (MigrateType f : mt.fallbacks()) {
                fallback |= f == b.list();
            }
            boolean canSteal = b.order() >= pb / 2 || mt == MigrateType.UNMOVABLE || mt == MigrateType.RECLAIMABLE;
            if (fallback && canSteal) {
                return true;
            }
        }
        return false;
    }

    /** compact_zone: returns SUCCESS, COMPLETE. Migrated pages are counted in {@code migrated[0]}. */
    Result compactZone(int zone, int order, MigrateType mt, int priority, long[] migrated) {
        PageAllocator a = ms.allocator;
        long start = a.zoneStartPfn(zone);
        long end = start + a.zones().get(zone).managedPages();
        int pbPages = a.config().pageblockPages();
        boolean async = priority == PRIORITY_ASYNC;
        long migrateBlock = start;
        long freeBlock = ((end - 1) / pbPages) * pbPages;
        if (freeBlock < start) {
            freeBlock = start;
        }
        Deque<Long> targets = new ArrayDeque<>();
        Result result = Result.COMPLETE;
        outer:
        while (migrateBlock < freeBlock) {
            if (finished(zone, order, mt)) {
                result = Result.SUCCESS;
                break;
            }
            MigrateType blockType = a.pageblockType(migrateBlock);
            boolean source = !async || blockType == MigrateType.MOVABLE;
            if (source) {
                List<Long> pages = new ArrayList<>();
                for (long p = migrateBlock; p < Math.min(migrateBlock + pbPages, end); p++) {
                    if (ms.isLruPage(p) && ms.isMigratable(p, async)) {
                        pages.add(p);
                    }
                }
                for (long src : pages) {
                    while (targets.isEmpty()) {
                        if (freeBlock <= migrateBlock) {
                            break outer;
                        }
                        isolateTargets(zone, freeBlock, Math.min(freeBlock + pbPages, end), targets);
                        if (targets.isEmpty()) {
                            freeBlock -= pbPages;
                        }
                    }
                    long dst = targets.pollFirst();
                    ms.migrateLruPage(src, dst);
                    a.freePages(src, 0, 0);
                    migrated[0]++;
                }
                if (!pages.isEmpty()) {
                    a.drainAllPages(); // drain_local_pages after a migrated pageblock: the sources merge
                }
            }
            migrateBlock += pbPages;
        }
        for (long t : targets) {
            a.freePages(t, 0, 0); // release_freepages
        }
        a.drainAllPages();
        if (result != Result.SUCCESS && finished(zone, order, mt)) {
            result = Result.SUCCESS;
        }
        return result;
    }

    /** isolate_freepages_block: take the free blocks of one pageblock as order-0 targets, if the block is a suitable target. */
    private void isolateTargets(int zone, long from, long to, Deque<Long> targets) {
        PageAllocator a = ms.allocator;
        MigrateType t = a.pageblockType(from);
        int headOrder = a.freeOrderAt(from);
        boolean wholeFree = headOrder >= a.config().pageblockOrder();
        if (!wholeFree && t != MigrateType.MOVABLE) {
            return; // suitable_migration_target: MOVABLE blocks, or a free block of pageblock order
        }
        long p = from;
        while (p < to) {
            int o = a.freeOrderAt(p);
            if (o < 0) {
                p++;
                continue;
            }
            if (!a.isolateFreePage(p, o)) {
                return; // watermark refused: stop isolating
            }
            for (long q = p; q < p + (1L << o); q++) {
                targets.addLast(q);
            }
            p += 1L << o;
        }
    }

    /**
     * Direct compaction ({@code __alloc_pages_direct_compact}): compact each suitable zone from the highest usable
     * down, and try the freelist after each. Returns the pfn or -1; {@link #lastResult} says why.
     */
    long direct(AllocContext ac, int flags, int priority) {
        Result overall = Result.SKIPPED;
        for (int z = ac.highestZone(); z >= 0; z--) {
            Result s = suitable(z, ac.order(), ac.highestZone(), flags);
            if (s == Result.SKIPPED || s == Result.NOT_SUITABLE) {
                continue;
            }
            if (s == Result.CONTINUE) {
                long[] migrated = new long[1];
                s = compactZone(z, ac.order(), ac.migratetype(), priority, migrated);
                ms.compactions++;
                ms.events.add(new MmEvent.Compacted(z, ac.order(), migrated[0], s.name(), priority));
            }
            if (overall != Result.SUCCESS) {
                overall = s;
            }
            long pfn = ms.getPage(ac, flags);
            if (pfn >= 0) {
                lastResult = Result.SUCCESS;
                return pfn;
            }
        }
        lastResult = overall;
        return -1;
    }

    /** kcompactd (or 4.4 kswapd's compact_pgdat): compact every zone for the order. Returns false if nothing to do. */
    boolean kcompactd(int requested) {
        int order = requested >= 0 ? requested
            : ms.kswapd.kcompactdOrder >= 0 ? ms.kswapd.kcompactdOrder : ms.config.pageblockOrder();
        ms.kswapd.kcompactdOrder = -1;
        if (!available() || order <= 0) {
            return false;
        }
        boolean ran = false;
        for (int z = 0; z < ms.config.zones().size(); z++) {
            if (suitable(z, order, z, AllocFlags.WMARK_MIN) != Result.CONTINUE) {
                continue;
            }
            long[] migrated = new long[1];
            Result r = compactZone(z, order, MigrateType.MOVABLE, PRIORITY_SYNC_LIGHT, migrated);
            ms.compactions++;
            ms.events.add(new MmEvent.Compacted(z, order, migrated[0], r.name(), PRIORITY_SYNC_LIGHT));
            ran = true;
        }
        return ran;
    }
}
