package dev.highwater.properties.policy;

import dev.highwater.model.mm.MmEvent;
import dev.highwater.properties.BaseProperty;
import dev.highwater.properties.StepView;
import java.util.Optional;

/**
 * No OOM kill, and no failure of a request the kernel promises to satisfy (blocking, order ≤ 3, no NORETRY or
 * RETRY_MAYFAIL), while a zone the request may use holds free pages above its min watermark plus lowmem_reserve that
 * it could use once reserves are released (for order &gt; 0: a free block of the order exists). Seed 002 (4.8, free
 * 19 MB in HIGHATOMIC blocks), 04c8716f7b00 and Charan Teja Kalla's 6.8 fix are violations of this.
 */
public final class NoOomAboveMin extends BaseProperty {
    public NoOomAboveMin() {
        super("no-oom-above-min",
            "no OOM kill or failed blocking allocation while a usable zone has free pages above min + lowmem_reserve",
            "kernel-semantics §7.2, §7.4, §6.5 (04c8716f7b00), §11 (6.8 unreserve before OOM); seed 002", Family.POLICY);
    }

    @Override
    public Optional<String> check(StepView v) {
        java.util.List<MmEvent> events = v.system().stepEvents();
        for (int ei = 0, en = events.size(); ei < en; ei++) {
            MmEvent e = events.get(ei);
            if (e instanceof MmEvent.OomKill k) {
                MmEvent.ZoneState s = PolicyChecks.zoneAboveMin(k.ac(), k.zones());
                if (s != null) {
                    return Optional.of("OOM kill of task " + k.victim() + " for an order-" + k.ac().order()
                        + " request while " + PolicyChecks.describe(name(v, s), s));
                }
            } else if (e instanceof MmEvent.AllocFailed f && PolicyChecks.mustNotFail(f.ac())) {
                MmEvent.ZoneState s = PolicyChecks.zoneAboveMin(f.ac(), f.zones());
                if (s != null) {
                    return Optional.of("order-" + f.ac().order() + " blocking allocation failed while "
                        + PolicyChecks.describe(name(v, s), s));
                }
            }
        }
        return Optional.empty();
    }

    private static String name(StepView v, MmEvent.ZoneState s) {
        return v.allocator().zones().get(s.zone()).type().kernelName();
    }
}
