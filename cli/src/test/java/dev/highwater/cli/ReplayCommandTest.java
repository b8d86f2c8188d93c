package dev.highwater.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplayCommandTest extends CommandTest {
    @Test
    void corpusReplaysAsExpected() {
        int rc = Main.run("replay", "-q", Path.of("../corpus").toString());
        assertThat(stdout()).containsPattern("summary: traces=(\\d+) as_expected=\\1 unexpected=0 malformed=0");
        assertThat(rc).isZero();
    }

    @Test
    void perStepTablePrintsResultsAndZoneState() {
        int rc = Main.run("replay", "../corpus/hand/watermark-min-failure.trace", "--preset", "linux-4.8");
        assertThat(rc).isZero();
        assertThat(stdout()).contains("ok=3968 fail=32").contains("Normal free=128 min/low/high=128/160/192 ha=0");
    }

    @Test
    void malformedTraceIsBadInputWithFileAndLine(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.trace");
        Files.writeString(bad, "highwater-trace 1\npolicy linux-4.8\nzone Normal pages=64\nalloc #1 order=zero gfp=GFP_KERNEL\n");
        int rc = Main.run("replay", bad.toString());
        assertThat(rc).isEqualTo(2);
        assertThat(stderr()).contains(bad + ":4: order must be a whole number, got 'zero'");
        assertThat(stderr()).doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(stdout()).contains("malformed=1");
    }

    @Test
    void wrongRecordedResultIsUnexpected(@TempDir Path dir) throws Exception {
        Path t = dir.resolve("wrong.trace");
        Files.writeString(t, "highwater-trace 1\npolicy linux-4.8\nnode pageblock_order=4 max_order=8\n"
            + "zone Normal pages=256\nalloc #1 order=0 gfp=GFP_KERNEL count=1000 => ok\n");
        int rc = Main.run("replay", "-q", t.toString());
        assertThat(rc).isEqualTo(1);
        assertThat(stdout()).contains("UNEXPECTED").contains("summary: traces=1 as_expected=0 unexpected=1");
    }

    @Test
    void unknownPresetAndMissingPathAreBadInput() {
        assertThat(Main.run("replay", "--preset", "linux-9.9", "../corpus")).isEqualTo(2);
        assertThat(Main.run("replay", "no/such/dir")).isEqualTo(2);
        assertThat(stdout()).contains("summary:");
    }
}
