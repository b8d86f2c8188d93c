package dev.highwater.cli;

import dev.highwater.model.policy.KernelPolicy;
import dev.highwater.model.policy.Presets;
import dev.highwater.properties.perf.QuickBench;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code highwater bench --quick}: the reference and the optimized allocator side by side on the benchmark workloads
 * (order-0 alloc+free through the per-CPU lists, a high-order mix, order-0 churn on a fragmented zone, a long trace
 * with reclaim through the memory system) at 4,096, 262,144 and 16,777,216 pages, plus the optimized allocator's
 * memory per page frame and build time at 16,777,216 pages. Plain timed loops with warm-up; the full JMH suite is in
 * {@code bench/}. Ends with {@code summary: speedup_262144=X ops_per_s_order0=N bytes_per_page=B build_16M_ms=T}.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmark the optimized allocator against the reference (about three minutes with --quick).")
public final class BenchCommand implements Callable<Integer> {

    @Option(names = "--quick", description = "the short run (about three minutes; the default)")
    boolean quick;

    @Option(names = "--preset", description = "kernel preset to run (default: linux-6.1)")
    String preset = "linux-6.1";

    @Option(names = "--seconds", description = "seconds per measurement phase (default 4; warm-up takes half)")
    double seconds = 4.0;

    @Override
    public Integer call() {
        KernelPolicy p = Presets.byName(preset).orElse(null);
        if (p == null) {
            System.err.println("highwater bench: unknown preset '" + preset + "' (known: " + String.join(", ", Presets.names()) + ")");
            System.out.println("summary: error=unknown_preset");
            return 2;
        }
        if (!(seconds > 0 && seconds <= 600)) {
            System.err.println("highwater bench: --seconds must be in (0, 600]");
            System.out.println("summary: error=usage");
            return 2;
        }
        System.out.printf(Locale.ROOT, "highwater bench: preset %s, one Normal zone (pageblock order 9, 11 orders, 2 CPUs), "
            + "%.1f s warm-up + %.1f s per measurement, %d CPU(s), Java %s%n", p.name(), seconds / 2, seconds,
            Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        System.out.println("reference = ops/s of the reference over a timed run; optimized = the same operations on the optimized "
            + "allocator (median of fresh runs); identical = same pfns/results (checksum); opt.sustained = optimized over a "
            + "timed run");
        QuickBench bench = new QuickBench(System.out, p, seconds / 2, seconds);
        QuickBench.Result r = bench.run();
        System.out.printf(Locale.ROOT, "speedup at 262,144 pages = geometric mean of the ratios of all workloads measured there "
            + "(%.1fx); order-0 figure = optimized alloc+free pairs/s at 262,144 pages (single thread; each pair is one "
            + "allocation and one free)%n", r.speedup262144());
        System.out.println(QuickBench.summary(r));
        boolean identical = r.rows().stream().allMatch(row -> row.identical() == null || row.identical());
        if (!identical) {
            System.err.println("highwater bench: the reference and the optimized allocator handed out different pages");
            return 1;
        }
        return 0;
    }
}
