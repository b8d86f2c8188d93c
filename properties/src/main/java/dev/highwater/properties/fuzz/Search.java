package dev.highwater.properties.fuzz;

import dev.highwater.model.policy.KernelPolicy;
import dev.highwater.model.trace.Trace;
import dev.highwater.properties.run.Outcome;
import dev.highwater.properties.run.TraceRunner;
import dev.highwater.properties.shrink.Minimizer;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Uniform random search with the structure-aware decoder: random bytes → trace → run under a preset; a trace that
 * violates the property there (and stays clean under every "fixed" preset) is a finding, which is then minimized.
 * The seed makes a search repeatable. This is the random baseline of rediscovery and a tool for writing corpus traces.
 */
public final class Search {

    public record Finding(Trace original, Trace minimized, long execs, String message) {
    }

    private final TraceRunner runner = TraceRunner.standard();

    /** Whether the trace violates {@code property} under {@code bad} and no property under each of {@code good}. */
    public boolean distinguishes(Trace t, KernelPolicy bad, String property, List<KernelPolicy> good) {
        Outcome o = runner.run(t.withPolicy(bad.name()), bad);
        if (o.violation().isEmpty() || !o.violation().get().property().equals(property)) {
            return false;
        }
        for (KernelPolicy g : good) {
            if (runner.run(t.withPolicy(g.name()), g).violation().isPresent()) {
                return false;
            }
        }
        return true;
    }

    /**
     * The result of a hunt: found or not, inputs tried, seconds spent, and the first violating trace with its
     * violation (null when not found).
     */
    public record Hunt(boolean found, long execs, double seconds, Trace trace, dev.highwater.properties.Violation violation,
                       String property) {
    }

    /**
     * The uniform-random baseline of rediscovery: random bytes of {@code inputBytes} → the same decoder as the fuzz
     * targets → run under {@code preset} with {@code properties}, no feedback, until one of them is violated or
     * {@code seconds} have passed.
     */
    public static Hunt hunt(KernelPolicy preset, List<dev.highwater.properties.Property> properties, long seed,
                            double seconds, int maxOps, int inputBytes) {
        SplittableRandom rnd = new SplittableRandom(seed);
        long start = System.nanoTime();
        long deadline = start + (long) (seconds * 1e9);
        long execs = 0;
        var kind = PolicyTarget.allocator();
        while (System.nanoTime() < deadline) {
            byte[] data = new byte[inputBytes];
            rnd.nextBytes(data);
            execs++;
            Trace t = TraceDecoder.decode(data, preset.name(), maxOps);
            FuzzRun.Found f = FuzzRun.execute(t, preset, properties, kind, null);
            if (f != null) {
                return new Hunt(true, execs, (System.nanoTime() - start) / 1e9, t, f.violation(), f.property().id());
            }
        }
        return new Hunt(false, execs, (System.nanoTime() - start) / 1e9, null, null, null);
    }

    public Finding find(KernelPolicy bad, String property, List<KernelPolicy> good, long seed, long maxExecs,
                        int maxOps, int inputBytes) {
        SplittableRandom rnd = new SplittableRandom(seed);
        for (long exec = 1; exec <= maxExecs; exec++) {
            byte[] data = new byte[inputBytes];
            rnd.nextBytes(data);
            Trace t = TraceDecoder.decode(data, bad.name(), maxOps);
            if (distinguishes(t, bad, property, good)) {
                Minimizer m = new Minimizer(c -> distinguishes(c, bad, property, good), 2000);
                Trace min = m.minimize(t);
                Outcome o = runner.run(min, bad);
                return new Finding(t, min, exec, o.violation().map(Object::toString).orElse("?"));
            }
        }
        return null;
    }
}
