package dev.highwater.stress;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.infra.Status;

/** The judgement of a stress run, on made-up outcome counts: what fails it and what does not. */
class StressRunnerTest {
    static final String PRE = "dev.highwater.stress.tests.UnreserveVsPcpFree.Linux48";
    static final String FIXED = "dev.highwater.stress.tests.UnreserveVsPcpFree.Linux49";

    static StressRunner.Report report(StressRunner.TestSummary... t) {
        return new StressRunner.Report(List.of(t), Path.of("r"));
    }

    @Test
    void theHistoricRaceUnderThePreFixPresetPassesAndCountsAsObserved() {
        var t = StressRunner.judge(PRE, Status.NORMAL, 100, 1000, Map.of("0, -1, 1", 40L, "0, 0, 0", 60L), 0);
        assertThat(t.forbidden()).isZero();
        assertThat(t.expectOf()).containsEntry("0, -1, 1", Expect.ACCEPTABLE_INTERESTING);
        assertThat(t.races()).extracting(StressRunner.RaceSummary::samples).containsExactly(40L, 40L);
        var rep = report(t);
        assertThat(rep.held()).isTrue();
        assertThat(rep.summaryLine()).isEqualTo(
            "summary: tests=1 forbidden=0 races_expected=2 races_observed=2 errors=0 samples=100");
        assertThat(t.samplesPerSecond()).isEqualTo(100.0);
    }

    @Test
    void aPreFixRunThatNeverShowsTheRaceFails() {
        var t = StressRunner.judge(PRE, Status.NORMAL, 60, 1000, Map.of("0, 0, 0", 60L), 0);
        var rep = report(t);
        assertThat(rep.racesExpected()).isEqualTo(2);
        assertThat(rep.racesObserved()).isZero();
        assertThat(rep.held()).isFalse();
    }

    @Test
    void theSameOutcomeUnderTheFixedPresetIsForbidden() {
        var t = StressRunner.judge(FIXED, Status.NORMAL, 100, 1000, Map.of("0, -1, 1", 3L, "0, 0, 0", 97L), 0);
        assertThat(t.forbidden()).isEqualTo(3);
        assertThat(t.races()).isEmpty();
        assertThat(report(t).held()).isFalse();
        // an outcome no row names falls to the catch-all FORBIDDEN row
        var u = StressRunner.judge(FIXED, Status.NORMAL, 1, 1000, Map.of("3, 0, 0", 1L), 0);
        assertThat(u.forbidden()).isEqualTo(1);
    }

    @Test
    void jcstressOwnForbiddenCountAndTestErrorsFailTheRun() {
        var t = StressRunner.judge(FIXED, Status.NORMAL, 10, 1000, Map.of("0, 0, 0", 10L), 2);
        assertThat(t.forbidden()).isEqualTo(2);
        var e = StressRunner.judge(FIXED, Status.TEST_ERROR, 0, 1000, Map.of(), 0);
        assertThat(report(e).held()).isFalse();
        assertThat(report().held()).as("a run with no test").isFalse();
    }

    @Test
    void badArgumentsExitTwoWithASummary() {
        var buf = new java.io.ByteArrayOutputStream();
        var out = new java.io.PrintStream(buf, true, java.nio.charset.StandardCharsets.UTF_8);
        var err = new java.io.PrintStream(new java.io.ByteArrayOutputStream(), true, java.nio.charset.StandardCharsets.UTF_8);
        assertThat(StressMain.run(new String[] {"--mode", "bogus"}, out, err)).isEqualTo(2);
        assertThat(StressMain.run(new String[] {"--tests"}, out, err)).isEqualTo(2);
        assertThat(buf.toString(java.nio.charset.StandardCharsets.UTF_8)).contains("summary: error=usage");
    }
}
