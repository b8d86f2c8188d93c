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
 * Alloc vs alloc of the last page above min. The zone has exactly {@code min + 1} free pages, so one order-0
 * ALLOC_WMARK_MIN request may pass {@code __zone_watermark_ok} (free &gt; min, §2.1) and the next may not. Process
 * context on CPU 0 and a softirq on CPU 1 (GFP_NOWAIT, no reserve access) ask at once. Both read NR_FREE_PAGES
 * without the zone lock (§2.2, §2.4), so both can see {@code min + 1} and both take a page: free dips to
 * {@code min − 1}. The kernel accepts this race; it is the interesting row.
 *
 * <p>Per-CPU batch 1, high 0: a refill moves one page, so the counter drops by exactly one per allocation.
 * Outcome {@code r1, r2, r3}: whether CPU 0 got a page, whether CPU 1's softirq got one, the {@link Integrity} code.
 */
public final class AllocVsAllocAboveMin {
    private AllocVsAllocAboveMin() {
    }

    /** One sample's zone. */
    static final class Scenario {
        final StressZone z;
        long p0 = -1;
        long p1 = -1;

        Scenario(String preset) {
            z = new StressZone(preset, 1024, 2, 4, 1, 0);
            z.fillTo(z.min() + 1, "GFP_HIGHUSER_MOVABLE", StressZone.CPU0);
            z.a.clearWatermarkBoost(0);
        }

        void cpu0Process() {
            p0 = z.alloc("GFP_HIGHUSER_MOVABLE", 0, Context.PROCESS, StressZone.CPU0, AllocFlags.WMARK_MIN);
        }

        void cpu1Softirq() {
            p1 = z.alloc("GFP_NOWAIT", 0, Context.SOFTIRQ, StressZone.CPU1, AllocFlags.WMARK_MIN);
        }

        void arbiter(III_Result r) {
            r.r1 = p0 >= 0 ? 1 : 0;
            r.r2 = p1 >= 0 ? 1 : 0;
            r.r3 = Integrity.check(z, p0, 0, p1, 0);
        }
    }

    @JCStressTest
    @Description("linux-4.8: two order-0 min-watermark allocations race for the last page above min")
    @Outcome(id = {"1, 0, 0", "0, 1, 0"}, expect = ACCEPTABLE, desc = "one allocator took the last page above min; the other saw free <= min")
    @Outcome(id = "1, 1, 0", expect = ACCEPTABLE_INTERESTING, desc = "both passed the lock-free watermark check: free dipped below min (accepted by the kernel)")
    @Outcome(id = "0, 0, 0", expect = FORBIDDEN, desc = "both refused although a page above min was free")
    @Outcome(id = ".*, .*, 1", expect = FORBIDDEN, desc = "a page handed to two owners")
    @Outcome(id = ".*, .*, 2", expect = FORBIDDEN, desc = "counters disagree with the lists")
    @Outcome(id = ".*, .*, 3", expect = FORBIDDEN, desc = "a page lost")
    @State
    public static class Linux48 {
        final Scenario s = new Scenario("linux-4.8");

        @Actor
        public void cpu0Process() {
            s.cpu0Process();
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
    @Description("linux-6.1: two order-0 min-watermark allocations race for the last page above min")
    @Outcome(id = {"1, 0, 0", "0, 1, 0"}, expect = ACCEPTABLE, desc = "one allocator took the last page above min; the other saw free <= min")
    @Outcome(id = "1, 1, 0", expect = ACCEPTABLE_INTERESTING, desc = "both passed the lock-free watermark check: free dipped below min (accepted by the kernel)")
    @Outcome(id = "0, 0, 0", expect = FORBIDDEN, desc = "both refused although a page above min was free")
    @Outcome(id = ".*, .*, 1", expect = FORBIDDEN, desc = "a page handed to two owners")
    @Outcome(id = ".*, .*, 2", expect = FORBIDDEN, desc = "counters disagree with the lists")
    @Outcome(id = ".*, .*, 3", expect = FORBIDDEN, desc = "a page lost")
    @State
    public static class Linux61 {
        final Scenario s = new Scenario("linux-6.1");

        @Actor
        public void cpu0Process() {
            s.cpu0Process();
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
