package dev.highwater.bench;

import dev.highwater.properties.perf.Workloads;
import dev.highwater.properties.run.AllocatorKind;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Allocator throughput, the reference and the optimized implementation side by side ({@code config} =
 * {@code KIND:PAGES}; the reference only where it finishes in reasonable time), preset linux-6.1, one Normal zone.
 * Scores are operations per second: for {@code order0} an operation is one alloc+free pair, for {@code mix} and
 * {@code frag} one allocation attempt or one free. Run e.g.
 * {@code java -jar bench/target/benchmarks.jar AllocatorBenchmarks -p config=FAST:262144,REFERENCE:262144}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx8g"})
public class AllocatorBenchmarks {

    static AllocatorKind kind(String config) {
        return AllocatorKind.valueOf(config.substring(0, config.indexOf(':')));
    }

    static long pages(String config) {
        return Long.parseLong(config.substring(config.indexOf(':') + 1));
    }

    /** Order-0 alloc+free through the per-CPU lists. */
    @State(Scope.Thread)
    public static class Order0State {
        @Param({"FAST:4096", "REFERENCE:4096", "FAST:262144", "REFERENCE:262144", "FAST:16777216", "REFERENCE:16777216"})
        public String config;
        Workloads.Order0 w;

        @Setup(Level.Trial)
        public void setup() {
            w = new Workloads.Order0(Workloads.allocator(kind(config), Workloads.POLICY, pages(config)));
        }
    }

    /** The high-order mix at about 90 % occupancy (fill not measured). */
    @State(Scope.Thread)
    public static class MixState {
        @Param({"FAST:4096", "REFERENCE:4096", "FAST:262144", "REFERENCE:262144", "FAST:16777216"})
        public String config;
        Workloads.Mix w;

        @Setup(Level.Trial)
        public void setup() {
            w = new Workloads.Mix(Workloads.allocator(kind(config), Workloads.POLICY, pages(config)), 42);
            w.fill();
        }
    }

    /** Order-0 churn on a fragmented zone (fragmentation not measured). */
    @State(Scope.Thread)
    public static class FragState {
        @Param({"FAST:4096", "REFERENCE:4096", "FAST:262144", "REFERENCE:262144", "FAST:16777216"})
        public String config;
        Workloads.Frag w;

        @Setup(Level.Trial)
        public void setup() {
            w = new Workloads.Frag(Workloads.allocator(kind(config), Workloads.POLICY, pages(config)), 42);
        }
    }

    @Benchmark
    @OperationsPerInvocation(Workloads.Order0.BATCH)
    public long order0(Order0State s) {
        return s.w.run(1);
    }

    @Benchmark
    @OperationsPerInvocation(100)
    public long mix(MixState s) {
        return s.w.run(100);
    }

    @Benchmark
    @OperationsPerInvocation(100)
    public long frag(FragState s) {
        return s.w.run(100);
    }
}
