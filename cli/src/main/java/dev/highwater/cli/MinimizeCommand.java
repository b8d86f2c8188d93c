package dev.highwater.cli;

import dev.highwater.model.policy.KernelPolicy;
import dev.highwater.model.policy.Presets;
import dev.highwater.model.trace.Trace;
import dev.highwater.model.trace.TraceFormatException;
import dev.highwater.model.trace.TraceParser;
import dev.highwater.model.trace.TracePrinter;
import dev.highwater.properties.PropertyCatalog;
import dev.highwater.properties.Violation;
import dev.highwater.properties.fuzz.BugClass;
import dev.highwater.properties.fuzz.FindingWriter;
import dev.highwater.properties.run.TraceRunner;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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
 * {@code highwater minimize <file.trace|dir>...}: shrinks traces that violate a property (a long fuzz finding, a trace
 * written by hand from a kernel log, one from another tool) with the fuzzer's minimizer, keeping the trace's bug class
 * ({@link BugClass}: the same property violated first under the same preset, removed by the same catalog fixes), and
 * writes each as a corpus trace with a header and {@code expect} lines for every preset. A file is written to a
 * temporary name and linked into place; an existing file is never overwritten. Ends with
 * {@code summary: traces=N minimized=N ...}; exit 0 when every trace was minimized and written, 2 on bad input (a
 * malformed trace, one that does not violate the property, an output file that exists with other content).
 */
@Command(name = "minimize", mixinStandardHelpOptions = true,
    description = "Minimize traces that violate a property, keeping their bug class (property, preset and the catalog "
        + "fixes that remove it); each is written with a header and expect lines for every preset.")
public final class MinimizeCommand implements Callable<Integer> {
    /** Minimizer evaluations per trace by default: more than a fuzz run spends, as a person waits for one trace. */
    static final int DEFAULT_MAX_EVALUATIONS = 2000;

    @Parameters(arity = "1..*", paramLabel = "PATH", description = "trace files, or folders searched recursively for "
        + "*.trace (leaving out the *.min.trace this command writes)")
    List<Path> paths;

    @Option(names = "--preset", description = "minimize under this preset (default: each trace's own policy)")
    String preset;

    @Option(names = "--property", description = "the property that must stay violated first (default: the one the "
        + "trace violates first under the preset)")
    String property;

    @Option(names = "--max-evals", defaultValue = "" + DEFAULT_MAX_EVALUATIONS,
        description = "bound per trace, in minimizer evaluations (default ${DEFAULT-VALUE})")
    int maxEvaluations;

    @Option(names = "--out", description = "folder to write into as <preset>/<property>-<key>.trace, the corpus "
        + "layout (--out corpus/fuzz); default: beside each trace as <name>.min.trace")
    Path out;

    @Override
    public Integer call() {
        PrintStream o = System.out;
        if (preset != null && Presets.byName(preset).isEmpty()) {
            return usage(o, "unknown preset '" + preset + "' (known: " + String.join(", ", Presets.names()) + ")");
        }
        if (property != null && PropertyCatalog.byId(property).isEmpty()) {
            return usage(o, "unknown property '" + property + "' (known: "
                + String.join(", ", PropertyCatalog.all().stream().map(p -> p.id()).toList()) + ")");
        }
        if (maxEvaluations < 1) {
            return usage(o, "--max-evals must be at least 1");
        }
        List<Path> files = new ArrayList<>();
        int bad = 0;
        for (Path p : paths) {
            if (!Files.isDirectory(p)) {
                files.add(p); // a missing file is reported with the others
                continue;
            }
            try (Stream<Path> s = Files.walk(p)) {
                s.filter(f -> f.toString().endsWith(".trace") && !f.toString().endsWith(".min.trace")
                    && Files.isRegularFile(f)).sorted().forEach(files::add);
            } catch (IOException | java.io.UncheckedIOException e) {
                System.err.println(p + ": cannot read the folder: " + IoErrors.why(e instanceof java.io.UncheckedIOException u
                    ? u.getCause() : (IOException) e, p));
                bad++;
            }
        }
        int minimized = 0;
        long before = 0;
        long after = 0;
        long evaluations = 0;
        for (Path f : files) {
            Optional<FindingWriter.Minimized> m;
            try {
                m = minimize(f);
            } catch (BadTrace e) {
                System.err.println(e.getMessage());
                bad++;
                continue;
            }
            FindingWriter.Minimized min = m.orElseThrow();
            String text = TracePrinter.print(min.trace());
            Path written;
            try {
                written = write(f, min, text);
            } catch (IOException e) {
                System.err.println(f + ": cannot write the minimized trace: " + IoErrors.why(e, f));
                bad++;
                continue;
            } catch (BadTrace e) {
                System.err.println(e.getMessage());
                bad++;
                continue;
            }
            minimized++;
            before += min.originalOps();
            after += min.minimizedOps();
            evaluations += min.evaluations();
            o.println("MINIMIZED  " + f + ": " + min.describe() + ", " + min.originalOps() + " -> " + min.minimizedOps()
                + " steps (" + min.evaluations() + " evaluations) -> " + written);
        }
        o.println("summary: traces=" + files.size() + " minimized=" + minimized + " bad=" + bad + " steps_before="
            + before + " steps_after=" + after + " evaluations=" + evaluations);
        return bad > 0 ? 2 : 0;
    }

    private static int usage(PrintStream o, String message) {
        System.err.println("highwater minimize: " + message);
        o.println("summary: traces=0 minimized=0 error=usage");
        return 2;
    }

    /** A trace this command cannot minimize, with a message naming the file (and line). */
    static final class BadTrace extends Exception {
        BadTrace(String message) {
            super(message, null, false, false);
        }
    }

    private Optional<FindingWriter.Minimized> minimize(Path f) throws BadTrace {
        Trace t;
        try {
            t = TraceParser.parseFile(f);
        } catch (TraceFormatException e) {
            throw new BadTrace(e.getMessage());
        } catch (java.nio.file.NoSuchFileException e) {
            throw new BadTrace(f + ": no such file");
        } catch (IOException e) {
            throw new BadTrace(f + ": cannot read: " + e.getMessage());
        }
        String presetName = preset != null ? preset : t.policy();
        KernelPolicy p = Presets.byName(presetName).orElseThrow(
            () -> new BadTrace(f + ": unknown preset '" + presetName + "'"));
        Optional<Violation> v = TraceRunner.standard().run(t.withPolicy(p.name()), p).violation();
        if (v.isEmpty()) {
            throw new BadTrace(f + ": nothing to minimize: it holds every property under " + p.name());
        }
        if (property != null && !v.get().property().equals(property)) {
            throw new BadTrace(f + ": under " + p.name() + " it violates " + v.get().property() + " first (at step "
                + v.get().step() + "), not " + property);
        }
        List<String> lead = new ArrayList<>();
        for (String c : t.comments()) {
            if (!FindingWriter.writtenAnew(c)) {
                lead.add(c);
            }
        }
        lead.add("minimized by `highwater minimize` from " + f.getFileName() + " (" + t.ops().size() + " steps)");
        return new FindingWriter(maxEvaluations).minimize(t, p, v.get().property(), lead);
    }

    private Path write(Path f, FindingWriter.Minimized m, String text) throws IOException, BadTrace {
        FindingWriter.Written w;
        if (out != null) {
            w = FindingWriter.write(out, m.relativePath(), text);
        } else {
            String name = f.getFileName().toString();
            String stem = name.endsWith(".trace") ? name.substring(0, name.length() - ".trace".length()) : name;
            Path dir = f.toAbsolutePath().getParent();
            w = FindingWriter.write(dir, stem + ".min.trace", text);
        }
        if (!w.created() && !Files.readString(w.file(), StandardCharsets.UTF_8).equals(text)) {
            throw new BadTrace(w.file() + ": exists with other content; not overwritten (remove it, or use --out)");
        }
        return w.file();
    }
}
