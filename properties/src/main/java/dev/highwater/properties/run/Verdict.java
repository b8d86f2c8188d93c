package dev.highwater.properties.run;

import dev.highwater.model.policy.KernelPolicy;
import dev.highwater.model.policy.Presets;
import dev.highwater.model.trace.Expectation;
import dev.highwater.model.trace.Trace;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Whether a trace behaves as it says: under its own preset the recorded results match and its expectations hold;
 * under every other preset an {@code expect} line names, that expectation holds.
 *
 * @param trace    the trace
 * @param runs     one outcome per preset run (the trace's own first)
 * @param problems what did not match, one line each; empty when as expected
 */
public record Verdict(Trace trace, List<Outcome> runs, List<String> problems) {

    public boolean asExpected() {
        return problems.isEmpty();
    }

    /** The presets a trace is run under: its own, then each one its expect lines name, in order. */
    public static List<String> presetsOf(Trace t) {
        Set<String> s = new LinkedHashSet<>();
        s.add(t.policy());
        for (Expectation e : t.expectations()) {
            e.preset().ifPresent(s::add);
        }
        return List.copyOf(s);
    }

    /**
     * Runs and judges. An unknown preset name is reported as a problem (the caller decides whether that is bad
     * input); {@code onlyPreset}, when not null, runs just that preset.
     */
    public static Verdict judge(Trace trace, TraceRunner runner, String onlyPreset) {
        List<Outcome> runs = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        List<String> presets = onlyPreset == null ? presetsOf(trace) : List.of(onlyPreset);
        for (String name : presets) {
            KernelPolicy p = Presets.byName(name).orElse(null);
            if (p == null) {
                problems.add("unknown preset '" + name + "' (known: " + String.join(", ", Presets.names()) + ")");
                continue;
            }
            Outcome o = runner.run(trace, p);
            runs.add(o);
            for (StepRecord s : o.resultMismatches()) {
                problems.add(name + ": step " + s.step() + " gave '" + s.result() + "', the trace records '"
                    + s.recorded().orElse("") + "'");
            }
            List<Expectation> applicable = trace.expectations().stream()
                .filter(e -> e.appliesTo(name, trace.policy())).toList();
            if (applicable.isEmpty()) {
                o.violation().ifPresent(v -> problems.add(name + ": unexpected violation " + v));
                continue;
            }
            for (Expectation e : applicable) {
                if (e.clean()) {
                    o.violation().ifPresent(v -> problems.add(name + ": expected clean, got " + v));
                } else if (o.violation().isEmpty()) {
                    problems.add(name + ": expected violation " + e.property().orElseThrow() + ", the run was clean");
                } else if (!o.violation().get().property().equals(e.property().orElseThrow())) {
                    problems.add(name + ": expected violation " + e.property().orElseThrow() + ", got " + o.violation().get());
                } else if (e.step().isPresent() && e.step().getAsInt() != o.violation().get().step()) {
                    problems.add(name + ": expected " + e.property().orElseThrow() + " at step " + e.step().getAsInt()
                        + ", got it at step " + o.violation().get().step());
                }
            }
        }
        return new Verdict(trace, List.copyOf(runs), List.copyOf(problems));
    }
}
