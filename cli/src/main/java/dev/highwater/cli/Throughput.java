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
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * {@code highwater fuzz --measure}: the fuzz targets' execution rate on one core, without the fuzzer: a fixed set of
 * decoded inputs (32 ops, one zone of 4,096 pages), each run as a policy target runs it (every catalog property after
 * every step, the state feedback computed), per allocator and preset, per second of CPU time of the measuring thread
 * (one core), with the wall-clock rate and the allocation requests per second next to it. Measured, not asserted.
 *
 * <p>Each allocator and preset is measured in a JVM of its own, as a fuzz target runs (one target, one preset, one
 * allocator per Jazzer process): measured in one JVM one after another, the pairs shared the JIT's profiles, so the
 * model's call sites saw both allocators and were compiled for neither, and the same jar read anywhere from 2,300 to
 * 10,000 execs/s depending on the order and the machine's load. The child warms up for {@link #WARMUP_ROUNDS} rounds
 * over the traces (tens of thousands of executions, the steady state a fuzzing job of minutes runs in), then times
 * {@link #TIMED_ROUNDS} rounds; the figure is the median round, the best one is printed next to it.
 *
 * <p>One more row per allocator runs {@link #inputs}: mainline inputs as the fuzzer draws them, any machine and length,
 * the rate a fuzzing job follows (its steps per input next to it); it is reported, not part of the 32-op average.
 */
final class Throughput {
    static final int TRACES = 200;
    /** Untimed rounds over the traces before the timed ones (200 rounds: 40,000 executions). */
    static final int WARMUP_ROUNDS = 200;
    /** Timed rounds; the median one is the figure. */
    static final int TIMED_ROUNDS = 60;
    static final List<String> PRESETS = List.of("linux-4.8", "linux-6.1", "mainline");
    /** The row of fuzzer-drawn {@link #inputs} (mainline), after the 32-op rows. */
    private static final String INPUTS_PRESET = "mainline, inputs";

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

    /** Decoded inputs for the "inputs" mode: what the fuzzer runs, any machine and length. */
    static final int INPUTS = 300;

    /**
     * Inputs as the fuzzer draws them, decoded for the preset: 16 to 527 random bytes each, any machine the decoder
     * picks and as many steps as it makes of them (the figure a fuzzing job's execs/s follows; the 32-op traces are
     * the target's fixed yardstick).
     */
    static List<Trace> inputs(String preset) {
        SplittableRandom rnd = new SplittableRandom(5);
        List<Trace> out = new ArrayList<>();
        while (out.size() < INPUTS) {
            byte[] d = new byte[16 + rnd.nextInt(512)];
            rnd.nextBytes(d);
            out.add(TraceDecoder.decode(d, preset, PolicyTarget.MAX_OPS));
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
            } else if (op instanceof Op.CacheInterleaved ci) {
                n += 2L * ci.pairs();
            } else if (op instanceof Op.Anon an) {
                n += an.pages();
            }
        }
        return n;
    }

    /** One pair's figures: execs per CPU-second (median and best round), per wall second (median), requests per exec. */
    record Rate(double median, double best, double wallMedian, double requestsPerExec, double stepsPerExec) {
        static Rate parse(String line) {
            String[] f = line.trim().split("\\s+");
            if (f.length != 6 || !f[0].equals("RATE")) {
                throw new IllegalArgumentException("not a rate line: " + line);
            }
            return new Rate(Double.parseDouble(f[1]), Double.parseDouble(f[2]), Double.parseDouble(f[3]),
                Double.parseDouble(f[4]), Double.parseDouble(f[5]));
        }

        String line() {
            return String.format(Locale.ROOT, "RATE %.1f %.1f %.1f %.3f %.3f", median, best, wallMedian,
                requestsPerExec, stepsPerExec);
        }
    }

    /** Measures one pair in this JVM (the child's work). */
    static Rate measure(AllocatorKind kind, String preset, boolean inputs) {
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        boolean cpuTime = cpu.isCurrentThreadCpuTimeSupported();
        KernelPolicy p = Presets.byName(preset).orElseThrow(() -> new IllegalArgumentException("unknown preset " + preset));
        List<Trace> ts = inputs ? inputs(preset) : traces(preset);
        long requests = 0;
        long steps = 0;
        for (Trace t : ts) {
            requests += requests(t);
            steps += t.ops().size();
        }
        double[] cpuRates = new double[TIMED_ROUNDS];
        double[] wallRates = new double[TIMED_ROUNDS];
        for (int round = 0; round < WARMUP_ROUNDS + TIMED_ROUNDS; round++) {
            long c0 = cpuTime ? cpu.getCurrentThreadCpuTime() : 0;
            long t0 = System.nanoTime();
            for (Trace t : ts) {
                FuzzRun.execute(t, p, PropertyCatalog.all(), kind, new StateFeedback());
            }
            long wall = System.nanoTime() - t0;
            long used = cpuTime ? cpu.getCurrentThreadCpuTime() - c0 : wall;
            if (round >= WARMUP_ROUNDS) {
                cpuRates[round - WARMUP_ROUNDS] = ts.size() / (Math.max(used, 1) / 1e9);
                wallRates[round - WARMUP_ROUNDS] = ts.size() / (Math.max(wall, 1) / 1e9);
            }
        }
        Arrays.sort(cpuRates);
        Arrays.sort(wallRates);
        return new Rate(cpuRates[TIMED_ROUNDS / 2], cpuRates[TIMED_ROUNDS - 1], wallRates[TIMED_ROUNDS / 2],
            (double) requests / ts.size(), (double) steps / ts.size());
    }

    /** The child JVM: {@code Throughput KIND PRESET [inputs]} prints one {@link Rate#line()}. */
    public static void main(String[] args) {
        if (args.length < 2 || args.length > 3 || (args.length == 3 && !args[2].equals("inputs"))) {
            System.err.println("usage: Throughput KIND PRESET [inputs]");
            System.exit(2);
        }
        System.out.println(measure(AllocatorKind.valueOf(args[0]), args[1], args.length == 3).line());
    }

    /** Runs one pair in a child JVM with the fuzz targets' JVM options. */
    static Rate child(AllocatorKind kind, String preset, boolean inputs) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(JazzerProcess.javaBinary(), "-Xmx1536m", "-XX:+UseParallelGC", "-cp",
            JazzerProcess.absoluteClassPath(), Throughput.class.getName(), kind.name(), preset));
        if (inputs) {
            cmd.add("inputs");
        }
        Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int rc = proc.waitFor();
        for (String line : output.split("\\R")) {
            if (line.startsWith("RATE ")) {
                return Rate.parse(line);
            }
        }
        throw new IOException("the measuring JVM for " + kind + " " + preset + " exited " + rc + " without a rate: "
            + output.strip());
    }

    static int run(PrintStream out) {
        out.printf("%-10s %-20s %14s %10s %10s %14s %16s%n", "allocator", "preset", "execs/s/core", "best", "wall",
            "steps/s/core", "requests/s/core");
        StringBuilder summary = new StringBuilder("summary: traces=" + TRACES + " ops=32 zone_pages=4096");
        for (AllocatorKind kind : AllocatorKind.values()) {
            double sum = 0;
            double reqSum = 0;
            int n = 0;
            List<String> rows = new ArrayList<>(PRESETS);
            rows.add(INPUTS_PRESET);
            for (String row : rows) {
                boolean inputs = row.equals(INPUTS_PRESET);
                String name = inputs ? "mainline" : row;
                Rate r;
                try {
                    r = child(kind, name, inputs);
                } catch (IOException e) {
                    System.err.println("highwater fuzz --measure: " + e.getMessage());
                    out.println("summary: error=measuring_jvm kind=" + kind.name().toLowerCase(Locale.ROOT)
                        + " preset=" + name);
                    return 1;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    out.println("summary: error=interrupted");
                    return 1;
                }
                double reqRate = r.median() * r.requestsPerExec();
                String k = kind.name().toLowerCase(Locale.ROOT);
                out.printf(Locale.ROOT, "%-10s %-20s %14.0f %10.0f %10.0f %14.0f %16.0f%n", k, row, r.median(), r.best(),
                    r.wallMedian(),
                    r.median() * r.stepsPerExec(), reqRate);
                out.flush();
                if (inputs) {
                    summary.append(" ").append(k).append("_input_execs_s=").append(Math.round(r.median()));
                    summary.append(" ").append(k).append("_input_steps=").append(Math.round(r.stepsPerExec()));
                    continue;
                }
                sum += r.median();
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
