package dev.highwater.properties.perf;

import dev.highwater.model.PageAllocator;
import dev.highwater.model.fast.FastAllocator;
import dev.highwater.model.mm.MemorySystem;
import dev.highwater.model.policy.KernelPolicy;
import dev.highwater.model.trace.Op;
import dev.highwater.model.trace.Trace;
import dev.highwater.properties.run.AllocatorKind;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The short benchmark behind {@code highwater bench --quick}: plain timed loops (not JMH) over the {@link Workloads},
 * the reference and the optimized allocator side by side, in one JVM.
 *
 * <p>Method, per workload and zone size: every measurement starts from a fresh instance whose setup (boot, fill,
 * fragmentation) is not timed, after a warm-up run on another fresh instance. The reference runs for a fixed time and
 * does N operations; the optimized allocator then does the <em>same</em> N operations from a fresh instance (repeated,
 * median time), so the ratio compares identical work, and a checksum of the pfns handed out (of the step results for
 * the replay) must be equal. A second figure, "sustained", is the optimized allocator's throughput over a longer run.
 * Where the reference would not finish in reasonable time (16,777,216 pages, except the order-0 loop) only the
 * optimized allocator runs.
 */
public final class QuickBench {

    /** One table row. Rates are operations per second; NaN where not measured. */
    public record Row(String workload, String unit, long pages, double reference, double optimized, double sustained,
                      long ops, Boolean identical) {
        public double ratio() {
            return optimized / reference;
        }
    }

    /** Everything measured. */
    public record Result(List<Row> rows, double bytesPerPage, double structuralBytesPerPage, long build16MMs,
                         long coldBuild16MMs, double speedup262144, double order0PairsPerSecond) {
    }

    /** A workload instance: {@code run(n)} does n operations (or as many as remain) and returns how many it did. */
    interface Driver {
        long run(long n);

        long checksum();

        static Driver of(java.util.function.LongUnaryOperator run, java.util.function.LongSupplier checksum) {
            return new Driver() {
                @Override
                public long run(long n) {
                    return run.applyAsLong(n);
                }

                @Override
                public long checksum() {
                    return checksum.getAsLong();
                }
            };
        }
    }

    private final PrintStream out;
    private final KernelPolicy policy;
    /** Seconds per phase: warm-up, reference measurement, optimized sustained measurement. */
    private final double warmup;
    private final double measure;

    public QuickBench(PrintStream out, KernelPolicy policy, double warmupSeconds, double measureSeconds) {
        this.out = out;
        this.policy = policy;
        this.warmup = warmupSeconds;
        this.measure = measureSeconds;
    }

    public static final long[] SIZES = {4_096, 262_144, 16_777_216};
    public static final long BIG = 16_777_216;

    public Result run() {
        List<Row> rows = new ArrayList<>();
        // build time and footprint of the big zone first, on a clean heap
        long t0 = System.nanoTime();
        FastAllocator first = build();
        long coldMs = (System.nanoTime() - t0) / 1_000_000;
        if (first.nrFreePages(0) != BIG) {
            throw new IllegalStateException("the zone did not boot with every page free");
        }
        long buildMs = buildTime();
        double[] bpp = footprint();
        out.printf(Locale.ROOT, "optimized allocator, 16,777,216-page zone: build %d ms (median of 5; the first build in "
            + "this JVM, cold, %d ms), %.2f bytes per page frame measured on the heap (%.3f structural)%n", buildMs,
            coldMs, bpp[0], bpp[1]);
        out.println(header());
        for (long pages : SIZES) {
            rows.add(measure("order0", "alloc+free pairs/s", pages, true, k -> order0(k, pages), 64 * Workloads.Order0.BATCH));
            rows.add(measure("mix", "ops/s", pages, pages < BIG, k -> mix(k, pages), 1000));
            rows.add(measure("frag", "ops/s", pages, pages < BIG, k -> frag(k, pages), 200));
            if (pages < BIG) {
                rows.add(measure("replay", "steps/s", pages, true, k -> replay(k, pages), 1));
            }
        }
        double logSum = 0;
        int n = 0;
        double order0 = Double.NaN;
        for (Row r : rows) {
            if (r.pages() == 262_144 && !Double.isNaN(r.reference())) {
                logSum += Math.log(r.ratio());
                n++;
            }
            if (r.pages() == 262_144 && r.workload().equals("order0")) {
                order0 = r.sustained();
            }
        }
        return new Result(List.copyOf(rows), bpp[0], bpp[1], buildMs, coldMs, Math.exp(logSum / n), order0);
    }

    // ---- drivers ------------------------------------------------------------------------------------------------

    private Driver order0(AllocatorKind k, long pages) {
        Workloads.Order0 w = new Workloads.Order0(Workloads.allocator(k, policy, pages));
        return Driver.of(pairs -> w.run((int) Math.max(1, pairs / Workloads.Order0.BATCH)), w::checksum);
    }

    private Driver mix(AllocatorKind k, long pages) {
        Workloads.Mix w = new Workloads.Mix(Workloads.allocator(k, policy, pages), 42);
        w.fill();
        return Driver.of(w::run, w::checksum);
    }

    private Driver frag(AllocatorKind k, long pages) {
        Workloads.Frag w = new Workloads.Frag(Workloads.allocator(k, policy, pages), 42);
        return Driver.of(w::run, w::checksum);
    }

    private Driver replay(AllocatorKind k, long pages) {
        Trace t = Workloads.replayTrace(policy, pages, 400, 7);
        MemorySystem ms = Workloads.boot(k, t, policy);
        List<Op> ops = t.ops();
        return new Driver() {
            int next;
            long sum;

            @Override
            public long run(long n) {
                long done = 0;
                while (done < n && next < ops.size()) {
                    sum = sum * 31 + ms.apply(ops.get(next++)).hashCode();
                    done++;
                }
                return done;
            }

            @Override
            public long checksum() {
                return sum;
            }
        };
    }

    // ---- measurement --------------------------------------------------------------------------------------------

    interface Factory {
        Driver create(AllocatorKind k);
    }

    /** Runs chunks until the time is up (or the driver is exhausted); returns {ops, nanos}. */
    private static long[] timed(Driver d, long chunk, double seconds) {
        long ops = 0;
        long t0 = System.nanoTime();
        long deadline = t0 + (long) (seconds * 1e9);
        long now = t0;
        while (now < deadline) {
            long done = d.run(chunk);
            ops += done;
            now = System.nanoTime();
            if (done < chunk) {
                break;
            }
        }
        return new long[] {ops, now - t0};
    }

    /** Runs exactly {@code ops} operations in chunks of {@code chunk}; returns nanos. */
    private static long exactly(Driver d, long chunk, long ops) {
        long t0 = System.nanoTime();
        long done = 0;
        while (done < ops) {
            long n = d.run(Math.min(chunk, ops - done));
            if (n == 0) {
                break;
            }
            done += n;
        }
        return System.nanoTime() - t0;
    }

    private Row measure(String workload, String unit, long pages, boolean withReference, Factory f, long chunk) {
        double ref = Double.NaN;
        double opt = Double.NaN;
        long refOps = 0;
        Boolean identical = null;
        // warm up the optimized allocator (and, below, the reference) on throw-away instances
        timed(f.create(AllocatorKind.FAST), chunk, warmup);
        if (withReference) {
            timed(f.create(AllocatorKind.REFERENCE), chunk, warmup);
            Driver r = f.create(AllocatorKind.REFERENCE);
            long[] m = timed(r, chunk, measure);
            refOps = m[0];
            ref = m[0] / (m[1] / 1e9);
            long refSum = r.checksum();
            r = null;
            // the same operations on the optimized allocator: median of up to 5 fresh runs within the time budget
            List<Long> times = new ArrayList<>();
            long budget = System.nanoTime() + (long) (measure * 1e9);
            boolean same = true;
            while (times.size() < 5 && (times.size() < 1 || System.nanoTime() < budget)) {
                Driver d = f.create(AllocatorKind.FAST);
                times.add(exactly(d, chunk, refOps));
                same &= d.checksum() == refSum;
            }
            long[] ts = times.stream().mapToLong(Long::longValue).sorted().toArray();
            opt = refOps / (ts[ts.length / 2] / 1e9);
            identical = same;
        }
        Driver d = f.create(AllocatorKind.FAST);
        long[] m = timed(d, chunk, measure);
        double sustained = m[0] / (m[1] / 1e9);
        Row row = new Row(workload, unit, pages, ref, opt, sustained, refOps, identical);
        out.println(format(row));
        return row;
    }

    // ---- build time and footprint -------------------------------------------------------------------------------

    private long buildTime() {
        long[] ms = new long[5];
        for (int i = 0; i < ms.length; i++) {
            gc();
            long t0 = System.nanoTime();
            PageAllocator a = build();
            ms[i] = (System.nanoTime() - t0) / 1_000_000;
            if (a.nrFreePages(0) <= 0) {
                throw new IllegalStateException("empty zone");
            }
        }
        Arrays.sort(ms);
        return ms[ms.length / 2];
    }

    private FastAllocator build() {
        return new FastAllocator(policy, Workloads.node(BIG), Workloads.tunables(policy));
    }

    /** {heap bytes per page frame, structural bytes per page frame} of a 16,777,216-page optimized allocator. */
    private double[] footprint() {
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        gc();
        long before = mem.getHeapMemoryUsage().getUsed();
        FastAllocator a = build();
        gc();
        long after = mem.getHeapMemoryUsage().getUsed();
        double structural = a.bytesPerPageFrame();
        double heap = (after - before) / (double) a.config().totalManagedPages();
        if (a.nrFreePages(0) <= 0) { // keep it reachable until after the measurement
            throw new IllegalStateException();
        }
        return new double[] {heap, structural};
    }

    private static void gc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
    }

    // ---- output -------------------------------------------------------------------------------------------------

    public static String header() {
        return String.format(Locale.ROOT, "%-8s %10s %14s %14s %10s %14s  %-9s %s", "workload", "pages", "reference",
            "optimized", "ratio", "opt.sustained", "identical", "unit");
    }

    public static String format(Row r) {
        return String.format(Locale.ROOT, "%-8s %,10d %14s %14s %10s %14s  %-9s %s", r.workload(), r.pages(),
            rate(r.reference()), rate(r.optimized()), Double.isNaN(r.reference()) ? "-" : String.format(Locale.ROOT,
                "%.1fx", r.ratio()), rate(r.sustained()), r.identical() == null ? "-" : r.identical() ? "yes" : "NO",
            r.unit());
    }

    private static String rate(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%,.0f", v);
    }

    /** The closing line of {@code highwater bench}. */
    public static String summary(Result r) {
        return String.format(Locale.ROOT, "summary: speedup_262144=%.1f ops_per_s_order0=%d bytes_per_page=%.2f build_16M_ms=%d",
            r.speedup262144(), Math.round(r.order0PairsPerSecond()), r.bytesPerPage(), r.build16MMs());
    }
}
