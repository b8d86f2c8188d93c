package dev.highwater.stress;

import dev.highwater.model.MigrateType;
import dev.highwater.model.PageAllocator.FreeBlock;
import dev.highwater.model.PageAllocator.PcpBlock;
import dev.highwater.model.fast.FastAllocator;
import java.util.List;

/**
 * The arbiter's recompute-and-compare, run once every actor is done: walks the free lists and the per-CPU lists and
 * the blocks held by the setup and the actors, and compares them with each other and with the lock-free counters.
 * The codes are the FORBIDDEN rows every test shares.
 */
public final class Integrity {
    /** Every page accounted for exactly once, every counter equal to its recount. */
    public static final int OK = 0;
    /** A page handed to two owners (two holders, or a holder and a free or per-CPU list, or two lists). */
    public static final int DOUBLE_HANDOUT = 1;
    /** NR_FREE_PAGES, nr_free, the free highatomic count or the per-CPU count disagrees with the lists. */
    public static final int COUNTERS = 2;
    /** free + per-CPU + held is not the zone's managed pages: a page was lost. */
    public static final int LOST = 3;

    private Integrity() {
    }

    /**
     * @param z      the zone (its {@link StressZone#held} blocks count as allocated)
     * @param actors blocks the actors hold: {pfn, order}, pfn -1 for a failed allocation
     */
    public static int check(StressZone z, long... actors) {
        FastAllocator a = z.a;
        long start = a.zoneStartPfn(0);
        int n = (int) z.managed;
        byte[] seen = new byte[n];
        long free = 0;
        long freeHighatomic = 0;
        long[] nrFree = new long[a.config().maxOrder()];
        for (FreeBlock b : a.freeBlocks(0)) {
            if (mark(seen, b.pfn() - start, b.order())) {
                return DOUBLE_HANDOUT;
            }
            free += 1L << b.order();
            nrFree[b.order()]++;
            if (b.list() == MigrateType.HIGHATOMIC) {
                freeHighatomic += 1L << b.order();
            }
        }
        long pcp = 0;
        List<PcpBlock> pcpBlocks = a.pcpBlocks(0);
        for (PcpBlock b : pcpBlocks) {
            if (mark(seen, b.pfn() - start, b.order())) {
                return DOUBLE_HANDOUT;
            }
            pcp += 1L << b.order();
        }
        long heldPages = 0;
        for (long[] b : z.held) {
            if (mark(seen, b[0] - start, (int) b[1])) {
                return DOUBLE_HANDOUT;
            }
            heldPages += 1L << b[1];
        }
        for (int i = 0; i + 1 < actors.length; i += 2) {
            if (actors[i] < 0) {
                continue;
            }
            if (mark(seen, actors[i] - start, (int) actors[i + 1])) {
                return DOUBLE_HANDOUT;
            }
            heldPages += 1L << actors[i + 1];
        }
        if (a.nrFreePages(0) != free || a.pcpPages(0) != pcp || a.nrFreeHighatomic(0) != freeHighatomic) {
            return COUNTERS;
        }
        for (int o = 0; o < nrFree.length; o++) {
            if (a.nrFreeBlocks(0, o) != nrFree[o]) {
                return COUNTERS;
            }
        }
        if (free + pcp + heldPages != z.managed) {
            return LOST;
        }
        return OK;
    }

    private static boolean mark(byte[] seen, long first, int order) {
        for (long p = first; p < first + (1L << order); p++) {
            if (p < 0 || p >= seen.length || seen[(int) p] != 0) {
                return true;
            }
            seen[(int) p] = 1;
        }
        return false;
    }
}
