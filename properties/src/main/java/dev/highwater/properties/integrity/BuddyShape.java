package dev.highwater.properties.integrity;

import dev.highwater.model.PageAllocator;
import dev.highwater.model.policy.MergeGuard;
import dev.highwater.properties.BaseProperty;
import dev.highwater.properties.StepView;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Free blocks are aligned to their order and no two free buddies of the same order are left unmerged, except where
 * the version's merge guard forbids merging at pageblock order and above (§4.3 step 3: 5.18+ keeps HIGHATOMIC, CMA
 * and ISOLATE blocks apart; a block retyped later does not re-merge).
 */
public final class BuddyShape extends BaseProperty {
    public BuddyShape() {
        super("buddy-shape",
            "free blocks are aligned and free buddies are merged",
            "kernel-semantics §4.3 (__free_one_page), §4.4 (expand)", Family.INTEGRITY);
    }

    @Override
    public Optional<String> check(StepView v) {
        // the common case is confirmed with one byte per page; only a failing step takes the full pass with its text
        return wellShaped(v) ? Optional.empty() : explain(v);
    }

    /**
     * Per thread, one order byte per page, all zero between checks (each check clears the entries it set): a step
     * costs O(free blocks), not O(zone pages).
     */
    private static final ThreadLocal<byte[][]> SCRATCH = ThreadLocal.withInitial(() -> new byte[1][0]);

    /** The same test as {@link #explain} with an order per page instead of a map and no text. */
    static boolean wellShaped(StepView v) {
        PageAllocator a = v.allocator();
        int maxOrder = a.config().maxOrder();
        int pb = a.config().pageblockOrder();
        boolean guarded = a.policy().mergeGuard() == MergeGuard.NON_MERGEABLE;
        byte[][] holder = SCRATCH.get();
        for (int z = 0; z < a.zones().size(); z++) {
            long start = a.zoneStartPfn(z);
            long pages = a.zones().get(z).managedPages();
            List<PageAllocator.FreeBlock> blocks = v.freeBlocks(z);
            if (holder[0].length < pages) {
                holder[0] = new byte[(int) pages];
            }
            byte[] orderPlusOne = holder[0]; // 0: no free block heads this pfn
            int[] set = {0};
            try {
                if (!zoneWellShaped(blocks, start, pages, maxOrder, pb, guarded, orderPlusOne, set)) {
                    return false;
                }
            } finally {
                // clear what was set: the first set[0] blocks, each in the zone and heading a distinct pfn
                int n = set[0];
                for (PageAllocator.FreeBlock b : blocks) {
                    if (n-- == 0) {
                        break;
                    }
                    orderPlusOne[(int) (b.pfn() - start)] = 0;
                }
            }
        }
        return true;
    }

    /** One zone; {@code set[0]} counts the blocks entered in {@code orderPlusOne} (the first ones of the list). */
    private static boolean zoneWellShaped(List<PageAllocator.FreeBlock> blocks, long start, long pages, int maxOrder,
                                          int pb, boolean guarded, byte[] orderPlusOne, int[] set) {
        for (PageAllocator.FreeBlock b : blocks) {
            long i = b.pfn() - start;
            if ((b.pfn() & ((1L << b.order()) - 1)) != 0 || b.order() >= maxOrder || i < 0 || i >= pages
                || orderPlusOne[(int) i] != 0) {
                return false;
            }
            orderPlusOne[(int) i] = (byte) (b.order() + 1);
            set[0]++;
        }
        for (PageAllocator.FreeBlock b : blocks) {
            if (b.order() >= maxOrder - 1 || (b.order() >= pb && guarded)) {
                continue;
            }
            long buddy = b.pfn() ^ (1L << b.order());
            long i = buddy - start;
            if (buddy > b.pfn() && i < pages && orderPlusOne[(int) i] == b.order() + 1) {
                return false;
            }
        }
        return true;
    }

    /** The full check, naming the first misaligned, doubly-headed or unmerged block. */
    static Optional<String> explain(StepView v) {
        PageAllocator a = v.allocator();
        int maxOrder = a.config().maxOrder();
        int pb = a.config().pageblockOrder();
        boolean guarded = a.policy().mergeGuard() == MergeGuard.NON_MERGEABLE;
        for (int z = 0; z < a.zones().size(); z++) {
            Map<Long, Integer> orderOf = new HashMap<>();
            for (PageAllocator.FreeBlock b : v.freeBlocks(z)) {
                if ((b.pfn() & ((1L << b.order()) - 1)) != 0) {
                    return Optional.of("free order-" + b.order() + " block at pfn " + b.pfn() + " is not aligned");
                }
                if (b.order() >= maxOrder) {
                    return Optional.of("free block at pfn " + b.pfn() + " has order " + b.order() + " >= max_order");
                }
                if (orderOf.put(b.pfn(), b.order()) != null) {
                    return Optional.of("pfn " + b.pfn() + " heads two free blocks");
                }
            }
            for (PageAllocator.FreeBlock b : v.freeBlocks(z)) {
                if (b.order() >= maxOrder - 1) {
                    continue;
                }
                long buddy = b.pfn() ^ (1L << b.order());
                Integer bo = orderOf.get(buddy);
                if (bo == null || bo != b.order() || buddy < b.pfn()) {
                    continue;
                }
                if (b.order() >= pb && guarded) {
                    // the 5.18+ guard compares the types at free time, which may have changed since (a block
                    // retyped later does not re-merge), so pairs at pageblock order and above are exempt
                    continue;
                }
                return Optional.of("free order-" + b.order() + " buddies at pfn " + b.pfn() + " and " + buddy
                    + " were not merged");
            }
        }
        return Optional.empty();
    }
}
