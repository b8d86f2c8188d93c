package dev.highwater.properties.run;

import dev.highwater.model.NodeConfig;
import dev.highwater.model.PageAllocator;
import dev.highwater.model.Tunables;
import dev.highwater.model.fast.FastAllocator;
import dev.highwater.model.policy.KernelPolicy;
import dev.highwater.model.reference.ReferenceAllocator;

/** Which allocator implementation a run drives. */
public enum AllocatorKind {
    /** The reference model ({@code model.reference}): the behavioural spec. */
    REFERENCE,
    /**
     * The optimized, kernel-like implementation ({@code model.fast}): identical behaviour, O(1) per operation. A run
     * drives its memory system from one thread, so it gets the uniprocessor build (no atomic lock instructions); the
     * stress module shares SMP allocators between threads.
     */
    FAST;

    public PageAllocator create(KernelPolicy policy, NodeConfig node, Tunables tunables) {
        return switch (this) {
            case REFERENCE -> new ReferenceAllocator(policy, node, tunables);
            case FAST -> FastAllocator.uniprocessor(policy, node, tunables);
        };
    }
}
