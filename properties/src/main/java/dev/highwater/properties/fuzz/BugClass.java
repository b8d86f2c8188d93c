package dev.highwater.properties.fuzz;

import dev.highwater.model.policy.KernelPolicy;
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
 * as well kept 24 of them apart, and this key 20). A violation no single catalog fix removes has an empty mechanism:
 * all of a preset's unexplained violations of a property are one class, a coarse key that {@code highwater fuzz
 * --dedup trace} sets aside.
 *
 * @param preset    the preset the finding violates its property under
 * @param property  the property it violates there (first, with every catalog property checked)
 * @param mechanism the catalog bugs, in catalog order, whose fix alone makes the trace hold under {@link #preset}
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
            Attribution.explain(own, preset, PolicyTarget.integrityAnd(property), "")));
    }

    /** One line for a person: the property, the preset and the fixes that remove it. */
    public String describe() {
        return property + " under " + preset + " " + fixes(mechanism);
    }

    /** The fixes that remove a violation, in words: {@code (gone with the fix of a, b)}. */
    static String fixes(List<String> mechanism) {
        return mechanism.isEmpty() ? "(no single catalog fix removes it)"
            : "(gone with the fix of " + String.join(", ", mechanism) + ")";
    }
}
