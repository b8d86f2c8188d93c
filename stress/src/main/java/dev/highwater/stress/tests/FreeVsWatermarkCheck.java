package dev.highwater.stress.tests;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.highwater.model.AllocFlags;
import dev.highwater.model.Context;
import dev.highwater.stress.Integrity;
import dev.highwater.stress.StressZone;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * A free vs a lock-free reader of the free-page counters: the historic class of race "free-page counters updated
 * before the pages reached the free list". The watermark check ({@code zone_watermark_ok}, §2.1, §2.2) reads
 * NR_FREE_PAGES and, for order &gt; 0, {@code free_area[o].nr_free} and the per-type list counts without the zone
 * lock (§2.4); an allocator that passes it then takes the zone lock and searches the lists. If a free published the
 * counters before the block was on its list, and the lock did not cover both, the check would pass on a block that
 * {@code rmqueue} cannot find. The optimized allocator updates the counters and the lists together under the zone
 * lock ({@code __free_one_page} with {@code __mod_zone_freepage_state}, §4.3; the per-CPU path moves pages with both
 * locks held, §4.5), and no preset models the other ordering, so this test has no pre-fix preset: the bad outcome is
 * FORBIDDEN everywhere.
 *
 * <p>The zone is fragmented: every free page is an order-0 page whose buddy is allocated, so the zone has no free
 * block of order ≥ 1 (free pages far above min). A network-receive softirq on CPU 0 frees an order-1 block X (an
 * skb's page fragment; per-CPU high 0, so on 6.1, where order 1 uses the per-CPU lists, it is drained at once).
 * Process context on CPU 1 checks the order-1 min watermark lock-free, then allocates order 1 GFP_KERNEL: X is the
 * only block that can serve it.
 *
 * <p>Outcome {@code r1, r2, r3}: whether the lock-free check passed; 1 if the allocation got X, 0 if it failed, 2 if
 * it got anything else; the {@link Integrity} code.
 */
public final class FreeVsWatermarkCheck {
    private FreeVsWatermarkCheck() {
    }

    static final class Scenario {
        final StressZone z;
        final long x;
        long got = -1;
        boolean checked;

        Scenario(String preset) {
            z = new StressZone(preset, 128, 2, 4, 1, 0);
            x = z.alloc("GFP_HIGHUSER_MOVABLE", 1, Context.PROCESS, StressZone.CPU0, AllocFlags.NO_WATERMARKS);
            z.a.drainAllPages(); // 6.1: the order-1 refill left a second block on CPU 0's per-CPU list
            // every other page allocated, the rest free: order-0 free pages whose buddies are held
            long[] pages = new long[(int) z.managed];
            int n = 0;
            while (z.a.nrFreePages(0) + z.a.pcpPages(0) > 0) {
                long p = z.alloc("GFP_HIGHUSER_MOVABLE", 0, Context.PROCESS, StressZone.CPU0, AllocFlags.NO_WATERMARKS);
                if (p < 0) {
                    throw new IllegalStateException("setup: order-0 allocation failed");
                }
                pages[n++] = p;
            }
            for (int i = 0; i < n; i++) {
                if ((pages[i] & 1) == 0) {
                    z.a.freePages(pages[i], 0, StressZone.CPU0);
                } else {
                    z.hold(pages[i], 0);
                }
            }
            z.a.drainAllPages();
            z.a.clearWatermarkBoost(0);
            if (x < 0 || z.a.nrFreeBlocks(0, 1) + z.a.nrFreeBlocks(0, 2) + z.a.nrFreeBlocks(0, 3) != 0
                || z.a.nrFreePages(0) <= z.min() + 2) {
                throw new IllegalStateException("setup: x=" + x + " free=" + z.a.nrFreePages(0) + " min=" + z.min());
            }
        }

        void cpu0SoftirqFree() {
            z.a.freePages(x, 1, StressZone.CPU0);
        }

        void cpu1Process() {
            cpu1Check();
            cpu1Alloc();
        }

        /** zone_watermark_ok for order 1 at min, without the zone lock (§2.1, §2.4). */
        void cpu1Check() {
            checked = z.a.zoneWatermarkOk(0, 1, z.min(), 0, AllocFlags.WMARK_MIN);
        }

        void cpu1Alloc() {
            got = z.alloc("GFP_KERNEL", 1, Context.PROCESS, StressZone.CPU1, AllocFlags.WMARK_MIN);
        }

        void arbiter(III_Result r) {
            r.r1 = checked ? 1 : 0;
            r.r2 = got == x ? 1 : got < 0 ? 0 : 2;
            r.r3 = Integrity.check(z, got, 1);
        }
    }

    @JCStressTest
    @Description("linux-4.8: an order-1 free in softirq on CPU 0 vs a lock-free order-1 watermark check and allocation on CPU 1")
    @Outcome(id = "0, 0, 0", expect = ACCEPTABLE, desc = "CPU 1 checked and allocated before the free: no order-1 block")
    @Outcome(id = "1, 1, 0", expect = ACCEPTABLE, desc = "CPU 1 checked and allocated after the free: got X")
    @Outcome(id = "0, 1, 0", expect = ACCEPTABLE_INTERESTING, desc = "the free landed between CPU 1's check and its allocation")
    @Outcome(id = "1, 0, .*", expect = FORBIDDEN, desc = "the counters showed X before X was on the free list: the check passed, rmqueue found nothing")
    @Outcome(id = ".*, 2, .*", expect = FORBIDDEN, desc = "the allocation got a block that was not free")
    @Outcome(id = ".*, .*, 1", expect = FORBIDDEN, desc = "a page handed to two owners")
    @Outcome(id = ".*, .*, 2", expect = FORBIDDEN, desc = "counters disagree with the lists")
    @Outcome(id = ".*, .*, 3", expect = FORBIDDEN, desc = "a page lost")
    @State
    public static class Linux48 {
        final Scenario s = new Scenario("linux-4.8");

        @Actor
        public void cpu0SoftirqFree() {
            s.cpu0SoftirqFree();
        }

        @Actor
        public void cpu1Process() {
            s.cpu1Process();
        }

        @Arbiter
        public void arbiter(III_Result r) {
            s.arbiter(r);
        }
    }

    @JCStressTest
    @Description("linux-6.1: an order-1 free in softirq on CPU 0 (per-CPU list, drained at once) vs a lock-free order-1 watermark check and allocation on CPU 1")
    @Outcome(id = "0, 0, 0", expect = ACCEPTABLE, desc = "CPU 1 checked and allocated before the free: no order-1 block")
    @Outcome(id = "1, 1, 0", expect = ACCEPTABLE, desc = "CPU 1 checked and allocated after the free: got X")
    @Outcome(id = "0, 1, 0", expect = ACCEPTABLE_INTERESTING, desc = "the free landed between CPU 1's check and its allocation")
    @Outcome(id = "1, 0, .*", expect = FORBIDDEN, desc = "the counters showed X before X was on the free list: the check passed, rmqueue found nothing")
    @Outcome(id = ".*, 2, .*", expect = FORBIDDEN, desc = "the allocation got a block that was not free")
    @Outcome(id = ".*, .*, 1", expect = FORBIDDEN, desc = "a page handed to two owners")
    @Outcome(id = ".*, .*, 2", expect = FORBIDDEN, desc = "counters disagree with the lists")
    @Outcome(id = ".*, .*, 3", expect = FORBIDDEN, desc = "a page lost")
    @State
    public static class Linux61 {
        final Scenario s = new Scenario("linux-6.1");

        @Actor
        public void cpu0SoftirqFree() {
            s.cpu0SoftirqFree();
        }

        @Actor
        public void cpu1Process() {
            s.cpu1Process();
        }

        @Arbiter
        public void arbiter(III_Result r) {
            s.arbiter(r);
        }
    }
}
