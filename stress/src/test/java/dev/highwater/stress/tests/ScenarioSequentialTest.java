package dev.highwater.stress.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.highwater.stress.HistoricRace;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.infra.results.II_Result;
import org.openjdk.jcstress.infra.results.IIII_Result;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * Each JCStress scenario run on one thread in both actor orders: the serial outcomes must be the ones the outcome
 * tables name, graded as the tables grade them. This pins the setups (a scenario whose setup drifted would make the
 * concurrent run meaningless) and shows the historic race as a plain interleaving: under the pre-fix presets the
 * free-before-unreserve order gives the double decrease, under the fixed presets it does not.
 */
class ScenarioSequentialTest {

    static String r(III_Result x) {
        return x.r1 + ", " + x.r2 + ", " + x.r3;
    }

    static String r(IIII_Result x) {
        return x.r1 + ", " + x.r2 + ", " + x.r3 + ", " + x.r4;
    }

    static String r(II_Result x) {
        return x.r1 + ", " + x.r2;
    }

    /** How the class's outcome table grades an outcome id (the first matching row, as JCStress does). */
    static Expect grade(Class<?> test, String id) {
        for (Outcome o : test.getAnnotationsByType(Outcome.class)) {
            String[] ids = o.id().length == 0 ? new String[] {".*"} : o.id();
            for (String pattern : ids) {
                if (Pattern.compile(pattern).matcher(id).matches()) {
                    return o.expect();
                }
            }
        }
        return Expect.UNKNOWN;
    }

    @Test
    void allocVsAllocGivesTheLastPageAboveMinToWhoeverComesFirst() {
        for (String preset : new String[] {"linux-4.8", "linux-6.1"}) {
            var s = new AllocVsAllocAboveMin.Scenario(preset);
            s.cpu0Process();
            s.cpu1Softirq();
            III_Result x = new III_Result();
            s.arbiter(x);
            assertThat(r(x)).as(preset).isEqualTo("1, 0, 0");
            s = new AllocVsAllocAboveMin.Scenario(preset);
            s.cpu1Softirq();
            s.cpu0Process();
            x = new III_Result();
            s.arbiter(x);
            assertThat(r(x)).as(preset).isEqualTo("0, 1, 0");
        }
        assertThat(grade(AllocVsAllocAboveMin.Linux48.class, "1, 1, 0")).isEqualTo(Expect.ACCEPTABLE_INTERESTING);
        assertThat(grade(AllocVsAllocAboveMin.Linux48.class, "1, 1, 2")).isEqualTo(Expect.FORBIDDEN);
    }

    @Test
    void pcpFreeVsDrainLeavesBothOrNeitherPageOnTheList() {
        for (String preset : new String[] {"linux-4.8", "linux-6.1"}) {
            var s = new PcpFreeVsDrain.Scenario(preset);
            s.cpu0Free();
            s.cpu1Drain();
            II_Result x = new II_Result();
            s.arbiter(x);
            assertThat(r(x)).as(preset).isEqualTo("0, 0");
            s = new PcpFreeVsDrain.Scenario(preset);
            s.cpu1Drain();
            s.cpu0Free();
            x = new II_Result();
            s.arbiter(x);
            assertThat(r(x)).as(preset).isEqualTo("2, 0");
        }
    }

    @Test
    void softirqOnTheSameCpuTakesTheFreedPageOnlyAfterTheFree() {
        for (String preset : new String[] {"linux-4.8", "linux-6.1"}) {
            var s = new PcpFreeVsSoftirqSameCpu.Scenario(preset);
            s.cpu0Free();
            s.cpu0Softirq();
            II_Result x = new II_Result();
            s.arbiter(x);
            assertThat(r(x)).as(preset).isEqualTo("1, 0");
            s = new PcpFreeVsSoftirqSameCpu.Scenario(preset);
            s.cpu0Softirq();
            s.cpu0Free();
            x = new II_Result();
            s.arbiter(x);
            assertThat(r(x)).as(preset).isEqualTo("0, 0");
        }
    }

    @Test
    void twoReserversMakeExactlyOneReservationAtTheCap() {
        for (String preset : new String[] {"linux-4.8", "linux-6.1"}) {
            for (boolean cpu0First : new boolean[] {true, false}) {
                var s = new ReserveVsReserve.Scenario(preset);
                if (cpu0First) {
                    s.cpu0Softirq();
                    s.cpu1Softirq();
                } else {
                    s.cpu1Softirq();
                    s.cpu0Softirq();
                }
                III_Result x = new III_Result();
                s.arbiter(x);
                assertThat(r(x)).as(preset + " cpu0First=" + cpu0First).isEqualTo("1, 2, 0");
            }
        }
        assertThat(grade(ReserveVsReserve.Linux48.class, "2, 2, 0")).isEqualTo(Expect.FORBIDDEN);
    }

    @Test
    void freeBeforeUnreserveDecrementsTwiceOnlyBeforeTheFix() {
        String[][] cases = {{"linux-4.4", "0, -1, 1"}, {"linux-4.8", "0, -1, 1"}, {"linux-4.9", "0, 0, 0"},
            {"linux-4.10", "0, 0, 0"}};
        for (String[] c : cases) {
            var s = new UnreserveVsPcpFree.Scenario(c[0]);
            s.cpu0Free(); // reads HIGHATOMIC and caches it with the page on CPU 0's list
            s.cpu1Unreserve();
            III_Result x = new III_Result();
            s.arbiter(x);
            assertThat(r(x)).as(c[0] + " free first").isEqualTo(c[1]);
            s = new UnreserveVsPcpFree.Scenario(c[0]);
            s.cpu1Unreserve();
            s.cpu0Free(); // reads MOVABLE
            x = new III_Result();
            s.arbiter(x);
            assertThat(r(x)).as(c[0] + " unreserve first").isEqualTo("0, 0, 0");
        }
        // the tables: interesting (and required) before the fix, forbidden after it
        assertThat(grade(UnreserveVsPcpFree.Linux48.class, "0, -1, 1")).isEqualTo(Expect.ACCEPTABLE_INTERESTING);
        assertThat(grade(UnreserveVsPcpFree.Linux49.class, "0, -1, 1")).isEqualTo(Expect.FORBIDDEN);
        assertThat(grade(UnreserveVsPcpFree.Linux410.class, "0, 0, 1")).isEqualTo(Expect.FORBIDDEN);
        for (Class<?> pre : new Class<?>[] {UnreserveVsPcpFree.Linux44.class, UnreserveVsPcpFree.Linux48.class}) {
            HistoricRace[] races = pre.getAnnotationsByType(HistoricRace.class);
            assertThat(races).hasSize(2);
            for (HistoricRace h : races) {
                assertThat("0, -1, 1").matches(h.outcome());
                assertThat("0, 0, 0").doesNotMatch(h.outcome());
            }
        }
        assertThat(UnreserveVsPcpFree.Linux49.class.getAnnotationsByType(HistoricRace.class)).isEmpty();
    }

    @Test
    void unreserveVsPcpFreeUnder6xKeepsHaRightWhateverTheOrder() {
        for (String preset : new String[] {"linux-6.1", "mainline"}) {
            var s = new UnreserveVsPcpFree.Scenario(preset);
            s.cpu0Free();
            s.cpu1Unreserve();
            IIII_Result x = new IIII_Result();
            s.arbiter(x);
            // 6.1 keeps the cached HIGHATOMIC type on the per-CPU list (the stale page of §6.6); 6.10+ does not
            assertThat(r(x)).as(preset + " free first").isEqualTo("linux-6.1".equals(preset) ? "0, 0, 0, 1" : "0, 0, 0, 0");
            s = new UnreserveVsPcpFree.Scenario(preset);
            s.cpu1Unreserve();
            s.cpu0Free();
            x = new IIII_Result();
            s.arbiter(x);
            assertThat(r(x)).as(preset + " unreserve first").isEqualTo("0, 0, 0, 0");
        }
        assertThat(grade(UnreserveVsPcpFree.Linux61.class, "0, 0, 0, 1")).isEqualTo(Expect.ACCEPTABLE_INTERESTING);
        assertThat(grade(UnreserveVsPcpFree.Linux61.class, "0, -1, 1, 1")).isEqualTo(Expect.FORBIDDEN);
        assertThat(grade(UnreserveVsPcpFree.Mainline.class, "0, 0, 0, 1")).isEqualTo(Expect.FORBIDDEN);
        assertThat(grade(UnreserveVsPcpFree.Mainline.class, "0, -1, 0, 0")).isEqualTo(Expect.FORBIDDEN);
        assertThat(grade(UnreserveVsPcpFree.Mainline.class, "0, 0, 1, 0")).isEqualTo(Expect.FORBIDDEN);
        assertThat(UnreserveVsPcpFree.Linux61.class.getAnnotationsByType(HistoricRace.class)).isEmpty();
    }

    @Test
    void aLockFreeCheckThatSawTheFreedBlockIsFollowedByAnAllocationThatFindsIt() {
        for (String preset : new String[] {"linux-4.8", "linux-6.1"}) {
            var s = new FreeVsWatermarkCheck.Scenario(preset);
            s.cpu0SoftirqFree();
            s.cpu1Process();
            III_Result x = new III_Result();
            s.arbiter(x);
            assertThat(r(x)).as(preset + " free first").isEqualTo("1, 1, 0");
            s = new FreeVsWatermarkCheck.Scenario(preset);
            s.cpu1Process();
            s.cpu0SoftirqFree();
            x = new III_Result();
            s.arbiter(x);
            assertThat(r(x)).as(preset + " check first").isEqualTo("0, 0, 0");
            s = new FreeVsWatermarkCheck.Scenario(preset);
            s.cpu1Check();
            s.cpu0SoftirqFree();
            s.cpu1Alloc();
            x = new III_Result();
            s.arbiter(x);
            assertThat(r(x)).as(preset + " free between").isEqualTo("0, 1, 0");
        }
        assertThat(grade(FreeVsWatermarkCheck.Linux48.class, "0, 1, 0")).isEqualTo(Expect.ACCEPTABLE_INTERESTING);
        assertThat(grade(FreeVsWatermarkCheck.Linux61.class, "1, 0, 0")).isEqualTo(Expect.FORBIDDEN);
        assertThat(grade(FreeVsWatermarkCheck.Linux61.class, "1, 2, 0")).isEqualTo(Expect.FORBIDDEN);
        assertThat(grade(FreeVsWatermarkCheck.Linux48.class, "1, 1, 2")).isEqualTo(Expect.FORBIDDEN);
    }

    @Test
    void softirqBurstGetsTwoPagesPlusWhatReclaimFreedInTime() {
        for (String preset : new String[] {"linux-4.8", "linux-6.1"}) {
            var s = new SoftirqBurstVsReclaim.Scenario(preset);
            s.cpu1SoftirqBurst();
            s.kswapdReclaim();
            II_Result x = new II_Result();
            s.arbiter(x);
            assertThat(r(x)).as(preset).isEqualTo("0, 0");
            s = new SoftirqBurstVsReclaim.Scenario(preset);
            s.kswapdReclaim();
            s.cpu1SoftirqBurst();
            x = new II_Result();
            s.arbiter(x);
            assertThat(r(x)).as(preset).isEqualTo("2, 0");
        }
    }
}
