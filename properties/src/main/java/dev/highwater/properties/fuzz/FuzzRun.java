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
 * run: each thread keeps, per allocator kind, preset and node, a freshly booted allocator (the template) and a working
 * one that each run resets to the template's state with {@code copyFrom} (array copies instead of a boot;
 * {@code FuzzRunTest} holds the two equal). A boot depends on the tunables only through the watermarks and the
 * per-CPU batch and high derived from them, which {@code setTunables} recomputes on the reset allocator, so runs that
 * differ only in their tunables share a template; only a preset whose boot also retypes pageblocks from the
 * watermarks (2.6.32's MIGRATE_RESERVE) keys its templates by the tunables too. The working allocator belongs to the
 * run in progress; nothing of it outlives {@link #execute}.
 *
 * <p>The integrity properties are state invariants: a step that leaves everything they read as the previous step
 * left it ({@link MemorySystem#integrityVersion}: the allocators count every write of their lists, counters and
 * pageblock types; the memory system every change of the pages it holds, in handles or on LRU lists) skips them, as
 * they held after the previous step. About half the steps of a fuzz input change none of it (failed allocations,
 * writeback, idle kswapd and kcompactd, an exit with nothing to free); {@code FuzzRunTest} holds the verdicts equal
 * to checking everything after every step.
 */
public final class FuzzRun {
    private FuzzRun() {
    }

    /** The first violation and the property that found it, or {@code null} when every step held. */
    public record Found(Property property, Violation violation) {
    }

    /**
     * Machine configurations kept per thread. A fuzz input draws one of a few machine shapes, but CPU count and
     * per-CPU list sizes multiply them (the measured set of 200 inputs of one zone size has 6 nodes per preset), so the
     * map holds what recent inputs used.
     */
    static final int TEMPLATES_PER_THREAD = 128;
    /**
     * Larger nodes are booted for every run. The decoder's largest node has 4,096 pages; a reference allocator of that
     * size holds about 130 KB, a fast one about 40 KB, so a thread's map holds at most about 32 MB.
     */
    static final long MAX_TEMPLATE_PAGES = 4096;

    /**
     * A configuration: the policy by identity (presets are constants; hashing the whole policy record per run showed
     * in profiles), the node and tunables by value (a trace builds its tunables anew for every run); tunables null
     * where the boot does not depend on them beyond what {@code setTunables} recomputes.
     */
    private record Key(AllocatorKind kind, KernelPolicy policy, NodeConfig node, Tunables tunables, int hash) {
        Key(AllocatorKind kind, KernelPolicy policy, NodeConfig node, Tunables tunables) {
            this(kind, policy, node, tunables, ((kind.ordinal() * 31 + System.identityHashCode(policy)) * 31
                + node.hashCode()) * 31 + java.util.Objects.hashCode(tunables));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.hash == hash && k.kind == kind && k.policy == policy && k.node.equals(node)
                && java.util.Objects.equals(k.tunables, tunables);
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

    /** The step memo of this thread's runs (its walk arrays kept from run to run). */
    private static final ThreadLocal<StepView.Lists> LISTS = ThreadLocal.withInitial(StepView.Lists::new);

    /** The memory system of this thread's last run: its arrays are reused by the next run, which replaces it. */
    private static final ThreadLocal<MemorySystem[]> SPENT = ThreadLocal.withInitial(() -> new MemorySystem[1]);

    /**
     * Whether a boot under the policy depends on the tunables only through the watermarks and what
     * {@link PageAllocator#setTunables} derives from them (per-CPU batch and high): every preset but those that set up
     * MIGRATE_RESERVE blocks at boot (their placement follows the min watermark and moves free blocks between lists).
     */
    static boolean bootIndependentOfTunables(KernelPolicy policy) {
        return !policy.migrateReserve();
    }

    /**
     * An allocator in the state {@code kind.create(policy, node, tunables)} boots into. The first run of a
     * configuration boots its working allocator; the second also boots the template and resets the working one to
     * it; later runs only reset (array copies), then set the run's tunables where they differ from the template's. A
     * kind without a reset, or a large node, is booted every time.
     */
    static PageAllocator freshAllocator(AllocatorKind kind, KernelPolicy policy, NodeConfig node, Tunables tunables) {
        if (node.totalManagedPages() > MAX_TEMPLATE_PAGES) {
            return kind.create(policy, node, tunables);
        }
        Map<Key, Booted> cache = BOOTED.get();
        Key key = new Key(kind, policy, node, bootIndependentOfTunables(policy) ? null : tunables);
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
        } else if (b.work instanceof ReferenceAllocator r && b.template instanceof ReferenceAllocator t) {
            r.copyFrom(t);
        } else {
            return kind.create(policy, node, tunables);
        }
        if (!b.work.tunables().equals(tunables)) {
            b.work.setTunables(tunables); // a fresh boot's state: no boost to clear, no reserve to move
        }
        return b.work;
    }

    public static Found execute(Trace t, KernelPolicy policy, List<Property> properties, AllocatorKind kind,
                                StateFeedback feedback) {
        PageAllocator a = freshAllocator(kind, policy, t.node(), t.vm().toTunables(policy));
        // the previous run's memory system lends its pfn-indexed arrays (cleared) to this one
        MemorySystem[] spent = SPENT.get();
        MemorySystem ms = MemorySystem.reusing(a, t.tasks(), t.swapPages(), spent[0]);
        spent[0] = ms;
        return run(ms, t.ops(), properties, feedback);
    }

    /** Runs the ops on a booted memory system, checking the properties after every step (as {@link #execute}). */
    static Found run(MemorySystem ms, List<Op> ops, List<Property> properties, StateFeedback feedback) {
        int n = properties.size();
        // one memo for every step of every run of this thread: no view outlives its step, nor a run its execute
        StepView.Lists lists = LISTS.get();
        // the integrity properties are state invariants: after a step that left everything they read as the step
        // before left it (MemorySystem.integrityVersion unchanged), they hold again, and are not run
        long checked = -1;
        for (int i = 0; i < ops.size(); i++) {
            Op op = ops.get(i);
            String result = ms.apply(op);
            StepView view = new StepView(ms, i + 1, op, result, lists.reset());
            long version = ms.integrityVersion();
            boolean unchanged = version >= 0 && version == checked;
            for (int k = 0; k < n; k++) {
                Property p = properties.get(k);
                if (unchanged && p.family() == Property.Family.INTEGRITY) {
                    continue;
                }
                Optional<String> msg = p.check(view);
                if (msg.isPresent()) {
                    return new Found(p, new Violation(p.id(), i + 1, msg.get()));
                }
            }
            checked = version;
            if (feedback != null) {
                feedback.afterStep(view);
            }
        }
        return null;
    }
}
