package dev.highwater.properties.policy;

import dev.highwater.model.mm.MmEvent;
import dev.highwater.model.policy.KswapdBalance;
import dev.highwater.properties.BaseProperty;
import dev.highwater.properties.StepView;
import java.util.List;
import java.util.Optional;

/**
 * kswapd, run to completion, leaves the node balanced by its version's own definition (§8.2), unless the zones it had
 * to balance have nothing left that reclaim can free at once:
 * <ul>
 *   <li>4.12+ ({@code pgdat_balanced}): <em>any</em> managed zone up to the class zone above its high watermark;</li>
 *   <li>4.8–4.11 ({@code prepare_kswapd_sleep}): every managed zone up to the class zone above high;</li>
 *   <li>4.4 and 2.6.32: for an order-0 wakeup every populated zone up to the class zone above high; for a higher order,
 *       the zones above high, with those that have nothing reclaimable, hold at least a quarter of the node's pages up
 *       to the class zone.</li>
 * </ul>
 * A zone counts as balanced when its free pages exceed high; the order-k part of the kernel's test (a free block of
 * the order) and 5.0's boost are left out, so this errs toward "balanced": it flags kswapd stopping while some zone it
 * had to fill is short of high and still holds pages it could drop at once. Before 2026-12-07 every version was held to
 * the every-zone rule, and every fuzz run flagged 4.12+'s designed any-zone stop (e.g. DMA at high 30 with DMA32 above
 * its own high) under each preset from 6.1 on; corpus/hand/kswapd-any-zone-balanced-*.trace keep two of them.
 */
public final class KswapdRestoresHigh extends BaseProperty {
    public KswapdRestoresHigh() {
        super("kswapd-restores-high",
            "kswapd, run to completion with reclaimable memory, leaves the node balanced by its version's rule",
            "kernel-semantics §8.1, §8.2", Family.POLICY);
    }

    @Override
    public Optional<String> check(StepView v) {
        List<MmEvent> events = v.system().stepEvents();
        KswapdBalance rule = v.system().policy().mm().kswapdBalance();
        for (int ei = 0, en = events.size(); ei < en; ei++) {
            if (!(events.get(ei) instanceof MmEvent.KswapdRun k)) {
                continue;
            }
            int shortZone = -1;
            boolean anyAbove = false;
            long balancedPages = 0;
            long pagesAll = 0;
            for (int z = 0; z <= k.classzone(); z++) {
                long managed = v.allocator().zones().get(z).managedPages();
                if (managed == 0) {
                    continue;
                }
                MmEvent.ZoneState s = k.after().get(z);
                pagesAll += managed;
                if (s.free() > s.high()) {
                    anyAbove = true;
                    balancedPages += managed;
                } else {
                    if (s.reclaimable() == 0) {
                        balancedPages += managed; // ≤4.4: a zone reclaim cannot help counts as balanced
                    }
                    if (s.freeableNow() > 0 && shortZone < 0) {
                        shortZone = z;
                    }
                }
            }
            if (shortZone < 0) {
                continue; // every zone above high, or the ones below have nothing reclaimable at once
            }
            boolean balanced = switch (rule) {
                case ANY_ZONE -> anyAbove;
                case ALL_ZONES -> false;
                case ALL_ZONES_OR_QUARTER -> k.order() > 0 && balancedPages * 4 >= pagesAll;
            };
            if (!balanced) {
                MmEvent.ZoneState s = k.after().get(shortZone);
                return Optional.of(String.format("kswapd stopped with %s free %d <= high %d while %d pages were still"
                        + " reclaimable at once (reclaimed %d; %s)", v.allocator().zones().get(shortZone).type()
                        .kernelName(), s.free(), s.high(), s.freeableNow(), k.reclaimed(), switch (rule) {
                            case ANY_ZONE -> "no zone up to the class zone above high";
                            case ALL_ZONES -> "every zone up to the class zone must pass high";
                            case ALL_ZONES_OR_QUARTER -> k.order() == 0 ? "order 0: every zone must pass high"
                                : "zones above high hold under a quarter of the node";
                        }));
            }
        }
        return Optional.empty();
    }
}
