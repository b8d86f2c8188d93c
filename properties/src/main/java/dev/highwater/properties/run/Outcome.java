package dev.highwater.properties.run;

import dev.highwater.model.ZoneSnapshot;
import dev.highwater.properties.Violation;
import java.util.List;
import java.util.Optional;

/**
 * The result of running a trace under one preset: every executed step (the run stops after the first violation),
 * the first violation, and the zone states before the first step.
 */
public record Outcome(String preset, List<ZoneSnapshot> initial, List<StepRecord> steps, Optional<Violation> violation) {

    /** Steps whose result differs from the one recorded in the trace. */
    public List<StepRecord> resultMismatches() {
        return steps.stream().filter(s -> !s.resultMatches()).toList();
    }
}
