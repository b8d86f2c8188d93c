package dev.highwater.properties.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.highwater.model.policy.Presets;
import dev.highwater.model.trace.Trace;
import dev.highwater.model.trace.TraceParser;
import dev.highwater.properties.bugs.Attribution;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link CorpusBugs} over the checked-in corpus, and {@link BugClass} of the catalog's traces. */
class CorpusBugsTest {
    static Path corpus() {
        String p = System.getProperty("highwater.corpus");
        return (p != null ? Path.of(p) : Path.of("../corpus")).toAbsolutePath().normalize();
    }

    @Test
    void everyCatalogTraceIsIndexedAndAFixableBugIsItsOwnMechanism() throws Exception {
        List<String> warnings = new ArrayList<>();
        CorpusBugs index = CorpusBugs.index(corpus(), warnings::add);
        assertThat(warnings).isEmpty();
        List<Path> bugs;
        try (var s = Files.list(corpus().resolve("bugs"))) {
            bugs = s.filter(f -> f.toString().endsWith(".trace")).sorted().toList();
        }
        assertThat(bugs).hasSize(6);
        for (Path f : bugs) {
            Trace t = TraceParser.parseFile(f);
            String property = CorpusBugs.ownViolation(t).orElseThrow();
            BugClass c = BugClass.of(t, Presets.byName(t.policy()).orElseThrow(), property).orElseThrow();
            String id = f.getFileName().toString().replace(".trace", "");
            // the fixes Attribution can apply remove their own bug; the others have no single switch
            assertThat(c.mechanism().contains(id)).as(id).isEqualTo(Attribution.bugsWithFix().contains(id));
            CorpusBugs.Known k = index.find(c).orElseThrow();
            assertThat(k.steps()).as(id).isLessThanOrEqualTo(t.ops().size());
        }
    }

    @Test
    void anIndexIsTheSameEveryTime() {
        assertThat(CorpusBugs.index(corpus(), w -> { }).classes())
            .containsExactlyEntriesOf(CorpusBugs.index(corpus(), w -> { }).classes());
    }

    @Test
    void aTraceThatDoesNotViolateIsNoClassAndABrokenFileIsNamedByLine(@TempDir Path dir) throws Exception {
        Trace hand = TraceParser.parseFile(corpus().resolve("bugs/free-highatomic-tracking.trace"));
        // under mainline (fixed) the same ops violate nothing: no class
        assertThat(BugClass.of(hand, Presets.byName("mainline").orElseThrow(), "no-oom-above-min")).isEmpty();
        // under its own preset, another property is no class either
        assertThat(BugClass.of(hand, Presets.byName("linux-6.8").orElseThrow(), "highatomic-within-cap")).isEmpty();
        Files.writeString(dir.resolve("a.trace"), "highwater-trace 1\npolicy linux-4.8\nbogus line\n");
        Files.copy(corpus().resolve("bugs/free-highatomic-tracking.trace"), dir.resolve("b.trace"));
        List<String> warnings = new ArrayList<>();
        CorpusBugs index = CorpusBugs.index(dir, warnings::add);
        assertThat(warnings).singleElement().asString().startsWith(dir.resolve("a.trace") + ":3: ");
        assertThat(index.classes().values()).extracting(CorpusBugs.Known::file).containsExactly(dir.resolve("b.trace"));
        assertThat(CorpusBugs.index(dir.resolve("missing"), warnings::add).classes()).isEmpty();
    }
}
