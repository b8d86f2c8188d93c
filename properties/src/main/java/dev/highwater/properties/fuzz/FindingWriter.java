package dev.highwater.properties.fuzz;

import dev.highwater.model.policy.KernelPolicy;
import dev.highwater.model.policy.Presets;
import dev.highwater.model.trace.Expectation;
import dev.highwater.model.trace.Trace;
import dev.highwater.model.trace.TracePrinter;
import dev.highwater.properties.run.Outcome;
import dev.highwater.properties.run.TraceRunner;
import dev.highwater.properties.run.Verdict;
import dev.highwater.properties.shrink.Minimizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Turns a fuzz finding (the raw input of a policy target) into a readable corpus trace: decode, minimize with
 * {@link Minimizer} keeping the finding's {@link BugClass} (same property violated first under the same preset, with
 * every catalog property checked, as {@code mvn verify} replays it, and removed by the same catalog fixes), compute
 * the verdict under every preset, and write
 * {@code <dir>/<preset>/<property>-<key>.trace} with a header (target, preset, input hash, original → minimized
 * length), the ops and the {@code expect} lines. The key hashes property + preset + the minimized machine and ops,
 * so the same minimized finding is written once; the file is written to a temporary name and linked into place, and
 * an existing file is never overwritten.
 */
public final class FindingWriter {
    /** Predicate evaluations the minimizer may spend on one finding (deterministic bound). */
    public static final int DEFAULT_MAX_EVALUATIONS = 400;

    private final TraceRunner runner = TraceRunner.standard();
    private final int maxEvaluations;

    public FindingWriter(int maxEvaluations) {
        this.maxEvaluations = maxEvaluations;
    }

    /**
     * A minimized finding.
     *
     * @param trace        the trace with header and expect lines
     * @param bugClass     its bug class: the violated property, the preset, the fixes that remove it (the input's)
     * @param removal      for a class no catalog fix removes: which switches of the later preset that does remove it
     *                     ({@link BugClass#removal}, of the minimized trace); empty otherwise
     * @param originalOps  steps before minimization
     * @param minimizedOps steps after
     * @param evaluations  predicate evaluations the minimizer spent
     * @param key          the deduplication key (hex)
     * @param relativePath where it belongs under the fuzz corpus folder
     */
    public record Minimized(Trace trace, BugClass bugClass, Optional<BugClass.Removal> removal, int originalOps,
                            int minimizedOps, int evaluations, String key, String relativePath) {
        /** {@link #removal} in words ({@link BugClass.Removal#words}), or empty. */
        public String removedBy() {
            return removal.map(BugClass.Removal::words).orElse("");
        }

        /** The class the corpus files it under ({@link BugClass#filed}). */
        public BugClass filed() {
            return bugClass.filed(removal);
        }

        /**
         * What removes its violation, in words: the catalog fixes, or the switches that first do ({@link #filed}),
         * or the later preset's switches when no first set was found ({@link BugClass#fixes(List, String)}).
         */
        public String removes() {
            BugClass f = filed();
            return f.equals(bugClass) ? BugClass.fixes(bugClass.mechanism(), removedBy()) : BugClass.fixes(f.mechanism());
        }

        /** The class in one line: the property, the preset and {@link #removes()}. */
        public String describe() {
            return bugClass.property() + " under " + bugClass.preset() + " " + removes();
        }
    }

    /** What {@link #write} did: the file, and whether it was created (false: that finding was already there). */
    public record Written(Path file, boolean created) {
    }

    public static String sha1(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Minimizes the decoded input; returns empty when the input does not violate {@code property} first under the
     * preset (e.g. a hunt finding masked by another property under the full catalog).
     *
     * <p>A candidate must stay in the input's bug class, not only violate the same property: with the property alone,
     * 15 of 60 findings of earlier runs shrank into another class, most often from "order0-atomic-above-floor, gone
     * with the fix of unreserve-before-oom" (under 4.7, 4.10, 6.3) into the coarse "no single catalog fix removes it"
     * that the corpus already had, so that class was found three times and never written. Keeping the class, the
     * same 60 findings shrank to 440 steps in all instead of 412, in 1.9 times the time.
     */
    public Optional<Minimized> minimize(String targetName, byte[] input, KernelPolicy preset, String property) {
        Trace original = TraceDecoder.decode(input, preset.name(), PolicyTarget.MAX_OPS);
        return minimize(original, preset, property, List.of(
            "Fuzz finding: " + property + " violated under " + preset.name() + ".",
            "target: " + targetName + "; found by `highwater fuzz` (Jazzer, coverage-guided)",
            "input: sha1 " + sha1(input) + " (" + input.length + " bytes)"));
    }

    /**
     * Minimizes {@code trace} as {@link #minimize(String, byte[], KernelPolicy, String)} does a decoded input, under
     * {@code preset} (whatever policy the trace names; its expect lines and recorded results are dropped), with
     * {@code lead} as the first header lines; empty when it does not violate {@code property} first under the preset.
     */
    public Optional<Minimized> minimize(Trace trace, KernelPolicy preset, String property, List<String> lead) {
        Trace original = trace.withPolicy(preset.name()).withExpectations(List.of());
        Optional<BugClass> bugClass = BugClass.of(original, preset, property);
        if (bugClass.isEmpty()) {
            return Optional.empty();
        }
        Minimizer m = new Minimizer(c -> BugClass.of(c, preset, property).equals(bugClass), maxEvaluations);
        Trace min = m.minimize(original);
        Outcome own = runner.run(min, preset);
        var v = own.violation().orElseThrow();
        List<Expectation> ex = new ArrayList<>();
        ex.add(Expectation.violation(Optional.empty(), property, OptionalInt.of(v.step())));
        List<String> verdicts = new ArrayList<>();
        verdicts.add(preset.name() + ": " + property + " at step " + v.step());
        for (KernelPolicy p : Presets.all()) {
            if (p.name().equals(preset.name())) {
                continue;
            }
            Outcome o = runner.run(min, p);
            if (o.violation().isPresent()) {
                var ov = o.violation().get();
                ex.add(Expectation.violation(Optional.of(p.name()), ov.property(), OptionalInt.of(ov.step())));
                verdicts.add(p.name() + ": " + ov.property() + " at step " + ov.step());
            } else {
                ex.add(Expectation.clean(Optional.of(p.name())));
                verdicts.add(p.name() + ": clean");
            }
        }
        String body = TracePrinter.print(min.withExpectations(List.of()));
        String key = sha1((property + "\n" + preset.name() + "\n" + body).getBytes(StandardCharsets.UTF_8)).substring(0, 12);
        List<String> header = new ArrayList<>(lead);
        header.add("length: " + original.ops().size() + " -> " + min.ops().size() + " steps (minimized, "
            + m.evaluations() + " evaluations)");
        header.add("violation: " + v);
        Optional<BugClass.Removal> removal = bugClass.get().removal(min);
        header.addAll(bugClass.get().headerLines(removal));
        header.add("verdicts: " + String.join("; ", verdicts));
        Trace out = new Trace(header, min.policy(), min.node(), min.vm(), min.tasks(), min.swapPages(), min.ops(),
            min.opLines(), ex);
        Verdict check = Verdict.judge(out, runner, null);
        if (!check.asExpected()) {
            throw new IllegalStateException("minimized finding does not replay as its expect lines say: "
                + check.problems());
        }
        return Optional.of(new Minimized(out, bugClass.get(), removal, original.ops().size(), min.ops().size(),
            m.evaluations(), key, preset.name() + "/" + property + "-" + key + ".trace"));
    }

    /** The header lines {@link #minimize} writes anew (by their start), after the lead lines it is given. */
    private static final List<String> WRITTEN_ANEW = List.of("length: ", "violation: ", "bug class: ", "removed by: ",
        "verdicts: ");

    /**
     * Whether a header line is one {@link #minimize} writes anew: a trace minimized again keeps its other header lines
     * as lead lines and drops these, which would otherwise describe the trace it was.
     */
    public static boolean writtenAnew(String comment) {
        for (String start : WRITTEN_ANEW) {
            if (comment.startsWith(start)) {
                return true;
            }
        }
        return false;
    }

    /** Writes {@code text} to {@code dir/relative} unless that file exists: temporary file, then an atomic link. */
    public static Written write(Path dir, String relative, String text) throws IOException {
        return write(dir, relative, text.getBytes(StandardCharsets.UTF_8));
    }

    /** {@link #write(Path, String, String)} for raw bytes (fuzz inputs). */
    public static Written write(Path dir, String relative, byte[] content) throws IOException {
        Path target = dir.resolve(relative);
        Files.createDirectories(target.getParent());
        if (Files.exists(target)) {
            return new Written(target, false);
        }
        Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
        try {
            Files.write(tmp, content);
            try {
                Files.createLink(target, tmp);
            } catch (FileAlreadyExistsException e) {
                return new Written(target, false);
            } catch (UnsupportedOperationException | IOException e) {
                // no hard links here: a plain move, which also refuses to replace an existing file
                try {
                    Files.move(tmp, target);
                } catch (FileAlreadyExistsException e2) {
                    return new Written(target, false);
                }
            }
            return new Written(target, true);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
