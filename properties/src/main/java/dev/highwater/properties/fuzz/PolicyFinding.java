package dev.highwater.properties.fuzz;

import dev.highwater.properties.Violation;
import java.util.List;

/**
 * A fuzz finding: a policy property violated under a preset, with its bug class ({@link BugClass}: the catalog fixes
 * that alone remove it). Thrown by the policy targets so that Jazzer (JUnit, {@code highwater fuzz}, ClusterFuzzLite)
 * reports it. The stack trace is replaced by one synthetic frame naming the preset, the property and the fixes that
 * remove it, because Jazzer deduplicates findings by stack trace: with {@code --keep_going} each bug class is
 * reported once and fuzzing goes on to look for the others. (With the preset and property alone, the first violation
 * of a property, most often a known bug, hid every later class of that property for the rest of the run.)
 */
public final class PolicyFinding extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String preset;
    private final String property;
    private final int step;
    private final List<String> mechanism;

    /**
     * @param mechanism what alone makes the input hold ({@link BugClass}): catalog fixes, or the first later preset
     */
    public PolicyFinding(String preset, Violation v, List<String> mechanism) {
        super("policy property " + v.property() + " violated under " + preset + " at step " + v.step() + ": "
            + v.message() + " " + BugClass.fixes(mechanism));
        this.preset = preset;
        this.property = v.property();
        this.step = v.step();
        this.mechanism = List.copyOf(mechanism);
        String method = property + (mechanism.isEmpty() ? "" : "__" + String.join("__", mechanism)
            .replaceAll("[^A-Za-z0-9_]", "_"));
        setStackTrace(new StackTraceElement[] {frame("policy", preset, method)});
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

    /** The finding's bug class, as {@link BugClass#of} computes it for the input's trace. */
    public BugClass bugClass() {
        return new BugClass(preset, property, mechanism);
    }
}
