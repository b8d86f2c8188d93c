package dev.highwater.cli;

import dev.highwater.model.ZoneSnapshot;
import dev.highwater.model.policy.Presets;
import dev.highwater.model.trace.Trace;
import dev.highwater.model.trace.TraceFormatException;
import dev.highwater.model.trace.TraceParser;
import dev.highwater.model.trace.TracePrinter;
import dev.highwater.properties.run.Outcome;
import dev.highwater.properties.run.StepRecord;
import dev.highwater.properties.run.TraceRunner;
import dev.highwater.properties.run.Verdict;
import java.io.IOException;
import java.io.PrintStream;
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
 * {@code highwater replay <file.trace|dir>...}: replays traces, prints each step's result and the zones' free pages,
 * watermarks and reserved highatomic, judges every trace against its recorded results and expect lines, and ends
 * with {@code summary: traces=N as_expected=N unexpected=N}.
 */
@Command(name = "replay", mixinStandardHelpOptions = true, description = "Replay traces (files ending in .trace, or folders of them) and check them.")
public final class ReplayCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "PATH", description = "trace files or folders (searched recursively for *.trace)")
    List<Path> paths;

    @Option(names = "--preset", description = "run only this preset instead of the trace's own and those its expect lines name")
    String preset;

    @Option(names = {"-q", "--quiet"}, description = "one line per trace, no per-step table")
    boolean quiet;

    @Override
    public Integer call() {
        PrintStream out = System.out;
        if (preset != null && Presets.byName(preset).isEmpty()) {
            System.err.println("highwater replay: unknown preset '" + preset + "' (known: "
                + String.join(", ", Presets.names()) + ")");
            out.println("summary: traces=0 as_expected=0 unexpected=0 malformed=0 error=unknown_preset");
            return 2;
        }
        List<Path> files = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.walk(p)) {
                    s.filter(f -> f.toString().endsWith(".trace") && Files.isRegularFile(f)).sorted().forEach(files::add);
                } catch (IOException e) {
                    System.err.println(p + ": cannot read folder: " + IoErrors.why(e, p));
                    out.println("summary: traces=0 as_expected=0 unexpected=0 malformed=0 error=io");
                    return 2;
                }
            } else if (Files.isRegularFile(p)) {
                files.add(p);
            } else {
                System.err.println(p + ": no such file or folder");
                out.println("summary: traces=0 as_expected=0 unexpected=0 malformed=0 error=missing_path");
                return 2;
            }
        }
        TraceRunner runner = TraceRunner.standard();
        int ok = 0;
        int unexpected = 0;
        int malformed = 0;
        for (Path f : files) {
            Trace t;
            try {
                t = TraceParser.parseFile(f);
            } catch (TraceFormatException e) {
                System.err.println(e.getMessage());
                malformed++;
                continue;
            } catch (IOException e) {
                System.err.println(f + ": cannot read: " + e.getMessage());
                malformed++;
                continue;
            }
            Verdict v = Verdict.judge(t, runner, preset);
            if (!quiet) {
                printTrace(out, f, t, v);
            }
            if (v.asExpected()) {
                ok++;
                out.println("AS EXPECTED  " + f + "  (" + String.join(", ", v.runs().stream().map(this::brief).toList()) + ")");
            } else {
                unexpected++;
                out.println("UNEXPECTED   " + f);
                for (String p : v.problems()) {
                    out.println("    " + p);
                }
            }
        }
        out.println("summary: traces=" + (ok + unexpected) + " as_expected=" + ok + " unexpected=" + unexpected
            + " malformed=" + malformed);
        if (malformed > 0) {
            return 2;
        }
        return unexpected > 0 ? 1 : 0;
    }

    private String brief(Outcome o) {
        return o.preset() + ": " + o.violation().map(v -> v.property() + " at step " + v.step()).orElse("clean");
    }

    private void printTrace(PrintStream out, Path f, Trace t, Verdict v) {
        out.println("== " + f);
        for (String c : t.comments()) {
            out.println("   # " + c);
        }
        for (Outcome o : v.runs()) {
            out.println("-- preset " + o.preset() + ", " + t.node().zones().size() + " zone(s), pageblock_order "
                + t.node().pageblockOrder() + ", cpus " + t.node().cpus());
            out.println(String.format("   %-5s %-58s %-14s %s", "step", "op", "result", "zones after the step"));
            out.println(String.format("   %-5s %-58s %-14s %s", "boot", "", "", zones(o.initial())));
            for (StepRecord s : o.steps()) {
                String op = TracePrinter.opText(s.op());
                if (op.length() > 58) {
                    op = op.substring(0, 55) + "...";
                }
                String res = s.result() + (s.resultMatches() ? "" : " (!)");
                out.println(String.format("   %-5d %-58s %-14s %s", s.step(), op, res, zones(s.zones())));
            }
            o.violation().ifPresent(vi -> out.println("   violation: " + vi));
        }
    }

    static String zones(List<ZoneSnapshot> zs) {
        List<String> parts = new ArrayList<>();
        for (ZoneSnapshot z : zs) {
            parts.add(String.format("%s free=%d min/low/high=%d/%d/%d ha=%d", z.type().kernelName(), z.nrFreePages(),
                z.min(), z.low(), z.high(), z.nrReservedHighatomic()));
        }
        return String.join("; ", parts);
    }
}
