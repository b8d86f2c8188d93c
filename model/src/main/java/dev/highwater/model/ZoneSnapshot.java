package dev.highwater.model;

import java.util.List;

/**
 * A zone's observable state after a step: what replay prints and what reports chart.
 *
 * @param type            zone type
 * @param nrFreePages     NR_FREE_PAGES
 * @param min             min watermark (with boost)
 * @param low             low watermark (with boost)
 * @param high            high watermark (with boost)
 * @param boost           watermark_boost
 * @param nrReservedHighatomic nr_reserved_highatomic
 * @param nrFreeHighatomic free pages on HIGHATOMIC lists
 * @param pcpPages        pages on per-CPU lists
 * @param freeBlocks      free blocks per order (outer) and migratetype in enum order (inner)
 * @param lowmemReserve   lowmem_reserve[] of the zone
 */
public record ZoneSnapshot(ZoneType type, long nrFreePages, long min, long low, long high, long boost,
                           long nrReservedHighatomic, long nrFreeHighatomic, long pcpPages,
                           List<List<Long>> freeBlocks, List<Long> lowmemReserve) {

    public static ZoneSnapshot of(PageAllocator a, int zone) {
        int orders = a.config().maxOrder();
        long[][] counts = new long[orders][MigrateType.values().length];
        for (PageAllocator.FreeBlock b : a.freeBlocks(zone)) {
            counts[b.order()][b.list().ordinal()]++;
        }
        List<List<Long>> blocks = new java.util.ArrayList<>();
        for (long[] row : counts) {
            blocks.add(java.util.Arrays.stream(row).boxed().toList());
        }
        ZoneWatermarks w = a.watermarks(zone);
        return new ZoneSnapshot(a.zones().get(zone).type(), a.nrFreePages(zone), w.min(), w.low(), w.high(),
            a.watermarkBoost(zone), a.nrReservedHighatomic(zone), a.nrFreeHighatomic(zone), a.pcpPages(zone),
            blocks, w.lowmemReserve());
    }

    public static List<ZoneSnapshot> all(PageAllocator a) {
        List<ZoneSnapshot> out = new java.util.ArrayList<>();
        for (int z = 0; z < a.zones().size(); z++) {
            out.add(of(a, z));
        }
        return List.copyOf(out);
    }

    /** Free pages on the lists of one migratetype. */
    public long freePagesOfType(MigrateType t) {
        long n = 0;
        for (int o = 0; o < freeBlocks.size(); o++) {
            n += freeBlocks.get(o).get(t.ordinal()) << o;
        }
        return n;
    }

    /** The largest order with a free block of any type, or -1. */
    public int largestFreeOrder() {
        for (int o = freeBlocks.size() - 1; o >= 0; o--) {
            for (long c : freeBlocks.get(o)) {
                if (c > 0) {
                    return o;
                }
            }
        }
        return -1;
    }
}
