package dev.highwater.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.highwater.model.policy.Presets;
import dev.highwater.model.trace.Trace;
import dev.highwater.model.trace.TraceParser;
import dev.highwater.properties.fuzz.BugClass;
import dev.highwater.properties.fuzz.FindingWriter;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code highwater fuzz}'s filing of minimized findings ({@link FuzzCommand#file}): under {@code --dedup class} a
 * finding of a bug class the corpus already has goes to {@code <out>/known/} and names the corpus trace, the run's
 * shortest trace of a new class goes to the corpus, whatever order the findings come in; under {@code --dedup trace}
 * every distinct trace goes to the corpus. The two linux-4.4 no-oom-above-min traces are one class (both gone with
 * free-highatomic-tracking's fix) from different runs; the order0-atomic-above-floor one is another.
 */
class FuzzDedupTest {
    private static final String SHORT = "linux-4.4-no-oom-above-min-short.trace";
    private static final String LONG = "linux-4.4-no-oom-above-min-long.trace";
    private static final String OTHER = "linux-4.4-order0-atomic-above-floor.trace";

    @TempDir
    Path dir;

    private static String text(String name) throws Exception {
        try (InputStream in = FuzzDedupTest.class.getResourceAsStream("dedup/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** A finding as the minimizing phase leaves it: minimized and classified, not yet written. */
    private static FuzzCommand.Finding finding(String name) throws Exception {
        return finding(name,
            name.replace("linux-4.4-", "").replace(".trace", "").replace("-short", "").replace("-long", ""));
    }

    private static FuzzCommand.Finding finding(String name, String property) throws Exception {
        Trace t = TraceParser.parse(name, text(name));
        var preset = Presets.byName("linux-4.4").orElseThrow();
        BugClass c = BugClass.of(t, preset, property).orElseThrow();
        String key = FindingWriter.sha1(text(name).getBytes(StandardCharsets.UTF_8)).substring(0, 12);
        var m = new FindingWriter.Minimized(t, c, c.removal(t), 32, t.ops().size(), 1, key,
            "linux-4.4/" + property + "-" + key + ".trace");
        var what = new FuzzSupport.Classified(FuzzSupport.Verdict.POLICY, "linux-4.4", property, null);
        return new FuzzCommand.Finding("policy-linux-4.4", name, what, m, null, null, false, "");
    }

    private FuzzCommand command(FuzzCommand.Dedup dedup) {
        FuzzCommand f = new FuzzCommand();
        f.corpus = dir.resolve("corpus");
        f.outDir = dir.resolve("out");
        f.dedup = dedup;
        return f;
    }

    private static List<Path> traces(Path d) throws Exception {
        if (!Files.isDirectory(d)) {
            return List.of();
        }
        try (var s = Files.walk(d)) {
            return s.filter(p -> p.toString().endsWith(".trace")).sorted().toList();
        }
    }

    @Test
    void theTwoTracesAreOneClassAndTheThirdAnother() throws Exception {
        assertThat(finding(SHORT).bugClass()).isEqualTo(finding(LONG).bugClass());
        assertThat(finding(SHORT).bugClass().mechanism()).containsExactly("free-highatomic-tracking");
        assertThat(finding(OTHER).bugClass()).isNotEqualTo(finding(SHORT).bugClass());
    }

    @Test
    void aRunsShortestTraceOfANewClassGoesToTheCorpusInEitherOrder() throws Exception {
        for (List<String> order : List.of(List.of(LONG, SHORT, OTHER), List.of(SHORT, OTHER, LONG))) {
            Path run = dir.resolve("run-" + order.get(0));
            FuzzCommand cmd = command(FuzzCommand.Dedup.CLASS);
            cmd.corpus = run.resolve("corpus");
            cmd.outDir = run.resolve("out");
            List<FuzzCommand.Finding> in = new ArrayList<>();
            for (String n : order) {
                in.add(finding(n));
            }
            List<FuzzCommand.Finding> out = cmd.file(in, cmd.corpus.resolve("fuzz"));
            assertThat(out).extracting(FuzzCommand.Finding::artifact).containsExactlyElementsOf(order); // own order
            FuzzCommand.Finding s = out.get(order.indexOf(SHORT));
            FuzzCommand.Finding l = out.get(order.indexOf(LONG));
            FuzzCommand.Finding o = out.get(order.indexOf(OTHER));
            assertThat(s.isNew()).isTrue();
            assertThat(s.file()).startsWith(cmd.corpus.resolve("fuzz")).exists();
            assertThat(o.isNew()).isTrue();
            assertThat(l.isNew()).isFalse();
            assertThat(l.sameAs()).isEqualTo(s.file());
            assertThat(l.file()).startsWith(cmd.outDir.resolve("known")).exists();
            assertThat(traces(cmd.corpus)).containsExactlyInAnyOrder(s.file(), o.file());
        }
    }

    @Test
    void findingsFirstCleanInDifferentPresetsButFirstGoneWithTheSameSwitchAreOneBug() throws Exception {
        // two 4.4 order-0 atomic failures (corpus/fuzz): 4.7 holds the first; the second violates under 4.7 and 4.8
        // on another path and holds first under 4.9. Each goes with 4.7's fastPathCheck=IGNORES_HIGHATOMIC alone.
        FuzzCommand.Finding in47 = finding("linux-4.4-order0-clean-in-4.7.trace", "order0-atomic-above-floor");
        FuzzCommand.Finding in49 = finding("linux-4.4-order0-clean-in-4.9.trace", "order0-atomic-above-floor");
        assertThat(in47.bugClass().mechanism()).containsExactly("linux-4.7");
        assertThat(in49.bugClass().mechanism()).containsExactly("linux-4.9");
        assertThat(in47.minimized().filed()).isEqualTo(in49.minimized().filed());
        assertThat(in49.minimized().filed().describe()).isEqualTo("order0-atomic-above-floor under linux-4.4 (not a"
            + " catalog bug: first gone with linux-4.7's fastPathCheck=IGNORES_HIGHATOMIC)");
        assertThat(in49.minimized().removedBy()).isEqualTo("linux-4.9's fastPathCheck=IGNORES_HIGHATOMIC alone");
        assertThat(in49.minimized().describe()).isEqualTo(in49.minimized().filed().describe());
        assertThat(finding(SHORT).minimized().describe()).isEqualTo(finding(SHORT).bugClass().describe())
            .endsWith("(gone with the fix of free-highatomic-tracking)");
        List<FuzzCommand.Finding> out = command(FuzzCommand.Dedup.CLASS).file(List.of(in49, in47),
            dir.resolve("corpus/fuzz"));
        FuzzCommand.Finding first = out.get(0).isNew() ? out.get(0) : out.get(1);
        FuzzCommand.Finding second = out.get(0).isNew() ? out.get(1) : out.get(0);
        assertThat(first.isNew()).isTrue();
        assertThat(second.isNew()).isFalse();
        assertThat(second.sameAs()).isEqualTo(first.file());
    }

    @Test
    void aClassTheCorpusHasIsKnownAndTheCorpusUnchanged() throws Exception {
        // the corpus holds the long trace (another run's finding, as a person would have committed it)
        Path held = dir.resolve("corpus/fuzz/linux-4.4/no-oom-above-min-committed.trace");
        Files.createDirectories(held.getParent());
        Files.writeString(held, text(LONG));
        // and a file that does not parse: left out of the index with its path and line, the run goes on
        Path bad = dir.resolve("corpus/hand/broken.trace");
        Files.createDirectories(bad.getParent());
        Files.writeString(bad, "highwater-trace 1\npolicy linux-4.4\nzone Normal pages=lots\n");
        var err = new java.io.ByteArrayOutputStream();
        var oldErr = System.err;
        System.setErr(new java.io.PrintStream(err, true, StandardCharsets.UTF_8));
        List<FuzzCommand.Finding> out;
        try {
            out = command(FuzzCommand.Dedup.CLASS).file(List.of(finding(SHORT), finding(OTHER)), dir.resolve("corpus/fuzz"));
        } finally {
            System.setErr(oldErr);
        }
        assertThat(err.toString(StandardCharsets.UTF_8)).contains(bad + ":3:");
        assertThat(out.get(0).isNew()).isFalse();
        assertThat(out.get(0).sameAs()).isEqualTo(held);
        assertThat(out.get(0).file()).startsWith(dir.resolve("out/known"));
        assertThat(out.get(1).isNew()).isTrue();
        assertThat(traces(dir.resolve("corpus/fuzz"))).containsExactlyInAnyOrder(held, out.get(1).file());
        assertThat(Files.readString(held)).isEqualTo(text(LONG));
    }

    @Test
    void dedupTraceWritesEveryDistinctTraceAndAnExactOneIsNotNew() throws Exception {
        List<FuzzCommand.Finding> first = command(FuzzCommand.Dedup.TRACE)
            .file(List.of(finding(SHORT), finding(LONG)), dir.resolve("corpus/fuzz"));
        assertThat(first).allMatch(FuzzCommand.Finding::isNew);
        assertThat(traces(dir.resolve("corpus/fuzz"))).hasSize(2);
        // the same traces again: in the corpus already, so not new, under either dedup, and nothing is copied
        for (FuzzCommand.Dedup d : FuzzCommand.Dedup.values()) {
            List<FuzzCommand.Finding> again = command(d).file(List.of(finding(SHORT), finding(LONG)), dir.resolve("corpus/fuzz"));
            assertThat(again).noneMatch(FuzzCommand.Finding::isNew);
            assertThat(again).extracting(FuzzCommand.Finding::file).containsExactlyElementsOf(
                first.stream().map(FuzzCommand.Finding::file).toList());
        }
        assertThat(traces(dir.resolve("out"))).isEmpty();
    }
}
