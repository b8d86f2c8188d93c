package dev.highwater.stress;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.openjdk.jcstress.JCStress;
import org.openjdk.jcstress.Options;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.infra.Status;
import org.openjdk.jcstress.infra.collectors.DiskReadCollector;
import org.openjdk.jcstress.infra.collectors.InProcessCollector;
import org.openjdk.jcstress.infra.collectors.TestResult;
import org.openjdk.jcstress.infra.grading.GradingResult;

/**
 * Runs the JCStress tests of this module in-process (JCStress forks a JVM per test and configuration), reads its
 * binary result log back, and judges the run: a FORBIDDEN outcome anywhere fails it, and so does a
 * {@link HistoricRace} that its pre-fix test never showed. JCStress's own text and HTML reports stay in the report
 * directory ({@code index.html}).
 */
public final class StressRunner {

    /**
     * What to run. {@code jcstressMode} is JCStress's {@code -m}; {@code tests} its {@code -t} regular expression (null:
     * all); {@code forks}, {@code timeMs}, {@code iterations} override the mode's when positive; {@code jvmArgs}
     * (null: JCStress's auto-detected configurations) gives the forked JVMs one configuration.
     */
    public record Config(String jcstressMode, String tests, Path reportDir, int forks, int timeMs, int iterations,
                         String jvmArgs) {
    }

    /** One test (a class) with its outcomes summed over the JVM configurations it ran in. */
    public record TestSummary(String name, Status status, long samples, long iterationMs, Map<String, Long> observed,
                              Map<String, Expect> expectOf, Map<String, String> descOf, long forbidden,
                              List<RaceSummary> races) {
        public double samplesPerSecond() {
            return iterationMs == 0 ? 0 : samples * 1000.0 / iterationMs;
        }
    }

    /** A historic race a pre-fix test must show, and in how many samples it did. */
    public record RaceSummary(String name, String fix, String outcome, long samples) {
    }

    public record Report(List<TestSummary> tests, Path reportDir) {
        public long forbidden() {
            return tests.stream().mapToLong(TestSummary::forbidden).sum();
        }

        public long errors() {
            return tests.stream().filter(t -> t.status() != Status.NORMAL).count();
        }

        public int racesExpected() {
            return tests.stream().mapToInt(t -> t.races().size()).sum();
        }

        public int racesObserved() {
            return (int) tests.stream().flatMap(t -> t.races().stream()).filter(r -> r.samples() > 0).count();
        }

        public boolean held() {
            return !tests.isEmpty() && forbidden() == 0 && errors() == 0 && racesObserved() == racesExpected();
        }

        public String summaryLine() {
            long samples = tests.stream().mapToLong(TestSummary::samples).sum();
            return "summary: tests=" + tests.size() + " forbidden=" + forbidden() + " races_expected=" + racesExpected()
                + " races_observed=" + racesObserved() + " errors=" + errors() + " samples=" + samples;
        }
    }

    private StressRunner() {
    }

    /**
     * Runs JCStress; its console output goes to {@code console}. The result log is kept as
     * {@code reportDir/jcstress-results.bin.gz}.
     */
    public static Report run(Config c, PrintStream console) throws Exception {
        Path dir = c.reportDir().toAbsolutePath();
        Files.createDirectories(dir);
        Path log = dir.resolve("jcstress-results.bin.gz");
        Files.deleteIfExists(log);
        List<String> args = new ArrayList<>(List.of("-m", c.jcstressMode(), "-r", dir.toString(), "-sc", "false"));
        if (c.tests() != null) {
            args.addAll(List.of("-t", c.tests()));
        }
        if (c.forks() > 0) {
            args.addAll(List.of("-f", Integer.toString(c.forks())));
        }
        if (c.timeMs() > 0) {
            args.addAll(List.of("-time", Integer.toString(c.timeMs())));
        }
        if (c.iterations() > 0) {
            args.addAll(List.of("-iters", Integer.toString(c.iterations())));
        }
        if (c.jvmArgs() != null) {
            args.addAll(List.of("-jvmArgs", c.jvmArgs())); // one JVM configuration (times ±biased locking)
        }
        PrintStream saved = System.out;
        System.setOut(console); // JCStress prints to System.out, from parse() on
        try {
            Options opts = new Options(args.toArray(new String[0]));
            if (!opts.parse()) {
                throw new IllegalArgumentException("JCStress rejected the options " + args);
            }
            setResultFile(opts, log.toString());
            new JCStress(opts).run();
        } finally {
            System.setOut(saved);
        }
        return read(log, dir);
    }

    /** Reads a JCStress binary result log and judges it. */
    public static Report read(Path log, Path reportDir) throws IOException, ClassNotFoundException {
        InProcessCollector collector = new InProcessCollector();
        if (Files.exists(log)) {
            DiskReadCollector reader = new DiskReadCollector(log.toString(), collector);
            try {
                reader.dump();
            } finally {
                reader.close();
            }
        }
        Map<String, List<TestResult>> byName = new TreeMap<>();
        for (TestResult r : collector.getTestResults()) {
            byName.computeIfAbsent(r.getName(), k -> new ArrayList<>()).add(r);
        }
        List<TestSummary> tests = new ArrayList<>();
        for (Map.Entry<String, List<TestResult>> e : byName.entrySet()) {
            tests.add(summarize(e.getKey(), e.getValue()));
        }
        return new Report(tests, reportDir);
    }

    private static TestSummary summarize(String name, List<TestResult> results) {
        Status status = Status.NORMAL;
        long samples = 0;
        long iterationMs = 0;
        Map<String, Long> observed = new TreeMap<>();
        long jcstressForbidden = 0;
        for (TestResult r : results) {
            status = status.combine(r.status());
            samples += r.getTotalCount();
            if (r.getConfig() != null) {
                iterationMs += (long) r.getConfig().time * Math.max(1, r.getConfig().iters);
            }
            for (String k : r.getStateKeys()) {
                observed.merge(k, r.getCount(k), Long::sum);
            }
            for (GradingResult gr : r.grading().gradingResults.values()) {
                if (gr.count > 0 && (gr.expect == Expect.FORBIDDEN || gr.expect == Expect.UNKNOWN)) {
                    jcstressForbidden += gr.count;
                }
            }
        }
        return judge(name, status, samples, iterationMs, observed, jcstressForbidden);
    }

    /**
     * Grades the observed outcomes of one test by its {@code @Outcome} table (the first row whose id pattern matches,
     * else the row without id; none: UNKNOWN, which counts as FORBIDDEN) and counts its
     * {@link HistoricRace}s. {@code jcstressForbidden} is JCStress's own count; the larger of the two counts.
     */
    static TestSummary judge(String name, Status status, long samples, long iterationMs, Map<String, Long> observed,
                             long jcstressForbidden) {
        Class<?> test = testClass(name);
        Outcome[] table = test == null ? new Outcome[0] : test.getAnnotationsByType(Outcome.class);
        Map<String, Expect> expectOf = new TreeMap<>();
        Map<String, String> descOf = new TreeMap<>();
        long forbidden = 0;
        for (Map.Entry<String, Long> o : observed.entrySet()) {
            Outcome row = rowFor(table, o.getKey());
            Expect ex = row == null ? Expect.UNKNOWN : row.expect();
            expectOf.put(o.getKey(), ex);
            descOf.put(o.getKey(), row == null ? "not in the outcome table" : row.desc());
            if (ex == Expect.FORBIDDEN || ex == Expect.UNKNOWN) {
                forbidden += o.getValue();
            }
        }
        List<RaceSummary> races = new ArrayList<>();
        for (HistoricRace h : test == null ? new HistoricRace[0] : test.getAnnotationsByType(HistoricRace.class)) {
            Pattern p = Pattern.compile(h.outcome());
            long n = 0;
            for (Map.Entry<String, Long> o : observed.entrySet()) {
                if (p.matcher(o.getKey()).matches()) {
                    n += o.getValue();
                }
            }
            races.add(new RaceSummary(h.name(), h.fix(), h.outcome(), n));
        }
        return new TestSummary(name, status, samples, iterationMs, observed, expectOf, descOf,
            Math.max(forbidden, jcstressForbidden), races);
    }

    /** The first row whose id pattern matches; else the row without id (JCStress's default row); else null. */
    private static Outcome rowFor(Outcome[] table, String id) {
        Outcome fallback = null;
        for (Outcome o : table) {
            if (o.id().length == 0) {
                fallback = fallback == null ? o : fallback;
                continue;
            }
            for (String pattern : o.id()) {
                if (Pattern.compile(pattern).matcher(id).matches()) {
                    return o;
                }
            }
        }
        return fallback;
    }

    /** A JCStress test's class by its (binary or canonical) name, or null. */
    static Class<?> testClass(String testName) {
        String n = testName;
        while (true) {
            try {
                return Class.forName(n, false, StressRunner.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                int dot = n.lastIndexOf('.');
                if (dot < 0) {
                    return null;
                }
                n = n.substring(0, dot) + '$' + n.substring(dot + 1); // a nested class: Outer.Inner -> Outer$Inner
            }
        }
    }

    /** JCStress 0.16 writes its result log into the working directory; point it into the report directory. */
    private static void setResultFile(Options opts, String file) {
        try {
            Field f = Options.class.getDeclaredField("resultFile");
            f.setAccessible(true);
            f.set(opts, file);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot set JCStress's result file (JCStress version changed?)", e);
        }
    }

    /** Prints one block per test: its outcome table with samples, and its historic races. */
    public static void print(Report rep, PrintStream out) {
        for (TestSummary t : rep.tests()) {
            out.printf("%s  [%s]  samples=%d  samples/s=%.0f  forbidden=%d%n", t.name(), t.status(), t.samples(),
                t.samplesPerSecond(), t.forbidden());
            for (Map.Entry<String, Long> o : t.observed().entrySet()) {
                Expect ex = t.expectOf().get(o.getKey());
                out.printf("    %-12s %12d  %-22s %s%n", o.getKey(), o.getValue(), ex == null ? "?" : ex,
                    t.descOf().getOrDefault(o.getKey(), ""));
            }
            for (RaceSummary r : t.races()) {
                out.printf("    historic race %s (fixed by %s), outcome %s: %s in %d samples%n", r.name(), r.fix(),
                    r.outcome(), r.samples() > 0 ? "OBSERVED" : "NOT OBSERVED", r.samples());
            }
        }
        out.println("report: " + rep.reportDir().resolve("index.html"));
    }

    /** Writes the printed report to {@code reportDir/summary.txt} (a temp file, then renamed). */
    public static Path writeSummary(Report rep) throws IOException {
        Path target = rep.reportDir().resolve("summary.txt");
        Path tmp = Files.createTempFile(rep.reportDir(), "summary", ".tmp");
        try (PrintStream ps = new PrintStream(Files.newOutputStream(tmp), true, "UTF-8")) {
            print(rep, ps);
            ps.println(rep.summaryLine());
        }
        try {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        return target;
    }
}
