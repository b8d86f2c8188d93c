package dev.highwater.reports;

import static org.assertj.core.api.Assertions.assertThat;

import dev.highwater.model.MigrateType;
import dev.highwater.model.ZoneSnapshot;
import dev.highwater.model.kernellog.KernelLogParser;
import dev.highwater.model.kernellog.KernelReport;
import dev.highwater.model.kernellog.KernelReport.ZoneState;
import dev.highwater.model.policy.KernelPolicy;
import dev.highwater.model.policy.Presets;
import dev.highwater.model.trace.Trace;
import dev.highwater.model.trace.TraceParser;
import dev.highwater.properties.run.Outcome;
import dev.highwater.properties.run.TraceRunner;
import dev.highwater.reports.explain.Explainer;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Renders the model's own zone states in every preset's report format and parses them back: the free pages,
 * watermarks, lowmem_reserve, buddy counts, migratetype letters (4.4+), reserved_highatomic (6.1+) and the preset
 * (from the release) must all come back exactly, across versions and zone layouts.
 */
class KernelTextRoundTripTest {
    static final List<String> TRACES = List.of("seeds/seed-000-atomic-highatomic.trace",
        "seeds/seed-004-order10-fragmentation.trace", "seeds/seed-001-network-burst.trace",
        "hand/highatomic-only-order0-failure.trace");

    @Test
    void everyPresetFormatParsesBackToTheSameState() throws Exception {
        Path corpus = Path.of(System.getProperty("highwater.corpus", "../corpus"));
        int checked = 0;
        for (String t : TRACES) {
            Trace trace = TraceParser.parseFile(corpus.resolve(t));
            for (KernelPolicy p : Presets.all()) {
                Outcome o = TraceRunner.standard().run(trace.withPolicy(p.name()), p);
                for (int step : new int[] {0, o.steps().size() / 2, o.steps().size()}) {
                    List<ZoneSnapshot> zs = step == 0 ? o.initial() : o.steps().get(step - 1).zones();
                    String text = KernelText.render(p, trace.node(), zs, Optional.of(new KernelText.Request("t", 1,
                        p.gfpLayout().composite("GFP_ATOMIC"), step % 2 == 1)));
                    List<KernelReport> back = KernelLogParser.parse(text, t + "@" + p.name());
                    assertThat(back).as(text).hasSize(1);
                    KernelReport r = back.get(0);
                    int[] v = r.version().orElseThrow();
                    assertThat(Explainer.presetFor(v[0], v[1]).name()).isEqualTo(p.name());
                    assertThat(r.gfpValue().getAsLong()).isEqualTo(p.gfpLayout().composite("GFP_ATOMIC").encode(p.gfpLayout()));
                    assertThat(r.zones()).hasSize(zs.size());
                    for (int i = 0; i < zs.size(); i++) {
                        assertZone(p, r.zones().get(i), zs.get(i), text);
                        checked++;
                    }
                }
            }
        }
        assertThat(checked).isGreaterThan(100);
    }

    private static void assertZone(KernelPolicy p, ZoneState z, ZoneSnapshot s, String text) {
        assertThat(z.pages("free").getAsLong()).as(text).isEqualTo(s.nrFreePages());
        assertThat(z.pages("min").getAsLong()).isEqualTo(s.min());
        assertThat(z.pages("low").getAsLong()).isEqualTo(s.low());
        assertThat(z.pages("high").getAsLong()).isEqualTo(s.high());
        assertThat(z.lowmemReserve()).isEqualTo(s.lowmemReserve());
        boolean v6 = !List.of("linux-2.6.32", "linux-4.4", "linux-4.7", "linux-4.8", "linux-4.9", "linux-4.10")
            .contains(p.name());
        assertThat(z.pages("reserved_highatomic").isPresent()).isEqualTo(v6);
        if (v6) {
            assertThat(z.pages("reserved_highatomic").getAsLong()).isEqualTo(s.nrReservedHighatomic());
        }
        assertThat(z.buddy()).hasSize(s.freeBlocks().size());
        for (int o = 0; o < s.freeBlocks().size(); o++) {
            List<Long> row = s.freeBlocks().get(o);
            assertThat(z.buddy().get(o).count()).isEqualTo(row.stream().mapToLong(Long::longValue).sum());
            for (MigrateType t : MigrateType.values()) {
                boolean printed = z.buddy().get(o).has(t);
                boolean expected = !p.name().equals("linux-2.6.32") && row.get(t.ordinal()) > 0;
                assertThat(printed).as("order %d type %s under %s", o, t, p.name()).isEqualTo(expected);
            }
        }
    }
}
