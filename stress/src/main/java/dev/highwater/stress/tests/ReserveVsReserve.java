package dev.highwater.stress.tests;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

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
 * {@code reserve_highatomic_pageblock} vs the same on another CPU (§6.2, §6.3). The reserve is one pageblock short of
 * what the cap allows ({@code HA < cap ≤ HA + pageblock}); two softirqs, on CPU 0 and CPU 1, each allocate an order-1
 * GFP_ATOMIC block from a different MOVABLE pageblock and try to reserve it. Both pass the unlocked cap test; under the
 * zone lock the second re-checks the cap (0aaa29a56e4f, all HIGHATOMIC kernels) and backs off. Exactly one
 * reservation, under every preset: no kernel lacked the locked re-check, so there is no pre-fix preset for this race.
 *
 * <p>Outcome {@code r1, r2, r3}: pageblocks the two actors reserved, allocations that succeeded, the
 * {@link Integrity} code.
 */
public final class ReserveVsReserve {
    private ReserveVsReserve() {
    }

    static final String ATOMIC_MOVABLE = "GFP_ATOMIC|__GFP_MOVABLE";

    static final class Scenario {
        final StressZone z;
        final long haBefore;
        long p0 = -1;
        long p1 = -1;

        Scenario(String preset) {
            z = new StressZone(preset, 1024, 2, 4, 1, 0);
            long target = z.highatomicReachable() - z.pbPages;
            // reserve blocks (each order-1 atomic allocation from a non-HIGHATOMIC block reserves it) and use up
            // their free pages, so the actors' allocations come from MOVABLE blocks
            for (int i = 0; i < 64 && (z.nrReservedHighatomic() < target || z.a.nrFreeHighatomic(0) > 0); i++) {
                long pfn = z.alloc("GFP_ATOMIC", 1, Context.SOFTIRQ, StressZone.CPU0);
                if (pfn < 0) {
                    throw new IllegalStateException("setup: atomic allocation failed");
                }
                z.hold(pfn, 1);
            }
            if (z.nrReservedHighatomic() != target || z.a.nrFreeHighatomic(0) != 0) {
                throw new IllegalStateException("setup: HA " + z.nrReservedHighatomic() + ", want " + target);
            }
            // two MOVABLE pageblocks with one free order-1 half each: the smallest blocks on the MOVABLE lists
            for (int i = 0; i < 2; i++) {
                long x = z.take("GFP_HIGHUSER_MOVABLE", 2, StressZone.CPU0);
                z.release(x + 2, 1, StressZone.CPU0);
            }
            z.a.drainAllPages();
            z.a.clearWatermarkBoost(0);
            haBefore = z.nrReservedHighatomic();
        }

        void cpu0Softirq() {
            p0 = z.alloc(ATOMIC_MOVABLE, 1, Context.SOFTIRQ, StressZone.CPU0);
        }

        void cpu1Softirq() {
            p1 = z.alloc(ATOMIC_MOVABLE, 1, Context.SOFTIRQ, StressZone.CPU1);
        }

        void arbiter(III_Result r) {
            r.r1 = (int) ((z.nrReservedHighatomic() - haBefore) / z.pbPages);
            r.r2 = (p0 >= 0 ? 1 : 0) + (p1 >= 0 ? 1 : 0);
            r.r3 = Integrity.check(z, p0, 1, p1, 1);
        }
    }

    @JCStressTest
    @Description("linux-4.8: two softirqs reserve a highatomic pageblock at once, one block below the cap")
    @Outcome(id = "1, 2, 0", expect = ACCEPTABLE, desc = "one reservation; the other CPU re-checked the cap under the zone lock")
    @Outcome(id = "2, .*, .*", expect = FORBIDDEN, desc = "the highatomic reserve exceeded its cap")
    @Outcome(id = "0, 2, 0", expect = FORBIDDEN, desc = "no reservation although the reserve was below its cap")
    @Outcome(id = ".*, [01], 0", expect = FORBIDDEN, desc = "an order-1 atomic allocation failed in a mostly free zone")
    @Outcome(id = ".*, .*, 1", expect = FORBIDDEN, desc = "a page handed to two owners")
    @Outcome(id = ".*, .*, 2", expect = FORBIDDEN, desc = "counters disagree with the lists")
    @Outcome(id = ".*, .*, 3", expect = FORBIDDEN, desc = "a page lost")
    @State
    public static class Linux48 {
        final Scenario s = new Scenario("linux-4.8");

        @Actor
        public void cpu0Softirq() {
            s.cpu0Softirq();
        }

        @Actor
        public void cpu1Softirq() {
            s.cpu1Softirq();
        }

        @Arbiter
        public void arbiter(III_Result r) {
            s.arbiter(r);
        }
    }

    @JCStressTest
    @Description("linux-6.1: two softirqs reserve a highatomic pageblock at once, one block below the cap")
    @Outcome(id = "1, 2, 0", expect = ACCEPTABLE, desc = "one reservation; the other CPU re-checked the cap under the zone lock")
    @Outcome(id = "2, .*, .*", expect = FORBIDDEN, desc = "the highatomic reserve exceeded its cap")
    @Outcome(id = "0, 2, 0", expect = FORBIDDEN, desc = "no reservation although the reserve was below its cap")
    @Outcome(id = ".*, [01], 0", expect = FORBIDDEN, desc = "an order-1 atomic allocation failed in a mostly free zone")
    @Outcome(id = ".*, .*, 1", expect = FORBIDDEN, desc = "a page handed to two owners")
    @Outcome(id = ".*, .*, 2", expect = FORBIDDEN, desc = "counters disagree with the lists")
    @Outcome(id = ".*, .*, 3", expect = FORBIDDEN, desc = "a page lost")
    @State
    public static class Linux61 {
        final Scenario s = new Scenario("linux-6.1");

        @Actor
        public void cpu0Softirq() {
            s.cpu0Softirq();
        }

        @Actor
        public void cpu1Softirq() {
            s.cpu1Softirq();
        }

        @Arbiter
        public void arbiter(III_Result r) {
            s.arbiter(r);
        }
    }
}
