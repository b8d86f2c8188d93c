package dev.highwater.properties.shrink;

import dev.highwater.model.Context;
import dev.highwater.model.Gfp;
import dev.highwater.model.NodeConfig;
import dev.highwater.model.trace.Op;
import dev.highwater.model.trace.TaskSpec;
import dev.highwater.model.trace.Trace;
import dev.highwater.model.trace.VmSettings;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Shrinks a failing trace while a predicate (e.g. "still violates P under preset X, still clean under Y") holds:
 * delta debugging over the steps (ddmin: remove chunks, halving the chunk size), then simplification of values
 * (counts halved, orders lowered, CPUs to 0, contexts to process, GFP modifiers dropped), then of the machine (tasks
 * no step names, sysctls back to their defaults, one CPU, computed per-CPU list sizes); after a simplification round
 * that changed something, steps are tried one by one again. A free whose allocation was removed goes with it.
 * Bounded by a number of predicate evaluations and free of clocks and randomness, so the result is deterministic.
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
        // value and machine simplification, then single steps again, repeated until nothing changes
        boolean changed = true;
        while (changed && evaluations < maxEvaluations) {
            changed = false;
            for (Trace simpler : simplerMachine(best)) {
                if (evaluations >= maxEvaluations) {
                    break;
                }
                if (test(simpler)) {
                    best = simpler;
                    changed = true;
                }
            }
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
            for (int i = best.ops().size() - 1; i >= 0 && evaluations < maxEvaluations; i--) {
                List<Op> candidate = new ArrayList<>(best.ops());
                candidate.remove(i);
                Trace c = best.withOps(consistent(candidate));
                if (test(c)) {
                    best = c;
                    changed = true;
                    i = Math.min(i, best.ops().size());
                }
            }
        }
        return best;
    }

    /** Simpler machines for the same steps: fewer tasks, default sysctls, one CPU, computed per-CPU list sizes. */
    static List<Trace> simplerMachine(Trace t) {
        List<Trace> out = new ArrayList<>();
        Set<Integer> named = new HashSet<>();
        for (Op op : t.ops()) {
            if (op instanceof Op.Alloc a) {
                named.add(a.task());
            } else if (op instanceof Op.Anon an) {
                named.add(an.task());
            } else if (op instanceof Op.Exit e) {
                named.add(e.task());
            }
        }
        for (TaskSpec task : t.tasks()) {
            if (!named.contains(task.id())) {
                List<TaskSpec> fewer = new ArrayList<>(t.tasks());
                fewer.remove(task);
                out.add(new Trace(t.comments(), t.policy(), t.node(), t.vm(), fewer, t.swapPages(), t.ops(), t.opLines(),
                    t.expectations()));
            }
        }
        VmSettings vm = t.vm();
        if (vm.watermarkBoostFactor().isPresent()) {
            out.add(withVm(t, new VmSettings(vm.minFreeKbytes(), vm.watermarkScaleFactor(), OptionalInt.empty(),
                vm.lowmemReserveRatio(), vm.zoneReclaimMode())));
        }
        if (vm.minFreeKbytes().isPresent()) {
            out.add(withVm(t, new VmSettings(OptionalInt.empty(), vm.watermarkScaleFactor(), vm.watermarkBoostFactor(),
                vm.lowmemReserveRatio(), vm.zoneReclaimMode())));
        }
        if (t.swapPages() > 0) {
            out.add(new Trace(t.comments(), t.policy(), t.node(), t.vm(), t.tasks(), 0, t.ops(), t.opLines(),
                t.expectations()));
        }
        NodeConfig n = t.node();
        boolean usesCpu = t.ops().stream().anyMatch(op -> op.cpu() > 0);
        if (n.cpus() > 1 && !usesCpu) {
            out.add(withNode(t, new NodeConfig(n.zones(), n.pageblockOrder(), n.maxOrder(), 1, n.pcpBatchOverride(),
                n.pcpHighOverride())));
        }
        if (n.pcpBatchOverride() > 0) {
            out.add(withNode(t, new NodeConfig(n.zones(), n.pageblockOrder(), n.maxOrder(), n.cpus(), 0, -1)));
        }
        return out;
    }

    private static Trace withVm(Trace t, VmSettings vm) {
        return new Trace(t.comments(), t.policy(), t.node(), vm, t.tasks(), t.swapPages(), t.ops(), t.opLines(),
            t.expectations());
    }

    private static Trace withNode(Trace t, NodeConfig n) {
        return new Trace(t.comments(), t.policy(), n, t.vm(), t.tasks(), t.swapPages(), t.ops(), t.opLines(),
            t.expectations());
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
            if (a.context() != Context.PROCESS) {
                out.add(new Op.Alloc(a.handle(), a.task(), a.order(), a.gfp(), Context.PROCESS, a.cpu(), a.count(),
                    a.expected()));
            }
            if (a.gfp().names().size() > 1) {
                out.add(new Op.Alloc(a.handle(), a.task(), a.order(),
                    new Gfp(a.gfp().names().subList(0, a.gfp().names().size() - 1)), a.context(), a.cpu(), a.count(),
                    a.expected()));
            }
        } else if (op instanceof Op.Free f) {
            if (f.count() != 0 && f.count() > 1) {
                out.add(new Op.Free(f.handle(), f.count() / 2, f.cpu(), f.expected()));
            }
            if (f.cpu() > 0) {
                out.add(new Op.Free(f.handle(), f.count(), 0, f.expected()));
            }
        } else if (op instanceof Op.Cache c && c.cpu() > 0) {
            out.add(new Op.Cache(c.pages(), c.dirty(), 0, c.expected()));
        } else if (op instanceof Op.Cache c && c.pages() > 1) {
            out.add(new Op.Cache(c.pages() / 2, c.dirty(), c.cpu(), c.expected()));
            out.add(new Op.Cache(c.pages() - 1, c.dirty(), c.cpu(), c.expected()));
        } else if (op instanceof Op.CacheInterleaved ci) {
            if (ci.cpu() > 0) {
                out.add(new Op.CacheInterleaved(ci.pairs(), 0, ci.expected()));
            }
            if (ci.pairs() > 1) {
                out.add(new Op.CacheInterleaved(ci.pairs() / 2, ci.cpu(), ci.expected()));
                out.add(new Op.CacheInterleaved(ci.pairs() - 1, ci.cpu(), ci.expected()));
            }
        } else if (op instanceof Op.Anon an && an.pages() > 1) {
            out.add(new Op.Anon(an.task(), an.pages() / 2, an.cpu(), an.expected()));
            out.add(new Op.Anon(an.task(), an.pages() - 1, an.cpu(), an.expected()));
        }
        return out;
    }
}
