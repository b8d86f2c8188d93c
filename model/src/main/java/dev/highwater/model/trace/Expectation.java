package dev.highwater.model.trace;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * An {@code expect} line: under a preset (the trace's own when absent), the run violates a property (optionally
 * first at a given step) or stays clean.
 *
 * <pre>
 * expect violation order0-atomic-above-floor at step 12
 * expect linux-6.1 clean
 * </pre>
 */
public record Expectation(Optional<String> preset, boolean clean, Optional<String> property, OptionalInt step) {
    public Expectation {
        if (clean && (property.isPresent() || step.isPresent())) {
            throw new IllegalArgumentException("a clean expectation names no property or step");
        }
        if (!clean && property.isEmpty()) {
            throw new IllegalArgumentException("a violation expectation names its property");
        }
    }

    public static Expectation clean(Optional<String> preset) {
        return new Expectation(preset, true, Optional.empty(), OptionalInt.empty());
    }

    public static Expectation violation(Optional<String> preset, String property, OptionalInt step) {
        return new Expectation(preset, false, Optional.of(property), step);
    }

    /** Whether this expectation is about the given preset, the trace's own being {@code tracePolicy}. */
    public boolean appliesTo(String presetName, String tracePolicy) {
        return preset.orElse(tracePolicy).equals(presetName);
    }
}
