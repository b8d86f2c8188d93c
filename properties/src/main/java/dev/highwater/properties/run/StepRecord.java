package dev.highwater.properties.run;

import dev.highwater.model.ZoneSnapshot;
import dev.highwater.model.trace.Op;
import java.util.List;
import java.util.Optional;

/**
 * One executed step: the op, its result, the result the trace recorded (if any), and every zone's state after it.
 */
public record StepRecord(int step, Op op, String result, Optional<String> recorded, List<ZoneSnapshot> zones) {
    /** True unless the trace recorded a different result. */
    public boolean resultMatches() {
        return recorded.isEmpty() || recorded.get().equals(result);
    }
}
