package dev.highwater.properties.policy;

import dev.highwater.model.AllocFlags;
import dev.highwater.model.WatermarkCheck;
import dev.highwater.model.mm.MmEvent;
import dev.highwater.model.policy.HighatomicSubtraction;
import dev.highwater.model.policy.KernelPolicy;
import dev.highwater.properties.BaseProperty;
import dev.highwater.properties.StepView;
import java.util.Optional;

/**
 * A high-order request does not fail while a usable zone has a free block of that order on a list it may use
 * (U/M/E) and the order-0 watermark passes for it. 2.6.32's per-order shrinking minimum violates this (fixed by
 * 97a16fc82a7c in 4.4: "only enforce watermarks for order-0 allocations").
 */
public final class HighOrderWithFreeBlock extends BaseProperty {
    public HighOrderWithFreeBlock() {
        super("high-order-with-free-block",
            "a high-order request does not fail while a usable free block of its order exists and the watermark passes",
            "kernel-semantics §2.1, §11 (97a16fc82a7c)", Family.POLICY);
    }

    @Override
    public Optional<String> check(StepView v) {
        KernelPolicy p = v.allocator().policy();
        java.util.List<MmEvent> events = v.system().stepEvents();
        for (int ei = 0, en = events.size(); ei < en; ei++) {
            MmEvent e = events.get(ei);
            if (!(e instanceof MmEvent.AllocFailed f) || f.ac().order() == 0) {
                continue;
            }
            for (int z = f.ac().highestZone(); z >= 0; z--) {
                MmEvent.ZoneState s = f.zones().get(z);
                if (s.largestUsableOrder() < f.ac().order()) {
                    continue;
                }
                int flags = f.allocFlags();
                if ((flags & AllocFlags.NO_WATERMARKS) != 0) {
                    continue;
                }
                long unusable = (1L << f.ac().order()) - 1; // §2.1 step 1: the request's own pages
                if (!WatermarkCheck.reserveAccess(p.reserveRules(), flags)) {
                    unusable += p.highatomicSubtraction() == HighatomicSubtraction.RESERVED ? s.reservedHighatomic()
                        : p.highatomicSubtraction() == HighatomicSubtraction.FREE_HIGHATOMIC ? s.freeHighatomic() : 0;
                }
                long mark = v.allocator().watermarks(z).mark(AllocFlags.wmarkIndex(flags));
                long floor = WatermarkCheck.effectiveMin(p.reserveRules(), mark, flags) + s.lowmemReserve();
                if (s.free() - unusable > floor) {
                    return Optional.of(String.format("order-%d request failed while %s has a free order-%d block and "
                            + "passes the order-0 watermark (free %d > floor %d)", f.ac().order(),
                        v.allocator().zones().get(z).type().kernelName(), s.largestUsableOrder(), s.free() - unusable,
                        floor));
                }
            }
        }
        return Optional.empty();
    }
}
