package dev.highwater.properties.fuzz;

import dev.highwater.properties.Violation;

/**
 * A fuzz finding: a policy property violated under a preset. Thrown by the policy targets so that Jazzer (JUnit,
 * {@code highwater fuzz}, ClusterFuzzLite) reports it. The stack trace is replaced by one synthetic frame naming the
 * preset and the property, because Jazzer deduplicates findings by stack trace: with {@code --keep_going} each
 * (preset, property) pair is reported once and fuzzing goes on to look for the others.
 */
public final class PolicyFinding extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String preset;
    private final String property;
    private final int step;

    public PolicyFinding(String preset, Violation v) {
        super("policy property " + v.property() + " violated under " + preset + " at step " + v.step() + ": "
            + v.message());
        this.preset = preset;
        this.property = v.property();
        this.step = v.step();
        setStackTrace(new StackTraceElement[] {frame("policy", preset, property)});
    }

    static StackTraceElement frame(String family, String preset, String property) {
        return new StackTraceElement("highwater." + family + "." + preset.replace('.', '_'), property.replace('-', '_'),
            "highwater-finding", -1);
    }

    public String preset() {
        return preset;
    }

    public String property() {
        return property;
    }

    public int step() {
        return step;
    }
}
