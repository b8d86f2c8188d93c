package dev.highwater.properties.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.highwater.model.mm.MemorySystem;
import dev.highwater.model.mm.MmEvent;
import dev.highwater.model.policy.Presets;
import dev.highwater.model.trace.Trace;
import dev.highwater.model.trace.TraceParser;
import dev.highwater.properties.PropertyCatalog;
import dev.highwater.properties.run.AllocatorKind;
import dev.highwater.properties.run.TraceRunner;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * kswapd-restores-high holds kswapd to its version's own "balanced" (§8.2): from 4.12 any zone up to the class zone
 * above high is enough, so a stop with DMA at its high watermark and DMA32 above its own is not a violation.
 */
class KswapdRestoresHighTest {
    private static Path corpus() {
        String p = System.getProperty("highwater.corpus");
        return (p != null ? Path.of(p) : Path.of("../corpus")).toAbsolutePath().normalize();
    }

    @Test
    void anyZoneBalancedStopIsNotAViolationFrom412() throws Exception {
        Trace t = TraceParser.parseFile(corpus().resolve("hand/kswapd-any-zone-balanced-dma.trace"));
        TraceRunner r = new TraceRunner(List.of(PropertyCatalog.byId("kswapd-restores-high").orElseThrow()),
            AllocatorKind.REFERENCE);
        for (String preset : List.of("linux-6.1", "linux-6.12", "mainline")) {
            MemorySystem ms = r.boot(t, Presets.byName(preset).orElseThrow());
            MmEvent.KswapdRun run = null;
            for (var op : t.ops()) {
                ms.apply(op);
                for (MmEvent e : ms.stepEvents()) {
                    if (e instanceof MmEvent.KswapdRun k) {
                        run = k;
                    }
                }
            }
            // the case is reached: kswapd stopped with DMA at or under high and pages it could drop at once, DMA32 above
            assertThat(run).as(preset).isNotNull();
            MmEvent.ZoneState dma = run.after().get(0);
            MmEvent.ZoneState dma32 = run.after().get(1);
            assertThat(dma.free()).as(preset).isLessThanOrEqualTo(dma.high());
            assertThat(dma.freeableNow()).as(preset).isPositive();
            assertThat(dma32.free()).as(preset).isGreaterThan(dma32.high());
            assertThat(r.run(t, Presets.byName(preset).orElseThrow()).violation()).as(preset).isEmpty();
        }
    }
}
