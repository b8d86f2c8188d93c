package dev.highwater.reports;

import static org.assertj.core.api.Assertions.assertThat;

import dev.highwater.model.trace.Trace;
import dev.highwater.model.trace.TraceParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The four reports of a finding: a violating corpus trace gives a kernel dump, charts, Markdown and a JUnit failure. */
class ReportsTest {
    @TempDir
    Path dir;

    @Test
    void findingProducesTextMarkdownHtmlAndJunit() throws Exception {
        Path corpus = Path.of(System.getProperty("highwater.corpus", "../corpus"));
        Path file = corpus.resolve("seeds/seed-000-atomic-highatomic.trace");
        Trace t = TraceParser.parseFile(file);
        Reports.Written w = Reports.writeAll(dir, List.of(Finding.of(t, Optional.of(file))), List.of("test run"));
        assertThat(w.findings()).isEqualTo(1);

        String txt = Files.readString(w.text());
        // the kernel-format dump at the failing step: the 4.9 warn_alloc header and an all-H buddy line
        assertThat(txt).contains("order0-atomic-above-floor under linux-4.9")
            .contains("highwater: page allocation failure: order:0, mode:0x2080020(GFP_ATOMIC)")
            .contains("CPU: 0 PID: 1 Comm: highwater Not tainted 4.9.123 #1").contains("Mem-Info:")
            .containsPattern("Normal: 0\\*4kB 1\\*8kB \\(H\\) .* = \\d+kB").contains("lowmem_reserve[]: 0").contains("pages RAM");

        String html = Files.readString(w.html());
        // self-contained: uPlot inlined, no external script, style or image
        assertThat(html).contains("uPlot").doesNotContain("<script src").doesNotContain("<link ")
            .doesNotContainPattern("src=\"https?:");
        assertThat(Pattern.compile("new uPlot\\(").matcher(html).results().count()).isEqualTo(3);
        assertThat(html).contains("free pages vs watermarks").contains("free pages per migratetype")
            .contains("free blocks per order at step").contains("HIGHATOMIC (H)").contains("highwater-trace 1");

        String md = Files.readString(w.markdown());
        assertThat(md).contains("| seed-000-atomic-highatomic.trace | order0-atomic-above-floor | linux-4.9 |")
            .contains("```text\n# Seed 000").contains("highwater-trace 1\npolicy linux-4.9");

        String junit = Files.readString(w.junit());
        assertThat(junit).contains("tests=\"1\" failures=\"1\"")
            .contains("<testcase classname=\"highwater.linux-4.9\" name=\"order0-atomic-above-floor: seed-000")
            .contains("<failure type=\"order0-atomic-above-floor\"");
    }

    @Test
    void cleanTraceIsAPassingTestCase() throws Exception {
        Path corpus = Path.of(System.getProperty("highwater.corpus", "../corpus"));
        Path file = corpus.resolve("seeds/seed-001-network-burst.trace");
        Reports.Written w = Reports.writeAll(dir, List.of(Finding.of(TraceParser.parseFile(file), Optional.of(file))));
        String junit = Files.readString(w.junit());
        assertThat(junit).contains("tests=\"1\" failures=\"0\"").doesNotContain("<failure");
        // 2.6.32 format: no letters, "failure." header not printed because the last step succeeded
        String txt = Files.readString(w.text());
        String dump = txt.substring(0, txt.indexOf("# Seed 001"));
        assertThat(dump).contains("Node 0 Normal free:").contains("Node 0 Normal: 1*4kB 1*8kB 0*16kB")
            .doesNotContain("page allocation failure").doesNotContain("(U");
    }
}
