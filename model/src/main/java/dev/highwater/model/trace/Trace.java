package dev.highwater.model.trace;

import dev.highwater.model.NodeConfig;
import java.util.List;

/**
 * A parsed trace: the machine (node, zones, sysctls, tasks), the preset it was written for, its steps and its
 * expectations. Step numbers start at 1 and follow {@link #ops()}.
 *
 * @param comments     the {@code #} comment lines before the first step (the file's header), without the {@code #}
 * @param policy       the preset name of the {@code policy} line
 * @param node         node shape and zones
 * @param vm           the {@code vm} line
 * @param tasks        the {@code task} lines
 * @param swapPages    the {@code swap pages=N} line (0: no swap)
 * @param ops          the steps
 * @param opLines      the source line of each step (1-based; 0 for traces built in code)
 * @param expectations the {@code expect} lines
 */
public record Trace(List<String> comments, String policy, NodeConfig node, VmSettings vm, List<TaskSpec> tasks,
                    long swapPages, List<Op> ops, List<Integer> opLines, List<Expectation> expectations) {
    public Trace {
        comments = List.copyOf(comments);
        tasks = List.copyOf(tasks);
        ops = List.copyOf(ops);
        opLines = List.copyOf(opLines);
        expectations = List.copyOf(expectations);
        if (opLines.size() != ops.size()) {
            throw new IllegalArgumentException("one source line per op");
        }
    }

    /** A trace built in code (no source lines). */
    public static Trace of(List<String> comments, String policy, NodeConfig node, VmSettings vm, List<TaskSpec> tasks,
                           long swapPages, List<Op> ops, List<Expectation> expectations) {
        return new Trace(comments, policy, node, vm, tasks, swapPages, ops,
            java.util.Collections.nCopies(ops.size(), 0), expectations);
    }

    public Trace withOps(List<Op> newOps) {
        return new Trace(comments, policy, node, vm, tasks, swapPages, newOps, java.util.Collections.nCopies(newOps.size(), 0),
            expectations);
    }

    public Trace withExpectations(List<Expectation> e) {
        return new Trace(comments, policy, node, vm, tasks, swapPages, ops, opLines, e);
    }

    public Trace withPolicy(String p) {
        return new Trace(comments, p, node, vm, tasks, swapPages, ops, opLines, expectations);
    }

    /** Equality that ignores source lines: what the round-trip property compares. */
    public boolean sameAs(Trace o) {
        return comments.equals(o.comments) && policy.equals(o.policy) && node.equals(o.node) && vm.equals(o.vm)
            && tasks.equals(o.tasks) && swapPages == o.swapPages && ops.equals(o.ops) && expectations.equals(o.expectations);
    }
}
