package dev.highwater.properties;

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
        PageAllocator a = allocator();
        if (walksOwnLists(a) && (lists.free == null || lists.free[zone] == null)) {
            a.forEachFreeBlock(zone, v);
            return;
        }
        for (PageAllocator.FreeBlock b : freeBlocks(zone)) {
            v.block(b.pfn(), b.order(), b.list());
        }
    }

    /** The per-CPU blocks of a zone at this step, in {@link PageAllocator#pcpBlocks} order (as {@link #forEachFreeBlock}). */
    public void forEachPcpBlock(int zone, PageAllocator.BlockVisitor v) {
        PageAllocator a = allocator();
        if (walksOwnLists(a) && (lists.pcp == null || lists.pcp[zone] == null)) {
            a.forEachPcpBlock(zone, v);
            return;
        }
        for (PageAllocator.PcpBlock b : pcpBlocks(zone)) {
            v.block(b.pfn(), b.order(), b.list());
        }
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
        if (lists.highatomicBlocks == null) {
            long[] n = new long[allocator().zones().size()];
            java.util.Arrays.fill(n, -1);
            lists.highatomicBlocks = n;
        }
        long n = lists.highatomicBlocks[zone];
        if (n < 0) {
            n = HighatomicAccounting.highatomicBlocks(allocator(), zone);
            lists.highatomicBlocks[zone] = n;
        }
        return n;
    }

    /**
     * The per-step memo of {@link #freeBlocks}, {@link #pcpBlocks} and {@link #highatomicBlocks} (identity equality:
     * a cache, not state).
     */
    public static final class Lists {
        private List<PageAllocator.FreeBlock>[] free;
        private List<PageAllocator.PcpBlock>[] pcp;
        private long[] highatomicBlocks;
    }
}
