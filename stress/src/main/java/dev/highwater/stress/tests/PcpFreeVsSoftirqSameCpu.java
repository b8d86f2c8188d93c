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
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * Per-CPU free vs a softirq allocation on the <em>same</em> CPU. Process context on CPU 0 frees an UNMOVABLE order-0
 * page A onto CPU 0's per-CPU list while a network-receive softirq on CPU 0 allocates GFP_ATOMIC order 0 from the same
 * list. The softirq cannot run inside the free's per-CPU critical section (the kernel disables interrupts there,
 * §4.5; the model shares CPU 0's per-CPU lock), so it either finds A on the list or refills from the buddy lists.
 *
 * <p>Per-CPU batch 1, high 64. Outcome {@code r1, r2}: whether the softirq got A, the {@link Integrity} code.
 */
public final class PcpFreeVsSoftirqSameCpu {
    private PcpFreeVsSoftirqSameCpu() {
    }

    static final class Scenario {
        final StressZone z;
        final long pa;
        long got = -1;

        Scenario(String preset) {
            z = new StressZone(preset, 256, 2, 4, 1, 64);
            pa = z.take("GFP_KERNEL", 0, StressZone.CPU0);
            z.held.clear(); // A belongs to the freeing actor
            z.a.clearWatermarkBoost(0);
        }

        void cpu0Free() {
            z.a.freePages(pa, 0, StressZone.CPU0);
        }

        void cpu0Softirq() {
            got = z.alloc("GFP_ATOMIC", 0, Context.SOFTIRQ, StressZone.CPU0);
        }

        void arbiter(II_Result r) {
            r.r1 = got == pa ? 1 : got >= 0 ? 0 : -1;
            r.r2 = Integrity.check(z, got, 0);
        }
    }

    @JCStressTest
    @Description("linux-4.8: free_unref_page on CPU 0 vs a GFP_ATOMIC softirq allocation on CPU 0")
    @Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "the softirq ran after the free and took A from the per-CPU list")
    @Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "the softirq ran before the free and refilled from the buddy lists")
    @Outcome(id = "-1, .*", expect = FORBIDDEN, desc = "the softirq failed in an almost empty zone")
    @Outcome(id = ".*, 1", expect = FORBIDDEN, desc = "a page handed to two owners")
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
        public void cpu0Softirq() {
            s.cpu0Softirq();
        }

        @Arbiter
        public void arbiter(II_Result r) {
            s.arbiter(r);
        }
    }

    @JCStressTest
    @Description("linux-6.1: free_unref_page on CPU 0 vs a GFP_ATOMIC softirq allocation on CPU 0")
    @Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "the softirq ran after the free and took A from the per-CPU list")
    @Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "the softirq ran before the free and refilled from the buddy lists")
    @Outcome(id = "-1, .*", expect = FORBIDDEN, desc = "the softirq failed in an almost empty zone")
    @Outcome(id = ".*, 1", expect = FORBIDDEN, desc = "a page handed to two owners")
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
        public void cpu0Softirq() {
            s.cpu0Softirq();
        }

        @Arbiter
        public void arbiter(II_Result r) {
            s.arbiter(r);
        }
    }
}
