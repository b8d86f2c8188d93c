package dev.highwater.properties.fuzz;

import dev.highwater.model.PageAllocator;
import dev.highwater.model.mm.MemorySystem;
import dev.highwater.model.policy.KernelPolicy;
import dev.highwater.model.trace.Op;
import dev.highwater.model.trace.Trace;
import dev.highwater.properties.Property;
import dev.highwater.properties.StepView;
import dev.highwater.properties.Violation;
import dev.highwater.properties.run.AllocatorKind;
import java.util.List;

/**
 * One fuzz execution: the trace on a fresh memory system under a preset, the given properties checked after every
 * step, stopping at the first violation. Unlike {@link dev.highwater.properties.run.TraceRunner} it records no
 * per-step snapshots (a fuzzer only needs the verdict), and it can feed the abstract state to the fuzzer.
 */
public final class FuzzRun {
    private FuzzRun() {
    }

    /** The first violation and the property that found it, or {@code null} when every step held. */
    public record Found(Property property, Violation violation) {
    }

    public static Found execute(Trace t, KernelPolicy policy, List<Property> properties, AllocatorKind kind,
                                StateFeedback feedback) {
        PageAllocator a = kind.create(policy, t.node(), t.vm().toTunables(policy));
        MemorySystem ms = new MemorySystem(a, t.tasks(), t.swapPages());
        List<Op> ops = t.ops();
        for (int i = 0; i < ops.size(); i++) {
            Op op = ops.get(i);
            String result = ms.apply(op);
            StepView view = new StepView(ms, i + 1, op, result);
            for (Property p : properties) {
                var msg = p.check(view);
                if (msg.isPresent()) {
                    return new Found(p, new Violation(p.id(), i + 1, msg.get()));
                }
            }
            if (feedback != null) {
                feedback.afterStep(ms);
            }
        }
        return null;
    }
}
