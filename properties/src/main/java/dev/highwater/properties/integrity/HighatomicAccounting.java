package dev.highwater.properties.integrity;

import dev.highwater.model.MigrateType;
import dev.highwater.model.PageAllocator;
import dev.highwater.model.policy.MergeGuard;
import dev.highwater.model.policy.UnreserveAccounting;
import dev.highwater.properties.BaseProperty;
import dev.highwater.properties.StepView;
import java.util.Optional;

/**
 * {@code nr_reserved_highatomic} as each version keeps it (§6.6): never negative and a whole number of pageblocks;
 * and, where the version leaves no way for it to drift (4.10's fixes, 4855e4a7f29d and 88ed365ea227, plus 5.18's
 * merge guard), exactly one pageblock per HIGHATOMIC block. Older presets may drift: that is their bug, which the
 * policy properties catch, not a model error.
 */
public final class HighatomicAccounting extends BaseProperty {
    public HighatomicAccounting() {
        super("highatomic-accounting",
            "nr_reserved_highatomic is a non-negative multiple of a pageblock, and counts the HIGHATOMIC blocks where the version cannot drift",
            "kernel-semantics §6.3, §6.4, §6.6", Family.INTEGRITY);
    }

    /**
     * Whether the preset keeps HA equal to the HIGHATOMIC block count. Only with 6.10's size-aware unreserve: up to
     * 6.9 a free buddy spanning two HIGHATOMIC pageblocks (they may merge, being of one type) is unreserved by
     * retyping only its first block, and a later steal retypes the second without a decrement (found by the stateful
     * test; the same path exists in the 6.1–6.9 sources).
     */
    public static boolean exact(PageAllocator a) {
        return a.policy().unreserveAccounting() == UnreserveAccounting.V6_10 && a.policy().stealNeverRetypesHighatomic()
            && a.policy().mergeGuard() == MergeGuard.NON_MERGEABLE;
    }

    /** The pageblocks of a zone typed HIGHATOMIC (what /proc/pagetypeinfo's HighAtomic column counts). */
    public static long highatomicBlocks(PageAllocator a, int zone) {
        // the model's own allocators count their type arrays; any other is read through its pageblockType
        return StepView.walksOwnLists(a) ? a.pageblocksOfType(zone, MigrateType.HIGHATOMIC)
            : PageAllocator.countPageblocksOfType(a, zone, MigrateType.HIGHATOMIC);
    }

    @Override
    public Optional<String> check(StepView v) {
        PageAllocator a = v.allocator();
        int pb = a.config().pageblockPages();
        for (int z = 0; z < a.zones().size(); z++) {
            String zn = a.zones().get(z).type().kernelName();
            long ha = a.nrReservedHighatomic(z);
            if (ha < 0) {
                return Optional.of(zn + ": nr_reserved_highatomic is negative (" + ha + ")");
            }
            if (ha % pb != 0) {
                return Optional.of(zn + ": nr_reserved_highatomic " + ha + " is not a multiple of the pageblock (" + pb + ")");
            }
            if (exact(a)) {
                long blocks = v.highatomicBlocks(z);
                if (blocks * pb != ha) {
                    return Optional.of(zn + ": nr_reserved_highatomic " + ha + " but " + blocks
                        + " HIGHATOMIC pageblock(s) (" + blocks * pb + " pages)");
                }
            }
        }
        return Optional.empty();
    }
}
