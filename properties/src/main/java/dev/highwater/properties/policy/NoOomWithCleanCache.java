package dev.highwater.properties.policy;

import dev.highwater.model.mm.MemorySystem;
import dev.highwater.model.mm.MmEvent;
import dev.highwater.properties.BaseProperty;
import dev.highwater.properties.StepView;
import java.util.Optional;

/**
 * No OOM kill while the zones the request may use hold at least one reclaim batch (SWAP_CLUSTER_MAX) of clean page
 * cache, pages that can be dropped without I/O (§8.2), <em>and</em> dropping it would make the request possible: some
 * usable zone's free pages plus its clean cache, less the request's own pages beyond the first, exceed its min
 * watermark plus lowmem_reserve. This is §7.2's own test (should_reclaim_retry retries while free + reclaimable passes
 * the min watermark of a zone), with the HIGHATOMIC share not subtracted: an OOM that only that subtraction explains
 * is still flagged here, as no-oom-above-min flags it. When even all of the clean cache could not lift a zone above
 * min, an OOM kill is what the kernel is meant to do (e.g. 1,024 pages, min 256, free 147 and 53 clean pages).
 *
 * <p>For a request above order 0 the count is not enough: §7.2's watermark test is the order-k one (§2.1), which needs
 * a free block of the request's order, and reclaim frees pages wherever the LRU had them. From 4.9 the kernel leaves
 * orders 1-3 to compaction's feedback (§7.3): once direct compaction has run at its highest (sync) priority and found
 * no block, the OOM is the designed outcome, even with page cache left, since compaction's scanners can meet before
 * reaching it (fuzz input c1ae6352: 1,024 pages, every order-3 block holding a pinned or dirty page, free 102 and
 * clean 32, an order-3 GFP_KERNEL OOM under every 4.9+ preset). So an order-k OOM counts when, besides the count,
 * either dropping the clean cache would itself leave an aligned order-k block of free and clean pages
 * ({@link MmEvent.OomKill#cleanReclaimBlocks}), or no sync-priority compaction for the order came first in the step
 * (4.7's premature-order2-oom: one async compaction, then the OOM kill).
 */
public final class NoOomWithCleanCache extends BaseProperty {
    public NoOomWithCleanCache() {
        super("no-oom-with-clean-cache",
            "no OOM kill while reclaiming the clean page cache of a usable zone would lift it above min + lowmem_reserve",
            "kernel-semantics §7.2 (should_reclaim_retry counts reclaimable pages), §8.2, §9", Family.POLICY);
    }

    @Override
    public Optional<String> check(StepView v) {
        java.util.List<MmEvent> events = v.system().stepEvents();
        boolean syncCompactionFailed = false;
        for (int ei = 0, en = events.size(); ei < en; ei++) {
            MmEvent e = events.get(ei);
            if (e instanceof MmEvent.Compacted c && c.priority() == 0 && !c.result().equals("SUCCESS")) {
                syncCompactionFailed = true;
            }
            if (e instanceof MmEvent.OomKill k) {
                long clean = 0;
                for (int z = 0; z <= k.ac().highestZone(); z++) {
                    clean += k.zones().get(z).cleanFile();
                }
                if (clean < MemorySystem.SWAP_CLUSTER_MAX) {
                    continue;
                }
                // §2.1 step 1: the request's own pages beyond the first do not count
                long ownPages = (1L << k.ac().order()) - 1;
                for (int z = k.ac().highestZone(); z >= 0; z--) {
                    MmEvent.ZoneState s = k.zones().get(z);
                    long afterReclaim = s.free() + s.cleanFile() - ownPages;
                    boolean requestPossible = k.ac().order() == 0 || !syncCompactionFailed
                        || k.cleanReclaimBlocks().get(z);
                    if (afterReclaim > s.min() + s.lowmemReserve() && requestPossible) {
                        return Optional.of("OOM kill of task " + k.victim() + " with " + clean
                            + " clean page-cache pages reclaimable in the usable zones ("
                            + v.allocator().zones().get(z).type().kernelName() + ": free " + s.free() + " + clean "
                            + s.cleanFile() + " > min " + s.min() + " + lowmem_reserve " + s.lowmemReserve() + ")");
                    }
                }
            }
        }
        return Optional.empty();
    }
}
