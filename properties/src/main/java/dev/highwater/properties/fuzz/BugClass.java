package dev.highwater.properties.fuzz;

import dev.highwater.model.policy.FirstFix;
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
 * later preset that removes it ({@link Attribution#mechanism}; {@link #removal} names its switches that do, for the
 * header, not in the key: 20 or more runs per violation for 2.6.32 against 4.4 halved that target's execs/s). One
 * nothing removes has an empty mechanism, a coarse key that {@code highwater fuzz --dedup trace} sets aside. The corpus
 * files a minimized finding of a later preset's class by the switches that first remove it instead ({@link #filed}),
 * which it computes once per finding, not per violation.
 *
 * @param preset    the preset the finding violates its property under
 * @param property  the property it violates there (first, with every catalog property checked)
 * @param mechanism the catalog bugs, in catalog order, whose fix alone makes the trace hold under {@link #preset};
 *                  without one, the first later preset under which it holds; in a {@link #filed} class, that
 *                  preset's switches that first remove it instead ({@link FirstFix#key})
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
     * A corpus trace's header lines for this class: {@code bug class: ...} (the class it is {@link #filed} under),
     * and {@code removed by: ...} ({@link Removal#words}) for a class removed by a later preset. Fuzz findings and the
     * checker's counterexamples carry the same two.
     */
    public List<String> headerLines(Optional<Removal> removal) {
        String filed = "bug class: " + filed(removal).describe();
        return removal.isEmpty() ? List.of(filed) : List.of(filed, "removed by: " + removal.get().words());
    }

    /** One line for a person: the property, the preset and the fixes that remove it. */
    public String describe() {
        return property + " under " + preset + " " + fixes(mechanism);
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
        Optional<String> first = mechanism.size() == 1 ? FirstFix.describeKey(mechanism.get(0))
            : Optional.empty();
        if (first.isPresent()) {
            return "(not a catalog bug: first gone with " + first.get() + ")";
        }
        return "(gone with the fix of " + String.join(", ", mechanism) + ")";
    }

    /**
     * {@link #fixes} with {@link Removal#words} in place of the later preset's name, when there are any:
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
     * For a class removed by a later preset: the sets of that preset's switches that alone, or failing that in pairs,
     * remove the violation ({@link Attribution#switches}), and of them the one that appeared first
     * ({@link FirstFix#of}).
     *
     * @param later the later preset ({@link #mechanism}'s)
     * @param sets  its switch sets that remove the violation; empty when no one or two of them do
     * @param first of {@code sets}, the one whose switches had all appeared earliest, and the preset they had by
     */
    public record Removal(String later, List<List<SwitchChange>> sets, Optional<FirstFix> first) {
        public Removal {
            sets = List.copyOf(sets);
        }

        /**
         * In words, as a header's {@code removed by:} line says it: {@code linux-6.8's highatomicCap=ROUNDUP_ONE_PERCENT
         * alone}, or {@code linux-4.4 as a whole, no one or two of its switches}.
         */
        public String words() {
            return sets.isEmpty() ? later + " as a whole, no one or two of its switches"
                : later + "'s " + SwitchChange.describeSets(sets);
        }
    }

    /**
     * {@link Removal} of {@code trace}'s violation, for a class removed by a later preset; empty for other classes.
     * Costs a run per switch where the later preset differs, and per pair when no single one does.
     */
    public Optional<Removal> removal(Trace trace) {
        Optional<String> later = laterPreset(mechanism);
        if (later.isEmpty()) {
            return Optional.empty();
        }
        KernelPolicy p = Presets.byName(preset).orElseThrow();
        List<List<SwitchChange>> sets = Attribution.switches(trace.withPolicy(preset), p, later.get(),
            PolicyTarget.integrityAnd(property));
        return Optional.of(new Removal(later.get(), sets, FirstFix.of(p, sets)));
    }

    /**
     * The class the corpus files a finding under ({@code highwater fuzz}'s dedup, and the header's {@code bug class:}
     * line): this one, except that a class removed by a later preset is filed by the switches that first remove it
     * ({@link Removal#first}), not by the first later preset that holds. Presets are not monotone: 4.7 and 4.8 violate
     * some 4.4 order-0 failures on another path, so the same fix (4.7's fastPathCheck=IGNORES_HIGHATOMIC) shows as
     * "gone in linux-4.7" for one finding and "gone in linux-4.9" for the next. Filing by the switches kept 102 of
     * the corpus's 120 classes. The fuzz targets key by this class itself, which costs no switch runs per violation.
     */
    public BugClass filed(Optional<Removal> removal) {
        return removal.flatMap(Removal::first).map(f -> new BugClass(preset, property, List.of(f.key()))).orElse(this);
    }
}
