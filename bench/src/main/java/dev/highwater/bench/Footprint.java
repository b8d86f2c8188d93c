package dev.highwater.bench;

import dev.highwater.model.fast.FastAllocator;
import dev.highwater.properties.perf.Workloads;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * Memory per page frame of the optimized allocator: builds a zone (16,777,216 pages unless an argument says otherwise)
 * and prints the heap it took (after full GCs) and its structural size (the per-page-frame arrays), per page.
 * Run: {@code java -cp bench/target/benchmarks.jar dev.highwater.bench.Footprint [pages]}.
 */
public final class Footprint {
    private Footprint() {
    }

    public static void main(String[] args) {
        long pages = args.length > 0 ? Long.parseLong(args[0]) : 16_777_216;
        var mem = ManagementFactory.getMemoryMXBean();
        gc();
        long before = mem.getHeapMemoryUsage().getUsed();
        long t0 = System.nanoTime();
        FastAllocator a = new FastAllocator(Workloads.POLICY, Workloads.node(pages), Workloads.tunables(Workloads.POLICY));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        gc();
        long after = mem.getHeapMemoryUsage().getUsed();
        System.out.printf(Locale.ROOT, "pages=%d build_ms=%d heap_bytes=%d heap_bytes_per_page=%.3f structural_bytes_per_page=%.3f free=%d%n",
            pages, ms, after - before, (after - before) / (double) pages, a.bytesPerPageFrame(), a.nrFreePages(0));
    }

    private static void gc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
    }
}
