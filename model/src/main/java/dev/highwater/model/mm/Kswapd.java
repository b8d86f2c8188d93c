package dev.highwater.model.mm;

import dev.highwater.model.PageAllocator;
import dev.highwater.model.policy.KswapdBalance;
import java.util.List;

/**
 * kswapd (kernel-semantics §8.1, §8.2): woken by the slow path with an order and class zone, it runs when a trace
 * step says so and reclaims in SWAP_CLUSTER_MAX batches until the node is balanced by the version's rule or reclaim
 * makes no progress. Once it has reclaimed compact_gap(order) = 2·2^order pages it continues at order 0 and leaves the
 * rest to kcompactd. A pass that reclaims nothing counts a failure; at 16 the node is hopeless (4.12+, 4.9.y).
 */
final class Kswapd {
    static final int MAX_RECLAIM_FAILURES = 16;
    private static final int MAX_BATCHES = 1 << 16;

    private final MemorySystem ms;
    int pendingOrder = -1;
    int pendingClasszone = -1;
    int failures;
    /** The order kcompactd was woken for, or -1. */
    int kcompactdOrder = -1;
    long wakeups;

    Kswapd(MemorySystem ms) {
        this.ms = ms;
    }

    /** {@code wakeup_kswapd} (§8.1). */
    void wake(int order, int classzone) {
        KswapdBalance rule = ms.policy.mm().kswapdBalance();
        if (ms.policy.mm().kswapdHopeless() && failures >= MAX_RECLAIM_FAILURES) {
            return; // hopeless node: no wakeup
        }
        boolean skip = switch (rule) {
            // 4.4: the class zone is balanced at the order
            case ALL_ZONES_OR_QUARTER -> zoneBalanced(classzone, order, classzone);
            // 4.8–4.11: any managed zone up to the class zone passes; 4.12+: pgdat_balanced (any zone) and not boosted
            case ALL_ZONES -> anyZoneBalanced(order, classzone);
            case ANY_ZONE -> anyZoneBalanced(order, classzone) && !boosted(classzone);
        };
        if (skip) {
            return;
        }
        pendingOrder = Math.max(pendingOrder, order);
        pendingClasszone = Math.max(pendingClasszone, classzone);
        wakeups++;
    }

    private boolean boosted(int classzone) {
        for (int z = 0; z <= classzone; z++) {
            if (ms.allocator.watermarkBoost(z) > 0) {
                return true;
            }
        }
        return false;
    }

    boolean zoneBalanced(int z, int order, int classzone) {
        PageAllocator a = ms.allocator;
        if (a.zones().get(z).managedPages() == 0) {
            return false;
        }
        // zone_watermark_ok_safe(high) with flags 0: HA (HAfree 6.12+) is subtracted (§2.3)
        return a.zoneWatermarkOk(z, order, a.watermarks(z).high(), classzone, 0);
    }

    private boolean anyZoneBalanced(int order, int classzone) {
        for (int z = 0; z <= classzone; z++) {
            if (zoneBalanced(z, order, classzone)) {
                return true;
            }
        }
        return false;
    }

    /** pgdat_balanced / prepare_kswapd_sleep per version (§8.2). */
    boolean balanced(int order, int classzone) {
        PageAllocator a = ms.allocator;
        switch (ms.policy.mm().kswapdBalance()) {
            case ANY_ZONE -> {
                return anyZoneBalanced(order, classzone);
            }
            case ALL_ZONES -> {
                for (int z = 0; z <= classzone; z++) {
                    if (a.zones().get(z).managedPages() > 0 && !zoneBalanced(z, order, classzone)) {
                        return false;
                    }
                }
                return true;
            }
            default -> {
                // 4.4: order 0: every populated zone (unreclaimable ones count as balanced); order > 0: zones holding
                // at least 25 % of the node's managed pages are balanced
                long total = 0;
                long balancedPages = 0;
                boolean all = true;
                for (int z = 0; z <= classzone; z++) {
                    long managed = a.zones().get(z).managedPages();
                    if (managed == 0) {
                        continue;
                    }
                    total += managed;
                    boolean ok = zoneBalanced(z, order, classzone) || ms.reclaimable(z) == 0;
                    if (ok) {
                        balancedPages += managed;
                    } else {
                        all = false;
                    }
                }
                return order == 0 ? all : balancedPages * 4 >= total;
            }
        }
    }

    /** Runs kswapd if it was woken. Returns false when it was asleep. */
    boolean run() {
        if (pendingOrder < 0) {
            return false;
        }
        int order = pendingOrder;
        int classzone = pendingClasszone;
        int wokenOrder = order;
        pendingOrder = -1;
        pendingClasszone = -1;
        ms.kswapdRuns++;
        List<MmEvent.ZoneState> before = ms.zoneStates(classzone);
        long reclaimed = 0;
        boolean balanced = balanced(order, classzone);
        for (int i = 0; i < MAX_BATCHES && !balanced; i++) {
            long r = Reclaim.shrink(ms, classzone, MemorySystem.SWAP_CLUSTER_MAX, true, true, true);
            if (r == 0) {
                break;
            }
            reclaimed += r;
            if (order > 0 && reclaimed >= (2L << order)) {
                order = 0; // compact_gap reached: balance for order 0, kcompactd does the rest (§8.2)
            }
            balanced = balanced(order, classzone);
        }
        if (reclaimed == 0) {
            failures++;
        }
        if (ms.policy.watermarkBoost()) {
            for (int z = 0; z <= classzone; z++) {
                ms.allocator.clearWatermarkBoost(z); // §1.5: the boost present at entry is removed on exit
            }
        }
        if (wokenOrder > 0) {
            if (ms.policy.mm().kcompactd()) {
                kcompactdOrder = Math.max(kcompactdOrder, wokenOrder); // woken before kswapd sleeps
            } else {
                ms.compaction.kcompactd(wokenOrder); // 4.4: kswapd compacts itself
            }
        }
        ms.events.add(new MmEvent.KswapdRun(wokenOrder, classzone, before, ms.zoneStates(classzone), reclaimed,
            balanced));
        return true;
    }
}
