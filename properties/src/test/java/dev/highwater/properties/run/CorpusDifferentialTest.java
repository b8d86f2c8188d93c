package dev.highwater.properties.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.highwater.model.policy.KernelPolicy;
import dev.highwater.model.policy.Presets;
import dev.highwater.model.trace.Trace;
import dev.highwater.model.trace.TraceParser;
import dev.highwater.properties.PropertyCatalog;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Replays every corpus trace on the reference and the optimized allocator, under every preset (under its own preset
 * for machines over {@link #ALL_PRESETS_UP_TO_PAGES} pages), comparing results and snapshots after every
 * step ({@link Differential}); and judges every trace on the optimized allocator alone, which
 * must give the verdict the reference gives (no problems: recorded results and expect lines hold).
 */
class CorpusDifferentialTest {

    /** Machines up to this size are replayed under every preset. */
    static final long ALL_PRESETS_UP_TO_PAGES = 65_536;

    @TestFactory
    Stream<DynamicTest> everyCorpusTraceRunsIdenticallyOnBothAllocators() throws Exception {
        List<Path> files = CorpusReplayTest.traces();
        assertThat(files).isNotEmpty();
        return files.stream().map(f -> DynamicTest.dynamicTest(CorpusReplayTest.corpus().relativize(f).toString(), () -> {
            Trace t = TraceParser.parseFile(f);
            // every preset on small machines; on large ones (a 500,000-page seed) the trace's own
            List<KernelPolicy> presets = t.node().totalManagedPages() <= ALL_PRESETS_UP_TO_PAGES ? Presets.all()
                : List.of(Presets.byName(t.policy()).orElseThrow());
            for (KernelPolicy p : presets) {
                Differential.Report r = Differential.run(t, p);
                assertThat(r.mismatch()).as(f + " under " + p.name()).isEmpty();
                assertThat(r.steps()).as(f + " under " + p.name() + " ran to the end")
                    .isEqualTo(r.stoppedBy().isPresent() ? r.steps() : t.ops().size());
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> everyCorpusTraceIsAsExpectedOnTheOptimizedAllocator() throws Exception {
        TraceRunner fast = new TraceRunner(PropertyCatalog.all(), AllocatorKind.FAST);
        return CorpusReplayTest.traces().stream().map(f -> DynamicTest.dynamicTest(
            CorpusReplayTest.corpus().relativize(f).toString(), () -> {
                Trace t = TraceParser.parseFile(f);
                Verdict v = Verdict.judge(t, fast, null);
                assertThat(v.problems()).as("problems of " + f + " on the optimized allocator").isEmpty();
            }));
    }
}
