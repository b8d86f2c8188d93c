package dev.highwater.properties.fuzz;

import dev.highwater.model.policy.KernelPolicy;
import dev.highwater.model.policy.Presets;
import dev.highwater.model.trace.Trace;
import dev.highwater.properties.Property;
import dev.highwater.properties.PropertyCatalog;
import dev.highwater.properties.bugs.Attribution;
import dev.highwater.properties.run.AllocatorKind;
import java.util.ArrayList;
import java.util.List;

/**
 * The body every policy fuzz target shares: bytes → trace (the structure-aware {@link TraceDecoder}, at most
 * {@link #MAX_OPS} decoded ops) → run under the target's preset with the given properties checked after every step
 * and the abstract state fed to the fuzzer. A policy violation throws {@link PolicyFinding} with its bug class (unless
 * {@link KnownClasses} lists that class); an integrity violation
 * (a bug in the model) throws {@link ModelIntegrityError}; any other exception from the model propagates as it is
 * (also a model bug).
 *
 * <p>The allocator is the reference one unless the system property {@code highwater.fuzz.allocator} names another
 * {@link AllocatorKind}: the optimized one runs about 1.3 times as many executions a second, but its coverage guided
 * the fuzzer worse (the coverage-guided highatomic-double-decrease hunt missed 3 of 3 runs on it, and found the bug in
 * 3 of 3, then 7 of 10, runs on the reference). With it chosen, every policy finding is still minimized and judged on the reference
 * ({@link FindingWriter}), and one the reference does not share is reported by {@code highwater fuzz} as a divergence
 * of the two implementations (a model bug).
 */
public final class PolicyTarget {
    /** Decoded ops per input (a fragmenting fill is one {@code cache read=N write=N} step). */
    public static final int MAX_OPS = 32;

    private PolicyTarget() {
    }

    public static AllocatorKind allocator() {
        String k = System.getProperty("highwater.fuzz.allocator");
        return k == null || k.isBlank() ? AllocatorKind.REFERENCE : AllocatorKind.valueOf(k.trim().toUpperCase());
    }

    public static KernelPolicy preset(String name) {
        return Presets.byName(name).orElseThrow(() -> new IllegalArgumentException("unknown preset " + name));
    }

    /** Integrity properties plus the one policy property {@code id}. */
    public static List<Property> integrityAnd(String id) {
        List<Property> ps = new ArrayList<>(PropertyCatalog.integrity());
        Property p = PropertyCatalog.byId(id).orElseThrow(() -> new IllegalArgumentException("unknown property " + id));
        if (!ps.contains(p)) {
            ps.add(p);
        }
        return List.copyOf(ps);
    }

    /** Runs one input under {@code policy} with every catalog property. */
    public static void check(byte[] data, KernelPolicy policy) {
        check(data, policy, PropertyCatalog.all());
    }

    public static void check(byte[] data, KernelPolicy policy, List<Property> properties) {
        Trace t = TraceDecoder.decode(data, policy.name(), MAX_OPS);
        FuzzRun.Found f = FuzzRun.execute(t, policy, properties, allocator(), new StateFeedback());
        if (f == null) {
            return;
        }
        if (f.property().family() == Property.Family.INTEGRITY) {
            throw new ModelIntegrityError(policy.name(), f.violation());
        }
        List<String> mechanism = mechanism(Attribution.throughStep(t, f.violation().step()), policy, f.property().id());
        if (KnownClasses.fromSystemProperty().contains(new BugClass(policy.name(), f.property().id(), mechanism))) {
            return; // a class the corpus holds (ClusterFuzzLite launchers): not a finding, fuzzing goes on
        }
        throw new PolicyFinding(policy.name(), f.violation(), mechanism);
    }

    /**
     * What alone makes {@code t} hold its property under {@code policy} ({@link Attribution#mechanism}: catalog fixes,
     * else the first later preset that does): the mechanism of {@link BugClass#of}, computed with fuzz executions, only on a
     * violation, with {@code t} cut after its violating step ({@link Attribution#throughStep}). {@code FuzzSupportTest}
     * holds the two equal.
     */
    static List<String> mechanism(Trace t, KernelPolicy policy, String property) {
        List<Property> properties = integrityAnd(property);
        return Attribution.mechanism(policy, p -> FuzzRun.execute(t, p, properties, allocator(), null) == null);
    }
}
