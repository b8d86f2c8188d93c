package dev.highwater.properties.policy;

import dev.highwater.model.PageAllocator;
import dev.highwater.model.WatermarkCheck;
import dev.highwater.model.mm.MmEvent;
import dev.highwater.model.policy.KernelPolicy;
import dev.highwater.model.trace.Op;
import dev.highwater.properties.BaseProperty;
import dev.highwater.properties.StepView;
import java.util.Optional;

/**
 * An order-0 allocation that cannot reclaim (GFP_ATOMIC, GFP_NOWAIT) does not fail while a zone it may use holds
 * more free pages than its floor: the min watermark reduced as the version reduces it for this caller (§2.1: 3/8
 * for GFP_ATOMIC), plus that zone's lowmem_reserve for the request (§2.1 "the floor includes the lowmem reserve").
 * Free pages sitting on HIGHATOMIC lists count: they are free, and from 6.12 (281dd25c1a01, late 6.1.y by backport)
 * such a request may take them. Before that, seed 000's failure (373 free pages &gt; floor 91, all on HIGHATOMIC
 * lists) violates this.
 */
public final class Order0AtomicAboveFloor extends BaseProperty {
    public Order0AtomicAboveFloor() {
        super("order0-atomic-above-floor",
            "an order-0 allocation that cannot reclaim does not fail while a usable zone has free pages above its floor",
            "kernel-semantics §2.1, §5.1 (281dd25c1a01), §7.5; seed 000", Family.POLICY);
    }

    @Override
    public Optional<String> check(StepView v) {
        PageAllocator al = v.allocator();
        KernelPolicy p = al.policy();
        java.util.List<MmEvent> events = v.system().stepEvents();
        for (int ei = 0, en = events.size(); ei < en; ei++) {
            MmEvent e = events.get(ei);
            // the zone state is the one captured when the request failed
            if (!(e instanceof MmEvent.AllocFailed f) || f.ac().order() != 0 || f.ac().gfp().canDirectReclaim()) {
                continue;
            }
            for (int z = f.ac().highestZone(); z >= 0; z--) {
                MmEvent.ZoneState s = f.zones().get(z);
                long floor = WatermarkCheck.effectiveMin(p.reserveRules(), s.min(), f.allocFlags()) + s.lowmemReserve();
                if (s.free() > floor) {
                    return Optional.of(String.format("order-0 %s failed while %s has free %d pages > floor %d (min %d; "
                            + "%d of the free pages on HIGHATOMIC lists)", gfpText(v), al.zones().get(z).type().kernelName(),
                        s.free(), floor, s.min(), s.freeHighatomic()));
                }
            }
        }
        return Optional.empty();
    }

    private static String gfpText(StepView v) {
        return v.op() instanceof Op.Alloc a ? a.gfp().toString() : "request";
    }
}
