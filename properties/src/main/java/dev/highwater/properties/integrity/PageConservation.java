package dev.highwater.properties.integrity;

import dev.highwater.model.MigrateType;
import dev.highwater.model.PageAllocator;
import dev.highwater.model.mm.MemorySystem;
import dev.highwater.properties.BaseProperty;
import dev.highwater.properties.StepView;
import java.util.Optional;

/**
 * Every page of every zone is in exactly one place: a buddy free list, a per-CPU list, or an allocation the memory
 * system holds. Recomputed from scratch after every step and compared with the ledger (the "recompute and
 * compare" pattern): a page handed out twice, or lost, is a model bug.
 */
public final class PageConservation extends BaseProperty {
    public PageConservation() {
        super("page-conservation",
            "every page is exactly once free, on a per-CPU list, on an LRU list, or allocated",
            "kernel-semantics §4.1, §4.5 (pages are on one list or in use)", Family.INTEGRITY);
    }

    @Override
    public Optional<String> check(StepView v) {
        // the common case, every page exactly once, is confirmed with one bit per page and no text; only a failing
        // step takes the full pass below, which names the page and its two places
        return conserved(v) ? Optional.empty() : explain(v);
    }

    /**
     * Whether every page of every zone is in exactly one place (the same test as {@link #explain}, without text): one
     * bit per page, the allocator's free and per-CPU blocks marked zone by zone, then the memory system's ledger
     * (handle blocks, LRU pages). A block outside its zone or a page marked twice fails at once; a page never marked
     * shows as a zone whose mark count falls short of its pages.
     *
     * <p>The ledger is read a word at a time from the memory system's page map ({@link MemorySystem#ledgerPages}) when
     * it has one: the map holds the pages {@link MemorySystem#forEachHeldBlock} would show, and it is offered only when
     * each is held once and every handle block lies in its zone, so a clean quick pass means the walk would find the
     * same. Anything else (no map, or the quick pass not clean) takes the walk, which decides.
     */
    static boolean conserved(StepView v) {
        long[] held = v.system().ledgerPages();
        if (held != null && quick(v, held)) {
            return true;
        }
        return walked(v);
    }

    /**
     * Each thread's bit sets, by zone: a check runs after every step of every run, and a fresh set per zone and step
     * was the largest share of the bytes a fuzz run allocated. A set is handed out cleared, for one check at a time.
     */
    private static final ThreadLocal<Marks[]> SCRATCH = ThreadLocal.withInitial(() -> new Marks[0]);

    /**
     * The free and per-CPU blocks of zone z marked (a cleared bit set), or null if one lies outside or overlaps another
     * or (with {@code against}, a page map whose word w covers the zone's pages 64w.. 64w + 63) a page of the map.
     */
    private static Marks allocatorMarks(StepView v, int z, long[] against) {
        PageAllocator a = v.allocator();
        long start = a.zoneStartPfn(z);
        int pages = (int) a.zones().get(z).managedPages();
        Marks[] scratch = SCRATCH.get();
        if (scratch.length <= z) {
            scratch = java.util.Arrays.copyOf(scratch, z + 1);
            SCRATCH.set(scratch);
        }
        Marks m = scratch[z];
        if (m == null || m.start != start || m.pages != pages) {
            m = new Marks(start, pages);
            scratch[z] = m;
        } else {
            m.clear();
        }
        m.against = against;
        v.forEachFreeBlock(z, m);
        v.forEachPcpBlock(z, m);
        return m.failed ? null : m;
    }

    /**
     * The quick pass: the allocator's marks of each zone against the ledger's page map, a word at a time. A node of one
     * zone at pfn 0 whose map holds no page beyond it (the fuzz targets' machines) is checked block by block instead:
     * each free and per-CPU block against the map as it is marked, then the pages marked and the map's page count
     * ({@link MemorySystem#ledgerPageCount}) must add up to the zone — disjoint sets inside the zone that add up to
     * it are all of it.
     */
    private static boolean quick(StepView v, long[] held) {
        PageAllocator a = v.allocator();
        int nz = a.zones().size();
        if (nz == 1 && a.zoneStartPfn(0) == 0) {
            long pages = a.zones().get(0).managedPages();
            int rest = (int) (pages & 63);
            if (held.length == (int) ((pages + 63) >>> 6) && (rest == 0 || (held[held.length - 1] >>> rest) == 0)) {
                Marks m = allocatorMarks(v, 0, held);
                return m != null && m.marked + v.system().ledgerPageCount() == pages;
            }
        }
        for (int z = 0; z < nz; z++) {
            Marks m = allocatorMarks(v, z, null);
            if (m == null) {
                return false;
            }
            long covered = m.marked;
            long[] seen = m.seen;
            for (int w = 0; w < seen.length; w++) {
                long led = bits(held, m.start + ((long) w << 6));
                int rest = m.pages - (w << 6);
                if (rest < 64) {
                    led &= (1L << rest) - 1;
                }
                if ((led & seen[w]) != 0) {
                    return false;
                }
                covered += Long.bitCount(led);
            }
            if (covered != m.pages) {
                return false;
            }
        }
        return true;
    }

    /** The 64 bits of the page map from {@code pfn} on (bit 0 = pfn), zero beyond its end. */
    private static long bits(long[] map, long pfn) {
        int w = (int) (pfn >>> 6);
        int sh = (int) (pfn & 63);
        long lo = w < map.length ? map[w] : 0;
        if (sh == 0) {
            return lo;
        }
        long hi = w + 1 < map.length ? map[w + 1] : 0;
        return (lo >>> sh) | (hi << (64 - sh));
    }

    /** The walk: every ledger entry marked one at a time ({@link MemorySystem#forEachHeldBlock}). */
    private static boolean walked(StepView v) {
        PageAllocator a = v.allocator();
        int nz = a.zones().size();
        Marks[] marks = new Marks[nz];
        for (int z = 0; z < nz; z++) {
            Marks m = allocatorMarks(v, z, null);
            if (m == null) {
                return false;
            }
            marks[z] = m;
        }
        Ledger l = new Ledger(marks);
        v.system().forEachHeldBlock(l, l);
        for (Marks m : marks) {
            if (m.failed || m.marked != m.pages) {
                return false;
            }
        }
        return true;
    }

    /**
     * The ledger pass: a handle block is marked in its own zone (outside it, it fails); an LRU page in the zone that
     * spans it. A block or page of no zone is not counted, as {@link #explain} does not count it.
     */
    private static final class Ledger implements java.util.function.Consumer<MemorySystem.Allocation>,
        java.util.function.LongConsumer {
        final Marks[] marks;
        /** The only zone's marks, or null when there are several. */
        final Marks only;

        Ledger(Marks[] marks) {
            this.marks = marks;
            this.only = marks.length == 1 ? marks[0] : null;
        }

        @Override
        public void accept(MemorySystem.Allocation al) {
            int z = al.zone();
            if (z >= 0 && z < marks.length) { // a block of no zone is not counted, as in explain
                marks[z].mark(al.pfn(), al.order());
            }
        }

        @Override
        public void accept(long pfn) {
            if (only != null) {
                if (pfn >= only.start && pfn < only.end) {
                    only.markPage(pfn);
                }
                return;
            }
            for (Marks m : marks) {
                if (pfn >= m.start && pfn < m.end) {
                    m.markPage(pfn);
                    return;
                }
            }
        }
    }

    /** One bit per page of a zone; {@code failed} once a block lies outside the zone or a page is marked twice. */
    private static final class Marks implements PageAllocator.BlockVisitor {
        final long start;
        final long end;
        final int pages;
        final long[] seen;
        long marked;
        boolean failed;
        /** A page map to keep clear of (word w of it covers the zone's pages 64w..), or null. */
        long[] against;

        Marks(long start, int pages) {
            this.start = start;
            this.end = start + pages;
            this.pages = pages;
            this.seen = new long[(pages + 63) >>> 6];
        }

        void clear() {
            java.util.Arrays.fill(seen, 0L);
            marked = 0;
            failed = false;
        }

        /** One page known to lie in the zone. */
        void markPage(long pfn) {
            int i = (int) (pfn - start);
            long bit = 1L << i; // shifts use the low 6 bits: the bit within word i >>> 6
            int w = i >>> 6;
            long old = seen[w];
            if (((against == null ? old : old | against[w]) & bit) != 0) {
                failed = true;
                return;
            }
            seen[w] = old | bit;
            marked++;
        }

        @Override
        public void block(long pfn, int order, MigrateType list) {
            mark(pfn, order);
        }

        void mark(long pfn, int order) {
            long n = 1L << order;
            if (failed || pfn < start || pfn + n > end) {
                failed = true;
                return;
            }
            if (order == 0) {
                markPage(pfn);
                return;
            }
            int i = (int) (pfn - start);
            int to = (int) (i + n);
            if ((i & 63) == 0 && (to & 63) == 0) {
                // whole words (a block of order 6 or more lying on a word boundary of the zone)
                for (int w = i >>> 6; w < to >>> 6; w++) {
                    if (seen[w] != 0 || (against != null && against[w] != 0)) {
                        failed = true;
                        return;
                    }
                    seen[w] = -1L;
                }
                marked += n;
                return;
            }
            // a word at a time: a block of order 6 or more is whole words, a smaller one a mask within one word
            while (i < to) {
                int bit = i & 63;
                int len = Math.min(64 - bit, to - i);
                long mask = (len == 64 ? -1L : (1L << len) - 1) << bit;
                int w = i >>> 6;
                if (((against == null ? seen[w] : seen[w] | against[w]) & mask) != 0) {
                    failed = true;
                    return;
                }
                seen[w] |= mask;
                i += len;
            }
            marked += n;
        }
    }

    /** The full recompute, naming the first page that is lost, outside its zone or in two places. */
    static Optional<String> explain(StepView v) {
        PageAllocator a = v.allocator();
        for (int z = 0; z < a.zones().size(); z++) {
            long start = a.zoneStartPfn(z);
            long pages = a.zones().get(z).managedPages();
            String[] where = new String[(int) pages];
            for (PageAllocator.FreeBlock b : v.freeBlocks(z)) {
                Optional<String> e = mark(where, start, b.pfn(), b.order(), "free " + b.list() + " order-" + b.order());
                if (e.isPresent()) {
                    return e;
                }
            }
            for (PageAllocator.PcpBlock b : v.pcpBlocks(z)) {
                Optional<String> e = mark(where, start, b.pfn(), b.order(), "pcp of cpu " + b.cpu());
                if (e.isPresent()) {
                    return e;
                }
            }
            for (MemorySystem.Allocation al : v.system().allocations()) {
                if (al.zone() != z) {
                    continue;
                }
                Optional<String> e = mark(where, start, al.pfn(), al.order(), "allocated order-" + al.order());
                if (e.isPresent()) {
                    return e;
                }
            }
            for (long pfn : v.system().lruPages()) {
                if (pfn < start || pfn >= start + pages) {
                    continue;
                }
                Optional<String> e = mark(where, start, pfn, 0, "on an LRU list");
                if (e.isPresent()) {
                    return e;
                }
            }
            for (int i = 0; i < where.length; i++) {
                if (where[i] == null) {
                    return Optional.of(a.zones().get(z).type().kernelName() + ": pfn " + (start + i)
                        + " is neither free, on a per-CPU list, nor allocated (lost)");
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<String> mark(String[] where, long start, long pfn, int order, String what) {
        long n = 1L << order;
        if (pfn < start || pfn + n > start + where.length) {
            return Optional.of(what + " block at pfn " + pfn + " lies outside its zone");
        }
        for (long p = pfn; p < pfn + n; p++) {
            int i = (int) (p - start);
            if (where[i] != null) {
                return Optional.of("pfn " + p + " is both " + where[i] + " and " + what + " (handed out twice)");
            }
            where[i] = what;
        }
        return Optional.empty();
    }
}
