package dev.highwater.properties.policy;

import dev.highwater.model.AllocContext;
import dev.highwater.model.GfpFlag;
import dev.highwater.model.mm.MmEvent;
import java.util.List;

/** Helpers shared by the policy properties. */
final class PolicyChecks {
    private PolicyChecks() {
    }

    /**
     * Requests the kernel promises to satisfy or OOM-kill for (§7.5): blocking, order ≤ 3, without __GFP_NORETRY or
     * __GFP_RETRY_MAYFAIL (those may fail by contract).
     */
    static boolean mustNotFail(AllocContext ac) {
        // an OOM victim's own request fails by design once it had ALLOC_OOM (§7.1: "avoid allocations with no
        // watermarks from looping endlessly"): the task is exiting, its fault is not retried
        return ac.gfp().canDirectReclaim() && ac.order() <= 3 && !ac.gfp().has(GfpFlag.NORETRY)
            && !ac.gfp().has(GfpFlag.RETRY_MAYFAIL) && !ac.oomVictim();
    }

    /** The first zone (highest first) usable by the request whose free pages exceed min + lowmem_reserve, or null. */
    static MmEvent.ZoneState zoneAboveMin(AllocContext ac, List<MmEvent.ZoneState> zones) {
        for (int z = ac.highestZone(); z >= 0; z--) {
            MmEvent.ZoneState s = zones.get(z);
            boolean blockExists = ac.order() == 0 || s.largestFreeOrder() >= ac.order();
            // §2.1 step 1: the request's own pages beyond the first do not count ((1 << order) - 1)
            long usable = s.free() - ((1L << ac.order()) - 1);
            if (usable > s.min() + s.lowmemReserve() && blockExists) {
                return s;
            }
        }
        return null;
    }

    static String describe(String zoneName, MmEvent.ZoneState s) {
        return String.format("%s free %d > min %d + lowmem_reserve %d (%d free on HIGHATOMIC lists, "
                + "nr_reserved_highatomic %d)", zoneName, s.free(), s.min(), s.lowmemReserve(), s.freeHighatomic(),
            s.reservedHighatomic());
    }
}
