package dev.highwater.stress;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code java -jar stress/target/jcstress.jar [--mode quick|default|tough|verify] [--tests REGEX] [--report DIR]
 * [--jvm-args ARGS] [--quiet]}: runs the JCStress tests and ends with
 * {@code summary: tests=N forbidden=N races_expected=N races_observed=N errors=N samples=N}. Exit status 0 when no
 * FORBIDDEN outcome appeared, no test errored and every {@link HistoricRace} of a pre-fix preset was observed; 1
 * otherwise; 2 for bad arguments.
 *
 * <p>Modes: {@code quick} (every test, JCStress's quick mode, one fork of one JVM configuration), {@code default}
 * and {@code tough} (every test, JCStress's own presets over all its JVM configurations: the nightly run),
 * {@code verify} (the subset {@code ./mvnw verify} runs, {@link #VERIFY_TESTS}, 3 × 100 ms per fork). {@code
 * org.openjdk.jcstress.Main} in the
 * same jar is plain JCStress, for its own options. {@code --jvm-args} runs the forks in that one JVM configuration
 * (JCStress {@code -jvmArgs}; JCStress still adds ±UseBiasedLocking on JDK 17) instead of the mode's.
 */
public final class StressMain {
    /** The subset {@code mvn verify} runs: the historic race under a pre-fix and the fixed preset, and one test each. */
    public static final String VERIFY_TESTS =
        "UnreserveVsPcpFree\\.Linux(48|49)|AllocVsAllocAboveMin\\.Linux48|ReserveVsReserve\\.Linux61"
            + "|FreeVsWatermarkCheck\\.Linux61";
    /** The single JVM configuration of the quick and verify modes (JCStress adds ±UseBiasedLocking on JDK 17). */
    static final String QUICK_JVM_ARGS = "-Xss1m";

    private StressMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        String mode = "quick";
        String tests = null;
        Path report = Path.of("target", "highwater", "stress");
        boolean quiet = false;
        String jvmArgs = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (a) {
                case "--mode" -> {
                    mode = v;
                    i++;
                }
                case "--tests" -> {
                    tests = v;
                    i++;
                }
                case "--report" -> {
                    report = v == null ? null : Path.of(v);
                    i++;
                }
                case "--jvm-args" -> {
                    jvmArgs = v;
                    i++;
                }
                case "--quiet" -> quiet = true;
                case "-h", "--help" -> {
                    out.println("usage: java -jar jcstress.jar [--mode quick|default|tough|verify] [--tests REGEX]"
                        + " [--report DIR] [--jvm-args ARGS] [--quiet]");
                    return 0;
                }
                default -> {
                    return usage(out, err, "unknown argument '" + a + "'");
                }
            }
            if (!"--quiet".equals(a) && v == null) {
                return usage(out, err, a + " needs a value");
            }
        }
        StressRunner.Config c;
        switch (mode) {
            case "quick" -> c = new StressRunner.Config("quick", tests, report, 1, 0, 0, QUICK_JVM_ARGS);
            case "default" -> c = new StressRunner.Config("default", tests, report, 0, 0, 0, null);
            case "tough" -> c = new StressRunner.Config("tough", tests, report, 0, 0, 0, null);
            case "verify" -> c = new StressRunner.Config("quick", tests == null ? VERIFY_TESTS : tests, report, 1, 100, 3,
                QUICK_JVM_ARGS);
            default -> {
                return usage(out, err, "unknown mode '" + mode + "' (quick, default, tough, verify)");
            }
        }
        if (jvmArgs != null) {
            // one JVM configuration instead of the mode's (JCStress -jvmArgs)
            c = new StressRunner.Config(c.jcstressMode(), c.tests(), c.reportDir(), c.forks(), c.timeMs(), c.iterations(),
                jvmArgs);
        }
        out.println("highwater stress: mode=" + mode + " tests=" + (c.tests() == null ? "all" : c.tests())
            + " report=" + report.toAbsolutePath());
        try {
            Files.createDirectories(report);
            StressRunner.Report rep;
            if (quiet) {
                Path console = report.resolve("jcstress-console.log");
                try (OutputStream os = Files.newOutputStream(console); PrintStream ps = new PrintStream(os, true, "UTF-8")) {
                    rep = StressRunner.run(c, ps);
                }
            } else {
                rep = StressRunner.run(c, out);
            }
            StressRunner.print(rep, out);
            StressRunner.writeSummary(rep);
            if (rep.tests().isEmpty()) {
                out.println("highwater stress: no test matched or ran");
            }
            for (StressRunner.TestSummary t : rep.tests()) {
                for (StressRunner.RaceSummary r : t.races()) {
                    if (r.samples() == 0) {
                        out.println("FAILED: historic race " + r.name() + " (" + r.fix() + ") not observed in " + t.name());
                    }
                }
                if (t.forbidden() > 0) {
                    out.println("FAILED: " + t.forbidden() + " FORBIDDEN samples in " + t.name());
                }
                if (t.status() != org.openjdk.jcstress.infra.Status.NORMAL) {
                    out.println("FAILED: " + t.name() + " ended with " + t.status() + " (see the report)");
                }
            }
            out.println(rep.summaryLine());
            return rep.held() ? 0 : 1;
        } catch (IllegalArgumentException e) {
            return usage(out, err, e.getMessage());
        } catch (Exception e) {
            err.println("highwater stress: " + e);
            out.println("summary: tests=0 forbidden=0 races_expected=0 races_observed=0 errors=1 samples=0");
            return 1;
        }
    }

    private static int usage(PrintStream out, PrintStream err, String msg) {
        err.println("highwater stress: " + msg);
        err.println("usage: java -jar jcstress.jar [--mode quick|default|tough|verify] [--tests REGEX] [--report DIR] [--jvm-args ARGS] [--quiet]");
        out.println("summary: error=usage");
        return 2;
    }
}
