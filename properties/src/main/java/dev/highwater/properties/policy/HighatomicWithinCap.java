package dev.highwater.properties.policy;

import dev.highwater.model.PageAllocator;
import dev.highwater.model.Watermarks;
import dev.highwater.model.policy.HighatomicCap;
import dev.highwater.properties.BaseProperty;
import dev.highwater.properties.StepView;
import java.util.Optional;

/**
 * The highatomic reserve stays within its cap: the pageblocks actually typed HIGHATOMIC never exceed what the
 * version's rule can reach (§6.2: 1 % + a block, rounded up to whole blocks; 6.8+: roundup(1 %) and none when 1 % is
 * less than a block). A double decrease of nr_reserved_highatomic (4855e4a7f29d) lets reservations run past it.
 */
public final class HighatomicWithinCap extends BaseProperty {
    public HighatomicWithinCap() {
        super("highatomic-within-cap",
            "the HIGHATOMIC pageblocks of a zone stay within the version's reserve cap",
            "kernel-semantics §6.2, §6.5 (4855e4a7f29d), §6.6", Family.POLICY);
    }

    /** The pages of whole pageblocks the version's cap lets zone z reserve (the cap rounded up to blocks). */
    public static long reachablePages(PageAllocator a, int z) {
        int pb = a.config().pageblockPages();
        long managed = a.zones().get(z).managedPages();
        long cap = a.policy().highatomicCap() == HighatomicCap.ONE_PERCENT_PLUS_BLOCK
            ? Watermarks.highatomicCapOnePercentPlusBlock(managed, pb)
            : Watermarks.highatomicCapRoundup(managed, pb);
        return (cap + pb - 1) / pb * pb;
    }

    @Override
    public Optional<String> check(StepView v) {
        PageAllocator a = v.allocator();
        int pb = a.config().pageblockPages();
        for (int z = 0; z < a.zones().size(); z++) {
            long reachable = reachablePages(a, z);
            long blocks = v.highatomicBlocks(z);
            if (blocks * pb > reachable) {
                return Optional.of(String.format("%s has %d HIGHATOMIC pageblocks (%d pages) but the cap allows %d "
                        + "(nr_reserved_highatomic says %d)", a.zones().get(z).type().kernelName(), blocks, blocks * pb,
                    reachable, a.nrReservedHighatomic(z)));
            }
        }
        return Optional.empty();
    }
}
