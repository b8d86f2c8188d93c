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
    void oomAfterSyncCompactionFoundNoBlockIsNotAViolationFrom49() throws Exception {
        // two fuzz findings: every 4.9+ preset OOM-kills an order-3 request (free 102, clean 32, every order-3 block
        // holding a pinned or dirty page) and an order-1 request (free 129, clean 67, of which one more reclaim round
        // would have freed adjacent pages) after sync compaction found no block: compaction feedback's designed end
        // (§7.3). 4.7 gives up after async compaction alone, which is its premature-order2-oom.
        for (var c : List.of(new Object[] {"hand/order3-oom-after-sync-compaction.trace", 261},
                new Object[] {"hand/order1-oom-after-sync-compaction.trace", 10})) {
            Trace t = TraceParser.parseFile(corpus().resolve((String) c[0]));
            int step = (Integer) c[1];
            for (String preset : List.of("linux-4.9", "linux-6.1", "mainline")) {
                Outcome o = run(t, preset);
                assertThat(o.steps().get(step - 1).result()).as("%s %s", c[0], preset).contains("oom-kill=1");
                assertThat(o.violation()).as("%s %s", c[0], preset).isEmpty();
            }
            Outcome o47 = run(t, "linux-4.7");
            assertThat(o47.violation()).as("%s linux-4.7", c[0]).isPresent();
            assertThat(o47.violation().get().step()).isEqualTo(step);
        }
    }

    @Test
    void oomAfterFeedbackJudgedCompactionNotSuitableIsNotAViolationFrom49() throws Exception {
        // a CI fuzz finding: order-3 OOM kill with 154 clean pages, compaction skipped (free 77 under a boosted min of
        // 112) and compaction_zonelist_suitable false (154/3 + 77 = 128, not above 112 + 16): feedback ends the
        // retries (§7.3). The model records it just before the kill; without that event the property flagged it.
        Trace t = TraceParser.parseFile(corpus().resolve("hand/order3-oom-compaction-not-suitable.trace"));
        // 6.1 on (5.0's watermark boost raised min to 112); 4.9 and 4.10, at min 64, compact and succeed
        for (String preset : List.of("linux-6.1", "linux-6.8", "mainline")) {
            TraceRunner r = new TraceRunner(List.of(PropertyCatalog.byId("no-oom-with-clean-cache").orElseThrow()),
                AllocatorKind.REFERENCE);
            dev.highwater.model.mm.MemorySystem ms = r.boot(t, Presets.byName(preset).orElseThrow());
            for (int i = 0; i < 9; i++) {
                ms.apply(t.ops().get(i));
            }
            assertThat(ms.apply(t.ops().get(9))).as(preset).contains("oom-kill=1");
            List<dev.highwater.model.mm.MmEvent> ev = ms.stepEvents();
            int kill = -1;
            for (int i = 0; i < ev.size(); i++) {
                if (ev.get(i) instanceof dev.highwater.model.mm.MmEvent.OomKill) {
                    kill = i;
                    break;
                }
            }
            assertThat(kill).as(preset).isPositive();
            assertThat(ev.get(kill - 1)).as(preset).isInstanceOfSatisfying(
                dev.highwater.model.mm.MmEvent.CompactionGaveUp.class,
                g -> assertThat(g.reason())
                    .isEqualTo(dev.highwater.model.mm.MmEvent.CompactionGaveUp.Reason.ZONELIST_NOT_SUITABLE));
            assertThat(run(t, preset).violation()).as(preset).isEmpty();
        }
        Outcome o47 = run(t, "linux-4.7");
        assertThat(o47.violation()).isPresent();
        assertThat(o47.violation().get().step()).isEqualTo(10);
    }
}
