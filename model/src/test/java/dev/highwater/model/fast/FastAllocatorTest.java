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

    /** The boot's speed is the bench module's to measure (BuildBenchmark); this holds its footprint and state. */
    @Test
    void bootsA64GibZoneWithAtMostTwelveBytesPerPageFrame() {
        NodeConfig node = new NodeConfig(List.of(ZoneSpec.of(ZoneType.NORMAL, 16_777_216)), 9, 11, 2, 0, -1);
        FastAllocator a = new FastAllocator(Presets.LINUX_6_1, node, defaults(Presets.LINUX_6_1));
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

    /**
     * The uniprocessor build takes no atomic instruction but must behave as the SMP one, step for step: the same
     * seeded churn (process context and softirq, several CPUs, orders 0-3, frees in random order) on both gives the
     * same pfn for every request and the same free lists, counters and per-CPU lists at the end, under every preset.
     */
    @Test
    void uniprocessorBuildHandsOutWhatTheSmpBuildDoes() {
        NodeConfig node = new NodeConfig(List.of(ZoneSpec.of(ZoneType.DMA32, 1_000), ZoneSpec.of(ZoneType.NORMAL, 3_000)),
            6, 11, 3, 0, -1);
        for (KernelPolicy p : Presets.all()) {
            FastAllocator smp = new FastAllocator(p, node, defaults(p));
            FastAllocator up = FastAllocator.uniprocessor(p, node, defaults(p));
            List<Long> smpPfns = serialChurn(smp, 17);
            List<Long> upPfns = serialChurn(up, 17);
            assertThat(upPfns).as(p.name()).isEqualTo(smpPfns);
            assertThat(smpPfns).as(p.name() + ": some requests fail, some succeed").contains(-1L)
                .anyMatch(pfn -> pfn >= 0);
            for (int z = 0; z < 2; z++) {
                assertThat(up.freeBlocks(z)).as(p.name()).isEqualTo(smp.freeBlocks(z));
                assertThat(up.pcpBlocks(z)).as(p.name()).isEqualTo(smp.pcpBlocks(z));
                assertThat(up.nrFreePages(z)).as(p.name()).isEqualTo(smp.nrFreePages(z));
                assertThat(up.nrReservedHighatomic(z)).as(p.name()).isEqualTo(smp.nrReservedHighatomic(z));
            }
        }
    }

    /** A uniprocessor lock taken again before it is dropped fails at once (the SMP lock would spin for ever). */
    @Test
    void uniprocessorLockReportsASecondAcquisition() {
        SpinLock up = new SpinLock(false);
        up.lock();
        assertThat(up.isLocked()).isTrue();
        assertThat(up.tryLock()).isFalse();
        org.assertj.core.api.Assertions.assertThatThrownBy(up::lock).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("taken twice");
        up.unlock();
        assertThat(up.isLocked()).isFalse();
        assertThat(up.tryLock()).isTrue();
        up.unlock();
        SpinLock smp = new SpinLock();
        assertThat(smp.tryLock()).isTrue();
        assertThat(smp.isLocked()).isTrue();
        assertThat(smp.tryLock()).isFalse();
        smp.unlock();
        assertThat(smp.isLocked()).isFalse();
    }

    /** A seeded churn from one thread over cpus 0-2, half of it atomic; returns each request's pfn (-1: failed). */
    private static List<Long> serialChurn(PageAllocator a, long seed) {
        GfpMask kernel = Gfp.parse("GFP_KERNEL").resolve(a.policy().gfpLayout());
        GfpMask atomic = Gfp.parse("GFP_ATOMIC").resolve(a.policy().gfpLayout());
        SplittableRandom rnd = new SplittableRandom(seed);
        List<long[]> held = new ArrayList<>();
        List<Long> pfns = new ArrayList<>();
        for (int i = 0; i < 6_000; i++) {
            int cpu = rnd.nextInt(3);
            if (held.isEmpty() || rnd.nextInt(5) < 3) {
                boolean softirq = rnd.nextBoolean();
                GfpMask gfp = softirq ? atomic : kernel;
                int order = rnd.nextInt(4);
                AllocContext ac = new AllocContext(gfp, order, gfp.migratetype(), 0,
                    softirq ? Context.SOFTIRQ : Context.PROCESS, cpu, false, false);
                long pfn = a.getPageFromFreelist(ac, AllocFlagRules.fastPathFlags(a.policy(), gfp));
                pfns.add(pfn);
                if (pfn >= 0) {
                    held.add(new long[] {pfn, order});
                }
            } else {
                long[] b = held.remove(rnd.nextInt(held.size()));
                a.freePages(b[0], (int) b[1], cpu);
            }
            if (i % 1_000 == 999) {
                a.drainAllPages();
            }
        }
        return pfns;
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
