package dev.highwater.properties.shrink;

import dev.highwater.model.trace.Op;
import dev.highwater.model.trace.Trace;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Shrinks a failing trace while a predicate (e.g. "still violates P under preset X, still clean under Y") holds:
 * delta debugging over the steps (ddmin: remove chunks, halving the chunk size), then simplification of values
 * (counts halved, orders lowered, CPUs to 0, contexts to process). A free whose allocation was removed goes with it.
 * Bounded by a number of predicate evaluations, so the result is deterministic.
 */
public final class Minimizer {
    private final Predicate<Trace> stillFails;
    private final int maxEvaluations;
    private int evaluations;

    public Minimizer(Predicate<Trace> stillFails, int maxEvaluations) {
        this.stillFails = stillFails;
        this.maxEvaluations = maxEvaluations;
    }

    public int evaluations() {
        return evaluations;
    }

    private boolean test(Trace t) {
        if (evaluations >= maxEvaluations) {
            return false;
        }
        evaluations++;
        return stillFails.test(t);
    }

    /** Removes frees (and other handle uses) of handles no alloc in the list creates. */
    public static List<Op> consistent(List<Op> ops) {
        Set<String> made = new HashSet<>();
        List<Op> out = new ArrayList<>();
        for (Op op : ops) {
            if (op instanceof Op.Alloc a) {
                made.add(a.handle());
            } else if (op instanceof Op.Free f && !made.contains(f.handle())) {
                continue;
            }
            out.add(op.withExpected(Optional.empty()));
        }
        return out;
    }

    public Trace minimize(Trace t) {
        Trace best = t.withOps(consistent(t.ops()));
        // ddmin over steps
        int chunk = Math.max(1, best.ops().size() / 2);
        while (chunk >= 1 && evaluations < maxEvaluations) {
            boolean removed = false;
            for (int start = 0; start < best.ops().size() && evaluations < maxEvaluations; ) {
                List<Op> candidate = new ArrayList<>(best.ops().subList(0, start));
                candidate.addAll(best.ops().subList(Math.min(best.ops().size(), start + chunk), best.ops().size()));
                Trace c = best.withOps(consistent(candidate));
                if (c.ops().size() < best.ops().size() && test(c)) {
                    best = c;
                    removed = true;
                } else {
                    start += chunk;
                }
            }
            if (!removed) {
                chunk /= 2;
            }
        }
        // value simplification, repeated until nothing changes
        boolean changed = true;
        while (changed && evaluations < maxEvaluations) {
            changed = false;
            for (int i = 0; i < best.ops().size() && evaluations < maxEvaluations; i++) {
                for (Op simpler : simpler(best.ops().get(i))) {
                    List<Op> ops = new ArrayList<>(best.ops());
                    ops.set(i, simpler);
                    Trace c = best.withOps(ops);
                    if (test(c)) {
                        best = c;
                        changed = true;
                        break;
                    }
                }
            }
        }
        return best;
    }

    /** Simpler variants of one op, most aggressive first. */
    static List<Op> simpler(Op op) {
        List<Op> out = new ArrayList<>();
        if (op instanceof Op.Alloc a) {
            if (a.count() > 1) {
                out.add(new Op.Alloc(a.handle(), a.task(), a.order(), a.gfp(), a.context(), a.cpu(), 1, a.expected()));
                out.add(new Op.Alloc(a.handle(), a.task(), a.order(), a.gfp(), a.context(), a.cpu(), a.count() / 2,
                    a.expected()));
                out.add(new Op.Alloc(a.handle(), a.task(), a.order(), a.gfp(), a.context(), a.cpu(), a.count() - 1,
                    a.expected()));
            }
            if (a.order() > 0) {
                out.add(new Op.Alloc(a.handle(), a.task(), a.order() - 1, a.gfp(), a.context(), a.cpu(), a.count(),
                    a.expected()));
            }
            if (a.cpu() > 0) {
                out.add(new Op.Alloc(a.handle(), a.task(), a.order(), a.gfp(), a.context(), 0, a.count(), a.expected()));
            }
            if (a.task() > 0) {
                out.add(new Op.Alloc(a.handle(), 0, a.order(), a.gfp(), a.context(), a.cpu(), a.count(), a.expected()));
            }
        } else if (op instanceof Op.Free f) {
            if (f.count() != 0 && f.count() > 1) {
                out.add(new Op.Free(f.handle(), f.count() / 2, f.cpu(), f.expected()));
            }
            if (f.cpu() > 0) {
                out.add(new Op.Free(f.handle(), f.count(), 0, f.expected()));
            }
        } else if (op instanceof Op.Cache c && c.pages() > 1) {
            out.add(new Op.Cache(c.pages() / 2, c.dirty(), c.cpu(), c.expected()));
            out.add(new Op.Cache(c.pages() - 1, c.dirty(), c.cpu(), c.expected()));
        } else if (op instanceof Op.Anon an && an.pages() > 1) {
            out.add(new Op.Anon(an.task(), an.pages() / 2, an.cpu(), an.expected()));
            out.add(new Op.Anon(an.task(), an.pages() - 1, an.cpu(), an.expected()));
        }
        return out;
    }
}
