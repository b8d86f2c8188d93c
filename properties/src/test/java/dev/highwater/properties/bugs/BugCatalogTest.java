package dev.highwater.properties.bugs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.highwater.model.policy.Presets;
import dev.highwater.model.trace.Trace;
import dev.highwater.model.trace.TraceParser;
import dev.highwater.properties.PropertyCatalog;
import dev.highwater.properties.run.Outcome;
import dev.highwater.properties.run.TraceRunner;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Every sequential catalog bug: its trace violates its property under each buggy preset and is clean under each fixed one. */
class BugCatalogTest {
    private static Path corpus() {
        String p = System.getProperty("highwater.corpus");
        return (p != null ? Path.of(p) : Path.of("../corpus")).toAbsolutePath().normalize();
    }

    @Test
    void catalogIsWellFormed() {
        assertThat(BugCatalog.all()).hasSizeGreaterThanOrEqualTo(7);
        for (KnownBug b : BugCatalog.all()) {
            assertThat(PropertyCatalog.byId(b.property())).as(b.id()).isPresent();
            b.buggy().forEach(n -> assertThat(Presets.byName(n)).as(n).isPresent());
            b.fixed().forEach(n -> assertThat(Presets.byName(n)).as(n).isPresent());
        }
        assertThat(BugCatalog.all().stream().filter(KnownBug::sequential).count()).isGreaterThanOrEqualTo(6);
    }

    @TestFactory
    Stream<DynamicTest> everySequentialBugReproducesAndIsFixed() {
        TraceRunner runner = TraceRunner.standard();
        return BugCatalog.all().stream().filter(KnownBug::sequential).map(b -> DynamicTest.dynamicTest(b.id(), () -> {
            Trace t = TraceParser.parseFile(corpus().resolve(b.trace()));
            for (String name : b.buggy()) {
                Outcome o = runner.run(t, Presets.byName(name).orElseThrow());
                assertThat(o.violation()).as(b.id() + " under " + name).isPresent();
                assertThat(o.violation().get().property()).as(b.id() + " under " + name).isEqualTo(b.property());
            }
            for (String name : b.fixed()) {
                Outcome o = runner.run(t, Presets.byName(name).orElseThrow());
                assertThat(o.violation()).as(b.id() + " under fixed " + name).isEmpty();
            }
        }));
    }
}
