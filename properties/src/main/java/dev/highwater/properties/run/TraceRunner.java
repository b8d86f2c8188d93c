package dev.highwater.properties.run;

import dev.highwater.model.PageAllocator;
import dev.highwater.model.ZoneSnapshot;
import dev.highwater.model.mm.MemorySystem;
import dev.highwater.model.policy.KernelPolicy;
import dev.highwater.model.trace.Op;
import dev.highwater.model.trace.Trace;
import dev.highwater.properties.Property;
import dev.highwater.properties.PropertyCatalog;
import dev.highwater.properties.StepView;
import dev.highwater.properties.Violation;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Runs a trace on a memory system under a preset, checks every property after every step, records each step's
 * result and zone snapshot, and stops at the first violation.
 */
public final class TraceRunner {
    private final List<Property> properties;
    private final AllocatorKind kind;

    public TraceRunner(List<Property> properties, AllocatorKind kind) {
        this.properties = List.copyOf(properties);
        this.kind = kind;
    }

    /** All catalog properties on the reference allocator. */
    public static TraceRunner standard() {
        return new TraceRunner(PropertyCatalog.all(), AllocatorKind.REFERENCE);
    }

    public MemorySystem boot(Trace trace, KernelPolicy policy) {
        PageAllocator a = kind.create(policy, trace.node(), trace.vm().toTunables(policy));
        return new MemorySystem(a, trace.tasks(), trace.swapPages());
    }

    /** Runs under {@code policy}; recorded results are compared only when it is the trace's own preset. */
    public Outcome run(Trace trace, KernelPolicy policy) {
        MemorySystem ms = boot(trace, policy);
        boolean own = policy.name().equals(trace.policy());
        List<ZoneSnapshot> initial = ZoneSnapshot.all(ms.allocator());
        List<StepRecord> steps = new ArrayList<>();
        Optional<Violation> violation = Optional.empty();
        for (int i = 0; i < trace.ops().size(); i++) {
            Op op = trace.ops().get(i);
            String result = ms.apply(op);
            int step = i + 1;
            steps.add(new StepRecord(step, op, result, own ? op.expected() : Optional.empty(),
                ZoneSnapshot.all(ms.allocator())));
            StepView view = new StepView(ms, step, op, result);
            for (Property p : properties) {
                Optional<String> msg = p.check(view);
                if (msg.isPresent()) {
                    violation = Optional.of(new Violation(p.id(), step, msg.get()));
                    break;
                }
            }
            if (violation.isPresent()) {
                break;
            }
        }
        return new Outcome(policy.name(), initial, List.copyOf(steps), violation);
    }
}
