package dev.highwater.cli;

import dev.highwater.model.kernellog.KernelLogException;
import dev.highwater.model.kernellog.KernelLogParser;
import dev.highwater.model.kernellog.KernelReport;
import dev.highwater.reports.explain.Explainer;
import dev.highwater.reports.explain.Explanation;
import dev.highwater.reports.explain.Probe;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code highwater explain <log|dir>...}: parses real kernel logs (page allocation failures, OOM reports, buddyinfo
 * dumps, /proc/zoneinfo + pagetypeinfo snapshots; 2.6.32 to 6.x), reconstructs each report's zone state, replays the failing request under the preset of the
 * log's kernel version and says why it failed, with replay-backed advice. Ends with
 * {@code summary: reports=N diagnosed=N not_allocator=N unparsed=N} (with {@code snapshots=N requests_failing=N} when
 * there were /proc snapshots; unparsed counts unreadable files and refused reports, a file's readable reports being
 * explained all the same); exit 0, 1 when a request asked of a snapshot would fail there, 2 when a file or a report
 * could not be parsed.
 */
@Command(name = "explain", mixinStandardHelpOptions = true, description = "Explain real kernel 'page allocation failure' / OOM logs, and /proc/zoneinfo + pagetypeinfo snapshots (files or folders). Exit 1 when a request asked of a snapshot would fail there.")
public final class ExplainCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "LOG", description = "kernel log files, or folders of them (every regular file, recursively); - for standard input")
    List<Path> paths;

    @Option(names = "--show-state", description = "also print the reconstructed zone and buddy lines")
    boolean showState;

    @Option(names = "--request", paramLabel = "REQ", description = "for a /proc/zoneinfo (+ pagetypeinfo or buddyinfo)"
        + " snapshot: a request to replay on it, 'order=N gfp=FLAGS [softirq]' (repeatable; default: order-0 and"
        + " order-3 GFP_ATOMIC in softirq, order-0 and order-3 GFP_KERNEL)")
    List<String> requests = new ArrayList<>();

    @Override
    public Integer call() {
        PrintStream out = System.out;
        List<Path> files = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.walk(p)) {
                    s.filter(Files::isRegularFile).sorted().forEach(files::add);
                } catch (IOException e) {
                    System.err.println(p + ": cannot read folder: " + IoErrors.why(e, p));
                    out.println("summary: reports=0 diagnosed=0 not_allocator=0 unparsed=1");
                    return 2;
                }
            } else if (Files.isRegularFile(p) || p.toString().equals("-")) {
                files.add(p);
            } else {
                System.err.println(p + ": no such file or folder");
                out.println("summary: reports=0 diagnosed=0 not_allocator=0 unparsed=1");
                return 2;
            }
        }
        List<Probe> probes = new ArrayList<>();
        for (String q : requests) {
            try {
                probes.add(Probe.parse(q));
            } catch (IllegalArgumentException e) {
                System.err.println("highwater explain: --request '" + q + "': " + e.getMessage());
                out.println("summary: reports=0 diagnosed=0 not_allocator=0 unparsed=0 error=bad_request");
                return 2;
            }
        }
        if (probes.isEmpty()) {
            probes = Probe.DEFAULTS;
        }
        int reports = 0;
        int diagnosed = 0;
        int notAllocator = 0;
        int unparsed = 0;
        int snapshots = 0;
        long failing = 0;
        for (Path f : files) {
            List<KernelReport> parsed;
            try {
                // "-": standard input, e.g. cat /proc/version /proc/zoneinfo /proc/pagetypeinfo | highwater explain -
                KernelLogParser.Parsed all = f.toString().equals("-")
                    ? KernelLogParser.parseAll(new String(System.in.readAllBytes(), StandardCharsets.UTF_8), "<stdin>")
                    : KernelLogParser.parseFileAll(f);
                parsed = all.reports();
                // a report cut off by the next (or by the paste) is refused on its own; the file's others are read
                for (KernelLogException e : all.refused()) {
                    System.err.println("highwater explain: " + e.getMessage() + " (this report skipped; the file's "
                        + parsed.size() + " other(s) are explained)");
                    unparsed++;
                }
            } catch (KernelLogException e) {
                System.err.println("highwater explain: " + e.getMessage());
                unparsed++;
                continue;
            } catch (IOException | RuntimeException e) {
                System.err.println("highwater explain: " + f + ": cannot read: " + e.getMessage());
                unparsed++;
                continue;
            }
            for (Explanation e : Explainer.explainAll(parsed, probes)) {
                reports++;
                switch (e.diagnosis()) {
                    case NOT_ALLOCATOR -> notAllocator++;
                    case BUDDYINFO -> {
                    }
                    case SNAPSHOT -> {
                        snapshots++;
                        failing += e.failingRequests();
                    }
                    default -> diagnosed++;
                }
                out.println("== " + e.report().file() + ":" + e.report().line() + ": " + e.report().header());
                out.println("diagnosis: " + e.diagnosis().id() + (e.preset().isEmpty() ? "" : " (preset " + e.preset() + ")"));
                out.println(e.paragraph());
                for (String a : e.advice()) {
                    out.println("  advice: " + a);
                }
                if (showState) {
                    for (KernelReport.ZoneState z : e.report().zones()) {
                        if (!z.fields().isEmpty()) {
                            out.println("  " + dev.highwater.reports.KernelText.zoneLine(z));
                            out.println("  " + dev.highwater.reports.KernelText.lowmemLine(z));
                        }
                        out.println("  " + dev.highwater.reports.KernelText.buddyLine(z));
                    }
                }
                out.println();
            }
        }
        out.println("summary: reports=" + reports + " diagnosed=" + diagnosed + " not_allocator=" + notAllocator
            + " unparsed=" + unparsed + (snapshots > 0 ? " snapshots=" + snapshots + " requests_failing=" + failing : ""));
        // a snapshot is a check of a machine: exit 1 when a request asked of it would fail there
        return unparsed > 0 ? 2 : failing > 0 ? 1 : 0;
    }
}
