package dev.highwater.reports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.highwater.model.kernellog.KernelLogException;
import dev.highwater.model.kernellog.KernelLogParser;
import dev.highwater.model.kernellog.KernelReport;
import dev.highwater.model.kernellog.KernelReport.ZoneState;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Parser robustness (kernel-semantics §10.3) and the round trip parse → render of the seeds' zone and buddy lines. */
class KernelLogParserTest {

    static String norm(String s) {
        return s.replaceAll("\\s+", " ");
    }

    /** A test resource (the real kernel's reports the project captured) as text. */
    static String resource(String name) throws Exception {
        try (var in = KernelLogParserTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    @Test
    void seedZoneAndBuddyLinesRoundTrip() throws Exception {
        for (String prefix : List.of("000_", "002_")) {
            String raw = Files.readString(ExplainSeedsTest.seed(prefix));
            // the original text without timestamps and line breaks (seed 000 is mail-wrapped)
            String joined = norm(raw.replaceAll("\\[\\s*\\d+\\.\\d+\\s*\\]", " ").replaceAll("\\[\\s*\\n\\s*\\d+\\.\\d+\\]", " "));
            List<KernelReport> rs = KernelLogParser.parse(raw, prefix);
            int zones = 0;
            for (KernelReport r : rs) {
                for (ZoneState z : r.zones()) {
                    zones++;
                    assertThat(joined).contains(norm(KernelText.zoneLine(z)));
                    assertThat(joined).contains(norm(KernelText.buddyLine(z)));
                    assertThat(joined).contains(norm(KernelText.lowmemLine(z)));
                }
            }
            assertThat(zones).isEqualTo(prefix.equals("000_") ? 1 : 4);
        }
    }

    @Test
    void seed000MailWrappedHeaderAndZone() throws Exception {
        KernelReport r = KernelLogParser.parseFile(ExplainSeedsTest.seed("000_")).get(0);
        assertThat(r.comm()).isEqualTo("nc.traditional");
        assertThat(r.gfpValue().getAsLong()).isEqualTo(0x2080020L);
        assertThat(r.release()).hasValue("4.9.123-pic6-g31a13de-dirty");
        ZoneState n = r.zone("Normal").orElseThrow();
        assertThat(n.pages("free").getAsLong()).isEqualTo(373);
        assertThat(n.buddyTotalKb()).isEqualTo(1492);
        assertThat(n.buddy()).allMatch(e -> e.count() == 0 || e.letters().equals("H"));
        assertThat(r.footer()).containsEntry("pages RAM", 16384L).containsEntry("pages reserved", 1558L);
    }

    @Test
    void truncatedReportIsRefusedWithFileAndLine() throws Exception {
        String raw = Files.readString(ExplainSeedsTest.seed("002_"));
        // cut the first report after DMA's buddy line: DMA32's is missing
        String truncated = raw.substring(0, raw.indexOf("DMA32: 7*4kB"));
        assertThatThrownBy(() -> KernelLogParser.parse(truncated, "cut.log"))
            .isInstanceOf(KernelLogException.class)
            .hasMessageStartingWith("cut.log:47: truncated report: zone DMA32 has no buddy line");
        // cut after the zone lines, before any buddy line (an excerpt): the zones keep their watermarks, no blocks
        String zonesOnly = raw.substring(0, raw.indexOf("lowmem_reserve[]: 0 0 0 0"));
        KernelReport z = KernelLogParser.parse(zonesOnly, "z.log").get(0);
        assertThat(z.zones()).extracting(ZoneState::name).containsExactly("DMA", "DMA32");
        assertThat(z.zones()).allSatisfy(zs -> assertThat(zs.buddy()).isEmpty());
        // a buddy line cut before its total
        String noTotal = raw.substring(0, raw.indexOf("= 8192kB"));
        assertThatThrownBy(() -> KernelLogParser.parse(noTotal, "t.log"))
            .isInstanceOf(KernelLogException.class).hasMessageContaining("t.log:49: truncated buddy line for zone DMA");
    }

    @Test
    void garbledBuddyTotalAndNonLogsAreRefused() {
        String bad = "x: page allocation failure: order:0, mode:0x0()\nMem-Info:\n"
            + "Normal free:8kB min:4kB low:4kB high:4kB\nlowmem_reserve[]: 0 0\nNormal: 2*4kB (U) 0*8kB = 12kB\n";
        assertThatThrownBy(() -> KernelLogParser.parse(bad, "g.log")).isInstanceOf(KernelLogException.class)
            .hasMessage("g.log:5: buddy line for Normal adds up to 8kB but prints = 12kB (garbled or cut)");
        // a count no long holds: refused at its line, not a NumberFormatException
        String overlong = "x: page allocation failure: order:0, mode:0x0()\nMem-Info:\n"
            + "Normal free:8kB min:4kB low:4kB high:4kB\nlowmem_reserve[]: 0 0\nNormal: 2*4kB (U) 0*8kB = 8kB\n"
            + "Free swap  = 99999999999999999999999kB\n";
        assertThatThrownBy(() -> KernelLogParser.parse(overlong, "o.log")).isInstanceOf(KernelLogException.class)
            .hasMessage("o.log:6: number out of range: Free swap = 99999999999999999999999kB");
        assertThatThrownBy(() -> KernelLogParser.parse("\n\nhello world\n", "n.txt"))
            .isInstanceOf(KernelLogException.class).hasMessageStartingWith("n.txt:3: no kernel memory report found");
        assertThatThrownBy(() -> KernelLogParser.parse("# a finding\nhighwater-trace 1\npolicy linux-4.8\n", "f.trace"))
            .isInstanceOf(KernelLogException.class)
            .hasMessage("f.trace:1: a Highwater trace, not a kernel log: 'highwater replay' runs it");
    }

    @Test
    void syslogPrefixesTimestampsAndRsyslogEscapes() throws Exception {
        String log = "Feb 14 18:26:56 host kernel: [  10.5] swapper: page allocation failure: order:3,"
            + " mode:0x2084020(GFP_ATOMIC|__GFP_COMP)#012CPU: 2 PID: 0 Comm: swapper Not tainted 4.9.0-8-amd64 #1\n";
        KernelReport r = KernelLogParser.parse(log, "s.log").get(0);
        assertThat(r.order()).isEqualTo(3);
        assertThat(r.gfpNames()).isEqualTo("GFP_ATOMIC|__GFP_COMP");
        assertThat(r.release()).hasValue("4.9.0-8-amd64");
    }

    @Test
    void aByteOrderMarkIsNotPartOfTheFirstLine() throws Exception {
        String log = "\uFEFFFeb 14 18:26:56 host kernel: [  10.5] swapper: page allocation failure: order:3,"
            + " mode:0x2084020(GFP_ATOMIC|__GFP_COMP)\n";
        assertThat(KernelLogParser.parse(log, "bom.log").get(0).order()).isEqualTo(3);
        // /proc/buddyinfo saved by a Windows editor: its first line is a zone like the others
        String buddy = "\uFEFFNode 0, zone      DMA      1      1      1      0      2      1      1      0      1      1      3\r\n"
            + "Node 0, zone    DMA32    973    561    278    131     62     28     12      6      3      2    402\r\n";
        List<KernelReport> rs = KernelLogParser.parse(buddy, "buddyinfo.txt");
        assertThat(rs).hasSize(1);
        assertThat(rs.get(0).kind()).isEqualTo(KernelReport.Kind.BUDDYINFO);
        assertThat(rs.get(0).zones()).extracting(ZoneState::name).containsExactly("DMA", "DMA32");
    }

    /**
     * The capture's lines as the tools users copy logs from print them: each must read as the same report (same
     * header, comm, call trace, zones), the line numbers included.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"dmesg -T", "printk caller id (task)",
        "printk caller id (cpu)", "journalctl -k", "journalctl -o short-precise", "journalctl -o short-monotonic",
        "journalctl -o short-iso", "dmesg -r", "cat /dev/kmsg", "dmesg -x", "dmesg --time-format iso", "dmesg -t",
        "CRLF line ends"})
    void theSameReportWhateverToolPrintedTheLog(String tool) throws Exception {
        String log = resource("/logs/linux-6.1-guest-warn-alloc.txt");
        KernelReport want = KernelLogParser.parse(log, "warn.log").get(0);
        java.util.regex.Pattern ts = java.util.regex.Pattern.compile("^\\[\\s*(\\d+)\\.(\\d+)\\] ?(.*)$");
        StringBuilder sb = new StringBuilder();
        int seq = 0;
        for (String line : log.split("\n", -1)) {
            var m = ts.matcher(line);
            if (!m.matches()) {
                sb.append(line).append('\n');
                continue;
            }
            long s = Long.parseLong(m.group(1));
            String us = m.group(2);
            String body = m.group(3);
            String sec = String.format("%02d", s % 60);
            String mono = String.format("[%5d.%s]", s, us);
            sb.append(switch (tool) {
                case "dmesg -T" -> "[Tue Dec  8 01:15:" + sec + " 2026] " + body;
                case "printk caller id (task)" -> mono + "[   T14] " + body;
                case "printk caller id (cpu)" -> mono + "[    C0] " + body;
                case "journalctl -k" -> "Dec 08 01:15:" + sec + " debian kernel: " + body;
                case "journalctl -o short-precise" -> "Dec 08 01:15:" + sec + "." + us + " debian kernel: " + body;
                case "journalctl -o short-monotonic" -> mono + " debian kernel: " + body;
                case "journalctl -o short-iso" -> "2026-12-08T01:15:" + sec + "+0000 debian kernel: " + body;
                case "dmesg -r" -> "<4>" + mono + " " + body;
                case "cat /dev/kmsg" -> "4," + seq++ + "," + s + us + ",-;" + body;
                case "dmesg -x" -> "kern  :warn  : " + mono + " " + body;
                case "dmesg --time-format iso" -> "2026-12-08T01:15:" + sec + "," + us + "+00:00 " + body;
                case "dmesg -t" -> body;
                case "CRLF line ends" -> line.replace("\r", "") + "\r";
                default -> throw new IllegalArgumentException(tool);
            }).append('\n');
        }
        KernelReport r = KernelLogParser.parse(sb.toString(), "warn.log").get(0);
        assertThat(r.header()).isEqualTo(want.header());
        assertThat(r.comm()).isEqualTo("ksoftirqd/0");
        assertThat(r.line()).isEqualTo(want.line());
        assertThat(r.release()).isEqualTo(want.release());
        assertThat(r.callTrace()).isEqualTo(want.callTrace());
        assertThat(r.inInterrupt()).isTrue();
        assertThat(r.zones()).isEqualTo(want.zones());
        assertThat(r.memInfo()).isEqualTo(want.memInfo());
    }

    @Test
    void aRealSixOneWarnAllocReportFromKsoftirqd() throws Exception {
        // captured by `highwater kernel conformance --scenario snapshot` (Debian's 6.1.0-57 under QEMU): an order-10
        // GFP_ATOMIC request from a tasklet, run by ksoftirqd (handle_softirqs, tasklet_action_common.constprop.0)
        String log = resource("/logs/linux-6.1-guest-warn-alloc.txt");
        KernelReport r = KernelLogParser.parse(log, "warn.log").get(0);
        assertThat(r.order()).isEqualTo(10);
        assertThat(r.gfpValue()).hasValue(0xa20);
        assertThat(r.release()).hasValue("6.1.0-57-cloud-amd64");
        assertThat(r.callTrace()).contains("handle_softirqs", "tasklet_action_common.constprop.0");
        assertThat(r.inInterrupt()).isTrue();
        assertThat(r.zones()).extracting(ZoneState::name).containsExactly("DMA", "DMA32");
        var e = dev.highwater.reports.explain.Explainer.explain(r, List.of(r));
        assertThat(e.request()).isEqualTo("order-10 GFP_ATOMIC in softirq (cannot reclaim)");
        assertThat(e.diagnosis()).isEqualTo(dev.highwater.reports.explain.Diagnosis.FRAGMENTATION);
    }

    @Test
    void aRealSixOneOomOfAGrowingTaskIsExhaustionNotDmasReserve() throws Exception {
        // captured from Debian's 6.1.0-57 under QEMU (the highatomic-before-oom scenario: busybox awk grows until the
        // OOM killer takes it): DMA32 below min, DMA's 231 free pages kept by its lowmem_reserve of 202 for DMA32
        // requests. Without the reserve the request would pass, but 200 pages of 55,655 only postpone the OOM
        String log = resource("/logs/linux-6.1-guest-oom.txt");
        KernelReport r = KernelLogParser.parse(log, "oom.log").get(0);
        assertThat(r.kind()).isEqualTo(KernelReport.Kind.OOM);
        var e = dev.highwater.reports.explain.Explainer.explain(r, List.of(r));
        assertThat(e.diagnosis()).isEqualTo(dev.highwater.reports.explain.Diagnosis.EXHAUSTION);
        assertThat(e.paragraph()).contains("Zone DMA is refused by its lowmem_reserve: free 231 pages")
            .contains("The lower zones' lowmem_reserve holds back 200 free pages (under 1 % of the 55655 managed)");
        // lowering min_free_kbytes would let this request through in the replay; the advice says it only postpones
        assertThat(e.advice()).anyMatch(a -> a.startsWith("min_free_kbytes: the replay succeeds with min_free_kbytes ≤")
            && a.endsWith("postpones the OOM; no value avoids it."));
    }

    @Test
    void aRealSixOneAtomicRefusalAtTheFloorIsTheWatermarkNotDmasReserve() throws Exception {
        // captured by `highwater kernel conformance --scenario snapshot`: memory exhausted by GFP_ATOMIC requests, then
        // one more from a tasklet without __GFP_NOWARN. DMA32 is under its atomic floor; DMA's reserve keeps its
        // last pages from DMA32 requests, as designed
        String log = resource("/logs/linux-6.1-guest-warn-alloc-order0.txt");
        KernelReport r = KernelLogParser.parse(log, "warn0.log").get(0);
        var e = dev.highwater.reports.explain.Explainer.explain(r, List.of(r));
        assertThat(e.request()).isEqualTo("order-0 GFP_ATOMIC in softirq (cannot reclaim)");
        assertThat(e.diagnosis()).isEqualTo(dev.highwater.reports.explain.Diagnosis.BELOW_WATERMARK);
        assertThat(e.paragraph()).contains("Zone DMA32 fails the watermark check: free 159 pages")
            .contains("The lower zones' lowmem_reserve holds back 183 free pages (under 1 % of the 55655 managed)");
    }

    @Test
    void memcgOomIsNotAnAllocatorFailure() throws Exception {
        String log = "stress invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0\n"
            + "CPU: 1 PID: 9 Comm: stress Not tainted 6.1.0-18-amd64 #1\n"
            + "memory: usage 524288kB, limit 524288kB, failcnt 12\n"
            + "Memory cgroup out of memory: Killed process 9 (stress)\n";
        KernelReport r = KernelLogParser.parse(log, "m.log").get(0);
        assertThat(r.kind()).isEqualTo(KernelReport.Kind.NOT_ALLOCATOR);
        assertThat(dev.highwater.reports.explain.Explainer.explain(r, List.of(r)).diagnosis())
            .isEqualTo(dev.highwater.reports.explain.Diagnosis.NOT_ALLOCATOR);
    }
}
