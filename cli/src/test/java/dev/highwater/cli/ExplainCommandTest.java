package dev.highwater.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `highwater explain` and `highwater report` end to end: exit statuses, summary lines, files. */
class ExplainCommandTest extends CommandTest {
    @TempDir
    Path tmp;

    private static Path root() {
        Path p = Path.of("").toAbsolutePath();
        return Files.isDirectory(p.resolve("corpus")) ? p : p.getParent();
    }

    @Test
    void explainsTheSeedFolder() {
        Path seeds = root().resolve("../shared/seeds");
        int rc = Main.run("explain", seeds.toString());
        String o = out.toString(StandardCharsets.UTF_8);
        assertThat(rc).isZero();
        assertThat(o).contains("diagnosis: highatomic-only (preset linux-4.9)")
            .contains("diagnosis: fragmentation (preset linux-2.6.32)")
            .endsWith("summary: reports=14 diagnosed=9 not_allocator=0 unparsed=0\n");
    }

    @Test
    void truncatedLogIsBadInputWithFileAndLine() throws Exception {
        String raw = Files.readString(root().resolve("../shared/seeds/000_e32e322c1b8fb7c4.txt"));
        Path cut = tmp.resolve("cut.log");
        // cut inside the buddy line, before its "= 1492kB" total (a log cut after the zone lines, with no buddy line at
        // all, is an excerpt: its order-0 request is judged by the watermarks)
        Files.writeString(cut, raw.substring(0, raw.indexOf("0*1024kB 0*2048kB 0*4096kB = 1492kB")));
        int rc = Main.run("explain", cut.toString());
        assertThat(rc).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains(cut + ":135: truncated buddy line for zone Normal")
            .doesNotContain("Exception");
        assertThat(out.toString(StandardCharsets.UTF_8)).endsWith("summary: reports=0 diagnosed=0 not_allocator=0 unparsed=1\n");
    }

    @Test
    void aReportCutOffByTheNextCostsOnlyItself() throws Exception {
        // a real 3.10 log: the first vmalloc failure's Mem-Info is cut off by the second report, which is whole
        Path log = root().resolve("reports/src/test/resources/logs/wild/16-3.10-i386-highmem-vmalloc-failure-interrupted.txt");
        int rc = Main.run("explain", log.toString());
        assertThat(rc).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains(log + ":45: truncated report: 'Mem-Info:' is not"
            + " followed by any zone line").contains("(this report skipped; the file's 1 other(s) are explained)")
            .doesNotContain("Exception");
        assertThat(out.toString(StandardCharsets.UTF_8)).contains(log + ":54: vmalloc: allocation failure: 24576 bytes")
            .endsWith("summary: reports=1 diagnosed=0 not_allocator=1 unparsed=1\n");
    }

    @Test
    void aSnapshotIsAskedTheRequestsGivenAndABadRequestIsBadInput() throws Exception {
        Path snap = root().resolve("reports/src/test/resources/snapshots/linux-4.9-highatomic.txt");
        int rc = Main.run("explain", snap.toString(), "--request", "order=0 gfp=GFP_ATOMIC softirq", "--request",
            "order=4 gfp=GFP_ATOMIC softirq");
        String o = out.toString(StandardCharsets.UTF_8);
        // exit 1: a request asked of the snapshot would fail there
        assertThat(rc).isEqualTo(1);
        assertThat(o).contains("diagnosis: snapshot (preset linux-4.9)")
            .contains("  order-0 GFP_ATOMIC in softirq: FAILS — free pages only in highatomic blocks.")
            .contains("  order-4 GFP_ATOMIC in softirq: succeeds in the slow path")
            .doesNotContain("GFP_KERNEL:")
            .endsWith("summary: reports=1 diagnosed=0 not_allocator=0 unparsed=0 snapshots=1 requests_failing=1\n");
        out.reset();
        assertThat(Main.run("explain", snap.toString(), "--request", "order=4 gfp=GFP_ATOMIC softirq")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).endsWith("snapshots=1 requests_failing=0\n");
        out.reset();
        rc = Main.run("explain", snap.toString(), "--request", "order=0 gfp=GFP_KERNEL softirq");
        assertThat(rc).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--request 'order=0 gfp=GFP_KERNEL softirq':"
            + " order-0 GFP_KERNEL may sleep (it may reclaim): it cannot run in softirq").doesNotContain("Exception");
        assertThat(out.toString(StandardCharsets.UTF_8)).endsWith("error=bad_request\n");
    }

    @Test
    void dashReadsStandardInput() throws Exception {
        byte[] snap = Files.readAllBytes(root().resolve("reports/src/test/resources/snapshots/linux-4.9-highatomic.txt"));
        var stdin = System.in;
        try {
            System.setIn(new java.io.ByteArrayInputStream(snap));
            assertThat(Main.run("explain", "-")).isEqualTo(1);
        } finally {
            System.setIn(stdin);
        }
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("== <stdin>:2: /proc/zoneinfo + /proc/pagetypeinfo\n")
            .contains("order-0 GFP_ATOMIC in softirq: FAILS").endsWith("summary: reports=1 diagnosed=0 not_allocator=0"
                + " unparsed=0 snapshots=1 requests_failing=3\n");
    }

    @Test
    void reportIntoAFileSaysWhy() throws Exception {
        Path file = Files.writeString(tmp.resolve("not-a-folder"), "x");
        int rc = Main.run("report", root().resolve("corpus/bugs").toString(), "--out", file.toString());
        assertThat(rc).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains(file + ": cannot write the reports: already exists, and is not a folder").doesNotContain("Exception");
        assertThat(out.toString(StandardCharsets.UTF_8)).endsWith("error=io\n");
    }

    @Test
    void reportWritesFourFiles() throws Exception {
        int rc = Main.run("report", root().resolve("corpus/bugs").toString(), "--out", tmp.toString());
        assertThat(rc).isZero();
        for (String f : new String[] {"report.txt", "report.md", "report.html", "junit.xml"}) {
            assertThat(tmp.resolve(f)).isRegularFile();
        }
        assertThat(out.toString(StandardCharsets.UTF_8)).containsPattern("summary: traces=\\d+ findings=\\d+ out=");
    }
}
