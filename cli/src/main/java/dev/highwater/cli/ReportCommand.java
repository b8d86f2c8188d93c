package dev.highwater.cli;

import dev.highwater.model.trace.Trace;
import dev.highwater.model.trace.TraceFormatException;
import dev.highwater.model.trace.TraceParser;
import dev.highwater.reports.Finding;
import dev.highwater.reports.Reports;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code highwater report <results dir|trace>...}: replays the finding traces found there (each under its own
 * preset) and writes report.txt, report.md, report.html (self-contained, with charts) and junit.xml. Ends with
 * {@code summary: traces=N findings=N out=DIR}; exit 0, or 2 for bad input.
 */
@Command(name = "report", mixinStandardHelpOptions = true, description = "Write text, Markdown, HTML and JUnit XML reports for finding traces.")
public final class ReportCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "PATH", description = "a results folder (searched recursively for *.trace) or trace files")
    List<Path> paths;

    @Option(names = "--out", description = "where to write the reports (default: the first PATH if it is a folder, else its folder)")
    Path out;

    @Override
    public Integer call() {
        PrintStream o = System.out;
        List<Path> files = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.walk(p)) {
                    s.filter(f -> f.toString().endsWith(".trace") && Files.isRegularFile(f)).sorted().forEach(files::add);
                } catch (IOException e) {
                    System.err.println(p + ": cannot read folder: " + IoErrors.why(e, p));
                    o.println("summary: traces=0 findings=0 error=io");
                    return 2;
                }
            } else if (Files.isRegularFile(p)) {
                files.add(p);
            } else {
                System.err.println(p + ": no such file or folder");
                o.println("summary: traces=0 findings=0 error=missing_path");
                return 2;
            }
        }
        List<Finding> findings = new ArrayList<>();
        for (Path f : files) {
            try {
                Trace t = TraceParser.parseFile(f);
                findings.add(Finding.of(t, Optional.of(f)));
            } catch (TraceFormatException e) {
                System.err.println(e.getMessage());
                o.println("summary: traces=" + files.size() + " findings=0 error=malformed_trace");
                return 2;
            } catch (IOException e) {
                System.err.println(f + ": cannot read: " + e.getMessage());
                o.println("summary: traces=" + files.size() + " findings=0 error=io");
                return 2;
            }
        }
        Path dir = out != null ? out : Files.isDirectory(paths.get(0)) ? paths.get(0)
            : paths.get(0).toAbsolutePath().getParent();
        try {
            Reports.Written w = Reports.writeAll(dir, findings, List.of(files.size() + " trace(s) from "
                + paths.stream().map(Path::toString).reduce((a, b) -> a + ", " + b).orElse("")));
            o.println("wrote " + w.text() + ", " + w.markdown() + ", " + w.html() + ", " + w.junit());
            long violations = countViolations(w);
            o.println("summary: traces=" + files.size() + " findings=" + violations + " out=" + dir);
            return 0;
        } catch (IOException e) {
            System.err.println(dir + ": cannot write the reports: " + IoErrors.why(e, dir));
            o.println("summary: traces=" + files.size() + " findings=0 error=io");
            return 2;
        } catch (IllegalArgumentException e) {
            System.err.println("highwater report: " + e.getMessage());
            o.println("summary: traces=" + files.size() + " findings=0 error=bad_input");
            return 2;
        }
    }

    private static long countViolations(Reports.Written w) throws IOException {
        String x = Files.readString(w.junit());
        int i = x.indexOf("failures=\"");
        return Long.parseLong(x.substring(i + 10, x.indexOf('"', i + 10)));
    }
}
