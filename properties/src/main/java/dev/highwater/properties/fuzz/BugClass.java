package dev.highwater.properties.fuzz;

import dev.highwater.model.policy.KernelPolicy;
import dev.highwater.model.policy.Presets;
import dev.highwater.model.policy.SwitchChange;
import dev.highwater.model.trace.Trace;
import dev.highwater.properties.bugs.Attribution;
import dev.highwater.properties.Violation;
import dev.highwater.properties.run.TraceRunner;
import java.util.List;
import java.util.Optional;

/**
 * What a person reading two findings would call the same bug: the same property violated under the same preset and
 * removed by the same catalog fixes ({@link Attribution}: the bugs whose fix alone, applied to the preset, makes the
 * trace hold). Two minimized traces of one class differ in the incidental ops that led there: a fuzz run finds the
 * reservation-subtracting OOM of 4.8 again every few seconds, each time from other bytes, and which other presets the
 * trace happens to violate too depends on those ops (over 28 findings of two runs, keying on every preset's verdict
 * as well kept 24 of them apart, and this key 20). A violation no single catalog fix removes is keyed by the first
 * later preset that removes it ({@link Attribution#mechanism}; {@link #removedBy} names its switches that do, for the
 * header, not in the key: 20 or more runs per violation for 2.6.32 against 4.4 halved that target's execs/s). One
 * nothing removes has an empty mechanism, a coarse key that {@code highwater fuzz --dedup trace} sets aside.
 *
 * @param preset    the preset the finding violates its property under
 * @param property  the property it violates there (first, with every catalog property checked)
 * @param mechanism the catalog bugs, in catalog order, whose fix alone makes the trace hold under {@link #preset};
 *                  without one, the first later preset under which it holds
 */
public record BugClass(String preset, String property, List<String> mechanism) {
    public BugClass {
        mechanism = List.copyOf(mechanism);
    }

    /**
     * The class of {@code trace} as a finding under {@code preset}: empty when it does not violate {@code property}
     * first under it with every catalog property checked. Replays the trace under the preset and under each
     * applicable fix.
     */
    public static Optional<BugClass> of(Trace trace, KernelPolicy preset, String property) {
        Trace own = trace.withPolicy(preset.name());
        Optional<Violation> v = TraceRunner.standard().run(own, preset).violation();
        if (v.isEmpty() || !v.get().property().equals(property)) {
            return Optional.empty();
        }
        return Optional.of(new BugClass(preset.name(), property,
            Attribution.mechanism(own, preset, PolicyTarget.integrityAnd(property))));
    }

    /**
     * A corpus trace's header lines for this class: {@code bug class: ...}, and {@code removed by: ...} when
     * {@code removedBy} ({@link #removedBy}'s words) is not empty. Fuzz findings and the checker's counterexamples
     * carry the same two.
     */
    public List<String> headerLines(String removedBy) {
        return removedBy.isEmpty() ? List.of("bug class: " + describe())
            : List.of("bug class: " + describe(), "removed by: " + removedBy);
    }

    /** One line for a person: the property, the preset and the fixes that remove it. */
    public String describe() {
        return describe("");
    }

    /** {@link #describe()} with {@link #removedBy}'s words, when there are any ({@link #fixes(List, String)}). */
    public String describe(String removedBy) {
        return property + " under " + preset + " " + fixes(mechanism, removedBy);
    }

    /**
     * What removes a violation ({@link Attribution#mechanism}), in words: {@code (gone with the fix of a, b)},
     * {@code (not a catalog bug: gone in linux-6.8)}, or {@code (no catalog fix or later preset removes it)}.
     */
    public static String fixes(List<String> mechanism) {
        if (mechanism.isEmpty()) {
            return "(no catalog fix or later preset removes it)";
        }
        if (laterPreset(mechanism).isPresent()) {
            return "(not a catalog bug: gone in " + mechanism.get(0) + ")";
        }
        return "(gone with the fix of " + String.join(", ", mechanism) + ")";
    }

    /**
     * {@link #fixes} with {@link #removedBy}'s words in place of the later preset's name, when there are any:
     * {@code (not a catalog bug: gone with linux-6.8's highatomicCap=ROUNDUP_ONE_PERCENT alone)}.
     */
    public static String fixes(List<String> mechanism, String removedBy) {
        return removedBy.isEmpty() ? fixes(mechanism) : "(not a catalog bug: gone with " + removedBy + ")";
    }

    /** The later preset that removes a violation no catalog fix removes, when that is what {@code mechanism} says. */
    static Optional<String> laterPreset(List<String> mechanism) {
        return mechanism.size() == 1 && Presets.byName(mechanism.get(0)).isPresent()
            ? Optional.of(mechanism.get(0)) : Optional.empty();
    }

    /**
     * For a class removed by a later preset: which of its switches alone, or failing that which pairs of them, remove
     * it ({@link Attribution#switches} of {@code trace}), in words, e.g. {@code linux-6.8's
     * highatomicCap=ROUNDUP_ONE_PERCENT alone}, or {@code linux-4.4 as a whole, no one or two of its switches}; empty
     * for other classes.
     */
    public Optional<String> removedBy(Trace trace) {
        Optional<String> later = laterPreset(mechanism);
        if (later.isEmpty()) {
            return Optional.empty();
        }
        KernelPolicy p = Presets.byName(preset).orElseThrow();
        List<List<SwitchChange>> sets = Attribution.switches(trace.withPolicy(preset), p, later.get(),
            PolicyTarget.integrityAnd(property));
        return Optional.of(sets.isEmpty() ? later.get() + " as a whole, no one or two of its switches"
            : later.get() + "'s " + SwitchChange.describeSets(sets));
    }
}
