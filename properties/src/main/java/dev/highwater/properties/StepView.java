package dev.highwater.properties;

import dev.highwater.model.MigrateType;
import dev.highwater.model.PageAllocator;
import dev.highwater.model.fast.FastAllocator;
import dev.highwater.model.mm.MemorySystem;
import dev.highwater.model.reference.ReferenceAllocator;
import dev.highwater.model.trace.Op;
import dev.highwater.properties.integrity.HighatomicAccounting;
import java.util.List;

/**
 * What a property sees after a step.
 *
 * @param system the memory system (and through it the allocator) after the step
 * @param step   1-based step number
 * @param op     the step just executed
 * @param result its result text
 * @param lists  the allocator's free and per-CPU block lists of this step, listed once for every property that reads
 *               them (the state does not change while the properties of a step are checked)
 */
public record StepView(MemorySystem system, int step, Op op, String result, Lists lists) {
    public StepView(MemorySystem system, int step, Op op, String result) {
        this(system, step, op, result, new Lists());
    }

    public PageAllocator allocator() {
        return system.allocator();
    }

    /** {@link PageAllocator#freeBlocks} of a zone at this step (listed on first use). */
    @SuppressWarnings("unchecked")
    public List<PageAllocator.FreeBlock> freeBlocks(int zone) {
        if (lists.free == null) {
            lists.free = new List[allocator().zones().size()];
        }
        List<PageAllocator.FreeBlock> l = lists.free[zone];
        if (l == null) {
            l = allocator().freeBlocks(zone);
            lists.free[zone] = l;
        }
        return l;
    }

    /**
     * Whether the allocator is one of the model's own two ({@link FastAllocator}, {@link ReferenceAllocator}), whose
     * {@link PageAllocator#forEachFreeBlock}, {@link PageAllocator#forEachPcpBlock} and
     * {@link PageAllocator#pageblocksOfType} walk exactly what their {@code freeBlocks}, {@code pcpBlocks} and
     * {@code pageblockType} show. Any other implementation (a test's lying proxy that forwards the rest to a real
     * allocator) is read through the lists and {@code pageblockType} themselves, so that a property sees what it
     * always saw.
     */
    public static boolean walksOwnLists(PageAllocator a) {
        return a instanceof FastAllocator || a instanceof ReferenceAllocator;
    }

    /**
     * The free blocks of a zone at this step, in {@link PageAllocator#freeBlocks} order: walked by the allocator
     * without records where {@link #walksOwnLists} allows it, else from the (memoized) list.
     */
    public void forEachFreeBlock(int zone, PageAllocator.BlockVisitor v) {
        if (!walked(zone, false, v)) {
            for (PageAllocator.FreeBlock b : freeBlocks(zone)) {
                v.block(b.pfn(), b.order(), b.list());
            }
        }
    }

    /** The per-CPU blocks of a zone at this step, in {@link PageAllocator#pcpBlocks} order (as {@link #forEachFreeBlock}). */
    public void forEachPcpBlock(int zone, PageAllocator.BlockVisitor v) {
        if (!walked(zone, true, v)) {
            for (PageAllocator.PcpBlock b : pcpBlocks(zone)) {
                v.block(b.pfn(), b.order(), b.list());
            }
        }
    }

    /**
     * Hands the zone's free or per-CPU blocks to {@code v} through the step's shared {@link Walk} (the allocator walks
     * them for the first visitor, the later ones get the recording); false when the blocks are to be read from the
     * lists instead (another allocator, or the list already made for this step).
     */
    private boolean walked(int zone, boolean pcpList, PageAllocator.BlockVisitor v) {
        PageAllocator a = allocator();
        Object[] listed = pcpList ? lists.pcp : lists.free;
        if (!walksOwnLists(a) || (listed != null && listed[zone] != null)) {
            return false;
        }
        Walk w = lists.walk(zone, pcpList, a.zones().size());
        if (w.complete) {
            w.replay(v);
        } else {
            w.record(v);
            if (pcpList) {
                a.forEachPcpBlock(zone, w);
            } else {
                a.forEachFreeBlock(zone, w);
            }
            w.complete = true;
        }
        return true;
    }

    /** {@link PageAllocator#pcpBlocks} of a zone at this step (listed on first use). */
    @SuppressWarnings("unchecked")
    public List<PageAllocator.PcpBlock> pcpBlocks(int zone) {
        if (lists.pcp == null) {
            lists.pcp = new List[allocator().zones().size()];
        }
        List<PageAllocator.PcpBlock> l = lists.pcp[zone];
        if (l == null) {
            l = allocator().pcpBlocks(zone);
            lists.pcp[zone] = l;
        }
        return l;
    }

    /**
     * {@link HighatomicAccounting#highatomicBlocks} of a zone at this step (counted on first use: highatomic-accounting
     * and highatomic-within-cap both read it).
     */
    public long highatomicBlocks(int zone) {
        int zones = allocator().zones().size();
        if (lists.highatomicBlocks == null || lists.highatomicBlocks.length < zones) {
            lists.highatomicBlocks = new long[zones];
            lists.highatomicCounted = 0;
        }
        long bit = 1L << zone; // counted this step (zones number fewer than 64)
        if ((lists.highatomicCounted & bit) != 0) {
            return lists.highatomicBlocks[zone];
        }
        long n = HighatomicAccounting.highatomicBlocks(allocator(), zone);
        lists.highatomicBlocks[zone] = n;
        lists.highatomicCounted |= bit;
        return n;
    }

    /**
     * One walk of a zone's free or per-CPU blocks, recorded as it is handed to its first visitor (pfn, order, list
     * type in parallel arrays) and replayed to the later ones: the integrity properties of a step walk the allocator's
     * lists once between them.
     */
    private static final class Walk implements PageAllocator.BlockVisitor {
        private static final MigrateType[] TYPES = MigrateType.values();
        long[] pfn = new long[64];
        byte[] order = new byte[64];
        byte[] type = new byte[64];
        int n;
        boolean complete;
        private PageAllocator.BlockVisitor first;

        void record(PageAllocator.BlockVisitor v) {
            n = 0;
            first = v;
        }

        @Override
        public void block(long p, int o, MigrateType t) {
            if (n == pfn.length) {
                pfn = java.util.Arrays.copyOf(pfn, n * 2);
                order = java.util.Arrays.copyOf(order, n * 2);
                type = java.util.Arrays.copyOf(type, n * 2);
            }
            pfn[n] = p;
            order[n] = (byte) o;
            type[n] = (byte) t.ordinal();
            n++;
            first.block(p, o, t);
        }

        void replay(PageAllocator.BlockVisitor v) {
            for (int i = 0; i < n; i++) {
                v.block(pfn[i], order[i], TYPES[type[i]]);
            }
        }
    }

    /**
     * The per-step memo of {@link #freeBlocks}, {@link #pcpBlocks}, the block walks and {@link #highatomicBlocks}
     * (identity equality: a cache, not state). A run may reuse one for every step with {@link #reset} (the memo then
     * keeps its arrays), provided no view of an earlier step is read after.
     */
    public static final class Lists {
        private List<PageAllocator.FreeBlock>[] free;
        private List<PageAllocator.PcpBlock>[] pcp;
        private long[] highatomicBlocks;
        /** Bit z: {@link #highatomicBlocks}[z] was counted at this step (the array is kept from step to step). */
        private long highatomicCounted;
        /** Free walks of zone z at 2z, per-CPU walks at 2z + 1. */
        private Walk[] walks;

        /** Forgets this step's memo, for the next step. */
        public Lists reset() {
            free = null;
            pcp = null;
            highatomicCounted = 0;
            if (walks != null) {
                for (Walk w : walks) {
                    if (w != null) {
                        w.complete = false;
                        w.n = 0;
                    }
                }
            }
            return this;
        }

        private Walk walk(int zone, boolean pcpList, int zones) {
            if (walks == null || walks.length < 2 * zones) {
                walks = new Walk[2 * zones];
            }
            int i = 2 * zone + (pcpList ? 1 : 0);
            Walk w = walks[i];
            if (w == null) {
                w = new Walk();
                walks[i] = w;
            }
            return w;
        }
    }
}
