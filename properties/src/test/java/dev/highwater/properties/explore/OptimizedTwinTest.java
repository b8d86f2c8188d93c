package dev.highwater.properties.explore;

import static org.assertj.core.api.Assertions.assertThat;

import dev.highwater.model.mm.MemorySystem;
import dev.highwater.model.policy.KernelPolicy;
import dev.highwater.model.policy.Presets;
import dev.highwater.model.trace.Op;
import dev.highwater.model.trace.Trace;
import dev.highwater.properties.PropertyCatalog;
import dev.highwater.properties.run.AllocatorKind;
import dev.highwater.properties.run.TraceRunner;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The differential search's twin: a path the two allocators agree on is clean; a reference result or state that the
 * optimized replay does not reach is reported with the step and what differs. And a differential search explores
 * exactly what the plain one does (the twin only adds checks).
 */
class OptimizedTwinTest {
    private static final KernelPolicy MAINLINE = Presets.byName("mainline").orElseThrow();

    private static CheckSpec spec(Trace machine, int depth) {
        return new CheckSpec(machine, MAINLINE, PropertyCatalog.byId("no-oom-above-min").orElseThrow(), depth,
            Alphabet.standard(machine.node().totalManagedPages(), 1, machine.tasks(), true), 1_000_000, true);
    }

    /** The reference system after {@code path}, and each step's result in {@code results}. */
    private static MemorySystem reference(Trace machine, Op[] path, String[] results) {
        MemorySystem ms = new TraceRunner(List.of(), AllocatorKind.REFERENCE).boot(machine, MAINLINE);
        for (int i = 0; i < path.length; i++) {
            results[i] = ms.apply(path[i]);
        }
        return ms;
    }

    @Test
    void agreesOnAPathAndNamesWhatDiffers() {
        Trace machine = Machines.small("mainline", 32);
        CheckSpec spec = spec(machine, 3);
        Alphabet a = spec.alphabet();
        // a big GFP_KERNEL order-0 allocation, page cache, then a big atomic one: memory runs low
        Op[] path = {a.op(1, 1), a.op(a.fixed().indexOf(new Op.Cache(8, false, 0, java.util.Optional.empty())), 2),
            a.op(3, 3)};
        String[] results = new String[3];
        MemorySystem ref = reference(machine, path, results);
        OptimizedTwin twin = new OptimizedTwin(spec);
        assertThat(twin.check(path, 3, results[2], ref)).isEmpty();
        assertThat(twin.check(path, 3, "ok=0 fail=1", ref)).hasValueSatisfying(m ->
            assertThat(m).isEqualTo("step 3 result: reference ok=0 fail=1, optimized " + results[2]));
        // the reference one step further along: its state is not the one the optimized replay of the path reaches
        ref.apply(a.op(0, 4));
        assertThat(twin.check(path, 3, results[2], ref)).hasValueSatisfying(m ->
            assertThat(m).startsWith("step 3: ").contains("reference").contains("optimized"));
    }

    @Test
    void aDifferentialSearchExploresWhatThePlainOneDoes() {
        Trace machine = Machines.small("mainline", 32);
        CheckResult plain = new Explorer(spec(machine, 3).withDifferential(false), null).run();
        CheckResult twin = new Explorer(spec(machine, 3), null, 2).parallelFrom(1).run();
        assertThat(twin.kind()).isEqualTo(CheckResult.Kind.CLEAN);
        assertThat(twin.states()).isEqualTo(plain.states());
        assertThat(twin.transitions()).isEqualTo(plain.transitions());
    }

    /**
     * The twin keeps the optimized states along the last path: paths in any order (sharing a prefix with the last
     * one, or not, longer or shorter) must each be checked against the state their own replay from boot reaches, so
     * a path the allocators agree on is clean however the stack was left, and a reference one step further along is
     * still told apart.
     */
    @Test
    void pathsInAnyOrderAreEachCheckedAgainstTheirOwnReplay() {
        Trace machine = Machines.small("mainline", 32);
        int depth = 5;
        CheckSpec spec = spec(machine, depth);
        Alphabet a = spec.alphabet();
        int fixed = a.fixed().size();
        OptimizedTwin twin = new OptimizedTwin(spec);
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(7);
        Op[] prev = null;
        int shared = 0;
        for (int t = 0; t < 300; t++) {
            int n = 1 + rnd.nextInt(depth);
            Op[] path = new Op[n];
            for (int i = 0; i < n; i++) {
                // half the time keep the previous path's move: long shared prefixes, as a search's frontier has
                boolean keep = prev != null && i < prev.length && rnd.nextBoolean();
                path[i] = keep ? prev[i] : a.op(rnd.nextInt(fixed), i + 1);
                shared += keep ? 1 : 0;
            }
            String[] results = new String[n];
            MemorySystem ref = reference(machine, path, results);
            assertThat(twin.check(path, n, results[n - 1], ref)).as("path %d: %s", t, List.of(path)).isEmpty();
            if (t % 10 == 0) {
                ref.apply(a.op(0, n + 1)); // one step further: no longer the state of the path
                assertThat(twin.check(path, n, results[n - 1], ref)).as("path %d one step on", t).isPresent();
            }
            prev = path;
        }
        assertThat(shared).as("moves shared with the previous path").isGreaterThan(100);
    }
}
