package dev.highwater.model.reference;

import static org.assertj.core.api.Assertions.assertThat;

import dev.highwater.model.AllocContext;
import dev.highwater.model.AllocFlags;
import dev.highwater.model.Context;
import dev.highwater.model.Gfp;
import dev.highwater.model.GfpMask;
import dev.highwater.model.MigrateType;
import dev.highwater.model.NodeConfig;
import dev.highwater.model.PageAllocator;
import dev.highwater.model.Tunables;
import dev.highwater.model.ZoneSpec;
import dev.highwater.model.ZoneType;
import dev.highwater.model.policy.AllocFlagRules;
import dev.highwater.model.policy.KernelPolicy;
import dev.highwater.model.policy.Presets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReferenceAllocatorTest {

    private static ReferenceAllocator zone(KernelPolicy p, long pages, int pbOrder, int maxOrder, int mfk) {
        NodeConfig n = new NodeConfig(List.of(ZoneSpec.of(ZoneType.NORMAL, pages)), pbOrder, maxOrder, 1, 0, -1);
        return new ReferenceAllocator(p, n, Tunables.defaults(false).withMinFreeKbytes(mfk).withWatermarkBoostFactor(0));
    }

    private static AllocContext ac(PageAllocator a, String gfp, int order) {
        GfpMask m = Gfp.parse(gfp).resolve(a.policy().gfpLayout());
        return new AllocContext(m, order, m.migratetype(), 0, Context.PROCESS, 0, false, false);
    }

    @Test
    void bootReleasesMaxOrderBlocksAndTheTailInAlignedPieces() {
        // 1000 pages, max_order 8 (128-page blocks): 7 × 128 + 64 + 32 + 8 = 1000
        ReferenceAllocator a = zone(Presets.LINUX_4_8, 1000, 5, 8, 256);
        assertThat(a.nrFreePages(0)).isEqualTo(1000);
        assertThat(a.nrFreeBlocks(0, 7)).isEqualTo(7);
        assertThat(a.nrFreeBlocks(0, 6)).isEqualTo(1);
        assertThat(a.nrFreeBlocks(0, 5)).isEqualTo(1);
        assertThat(a.nrFreeBlocks(0, 3)).isEqualTo(1);
        assertThat(a.freeBlocks(0)).allMatch(b -> b.list() == MigrateType.MOVABLE);
    }

    @Test
    void splitPutsUpperHalvesOnTheListAndFreeMergesThemBack() {
        ReferenceAllocator a = zone(Presets.LINUX_4_8, 1024, 5, 8, 128);
        AllocContext ac = ac(a, "GFP_HIGHUSER_MOVABLE", 3);
        long pfn = a.getPageFromFreelist(ac, AllocFlags.WMARK_LOW);
        // boot frees ascending and inserts at the head, so the last order-7 block (pfn 896) heads the list
        assertThat(pfn).isEqualTo(896);
        // expand: one free block at each of orders 3..6, the upper halves: 904, 912, 928, 960
        assertThat(a.freeBlocks(0)).filteredOn(b -> b.order() < 7)
            .extracting(PageAllocator.FreeBlock::pfn).containsExactlyInAnyOrder(904L, 912L, 928L, 960L);
        a.freePages(pfn, 3, 0); // order 3 > pcp orders in 4.8: straight to the buddy, merges back to order 7
        assertThat(a.nrFreeBlocks(0, 7)).isEqualTo(8);
        assertThat(a.nrFreePages(0)).isEqualTo(1024);
    }

    @Test
    void pcpBatchAndHighFollowZoneBatchsize() {
        // §4.5: 14826 pages -> 14/4 = 3 -> rounddown_pow2(4)-1 = 3, high 6 × 3 = 18 (4.x);
        // 500000 pages -> min(488, 128)/4 = 32 -> rounddown_pow2(48)-1 = 31, high 186 (the classic hi:186 btch:31)
        assertThat(zone(Presets.LINUX_4_8, 14826, 10, 11, 964).pcpBatchHigh(0)).containsExactly(3, 18);
        assertThat(zone(Presets.LINUX_4_8, 500000, 9, 11, 4096).pcpBatchHigh(0)).containsExactly(31, 186);
        // tiny zone: b = 1 gives batch 1 / high 0 (pageset_set_batch)
        assertThat(zone(Presets.LINUX_4_8, 4096, 6, 11, 512).pcpBatchHigh(0)).containsExactly(1, 0);
        // 6.1: 1 MiB cap, batch 31 at 500000 pages... high = max(low/cpus, 4 × batch)
        ReferenceAllocator six = zone(Presets.LINUX_6_1, 500000, 9, 11, 4096);
        long low = six.watermarks(0).low();
        assertThat(six.pcpBatchHigh(0)[0]).isEqualTo(63);
        assertThat(six.pcpBatchHigh(0)[1]).isEqualTo((int) Math.max(low, 4 * 63));
    }

    @Test
    void order0FreesStayOnThePerCpuListUntilHigh() {
        ReferenceAllocator a = zone(Presets.LINUX_4_8, 14826, 10, 11, 964); // batch 3, high 18
        AllocContext ac = ac(a, "GFP_KERNEL", 0);
        long[] pages = new long[20];
        for (int i = 0; i < 20; i++) {
            pages[i] = a.getPageFromFreelist(ac, AllocFlags.WMARK_LOW);
        }
        // refills of batch 3: 7 refills for 20 pages, one page left on the list
        assertThat(a.pcpPages(0)).isEqualTo(1);
        assertThat(a.nrFreePages(0)).isEqualTo(14826 - 21);
        for (int i = 0; i < 17; i++) {
            a.freePages(pages[i], 0, 0);
        }
        // 18 on the list reaches high: batch (3) go back to the buddy
        assertThat(a.pcpPages(0)).isEqualTo(15);
        a.drainAllPages();
        assertThat(a.pcpPages(0)).isZero();
        assertThat(a.nrFreePages(0)).isEqualTo(14826 - 3);
    }

    /** Fills a 4096-page zone below low and reserves highatomic blocks with order-2 atomics in the slow path. */
    private static ReferenceAllocator withReserves(KernelPolicy p, int blocks, List<Long> kernelPages) {
        return withReserves(p, blocks, kernelPages, true);
    }

    /** As above; with {@code freeAtomics} the order-2 pages go back, so the HIGHATOMIC lists hold free pages. */
    private static ReferenceAllocator withReserves(KernelPolicy p, int blocks, List<Long> kernelPages,
                                                   boolean freeAtomics) {
        ReferenceAllocator a = zone(p, 8192, 6, 11, 512);
        AllocContext k = ac(a, "GFP_KERNEL", 0);
        while (a.nrFreePages(0) > a.watermarks(0).low()) {
            kernelPages.add(a.getPageFromFreelist(k, AllocFlags.WMARK_LOW));
        }
        AllocContext at = new AllocContext(ac(a, "GFP_ATOMIC", 2).gfp(), 2, MigrateType.UNMOVABLE, 0, Context.SOFTIRQ,
            0, false, false);
        int flags = AllocFlagRules.slowPathFlags(p, at);
        List<Long> atomics = new java.util.ArrayList<>();
        while (a.nrReservedHighatomic(0) < 64L * blocks) {
            long pfn = a.getPageFromFreelist(at, flags);
            assertThat(pfn).isGreaterThanOrEqualTo(0);
            atomics.add(pfn);
        }
        if (freeAtomics) {
            for (long pfn : atomics) {
                a.freePages(pfn, 2, 0);
            }
        }
        return a;
    }

    @Test
    void highatomicCapIsOnePercentPlusABlockOrRoundedUp() {
        // 8192 pages, 64-page blocks: 4.x cap 81 + 64 = 145 -> up to 3 blocks (192 pages); 6.8+: roundup(81, 64) = 128
        ReferenceAllocator old = withReserves(Presets.LINUX_4_8, 3, new java.util.ArrayList<>());
        assertThat(old.nrReservedHighatomic(0)).isEqualTo(192);
        ReferenceAllocator neu = withReserves(Presets.LINUX_6_8, 2, new java.util.ArrayList<>());
        assertThat(neu.nrReservedHighatomic(0)).isEqualTo(128);
    }

    @Test
    void unreserveKeepsOneBlockUnlessForcedAndForceNeedsTheFourTenSeries() {
        ReferenceAllocator a = withReserves(Presets.LINUX_4_10, 2, new java.util.ArrayList<>());
        AllocContext k = ac(a, "GFP_KERNEL", 0);
        assertThat(a.unreserveHighatomicPageblock(k, false)).isTrue();
        assertThat(a.nrReservedHighatomic(0)).isEqualTo(64);
        assertThat(a.unreserveHighatomicPageblock(k, false)).isFalse(); // keep one block
        assertThat(a.unreserveHighatomicPageblock(k, true)).isTrue(); // 04c8716f7b00: force takes the last one
        assertThat(a.nrReservedHighatomic(0)).isZero();
        ReferenceAllocator old = withReserves(Presets.LINUX_4_8, 1, new java.util.ArrayList<>());
        assertThat(old.unreserveHighatomicPageblock(ac(old, "GFP_KERNEL", 0), true)).isFalse(); // no force in 4.8
        assertThat(old.nrReservedHighatomic(0)).isEqualTo(64);
    }

    /**
     * 4855e4a7f29d, shown sequentially (§6.5 row 2, §6.6): an order-0 page of a highatomic block sits on a per-CPU list
     * with its cached type HIGHATOMIC while the block is unreserved; draining puts it on the HIGHATOMIC list of a block
     * that is no longer HIGHATOMIC, and the next unreserve decrements nr_reserved_highatomic a second time on 4.8.
     */
    @Test
    void doubleDecreaseOfNrReservedHighatomicWithoutTheFix() {
        for (KernelPolicy p : List.of(Presets.LINUX_4_8, Presets.LINUX_4_10)) {
            List<Long> kernelPages = new java.util.ArrayList<>();
            ReferenceAllocator a = withReserves(p, 3, kernelPages);
            // an order-0 page allocated before its block became HIGHATOMIC
            long victim = kernelPages.stream().filter(pfn -> a.pageblockType(pfn) == MigrateType.HIGHATOMIC)
                .findFirst().orElseThrow();
            AllocContext k = ac(a, "GFP_KERNEL", 0);
            a.freePages(victim, 0, 0);
            assertThat(a.pcpBlocks(0)).anyMatch(b -> b.pfn() == victim && b.cachedType() == MigrateType.HIGHATOMIC);
            // unreserve until the victim's block is no longer HIGHATOMIC
            while (a.pageblockType(victim) == MigrateType.HIGHATOMIC) {
                assertThat(a.unreserveHighatomicPageblock(k, false)).isTrue();
            }
            long blocksLeft = countHighatomicBlocks(a);
            a.drainAllPages();
            assertThat(a.freeBlocks(0)).anyMatch(b -> b.list() == MigrateType.HIGHATOMIC
                && a.pageblockType(b.pfn()) != MigrateType.HIGHATOMIC);
            a.unreserveHighatomicPageblock(k, false);
            long ha = a.nrReservedHighatomic(0);
            long blocks = countHighatomicBlocks(a);
            if (p == Presets.LINUX_4_8) {
                assertThat(ha).as("4.8 decrements for a block that is no longer HIGHATOMIC").isLessThan(blocks * 64);
            } else {
                assertThat(ha).as("4.10 keeps HA equal to the HIGHATOMIC blocks").isEqualTo(blocks * 64);
            }
            assertThat(blocksLeft).isPositive();
        }
    }

    private static long countHighatomicBlocks(PageAllocator a) {
        long n = 0;
        for (long pfn = 0; pfn < a.zones().get(0).managedPages(); pfn += 64) {
            if (a.pageblockType(pfn) == MigrateType.HIGHATOMIC) {
                n++;
            }
        }
        return n;
    }
}
