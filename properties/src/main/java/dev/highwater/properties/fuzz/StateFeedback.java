package dev.highwater.properties.fuzz;

import com.code_intelligence.jazzer.api.Jazzer;
import dev.highwater.model.MigrateType;
import dev.highwater.model.PageAllocator;
import dev.highwater.model.ZoneWatermarks;
import dev.highwater.model.mm.MemorySystem;
import dev.highwater.model.mm.MmEvent;
import dev.highwater.model.policy.HighatomicCreator;

/**
 * Guidance beyond branch coverage: after every step the zone's abstract state is handed to the fuzzer with
 * {@link Jazzer#exploreState(byte, int)}, so an input that reaches a new combination (free level against
 * min/low/high, share of free pages on HIGHATOMIC lists, largest free order, whether kswapd or the OOM killer ran)
 * counts as new coverage and is kept: the fuzzer is pulled toward low-memory states, where the policy bugs live.
 * Outside Jazzer {@code exploreState} is a no-op, so the same code serves the random baseline and the JUnit runs.
 *
 * <p>Jazzer keeps the low 7 bits of a state, so each hint packs its aspects into at most 128 values; each zone has
 * its own hint ids: two for the free level, and, for presets with a highatomic reserve, a third for the reserve's
 * bookkeeping (drift of nr_reserved_highatomic, HIGHATOMIC blocks cached on per-CPU lists), the precursors of the
 * accounting bugs.
 */
public final class StateFeedback {
    /** Hint id bases (arbitrary, distinct); zone z uses base + z. */
    private static final int ID_LEVEL_HIGHATOMIC = 0x4857_0100;
    private static final int ID_ORDER_KSWAPD = 0x4857_0200;
    private static final int ID_HIGHATOMIC_ACCOUNTING = 0x4857_0300;

    private boolean kswapdRan;
    private boolean oomRan;

    /** Free level: 0 at or below min/2 (the atomic floor region), 1 at or below min, 2 low, 3 high, 4 above high. */
    public static int level(long free, ZoneWatermarks w) {
        if (free <= w.min() / 2) {
            return 0;
        }
        if (free <= w.min()) {
            return 1;
        }
        if (free <= w.low()) {
            return 2;
        }
        return free <= w.high() ? 3 : 4;
    }

    /**
     * Share of free pages on HIGHATOMIC lists: 0 none (and nothing reserved), 1..4 quarters (1: under 25 %, 4: 75 %
     * or more), 5 none free but a reservation exists.
     */
    public static int highatomicShare(long free, long freeHighatomic, long reserved) {
        if (freeHighatomic <= 0 || free <= 0) {
            return reserved > 0 ? 5 : 0;
        }
        return (int) Math.min(4, 1 + (freeHighatomic * 4) / (free + 1));
    }

    /** Largest order with a free block, or -1. */
    public static int largestFreeOrder(PageAllocator a, int zone) {
        for (int o = a.config().maxOrder() - 1; o >= 0; o--) {
            if (a.nrFreeBlocks(zone, o) > 0) {
                return o;
            }
        }
        return -1;
    }

    /**
     * The highatomic bookkeeping, as one value below 128: how far nr_reserved_highatomic has drifted from the blocks
     * typed HIGHATOMIC (in pageblocks, clamped to -3..3: the drift that 4855e4a7f29d's double decrease and the
     * half-unreserved merged buddies of §6.6 produce), whether a per-CPU list caches a block as HIGHATOMIC (the
     * double decrease starts there), and how many blocks are reserved (0..4+).
     */
    public static int highatomicAccounting(long reservedPages, long highatomicBlocks, int pageblockPages,
                                           boolean pcpCachesHighatomic) {
        long drift = highatomicBlocks - reservedPages / Math.max(1, pageblockPages);
        int d = (int) Math.max(-3, Math.min(3, drift)) + 3;
        int blocks = (int) Math.min(4, highatomicBlocks);
        return d + 7 * (pcpCachesHighatomic ? 1 : 0) + 14 * blocks; // 7 x 2 x 5 = 70 values
    }

    /** Records the state after a step (call once per step). */
    public void afterStep(MemorySystem ms) {
        for (MmEvent e : ms.stepEvents()) {
            if (e instanceof MmEvent.KswapdRun) {
                kswapdRan = true;
            } else if (e instanceof MmEvent.OomKill || e instanceof MmEvent.OomPanic) {
                oomRan = true;
            }
        }
        PageAllocator a = ms.allocator();
        for (int z = 0; z < a.zones().size(); z++) {
            long free = a.nrFreePages(z);
            int level = level(free, a.watermarks(z));
            int share = highatomicShare(free, a.nrFreeHighatomic(z), a.nrReservedHighatomic(z));
            // 5 levels x 6 shares x 2 = 60 values
            Jazzer.exploreState((byte) (level + 5 * share + 30 * (oomRan ? 1 : 0)), ID_LEVEL_HIGHATOMIC + z);
            int lfo = Math.min(11, largestFreeOrder(a, z) + 1);
            // 12 orders x 2 x 5 levels = 120 values
            Jazzer.exploreState((byte) (lfo + 12 * (kswapdRan ? 1 : 0) + 24 * level), ID_ORDER_KSWAPD + z);
            if (a.policy().highatomicCreator() != HighatomicCreator.NEVER) {
                int pb = a.config().pageblockPages();
                long start = a.zoneStartPfn(z);
                long end = start + a.zones().get(z).managedPages();
                long blocks = 0;
                for (long pfn = start; pfn < end; pfn += pb) {
                    if (a.pageblockType(pfn) == MigrateType.HIGHATOMIC) {
                        blocks++;
                    }
                }
                boolean cached = false;
                if (blocks > 0 || a.nrReservedHighatomic(z) > 0) {
                    for (PageAllocator.PcpBlock b : a.pcpBlocks(z)) {
                        if (b.cachedType() == MigrateType.HIGHATOMIC) {
                            cached = true;
                            break;
                        }
                    }
                }
                Jazzer.exploreState((byte) highatomicAccounting(a.nrReservedHighatomic(z), blocks, pb, cached),
                    ID_HIGHATOMIC_ACCOUNTING + z);
            }
        }
    }
}
