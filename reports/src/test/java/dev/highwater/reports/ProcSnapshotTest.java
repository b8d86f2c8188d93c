package dev.highwater.reports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.highwater.model.MigrateType;
import dev.highwater.model.kernellog.KernelLogException;
import dev.highwater.model.kernellog.KernelLogParser;
import dev.highwater.model.kernellog.KernelReport;
import dev.highwater.model.kernellog.KernelReport.Kind;
import dev.highwater.model.kernellog.KernelReport.ZoneState;
import dev.highwater.reports.explain.Diagnosis;
import dev.highwater.reports.explain.Explainer;
import dev.highwater.reports.explain.Explanation;
import dev.highwater.reports.explain.Probe;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * /proc/zoneinfo + /proc/pagetypeinfo (or buddyinfo) snapshots: parsed into one zone state, explained with probe
 * requests, and used as the zone state of a failure report that lost its Mem-Info. The fixtures: this project's build
 * host captured with {@code cat /proc/version /proc/zoneinfo /proc/pagetypeinfo} (6.18, x86-64), and seed 000's 4.9
 * board written as 4.9 prints zoneinfo and pagetypeinfo (its Mem-Info's numbers, the free pages all HIGHATOMIC).
 */
class ProcSnapshotTest {

    static String fixture(String name) throws Exception {
        try (var in = ProcSnapshotTest.class.getResourceAsStream("/snapshots/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static KernelReport only(List<KernelReport> rs) {
        assertThat(rs).hasSize(1);
        return rs.get(0);
    }

    @Test
    void aHostSnapshotIsOneReportAndItsBlockCountsAreNotBuddyinfo() throws Exception {
        KernelReport r = only(KernelLogParser.parse(fixture("linux-6.18-host.txt"), "host.txt"));
        assertThat(r.kind()).isEqualTo(Kind.SNAPSHOT);
        assertThat(r.header()).isEqualTo("/proc/zoneinfo + /proc/pagetypeinfo");
        assertThat(r.version()).hasValueSatisfying(v -> assertThat(v).containsExactly(6, 18));
        assertThat(r.zones()).extracting(ZoneState::name).containsExactly("DMA", "DMA32", "Normal", "Movable", "Device");
        ZoneState dma = r.zones().get(0);
        assertThat(dma.pages("free")).hasValue(3840);
        assertThat(dma.pages("min")).hasValue(28);
        assertThat(dma.pages("high")).hasValue(42);
        assertThat(dma.lowmemReserve()).containsExactly(0L, 3018L, 8906L, 8906L, 8906L);
        // pagetypeinfo: DMA has one unmovable order-8 block, one movable order-9 and three movable order-10 blocks
        assertThat(dma.pageTypes()).hasValueSatisfying(pt -> {
            assertThat(pt.pageblockOrder()).isEqualTo(9);
            assertThat(pt.free().get(MigrateType.MOVABLE).subList(9, 11)).containsExactly(1L, 3L);
            assertThat(pt.blocks()).containsEntry(MigrateType.MOVABLE, 7L).containsEntry(MigrateType.HIGHATOMIC, 0L);
            assertThat(pt.capped()).isFalse();
        });
        assertThat(dma.buddyPages()).isEqualTo(256 + 512 + 3 * 1024);
        assertThat(dma.buddy().get(10).letters()).isEqualTo("M");
        assertThat(dma.pages("reserved_highatomic")).hasValue(0);
        // the node's LRU counters (per-node stats, printed once in the node's first zone)
        assertThat(r.memInfo()).containsKeys("active_file", "inactive_file", "active_anon", "inactive_anon");
    }

    @Test
    void zoneinfoWithBuddyinfoTakesTheFreeBlocksFromBuddyinfo() throws Exception {
        String zoneinfo = fixture("linux-4.9-highatomic.txt");
        zoneinfo = zoneinfo.substring(0, zoneinfo.indexOf("Page block order"));
        String buddy = "Node 0, zone   Normal      7      5      7      5      6      2      2      0      0      0      0\n";
        KernelReport r = only(KernelLogParser.parse(zoneinfo + buddy, "z.txt"));
        assertThat(r.kind()).isEqualTo(Kind.SNAPSHOT);
        assertThat(r.header()).isEqualTo("/proc/zoneinfo + /proc/buddyinfo");
        ZoneState n = r.zones().get(0);
        assertThat(n.buddyPages()).isEqualTo(373);
        assertThat(n.pageTypes()).isEmpty();
        // buddyinfo has no types: the order-0 atomic request is not refused for the lists' sake
        Explanation e = Explainer.explainAll(List.of(r)).get(0);
        assertThat(e.diagnosis()).isEqualTo(Diagnosis.SNAPSHOT);
        assertThat(e.numbers()).containsEntry("probe0.ok", 1L);
    }

    @Test
    void theHighatomicBoardFailsItsAtomicOrder0Requests() throws Exception {
        List<KernelReport> rs = KernelLogParser.parse(fixture("linux-4.9-highatomic.txt"), "board.txt");
        Explanation e = Explainer.explainAll(rs).get(0);
        assertThat(e.diagnosis()).isEqualTo(Diagnosis.SNAPSHOT);
        assertThat(e.preset()).isEqualTo("linux-4.9");
        assertThat(e.paragraph())
            .contains("Node 0, zone Normal: 373 pages free, min/low/high 241/301/361, 373 of them on HIGHATOMIC lists"
                + " (1 HIGHATOMIC pageblock reserved), largest free order 6.")
            .contains("order-0 GFP_ATOMIC in softirq: FAILS — free pages only in highatomic blocks.")
            .contains("order-3 GFP_ATOMIC in softirq: succeeds in the slow path, from zone Normal");
        assertThat(e.numbers()).containsEntry("probe0.ok", 0L).containsEntry("probe1.ok", 1L)
            .containsEntry("Normal.highatomic_free", 373L).containsEntry("reclaimable", 2636L + 7391L);
        // each failing request's advice: the kernel that fixes it (seed 000's answer), and no tunable that does
        assertThat(e.advice()).contains("order-0 GFP_ATOMIC in softirq — Kernel fix: the same state and request succeed"
            + " under linux-6.1, linux-6.12, mainline (first: Debian's Linux 6.1.y (late 6.1.y: 6.3 reserve flags,"
            + " 281dd25c1a01 and 6.8's unreserve before OOM backported)). No single one of its 28 switch changes from"
            + " linux-4.9 does it alone; reserveRules=V6_3 with highatomicFallback=OOM_AND_NON_BLOCK together does.");
        assertThat(e.advice()).noneMatch(a -> a.startsWith("order-3 GFP_ATOMIC")).noneMatch(a -> a.contains("zone_reclaim"));
        // under mainline's rules (281dd25c1a01: order-0 atomic requests may take HIGHATOMIC blocks) it succeeds
        String asMainline = fixture("linux-4.9-highatomic.txt").replace("Linux version 4.9.123", "Linux version 6.19.0");
        Explanation m = Explainer.explainAll(KernelLogParser.parse(asMainline, "m.txt")).get(0);
        assertThat(m.preset()).isEqualTo("mainline");
        assertThat(m.numbers()).containsEntry("probe0.ok", 1L);
    }

    @Test
    void aRequestOfYourOwnIsReplayedInstead() throws Exception {
        List<KernelReport> rs = KernelLogParser.parse(fixture("linux-4.9-highatomic.txt"), "board.txt");
        Explanation e = Explainer.explainAll(rs, List.of(Probe.parse("order=2 gfp=GFP_NOWAIT"))).get(0);
        assertThat(e.paragraph()).contains("\n  order-2 GFP_NOWAIT: FAILS").doesNotContain("GFP_ATOMIC in softirq");
        assertThatThrownBy(() -> Probe.parse("order=2")).hasMessageContaining("expected order=N gfp=FLAGS [softirq]");
        assertThatThrownBy(() -> Probe.parse("order=x gfp=GFP_KERNEL")).hasMessage("order must be a number, got 'x'");
        assertThatThrownBy(() -> Probe.parse("order=0 gfp=GFP_KERNEL softirq")).hasMessageContaining("cannot run in softirq");
        assertThatThrownBy(() -> Probe.parse("order=0 gfp=GFP_BOGUS")).hasMessageContaining("GFP_BOGUS");
        assertThatThrownBy(() -> Probe.parse("order=0 gfp=GFP_KERNEL now")).hasMessageContaining("unknown word 'now'");
    }

    @Test
    void aFailureWithoutMemInfoIsReplayedOnTheSnapshotInItsFile() throws Exception {
        // seed 000 up to its Mem-Info (the header, the call trace), then the board's snapshot: the same diagnosis
        // and kernel-fix advice as seed 000 with its own Mem-Info
        List<String> seed = Files.readAllLines(ExplainSeedsTest.seed("000_"));
        String headerOnly = String.join("\n", seed.subList(0, seed.indexOf(seed.stream()
            .filter(l -> l.contains("Mem-Info:")).findFirst().orElseThrow()))) + "\n";
        List<KernelReport> rs = KernelLogParser.parse(headerOnly + fixture("linux-4.9-highatomic.txt"), "c.log");
        assertThat(rs).extracting(KernelReport::kind).containsExactly(Kind.ALLOC_FAILURE, Kind.SNAPSHOT);
        Explanation e = Explainer.explainAll(rs).get(0);
        Explanation own = Explainer.explainAll(KernelLogParser.parseFile(ExplainSeedsTest.seed("000_"))).get(0);
        assertThat(e.diagnosis()).isEqualTo(Diagnosis.HIGHATOMIC_ONLY).isEqualTo(own.diagnosis());
        assertThat(e.paragraph()).contains("The log has no Mem-Info for this failure; the zone state is the /proc/zoneinfo"
            + " + /proc/pagetypeinfo snapshot of line ");
        assertThat(e.advice().get(0)).isEqualTo(own.advice().get(0));
        // without the snapshot the same header is a request with no zone state
        assertThat(Explainer.explainAll(KernelLogParser.parse(headerOnly, "h.log")).get(0).diagnosis())
            .isEqualTo(Diagnosis.NO_ZONE_STATE);
    }

    @Test
    void zoneinfoAloneJudgesOrder0RequestsByTheWatermarksOnly() throws Exception {
        String board = fixture("linux-4.9-highatomic.txt");
        String zoneinfo = board.substring(0, board.indexOf("Page block order"));
        List<KernelReport> rs = KernelLogParser.parse(zoneinfo, "z.txt");
        Explanation e = Explainer.explainAll(rs).get(0);
        assertThat(e.paragraph())
            .contains("order-0 GFP_ATOMIC in softirq: (by the watermarks alone: no free blocks per order in the file)"
                + " succeeds")
            .contains("order-3 GFP_ATOMIC in softirq: not judged: the file has no free blocks per order");
        assertThat(e.numbers()).containsEntry("probe0.ok", 1L).doesNotContainKey("probe1.ok");
        // a failure header with it: an order-0 request is replayed on it (free 373 > the atomic floor: it passes in
        // the model, the lists' types unknown), an order-3 one has no zone state
        List<String> seed = Files.readAllLines(ExplainSeedsTest.seed("000_"));
        String header = String.join("\n", seed.subList(0, 115)) + "\n";
        assertThat(Explainer.explainAll(KernelLogParser.parse(header + zoneinfo, "h.log")).get(0).diagnosis())
            .isEqualTo(Diagnosis.PASSES_IN_MODEL);
        String order3 = header.replace("page allocation failure: order:0,", "page allocation failure: order:3,");
        assertThat(order3).isNotEqualTo(header);
        assertThat(Explainer.explainAll(KernelLogParser.parse(order3 + zoneinfo, "h3.log")).get(0).diagnosis())
            .isEqualTo(Diagnosis.NO_ZONE_STATE);
    }

    @Test
    void withSeveralNodesTheFirstNodesZonesAreTriedFirst() throws Exception {
        // node 0's Normal is below the atomic floor, node 1's has plenty: an order-0 atomic request from node 0 gets
        // its page from node 1; nothing from node 1 would have tried node 0 first
        String zoneinfo = "";
        for (String[] n : new String[][] {{"0", "50"}, {"1", "9000"}}) {
            zoneinfo += "Node " + n[0] + ", zone   Normal\n  pages free     " + n[1] + "\n        min      241\n"
                + "        low      301\n        high     361\n        managed  14826\n        protection: (0, 0)\n";
        }
        String buddy = "Node 0, zone   Normal     50      0      0\nNode 1, zone   Normal   9000      0      0\n";
        KernelReport r = only(KernelLogParser.parse(zoneinfo + buddy, "numa.txt"));
        assertThat(r.zones()).extracting(ZoneState::prefix).containsExactly("Node 0, ", "Node 1, ");
        Explanation e = Explainer.explainAll(List.of(r)).get(0);
        assertThat(e.paragraph()).contains("Several nodes: the requests come from Node 0's CPUs")
            .contains("order-0 GFP_ATOMIC in softirq: succeeds, from zone Node 1 Normal: free 9000");
        // with pages on both, node 0 serves its own request
        String both = (zoneinfo + buddy).replace("pages free     50\n", "pages free     8000\n")
            .replace("Normal     50 ", "Normal   8000 ");
        assertThat(Explainer.explainAll(KernelLogParser.parse(both, "numa2.txt")).get(0).paragraph())
            .contains("order-0 GFP_ATOMIC in softirq: succeeds, from zone Node 0 Normal: free 8000");
    }

    @Test
    void withoutAVersionLineTheSnapshotIsReadAsMainlineAndSaysSo() throws Exception {
        String noVersion = fixture("linux-4.9-highatomic.txt").lines().skip(1)
            .reduce("", (a, b) -> a + b + "\n");
        Explanation e = Explainer.explainAll(KernelLogParser.parse(noVersion, "n.txt")).get(0);
        assertThat(e.preset()).isEqualTo("mainline");
        assertThat(e.paragraph()).contains("no 'Linux version' line in the file, so replayed under mainline");
    }

    @Test
    void cappedCountsAndTwoPointSixThirtyTwoTypesAreRead() throws Exception {
        String pti = "Page block order: 9\nPages per block:  512\n\n"
            + "Free pages count per migrate type at order       0      1      2\n"
            + "Node    0, zone   Normal, type    Unmovable      3      0 >100000\n"
            + "Node    0, zone   Normal, type  Reclaimable      0      1      0\n"
            + "Node    0, zone   Normal, type      Movable      5      0      0\n"
            + "Node    0, zone   Normal, type      Reserve      0      0      2\n"
            + "Node    0, zone   Normal, type      Isolate      0      0      0\n\n"
            + "Number of blocks type     Unmovable  Reclaimable      Movable      Reserve      Isolate\n"
            + "Node 0, zone   Normal          100            4          900            2            0\n";
        KernelReport r = only(KernelLogParser.parse(pti, "p.txt"));
        ZoneState z = r.zones().get(0);
        assertThat(r.header()).isEqualTo("/proc/pagetypeinfo");
        assertThat(z.pageTypes()).hasValueSatisfying(pt -> {
            assertThat(pt.capped()).isTrue();
            assertThat(pt.free().get(MigrateType.UNMOVABLE)).containsExactly(3L, 0L, 100000L);
            assertThat(pt.freePages(MigrateType.RESERVE)).isEqualTo(8);
            assertThat(pt.blocks()).containsEntry(MigrateType.RESERVE, 2L).doesNotContainKey(MigrateType.HIGHATOMIC);
        });
        assertThat(z.buddy().get(2).letters()).isEqualTo("UR");
        // no HighAtomic column (before 4.4): no reserve to report
        assertThat(z.pages("reserved_highatomic")).isEmpty();
        Explanation e = Explainer.explainAll(List.of(r)).get(0);
        assertThat(e.paragraph()).contains("No zone with watermarks (add /proc/zoneinfo)")
            .contains("Some pagetypeinfo counts are printed as >100000");
    }

    @Test
    void cutOrRepeatedSnapshotsAreRefusedAtTheirLine() throws Exception {
        String board = fixture("linux-4.9-highatomic.txt");
        // cut after "pages free": no watermarks
        String cut = board.substring(0, board.indexOf("        min "));
        assertThatThrownBy(() -> KernelLogParser.parse(cut, "cut.txt")).isInstanceOf(KernelLogException.class)
            .hasMessage("cut.txt:2: truncated /proc/zoneinfo: Node 0, zone Normal has no 'min' line");
        assertThatThrownBy(() -> KernelLogParser.parse(board + board, "twice.txt")).isInstanceOf(KernelLogException.class)
            .hasMessageStartingWith("twice.txt:85: /proc/zoneinfo prints Node 0, zone Normal a second time (first at"
                + " line 2): one snapshot per file");
        String shortRow = board.replace("type   HighAtomic      7      5      7      5      6      2      2      0      0"
            + "      0      0", "type   HighAtomic      7      5");
        assertThatThrownBy(() -> KernelLogParser.parse(shortRow, "row.txt")).isInstanceOf(KernelLogException.class)
            .hasMessageContaining("row.txt:").hasMessageContaining("/proc/pagetypeinfo row with 2 counts under a header of 11"
                + " orders (cut?)");
        String badType = board.replace("type          CMA", "type        Weird");
        assertThatThrownBy(() -> KernelLogParser.parse(badType, "t.txt")).isInstanceOf(KernelLogException.class)
            .hasMessageContaining("unknown migratetype 'Weird' in /proc/pagetypeinfo");
        String huge = board.replace("pages free     373", "pages free     99999999999999999999999");
        assertThatThrownBy(() -> KernelLogParser.parse(huge, "h.txt")).isInstanceOf(KernelLogException.class)
            .hasMessage("h.txt:30: number out of range: '99999999999999999999999'");
        String noOrderLine = board.replace("Page block order: 10\n", "");
        assertThatThrownBy(() -> KernelLogParser.parse(noOrderLine, "o.txt")).isInstanceOf(KernelLogException.class)
            .hasMessageContaining("without its 'Page block order: N' line");
    }
}
