package dev.highwater.properties.explore;

import dev.highwater.model.mm.MemorySystem;
import dev.highwater.model.trace.Op;
import dev.highwater.properties.run.AllocatorKind;
import dev.highwater.properties.run.Differential;
import dev.highwater.properties.run.TraceRunner;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The optimized allocator beside the reference one in a differential search ({@link CheckSpec#differential}): every
 * transition the search runs is replayed on a memory system over the {@link AllocatorKind#FAST} allocator, booted from
 * the same machine, and its result and observable state after the step ({@link Differential#compare}: free lists,
 * counters, per-CPU lists, pageblock types, watermarks, the memory system's counters, the step's events and last
 * attempt) must equal the reference's. Only the last step is compared: the steps before it are a path of the search,
 * each compared when the search took it.
 *
 * <p>The twin keeps the optimized states along the last path it was given, as the worker keeps the reference ones: a
 * search hands it the paths in frontier order, so consecutive transitions share their parent, and a check costs a
 * copy of the parent's optimized state and one step; a new parent costs a step for each move where its path leaves
 * the previous one. One twin per worker thread.
 */
final class OptimizedTwin {
    private final CheckSpec spec;
    private final TraceRunner runner = new TraceRunner(List.of(), AllocatorKind.FAST);
    /** {@code stack[j]}: the optimized system after the setup prefix and the first j moves of {@link #stackPath}. */
    private final MemorySystem[] stack;
    /** The moves the stack was built with. */
    private final Op[] stackPath;
    /** The deepest index of {@link #stack} that is valid, or -1 before the first check (or after a throw). */
    private int valid = -1;
    /** The successor being tried: overwritten by every check. */
    private MemorySystem scratch;

    OptimizedTwin(CheckSpec spec) {
        this.spec = spec;
        this.stack = new MemorySystem[spec.depth() + 1];
        this.stackPath = new Op[spec.depth()];
    }

    /**
     * Runs {@code path[0..n-1]} (the search's moves, the last one being the step checked) after the setup prefix on
     * the optimized system and compares its last step with the reference's.
     *
     * @param path      the ops of the path, step 1 first; only the first {@code n} are used
     * @param result    the reference's result of the last step
     * @param reference the reference memory system after the last step
     * @return where the two differ, or empty when they agree
     */
    Optional<String> check(Op[] path, int n, String result, MemorySystem reference) {
        Op last = path[n - 1];
        String got;
        MemorySystem fast;
        try {
            MemorySystem parent = parent(path, n - 1);
            if (scratch == null) {
                scratch = parent.copy();
            } else {
                scratch.copyFrom(parent);
            }
            fast = scratch;
            got = fast.apply(last);
        } catch (RuntimeException e) {
            valid = -1; // the stack may be half built: start again from boot next time
            return Optional.of("the optimized allocator threw at step " + n + ": " + e);
        }
        if (!got.equals(result)) {
            return Optional.of("step " + n + " result: reference " + result + ", optimized " + got);
        }
        return Differential.compare(n, last, reference, fast)
            .map(m -> "step " + m.step() + ": " + m.field() + ": reference " + m.expected() + ", optimized "
                + m.actual());
    }

    /** The optimized system after the prefix and {@code path[0..len-1]}, from the deepest shared state of the stack. */
    private MemorySystem parent(Op[] path, int len) {
        if (valid < 0) {
            MemorySystem root = runner.boot(spec.machine(), spec.preset());
            for (Op o : spec.machine().ops()) {
                root.apply(o);
            }
            stack[0] = root;
            valid = 0;
        }
        int k = 0;
        while (k < len && k < valid && Objects.equals(stackPath[k], path[k])) {
            k++;
        }
        for (int j = k; j < len; j++) {
            if (stack[j + 1] == null) {
                stack[j + 1] = stack[j].copy();
            } else {
                stack[j + 1].copyFrom(stack[j]);
            }
            stack[j + 1].apply(path[j]);
            stackPath[j] = path[j];
        }
        if (k < len) {
            valid = len; // what lay deeper was built on the old path
        }
        return stack[len];
    }
}
