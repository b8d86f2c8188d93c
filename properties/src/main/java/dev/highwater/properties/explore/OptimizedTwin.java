package dev.highwater.properties.explore;

import dev.highwater.model.mm.MemorySystem;
import dev.highwater.model.trace.Op;
import dev.highwater.properties.run.AllocatorKind;
import dev.highwater.properties.run.Differential;
import dev.highwater.properties.run.TraceRunner;
import java.util.List;
import java.util.Optional;

/**
 * The optimized allocator beside the reference one in a differential search ({@link CheckSpec#differential}): every
 * transition the search runs is replayed on a memory system over the {@link AllocatorKind#FAST} allocator, booted from
 * the same machine, and its result and observable state after the step ({@link Differential#compare}: free lists,
 * counters, per-CPU lists, pageblock types, watermarks, the memory system's counters, the step's events and last
 * attempt) must equal the reference's. Only the last step is compared: the steps before it are a path of the search,
 * each compared when the search took it. The optimized system is replayed from boot along the path (it has no copy
 * of its own state), so a differential search costs several times a plain one; one twin per worker thread.
 */
final class OptimizedTwin {
    private final CheckSpec spec;
    private final TraceRunner runner = new TraceRunner(List.of(), AllocatorKind.FAST);

    OptimizedTwin(CheckSpec spec) {
        this.spec = spec;
    }

    /**
     * Replays the setup prefix, then {@code path[0..n-1]} (the search's moves, the last one being the step checked), on
     * a freshly booted optimized system and compares its last step with the reference's.
     *
     * @param path      the ops of the path, step 1 first; only the first {@code n} are used
     * @param result    the reference's result of the last step
     * @param reference the reference memory system after the last step
     * @return where the two differ, or empty when they agree
     */
    Optional<String> check(Op[] path, int n, String result, MemorySystem reference) {
        MemorySystem fast = runner.boot(spec.machine(), spec.preset());
        List<Op> prefix = spec.machine().ops();
        Op last = path[n - 1];
        String got;
        try {
            for (Op o : prefix) {
                fast.apply(o);
            }
            for (int i = 0; i < n - 1; i++) {
                fast.apply(path[i]);
            }
            got = fast.apply(last);
        } catch (RuntimeException e) {
            return Optional.of("the optimized allocator threw at step " + n + ": " + e);
        }
        if (!got.equals(result)) {
            return Optional.of("step " + n + " result: reference " + result + ", optimized " + got);
        }
        return Differential.compare(n, last, reference, fast)
            .map(m -> "step " + m.step() + ": " + m.field() + ": reference " + m.expected() + ", optimized "
                + m.actual());
    }
}
