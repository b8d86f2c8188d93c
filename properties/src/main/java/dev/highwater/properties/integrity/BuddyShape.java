package dev.highwater.properties.integrity;

import dev.highwater.model.MigrateType;
import dev.highwater.model.PageAllocator;
import dev.highwater.model.policy.MergeGuard;
import dev.highwater.properties.BaseProperty;
import dev.highwater.properties.StepView;
import java.util.HashMap;
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
     * Per thread, one order byte per page, all zero between checks (each check clears the entries it set), and the
     * heads it set: a step costs O(free blocks), not O(zone pages).
     */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * The first pass of {@link #wellShaped} as a block visitor: each block, in list order, is checked (aligned, below
     * max order, in the zone, heading no other block) and entered, until the first that fails; the heads entered are
     * kept for the buddy pass and for clearing.
     */
    private static final class Scratch implements PageAllocator.BlockVisitor {
        byte[] orderPlusOne = new byte[0]; // 0: no free block heads this pfn
        int[] heads = new int[64];
        int n;
        long start;
        long pages;
        int maxOrder;
        boolean failed;

        @Override
        public void block(long pfn, int order, MigrateType list) {
            if (failed) {
                return;
            }
            long i = pfn - start;
            if ((pfn & ((1L << order) - 1)) != 0 || order >= maxOrder || i < 0 || i >= pages
                || orderPlusOne[(int) i] != 0) {
                failed = true;
                return;
            }
            orderPlusOne[(int) i] = (byte) (order + 1);
            if (n == heads.length) {
                heads = java.util.Arrays.copyOf(heads, n * 2);
            }
            heads[n++] = (int) i;
        }
    }

    /** The same test as {@link #explain} with an order per page instead of a map and no text. */
    static boolean wellShaped(StepView v) {
        PageAllocator a = v.allocator();
        int maxOrder = a.config().maxOrder();
        int pb = a.config().pageblockOrder();
        boolean guarded = a.policy().mergeGuard() == MergeGuard.NON_MERGEABLE;
        Scratch s = SCRATCH.get();
        for (int z = 0; z < a.zones().size(); z++) {
            long start = a.zoneStartPfn(z);
            long pages = a.zones().get(z).managedPages();
            if (s.orderPlusOne.length < pages) {
                s.orderPlusOne = new byte[(int) pages];
            }
            s.start = start;
            s.pages = pages;
            s.maxOrder = maxOrder;
            s.failed = false;
            s.n = 0;
            try {
                v.forEachFreeBlock(z, s);
                if (s.failed || !buddiesMerged(s, start, pages, maxOrder, pb, guarded)) {
                    return false;
                }
            } finally {
                // clear what was set: each entered head is in the zone and distinct
                byte[] o = s.orderPlusOne;
                int[] h = s.heads;
                for (int k = 0; k < s.n; k++) {
                    o[h[k]] = 0;
                }
                s.n = 0;
            }
        }
        return true;
    }

    /** The second pass: no two free buddies of one order below the exempt orders (every block was entered). */
    private static boolean buddiesMerged(Scratch s, long start, long pages, int maxOrder, int pb, boolean guarded) {
        byte[] orderPlusOne = s.orderPlusOne;
        int[] heads = s.heads;
        for (int k = 0; k < s.n; k++) {
            int i0 = heads[k];
            int order = orderPlusOne[i0] - 1;
            if (order >= maxOrder - 1 || (order >= pb && guarded)) {
                continue;
            }
            long pfn = start + i0;
            long buddy = pfn ^ (1L << order);
            long i = buddy - start;
            if (buddy > pfn && i < pages && orderPlusOne[(int) i] == order + 1) {
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
