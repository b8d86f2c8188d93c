package dev.highwater.properties.fuzz;

import dev.highwater.model.NodeConfig;
import dev.highwater.model.PageAllocator;
import dev.highwater.model.Tunables;
import dev.highwater.model.fast.FastAllocator;
import dev.highwater.model.mm.MemorySystem;
import dev.highwater.model.policy.KernelPolicy;
import dev.highwater.model.reference.ReferenceAllocator;
import dev.highwater.model.trace.Op;
import dev.highwater.model.trace.Trace;
import dev.highwater.properties.Property;
import dev.highwater.properties.StepView;
import dev.highwater.properties.Violation;
import dev.highwater.properties.run.AllocatorKind;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One fuzz execution: the trace on a fresh memory system under a preset, the given properties checked after every
 * step, stopping at the first violation. Unlike {@link dev.highwater.properties.run.TraceRunner} it records no
 * per-step snapshots (a fuzzer only needs the verdict), and it can feed the abstract state to the fuzzer.
 *
 * <p>A fuzzer runs thousands of traces on a few machine configurations, so the allocator is not booted for every
 * run: each thread keeps, per allocator kind, preset, node and tunables, a freshly booted allocator (the template)
 * and a working one that each run resets to the template's state with {@code copyFrom} (array copies instead of a
 * boot; {@code FuzzRunTest} holds the two equal). The working allocator belongs to the run in progress; nothing of it
 * outlives {@link #execute}.
 */
public final class FuzzRun {
    private FuzzRun() {
    }

    /** The first violation and the property that found it, or {@code null} when every step held. */
    public record Found(Property property, Violation violation) {
    }

    /**
     * Machine configurations kept per thread. A fuzz input draws one of a few machine shapes, but CPU count, per-CPU
     * list sizes and tunables multiply them (the decoder has about a thousand per preset), so the map holds what
     * recent inputs used.
     */
    static final int TEMPLATES_PER_THREAD = 128;
    /**
     * Larger nodes are booted for every run. The decoder's largest node has 4,096 pages; a reference allocator of that
     * size holds about 130 KB, a fast one about 40 KB, so a thread's map holds at most about 32 MB.
     */
    static final long MAX_TEMPLATE_PAGES = 4096;

    /**
     * A configuration: the policy by identity (presets are constants; hashing the whole policy record per run showed
     * in profiles), the node and tunables by value (a trace builds its tunables anew for every run).
     */
    private record Key(AllocatorKind kind, KernelPolicy policy, NodeConfig node, Tunables tunables, int hash) {
        Key(AllocatorKind kind, KernelPolicy policy, NodeConfig node, Tunables tunables) {
            this(kind, policy, node, tunables, ((kind.ordinal() * 31 + System.identityHashCode(policy)) * 31
                + node.hashCode()) * 31 + tunables.hashCode());
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.hash == hash && k.kind == kind && k.policy == policy && k.node.equals(node)
                && k.tunables.equals(tunables);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /** The working allocator of a configuration, and once it is used a second time, its freshly booted template. */
    private static final class Booted {
        final PageAllocator work;
        PageAllocator template;

        Booted(PageAllocator work) {
            this.work = work;
        }
    }

    private static final ThreadLocal<Map<Key, Booted>> BOOTED = ThreadLocal.withInitial(
        () -> new LinkedHashMap<>(TEMPLATES_PER_THREAD * 2, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, Booted> eldest) {
                return size() > TEMPLATES_PER_THREAD;
            }
        });

    /**
     * An allocator in the state {@code kind.create(policy, node, tunables)} boots into. The first run of a
     * configuration boots its working allocator; the second also boots the template and resets the working one to
     * it; later runs only reset (array copies). A kind without a reset, or a large node, is booted every time.
     */
    static PageAllocator freshAllocator(AllocatorKind kind, KernelPolicy policy, NodeConfig node, Tunables tunables) {
        if (node.totalManagedPages() > MAX_TEMPLATE_PAGES) {
            return kind.create(policy, node, tunables);
        }
        Map<Key, Booted> cache = BOOTED.get();
        Key key = new Key(kind, policy, node, tunables);
        Booted b = cache.get(key);
        if (b == null) {
            PageAllocator a = kind.create(policy, node, tunables);
            cache.put(key, new Booted(a));
            return a;
        }
        if (b.template == null) {
            b.template = kind.create(policy, node, tunables);
        }
        if (b.work instanceof FastAllocator f && b.template instanceof FastAllocator t) {
            f.copyFrom(t);
            return f;
        }
        if (b.work instanceof ReferenceAllocator r && b.template instanceof ReferenceAllocator t) {
            r.copyFrom(t);
            return r;
        }
        return kind.create(policy, node, tunables);
    }

    public static Found execute(Trace t, KernelPolicy policy, List<Property> properties, AllocatorKind kind,
                                StateFeedback feedback) {
        PageAllocator a = freshAllocator(kind, policy, t.node(), t.vm().toTunables(policy));
        MemorySystem ms = new MemorySystem(a, t.tasks(), t.swapPages());
        List<Op> ops = t.ops();
        int n = properties.size();
        for (int i = 0; i < ops.size(); i++) {
            Op op = ops.get(i);
            String result = ms.apply(op);
            StepView view = new StepView(ms, i + 1, op, result);
            for (int k = 0; k < n; k++) {
                Property p = properties.get(k);
                Optional<String> msg = p.check(view);
                if (msg.isPresent()) {
                    return new Found(p, new Violation(p.id(), i + 1, msg.get()));
                }
            }
            if (feedback != null) {
                feedback.afterStep(view);
            }
        }
        return null;
    }
}
