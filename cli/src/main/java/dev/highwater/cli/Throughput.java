package dev.highwater.cli;

import dev.highwater.model.policy.KernelPolicy;
import dev.highwater.model.policy.Presets;
import dev.highwater.model.trace.Op;
import dev.highwater.model.trace.Trace;
import dev.highwater.properties.PropertyCatalog;
import dev.highwater.properties.fuzz.FuzzRun;
import dev.highwater.properties.fuzz.PolicyTarget;
import dev.highwater.properties.fuzz.StateFeedback;
import dev.highwater.properties.fuzz.TraceDecoder;
import dev.highwater.properties.run.AllocatorKind;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * {@code highwater fuzz --measure}: the fuzz targets' execution rate on one core, without the fuzzer: a fixed set of
 * decoded inputs (32 ops, one zone of 4,096 pages), each run as a policy target runs it (every catalog property after
 * every step, the state feedback computed), per allocator and preset, per second of CPU time of the measuring thread
 * (one core), with the wall-clock rate and the allocation requests per second next to it. Measured, not asserted.
 */
final class Throughput {
    static final int TRACES = 200;
    /** Untimed rounds over every allocator and preset before the timed ones, at least. */
    static final int WARMUP_ROUNDS = 3;
    /**
     * ... and at least this long (wall clock): the JIT compiles on other threads, which a loaded machine starves, so a
     * fixed number of rounds timed a half-compiled model there (the same jar read 2,300 to 6,900 execs/s in one hour).
     */
    static final long WARMUP_NANOS = 10_000_000_000L;
    /** Timed rounds per allocator and preset (the best counts), after one untimed round of the pair. */
    static final int TIMED_ROUNDS = 5;
    static final List<String> PRESETS = List.of("linux-4.8", "linux-6.1", "mainline");

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

    /** Allocation requests a trace issues at most (alloc counts, page-cache and anonymous pages). */
    static long requests(Trace t) {
        long n = 0;
        for (Op op : t.ops()) {
            if (op instanceof Op.Alloc a) {
                n += a.count();
            } else if (op instanceof Op.Cache c) {
                n += c.pages();
            } else if (op instanceof Op.Anon an) {
                n += an.pages();
            }
        }
        return n;
    }

    /**
     * Per allocator and preset, the best of {@link #TIMED_ROUNDS} timed rounds over the traces, after untimed rounds
     * over every allocator and preset ({@link #WARMUP_ROUNDS} and {@link #WARMUP_NANOS} at least) and one more over the
     * pair itself. "Per core" is
     * per second of this thread's CPU time, so the figure holds on a machine other jobs share; the wall-clock rate is
     * printed next to it.
     */
    static int run(PrintStream out) {
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        boolean cpuTime = cpu.isCurrentThreadCpuTimeSupported();
        out.printf("%-10s %-12s %14s %10s %14s %16s%n", "allocator", "preset", "execs/s/core", "wall", "steps/s/core",
            "requests/s/core");
        StringBuilder summary = new StringBuilder("summary: traces=" + TRACES + " ops=32 zone_pages=4096");
        // warm-up: every allocator and preset before any timing, so that the JIT has compiled the paths of all of them
        // (a fuzzing job runs for minutes: the steady state is the rate that matters)
        long warm0 = System.nanoTime();
        for (int round = 0; round < WARMUP_ROUNDS || System.nanoTime() - warm0 < WARMUP_NANOS; round++) {
            for (AllocatorKind kind : AllocatorKind.values()) {
                for (String name : PRESETS) {
                    KernelPolicy p = Presets.byName(name).orElseThrow();
                    for (Trace t : traces(name)) {
                        FuzzRun.execute(t, p, PropertyCatalog.all(), kind, new StateFeedback());
                    }
                }
            }
        }
        for (AllocatorKind kind : AllocatorKind.values()) {
            double sum = 0;
            double reqSum = 0;
            int n = 0;
            for (String name : PRESETS) {
                KernelPolicy p = Presets.byName(name).orElseThrow();
                List<Trace> ts = traces(name);
                long requests = 0;
                for (Trace t : ts) {
                    requests += requests(t);
                }
                double best = 0;
                double bestWall = 0;
                for (int round = 0; round <= TIMED_ROUNDS; round++) { // round 0 warms the JIT up
                    long c0 = cpuTime ? cpu.getCurrentThreadCpuTime() : 0;
                    long t0 = System.nanoTime();
                    for (Trace t : ts) {
                        FuzzRun.execute(t, p, PropertyCatalog.all(), kind, new StateFeedback());
                    }
                    long wall = System.nanoTime() - t0;
                    long used = cpuTime ? cpu.getCurrentThreadCpuTime() - c0 : wall;
                    if (round > 0) {
                        best = Math.max(best, ts.size() / (Math.max(used, 1) / 1e9));
                        bestWall = Math.max(bestWall, ts.size() / (wall / 1e9));
                    }
                }
                double reqRate = best * requests / ts.size();
                out.printf(Locale.ROOT, "%-10s %-12s %14.0f %10.0f %14.0f %16.0f%n", kind.name().toLowerCase(Locale.ROOT),
                    name, best, bestWall, best * 32, reqRate);
                sum += best;
                reqSum += reqRate;
                n++;
            }
            String k = kind.name().toLowerCase(Locale.ROOT);
            summary.append(" ").append(k).append("_execs_s=").append(Math.round(sum / n));
            summary.append(" ").append(k).append("_requests_s=").append(Math.round(reqSum / n));
        }
        out.println(summary);
        return 0;
    }
}
