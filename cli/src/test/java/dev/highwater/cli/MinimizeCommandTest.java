package dev.highwater.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.highwater.model.policy.Presets;
import dev.highwater.model.trace.Trace;
import dev.highwater.model.trace.TraceParser;
import dev.highwater.model.trace.TracePrinter;
import dev.highwater.properties.fuzz.BugClass;
import dev.highwater.properties.fuzz.PolicyTarget;
import dev.highwater.properties.fuzz.TraceDecoder;
import dev.highwater.properties.run.TraceRunner;
import dev.highwater.properties.run.Verdict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MinimizeCommandTest extends CommandTest {
    /** A 25-step policy-linux-6.3 fuzz input (order-0 atomic failure above the floor), written out as a trace. */
    private static Path longFinding(Path dir) throws Exception {
        Trace t = TraceDecoder.decode(HexFormat.of().parseHex("5c455d5c455d5d5daa27"), "linux-6.3", PolicyTarget.MAX_OPS);
        Path f = dir.resolve("finding.trace");
        Files.writeString(f, TracePrinter.print(t));
        return f;
    }

    @Test
    void aLongTraceShrinksWithinItsBugClassIntoATraceThatReplaysAsItsExpectLinesSay(@TempDir Path dir) throws Exception {
        Path f = longFinding(dir);
        String input = Files.readString(f);
        var p = Presets.byName("linux-6.3").orElseThrow();
        Trace original = TraceParser.parseFile(f);
        BugClass before = BugClass.of(original, p, "order0-atomic-above-floor").orElseThrow();

        int rc = Main.run("minimize", f.toString());
        assertThat(rc).as(stderr()).isZero();
        Path min = dir.resolve("finding.min.trace");
        assertThat(stdout()).contains("MINIMIZED  " + f).contains(before.describe()).contains("-> " + min)
            .containsPattern("summary: traces=1 minimized=1 bad=0 steps_before=25 steps_after=(\\d) evaluations=\\d+");
        assertThat(Files.readString(f)).as("the input is left as it was").isEqualTo(input);

        Trace m = TraceParser.parseFile(min);
        assertThat(m.ops().size()).isLessThan(original.ops().size());
        assertThat(BugClass.of(m, p, "order0-atomic-above-floor")).contains(before);
        assertThat(Verdict.judge(m, TraceRunner.standard(), null).asExpected()).isTrue();
        assertThat(m.expectations()).hasSize(Presets.all().size());
        assertThat(m.comments()).anyMatch(c -> c.startsWith("minimized by `highwater minimize` from finding.trace"));

        // deterministic: a second run finds the same trace there and leaves it
        String text = Files.readString(min);
        assertThat(Main.run("minimize", f.toString())).isZero();
        assertThat(Files.readString(min)).isEqualTo(text);

        // a file of that name with other content is never overwritten
        Files.writeString(min, "# mine\n" + text);
        assertThat(Main.run("minimize", f.toString())).isEqualTo(2);
        assertThat(stderr()).contains(min + ": exists with other content; not overwritten");
        assertThat(Files.readString(min)).isEqualTo("# mine\n" + text);
    }

    @Test
    void aCorpusTraceMinimizedAgainLosesTheHeaderLinesOfWhatItWas(@TempDir Path dir) throws Exception {
        Path f = longFinding(dir);
        String stale = "# length: 32 -> 25 steps\n# violation: stale\n# bug class: stale\n# removed by: stale\n"
            + "# verdicts: stale\n# kept: a line of the person's own\n";
        Files.writeString(f, stale + Files.readString(f));
        assertThat(Main.run("minimize", f.toString())).as(stderr()).isZero();
        Trace m = TraceParser.parseFile(dir.resolve("finding.min.trace"));
        assertThat(m.comments()).noneMatch(c -> c.endsWith("stale")).contains("kept: a line of the person's own")
            .filteredOn(c -> c.startsWith("bug class: ")).hasSize(1);
        assertThat(m.comments()).filteredOn(c -> c.startsWith("length: ")).singleElement().asString()
            .startsWith("length: 25 -> ");
    }

    @Test
    void withOutTheTraceGoesWhereTheCorpusKeepsFindings(@TempDir Path dir) throws Exception {
        Path f = longFinding(dir);
        Path corpus = dir.resolve("corpus-fuzz");
        assertThat(Main.run("minimize", "--out", corpus.toString(), "--max-evals", "200", f.toString())).isZero();
        try (var s = Files.list(corpus.resolve("linux-6.3"))) {
            assertThat(s.map(x -> x.getFileName().toString()).toList()).singleElement().asString()
                .matches("order0-atomic-above-floor-[0-9a-f]{12}\\.trace");
        }
        try (var s = Files.list(dir)) {
            assertThat(s.filter(x -> x.toString().endsWith(".min.trace")).toList()).isEmpty();
        }
    }

    @Test
    void aFolderIsSearchedForTracesButNotForTheOnesThisCommandWrote(@TempDir Path dir) throws Exception {
        Path sub = Files.createDirectories(dir.resolve("a/b"));
        Path f = longFinding(sub);
        assertThat(Main.run("minimize", "--max-evals", "200", dir.toString())).isZero();
        assertThat(sub.resolve("finding.min.trace")).exists();
        assertThat(Main.run("minimize", "--max-evals", "200", dir.toString())).as(stderr()).isZero();
        assertThat(stdout()).contains("summary: traces=1 minimized=1").doesNotContain("finding.min.min.trace");
        assertThat(f).exists();
    }

    @Test
    void badInputIsNamedWithItsFileAndLineAndExitsTwo(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.trace");
        Files.writeString(bad, "highwater-trace 1\npolicy mainline\nzone Normal pages=64\nalloc #1 order=zero gfp=GFP_KERNEL\n");
        Path clean = dir.resolve("clean.trace");
        Files.writeString(clean, "highwater-trace 1\npolicy mainline\nzone Normal pages=256\nalloc #1 order=0 gfp=GFP_KERNEL\n");
        Path f = longFinding(dir);

        int rc = Main.run("minimize", bad.toString(), clean.toString(), dir.resolve("none.trace").toString());
        assertThat(rc).isEqualTo(2);
        assertThat(stderr()).contains(bad + ":4:").contains(clean + ": nothing to minimize: it holds every property under mainline")
            .contains("none.trace: no such file").doesNotContain("Exception");
        assertThat(stdout()).contains("summary: traces=3 minimized=0 bad=3");

        assertThat(Main.run("minimize", "--property", "no-oom-above-min", f.toString())).isEqualTo(2);
        assertThat(stderr()).contains("under linux-6.3 it violates order0-atomic-above-floor first");
        assertThat(Main.run("minimize", "--preset", "linux-9", f.toString())).isEqualTo(2);
        assertThat(stdout()).contains("summary: traces=0 minimized=0 error=usage");
        try (var s = Files.list(dir)) {
            assertThat(s.filter(x -> x.toString().endsWith(".min.trace")).toList()).as("nothing written").isEmpty();
        }
    }
}
