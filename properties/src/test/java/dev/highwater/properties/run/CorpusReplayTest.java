package dev.highwater.properties.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.highwater.model.trace.Trace;
import dev.highwater.model.trace.TraceParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Replays every checked-in corpus trace: each must behave as its recorded results and expect lines say. */
class CorpusReplayTest {

    static Path corpus() {
        String p = System.getProperty("highwater.corpus");
        Path dir = p != null ? Path.of(p) : Path.of("../corpus");
        return dir.toAbsolutePath().normalize();
    }

    static List<Path> traces() throws Exception {
        try (Stream<Path> s = Files.walk(corpus())) {
            return s.filter(f -> f.toString().endsWith(".trace")).sorted().toList();
        }
    }

    @Test
    void corpusHasTheHandWrittenTraces() throws Exception {
        assertThat(traces()).extracting(f -> f.getFileName().toString())
            .contains("highatomic-reserve.trace", "watermark-min-failure.trace", "highatomic-only-order0-failure.trace");
    }

    @TestFactory
    Stream<DynamicTest> everyCorpusTraceIsAsExpected() throws Exception {
        TraceRunner runner = TraceRunner.standard();
        return traces().stream().map(f -> DynamicTest.dynamicTest(corpus().relativize(f).toString(), () -> {
            Trace t = TraceParser.parseFile(f);
            Verdict v = Verdict.judge(t, runner, null);
            assertThat(v.problems()).as("problems of " + f).isEmpty();
            assertThat(v.runs()).isNotEmpty();
        }));
    }

    @Test
    void theHighatomicTraceViolatesOnlyWherePresetsLackTheFix() throws Exception {
        Trace t = TraceParser.parseFile(corpus().resolve("hand/highatomic-only-order0-failure.trace"));
        Verdict v = Verdict.judge(t, TraceRunner.standard(), null);
        assertThat(v.runs()).filteredOn(o -> o.violation().isPresent()).extracting(Outcome::preset)
            .containsExactly("linux-4.8", "linux-4.10", "linux-6.3");
        Outcome own = v.runs().get(0);
        // the failing step leaves free 160 pages, all on HIGHATOMIC lists, above the atomic floor of 48
        var z = own.steps().get(own.steps().size() - 1).zones().get(0);
        assertThat(z.nrFreePages()).isEqualTo(160);
        assertThat(z.nrFreeHighatomic()).isEqualTo(160);
    }
}
