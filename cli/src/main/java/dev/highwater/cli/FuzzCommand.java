package dev.highwater.cli;

import dev.highwater.model.policy.KernelPolicy;
import dev.highwater.model.policy.Presets;
import dev.highwater.model.trace.Trace;
import dev.highwater.properties.fuzz.BugClass;
import dev.highwater.properties.fuzz.CorpusBugs;
import dev.highwater.properties.fuzz.FindingWriter;
import dev.highwater.properties.fuzz.FuzzTargets;
import dev.highwater.properties.fuzz.PolicyTarget;
import dev.highwater.properties.fuzz.TraceDecoder;
import dev.highwater.properties.run.Differential;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code highwater fuzz}: coverage-guided fuzzing of the fuzz targets with Jazzer (each target in a child JVM running
 * {@code com.code_intelligence.jazzer.Jazzer}, see {@link JazzerProcess}), a live progress line, then every finding
 * minimized, a finding of a bug class the corpus has no trace of written to {@code corpus/fuzz/} (one of a known
 * class to {@code target/highwater/known/}, see {@link Dedup}), and a report in {@code target/highwater/summary.md}.
 * Exit status 1 when there were new findings (or model bugs), 2 when a target's JVM failed (it did not start, or
 * died: the run proves nothing for it), 0 otherwise; the last line is
 * {@code summary: targets=N execs=N findings=N new=N known=N}, with {@code errors=N error=target_failed} after it in
 * the failed case.
 */
@Command(name = "fuzz", mixinStandardHelpOptions = true, description = "Coverage-guided fuzzing (Jazzer) of the policy targets (one per preset), the trace"
    + " parser and the differential target; findings are minimized, those of new bug classes written to corpus/fuzz/, and"
    + " summarized in target/highwater/summary.md.")
public final class FuzzCommand implements Callable<Integer> {
    static final String INPUTS = "properties/src/test/resources/dev/highwater/properties/fuzz/FuzzTargetsTestInputs";

    @Option(names = "--targets", split = ",", description = "targets to fuzz (default: all; see --list)")
    List<String> targets = new ArrayList<>();

    @Option(names = "--budget", defaultValue = "120", description = "seconds of fuzzing in all (default ${DEFAULT-VALUE})")
    int budget;

    @Option(names = "--jobs", defaultValue = "0", description = "targets fuzzed in parallel (default: the number of cores)")
    int jobs;

    @Option(names = "--corpus", defaultValue = "corpus", description = "corpus folder; findings go to its fuzz/ (default ${DEFAULT-VALUE})")
    Path corpus;

    @Option(names = "--out", defaultValue = "target/highwater", description = "work and report folder (default ${DEFAULT-VALUE})")
    Path outDir;

    @Option(names = "--inputs", defaultValue = INPUTS, description = "checked-in fuzz inputs (seeds; also the JUnit regression inputs)")
    Path inputs;

    @Option(names = "--save-inputs", defaultValue = "0", description = "copy up to N clean inputs per target that reached new coverage into --inputs")
    int saveInputs;

    @Option(names = "--minimize-evals", defaultValue = "" + FindingWriter.DEFAULT_MAX_EVALUATIONS,
        description = "minimizer bound per finding, in trace runs (default ${DEFAULT-VALUE})")
    int minimizeEvals;

    @Option(names = "--seed", defaultValue = "0", description = "libFuzzer seed (0: random)")
    long seed;

    @Option(names = "--list", description = "list the targets and exit")
    boolean list;

    /** Which findings are new, and so go into the corpus. */
    enum Dedup {
        /**
         * A finding whose bug class ({@link BugClass#filed}: property, preset, the catalog fixes that remove it, or the
         * kernel switches that first do) has no trace
         * in the corpus yet: fuzzing the historic presets finds their known bugs again on every run, each time as
         * another minimized trace, and those are not news. The run's shortest trace of a new class is the one written.
         */
        CLASS,
        /** Every minimized trace the corpus does not hold yet (key: property + preset + the trace). */
        TRACE
    }

    @Option(names = "--dedup", defaultValue = "class", description = "which findings are new and go into corpus/fuzz/: class (default)"
        + " when the corpus has no trace of the finding's bug class (same property and preset, removed by the same catalog"
        + " fixes or first by the same kernel switches;"
        + " the others go to <out>/known/), trace for every minimized trace it does not hold yet")
    Dedup dedup;

    @Option(names = "--measure", description = "measure execs/s per core, each allocator and preset in a JVM of its own as a fuzz target runs (32-op traces over a 4,096-page zone,"
        + " every property checked) for each allocator, and of mainline inputs as the fuzzer draws them, instead of fuzzing")
    boolean measure;

    /**
     * One finding after classification and (for policy findings) minimization.
     *
     * @param sameAs   for a finding of a class the corpus (or a shorter finding of this run) already has: that trace
     */
    record Finding(String target, String artifact, FuzzSupport.Classified what, FindingWriter.Minimized minimized,
                   Path file, Path sameAs, boolean isNew, String note) {
        /** The minimized trace's bug class (null for a model bug or an unminimized finding). */
        BugClass bugClass() {
            return minimized == null ? null : minimized.bugClass();
        }

        /**
         * The catalog bugs whose fix alone makes the minimized trace hold under the finding's preset
         * ({@link dev.highwater.properties.bugs.Attribution}): the finding is (also) their mechanism. Empty for a
         * model bug or an unminimized finding.
         */
        List<String> mechanism() {
            return minimized == null ? List.of() : minimized.bugClass().mechanism();
        }

        /** What removes the minimized finding's violation, in words ({@link FindingWriter.Minimized#removes}). */
        String removes() {
            return minimized.removes();
        }

        Finding written(Path to, Path same, boolean created) {
            return new Finding(target, artifact, what, minimized, to, same, created, note);
        }
    }

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        List<FuzzTargets.Target> all = FuzzTargets.all();
        if (measure) {
            return Throughput.run(out);
        }
        if (list) {
            for (FuzzTargets.Target t : all) {
                out.printf("%-22s %s%n", t.name(), t.className());
            }
            out.println("summary: targets=" + all.size());
            return 0;
        }
        List<FuzzTargets.Target> chosen = new ArrayList<>();
        if (targets.isEmpty()) {
            chosen.addAll(all);
        } else {
            for (String n : targets) {
                Optional<FuzzTargets.Target> t = FuzzTargets.byName(n.trim());
                if (t.isEmpty()) {
                    System.err.println("highwater fuzz: unknown target '" + n + "' (known: "
                        + String.join(", ", all.stream().map(FuzzTargets.Target::name).toList()) + ")");
                    out.println("summary: targets=0 execs=0 findings=0 new=0 error=unknown_target");
                    return 2;
                }
                chosen.add(t.get());
            }
        }
        if (budget < 1) {
            System.err.println("highwater fuzz: --budget must be at least 1 second");
            out.println("summary: targets=0 execs=0 findings=0 new=0 error=bad_budget");
            return 2;
        }
        int j = jobs > 0 ? jobs : Math.max(1, Runtime.getRuntime().availableProcessors());
        j = Math.min(j, chosen.size());
        // each child spends ~4 s starting the JVM and instrumenting before libFuzzer's clock starts
        int perTarget = Math.max(3, (int) ((long) budget * j / chosen.size()) - 4);
        Path work = outDir.resolve("fuzz");
        Files.createDirectories(work);
        out.printf("highwater fuzz: %d target(s), %d job(s), %d s each (budget %d s), Jazzer coverage-guided, allocator %s%n",
            chosen.size(), j, perTarget, budget, PolicyTarget.allocator().name().toLowerCase());
        List<JazzerProcess> procs = new ArrayList<>();
        for (FuzzTargets.Target t : chosen) {
            Path dir = work.resolve(t.name());
            Files.createDirectories(dir);
            deleteChildren(dir.resolve("artifacts"));
            List<Path> seeds = new ArrayList<>(List.of(inputs.resolve(methodName(t))));
            if (t.kind() == FuzzTargets.Kind.PARSER) {
                seeds.add(corpus); // the parser starts from every checked-in trace (libFuzzer reads folders recursively)
            } else {
                // a full-length input of zeros lifts libFuzzer's length limit (Rediscovery LENGTH_SEED); the
                // differential target's first byte picks the preset, so it gets one byte more
                Path lengthSeed = dir.resolve("length-seed");
                Files.createDirectories(lengthSeed);
                byte[] seedInput = TraceDecoder.lengthSeed(PolicyTarget.MAX_OPS);
                if (t.kind() == FuzzTargets.Kind.DIFFERENTIAL) {
                    seedInput = new byte[seedInput.length + 1];
                }
                Files.write(lengthSeed.resolve("zeros"), seedInput);
                seeds.add(lengthSeed);
            }
            procs.add(new JazzerProcess(t, dir, seeds, perTarget, 100_000, Map.of(), seed));
        }
        long t0 = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(j);
        List<Future<?>> futures = new ArrayList<>();
        for (JazzerProcess p : procs) {
            futures.add(pool.submit(() -> {
                p.run();
                return null;
            }));
        }
        pool.shutdown();
        FuzzSupport.Progress progress = new FuzzSupport.Progress(System.err, 15);
        while (!pool.awaitTermination(1, TimeUnit.SECONDS)) {
            progress.show(progressLine(procs, t0), false);
        }
        progress.show(progressLine(procs, t0), true);
        progress.end();
        for (Future<?> f : futures) {
            f.get();
        }
        double fuzzSeconds = (System.nanoTime() - t0) / 1e9;

        // classify, minimize, write
        long m0 = System.nanoTime();
        FindingWriter writer = new FindingWriter(minimizeEvals);
        Path fuzzCorpus = corpus.resolve("fuzz");
        dev.highwater.cli.kernel.KernelBuild.delete(outDir.resolve("known")); // this run's known-class findings only
        ExecutorService mpool = Executors.newFixedThreadPool(j);
        List<Future<Finding>> pending = new ArrayList<>();
        for (JazzerProcess p : procs) {
            for (Path a : p.artifacts()) {
                pending.add(mpool.submit(() -> handle(p.target, a, writer)));
            }
        }
        mpool.shutdown();
        List<Finding> findings = new ArrayList<>();
        for (Future<Finding> f : pending) {
            findings.add(f.get());
        }
        // the same minimized trace from two artifacts counts once
        Map<String, Finding> distinct = new LinkedHashMap<>();
        for (Finding f : findings) {
            String k = f.minimized() != null ? f.minimized().relativePath() : f.target() + "/" + f.artifact();
            distinct.putIfAbsent(k, f);
        }
        findings = file(new ArrayList<>(distinct.values()), fuzzCorpus);
        double minimizeSeconds = (System.nanoTime() - m0) / 1e9;
        if (saveInputs > 0) {
            for (JazzerProcess p : procs) {
                saveInputs(p);
            }
        }

        long execs = procs.stream().mapToLong(p -> p.execs).sum();
        int newCount = 0;
        int knownCount = 0;
        int modelBugs = 0;
        out.println();
        out.printf("%-22s %10s %8s %12s %8s%n", "target", "execs", "exec/s", "cov/ft", "findings");
        for (JazzerProcess p : procs) {
            double s = Math.max(1e-9, p.fuzzingSeconds());
            out.printf("%-22s %10d %8.0f %12s %8d%s%n", p.target.name(), p.execs, p.execs / s,
                p.coverage < 0 ? "-" : p.coverage + "/" + p.features, p.findings,
                p.failed() ? "  (exit " + p.exitCode + ", see " + p.log + ")" : "");
        }
        out.println();
        for (Finding f : findings) {
            if (f.what().modelBug()) {
                modelBugs++;
                newCount++;
                out.println("MODEL BUG    " + f.target() + ": " + f.what().describe() + "  -> " + f.file());
                System.err.println("highwater fuzz: MODEL BUG in target " + f.target() + ": " + f.what().describe()
                    + " (input and trace: " + f.file() + ")");
            } else if (f.minimized() != null) {
                if (f.isNew()) {
                    newCount++;
                } else {
                    knownCount++;
                }
                out.printf("%-12s %s: %s, %d -> %d steps  %s%s%s%n", f.isNew() ? "NEW" : "known", f.target(),
                    f.what().describe(), f.minimized().originalOps(), f.minimized().minimizedOps(), f.file(),
                    f.bugClass() == null ? "" : "  " + f.removes(),
                    f.sameAs() == null ? "" : "  same bug as " + f.sameAs());
            } else {
                out.println("unclassified " + f.target() + " " + f.artifact() + ": " + f.note());
            }
        }
        writeSummary(procs, findings, j, perTarget, fuzzSeconds,
            minimizeSeconds, execs);
        // issue 10: text, Markdown, HTML (charts) and JUnit XML reports of the minimized findings
        List<dev.highwater.reports.Finding> reportable = new ArrayList<>();
        for (Finding f : findings) {
            if (f.minimized() != null) {
                reportable.add(new dev.highwater.reports.Finding(f.target() + ": " + f.minimized().relativePath(),
                    f.bugClass().property(), f.bugClass().preset(), f.minimized().trace(), Optional.ofNullable(f.file())));
            }
        }
        try {
            dev.highwater.reports.Reports.writeAll(outDir, reportable, List.of(procs.size() + " target(s), " + execs
                + " execs, budget " + budget + " s"));
        } catch (IOException | RuntimeException e) {
            System.err.println("highwater fuzz: could not write the reports to " + outDir + ": " + e);
        }
        out.println("model_bugs=" + modelBugs + " minimize_s=" + String.format("%.1f", minimizeSeconds)
            + " report=" + this.outDir.resolve("summary.md"));
        // a target whose JVM failed did not run or did not finish: the run cannot say it held (2, as CI fails on),
        // whatever the other targets found
        long broken = procs.stream().filter(JazzerProcess::failed).count();
        out.println("summary: targets=" + procs.size() + " execs=" + execs + " findings=" + findings.size() + " new="
            + newCount + " known=" + knownCount + (broken > 0 ? " errors=" + broken + " error=target_failed" : ""));
        return broken > 0 ? 2 : newCount > 0 ? 1 : 0;
    }

    static String methodName(FuzzTargets.Target t) {
        return t.name().replaceAll("[^A-Za-z0-9]", "_");
    }

    private String progressLine(List<JazzerProcess> procs, long t0) {
        long el = (System.nanoTime() - t0) / 1_000_000_000L;
        StringBuilder sb = new StringBuilder(String.format("[%02d:%02d]", el / 60, el % 60));
        int done = 0;
        long execs = 0;
        int findings = 0;
        for (JazzerProcess p : procs) {
            execs += p.execs;
            findings += p.findings;
            if (p.finished) {
                done++;
            } else if (p.started) {
                sb.append(String.format(" %s %d exec/s cov %s findings %d |", p.target.name(), p.execsPerSecond,
                    p.coverage < 0 ? "-" : String.valueOf(p.coverage), p.findings));
            }
        }
        sb.append(String.format(" done %d/%d targets, execs %d, findings %d", done, procs.size(), execs, findings));
        return sb.toString();
    }

    private Finding handle(FuzzTargets.Target t, Path artifact, FindingWriter writer) {
        String name = artifact.getFileName().toString();
        try {
            byte[] data = Files.readAllBytes(artifact);
            FuzzSupport.Classified c = name.startsWith("timeout-")
                ? new FuzzSupport.Classified(FuzzSupport.Verdict.TIMEOUT, t.preset(), null, null)
                : FuzzSupport.classify(t, data);
            if (c.modelBug()) {
                return modelBug(t, name, data, c);
            }
            if (c.verdict() != FuzzSupport.Verdict.POLICY) {
                return new Finding(t.name(), name, c, null, null, null, false, "did not reproduce in-process");
            }
            KernelPolicy p = Presets.byName(c.preset()).orElseThrow();
            Optional<FindingWriter.Minimized> m = writer.minimize(t.name(), data, p, c.property());
            if (m.isEmpty()) {
                // the target's allocator found it and the reference does not share it: if the two implementations
                // diverge on this trace, that is the finding (a model bug), not a masked policy violation
                Trace decoded = TraceDecoder.decode(data, p.name(), PolicyTarget.MAX_OPS);
                Differential.Report d = Differential.run(decoded, p);
                if (!d.agrees()) {
                    return modelBug(t, name, data, new FuzzSupport.Classified(FuzzSupport.Verdict.INTEGRITY,
                        p.name(), "differential", new IllegalStateException(
                            "the reference and fast allocators diverge: " + d.mismatch().get())));
                }
                return new Finding(t.name(), name, c, null, null, null, false, "not the first violation under the full catalog");
            }
            return new Finding(t.name(), name, c, m.get(), null, null, false, ""); // written by file()
        } catch (Exception | AssertionError e) {
            return new Finding(t.name(), name, new FuzzSupport.Classified(FuzzSupport.Verdict.EXCEPTION, t.preset(), null, e),
                null, null, null, true, "handling failed: " + e);
        }
    }

    /**
     * Writes the minimized findings, in a fixed order whatever order the minimizers finished in: fewest steps first,
     * then the trace's key. Under {@link Dedup#CLASS} a finding whose class the corpus (or an earlier finding of this
     * run) already has a trace of goes to {@code <out>/known/} and names that trace; the others go to the corpus.
     * Under {@link Dedup#TRACE} every one goes to the corpus. Either way a file already there is left as it is (the
     * finding is then not new). The findings come back in their own order.
     */
    List<Finding> file(List<Finding> findings, Path fuzzCorpus) throws IOException {
        List<Finding> order = findings.stream().filter(f -> f.minimized() != null && f.bugClass() != null)
            .sorted(Comparator.comparingInt((Finding f) -> f.minimized().minimizedOps())
                .thenComparing(f -> f.minimized().key()))
            .toList();
        CorpusBugs known = CorpusBugs.empty();
        if (dedup == Dedup.CLASS && !order.isEmpty()) {
            known = CorpusBugs.index(corpus, w -> System.err.println("highwater fuzz: " + w));
        }
        Map<Finding, Finding> done = new java.util.IdentityHashMap<>();
        for (Finding f : order) {
            Path exact = fuzzCorpus.resolve(f.minimized().relativePath());
            if (Files.exists(exact)) {
                done.put(f, f.written(exact, null, false)); // this very trace is in the corpus already
                continue;
            }
            String text = dev.highwater.model.trace.TracePrinter.print(f.minimized().trace());
            Optional<CorpusBugs.Known> same = known.findFiled(f.minimized().filed());
            if (dedup == Dedup.CLASS && same.isPresent()) {
                FindingWriter.Written w = FindingWriter.write(outDir.resolve("known"), f.minimized().relativePath(), text);
                done.put(f, f.written(w.file(), same.get().file(), false));
                continue;
            }
            FindingWriter.Written w = FindingWriter.write(fuzzCorpus, f.minimized().relativePath(), text);
            known.add(f.bugClass(), f.minimized().filed(), w.file(), f.minimized().minimizedOps());
            done.put(f, f.written(w.file(), null, w.created()));
        }
        List<Finding> out = new ArrayList<>();
        for (Finding f : findings) {
            out.add(done.getOrDefault(f, f));
        }
        return out;
    }

    /** A model bug: rendered for a person under {@code model-bugs/}, never added to the corpus. */
    private Finding modelBug(FuzzTargets.Target t, String name, byte[] data, FuzzSupport.Classified c)
        throws IOException {
        Path dir = outDir.resolve("model-bugs");
        Files.createDirectories(dir);
        Path f = dir.resolve(t.name() + "-" + FindingWriter.sha1(data).substring(0, 12) + ".txt");
        Files.writeString(f, FuzzSupport.renderModelBug(t, name, data, c), StandardCharsets.UTF_8);
        return new Finding(t.name(), name, c, null, f, null, true, "");
    }

    private void saveInputs(JazzerProcess p) throws IOException {
        if (!Files.isDirectory(p.corpusDir)) {
            return;
        }
        Path dir = inputs.resolve(methodName(p.target));
        List<Path> files;
        try (Stream<Path> s = Files.list(p.corpusDir)) {
            files = s.filter(Files::isRegularFile).sorted(Comparator.comparingLong((Path f) -> f.toFile().length())
                .thenComparing(Path::toString)).toList();
        }
        int saved = 0;
        for (Path f : files) {
            if (saved >= saveInputs) {
                break;
            }
            byte[] data = Files.readAllBytes(f);
            if (FuzzSupport.classify(p.target, data).verdict() != FuzzSupport.Verdict.CLEAN) {
                continue;
            }
            if (FindingWriter.write(dir, FindingWriter.sha1(data), data).created()) {
                saved++;
            }
        }
    }

    private void writeSummary(List<JazzerProcess> procs, List<Finding> findings, int j, int perTarget,
                              double fuzzSeconds, double minimizeSeconds, long execs) throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append("# Highwater fuzz summary\n\n");
        sb.append(String.format("%d target(s), %d job(s), %d s of fuzzing per target (budget %d s); fuzzing took %.0f s,"
                + " minimization %.0f s. Engine: Jazzer (libFuzzer, coverage-guided, with abstract-state feedback);"
                + " allocator: %s.%n%n", procs.size(), j, perTarget, budget, fuzzSeconds, minimizeSeconds,
            PolicyTarget.allocator().name().toLowerCase()));
        sb.append("| target | execs | execs/s | coverage (cov / ft) | findings |\n|---|---:|---:|---:|---:|\n");
        for (JazzerProcess p : procs) {
            sb.append(String.format("| %s | %d | %.0f | %s | %d |%n", p.target.name(), p.execs,
                p.execs / Math.max(1e-9, p.fuzzingSeconds()), p.coverage < 0 ? "-" : p.coverage + " / " + p.features,
                p.findings));
        }
        sb.append(String.format("%nTotal: %d execs.%n%n## Findings%n%n", execs));
        if (findings.isEmpty()) {
            sb.append("None.\n");
        } else {
            sb.append("| | target | what | steps (original → minimized) | what removes it | trace |\n"
                + "|---|---|---|---|---|---|\n");
            for (Finding f : findings) {
                String status = f.what().modelBug() ? "**MODEL BUG**" : f.isNew() ? "new" : f.minimized() != null ? "known" : "-";
                String steps = f.minimized() == null ? "" : f.minimized().originalOps() + " → " + f.minimized().minimizedOps();
                String file = f.file() == null ? f.note() : "`" + f.file() + "`"
                    + (f.sameAs() == null ? "" : " (same bug as `" + f.sameAs() + "`)");
                sb.append(String.format("| %s | %s | %s | %s | %s | %s |%n", status, f.target(),
                    f.what().describe().replace("|", "\\|").replace('\n', ' '), steps,
                    f.bugClass() == null ? "-" : f.removes().replace("|", "\\|"), file));
            }
        }
        Map<BugClass, List<Finding>> byClass = new LinkedHashMap<>();
        for (Finding f : findings) {
            if (f.bugClass() != null) {
                byClass.computeIfAbsent(f.minimized().filed(), c -> new ArrayList<>()).add(f);
            }
        }
        if (!byClass.isEmpty()) {
            sb.append(String.format("%n## Bug classes%n%n%d class(es) among the %d minimized finding(s).%n%n",
                byClass.size(), byClass.values().stream().mapToInt(List::size).sum()));
            sb.append("| | class | findings | corpus trace |\n|---|---|---:|---|\n");
            for (Map.Entry<BugClass, List<Finding>> e : byClass.entrySet()) {
                Finding first = e.getValue().get(0);
                boolean isNew = e.getValue().stream().anyMatch(Finding::isNew);
                Path trace = e.getValue().stream().filter(Finding::isNew).map(Finding::file).findFirst()
                    .orElse(first.sameAs() != null ? first.sameAs() : first.file());
                sb.append(String.format("| %s | %s | %d | `%s` |%n", isNew ? "new" : "known",
                    e.getKey().describe().replace("|", "\\|"), e.getValue().size(), trace));
            }
        }
        sb.append("\n\"Gone with the fix of\": the catalog bugs whose fix alone, applied to the finding's preset, makes the"
            + " minimized trace hold up to its violating step (a counterfactual replay). \"First gone with P's S\": no"
            + " catalog fix does, but S, one or two switches of a later kernel, applied to the finding's preset do; P is"
            + " the first preset after the finding's that had them (the trace's `removed by:` line lists every such set"
            + " of the first later preset that holds). \"No catalog fix or later preset removes it\": every later preset,"
            + " mainline included, violates it too.\n");
        if (dedup == Dedup.CLASS) {
            sb.append("\n\"known\": the corpus already has a trace of the same bug class (the same property violated under the"
                + " same preset, gone with the same catalog fixes, or first gone with the same kernel switches); the"
                + " finding's own trace is kept under `known/` beside this report, not added to the corpus."
                + " `--dedup trace` adds every new minimized trace.\n");
        }
        sb.append("\nReplay a finding with `./highwater replay <trace>`; `./mvnw -B verify` replays every corpus trace.\n");
        Files.createDirectories(outDir);
        Path tmp = Files.createTempFile(outDir, ".summary", ".md");
        Files.writeString(tmp, sb.toString(), StandardCharsets.UTF_8);
        Files.move(tmp, outDir.resolve("summary.md"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    private static void deleteChildren(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path f : s.toList()) {
                if (Files.isRegularFile(f)) {
                    Files.delete(f);
                }
            }
        }
    }
}
