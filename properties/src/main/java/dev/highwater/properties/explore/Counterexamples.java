package dev.highwater.properties.explore;

import dev.highwater.model.policy.KernelPolicy;
import dev.highwater.model.policy.Presets;
import dev.highwater.model.trace.Expectation;
import dev.highwater.model.trace.Op;
import dev.highwater.model.trace.Trace;
import dev.highwater.model.trace.TracePrinter;
import dev.highwater.properties.Conjunction;
import dev.highwater.properties.Property;
import dev.highwater.properties.Violation;
import dev.highwater.properties.fuzz.BugClass;
import dev.highwater.properties.fuzz.FindingWriter;
import dev.highwater.properties.run.AllocatorKind;
import dev.highwater.properties.run.Outcome;
import dev.highwater.properties.run.TraceRunner;
import dev.highwater.properties.run.Verdict;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Turns a model-checker counterexample into a corpus trace, as {@link FindingWriter} does for fuzz findings: header
 * comments (how it was found, its length, the verdict under every preset), the machine, the ops with the results
 * recorded under the search's preset, and an {@code expect} line for every preset (the full catalog checked, as
 * {@code mvn verify} replays it). Written as {@code <dir>/<preset>/<property>-bfs-<key>.trace}, never overwriting.
 */
public final class Counterexamples {
    private Counterexamples() {
    }

    /** The finding trace; throws when it does not replay as its own expect lines say (a checker bug). */
    public static Trace finding(CheckSpec spec, CheckResult r) {
        List<Op> searched = r.counterexample().orElseThrow(() -> new IllegalArgumentException("no counterexample"));
        List<Op> prefix = spec.machine().ops();
        List<Op> ops = new ArrayList<>(prefix);
        ops.addAll(searched);
        TraceRunner runner = TraceRunner.standard();
        KernelPolicy own = spec.preset();
        Trace bare = Trace.of(List.of(), own.name(), spec.machine().node(), spec.machine().vm(), spec.machine().tasks(),
            spec.machine().swapPages(), ops, List.of());
        Outcome o = runner.run(bare, own);
        List<Op> recorded = new ArrayList<>();
        for (int i = 0; i < ops.size(); i++) {
            recorded.add(i < o.steps().size() ? ops.get(i).withExpected(Optional.of(o.steps().get(i).result())) : ops.get(i));
        }
        List<Expectation> ex = new ArrayList<>();
        List<String> verdicts = new ArrayList<>();
        ex.add(expectation(Optional.empty(), o));
        verdicts.add(verdict(own.name(), o));
        for (KernelPolicy p : Presets.all()) {
            if (p.name().equals(own.name())) {
                continue;
            }
            Outcome po = runner.run(bare, p);
            ex.add(expectation(Optional.of(p.name()), po));
            verdicts.add(verdict(p.name(), po));
        }
        List<String> header = new ArrayList<>();
        header.add("Model-checker finding: " + r.property() + " violated under " + r.preset() + ".");
        header.add("found by `highwater check` (breadth-first, shortest): length " + searched.size() + ", "
            + r.states() + " distinct states, " + r.transitions() + " transitions");
        if (!prefix.isEmpty()) {
            header.add("the first " + prefix.size() + " ops are the search's setup prefix (part of its initial"
                + " configuration); the shortest search found the last " + searched.size());
        }
        header.add("violation: " + r.message());
        // the bug class as a fuzz finding's (when the property is the first one violated with every property checked)
        BugClass.of(bare, own, r.property()).ifPresent(c -> header.addAll(c.headerLines(c.removal(bare))));
        header.add("verdicts: " + String.join("; ", verdicts));
        Trace out = Trace.of(header, own.name(), bare.node(), bare.vm(), bare.tasks(), bare.swapPages(), recorded, ex);
        Verdict check = Verdict.judge(out, runner, null);
        if (!check.asExpected()) {
            throw new IllegalStateException("counterexample does not replay as its expect lines say: " + check.problems());
        }
        return out;
    }

    /**
     * The violation of a search that checked several properties at once ({@link Conjunction}), named: the
     * counterexample replayed with those properties, in the conjunction's order, is violated first at its last step
     * (every shorter prefix was checked clean by the search), and the property violated there, the first in list order
     * as the conjunction reports it, becomes the result's property, with its message. A result of one property, or no
     * violation, is returned as it is.
     *
     * @throws IllegalStateException when the replay does not end in the violation the search found (a checker bug)
     */
    public static CheckResult attribute(CheckSpec spec, CheckResult r) {
        List<Property> parts = Conjunction.parts(spec.property());
        if (!r.violation() || parts.size() == 1) {
            return r;
        }
        List<Op> ops = new ArrayList<>(spec.machine().ops());
        ops.addAll(r.counterexample().orElseThrow());
        Trace bare = Trace.of(List.of(), spec.preset().name(), spec.machine().node(), spec.machine().vm(),
            spec.machine().tasks(), spec.machine().swapPages(), ops, List.of());
        Outcome o = new TraceRunner(parts, AllocatorKind.REFERENCE).run(bare, spec.preset());
        Violation v = o.violation().filter(x -> x.step() == ops.size()).orElseThrow(() -> new IllegalStateException(
            "the counterexample does not replay to a violation at its last step " + ops.size() + ": "
                + o.violation().map(Violation::toString).orElse("clean")));
        return r.withProperty(v.property(), v.message());
    }

    /** Where {@code finding} belongs under the corpus folder, keyed by its content. */
    public static String relativePath(Trace finding, String property) {
        String body = TracePrinter.print(finding.withExpectations(List.of()));
        String key = FindingWriter.sha1((property + "\n" + finding.policy() + "\n" + body)
            .getBytes(StandardCharsets.UTF_8)).substring(0, 12);
        return finding.policy() + "/" + property + "-bfs-" + key + ".trace";
    }

    public static FindingWriter.Written write(Path dir, Trace finding, String property) throws IOException {
        return FindingWriter.write(dir, relativePath(finding, property), TracePrinter.print(finding));
    }

    private static Expectation expectation(Optional<String> preset, Outcome o) {
        return o.violation()
            .map(v -> Expectation.violation(preset, v.property(), OptionalInt.of(v.step())))
            .orElse(Expectation.clean(preset));
    }

    private static String verdict(String preset, Outcome o) {
        return preset + ": " + o.violation().map(v -> v.property() + " at step " + v.step()).orElse("clean");
    }
}
