package dev.highwater.model.fast;

import static org.assertj.core.api.Assertions.assertThat;

import dev.highwater.model.AllocContext;
import dev.highwater.model.Context;
import dev.highwater.model.Gfp;
import dev.highwater.model.GfpMask;
import dev.highwater.model.NodeConfig;
import dev.highwater.model.PageAllocator;
import dev.highwater.model.Tunables;
import dev.highwater.model.ZoneSpec;
import dev.highwater.model.ZoneType;
import dev.highwater.model.policy.AllocFlagRules;
import dev.highwater.model.policy.KernelPolicy;
import dev.highwater.model.policy.Presets;
import dev.highwater.model.reference.ReferenceAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The optimized allocator on its own: scale (a 64 GiB zone), footprint, boot state equal to the reference's for every
 * preset, and a smoke test of its locking with real threads (the stress suite does this thoroughly). Behavioural
 * equivalence with the reference is the differential property's job (properties module).
 */
class FastAllocatorTest {

    static Tunables defaults(KernelPolicy p) {
        return Tunables.defaults(p.watermarkRules().highmemRatioZero());
    }

    @Test
    void bootsA64GibZoneInUnderASecondWithAtMostTwelveBytesPerPageFrame() {
        NodeConfig node = new NodeConfig(List.of(ZoneSpec.of(ZoneType.NORMAL, 16_777_216)), 9, 11, 2, 0, -1);
        new FastAllocator(Presets.LINUX_6_1, node, defaults(Presets.LINUX_6_1)); // warm-up
        long t0 = System.nanoTime();
        FastAllocator a = new FastAllocator(Presets.LINUX_6_1, node, defaults(Presets.LINUX_6_1));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(ms).as("build time in ms").isLessThan(1000);
        assertThat(a.bytesPerPageFrame()).isLessThanOrEqualTo(12.0);
        assertThat(a.nrFreePages(0)).isEqualTo(16_777_216);
        assertThat(a.nrFreeBlocks(0, 10)).isEqualTo(16_384);
        assertThat(a.freeBlocks(0)).hasSize(16_384);
    }

    @Test
    void bootStateEqualsTheReferencesUnderEveryPreset() {
        List<NodeConfig> nodes = List.of(
            new NodeConfig(List.of(ZoneSpec.of(ZoneType.NORMAL, 14_826)), 10, 11, 1, 0, -1),
            new NodeConfig(List.of(ZoneSpec.of(ZoneType.DMA, 3_977), ZoneSpec.of(ZoneType.DMA32, 20_000),
                ZoneSpec.of(ZoneType.NORMAL, 0)), 6, 11, 3, 0, -1),
            new NodeConfig(List.of(ZoneSpec.of(ZoneType.NORMAL, 1_000)), 3, 6, 2, 7, 42));
        for (KernelPolicy p : Presets.all()) {
            for (NodeConfig n : nodes) {
                ReferenceAllocator r = new ReferenceAllocator(p, n, defaults(p));
                FastAllocator f = new FastAllocator(p, n, defaults(p));
                for (int z = 0; z < n.zones().size(); z++) {
                    assertThat(f.zoneStartPfn(z)).isEqualTo(r.zoneStartPfn(z));
                    assertThat(f.freeBlocks(z)).as(p.name() + " " + n).isEqualTo(r.freeBlocks(z));
                    assertThat(f.nrFreePages(z)).isEqualTo(r.nrFreePages(z));
                    assertThat(f.watermarks(z)).isEqualTo(r.watermarks(z));
                    assertThat(f.pcpBatchHigh(z)).containsExactly(r.pcpBatchHigh(z));
                    for (long pfn = f.zoneStartPfn(z); pfn < f.zoneStartPfn(z) + n.zones().get(z).managedPages();
                         pfn += n.pageblockPages()) {
                        assertThat(f.pageblockType(pfn)).isEqualTo(r.pageblockType(pfn));
                    }
                }
            }
        }
    }

    /**
     * Four threads: process context and softirq on CPU 0, process context on CPU 1, and one that drains every
     * per-CPU list now and then; each allocates and frees blocks of order 0–3 at random. Afterwards every page must be
     * back and the zone fully merged: no page lost, none handed out twice (a double hand-out shows as a duplicate).
     */
    @Test
    void threadsOnTheSameAndOnDifferentCpusNeitherLoseNorDuplicatePages() throws Exception {
        for (KernelPolicy p : List.of(Presets.LINUX_4_8, Presets.LINUX_6_1)) {
            long pages = 8192;
            NodeConfig node = new NodeConfig(List.of(ZoneSpec.of(ZoneType.NORMAL, pages)), 6, 11, 2, 0, -1);
            FastAllocator a = new FastAllocator(p, node, defaults(p));
            int[][] actors = {{0, 0}, {0, 1}, {1, 0}}; // cpu, softirq
            CyclicBarrier start = new CyclicBarrier(actors.length + 1);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            byte[] owner = new byte[(int) pages];
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < actors.length; t++) {
                int id = t;
                int cpu = actors[t][0];
                boolean softirq = actors[t][1] == 1;
                threads.add(new Thread(() -> {
                    try {
                        churn(a, cpu, softirq, id, owner, start);
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }));
            }
            threads.add(new Thread(() -> {
                try {
                    start.await();
                    for (int i = 0; i < 200; i++) {
                        a.drainAllPages();
                        Thread.yield();
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }));
            threads.forEach(Thread::start);
            for (Thread t : threads) {
                t.join(60_000);
            }
            assertThat(failure.get()).as(p.name()).isNull();
            a.drainAllPages();
            assertThat(a.pcpPages(0)).isZero();
            assertThat(a.nrFreePages(0)).as(p.name()).isEqualTo(pages);
            assertThat(a.freeBlocks(0)).as(p.name()).hasSize((int) (pages >> 10))
                .allSatisfy(b -> assertThat(b.order()).isEqualTo(10));
        }
    }

    private static void churn(PageAllocator a, int cpu, boolean softirq, int id, byte[] owner, CyclicBarrier start)
        throws Exception {
        GfpMask gfp = Gfp.parse(softirq ? "GFP_ATOMIC" : "GFP_KERNEL").resolve(a.policy().gfpLayout());
        SplittableRandom rnd = new SplittableRandom(id * 7919L + 1);
        List<long[]> held = new ArrayList<>();
        start.await();
        for (int i = 0; i < 50_000; i++) {
            if (held.isEmpty() || (rnd.nextBoolean() && held.size() < 200)) {
                int order = rnd.nextInt(4);
                AllocContext ac = new AllocContext(gfp, order, gfp.migratetype(), 0,
                    softirq ? Context.SOFTIRQ : Context.PROCESS, cpu, false, false);
                long pfn = a.getPageFromFreelist(ac, AllocFlagRules.fastPathFlags(a.policy(), gfp));
                if (pfn >= 0) {
                    for (long q = pfn; q < pfn + (1L << order); q++) {
                        synchronized (owner) {
                            if (owner[(int) q] != 0) {
                                throw new AssertionError("pfn " + q + " handed out twice");
                            }
                            owner[(int) q] = (byte) (id + 1);
                        }
                    }
                    held.add(new long[] {pfn, order});
                }
            } else {
                long[] b = held.remove(rnd.nextInt(held.size()));
                synchronized (owner) {
                    for (long q = b[0]; q < b[0] + (1L << b[1]); q++) {
                        owner[(int) q] = 0;
                    }
                }
                a.freePages(b[0], (int) b[1], cpu);
            }
        }
        for (long[] b : held) {
            synchronized (owner) {
                for (long q = b[0]; q < b[0] + (1L << b[1]); q++) {
                    owner[(int) q] = 0;
                }
            }
            a.freePages(b[0], (int) b[1], cpu);
        }
    }
}
