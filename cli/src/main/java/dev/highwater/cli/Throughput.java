package dev.highwater.cli;

import dev.highwater.model.policy.KernelPolicy;
import dev.highwater.model.policy.Presets;
import dev.highwater.model.trace.Trace;
import dev.highwater.properties.PropertyCatalog;
import dev.highwater.properties.fuzz.FuzzRun;
import dev.highwater.properties.fuzz.PolicyTarget;
import dev.highwater.properties.fuzz.StateFeedback;
import dev.highwater.properties.fuzz.TraceDecoder;
import dev.highwater.properties.run.AllocatorKind;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * {@code highwater fuzz --measure}: the fuzz targets' execution rate on one core, without the fuzzer: a fixed set of
 * decoded inputs (32 ops, one zone of 4,096 pages), each run as a policy target runs it (every catalog property after
 * every step, the state feedback computed), per allocator and preset. Measured, not asserted.
 */
final class Throughput {
    static final int TRACES = 200;

    private Throughput() {
    }

    static List<Trace> traces(String preset) {
        SplittableRandom rnd = new SplittableRandom(20_240_601);
        List<Trace> out = new ArrayList<>();
        while (out.size() < TRACES) {
            byte[] d = new byte[256];
            rnd.nextBytes(d);
            Trace t = TraceDecoder.decode(d, preset, PolicyTarget.MAX_OPS);
            if (t.ops().size() == 32 && t.node().zones().size() == 1 && t.node().zones().get(0).managedPages() == 4096) {
                out.add(t);
            }
        }
        return out;
    }

    static int run(PrintStream out) {
        out.printf("%-10s %-12s %10s %8s%n", "allocator", "preset", "execs/s", "steps/s");
        StringBuilder summary = new StringBuilder("summary: traces=" + TRACES + " ops=32 zone_pages=4096");
        for (AllocatorKind kind : AllocatorKind.values()) {
            double sum = 0;
            int n = 0;
            for (String name : List.of("linux-4.8", "linux-6.1", "mainline")) {
                KernelPolicy p = Presets.byName(name).orElseThrow();
                List<Trace> ts = traces(name);
                double best = 0;
                for (int round = 0; round < 4; round++) { // round 0 warms the JIT up
                    long t0 = System.nanoTime();
                    for (Trace t : ts) {
                        FuzzRun.execute(t, p, PropertyCatalog.all(), kind, new StateFeedback());
                    }
                    double rate = ts.size() / ((System.nanoTime() - t0) / 1e9);
                    if (round > 0) {
                        best = Math.max(best, rate);
                    }
                }
                out.printf("%-10s %-12s %10.0f %8.0f%n", kind.name().toLowerCase(), name, best, best * 32);
                sum += best;
                n++;
            }
            summary.append(" ").append(kind.name().toLowerCase()).append("_execs_s=").append(Math.round(sum / n));
        }
        out.println(summary);
        return 0;
    }
}
