package dev.highwater.properties.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.highwater.model.policy.KernelPolicy;
import dev.highwater.model.policy.Presets;
import dev.highwater.model.trace.Trace;
import dev.highwater.model.trace.TracePrinter;
import dev.highwater.properties.fuzz.TraceDecoder;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Reference ≡ optimized: traces decoded from random bytes (the fuzzer's decoder: full memory-system traces) run on
 * the reference and the optimized allocator under every preset, each with its own memory system, and must agree on
 * every step's result and on the complete observable state after every step ({@link Differential}).
 */
class DifferentialProperties {

    /** Steps per decoded trace. */
    static final int MAX_OPS = 40;

    private static final Map<String, AtomicLong> TRIES = new ConcurrentHashMap<>();
    private static final Map<String, AtomicLong> STEPS = new ConcurrentHashMap<>();

    @Property(tries = 100, shrinking = ShrinkingMode.BOUNDED)
    void referenceAndOptimizedAgreeStepByStepUnderEveryPreset(@ForAll @Size(min = 64, max = 1200) byte[] data) {
        for (KernelPolicy p : Presets.all()) {
            Trace t = TraceDecoder.decode(data, p.name(), MAX_OPS);
            Differential.Report r = Differential.run(t, p);
            TRIES.computeIfAbsent(p.name(), k -> new AtomicLong()).incrementAndGet();
            STEPS.computeIfAbsent(p.name(), k -> new AtomicLong()).addAndGet(r.steps());
            assertThat(r.mismatch())
                .as(() -> p.name() + ": " + r.mismatch().map(Object::toString).orElse("") + "\n" + TracePrinter.print(t))
                .isEmpty();
        }
    }

    @AfterContainer
    static void summary() {
        StringBuilder sb = new StringBuilder("differential: tries/steps per preset:");
        for (KernelPolicy p : Presets.all()) {
            sb.append(' ').append(p.name()).append('=').append(TRIES.getOrDefault(p.name(), new AtomicLong()))
                .append('/').append(STEPS.getOrDefault(p.name(), new AtomicLong()));
        }
        System.out.println(sb);
    }
}
