package dev.highwater.cli;

import dev.highwater.model.policy.Presets;
import dev.highwater.model.trace.Trace;
import dev.highwater.model.trace.TracePrinter;
import dev.highwater.properties.fuzz.FindingWriter;
import dev.highwater.properties.fuzz.FuzzTargets;
import dev.highwater.properties.fuzz.ModelIntegrityError;
import dev.highwater.properties.fuzz.PolicyFinding;
import dev.highwater.properties.fuzz.PolicyTarget;
import dev.highwater.properties.fuzz.TraceDecoder;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;

/** What the CLI does with a fuzz target in-process: run one input, classify a finding, render it for a person. */
final class FuzzSupport {
    private FuzzSupport() {
    }

    /** What an input does under its target. */
    enum Verdict { CLEAN, POLICY, INTEGRITY, EXCEPTION, TIMEOUT }

    record Classified(Verdict verdict, String preset, String property, Throwable error) {
        boolean modelBug() {
            return verdict == Verdict.INTEGRITY || verdict == Verdict.EXCEPTION || verdict == Verdict.TIMEOUT;
        }

        String describe() {
            return switch (verdict) {
                case CLEAN -> "clean (not reproduced)";
                case POLICY -> property + " under " + preset;
                case INTEGRITY -> "MODEL BUG: integrity " + property + " under " + preset;
                case EXCEPTION -> "MODEL BUG: " + error;
                case TIMEOUT -> "MODEL BUG: an input ran past libFuzzer's timeout";
            };
        }
    }

    static Method targetMethod(FuzzTargets.Target t) throws ReflectiveOperationException {
        return Class.forName(t.className()).getMethod("fuzzerTestOneInput", byte[].class);
    }

    /** Runs {@code data} through the target's {@code fuzzerTestOneInput} in this JVM and says what happened. */
    static Classified classify(FuzzTargets.Target t, byte[] data) {
        Method m;
        try {
            m = targetMethod(t);
        } catch (ReflectiveOperationException e) {
            return new Classified(Verdict.EXCEPTION, t.preset(), null, e);
        }
        try {
            m.invoke(null, (Object) data);
            return new Classified(Verdict.CLEAN, t.preset(), null, null);
        } catch (InvocationTargetException e) {
            Throwable c = e.getCause();
            if (c instanceof PolicyFinding pf) {
                return new Classified(Verdict.POLICY, pf.preset(), pf.property(), pf);
            }
            if (c instanceof ModelIntegrityError mi) {
                return new Classified(Verdict.INTEGRITY, mi.preset(), mi.property(), mi);
            }
            return new Classified(Verdict.EXCEPTION, t.preset(), null, c);
        } catch (IllegalAccessException e) {
            return new Classified(Verdict.EXCEPTION, t.preset(), null, e);
        }
    }

    /** A model bug rendered for a person: what failed, and the decoded trace (or the parser's input text). */
    static String renderModelBug(FuzzTargets.Target t, String artifact, byte[] data, Classified c) {
        StringBuilder sb = new StringBuilder();
        sb.append("# MODEL BUG found by `highwater fuzz`, target ").append(t.name()).append(", artifact ").append(artifact)
            .append('\n');
        sb.append("# input sha1 ").append(FindingWriter.sha1(data)).append(" (").append(data.length).append(" bytes)\n");
        sb.append("# ").append(c.describe().replace('\n', ' ')).append('\n');
        if (c.error() != null) {
            for (StackTraceElement e : c.error().getStackTrace()) {
                sb.append("#     at ").append(e).append('\n');
            }
        }
        if (t.kind() == FuzzTargets.Kind.DIFFERENTIAL) {
            sb.append(TracePrinter.print(dev.highwater.properties.fuzz.DifferentialFuzzer.trace(data)));
        } else if (t.preset() != null && Presets.byName(t.preset()).isPresent()) {
            Trace tr = TraceDecoder.decode(data, t.preset(), PolicyTarget.MAX_OPS);
            sb.append(TracePrinter.print(tr));
        } else {
            sb.append("# input text:\n").append(new String(data, StandardCharsets.UTF_8)).append('\n');
        }
        return sb.toString();
    }

    /** A live progress line: on a terminal it rewrites itself, elsewhere it prints every {@code everySeconds}. */
    static final class Progress {
        private final PrintStream out;
        private final boolean tty = System.console() != null;
        private final int everySeconds;
        private long lastPrinted;
        private int lastWidth;

        Progress(PrintStream out, int everySeconds) {
            this.out = out;
            this.everySeconds = everySeconds;
        }

        synchronized void show(String line, boolean force) {
            long now = System.nanoTime();
            if (tty) {
                out.print("\r" + line + " ".repeat(Math.max(0, lastWidth - line.length())));
                out.flush();
                lastWidth = line.length();
            } else if (force || now - lastPrinted >= everySeconds * 1_000_000_000L) {
                out.println(line);
                lastPrinted = now;
            }
        }

        synchronized void end() {
            if (tty && lastWidth > 0) {
                out.println();
                lastWidth = 0;
            }
        }
    }
}
