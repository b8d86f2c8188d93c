package dev.highwater.stress;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The {@code mvn verify} stress run: JCStress on {@link StressMain#VERIFY_TESTS} in short iterations (forked JVMs,
 * about a minute on two idle cores). Fails on any FORBIDDEN outcome and when the double decrease of
 * nr_reserved_highatomic is not observed under linux-4.8. {@code -Dhw.stress.skip=true} skips it.
 */
class QuickStressTest {

    @Test
    void verifySubsetHasNoForbiddenOutcomeAndShowsTheHistoricRace() throws Exception {
        Assumptions.assumeFalse(Boolean.getBoolean("hw.stress.skip"), "hw.stress.skip is set");
        Path report = Path.of(System.getProperty("hw.stress.report", "target/highwater/stress-verify"));
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
        int status = StressMain.run(new String[] {"--mode", "verify", "--quiet", "--report", report.toString()}, out,
            System.err);
        String text = buf.toString(StandardCharsets.UTF_8);
        System.out.print(text);
        assertThat(status).as(text).isZero();
        String[] lines = text.strip().split("\n");
        String summary = lines[lines.length - 1];
        assertThat(summary).startsWith("summary: tests=5 forbidden=0 races_expected=2 races_observed=2 errors=0");
        assertThat(report.resolve("index.html")).exists();
        assertThat(Files.readString(report.resolve("summary.txt"))).contains("UnreserveVsPcpFree.Linux49");
    }
}
