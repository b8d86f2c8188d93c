package dev.highwater.properties.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.highwater.model.policy.Presets;
import dev.highwater.model.trace.Trace;
import dev.highwater.model.trace.TraceParser;
import dev.highwater.properties.PropertyCatalog;
import dev.highwater.properties.bugs.BugCatalog;
import dev.highwater.properties.bugs.KnownBug;
import dev.highwater.properties.run.AllocatorKind;
import dev.highwater.properties.run.Outcome;
import dev.highwater.properties.run.TraceRunner;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * no-oom-with-clean-cache flags an OOM kill only when dropping the clean cache would have lifted a usable zone above
 * min + lowmem_reserve (§7.2's test), not every OOM with a reclaim batch of clean pages left.
 */
class NoOomWithCleanCacheTest {
    private static Path corpus() {
        String p = System.getProperty("highwater.corpus");
        return (p != null ? Path.of(p) : Path.of("../corpus")).toAbsolutePath().normalize();
    }

    private static Outcome run(Trace t, String preset) {
        TraceRunner r = new TraceRunner(List.of(PropertyCatalog.byId("no-oom-with-clean-cache").orElseThrow()),
            AllocatorKind.REFERENCE);
        return r.run(t, Presets.byName(preset).orElseThrow());
    }

    @Test
    void oomWithCleanCacheThatCannotReachMinIsNotAViolation() throws Exception {
        // 512 pages, min 256: the OOM kill at step 6 happens with 43 clean pages, which with the free pages stay at
        // or under min; the property before 2026-12-06 flagged it under every preset from 4.7 on
        Trace t = TraceParser.parseFile(corpus().resolve("hand/oom-clean-cache-at-min-6.8.trace"));
        for (String preset : List.of("linux-4.7", "linux-6.8", "mainline")) {
            Outcome o = run(t, preset);
            assertThat(o.steps().get(5).result()).as(preset).contains("oom-kill=1");
            assertThat(o.violation()).as(preset).isEmpty();
        }
    }

    @Test
    void prematureOrder2OomWithEnoughCleanCacheIsAViolation() throws Exception {
        KnownBug b = BugCatalog.byId("premature-order2-oom").orElseThrow();
        Trace t = TraceParser.parseFile(corpus().resolve(b.trace()));
        Outcome o = run(t, "linux-4.7");
        assertThat(o.violation()).isPresent();
        assertThat(o.violation().get().message()).contains("clean page-cache pages").contains("> min");
        assertThat(run(t, "linux-4.9").violation()).isEmpty();
    }

    @Test
    void order3OomAfterSyncCompactionFoundNoBlockIsNotAViolationFrom49() throws Exception {
        // the CI fuzz smoke's finding: every 4.9+ preset OOM-kills the order-3 request at step 261 with free 102 and
        // 32 clean pages after sync compaction found no block; no aligned order-3 block of free and clean pages
        // exists, so dropping the cache would not have served it. 4.7 gives up after async compaction alone.
        Trace t = TraceParser.parseFile(corpus().resolve("hand/order3-oom-after-sync-compaction.trace"));
        for (String preset : List.of("linux-4.9", "linux-6.1", "mainline")) {
            Outcome o = run(t, preset);
            assertThat(o.steps().get(260).result()).as(preset).contains("oom-kill=1");
            assertThat(o.violation()).as(preset).isEmpty();
        }
        Outcome o47 = run(t, "linux-4.7");
        assertThat(o47.violation()).isPresent();
        assertThat(o47.violation().get().step()).isEqualTo(261);
    }
}
