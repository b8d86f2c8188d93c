package dev.highwater.reports;

import dev.highwater.model.MigrateType;
import dev.highwater.model.ZoneSnapshot;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes the reports of a run's findings into a results folder: {@code report.txt} (kernel-format dumps and traces),
 * {@code report.md} (for a CI job summary), {@code report.html} (one self-contained page with uPlot charts inlined)
 * and {@code junit.xml} (one failing test case per finding). Each file is written to a temporary file and renamed.
 */
public final class Reports {
    /** The uPlot webjar version on the classpath (parent pom). */
    static final String UPLOT = "META-INF/resources/webjars/uplot/1.6.30/dist/";

    private Reports() {
    }

    /** What was written. */
    public record Written(Path text, Path markdown, Path html, Path junit, int findings) {
    }

    /**
     * Replays every finding and writes the four reports into {@code resultsDir}.
     *
     * @param runInfo lines describing the run (targets, execs, budget), shown at the top; may be empty
     */
    public static Written writeAll(Path resultsDir, List<Finding> findings, List<String> runInfo) throws IOException {
        List<FindingRun> runs = new ArrayList<>();
        for (Finding f : findings) {
            runs.add(FindingRun.run(f));
        }
        Files.createDirectories(resultsDir);
        Path txt = atomicWrite(resultsDir.resolve("report.txt"), text(runs));
        Path md = atomicWrite(resultsDir.resolve("report.md"), markdown(runs, runInfo));
        Path html = atomicWrite(resultsDir.resolve("report.html"), html(runs, runInfo));
        Path junit = atomicWrite(resultsDir.resolve("junit.xml"), junit(runs));
        return new Written(txt, md, html, junit, runs.size());
    }

    /** Shorthand without run information. */
    public static Written writeAll(Path resultsDir, List<Finding> findings) throws IOException {
        return writeAll(resultsDir, findings, List.of());
    }

    static Path atomicWrite(Path target, String content) throws IOException {
        Path tmp = Files.createTempFile(target.toAbsolutePath().getParent(), "." + target.getFileName(), ".tmp");
        try {
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            try {
                // createTempFile makes the file private; reports are for reading
                Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: keep the default
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return target;
    }

    private static String headline(FindingRun r) {
        return r.property() + " under " + r.policy().name() + (r.outcome().violation().isPresent()
            ? " at step " + r.failingStep() : " (no violation: state after the last step)");
    }

    public static String text(List<FindingRun> runs) {
        StringBuilder sb = new StringBuilder();
        for (FindingRun r : runs) {
            sb.append("== ").append(r.finding().title()).append(": ").append(headline(r)).append('\n');
            r.outcome().violation().ifPresent(v -> sb.append(v).append('\n'));
            sb.append('\n').append(r.kernelText()).append('\n').append(r.traceText()).append('\n');
        }
        return sb.toString();
    }

    public static String markdown(List<FindingRun> runs, List<String> runInfo) {
        StringBuilder sb = new StringBuilder("# Highwater report\n\n");
        for (String l : runInfo) {
            sb.append(l).append("\n");
        }
        if (!runInfo.isEmpty()) {
            sb.append('\n');
        }
        sb.append("## Findings (").append(runs.size()).append(")\n\n");
        if (runs.isEmpty()) {
            sb.append("None.\n");
            return sb.toString();
        }
        sb.append("| finding | property | preset | step | steps |\n|---|---|---|---:|---:|\n");
        for (FindingRun r : runs) {
            sb.append("| ").append(md(r.finding().title())).append(" | ").append(r.property()).append(" | ")
                .append(r.policy().name()).append(" | ").append(r.failingStep()).append(" | ")
                .append(r.finding().trace().ops().size()).append(" |\n");
        }
        for (FindingRun r : runs) {
            sb.append("\n### ").append(md(r.finding().title())).append("\n\n");
            r.outcome().violation().ifPresent(v -> sb.append("**").append(md(v.toString())).append("**\n\n"));
            sb.append("Kernel-format dump of the state after step ").append(r.failingStep()).append(afterNote(r))
                .append(":\n\n```text\n")
                .append(r.kernelText()).append("```\n\nMinimized trace:\n\n```text\n").append(r.traceText())
                .append("```\n");
        }
        return sb.toString();
    }

    /** The model snapshots a step after it ran: after an OOM kill the victim's memory is already free. */
    static String afterNote(FindingRun r) {
        if (r.failingStep() > 0 && r.outcome().steps().get(r.failingStep() - 1).result().contains("oom")) {
            return " (after the OOM kill: the victim's memory is already free; the kernel prints its report before)";
        }
        return "";
    }

    private static String md(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    public static String junit(List<FindingRun> runs) {
        StringBuilder sb = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        sb.append("<testsuite name=\"highwater\" tests=\"").append(runs.size()).append("\" failures=\"")
            .append(runs.stream().filter(r -> r.outcome().violation().isPresent()).count())
            .append("\" errors=\"0\" skipped=\"0\">\n");
        for (FindingRun r : runs) {
            sb.append("  <testcase classname=\"highwater.").append(esc(r.policy().name())).append("\" name=\"")
                .append(esc(r.property() + ": " + r.finding().title())).append("\">\n");
            if (r.outcome().violation().isPresent()) {
                sb.append("    <failure type=\"").append(esc(r.property())).append("\" message=\"")
                    .append(esc(r.outcome().violation().get().toString())).append("\">")
                    .append(esc(r.kernelText() + "\n" + r.traceText())).append("</failure>\n");
            }
            sb.append("  </testcase>\n");
        }
        sb.append("</testsuite>\n");
        return sb.toString();
    }

    static String resource(String name) {
        try (InputStream in = Reports.class.getClassLoader().getResourceAsStream(UPLOT + name)) {
            if (in == null) {
                throw new IllegalStateException("uPlot resource " + UPLOT + name + " missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One self-contained page: uPlot's script and style inlined, the data as JSON, no network needed. */
    public static String html(List<FindingRun> runs, List<String> runInfo) {
        StringBuilder sb = new StringBuilder();
        sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Highwater report</title>\n<style>")
            .append(resource("uPlot.min.css"))
            .append("\nbody{font-family:sans-serif;margin:1.5em;max-width:1200px} pre{background:#f6f6f6;padding:.6em;"
                + "overflow-x:auto;font-size:12px} .charts{display:flex;flex-wrap:wrap;gap:1em} h2{border-top:1px solid"
                + " #ccc;padding-top:.6em} .viol{color:#b00;font-weight:bold}</style>\n<script>")
            .append(resource("uPlot.iife.min.js").replace("</script", "<\\/script"))
            .append("</script>\n</head><body>\n<h1>Highwater report</h1>\n");
        for (String l : runInfo) {
            sb.append("<p>").append(esc(l)).append("</p>\n");
        }
        sb.append("<p>").append(runs.size()).append(" finding(s).</p>\n");
        int id = 0;
        for (FindingRun r : runs) {
            sb.append("<h2>").append(esc(r.finding().title())).append("</h2>\n");
            sb.append("<p class=\"viol\">").append(esc(headline(r))).append("</p>\n");
            r.outcome().violation().ifPresent(v -> sb.append("<p>").append(esc(v.message())).append("</p>\n"));
            List<List<ZoneSnapshot>> tl = r.timeline();
            int zones = tl.get(0).size();
            for (int z = 0; z < zones; z++) {
                String zname = r.finding().trace().node().zones().get(z).type().kernelName();
                sb.append("<h3>Zone ").append(esc(zname)).append("</h3>\n<div class=\"charts\">");
                String a = "c" + id++;
                String b = "c" + id++;
                String c = "c" + id++;
                sb.append("<div id=\"").append(a).append("\"></div><div id=\"").append(b).append("\"></div><div id=\"")
                    .append(c).append("\"></div></div>\n<script>\n");
                sb.append(chartScript(tl, z, r.failingStep(), a, b, c, zname));
                sb.append("</script>\n");
            }
            sb.append("<h3>Kernel-format dump of the state after step ").append(r.failingStep()).append("</h3>\n<p>")
                .append(esc(afterNote(r))).append("</p>\n<pre>")
                .append(esc(r.kernelText())).append("</pre>\n<h3>Trace</h3>\n<pre>").append(esc(r.traceText()))
                .append("</pre>\n");
        }
        sb.append("</body></html>\n");
        return sb.toString();
    }

    private static String arr(long[] v) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) {
            sb.append(i == 0 ? "" : ",").append(v[i]);
        }
        return sb.append(']').toString();
    }

    static String chartScript(List<List<ZoneSnapshot>> tl, int z, int failingStep, String a, String b, String c,
                              String zname) {
        int n = tl.size();
        long[] x = new long[n];
        long[] free = new long[n];
        long[] min = new long[n];
        long[] low = new long[n];
        long[] high = new long[n];
        MigrateType[] types = {MigrateType.UNMOVABLE, MigrateType.MOVABLE, MigrateType.RECLAIMABLE,
            MigrateType.HIGHATOMIC, MigrateType.CMA, MigrateType.ISOLATE, MigrateType.RESERVE};
        long[][] perType = new long[types.length][n];
        for (int i = 0; i < n; i++) {
            ZoneSnapshot s = tl.get(i).get(z);
            x[i] = i;
            free[i] = s.nrFreePages();
            min[i] = s.min();
            low[i] = s.low();
            high[i] = s.high();
            for (int t = 0; t < types.length; t++) {
                perType[t][i] = s.freePagesOfType(types[t]);
            }
        }
        // y ranges: the first point is the empty zone at boot; clip it so the watermarks and the steps that matter
        // stay readable (lines above the range leave the chart at its top edge)
        long highMax = 0;
        long freeAfter = 0;
        long typeAfter = 0;
        for (int i = 0; i < n; i++) {
            highMax = Math.max(highMax, high[i]);
            if (i > 0 || n == 1) {
                freeAfter = Math.max(freeAfter, free[i]);
                for (long[] pt : perType) {
                    typeAfter = Math.max(typeAfter, pt[i]);
                }
            }
        }
        long y1 = Math.max(1, Math.max(3 * highMax, freeAfter + freeAfter / 4));
        long y2 = Math.max(1, Math.max(3 * highMax, typeAfter + typeAfter / 4));
        ZoneSnapshot at = tl.get(Math.min(failingStep, n - 1)).get(z);
        int orders = at.freeBlocks().size();
        long[] ox = new long[orders];
        long[] all = new long[orders];
        long[] ha = new long[orders];
        for (int o = 0; o < orders; o++) {
            ox[o] = o;
            for (long cnt : at.freeBlocks().get(o)) {
                all[o] += cnt;
            }
            ha[o] = at.freeBlocks().get(o).get(MigrateType.HIGHATOMIC.ordinal());
        }
        StringBuilder sb = new StringBuilder();
        sb.append("(function(){\nconst W=380,H=260;\n");
        sb.append("const mark={hooks:{draw:[u=>{const x=u.valToPos(").append(failingStep)
            .append(",'x',true);const c=u.ctx;c.save();c.strokeStyle='#b00';c.setLineDash([4,4]);c.beginPath();"
                + "c.moveTo(x,u.bbox.top);c.lineTo(x,u.bbox.top+u.bbox.height);c.stroke();c.restore();}]}};\n");
        sb.append("new uPlot({title:'").append(zname).append(": free pages vs watermarks',width:W,height:H,"
            + "scales:{x:{time:false},y:{range:[0,").append(y1).append("]}},"
            + "axes:[{label:'step'},{label:'pages'}],plugins:[mark],series:[{label:'step'},"
            + "{label:'free',stroke:'#1f77b4',width:2},{label:'min',stroke:'#d62728',dash:[6,3]},"
            + "{label:'low',stroke:'#ff7f0e',dash:[6,3]},{label:'high',stroke:'#2ca02c',dash:[6,3]}]},")
            .append('[').append(arr(x)).append(',').append(arr(free)).append(',').append(arr(min)).append(',')
            .append(arr(low)).append(',').append(arr(high)).append("],document.getElementById('").append(a)
            .append("'));\n");
        String[] colors = {"#8c564b", "#1f77b4", "#9467bd", "#e00000", "#17becf", "#7f7f7f", "#bcbd22"};
        StringBuilder series = new StringBuilder("[{label:'step'}");
        StringBuilder data = new StringBuilder("[").append(arr(x));
        for (int t = 0; t < types.length; t++) {
            boolean any = false;
            for (long v : perType[t]) {
                any |= v > 0;
            }
            if (!any && types[t] != MigrateType.HIGHATOMIC) {
                continue;
            }
            boolean h = types[t] == MigrateType.HIGHATOMIC;
            series.append(",{label:'").append(types[t].name()).append(" (").append(types[t].letter()).append(")',stroke:'")
                .append(colors[t]).append("',width:").append(h ? 3 : 1)
                .append(h ? ",fill:'rgba(224,0,0,0.15)'" : "").append('}');
            data.append(',').append(arr(perType[t]));
        }
        series.append(']');
        data.append(']');
        sb.append("new uPlot({title:'").append(zname).append(": free pages per migratetype (highatomic in red)',"
            + "width:W,height:H,scales:{x:{time:false},y:{range:[0,").append(y2).append("]}},axes:[{label:'step'},{label:'pages'}],plugins:[mark],series:")
            .append(series).append("},").append(data).append(",document.getElementById('").append(b).append("'));\n");
        sb.append("const bars=uPlot.paths.bars;\nnew uPlot({title:'").append(zname).append(": free blocks per order at step ")
            .append(failingStep).append("',width:W,height:H,scales:{x:{time:false,range:[-0.5,").append(orders - 0.5)
            .append("]}},axes:[{label:'order'},{label:'free blocks'}],series:[{label:'order'},"
                + "{label:'all types',stroke:'#1f77b4',fill:'rgba(31,119,180,0.5)',paths:bars({size:[0.4],align:-1}),points:{show:false}},"
                + "{label:'HIGHATOMIC',stroke:'#e00000',fill:'rgba(224,0,0,0.6)',paths:bars({size:[0.4],align:1}),points:{show:false}}]},")
            .append('[').append(arr(ox)).append(',').append(arr(all)).append(',').append(arr(ha))
            .append("],document.getElementById('").append(c).append("'));\n})();\n");
        return sb.toString();
    }
}
