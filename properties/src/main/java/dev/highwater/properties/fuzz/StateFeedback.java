package dev.highwater.properties.fuzz;

import com.code_intelligence.jazzer.api.Jazzer;
import dev.highwater.model.PageAllocator;
import dev.highwater.model.ZoneWatermarks;
import dev.highwater.model.mm.MemorySystem;
import dev.highwater.model.mm.MmEvent;
import dev.highwater.properties.StepView;
import dev.highwater.properties.policy.HighatomicWithinCap;

/**
 * Guidance beyond branch coverage: after every step the zone's abstract state is handed to the fuzzer with
 * {@link Jazzer#exploreState(byte, int)}, so an input that reaches a new combination (free level against
 * min/low/high, share of free pages on HIGHATOMIC lists, largest free order, whether kswapd or the OOM killer ran)
 * counts as new coverage and is kept: the fuzzer is pulled toward low-memory states, where the policy bugs live.
 * Outside Jazzer {@code exploreState} is a no-op, so the same code serves the random baseline and the JUnit runs.
 *
 * <p>A third hint follows the highatomic reserve's bookkeeping (§6.2–§6.6): the pageblocks left under the version's cap,
 * counted by block type and by {@code nr_reserved_highatomic}, and whether the two disagree. Reserving, unreserving and
 * the counter drifting from the block count are each new values, so inputs that move the reserve toward its cap are
 * kept and mutated further: the path to the accounting bugs (a double decrease, a reserve past its cap) goes through
 * such states. On highatomic-double-decrease (edge features without hit counts, see JazzerProcess): counts relative to
 * the cap found it in 1.8k and 16k execs (2 of 4 seeds within 120 s), absolute counts in 46k (1 seed).
 *
 * <p>Jazzer keeps the low 7 bits of a state, so each hint packs its aspects into at most 128 values; each zone has
 * its own hint ids.
 */
public final class StateFeedback {
    /** Hint id bases (arbitrary, distinct); zone z uses base + z. */
    private static final int ID_LEVEL_HIGHATOMIC = 0x4857_0100;
    private static final int ID_ORDER_KSWAPD = 0x4857_0200;
    private static final int ID_RESERVE = 0x4857_0300;

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

    private boolean reserveSeen;

    /**
     * Records the state after a step (call once per step); the HIGHATOMIC pageblock count comes from the step's view,
     * which the highatomic properties share.
     */
    public void afterStep(StepView view) {
        MemorySystem ms = view.system();
        java.util.List<MmEvent> events = ms.stepEvents();
        for (int ei = 0, en = events.size(); ei < en; ei++) {
            MmEvent e = events.get(ei);
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
            long reserved = a.nrReservedHighatomic(z);
            if (reserved != 0 || a.nrFreeHighatomic(z) != 0 || reserveSeen) {
                reserveSeen = true; // once a reserve existed, every later state of it is a hint (also back to none)
                int pb = a.config().pageblockPages();
                long blocks = view.highatomicBlocks(z);
                long capBlocks = HighatomicWithinCap.reachablePages(a, z) / pb;
                // pageblocks left under the cap, by block type and by the counter (0..7 each), and whether the two
                // disagree: 128 values, the same for every zone size, so progress toward the cap reads alike
                int blocksLeft = (int) Math.max(0, Math.min(7, capBlocks - blocks));
                int countedLeft = (int) Math.max(0, Math.min(7, capBlocks - reserved / pb));
                int drift = blocks * (long) pb != reserved ? 1 : 0;
                Jazzer.exploreState((byte) (blocksLeft + 8 * countedLeft + 64 * drift), ID_RESERVE + z);
            }
        }
    }
}
