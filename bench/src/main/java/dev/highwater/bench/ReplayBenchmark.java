package dev.highwater.bench;

import dev.highwater.model.mm.MemorySystem;
import dev.highwater.model.trace.Op;
import dev.highwater.model.trace.Trace;
import dev.highwater.properties.perf.Workloads;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Replay of a long trace with reclaim (page cache, anonymous memory, kswapd, writeback, compaction) through the memory
 * system on either allocator: time for one whole replay ({@link Workloads#replayTrace}, 12 steps a round), booting
 * not measured. {@code config} = {@code KIND:PAGES:ROUNDS}.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx8g"})
@State(Scope.Thread)
public class ReplayBenchmark {
    @Param({"FAST:4096:200", "REFERENCE:4096:200", "FAST:262144:4", "REFERENCE:262144:4"})
    public String config;
    Trace trace;
    MemorySystem ms;

    @Setup(Level.Trial)
    public void trace() {
        String[] c = config.split(":");
        trace = Workloads.replayTrace(Workloads.POLICY, Long.parseLong(c[1]), Integer.parseInt(c[2]), 7);
    }

    @Setup(Level.Invocation)
    public void boot() {
        ms = Workloads.boot(AllocatorBenchmarks.kind(config), trace, Workloads.POLICY);
    }

    @Benchmark
    public long replay() {
        long h = 0;
        for (Op op : trace.ops()) {
            h = h * 31 + ms.apply(op).hashCode();
        }
        return h;
    }
}
