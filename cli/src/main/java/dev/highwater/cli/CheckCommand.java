package dev.highwater.cli;

import dev.highwater.model.policy.KernelPolicy;
import dev.highwater.model.policy.Presets;
import dev.highwater.model.trace.Trace;
import dev.highwater.model.trace.TraceFormatException;
import dev.highwater.model.trace.TraceParser;
import dev.highwater.model.trace.TracePrinter;
import dev.highwater.properties.Conjunction;
import dev.highwater.properties.Property;
import dev.highwater.properties.PropertyCatalog;
import dev.highwater.properties.bugs.BugCatalog;
import dev.highwater.properties.bugs.KnownBug;
import dev.highwater.properties.explore.Alphabet;
import dev.highwater.properties.explore.CatalogCheck;
import dev.highwater.properties.explore.CheckResult;
import dev.highwater.properties.explore.CheckSpec;
import dev.highwater.properties.explore.Counterexamples;
import dev.highwater.properties.explore.Explorer;
import dev.highwater.properties.explore.Machines;
import dev.highwater.properties.fuzz.FindingWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code highwater check}: the bounded model checker (breadth-first, shortest counterexample, or a bounded proof).
 * With {@code --preset} and one {@code --property}: one search; ends with
 * {@code summary: preset=P property=Q depth=D states=N result=violation|clean length=L}. With several properties
 * ({@code all}, the default with {@code --preset} alone): one search for all of them, again without each one that is
 * violated ({@link #several}); ends with a table and {@code summary: preset=P property=all properties=N ...
 * violations=N unexpected=N not_found=N}. {@code --differential} adds the optimized allocator beside the reference
 * one ({@link CheckSpec#differential}, in every mode): a difference ends the search with {@code result=mismatch}, exit
 * 1. Without {@code --preset}: every sequential catalog bug under its pre-fix preset and property, on the bug's own configuration ({@link CatalogCheck#setup}: machine,
 * setup prefix, alphabet, depth) when it has one and neither --pages nor --alphabet is given, else on its trace's
 * machine shrunk to --pages with its trace's vocabulary, and its fixed presets to the same depth; ends with
 * {@code summary: bugs=N sequential=N found=N fixed_clean=N ...}. Counterexamples go to {@code <corpus>/check/}.
 * Exit 1 on a violation the catalog does not expect, or an expected one not found; 2 on bad input.
 */
@Command(name = "check", mixinStandardHelpOptions = true, description = "Bounded model checking: breadth-first search over a small op alphabet on a small"
    + " zone; the shortest counterexample (written to <corpus>/check/) or a bounded proof. With --preset: every"
    + " property (or --property's) in one search. Without --preset: every sequential catalog bug and its fixed"
    + " presets.")
public final class CheckCommand implements Callable<Integer> {

    @Option(names = "--preset", description = "preset to search under (then --property defaults to all)")
    String preset;

    @Option(names = "--property", description = "with --preset: the property to check after every step, several"
        + " separated by commas, or all (the default): several are checked in one search, which restarts without a"
        + " property once it has found that property's shortest counterexample")
    String property;

    @Option(names = "--bug", description = "only this catalog bug (default: every sequential one)")
    String bug;

    @Option(names = "--depth", description = "longest trace searched (default 5; without --preset: each catalog bug's"
        + " own search depth)")
    Integer depthOption;

    @Option(names = "--pages", description = "zone size in pages, 16..512 (default 64; without --preset: each catalog"
        + " bug's own machine and alphabet, or with --pages its trace's machine shrunk to that size)")
    Long pagesOption;

    int depth;
    long pages;

    @Option(names = "--trace", description = "initial configuration: this trace's header (machine, sysctls, tasks),"
        + " shrunk to --pages; its ops are ignored")
    Path trace;

    @Option(names = "--orders", defaultValue = "2", description = "allocation orders 0..K in the alphabet (default ${DEFAULT-VALUE})")
    int orders;

    @Option(names = "--alphabet", description = "standard (orders 0..K in GFP_KERNEL and GFP_ATOMIC/softirq, anon, page"
        + " cache, drain, kswapd, compact, free) or trace (the --trace or catalog bug trace's own alloc vocabulary scaled"
        + " to the zone, plus anon, page cache when it has any, drain, kswapd, compact, free); default: trace for"
        + " catalog bugs, standard otherwise")
    String alphabet;

    @Option(names = "--cache", negatable = true, description = "page-cache ops in the alphabet (default: on with"
        + " --preset; for catalog bugs, when the bug's trace uses page cache)")
    Boolean cache;

    @Option(names = "--max-states", defaultValue = "2000000", description = "memory bound in distinct states"
        + " (default ${DEFAULT-VALUE}); the search ends cleanly with 'bound reached at depth d'")
    long maxStates;

    @Option(names = "--corpus", defaultValue = "corpus", description = "corpus folder; counterexamples go to its check/"
        + " (default ${DEFAULT-VALUE})")
    Path corpus;

    @Option(names = "--no-write", description = "do not write counterexamples to the corpus")
    boolean noWrite;

    @Option(names = "--differential", description = "also run every transition on the optimized allocator, whose"
        + " result and state must equal the reference's (a bounded proof that the two agree, or the shortest trace"
        + " where they do not; about 3x slower); with the catalog, on each bug's own configuration")
    boolean differential;

    @Option(names = "--out", defaultValue = "target/highwater/check", paramLabel = "DIR",
        description = "where the reports of the counterexamples go (default ${DEFAULT-VALUE})")
    Path reportDir;

    private final List<dev.highwater.reports.Finding> found = new java.util.ArrayList<>();

    @Option(names = "--jobs", paramLabel = "N", description = "threads expanding each level (default: the number of cores); the result"
        + " is the same for any number, only the time changes")
    Integer jobsOption;

    int jobs;

    @Option(names = {"-q", "--quiet"}, description = "no progress lines")
    boolean quiet;

    private final PrintStream out = System.out;
    private final PrintStream err = System.err;

    /** "--pages must be 16..512, got 5", or null when {@code v} is in range. */
    private static String outOfRange(String option, long v, long lo, long hi) {
        return v >= lo && v <= hi ? null : option + " must be " + lo + ".." + hi + ", got " + v;
    }

    @Override
    public Integer call() {
        depth = depthOption == null ? 5 : depthOption;
        pages = pagesOption == null ? 64 : pagesOption;
        jobs = jobsOption == null ? Math.min(256, Runtime.getRuntime().availableProcessors()) : jobsOption;
        String range = outOfRange("--depth", depth, 1, 64);
        range = range != null ? range : outOfRange("--pages", pages, Machines.MIN_PAGES, Machines.MAX_PAGES);
        range = range != null ? range : outOfRange("--orders", orders, 0, 10);
        range = range != null ? range : outOfRange("--max-states", maxStates, 1, 1L << 28);
        range = range != null ? range : outOfRange("--jobs", jobs, 1, 256);
        if (range != null) {
            err.println("highwater check: " + range);
            out.println("summary: result=error error=bad_input");
            return 2;
        }
        if (alphabet != null && !alphabet.equals("standard") && !alphabet.equals("trace")) {
            err.println("highwater check: --alphabet is standard or trace, got '" + alphabet + "'");
            out.println("summary: result=error error=bad_input");
            return 2;
        }
        if ("trace".equals(alphabet) && preset != null && trace == null) {
            err.println("highwater check: --alphabet trace needs --trace FILE (or a catalog bug run)");
            out.println("summary: result=error error=bad_input");
            return 2;
        }
        if (preset == null && property != null) {
            err.println("highwater check: --property needs --preset (neither: every catalog bug)");
            out.println("summary: result=error error=bad_input");
            return 2;
        }
        return preset != null ? single() : catalog();
    }

    /** issue 10: the text, Markdown, HTML and JUnit XML reports of this run's counterexamples (stderr says where). */
    private void writeReports() {
        if (found.isEmpty()) {
            return;
        }
        try {
            dev.highwater.reports.Reports.writeAll(reportDir, found, List.of(preset != null || pagesOption != null
                ? "highwater check, depth " + depth + ", " + pages + " pages"
                : "highwater check over the bug catalog, each bug's own machine and depth"));
            err.println("highwater check: reports of " + found.size() + " counterexample(s) in " + reportDir
                + " (report.html, report.md, report.txt, junit.xml)");
        } catch (IOException | RuntimeException e) {
            err.println("highwater check: could not write the reports to " + reportDir + ": " + e);
        }
    }

    private Integer single() {
        Optional<KernelPolicy> p = Presets.byName(preset);
        if (p.isEmpty()) {
            err.println("highwater check: unknown preset '" + preset + "' (known: " + String.join(", ", Presets.names()) + ")");
            out.println("summary: result=error error=unknown_preset");
            return 2;
        }
        List<Property> props = new ArrayList<>();
        String wanted = property == null ? "all" : property.trim();
        for (String id : wanted.split(",", -1)) {
            id = id.trim();
            if (id.equals("all")) {
                props.addAll(PropertyCatalog.all());
                continue;
            }
            Optional<Property> q = PropertyCatalog.byId(id);
            if (q.isEmpty()) {
                err.println("highwater check: unknown property '" + id + "' (known: all, "
                    + String.join(", ", PropertyCatalog.all().stream().map(Property::id).toList()) + ")");
                out.println("summary: result=error error=unknown_property");
                return 2;
            }
            props.add(q.get());
        }
        List<Property> checked = Conjunction.parts(Conjunction.of(props));
        String label = checked.size() == PropertyCatalog.all().size() ? "all" : Conjunction.of(checked).id();
        Trace machine;
        Trace source = null;
        if (trace != null) {
            try {
                source = TraceParser.parseFile(trace);
                machine = Machines.shrink(source, preset, pages);
            } catch (TraceFormatException e) {
                err.println(e.getMessage());
                out.println("summary: result=error error=malformed_trace");
                return 2;
            } catch (IllegalArgumentException e) {
                err.println(trace + ": cannot shrink its machine to " + pages + " pages: " + e.getMessage());
                out.println("summary: result=error error=bad_machine");
                return 2;
            } catch (IOException e) {
                err.println(trace + ": cannot read (" + (Files.exists(trace) ? e.getMessage() : "no such file") + ")");
                out.println("summary: result=error error=io");
                return 2;
            }
        } else {
            machine = Machines.small(preset, pages);
        }
        boolean withCache = cache == null || cache;
        Alphabet a = "trace".equals(alphabet) ? Alphabet.fromTrace(source, machine)
            : Alphabet.standard(pages, orders, machine.tasks(), withCache);
        out.printf("check: preset=%s property=%s depth=%d pages=%d alphabet=%s moves=%d+frees max_states=%d%s%n",
            preset, label, depth, pages, "trace".equals(alphabet) ? "trace" : "standard(orders=0.." + orders
                + ",cache=" + withCache + ")", a.fixed().size(), maxStates,
            differential ? " differential=reference,fast" : "");
        if (checked.size() > 1) {
            return several(machine, p.get(), checked, label, a);
        }
        String property = checked.get(0).id();
        CheckSpec spec = new CheckSpec(machine, p.get(), checked.get(0), depth, a, maxStates, differential);
        CheckResult r = new Explorer(spec, progress(preset), jobs).run();
        report(spec, r);
        CatalogCheck.Expected ex = CatalogCheck.expected(preset, property);
        writeReports(); // before the summary line, which ends the output
        out.printf(Locale.ROOT, "summary: preset=%s property=%s depth=%d states=%d result=%s length=%d time_s=%.2f"
                + " states_per_s=%.0f states_per_cpu_s=%.0f jobs=%d expected=%s%s%s%n", preset, property, r.depth(),
            r.states(), r.resultWord(), r.length(), r.seconds(), r.statesPerSecond(), r.statesPerCpuSecond(), jobs,
            ex.name().toLowerCase(Locale.ROOT), differentialSuffix(), r.boundSuffix());
        if (r.modelBug()) {
            return 1;
        }
        boolean ok = r.violation() ? ex == CatalogCheck.Expected.VIOLATION : ex != CatalogCheck.Expected.VIOLATION;
        return ok ? 0 : 1;
    }

    /**
     * Several properties under one preset: a search with their {@link Conjunction} stops at the first violation of any;
     * that property gets its shortest counterexample (reported and written as a one-property search's would be) and
     * the search starts again without it, until one ends without a violation (a bounded proof for the rest) or none
     * is left. Each counterexample is a shortest one for its property: a search finds the shortest violation among
     * the properties it still checks. Exit 0 when every property's outcome is the one the catalog expects
     * ({@link CatalogCheck#expected}: a violation where a catalog bug with the property is present, none elsewhere),
     * as for one property: 1 on a violation the catalog does not expect (UNEXPECTED) or an expected one not found
     * within the bounds (NOT FOUND).
     */
    private Integer several(Trace machine, KernelPolicy policy, List<Property> props, String label, Alphabet a) {
        List<Property> remaining = new ArrayList<>(props);
        java.util.Map<String, CheckResult> outcome = new java.util.LinkedHashMap<>();
        long totalStates = 0;
        long totalTransitions = 0;
        long nanos = 0;
        long cpuNanos = 0;
        int searches = 0;
        CheckResult last = null;
        boolean modelBug = false;
        while (!remaining.isEmpty()) {
            CheckSpec spec = new CheckSpec(machine, policy, Conjunction.of(remaining), depth, a, maxStates,
                differential);
            CheckResult r = new Explorer(spec, progress(preset), jobs).run();
            searches++;
            totalStates += r.states();
            totalTransitions += r.transitions();
            nanos += r.nanos();
            cpuNanos += Math.max(0, r.cpuNanos());
            last = r;
            if (r.modelBug()) {
                report(spec, r);
                modelBug = true;
                break;
            }
            if (!r.violation()) {
                String rest = remaining.size() == props.size() ? label : remaining.size() == 1
                    ? remaining.get(0).id() : "the other " + remaining.size();
                CheckResult clean = r.withProperty(rest, r.message());
                report(spec, clean);
                for (Property q : remaining) {
                    outcome.put(q.id(), clean);
                }
                break;
            }
            CheckResult named = Counterexamples.attribute(spec, r);
            Property violated = remaining.stream().filter(q -> q.id().equals(named.property())).findFirst()
                .orElseThrow();
            report(new CheckSpec(machine, policy, violated, depth, a, maxStates, differential), named);
            outcome.put(violated.id(), named);
            remaining.remove(violated);
            if (!remaining.isEmpty()) {
                out.println("  searching again without " + violated.id() + " (" + remaining.size() + " left)");
            }
        }
        out.println();
        out.printf("%-28s %-10s %-26s %7s %10s%n", "property", "expected", "result", "length", "states");
        int violations = 0;
        int unexpected = 0;
        int missed = 0;
        int shortest = 0;
        for (Property q : props) {
            CheckResult r = outcome.get(q.id());
            CatalogCheck.Expected ex = CatalogCheck.expected(preset, q.id());
            String result;
            String flag = "";
            if (r == null) {
                result = "not searched (" + last.resultWord().replace('_', ' ') + ")";
            } else if (r.violation()) {
                violations++;
                shortest = shortest == 0 ? r.length() : Math.min(shortest, r.length());
                result = "violation";
                if (ex != CatalogCheck.Expected.VIOLATION) {
                    unexpected++;
                    flag = "  UNEXPECTED";
                }
            } else {
                result = "clean to depth " + r.depth() + (r.kind() == CheckResult.Kind.BOUND ? " (bound)"
                    : r.kind() == CheckResult.Kind.HEAP_FULL ? " (heap)" : r.kind() == CheckResult.Kind.EXHAUSTED
                    ? " (all states)" : "");
                if (ex == CatalogCheck.Expected.VIOLATION) {
                    missed++;
                    flag = "  NOT FOUND (a catalog bug has it: deeper, or another machine or alphabet)";
                }
            }
            out.printf(Locale.ROOT, "%-28s %-10s %-26s %7s %10d%s%n", q.id(), ex.name().toLowerCase(Locale.ROOT), result,
                r != null && r.violation() ? Integer.toString(r.length()) : "-", r == null ? 0 : r.states(), flag);
        }
        writeReports(); // before the summary line, which ends the output
        out.printf(Locale.ROOT, "summary: preset=%s property=%s properties=%d depth=%d states=%d result=%s length=%d"
                + " violations=%d unexpected=%d not_found=%d searches=%d states_total=%d transitions=%d time_s=%.2f"
                + " states_per_s=%.0f states_per_cpu_s=%.0f jobs=%d%s%s%n", preset, label, props.size(), last.depth(),
            last.states(), modelBug ? last.resultWord() : violations > 0 ? "violation" : "clean", shortest, violations,
            unexpected, missed, searches, totalStates, totalTransitions, nanos / 1e9,
            nanos == 0 ? 0 : totalStates * 1e9 / nanos, cpuNanos == 0 ? Double.NaN : totalStates * 1e9 / cpuNanos, jobs,
            differentialSuffix(), last.boundSuffix());
        return modelBug || unexpected > 0 || missed > 0 ? 1 : 0;
    }

    private Integer catalog() {
        List<KnownBug> bugs = new ArrayList<>();
        for (KnownBug b : BugCatalog.all()) {
            if (bug == null || b.id().equals(bug)) {
                bugs.add(b);
            }
        }
        if (bugs.isEmpty()) {
            err.println("highwater check: unknown bug '" + bug + "' (known: "
                + String.join(", ", BugCatalog.all().stream().map(KnownBug::id).toList()) + ")");
            out.println("summary: bugs=0 error=unknown_bug");
            return 2;
        }
        int sequential = 0;
        int found = 0;
        int fixedRuns = 0;
        int fixedClean = 0;
        long states = 0;
        long nanos = 0;
        long cpuNanos = 0;
        int maxDepth = 0;
        List<String> table = new ArrayList<>();
        for (KnownBug b : bugs) {
            if (!b.sequential()) {
                out.println("bug " + b.id() + ": skipped, not expressible as a sequential trace");
                continue;
            }
            sequential++;
            Path f = corpus.resolve(b.trace());
            Trace t;
            try {
                t = TraceParser.parseFile(f);
            } catch (TraceFormatException e) {
                err.println(e.getMessage());
                out.println("summary: bugs=" + bugs.size() + " error=malformed_trace");
                return 2;
            } catch (IOException e) {
                err.println(f + ": cannot read (" + (Files.exists(f) ? e.getMessage() : "no such file") + ")");
                out.println("summary: bugs=" + bugs.size() + " error=io");
                return 2;
            }
            String pre = b.buggy().get(0);
            boolean std = "standard".equals(alphabet);
            // the bug's own configuration (machine, setup prefix, alphabet, depth) unless --pages or --alphabet asks
            // for the generic one: the bug trace's machine shrunk to --pages
            Optional<CatalogCheck.Setup> setup = pagesOption == null && alphabet == null
                ? CatalogCheck.setup(b.id()) : Optional.empty();
            int depth = depthOption != null ? depthOption : setup.map(CatalogCheck.Setup::depth).orElse(5);
            maxDepth = Math.max(maxDepth, depth);
            CheckSpec spec;
            if (setup.isPresent()) {
                spec = setup.get().spec(pre, depth, maxStates);
            } else {
                spec = CatalogCheck.spec(b, t, pre, pages, depth, std ? orders : -1, maxStates);
                if (std && cache != null) {
                    spec = new CheckSpec(spec.machine(), spec.preset(), spec.property(), depth,
                        Alphabet.standard(pages, orders, spec.machine().tasks(), cache), maxStates);
                }
            }
            out.printf("bug %s: preset=%s property=%s depth=%d pages=%d prefix=%d moves=%d+frees (catalog trace: %d"
                    + " steps)%s%n", b.id(), String.join(",", b.buggy()), b.property(), depth,
                spec.machine().node().totalManagedPages(), spec.machine().ops().size(), spec.alphabet().fixed().size(),
                t.ops().size(), setup.map(s -> ": " + s.note()).orElse(""));
            boolean allFound = true;
            CheckResult r = null;
            List<String> buggyCells = new ArrayList<>();
            for (String bp : b.buggy()) {
                CheckSpec bs = new CheckSpec(spec.machine().withPolicy(bp), Presets.byName(bp).orElseThrow(),
                    spec.property(), depth, spec.alphabet(), maxStates, differential);
                CheckResult br = new Explorer(bs, progress(bp), jobs).run();
                report(bs, br);
                states += br.states();
                nanos += br.nanos();
                cpuNanos += Math.max(0, br.cpuNanos());
                allFound &= br.violation();
                if (r == null) {
                    r = br;
                } else {
                    buggyCells.add(String.format(Locale.ROOT, "%s=%s(%d states, %.1fs)", bp,
                        br.violation() ? "length " + br.length() : "clean@" + br.depth(), br.states(), br.seconds()));
                }
            }
            if (allFound) {
                found++;
            }
            List<String> fixedCells = new ArrayList<>();
            for (String fx : b.fixed()) {
                CheckSpec fs = new CheckSpec(spec.machine().withPolicy(fx), Presets.byName(fx).orElseThrow(),
                    spec.property(), depth, spec.alphabet(), maxStates, differential);
                CheckResult fr = new Explorer(fs, progress(fx), jobs).run();
                report(fs, fr);
                states += fr.states();
                nanos += fr.nanos();
                cpuNanos += Math.max(0, fr.cpuNanos());
                fixedRuns++;
                if (!fr.violation() && !fr.modelBug()) {
                    fixedClean++;
                }
                fixedCells.add(String.format(Locale.ROOT, "%s=%s@%d(%d states, %.1fs)", fx, fr.resultWord(), fr.depth(),
                    fr.states(), fr.seconds()));
            }
            table.add(String.format(Locale.ROOT, "%-28s %-12s %-6s %-10s %9d %7.1f %8d  %s", b.id(), pre,
                r.violation() ? Integer.toString(r.length()) : "-", r.resultWord() + "@" + r.depth(), r.states(),
                r.seconds(), t.ops().size(), String.join(" ", fixedCells)
                    + (buggyCells.isEmpty() ? "" : "; also pre-fix: " + String.join(" ", buggyCells))));
        }
        out.println();
        out.printf("%-28s %-12s %-6s %-10s %9s %7s %8s  %s%n", "bug", "preset", "length", "result", "states", "time_s",
            "catalog", "fixed presets (same depth)");
        table.forEach(out::println);
        boolean ok = found == sequential && fixedClean == fixedRuns;
        writeReports(); // before the summary line, which ends the output
        out.printf(Locale.ROOT, "summary: bugs=%d sequential=%d found=%d fixed_runs=%d fixed_clean=%d max_depth=%d"
                + " states=%d time_s=%.1f states_per_cpu_s=%.0f%s%n", bugs.size(), sequential, found, fixedRuns, fixedClean,
            maxDepth, states, nanos / 1e9, cpuNanos == 0 ? Double.NaN : states * 1e9 / cpuNanos, differentialSuffix());
        return ok ? 0 : 1;
    }

    /** The summary's mark of a differential search, or empty. */
    private String differentialSuffix() {
        return differential ? " differential=1" : "";
    }

    private Explorer.Progress progress(String presetName) {
        if (quiet) {
            return null;
        }
        return (d, frontier, states, transitions, rate) -> err.printf(Locale.ROOT,
            "check %s: depth=%d frontier=%d states=%d transitions=%d states/s=%.0f%n", presetName, d, frontier, states,
            transitions, rate);
    }

    /** Prints the outcome of one search; writes a counterexample to the corpus. */
    private void report(CheckSpec spec, CheckResult r) {
        String head = String.format(Locale.ROOT, "  %s %s: ", r.preset(), r.property());
        switch (r.kind()) {
            case VIOLATION, MODEL_ERROR, MISMATCH -> {
                out.println(head + (r.violation() ? "violation" : r.kind() == CheckResult.Kind.MISMATCH
                    ? "MISMATCH (reference and optimized allocator disagree)" : "MODEL ERROR") + " at length " + r.length()
                    + " (shortest; " + r.states() + " states, " + String.format(Locale.ROOT, "%.2f", r.seconds())
                    + " s): " + r.message());
                if (r.kind() != CheckResult.Kind.VIOLATION) {
                    r.counterexample().orElseThrow().forEach(o -> out.println("    " + TracePrinter.opText(o)));
                    return;
                }
                Trace finding = Counterexamples.finding(spec, r);
                found.add(new dev.highwater.reports.Finding("check " + r.preset() + ": " + r.property() + " at length "
                    + r.length(), r.property(), r.preset(), finding, Optional.empty()));
                String text = TracePrinter.print(finding);
                for (String line : text.split("\n")) {
                    out.println("    " + line);
                }
                if (!noWrite) {
                    try {
                        FindingWriter.Written w = Counterexamples.write(corpus.resolve("check"), finding, r.property());
                        out.println("  " + (w.created() ? "written: " : "already in the corpus: ") + w.file());
                    } catch (IOException e) {
                        err.println("highwater check: cannot write the counterexample: " + IoErrors.why(e));
                    }
                }
            }
            case BOUND -> out.printf(Locale.ROOT, "%sbound reached at depth %d: no violation up to depth %d, %d states,"
                + " %.2f s%n", head, r.depth() + 1, r.depth(), r.states(), r.seconds());
            case HEAP_FULL -> out.printf(Locale.ROOT, "%s%s (no violation up to depth %d, %.2f s)%n", head, r.message(),
                r.depth(), r.seconds());
            case EXHAUSTED -> out.printf(Locale.ROOT, "%sbounded proof: every reachable state explored by depth %d, no"
                + " violation (%d states, %.2f s)%n", head, r.depth(), r.states(), r.seconds());
            case CLEAN -> out.printf(Locale.ROOT, "%sbounded proof: preset=%s property=%s depth=%d states=%d time_s=%.2f%n",
                head, r.preset(), r.property(), r.depth(), r.states(), r.seconds());
            default -> throw new IllegalStateException();
        }
    }
}
