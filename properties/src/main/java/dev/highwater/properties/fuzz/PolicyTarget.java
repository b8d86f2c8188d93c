package dev.highwater.properties.fuzz;

import dev.highwater.model.policy.KernelPolicy;
import dev.highwater.model.policy.Presets;
import dev.highwater.model.trace.Trace;
import dev.highwater.properties.Property;
import dev.highwater.properties.PropertyCatalog;
import dev.highwater.properties.run.AllocatorKind;
import java.util.ArrayList;
import java.util.List;

/**
 * The body every policy fuzz target shares: bytes → trace (the structure-aware {@link TraceDecoder}, at most
 * {@link #MAX_OPS} decoded ops) → run under the target's preset with the given properties checked after every step
 * and the abstract state fed to the fuzzer. A policy violation throws {@link PolicyFinding}; an integrity violation
 * (a bug in the model) throws {@link ModelIntegrityError}; any other exception from the model propagates as it is
 * (also a model bug).
 *
 * <p>The allocator is the optimized one ({@link AllocatorKind#FAST}) unless the system property
 * {@code highwater.fuzz.allocator} names another {@link AllocatorKind}: the fuzzer spends its executions where they
 * are cheapest (about 1.3 times the reference's rate), and nothing it reports rests on the optimized implementation
 * alone. The differential target holds the two equal on the inputs it explores; every policy finding is minimized and
 * judged on the reference ({@link FindingWriter}); and a finding the reference does not share is reported as what it
 * is, a divergence of the two implementations (a model bug), by {@code highwater fuzz}.
 */
public final class PolicyTarget {
    /** Decoded ops per input (the decoder may expand one into a few page-cache steps). */
    public static final int MAX_OPS = 32;

    private PolicyTarget() {
    }

    public static AllocatorKind allocator() {
        String k = System.getProperty("highwater.fuzz.allocator");
        return k == null || k.isBlank() ? AllocatorKind.FAST : AllocatorKind.valueOf(k.trim().toUpperCase());
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
        throw new PolicyFinding(policy.name(), f.violation());
    }
}
