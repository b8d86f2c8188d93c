package dev.highwater.model;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * The boot-time watermarks and {@code lowmem_reserve[]} of one node (kernel-semantics §1.2–§1.6, version table
 * §1.8), plus the highatomic cap formulas of §6.2. All arithmetic is exact integer arithmetic on pages (4 KiB).
 *
 * <p><b>Which page count.</b> The kernel computes all of this in a boot initcall, from the managed pages of that
 * moment (§1.2 item 6); pages freed later in boot raise {@code managed} but not the watermarks. So every formula
 * here uses {@link ZoneSpec#bootManagedPages()} — or {@link ZoneSpec#presentPages()} when
 * {@link WatermarkRules#sizeFromPresent()} (2.6.32). {@code lowmem_reserve} uses the same boot count: it is
 * computed by the same initcall, and only a ratio sysctl write or memory hotplug recomputes it before 6.18. (In
 * 6.18/6.19 {@code adjust_managed_page_count} also recomputes it from the current managed pages; a caller that
 * wants that behaviour passes {@code bootManagedPages == managedPages}.)
 *
 * <p><b>Positions.</b> {@code zones} are the configured zones of the node in {@link ZoneType} order (including
 * configured but empty zones, which have a {@code lowmem_reserve} slot in the kernel too); position i of every
 * list here is the i-th zone passed in.
 *
 * @param minFreeKbytes the {@code vm.min_free_kbytes} the watermarks were computed from
 * @param zones         one entry per zone passed to {@link #compute}, same order
 */
public record Watermarks(int minFreeKbytes, List<ZoneWatermarks> zones) {
    /** Lower bound of the default {@code min_free_kbytes} (§1.2 item 3). */
    public static final int MIN_FREE_KBYTES_FLOOR = 128;
    /** SWAP_CLUSTER_MAX: the lower clamp of a HighMem (6.6+: Movable) zone's min (§1.3). */
    public static final long HIGHMEM_MIN_FLOOR = 32;
    /** Upper clamp of a HighMem (6.6+: Movable) zone's min (§1.3). */
    public static final long HIGHMEM_MIN_CAP = 128;
    /** kB per page: PAGE_SIZE >> 10 with 4 KiB pages. */
    public static final int KB_PER_PAGE = 4;
    /** Denominator of {@code vm.watermark_scale_factor} (§1.4). */
    private static final long WSF_DENOMINATOR = 10_000;

    public Watermarks {
        zones = List.copyOf(zones);
        if (minFreeKbytes < 0) {
            throw new IllegalArgumentException("min_free_kbytes must be >= 0, got " + minFreeKbytes);
        }
    }

    /** The watermarks of the zone at {@code position} of the node's zone list. */
    public ZoneWatermarks zone(int position) {
        return zones.get(position);
    }

    /**
     * The boot default of {@code min_free_kbytes} (§1.2): {@code clamp(isqrt(lowmem_kbytes * 16), 128, cap)} where
     * {@code lowmem_kbytes} = 4 × the pages of the zones usable by GFP_USER (everything up to Normal: HighMem and
     * Movable never count, whatever the version), at boot, when the high watermarks are still 0.
     */
    public static int defaultMinFreeKbytes(WatermarkRules rules, List<ZoneSpec> zones) {
        checkOrder(zones);
        long lowmemPages = 0;
        for (ZoneSpec z : zones) {
            if (z.type().ordinal() <= ZoneType.NORMAL.ordinal()) {
                lowmemPages = Math.addExact(lowmemPages, sizeAtBoot(rules, z));
            }
        }
        long lowmemKbytes = Math.multiplyExact(lowmemPages, (long) KB_PER_PAGE);
        long candidate = isqrt(Math.multiplyExact(lowmemKbytes, 16L));
        return (int) Math.max(MIN_FREE_KBYTES_FLOOR, Math.min(candidate, rules.minFreeKbytesCap()));
    }

    /** Pageblocks per zone that khugepaged wants free: 2, plus MIGRATE_PCPTYPES² for fallback stealing (§1.2a). */
    static final int KHUGEPAGED_PAGEBLOCKS_PER_ZONE = 2 + 3 * 3;

    /** THP is switched off at boot on machines with less than 512 MB of RAM (§1.2a); pages of 4 KiB. */
    static final long THP_MIN_RAM_PAGES = 512L * 1024 / KB_PER_PAGE;

    /**
     * Whether transparent hugepages start enabled (so khugepaged runs): RAM (the boot-time managed pages of every
     * zone) of at least 512 MB (§1.2a).
     */
    public static boolean thpOnAtBoot(List<ZoneSpec> zones) {
        long pages = 0;
        for (ZoneSpec z : zones) {
            pages += z.bootManagedPages();
        }
        return pages >= THP_MIN_RAM_PAGES;
    }

    /**
     * khugepaged's {@code min_free_kbytes} (§1.2a): per counted populated zone 11 pageblocks, capped at 5 % of the
     * lowmem pages above the high watermark (the watermarks of {@code currentKbytes}); it replaces the current value
     * only when larger. Returns the resulting value.
     */
    public static int khugepagedMinFreeKbytes(WatermarkRules rules, List<ZoneSpec> zones, int pageblockOrder,
                                              int currentKbytes) {
        checkOrder(zones);
        long pageblock = 1L << pageblockOrder;
        long recommended = 0;
        for (ZoneSpec z : zones) {
            boolean counted = !rules.khugepagedLowmemZonesOnly() || z.type().ordinal() <= ZoneType.NORMAL.ordinal();
            if (counted && sizeAtBoot(rules, z) > 0) {
                recommended += KHUGEPAGED_PAGEBLOCKS_PER_ZONE * pageblock;
            }
        }
        Watermarks now = compute(rules, zones, new Tunables(currentKbytes, 10,
            Tunables.defaultRatios(rules.highmemRatioZero()), 0, 0));
        long bufferPages = 0; // nr_free_buffer_pages(): Σ max(0, managed − high) over zones up to Normal (§1.2)
        for (int i = 0; i < zones.size(); i++) {
            ZoneSpec z = zones.get(i);
            if (z.type().ordinal() <= ZoneType.NORMAL.ordinal()) {
                bufferPages += Math.max(0, sizeAtBoot(rules, z) - now.zone(i).high());
            }
        }
        recommended = Math.min(recommended, bufferPages / 20);
        long kbytes = recommended * KB_PER_PAGE;
        return (int) Math.max(currentKbytes, kbytes);
    }

    /**
     * The {@code min_free_kbytes} a freshly booted kernel shows: the {@link #defaultMinFreeKbytes isqrt value}, raised
     * by khugepaged when transparent hugepages are on (§1.2, §1.2a).
     */
    public static int bootMinFreeKbytes(WatermarkRules rules, List<ZoneSpec> zones, int pageblockOrder, boolean thp) {
        int base = defaultMinFreeKbytes(rules, zones);
        return thp ? khugepagedMinFreeKbytes(rules, zones, pageblockOrder, base) : base;
    }

    /**
     * Computes min/low/high (§1.3, §1.4) and {@code lowmem_reserve[]} (§1.6) for the node.
     * {@code min_free_kbytes} is {@link Tunables#minFreeKbytes()} when that is ≥ 0 (written via sysctl), else
     * {@link #defaultMinFreeKbytes}.
     *
     * <p>If the node has no lowmem pages at all ({@code L = 0}, a division by zero in the kernel) every zone's
     * {@code tmp} is taken as 0.
     */
    public static Watermarks compute(WatermarkRules rules, List<ZoneSpec> zones, Tunables t) {
        checkOrder(zones);
        int minFreeKbytes = t.minFreeKbytes() >= 0 ? t.minFreeKbytes() : defaultMinFreeKbytes(rules, zones);
        if (t.watermarkScaleFactor() < 0) {
            throw new IllegalArgumentException("watermark_scale_factor must be >= 0, got " + t.watermarkScaleFactor());
        }
        boolean movableIsHighmem = rules.movableMinCappedLikeHighmem();
        long pagesMin = minFreeKbytes / KB_PER_PAGE;
        long lowmemPages = 0;
        for (ZoneSpec z : zones) {
            if (!z.type().isHighmemLike(movableIsHighmem)) {
                lowmemPages = Math.addExact(lowmemPages, sizeAtBoot(rules, z));
            }
        }
        List<List<Long>> reserves = lowmemReserve(rules, zones, t);
        List<ZoneWatermarks> out = new ArrayList<>(zones.size());
        for (int i = 0; i < zones.size(); i++) {
            ZoneSpec z = zones.get(i);
            long size = sizeAtBoot(rules, z);
            long tmp = lowmemPages == 0 ? 0 : mulDiv(pagesMin, size, lowmemPages);
            long min;
            if (z.type().isHighmemLike(movableIsHighmem)) {
                min = Math.max(HIGHMEM_MIN_FLOOR, Math.min(size / 1024, HIGHMEM_MIN_CAP));
            } else {
                min = tmp;
            }
            long low;
            long high;
            if (rules.lowHighFromScaleFactor()) {
                long d = Math.max(tmp / 4, mulDiv(size, t.watermarkScaleFactor(), WSF_DENOMINATOR));
                low = min + d;
                high = low + d;
            } else {
                low = min + tmp / 4;
                high = min + tmp / 2;
            }
            out.add(new ZoneWatermarks(min, low, high, reserves.get(i)));
        }
        return new Watermarks(minFreeKbytes, out);
    }

    /**
     * {@code lowmem_reserve[]} of every zone (§1.6): {@code R(i, j) = floor(Σ size(i+1..j) / ratio[i])} for
     * positions {@code j > i}; 0 for {@code j ≤ i}. Ratio handling by version: before 4.19 a ratio below 1 is used
     * as 1; from 4.19 it means no reserve; from 6.1 a lower zone with no pages gets no reserve either.
     */
    private static List<List<Long>> lowmemReserve(WatermarkRules rules, List<ZoneSpec> zones, Tunables t) {
        int n = zones.size();
        List<List<Long>> result = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ZoneSpec lower = zones.get(i);
            long ratio = t.lowmemReserveRatio().get(lower.type().ordinal());
            boolean noReserve = false;
            if (ratio < 1) {
                if (rules.ratioBelowOneMeansNoReserve()) {
                    noReserve = true;
                } else {
                    ratio = 1;
                }
            }
            if (rules.skipEmptyLowerZone() && sizeAtBoot(rules, lower) == 0) {
                noReserve = true;
            }
            List<Long> row = new ArrayList<>(n);
            long upperPages = 0;
            for (int j = 0; j < n; j++) {
                if (j <= i) {
                    row.add(0L);
                    continue;
                }
                upperPages = Math.addExact(upperPages, sizeAtBoot(rules, zones.get(j)));
                row.add(noReserve ? 0L : upperPages / ratio);
            }
            result.add(row);
        }
        return result;
    }

    /**
     * §6.2, 4.4–6.7: the highatomic reserve is grown while {@code HA < floor(managed/100) + pageblock_nr_pages}.
     */
    public static long highatomicCapOnePercentPlusBlock(long managed, int pageblockPages) {
        checkCapArgs(managed, pageblockPages);
        return managed / 100 + pageblockPages;
    }

    /**
     * §6.2, 6.8+: 0 (never reserve) if {@code floor(managed/100) < pageblock_nr_pages}, else
     * {@code roundup(floor(managed/100), pageblock_nr_pages)}.
     */
    public static long highatomicCapRoundup(long managed, int pageblockPages) {
        checkCapArgs(managed, pageblockPages);
        long onePercent = managed / 100;
        if (onePercent < pageblockPages) {
            return 0;
        }
        return ceilDiv(onePercent, pageblockPages) * pageblockPages;
    }

    /**
     * §6.2: the reserve a cap lets the zone reach. Reservation adds a whole pageblock whenever the total is below
     * the cap, so the total ends at the smallest multiple of a pageblock that is ≥ {@code cap} (0 for cap 0).
     */
    public static long highatomicReachable(long cap, int pageblockPages) {
        checkCapArgs(cap, pageblockPages);
        return ceilDiv(cap, pageblockPages) * pageblockPages;
    }

    /** The page count the boot-time formulas use: present pages (2.6.32) or boot-managed pages (§1.1, §1.2 item 6). */
    static long sizeAtBoot(WatermarkRules rules, ZoneSpec z) {
        return rules.sizeFromPresent() ? z.presentPages() : z.bootManagedPages();
    }

    /** Exact integer square root: the largest r with r² ≤ n (the kernel's {@code int_sqrt}). */
    static long isqrt(long n) {
        if (n < 0) {
            throw new IllegalArgumentException("isqrt of negative " + n);
        }
        long r = (long) Math.sqrt((double) n);
        // Correct the floating-point estimate; compare by division so that nothing overflows.
        while (r > 0 && r > n / r) {
            r--;
        }
        while (r + 1 <= n / (r + 1)) {
            r++;
        }
        return r;
    }

    /** floor(a * b / c) for non-negative operands, exact even when a * b exceeds 64 bits. */
    private static long mulDiv(long a, long b, long c) {
        long hi = Math.multiplyHigh(a, b);
        long lo = a * b;
        if (hi == 0 && lo >= 0) {
            return lo / c;
        }
        return BigInteger.valueOf(a).multiply(BigInteger.valueOf(b)).divide(BigInteger.valueOf(c)).longValueExact();
    }

    private static long ceilDiv(long a, long b) {
        return a / b + (a % b == 0 ? 0 : 1);
    }

    private static void checkCapArgs(long pages, int pageblockPages) {
        if (pages < 0 || pageblockPages <= 0) {
            throw new IllegalArgumentException("need pages >= 0 and pageblock_nr_pages > 0, got " + pages + ", " + pageblockPages);
        }
    }

    private static void checkOrder(List<ZoneSpec> zones) {
        for (int i = 1; i < zones.size(); i++) {
            if (zones.get(i).type().ordinal() <= zones.get(i - 1).type().ordinal()) {
                throw new IllegalArgumentException("zones must be distinct and in ZoneType order (DMA, DMA32, Normal, HighMem, "
                    + "Movable), got " + zones.get(i - 1).type().kernelName() + " before " + zones.get(i).type().kernelName());
            }
        }
    }
}
