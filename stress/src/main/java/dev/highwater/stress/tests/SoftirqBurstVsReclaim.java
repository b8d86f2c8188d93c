package dev.highwater.stress.tests;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.highwater.model.AllocContext;
import dev.highwater.model.Context;
import dev.highwater.model.policy.AllocFlagRules;
import dev.highwater.stress.Integrity;
import dev.highwater.stress.StressZone;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * A softirq burst vs reclaim freeing pages. The zone sits two pages above the GFP_ATOMIC floor (the min watermark
 * lowered by ALLOC_HIGH and ALLOC_HARDER, or ALLOC_MIN_RESERVE on 6.x; §2.1, §3.3). A network-receive softirq on CPU 1
 * makes four order-0 GFP_ATOMIC allocations; kswapd, on CPU 0, frees two reclaimed pages at the same time (per-CPU
 * high 0: each free reaches the buddy lists and NR_FREE_PAGES at once). Two allocations always succeed; each page
 * reclaim frees before an attempt lets one more through.
 *
 * <p>Outcome {@code r1, r2}: successful allocations beyond the two the floor allows without reclaim (0–2), the
 * {@link Integrity} code.
 */
public final class SoftirqBurstVsReclaim {
    private SoftirqBurstVsReclaim() {
    }

    static final int BURST = 4;

    static final class Scenario {
        final StressZone z;
        final long r1;
        final long r2;
        final long[] got = new long[2 * BURST];

        Scenario(String preset) {
            z = new StressZone(preset, 256, 2, 4, 1, 0);
            r1 = z.take("GFP_HIGHUSER_MOVABLE", 0, StressZone.CPU0);
            r2 = z.take("GFP_HIGHUSER_MOVABLE", 0, StressZone.CPU0);
            z.held.clear(); // the reclaimable pages belong to kswapd's actor
            AllocContext ac = z.ac("GFP_ATOMIC", 0, Context.SOFTIRQ, StressZone.CPU1);
            int flags = AllocFlagRules.slowPathFlags(z.policy, ac);
            long floor = 0;
            while (!z.a.zoneWatermarkOkWithFree(0, 0, z.min(), 0, flags, floor)) {
                floor++; // the fewest free pages with which an atomic allocation passes
            }
            z.fillTo(floor + 1, "GFP_HIGHUSER_MOVABLE", StressZone.CPU0);
            z.a.clearWatermarkBoost(0);
            java.util.Arrays.fill(got, -1);
        }

        void cpu1SoftirqBurst() {
            for (int i = 0; i < BURST; i++) {
                got[2 * i] = z.alloc("GFP_ATOMIC", 0, Context.SOFTIRQ, StressZone.CPU1);
                got[2 * i + 1] = 0;
            }
        }

        void kswapdReclaim() {
            z.a.freePages(r1, 0, StressZone.CPU0);
            z.a.freePages(r2, 0, StressZone.CPU0);
        }

        void arbiter(II_Result r) {
            int ok = 0;
            for (int i = 0; i < BURST; i++) {
                ok += got[2 * i] >= 0 ? 1 : 0;
            }
            r.r1 = ok - 2;
            r.r2 = Integrity.check(z, got);
        }
    }

    @JCStressTest
    @Description("linux-4.8: four GFP_ATOMIC softirq allocations on CPU 1 vs kswapd freeing two pages on CPU 0")
    @Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "the burst ran before reclaim freed anything: two allocations")
    @Outcome(id = "1, 0", expect = ACCEPTABLE_INTERESTING, desc = "one reclaimed page arrived in time for the burst")
    @Outcome(id = "2, 0", expect = ACCEPTABLE, desc = "both reclaimed pages arrived in time: four allocations")
    @Outcome(id = "-[12], .*", expect = FORBIDDEN, desc = "an allocation above the atomic floor failed")
    @Outcome(id = ".*, 1", expect = FORBIDDEN, desc = "a page handed to two owners")
    @Outcome(id = ".*, 2", expect = FORBIDDEN, desc = "counters disagree with the lists")
    @Outcome(id = ".*, 3", expect = FORBIDDEN, desc = "a page lost")
    @State
    public static class Linux48 {
        final Scenario s = new Scenario("linux-4.8");

        @Actor
        public void cpu1SoftirqBurst() {
            s.cpu1SoftirqBurst();
        }

        @Actor
        public void kswapdReclaim() {
            s.kswapdReclaim();
        }

        @Arbiter
        public void arbiter(II_Result r) {
            s.arbiter(r);
        }
    }

    @JCStressTest
    @Description("linux-6.1: four GFP_ATOMIC softirq allocations on CPU 1 vs kswapd freeing two pages on CPU 0")
    @Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "the burst ran before reclaim freed anything: two allocations")
    @Outcome(id = "1, 0", expect = ACCEPTABLE_INTERESTING, desc = "one reclaimed page arrived in time for the burst")
    @Outcome(id = "2, 0", expect = ACCEPTABLE, desc = "both reclaimed pages arrived in time: four allocations")
    @Outcome(id = "-[12], .*", expect = FORBIDDEN, desc = "an allocation above the atomic floor failed")
    @Outcome(id = ".*, 1", expect = FORBIDDEN, desc = "a page handed to two owners")
    @Outcome(id = ".*, 2", expect = FORBIDDEN, desc = "counters disagree with the lists")
    @Outcome(id = ".*, 3", expect = FORBIDDEN, desc = "a page lost")
    @State
    public static class Linux61 {
        final Scenario s = new Scenario("linux-6.1");

        @Actor
        public void cpu1SoftirqBurst() {
            s.cpu1SoftirqBurst();
        }

        @Actor
        public void kswapdReclaim() {
            s.kswapdReclaim();
        }

        @Arbiter
        public void arbiter(II_Result r) {
            s.arbiter(r);
        }
    }
}
