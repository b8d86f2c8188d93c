package dev.highwater.bench;

import dev.highwater.model.fast.FastAllocator;
import dev.highwater.properties.perf.Workloads;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Time to build (boot) a 16,777,216-page (64 GiB) zone on the optimized allocator: arrays, list sentinels, per-CPU
 * lists, watermarks and the release of all memory to the buddy lists. Its memory per page frame is printed by
 * {@link Footprint}.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 10)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx8g"})
public class BuildBenchmark {
    @Benchmark
    public FastAllocator build16M() {
        return new FastAllocator(Workloads.POLICY, Workloads.node(16_777_216), Workloads.tunables(Workloads.POLICY));
    }
}
