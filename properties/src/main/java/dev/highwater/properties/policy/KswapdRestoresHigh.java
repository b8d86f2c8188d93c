package dev.highwater.properties.policy;

import dev.highwater.model.mm.MmEvent;
import dev.highwater.properties.BaseProperty;
import dev.highwater.properties.StepView;
import java.util.Optional;

/**
 * kswapd, run to completion, leaves every zone up to the class zone it was woken for above its high watermark, unless
 * the zone has nothing left that reclaim can free at once (§8.2: kswapd reclaims to high).
 */
public final class KswapdRestoresHigh extends BaseProperty {
    public KswapdRestoresHigh() {
        super("kswapd-restores-high",
            "kswapd, run to completion with reclaimable memory, restores the high watermark",
            "kernel-semantics §8.1, §8.2", Family.POLICY);
    }

    @Override
    public Optional<String> check(StepView v) {
        java.util.List<MmEvent> events = v.system().stepEvents();
        for (int ei = 0, en = events.size(); ei < en; ei++) {
            MmEvent e = events.get(ei);
            if (e instanceof MmEvent.KswapdRun k) {
                for (int z = 0; z <= k.classzone(); z++) {
                    MmEvent.ZoneState s = k.after().get(z);
                    if (v.allocator().zones().get(z).managedPages() == 0) {
                        continue;
                    }
                    if (s.free() <= s.high() && s.freeableNow() > 0) {
                        return Optional.of(String.format("kswapd stopped with %s free %d <= high %d while %d pages "
                                + "were still reclaimable at once (reclaimed %d)",
                            v.allocator().zones().get(z).type().kernelName(), s.free(), s.high(), s.freeableNow(),
                            k.reclaimed()));
                    }
                }
            }
        }
        return Optional.empty();
    }
}
