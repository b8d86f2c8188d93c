package dev.highwater.properties.run;

import dev.highwater.model.NodeConfig;
import dev.highwater.model.PageAllocator;
import dev.highwater.model.Tunables;
import dev.highwater.model.policy.KernelPolicy;
import dev.highwater.model.reference.ReferenceAllocator;

/** Which allocator implementation a run drives. */
public enum AllocatorKind {
    REFERENCE;

    public PageAllocator create(KernelPolicy policy, NodeConfig node, Tunables tunables) {
        return switch (this) {
            case REFERENCE -> new ReferenceAllocator(policy, node, tunables);
        };
    }
}
