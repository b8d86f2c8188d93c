package dev.highwater.properties.fuzz;

import dev.highwater.model.policy.KernelPolicy;
import dev.highwater.model.policy.Presets;
import dev.highwater.model.trace.Expectation;
import dev.highwater.model.trace.Trace;
import dev.highwater.model.trace.TraceFormatException;
import dev.highwater.model.trace.TraceParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The bug classes ({@link BugClass}) the corpus already holds a trace of, each with its shortest trace: the corpus
 * traces that expect a violation under their own preset (catalog bugs, seeds, fuzz and checker findings). A fuzz
 * finding of a class listed here is a known bug found again, not a new one. Each trace is indexed under its class as
 * the fuzz targets key it ({@link #find}, {@link #classes}: ClusterFuzzLite's known classes) and as the corpus files it
 * ({@link #findFiled}, {@link BugClass#filed}: {@code highwater fuzz}'s dedup), which costs a run per switch of the
 * later preset for each trace of a later preset's class.
 *
 * <p>Deterministic: files are read in path order, and a class's trace is its shortest (fewest steps, then first
 * path). A file that cannot be read or parsed, or whose replay throws, is reported to {@code warn} with its path
 * (and line) and left out; a trace whose expected violation no longer happens is left out silently (the corpus
 * replay of {@code mvn verify} reports it).
 */
public final class CorpusBugs {
    /** A class's trace in the corpus. */
    public record Known(Path file, int steps) {
    }

    /** By class as the fuzz targets key it ({@link BugClass#of}). */
    private final Map<BugClass, Known> known = new LinkedHashMap<>();
    /** By class as the corpus files it ({@link BugClass#filed}). */
    private final Map<BugClass, Known> filed = new LinkedHashMap<>();

    private CorpusBugs() {
    }

    /** An index with nothing in it (every class is new). */
    public static CorpusBugs empty() {
        return new CorpusBugs();
    }

    /** Indexes every {@code .trace} file under {@code corpus} (none when the folder does not exist). */
    public static CorpusBugs index(Path corpus, Consumer<String> warn) {
        CorpusBugs b = new CorpusBugs();
        if (!Files.isDirectory(corpus)) {
            return b;
        }
        List<Path> files;
        try (Stream<Path> s = Files.walk(corpus)) {
            files = s.filter(f -> f.getFileName().toString().endsWith(".trace") && Files.isRegularFile(f)).sorted().toList();
        } catch (IOException | UncheckedIOException e) {
            warn.accept(corpus + ": cannot list the corpus (" + e.getMessage() + "); every finding counts as new");
            return b;
        }
        for (Path f : files) {
            Trace t;
            try {
                t = TraceParser.parseFile(f);
            } catch (TraceFormatException e) {
                warn.accept(f + ":" + e.line() + ": " + e.detail() + " (left out of the known bugs)");
                continue;
            } catch (IOException | UncheckedIOException e) {
                warn.accept(f + ": cannot read it (" + e.getMessage() + "; left out of the known bugs)");
                continue;
            }
            Optional<KernelPolicy> preset = Presets.byName(t.policy());
            Optional<String> property = ownViolation(t);
            if (preset.isEmpty() || property.isEmpty()) {
                continue;
            }
            try {
                BugClass.of(t, preset.get(), property.get())
                    .ifPresent(c -> b.add(c, c.filed(c.removal(t)), f, t.ops().size()));
            } catch (RuntimeException e) {
                // a model bug the corpus replay reports in full; here it only means no class
                warn.accept(f + ": replaying it failed (" + e + "; left out of the known bugs)");
            }
        }
        return b;
    }

    /** The property a trace expects violated under its own preset, if it expects one. */
    static Optional<String> ownViolation(Trace t) {
        for (Expectation e : t.expectations()) {
            if (!e.clean() && e.property().isPresent() && e.appliesTo(t.policy(), t.policy())) {
                return e.property();
            }
        }
        return Optional.empty();
    }

    /**
     * Records a trace of {@code c}, filed as {@code filedAs} ({@link BugClass#filed}; kept under each when it is shorter
     * than the one held, or the first).
     */
    public void add(BugClass c, BugClass filedAs, Path file, int steps) {
        Known n = new Known(file, steps);
        known.merge(c, n, CorpusBugs::shorter);
        filed.merge(filedAs, n, CorpusBugs::shorter);
    }

    private static Known shorter(Known held, Known n) {
        return n.steps() < held.steps() ? n : held;
    }

    /** The corpus trace of {@code c} (a class as the fuzz targets key it), if the corpus has one. */
    public Optional<Known> find(BugClass c) {
        return Optional.ofNullable(known.get(c));
    }

    /** The corpus trace filed as {@code filedAs} ({@link BugClass#filed}), if the corpus has one. */
    public Optional<Known> findFiled(BugClass filedAs) {
        return Optional.ofNullable(filed.get(filedAs));
    }

    /** The classes held as the fuzz targets key them, in the order first met. */
    public Map<BugClass, Known> classes() {
        return java.util.Collections.unmodifiableMap(known);
    }
}
