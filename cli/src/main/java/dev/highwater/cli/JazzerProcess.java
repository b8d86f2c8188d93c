package dev.highwater.cli;

import dev.highwater.properties.fuzz.FuzzTargets;
import dev.highwater.properties.fuzz.FuzzerOptions;
import dev.highwater.properties.fuzz.PolicyTarget;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs one fuzz target under Jazzer's coverage-guided engine (libFuzzer) in a child JVM:
 * {@code java -cp <this CLI's class path> com.code_intelligence.jazzer.Jazzer --target_class=... corpus}. Jazzer's
 * standalone driver is a dependency of the CLI (it is inside {@code highwater.jar}), so nothing else needs installing.
 * A child per target because libFuzzer owns its process (it exits when the time budget is spent) and keeps global
 * state; the parent reads its output for the live progress line and its artifacts for the findings.
 */
final class JazzerProcess {
    /** Jazzer's instrumentation kinds, {@link FuzzerOptions#TRACE} (override with -Dhighwater.fuzz.trace=cov,cmp,...). */
    static final String TRACE = System.getProperty("highwater.fuzz.trace", FuzzerOptions.TRACE);

    /** Classes left uninstrumented, {@link FuzzerOptions#EXCLUDES} (override with -Dhighwater.fuzz.excludes=...). */
    static final String EXCLUDES = System.getProperty("highwater.fuzz.excludes", FuzzerOptions.EXCLUDES);

    private static final Pattern STATUS = Pattern.compile("^#(\\d+)\\s+(\\w+)\\s+cov: (\\d+) ft: (\\d+).*?exec/s: (\\d+)");
    private static final Pattern FINAL_EXECS = Pattern.compile("^stat::number_of_executed_units: (\\d+)");
    private static final Pattern DONE = Pattern.compile("^Done (\\d+) runs in (\\d+) second");

    final FuzzTargets.Target target;
    final Path workDir;
    final Path corpusDir;
    final Path artifactDir;
    final Path log;
    private final List<Path> seedDirs;
    private final int seconds;
    private final int keepGoing;
    private final Map<String, String> systemProperties;
    private final long seed;

    volatile long execs;
    volatile long execsPerSecond;
    volatile long coverage = -1;
    volatile long features = -1;
    volatile int findings;
    volatile boolean modelBug;
    volatile boolean started;
    volatile boolean finished;
    volatile int exitCode = -1;
    volatile long startNanos;
    volatile long initedNanos;
    volatile long endNanos;
    /** Nanos since fuzzing started (INITED) and execs at the first finding; -1 if none. */
    volatile long firstFindingNanos = -1;
    volatile long firstFindingExecs = -1;
    volatile String firstFindingLine;
    /** Extra libFuzzer options, appended after the defaults (e.g. {@code -len_control=0} for rediscovery). */
    List<String> extraOptions = List.of();

    JazzerProcess(FuzzTargets.Target target, Path workDir, List<Path> seedDirs, int seconds, int keepGoing,
                  Map<String, String> systemProperties, long seed) {
        this.target = target;
        workDir = workDir.toAbsolutePath().normalize();
        this.workDir = workDir;
        this.corpusDir = workDir.resolve("corpus");
        this.artifactDir = workDir.resolve("artifacts");
        this.log = workDir.resolve("jazzer.log");
        this.seedDirs = seedDirs.stream().map(d -> d.toAbsolutePath().normalize()).toList();
        this.seconds = seconds;
        this.keepGoing = keepGoing;
        this.systemProperties = Map.copyOf(systemProperties);
        this.seed = seed;
    }

    /**
     * This JVM's class path with every entry made absolute: the child runs in its target's work folder, where a
     * relative entry ({@code java -jar cli/target/highwater.jar fuzz}) names nothing.
     */
    static String absoluteClassPath() {
        String[] entries = System.getProperty("java.class.path").split(java.util.regex.Pattern.quote(java.io.File.pathSeparator));
        List<String> out = new ArrayList<>();
        for (String e : entries) {
            out.add(e.isEmpty() ? e : java.nio.file.Path.of(e).toAbsolutePath().normalize().toString());
        }
        return String.join(java.io.File.pathSeparator, out);
    }

    /**
     * Whether the JVM ended otherwise than at its budget (0) or with findings (77): it did not start, or died, so it
     * searched less than it was asked to.
     */
    boolean failed() {
        return exitCode != 0 && exitCode != 77;
    }

    static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    List<String> command() {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBinary());
        cmd.addAll(FuzzerOptions.JVM);
        cmd.add("-Djdk.attach.allowAttachSelf=true");
        // extra options for the child JVMs, space-separated (-Dhighwater.fuzz.jvm=...: a profiler agent, JIT flags)
        for (String o : System.getProperty("highwater.fuzz.jvm", "").trim().split("\\s+")) {
            if (!o.isEmpty()) {
                cmd.add(o);
            }
        }
        // the allocator the policy targets run: this JVM's choice (its default, or -Dhighwater.fuzz.allocator=...)
        cmd.add("-Dhighwater.fuzz.allocator=" + PolicyTarget.allocator().name().toLowerCase(java.util.Locale.ROOT));
        systemProperties.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.add("-cp");
        cmd.add(absoluteClassPath());
        cmd.add("com.code_intelligence.jazzer.Jazzer");
        cmd.add("--target_class=" + target.className());
        cmd.addAll(FuzzerOptions.jazzer(EXCLUDES, TRACE));
        cmd.add("--keep_going=" + keepGoing);
        cmd.add("--reproducer_path=" + artifactDir);
        cmd.add("-artifact_prefix=" + artifactDir + "/");
        cmd.add("-max_total_time=" + seconds);
        cmd.add("-timeout=60");
        cmd.add("-rss_limit_mb=4096");
        cmd.add("-print_final_stats=1");
        cmd.addAll(FuzzerOptions.LIBFUZZER);
        if (seed > 0) {
            cmd.add("-seed=" + seed);
        }
        cmd.addAll(extraOptions);
        cmd.add(corpusDir.toString());
        for (Path s : seedDirs) {
            if (Files.isDirectory(s)) {
                cmd.add(s.toString());
            }
        }
        return cmd;
    }

    /** Runs the child to the end (blocking), parsing its output as it comes. */
    void run() throws IOException, InterruptedException {
        Files.createDirectories(corpusDir);
        Files.createDirectories(artifactDir);
        ProcessBuilder pb = new ProcessBuilder(command()).redirectErrorStream(true).directory(workDir.toFile());
        startNanos = System.nanoTime();
        started = true;
        Process p = pb.start();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
             PrintWriter w = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8))) {
            w.println("# " + String.join(" ", command()));
            String line;
            while ((line = r.readLine()) != null) {
                w.println(line);
                parse(line);
            }
        } finally {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            exitCode = p.exitValue();
            endNanos = System.nanoTime();
            finished = true;
        }
    }

    void parse(String line) {
        Matcher m = STATUS.matcher(line);
        if (m.find()) {
            execs = Long.parseLong(m.group(1));
            coverage = Long.parseLong(m.group(3));
            features = Long.parseLong(m.group(4));
            execsPerSecond = Long.parseLong(m.group(5));
            if (m.group(2).equals("INITED") && initedNanos == 0) {
                initedNanos = System.nanoTime();
            }
            return;
        }
        if (line.startsWith("== Java Exception:")) {
            findings++;
            if (!line.contains("PolicyFinding")) {
                modelBug = true;
            }
            if (firstFindingNanos < 0) {
                firstFindingNanos = System.nanoTime() - (initedNanos > 0 ? initedNanos : startNanos);
                firstFindingExecs = execs;
                firstFindingLine = line;
            }
            return;
        }
        Matcher f = FINAL_EXECS.matcher(line);
        if (f.find()) {
            execs = Long.parseLong(f.group(1));
            if (firstFindingExecs >= 0 && findings == 1 && keepGoing == 1) {
                firstFindingExecs = execs;
            }
            return;
        }
        Matcher d = DONE.matcher(line);
        if (d.find()) {
            execs = Long.parseLong(d.group(1));
        }
    }

    /** Seconds the child has been fuzzing (since INITED, else since it started). */
    double fuzzingSeconds() {
        long from = initedNanos > 0 ? initedNanos : startNanos;
        long to = finished ? endNanos : System.nanoTime();
        return from == 0 ? 0 : (to - from) / 1e9;
    }

    /** The crash artifacts (raw inputs of the findings) in file-name order. */
    List<Path> artifacts() throws IOException {
        if (!Files.isDirectory(artifactDir)) {
            return List.of();
        }
        try (var s = Files.list(artifactDir)) {
            return s.filter(f -> {
                String n = f.getFileName().toString();
                return n.startsWith("crash-") || n.startsWith("timeout-") || n.startsWith("oom-");
            }).sorted().toList();
        }
    }
}
