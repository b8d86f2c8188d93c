package dev.highwater.stress.tests;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

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
 * Per-CPU free vs drain. Process context on CPU 0 frees two order-0 pages A then B onto its per-CPU list
 * ({@code free_unref_page}, §4.5: NR_FREE_PAGES untouched); process context on CPU 1, after direct reclaim failed,
 * runs {@code drain_all_pages} (§4.5, §7.1), which takes each CPU's per-CPU lock in turn and returns its pages to the
 * buddy lists under the zone lock. A page is on exactly one list at every instant; the drain sees zero, one or both.
 *
 * <p>Per-CPU batch 1, high 64: nothing else drains. Outcome {@code r1, r2}: how many of A and B are still on a per-CPU
 * list afterwards, the {@link Integrity} code.
 */
public final class PcpFreeVsDrain {
    private PcpFreeVsDrain() {
    }

    static final class Scenario {
        final StressZone z;
        final long pa;
        final long pb;

        Scenario(String preset) {
            z = new StressZone(preset, 256, 2, 4, 1, 64);
            pa = z.take("GFP_HIGHUSER_MOVABLE", 0, StressZone.CPU0);
            pb = z.take("GFP_HIGHUSER_MOVABLE", 0, StressZone.CPU0);
            z.held.clear(); // A and B belong to the freeing actor
        }

        void cpu0Free() {
            z.a.freePages(pa, 0, StressZone.CPU0);
            z.a.freePages(pb, 0, StressZone.CPU0);
        }

        void cpu1Drain() {
            z.a.drainAllPages();
        }

        void arbiter(II_Result r) {
            r.r1 = (z.onPcp(pa) ? 1 : 0) + (z.onPcp(pb) ? 1 : 0);
            r.r2 = Integrity.check(z);
        }
    }

    @JCStressTest
    @Description("linux-4.8: free_unref_page of two pages on CPU 0 vs drain_all_pages from CPU 1")
    @Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "the drain ran after both frees: both pages back in the buddy lists")
    @Outcome(id = "1, 0", expect = ACCEPTABLE_INTERESTING, desc = "the drain ran between the frees: A drained, B on the per-CPU list")
    @Outcome(id = "2, 0", expect = ACCEPTABLE, desc = "the drain ran before the frees: both pages on the per-CPU list")
    @Outcome(id = ".*, 1", expect = FORBIDDEN, desc = "a page on two lists or handed out twice")
    @Outcome(id = ".*, 2", expect = FORBIDDEN, desc = "counters disagree with the lists")
    @Outcome(id = ".*, 3", expect = FORBIDDEN, desc = "a page lost")
    @State
    public static class Linux48 {
        final Scenario s = new Scenario("linux-4.8");

        @Actor
        public void cpu0Free() {
            s.cpu0Free();
        }

        @Actor
        public void cpu1Drain() {
            s.cpu1Drain();
        }

        @Arbiter
        public void arbiter(II_Result r) {
            s.arbiter(r);
        }
    }

    @JCStressTest
    @Description("linux-6.1: free_unref_page of two pages on CPU 0 vs drain_all_pages from CPU 1")
    @Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "the drain ran after both frees: both pages back in the buddy lists")
    @Outcome(id = "1, 0", expect = ACCEPTABLE_INTERESTING, desc = "the drain ran between the frees: A drained, B on the per-CPU list")
    @Outcome(id = "2, 0", expect = ACCEPTABLE, desc = "the drain ran before the frees: both pages on the per-CPU list")
    @Outcome(id = ".*, 1", expect = FORBIDDEN, desc = "a page on two lists or handed out twice")
    @Outcome(id = ".*, 2", expect = FORBIDDEN, desc = "counters disagree with the lists")
    @Outcome(id = ".*, 3", expect = FORBIDDEN, desc = "a page lost")
    @State
    public static class Linux61 {
        final Scenario s = new Scenario("linux-6.1");

        @Actor
        public void cpu0Free() {
            s.cpu0Free();
        }

        @Actor
        public void cpu1Drain() {
            s.cpu1Drain();
        }

        @Arbiter
        public void arbiter(II_Result r) {
            s.arbiter(r);
        }
    }
}
