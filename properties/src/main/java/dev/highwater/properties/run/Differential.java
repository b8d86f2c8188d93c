package dev.highwater.properties.run;

import dev.highwater.model.MigrateType;
import dev.highwater.model.PageAllocator;
import dev.highwater.model.ZoneWatermarks;
import dev.highwater.model.mm.MemorySystem;
import dev.highwater.model.policy.KernelPolicy;
import dev.highwater.model.trace.Op;
import dev.highwater.model.trace.Trace;
import dev.highwater.model.trace.TracePrinter;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Differential testing of two allocator implementations (by default the reference against the optimized one): the
 * same trace under the same preset, each with its own memory system on top, must give the same result at every step
 * and the same observable state after every step. Used by the differential property, the corpus replay and fuzz
 * targets.
 *
 * <p>The state compared after boot and after every step, per zone: start pfn; every free block (pfn, order, list
 * type) in list order; NR_FREE_PAGES; {@code nr_free} per order; {@code nr_reserved_highatomic}; free highatomic
 * pages; pages on per-CPU lists and every per-CPU block (cpu, pfn, order, list, cached type) in list order; the type
 * of every pageblock; the watermarks with boost, {@code lowmem_reserve} and {@code watermark_boost}. Node-wide:
 * min_free_kbytes, the tunables, the memory system's counters, its events of the step and its last allocation attempt.
 * The first difference is reported with its step and field.
 */
public final class Differential {
    private Differential() {
    }

    /**
     * The first difference between the two runs.
     *
     * @param step     1-based step after which the states differ (0: right after boot)
     * @param op       the op of that step (empty for boot)
     * @param field    which observable differed, e.g. {@code zone 0 freeBlocks[12]} or {@code result}
     * @param expected the value on the first (reference) implementation
     * @param actual   the value on the second (optimized) implementation
     */
    public record Mismatch(int step, Optional<Op> op, String field, String expected, String actual) {
        @Override
        public String toString() {
            String where = step == 0 ? "after boot" : "step " + step + " (" + op.map(TracePrinter::opText).orElse("?") + ")";
            return where + ": " + field + ": expected " + expected + ", got " + actual;
        }
    }

    /**
     * The outcome of one differential run.
     *
     * @param preset   preset name
     * @param steps    steps executed on both (the run stops at the first mismatch, or after a step where both threw)
     * @param mismatch the first difference, if any
     * @param stoppedBy the exception text both implementations threw at the last step, if they did
     */
    public record Report(String preset, int steps, Optional<Mismatch> mismatch, Optional<String> stoppedBy) {
        public boolean agrees() {
            return mismatch.isEmpty();
        }
    }

    /** Reference against the optimized implementation. */
    public static Report run(Trace trace, KernelPolicy policy) {
        return run(trace, policy, AllocatorKind.REFERENCE, AllocatorKind.FAST);
    }

    /** Runs {@code trace} under {@code policy} on both kinds with their own memory systems, comparing every step. */
    public static Report run(Trace trace, KernelPolicy policy, AllocatorKind expectedKind, AllocatorKind actualKind) {
        MemorySystem a;
        MemorySystem b;
        String bootA = null;
        String bootB = null;
        TraceRunner ra = new TraceRunner(List.of(), expectedKind);
        TraceRunner rb = new TraceRunner(List.of(), actualKind);
        try {
            a = ra.boot(trace, policy);
        } catch (RuntimeException e) {
            a = null;
            bootA = thrown(e);
        }
        try {
            b = rb.boot(trace, policy);
        } catch (RuntimeException e) {
            b = null;
            bootB = thrown(e);
        }
        if (a == null || b == null) {
            if (Objects.equals(bootA, bootB)) {
                return new Report(policy.name(), 0, Optional.empty(), Optional.of(bootA));
            }
            return new Report(policy.name(), 0, Optional.of(new Mismatch(0, Optional.empty(), "boot",
                bootA == null ? "booted" : bootA, bootB == null ? "booted" : bootB)), Optional.empty());
        }
        Optional<Mismatch> m = compare(0, null, a, b);
        if (m.isPresent()) {
            return new Report(policy.name(), 0, m, Optional.empty());
        }
        List<Op> ops = trace.ops();
        for (int i = 0; i < ops.size(); i++) {
            Op op = ops.get(i);
            int step = i + 1;
            String resA = apply(a, op);
            String resB = apply(b, op);
            if (!resA.equals(resB)) {
                return new Report(policy.name(), step, Optional.of(new Mismatch(step, Optional.of(op), "result", resA, resB)),
                    Optional.empty());
            }
            if (resA.startsWith("threw ")) {
                return new Report(policy.name(), step, Optional.empty(), Optional.of(resA));
            }
            m = compare(step, op, a, b);
            if (m.isPresent()) {
                return new Report(policy.name(), step, m, Optional.empty());
            }
        }
        return new Report(policy.name(), ops.size(), Optional.empty(), Optional.empty());
    }

    private static String apply(MemorySystem ms, Op op) {
        try {
            return ms.apply(op);
        } catch (RuntimeException e) {
            return thrown(e);
        }
    }

    private static String thrown(RuntimeException e) {
        return "threw " + e.getClass().getName() + ": " + e.getMessage();
    }

    /** Compares the memory systems (step result aside) after a step; {@code op} is null for boot. */
    public static Optional<Mismatch> compare(int step, Op op, MemorySystem a, MemorySystem b) {
        Optional<Op> o = Optional.ofNullable(op);
        Optional<String[]> d = diffAllocators(a.allocator(), b.allocator());
        if (d.isEmpty()) {
            d = diff("memory-system counters", a.counters(), b.counters());
        }
        if (d.isEmpty()) {
            d = diffList("events", a.events(), b.events());
        }
        if (d.isEmpty()) {
            d = diff("last allocation attempt", a.lastAttempt(), b.lastAttempt());
        }
        return d.map(x -> new Mismatch(step, o, x[0], x[1], x[2]));
    }

    /** The first difference in observable allocator state, as {@code {field, expected, actual}}. */
    public static Optional<String[]> diffAllocators(PageAllocator a, PageAllocator b) {
        Optional<String[]> d = diff("min_free_kbytes", a.minFreeKbytes(), b.minFreeKbytes());
        if (d.isPresent()) {
            return d;
        }
        d = diff("tunables", a.tunables(), b.tunables());
        if (d.isPresent()) {
            return d;
        }
        int nz = a.zones().size();
        d = diff("zone count", nz, b.zones().size());
        if (d.isPresent()) {
            return d;
        }
        for (int z = 0; z < nz; z++) {
            d = diffZone(a, b, z);
            if (d.isPresent()) {
                return d;
            }
        }
        return Optional.empty();
    }

    private static Optional<String[]> diffZone(PageAllocator a, PageAllocator b, int z) {
        String zn = "zone " + z + " ";
        Optional<String[]> d = diff(zn + "start pfn", a.zoneStartPfn(z), b.zoneStartPfn(z));
        if (d.isEmpty()) {
            d = diff(zn + "NR_FREE_PAGES", a.nrFreePages(z), b.nrFreePages(z));
        }
        if (d.isEmpty()) {
            d = diff(zn + "nr_reserved_highatomic", a.nrReservedHighatomic(z), b.nrReservedHighatomic(z));
        }
        if (d.isEmpty()) {
            d = diff(zn + "nr_free_highatomic", a.nrFreeHighatomic(z), b.nrFreeHighatomic(z));
        }
        if (d.isEmpty()) {
            d = diff(zn + "pcp pages", a.pcpPages(z), b.pcpPages(z));
        }
        if (d.isEmpty()) {
            d = diff(zn + "watermark_boost", a.watermarkBoost(z), b.watermarkBoost(z));
        }
        if (d.isEmpty()) {
            ZoneWatermarks wa = a.watermarks(z);
            ZoneWatermarks wb = b.watermarks(z);
            d = diff(zn + "watermarks", wa, wb);
        }
        int orders = a.config().maxOrder();
        for (int o = 0; o < orders && d.isEmpty(); o++) {
            d = diff(zn + "nr_free[" + o + "]", a.nrFreeBlocks(z, o), b.nrFreeBlocks(z, o));
        }
        if (d.isEmpty() && !sameFreeBlocks(a, b, z)) {
            d = diffList(zn + "freeBlocks", a.freeBlocks(z), b.freeBlocks(z));
        }
        if (d.isEmpty()) {
            d = diffList(zn + "pcpBlocks", a.pcpBlocks(z), b.pcpBlocks(z));
        }
        if (d.isEmpty()) {
            long start = a.zoneStartPfn(z);
            long end = start + a.zones().get(z).managedPages();
            int pb = a.config().pageblockPages();
            for (long pfn = start; pfn < end && d.isEmpty(); pfn += pb) {
                MigrateType ta = a.pageblockType(pfn);
                MigrateType tb = b.pageblockType(pfn);
                d = diff(zn + "pageblock type at pfn " + pfn, ta, tb);
            }
        }
        return d;
    }

    /**
     * The free blocks of a zone in list order, one long each (pfn, order, list type), gathered by the allocator's
     * visitor without a record per block: the check after every step of a differential run or search compares these,
     * and only a difference builds the block lists that name it.
     */
    private static final class Packed implements PageAllocator.BlockVisitor {
        long[] blocks = new long[64];
        int n;

        @Override
        public void block(long pfn, int order, MigrateType list) {
            if (n == blocks.length) {
                blocks = java.util.Arrays.copyOf(blocks, 2 * n);
            }
            // pfn below 2^47, order and type below 2^8: one value per block, distinct blocks distinct values
            blocks[n++] = pfn << 16 | (long) order << 8 | list.ordinal();
        }

        Packed of(PageAllocator a, int z) {
            n = 0;
            a.forEachFreeBlock(z, this);
            return this;
        }
    }

    /** Each thread's two buffers, reused by every comparison. */
    private static final ThreadLocal<Packed[]> PACKED = ThreadLocal.withInitial(() -> new Packed[] {new Packed(),
        new Packed()});

    /** Whether the two zones' free lists hold the same blocks in the same order. */
    private static boolean sameFreeBlocks(PageAllocator a, PageAllocator b, int z) {
        Packed[] p = PACKED.get();
        Packed pa = p[0].of(a, z);
        Packed pb = p[1].of(b, z);
        return java.util.Arrays.equals(pa.blocks, 0, pa.n, pb.blocks, 0, pb.n);
    }

    private static Optional<String[]> diff(String field, Object a, Object b) {
        if (Objects.equals(a, b)) {
            return Optional.empty();
        }
        return Optional.of(new String[] {field, String.valueOf(a), String.valueOf(b)});
    }

    private static Optional<String[]> diffList(String field, List<?> a, List<?> b) {
        int n = Math.min(a.size(), b.size());
        for (int i = 0; i < n; i++) {
            if (!Objects.equals(a.get(i), b.get(i))) {
                return Optional.of(new String[] {field + "[" + i + "]", String.valueOf(a.get(i)), String.valueOf(b.get(i))});
            }
        }
        if (a.size() != b.size()) {
            return Optional.of(new String[] {field + " size", a.size() + (a.size() > n ? " (next " + a.get(n) + ")" : ""),
                b.size() + (b.size() > n ? " (next " + b.get(n) + ")" : "")});
        }
        return Optional.empty();
    }
}
