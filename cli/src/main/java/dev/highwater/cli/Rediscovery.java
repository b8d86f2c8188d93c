package dev.highwater.cli;

import dev.highwater.model.policy.KernelPolicy;
import dev.highwater.model.policy.Presets;
import dev.highwater.properties.bugs.Attribution;
import dev.highwater.properties.bugs.BugCatalog;
import dev.highwater.properties.bugs.KnownBug;
import dev.highwater.properties.fuzz.FuzzTargets;
import dev.highwater.properties.fuzz.PolicyTarget;
import dev.highwater.properties.fuzz.Search;
import dev.highwater.properties.fuzz.TraceDecoder;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * {@code highwater bugs --rediscover}: for every sequential catalog bug, from an empty corpus (but for the bug-agnostic
 * length seed, see LENGTH_SEED), coverage-guided fuzzing
 * (Jazzer, the {@code PropertyHuntFuzzer} target: integrity properties plus the bug's property) of its pre-fix preset
 * until the property is violated or the budget is spent; the same hunt on each fixed preset for the same budget,
 * which must stay clean; and the uniform-random baseline ({@link Search#hunt}: same decoder, random bytes, no
 * feedback) on the pre-fix preset. Times are measured from the moment fuzzing starts (libFuzzer's INITED line; the
 * child JVM's start-up and instrumentation, about 3 s, are not counted) and for the baseline from its first input.
 */
final class Rediscovery {
    /** Bytes per random input of the baseline (the fuzzer's inputs are at most 512; the decoder extends both). */
    static final int RANDOM_INPUT_BYTES = 320;

    /**
     * Extra libFuzzer options for the guided hunts, from {@code -Dhighwater.rediscover.options=...} (space-separated;
     * none by default). Length control is not the knob for input length here (see LENGTH_SEED).
     */
    static final List<String> GUIDED_OPTIONS = List.of(System.getProperty("highwater.rediscover.options", "").trim()
        .split("\\s+")).stream().filter(o -> !o.isEmpty()).toList();

    /*
     * LENGTH_SEED: Jazzer's libFuzzer keeps its mutation length limit at max(4, the longest corpus input) for the whole
     * run (observed with -len_control=0, 1 and the default alike: the state hints add features on almost every run, and
     * the limit never moves), so from a truly empty corpus every input stays at most 4 bytes long, which the decoder
     * spends on the machine and the extension seed: random traces, no locality. The hunts therefore start from one
     * input: zeros at the decoder's full length (TraceDecoder.lengthSeed), which decodes as a header of zeros alone,
     * carries no knowledge of any bug, and lifts the limit to a full trace: every field of every op is then a byte the
     * mutations change locally, and a mutation of a header byte still redraws the whole trace (a random restart).
     */

    /**
     * One hunt's outcome. {@code explainedBy}: for a fixed preset's violation, the other catalog bugs whose fix alone
     * removes it, joined by '+' ({@link Attribution}); such a violation is theirs, not a failure of this bug's fix.
     */
    record Hunt(boolean found, double seconds, long execs, String note, String explainedBy, boolean failed) {
        Hunt(boolean found, double seconds, long execs, String note) {
            this(found, seconds, execs, note, "", false);
        }

        /**
         * Clean for the bug being hunted: no violation, or only one that another known bug explains; a hunt whose
         * JVM failed ({@code failed}: it did not start, or died) searched nothing and is not clean.
         */
        boolean cleanForBug() {
            return !failed && (!found || !explainedBy.isEmpty());
        }

        String fixedVerdict() {
            return failed ? "FAILED" : !found ? "clean" : explainedBy.isEmpty() ? "VIOLATED"
                : "clean(violation is " + explainedBy + ")";
        }
    }

    record BugRun(KnownBug bug, Hunt guided, Hunt random, Map<String, Hunt> fixed) {
    }

    private final int budget;
    private final int jobs;
    private final int runs;
    private final Path work;

    /** Bug ids to hunt (empty: every sequential bug). */
    private final List<String> only;

    Rediscovery(int budget, int jobs, int runs, Path out) {
        this(budget, jobs, runs, out, List.of());
    }

    Rediscovery(int budget, int jobs, int runs, Path out, List<String> only) {
        this.only = List.copyOf(only);
        this.budget = budget;
        this.jobs = jobs;
        this.runs = runs;
        this.work = out.resolve("rediscover");
    }

    int run(PrintStream out) throws Exception {
        List<KnownBug> bugs = BugCatalog.all().stream().filter(KnownBug::sequential)
            .filter(b -> only.isEmpty() || only.contains(b.id())).toList();
        out.printf("highwater bugs --rediscover: %d sequential bug(s), %d s per hunt, %d run(s), %d job(s); engine Jazzer"
            + " (coverage-guided, empty corpus + length seed) vs uniform random (same decoder); allocator %s%n", bugs.size(), budget, runs,
            jobs, PolicyTarget.allocator().name().toLowerCase());
        List<List<BugRun>> perBug = new ArrayList<>();
        for (KnownBug b : bugs) {
            List<BugRun> rs = new ArrayList<>();
            for (int r = 1; r <= runs; r++) {
                rs.add(runOne(b, r));
                BugRun last = rs.get(rs.size() - 1);
                out.printf("  %s run %d: guided %s, random %s, fixed %s%n", b.id(), r, brief(last.guided()),
                    brief(last.random()), String.join(" ", last.fixed().entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue().fixedVerdict()).toList()));
            }
            perBug.add(rs);
        }
        out.println();
        out.printf("%-27s %-13s %-26s %-34s %-34s %-7s %-7s %s%n", "bug", "pre-fix", "property",
            "guided s/execs per run", "random s/execs per run", "time", "execs", "fixed presets (same budget)");
        int found = 0;
        int randomFound = 0;
        int fixedClean = 0;
        long fixedExplained = 0;
        List<Double> medians = new ArrayList<>();
        List<Double> randomMedians = new ArrayList<>();
        List<Double> execRatios = new ArrayList<>();
        for (List<BugRun> rs : perBug) {
            KnownBug b = rs.get(0).bug();
            boolean gAll = rs.stream().allMatch(x -> x.guided().found());
            boolean rAll = rs.stream().allMatch(x -> x.random().found());
            boolean fAll = rs.stream().allMatch(x -> x.fixed().values().stream().allMatch(Hunt::cleanForBug));
            fixedExplained += rs.stream().mapToLong(x -> x.fixed().values().stream()
                .filter(h -> h.found() && !h.explainedBy().isEmpty()).count()).sum();
            double gMed = median(rs.stream().map(x -> x.guided().found() ? x.guided().seconds() : Double.POSITIVE_INFINITY).toList());
            double rMed = median(rs.stream().map(x -> x.random().found() ? x.random().seconds() : Double.POSITIVE_INFINITY).toList());
            double gExecs = median(rs.stream().map(x -> x.guided().found() ? (double) x.guided().execs() : Double.POSITIVE_INFINITY).toList());
            double rExecs = median(rs.stream().map(x -> x.random().found() ? (double) x.random().execs() : Double.POSITIVE_INFINITY).toList());
            found += gAll ? 1 : 0;
            randomFound += rAll ? 1 : 0;
            fixedClean += fAll ? 1 : 0;
            if (Double.isFinite(gMed)) {
                medians.add(gMed);
            }
            if (Double.isFinite(rMed)) {
                randomMedians.add(rMed);
            }
            if (Double.isFinite(gExecs) && Double.isFinite(rExecs)) {
                execRatios.add(rExecs / Math.max(gExecs, 1));
            }
            // random over guided, medians (time and execs); '>' when only guided found it in most runs
            String speed = ratio(rMed, gMed, budget);
            String execSpeed = Double.isFinite(gExecs) && Double.isFinite(rExecs)
                ? String.format(Locale.ROOT, "%.1fx", rExecs / Math.max(gExecs, 1)) : "-";
            List<String> fixedText = new ArrayList<>();
            for (String f : b.fixed()) {
                long broken = rs.stream().filter(x -> x.fixed().get(f).failed()).count();
                long bad = rs.stream().filter(x -> x.fixed().get(f).found() && !x.fixed().get(f).cleanForBug()).count();
                List<String> others = rs.stream().map(x -> x.fixed().get(f)).filter(h -> h.found() && h.cleanForBug())
                    .map(Hunt::explainedBy).distinct().toList();
                fixedText.add(f + "=" + (bad == 0 && broken == 0 ? "clean" : bad > 0 ? "VIOLATED " + bad + "/" + rs.size()
                    : "FAILED " + broken + "/" + rs.size())
                    + (others.isEmpty() ? "" : "(other bug: " + String.join(",", others) + ")"));
            }
            out.printf("%-27s %-13s %-26s %-34s %-34s %-7s %-7s %s%n", b.id(), b.buggy().get(0), b.property(),
                perRun(rs.stream().map(BugRun::guided).toList()), perRun(rs.stream().map(BugRun::random).toList()), speed,
                execSpeed, String.join(" ", fixedText));
        }
        double medianS = medians.isEmpty() ? Double.NaN : median(medians);
        double randomMedianS = randomMedians.isEmpty() ? Double.NaN : median(randomMedians);
        double execRatio = execRatios.isEmpty() ? Double.NaN : median(execRatios);
        out.println();
        out.println("fixed presets: a violation whose trace holds once another catalog bug's fix alone is applied to the"
            + " preset is that bug's, shown as 'other bug:' and not counted against this fix (fixed_explained); the hunt"
            + " stops at its first violation, so such a run searched less than the budget for one of this bug");
        out.println("per run: seconds/execs to the first violation, '>" + budget + "/N' = not found in N execs; time and"
            + " execs = random median / guided median (over " + runs + " run(s)); per-run lines above; logs under " + work);
        long failed = perBug.stream().flatMap(List::stream)
            .flatMap(x -> java.util.stream.Stream.concat(java.util.stream.Stream.of(x.guided(), x.random()),
                x.fixed().values().stream()))
            .filter(Hunt::failed).count();
        out.println(String.format(Locale.ROOT, "summary: bugs=%d found=%d median_s=%.1f random_found=%d fixed_clean=%d"
            + " random_median_s=%.1f exec_ratio=%.2f fixed_explained=%d", bugs.size(), found, medianS, randomFound, fixedClean,
            randomMedianS, execRatio, fixedExplained) + (failed > 0 ? " errors=" + failed + " error=hunt_failed" : ""));
        // a hunt that could not run proves nothing either way: the run did not check what it was asked to (2)
        return failed > 0 ? 2 : found == bugs.size() && fixedClean == bugs.size() ? 0 : 1;
    }

    private static String ratio(double random, double guided, int budget) {
        if (Double.isFinite(guided) && Double.isFinite(random)) {
            return String.format(Locale.ROOT, "%.1fx", random / Math.max(guided, 0.01));
        }
        return Double.isFinite(guided) ? String.format(Locale.ROOT, ">%.1fx", budget / Math.max(guided, 0.01)) : "-";
    }

    private String perRun(List<Hunt> hs) {
        List<String> cells = new ArrayList<>();
        for (Hunt h : hs) {
            cells.add(h.found() ? String.format(Locale.ROOT, "%.1f/%d", h.seconds(), h.execs())
                : String.format(Locale.ROOT, ">%d/%d", budget, h.execs()));
        }
        return String.join(" ", cells);
    }

    private static String brief(Hunt h) {
        return h.found() ? String.format("found %.1f s / %d execs", h.seconds(), h.execs())
            : String.format("not found (%d execs)%s", h.execs(), h.note().isEmpty() ? "" : " " + h.note());
    }

    static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        s.sort(Comparator.naturalOrder());
        if (s.isEmpty()) {
            return Double.NaN;
        }
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    private BugRun runOne(KnownBug b, int run) throws Exception {
        String bad = b.buggy().get(0);
        ExecutorService pool = Executors.newFixedThreadPool(jobs);
        try {
            Future<Hunt> guided = pool.submit(guided(b, bad, run, "guided"));
            Future<Hunt> random = pool.submit(() -> {
                KernelPolicy p = Presets.byName(bad).orElseThrow();
                Search.Hunt h = Search.hunt(p, PolicyTarget.integrityAnd(b.property()), run, budget, PolicyTarget.MAX_OPS,
                    RANDOM_INPUT_BYTES);
                boolean hit = h.found() && h.property().equals(b.property());
                return new Hunt(hit, h.seconds(), h.execs(), h.found() && !hit ? "MODEL BUG: " + h.violation() : "");
            });
            Map<String, Future<Hunt>> fixed = new java.util.LinkedHashMap<>();
            for (String f : b.fixed()) {
                fixed.put(f, pool.submit(guided(b, f, run, "fixed")));
            }
            Map<String, Hunt> fixedDone = new java.util.LinkedHashMap<>();
            for (var e : fixed.entrySet()) {
                fixedDone.put(e.getKey(), e.getValue().get());
            }
            return new BugRun(b, guided.get(), random.get(), fixedDone);
        } finally {
            pool.shutdown();
        }
    }

    private Callable<Hunt> guided(KnownBug b, String preset, int run, String role) {
        return () -> {
            Path dir = work.resolve(b.id()).resolve("run" + run + "-" + role + "-" + preset);
            deleteTree(dir);
            FuzzTargets.Target t = FuzzTargets.hunt(preset, b.property());
            // the corpus starts empty but for a full-length input of zeros (see LENGTH_SEED)
            Path seeds = dir.resolve("seed");
            Files.createDirectories(seeds);
            Files.write(seeds.resolve("zeros"), TraceDecoder.lengthSeed(PolicyTarget.MAX_OPS));
            JazzerProcess p = new JazzerProcess(t, dir, List.of(seeds), budget, 1,
                Map.of("highwater.fuzz.preset", preset, "highwater.fuzz.property", b.property()), run);
            p.extraOptions = GUIDED_OPTIONS;
            p.run();
            boolean hit = p.firstFindingLine != null && p.firstFindingLine.contains("PolicyFinding");
            String note = p.firstFindingLine != null && !hit ? "MODEL BUG: " + p.firstFindingLine
                : p.failed() ? "exit " + p.exitCode + ", see " + p.log : "";
            String explainedBy = hit && role.equals("fixed") ? explain(b, preset, p.artifacts()) : "";
            boolean failed = !hit && p.failed();
            return new Hunt(hit, hit ? p.firstFindingNanos / 1e9 : p.fuzzingSeconds(), hit ? p.firstFindingExecs : p.execs,
                note, explainedBy, failed);
        };
    }

    /** The other catalog bugs whose fix alone removes a fixed preset's violation (the first artifact's), or "". */
    private static String explain(KnownBug b, String preset, List<Path> artifacts) throws IOException {
        if (artifacts.isEmpty()) {
            return "";
        }
        KernelPolicy p = Presets.byName(preset).orElseThrow();
        var trace = TraceDecoder.decode(Files.readAllBytes(artifacts.get(0)), preset, PolicyTarget.MAX_OPS);
        return String.join("+", Attribution.explain(trace, p, PolicyTarget.integrityAnd(b.property()), b.id()));
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
