package dev.highwater.properties.explore;

import dev.highwater.model.Context;
import dev.highwater.model.Gfp;
import dev.highwater.model.trace.Op;
import dev.highwater.model.trace.TaskSpec;
import dev.highwater.model.trace.Trace;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The bounded op alphabet of the model checker: a fixed list of ops (allocations of orders 0..k in a few GFP
 * classes and contexts, anonymous faults, page cache, writeback, drain, kswapd, compact), plus, when
 * {@link #frees()} is set, a {@code free} of every live handle.
 *
 * <p>Moves are numbered: {@code 0 .. fixed().size()-1} are the fixed ops; {@code fixed().size() + s} frees the handle
 * allocated at step {@code s}. An allocation made at step {@code s} is kept under handle {@code s}, so a path of move
 * numbers names a trace exactly.
 *
 * @param fixed the fixed ops, in the order the search tries them (alloc handles are replaced per step)
 * @param frees whether a free of each live handle is a move
 */
public record Alphabet(List<Op> fixed, boolean frees) {
    public Alphabet {
        fixed = List.copyOf(fixed);
        if (fixed.isEmpty() && !frees) {
            throw new IllegalArgumentException("an empty alphabet");
        }
    }

    /** The op of move {@code move} taken at 1-based step {@code step}. */
    public Op op(int move, int step) {
        if (move < fixed.size()) {
            Op o = fixed.get(move);
            if (o instanceof Op.Alloc a) {
                return new Op.Alloc(Integer.toString(step), a.task(), a.order(), a.gfp(), a.context(), a.cpu(),
                    a.count(), Optional.empty());
            }
            return o;
        }
        return new Op.Free(Integer.toString(move - fixed.size()), 0, 0, Optional.empty());
    }

    /** The move that frees the handle allocated at {@code step}. */
    public int freeMove(int step) {
        return fixed.size() + step;
    }

    /**
     * The standard alphabet for a zone of {@code pages} pages: orders 0..{@code maxOrder} as GFP_KERNEL (process) and
     * GFP_ATOMIC (softirq), each with count 1 and a "big" count of about {@code pages/4} pages; GFP_NOWAIT order 0
     * big; an anonymous fault of 1 and of pages/4 pages per task; page cache read and write of 1 and pages/4 pages
     * and writeback (when {@code cache}); drain, kswapd, compact; and free of any live handle.
     */
    public static Alphabet standard(long pages, int maxOrder, List<TaskSpec> tasks, boolean cache) {
        int big = (int) Math.max(2, pages / 4);
        List<Op> ops = new ArrayList<>();
        Gfp kernel = Gfp.parse("GFP_KERNEL");
        Gfp atomic = Gfp.parse("GFP_ATOMIC");
        for (int o = 0; o <= maxOrder; o++) {
            int bigCount = Math.max(2, big >> o);
            ops.add(alloc(o, kernel, Context.PROCESS, 1));
            ops.add(alloc(o, kernel, Context.PROCESS, bigCount));
            ops.add(alloc(o, atomic, Context.SOFTIRQ, 1));
            ops.add(alloc(o, atomic, Context.SOFTIRQ, bigCount));
        }
        ops.add(alloc(0, Gfp.parse("GFP_NOWAIT"), Context.PROCESS, big));
        for (TaskSpec t : tasks) {
            ops.add(new Op.Anon(t.id(), 1, 0, Optional.empty()));
            ops.add(new Op.Anon(t.id(), big, 0, Optional.empty()));
        }
        if (cache) {
            ops.add(new Op.Cache(1, false, 0, Optional.empty()));
            ops.add(new Op.Cache(1, true, 0, Optional.empty()));
            ops.add(new Op.Cache(big, false, 0, Optional.empty()));
            ops.add(new Op.Cache(big, true, 0, Optional.empty()));
            ops.add(new Op.Writeback(0, Optional.empty()));
        }
        ops.add(new Op.Drain(Optional.empty()));
        ops.add(new Op.Kswapd(Optional.empty()));
        ops.add(new Op.Compact(-1, Optional.empty()));
        return new Alphabet(ops, true);
    }

    /**
     * The alphabet of a catalog bug: its trace's own allocation vocabulary (each distinct GFP expression, context and
     * order of its {@code alloc} lines; an order at or above the trace's pageblock order keeps its distance to the
     * pageblock order of {@code machine}), each with counts 1, pages/8 and pages/2 (in pages, shifted by the order);
     * anonymous faults of 1 and pages/8 pages per task; page cache read and write of 1 and pages/8 pages and writeback
     * when the trace uses page cache; drain, kswapd, compact; and free of any live handle.
     */
    public static Alphabet fromTrace(Trace trace, Trace machine) {
        long pages = machine.node().totalManagedPages();
        int pbo = machine.node().pageblockOrder();
        int tracePbo = trace.node().pageblockOrder();
        int maxOrder = machine.node().maxOrder() - 1;
        List<Op> ops = new ArrayList<>();
        java.util.Set<String> seen = new java.util.LinkedHashSet<>();
        boolean cache = usesPageCache(trace);
        for (Op o : trace.ops()) {
            if (!(o instanceof Op.Alloc a)) {
                continue;
            }
            int order = a.order() >= tracePbo ? pbo + (a.order() - tracePbo) : Math.min(a.order(), pbo);
            order = Math.min(order, maxOrder);
            if (!seen.add(a.gfp() + "/" + a.context() + "/" + order + "/" + a.task())) {
                continue;
            }
            java.util.Set<Integer> counts = new java.util.TreeSet<>(List.of(1,
                (int) Math.max(1, (pages / 8) >> order), (int) Math.max(1, (pages / 2) >> order)));
            for (int c : counts) {
                ops.add(new Op.Alloc("0", a.task(), order, a.gfp(), a.context(), 0, c, Optional.empty()));
            }
        }
        int small = (int) Math.max(2, pages / 8);
        for (TaskSpec t : machine.tasks()) {
            ops.add(new Op.Anon(t.id(), 1, 0, Optional.empty()));
            ops.add(new Op.Anon(t.id(), small, 0, Optional.empty()));
        }
        if (cache) {
            ops.add(new Op.Cache(1, false, 0, Optional.empty()));
            ops.add(new Op.Cache(1, true, 0, Optional.empty()));
            ops.add(new Op.Cache(small, false, 0, Optional.empty()));
            ops.add(new Op.Cache(small, true, 0, Optional.empty()));
            ops.add(new Op.Writeback(0, Optional.empty()));
        }
        ops.add(new Op.Drain(Optional.empty()));
        ops.add(new Op.Kswapd(Optional.empty()));
        ops.add(new Op.Compact(-1, Optional.empty()));
        return new Alphabet(ops, true);
    }

    /** Whether a trace has page-cache steps (reads, writes, writeback): then an alphabet built for it has them too. */
    public static boolean usesPageCache(Trace trace) {
        return trace.ops().stream()
            .anyMatch(o -> o instanceof Op.Cache || o instanceof Op.CacheInterleaved || o instanceof Op.Writeback);
    }

    private static Op alloc(int order, Gfp gfp, Context ctx, int count) {
        return new Op.Alloc("0", 0, order, gfp, ctx, 0, count, Optional.empty());
    }
}
