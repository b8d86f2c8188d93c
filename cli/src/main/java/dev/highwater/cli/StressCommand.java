package dev.highwater.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code highwater stress --mode quick|default}: the JCStress tests of the optimized allocator ({@code stress/}).
 *
 * <p>The CLI jar is shaded and does not contain JCStress or the generated test harnesses, so the tests live in their
 * own jar: {@code ./mvnw -B -q -pl stress -am package -DskipTests} builds {@code stress/target/jcstress.jar}, and this
 * command runs {@code java -jar stress/target/jcstress.jar --mode M --report DIR} in a child JVM (which forks one JVM
 * per test and configuration, as JCStress does). The jar is found from the working directory upwards (the checkout
 * that has {@code stress/pom.xml} and {@code mvnw}) and rebuilt when missing or older than a source or pom of
 * {@code stress/} or {@code model/}; {@code --jar} names another, {@code --no-build} never builds.
 *
 * <p>The child prints each test's outcome table, samples per second and the historic races, keeps JCStress's HTML
 * report in {@code --report} (default {@code target/highwater/stress/index.html}), and ends with
 * {@code summary: tests=N forbidden=N races_expected=N races_observed=N errors=N samples=N}. Exit status 1 when a
 * FORBIDDEN outcome appeared, a test errored, or a historic race expected under its pre-fix preset was not observed.
 */
@Command(name = "stress", mixinStandardHelpOptions = true,
    description = "Run the JCStress tests of the optimized allocator (softirq vs process context, historic races).")
public final class StressCommand implements Callable<Integer> {

    @Option(names = "--mode", description = "quick (every test, one JVM configuration, ~4.5 min on 2 busy cores), "
        + "default (JCStress's default preset over all JVM configurations: the nightly run), tough, or verify "
        + "(the subset `mvn verify` runs). Default: quick")
    String mode = "quick";

    @Option(names = "--tests", description = "regular expression over test names (JCStress -t)")
    String tests;

    @Option(names = "--report", description = "directory for JCStress's HTML report and summary.txt "
        + "(default: target/highwater/stress)")
    Path report = Path.of("target", "highwater", "stress");

    @Option(names = "--jar", description = "the stress jar (default: stress/target/jcstress.jar of this checkout)")
    Path jar;

    @Option(names = "--no-build", description = "never build the stress jar; fail when it is missing")
    boolean noBuild;

    @Option(names = "--quiet", description = "send JCStress's progress output to <report>/jcstress-console.log")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        if (!List.of("quick", "default", "tough", "verify").contains(mode)) {
            System.err.println("highwater stress: unknown --mode '" + mode + "' (quick, default, tough, verify)");
            System.out.println("summary: error=usage");
            return 2;
        }
        Path j = jar;
        if (j == null) {
            Path root = findRoot(Path.of("").toAbsolutePath());
            if (root == null) {
                System.err.println("highwater stress: no checkout with stress/pom.xml and mvnw above "
                    + Path.of("").toAbsolutePath() + "; run from the Highwater checkout or pass --jar");
                System.out.println("summary: error=no_stress_jar");
                return 2;
            }
            j = root.resolve("stress/target/jcstress.jar");
            if (!noBuild && stale(root, j)) {
                System.err.println("highwater stress: building " + root.relativize(j)
                    + " (./mvnw -B -q -pl stress -am package -DskipTests) ...");
                int b = new ProcessBuilder(root.resolve("mvnw").toString(), "-B", "-q", "-pl", "stress", "-am", "package",
                    "-DskipTests").directory(root.toFile()).inheritIO().start().waitFor();
                if (b != 0) {
                    System.err.println("highwater stress: the build failed (exit " + b + ")");
                    System.out.println("summary: tests=0 forbidden=0 races_expected=0 races_observed=0 errors=1 samples=0");
                    return 1;
                }
            }
        }
        if (!Files.isRegularFile(j)) {
            System.err.println("highwater stress: " + j + " does not exist; build it with ./mvnw -B -pl stress -am package");
            System.out.println("summary: error=no_stress_jar");
            return 2;
        }
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-jar", j.toString(), "--mode", mode, "--report", report.toString()));
        if (tests != null) {
            cmd.addAll(List.of("--tests", tests));
        }
        if (quiet) {
            cmd.add("--quiet");
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String last = "";
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                System.out.println(line);
                if (!line.isBlank()) {
                    last = line;
                }
            }
        }
        int status = p.waitFor();
        if (!last.startsWith("summary:")) {
            System.err.println("highwater stress: the stress run ended without a summary (exit " + status + ")");
            System.out.println("summary: tests=0 forbidden=0 races_expected=0 races_observed=0 errors=1 samples=0");
            return status == 2 ? 2 : 1;
        }
        return status == 0 || status == 2 ? status : 1;
    }

    /** The checkout root: the nearest directory at or above {@code dir} with {@code stress/pom.xml} and {@code mvnw}. */
    static Path findRoot(Path dir) {
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("stress/pom.xml")) && Files.isRegularFile(d.resolve("mvnw"))) {
                return d;
            }
        }
        return null;
    }

    /** Missing, or older than a pom or source file of the modules it contains. */
    static boolean stale(Path root, Path jar) throws IOException {
        if (!Files.isRegularFile(jar)) {
            return true;
        }
        FileTime built = Files.getLastModifiedTime(jar);
        for (Path p : List.of(root.resolve("pom.xml"), root.resolve("stress/pom.xml"), root.resolve("model/pom.xml"))) {
            if (Files.isRegularFile(p) && Files.getLastModifiedTime(p).compareTo(built) > 0) {
                return true;
            }
        }
        for (Path src : List.of(root.resolve("stress/src/main"), root.resolve("model/src/main"))) {
            if (!Files.isDirectory(src)) {
                continue;
            }
            try (Stream<Path> s = Files.walk(src)) {
                boolean newer = s.filter(Files::isRegularFile).anyMatch(f -> {
                    try {
                        return Files.getLastModifiedTime(f).compareTo(built) > 0;
                    } catch (IOException e) {
                        return true;
                    }
                });
                if (newer) {
                    return true;
                }
            }
        }
        return false;
    }
}
