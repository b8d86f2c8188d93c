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
 * <p>For a request above order 0 the count is not the kernel's whole test: §7.2's watermark check is the order-k one
 * (§2.1), which also needs a free block of the request's order, and reclaim frees pages wherever the LRU had them.
 * From 4.9 the kernel leaves orders 1-3 to compaction's feedback (§7.3): once direct compaction has run at its
 * highest (sync) priority and found no block, the OOM kill is the designed outcome, with page cache left or not. So an
 * order-k OOM counts only when no sync-priority compaction for the order failed earlier in the step: 4.7's
 * premature-order2-oom (one async compaction, then the kill) and any path that gives up sooner. Two fuzz findings
 * show what the exception admits, both regression traces now: an order-3 request on 1,024 pages where every order-3
 * block holds a pinned or dirty page (corpus/hand/order3-oom-after-sync-compaction.trace), and an order-1 request
 * killed with 67 clean pages left that one more reclaim round would have freed next to each other (the rounds took the
 * older, interleaved ones; corpus/hand/order1-oom-after-sync-compaction.trace). The kernel does not reclaim for
 * contiguity; compaction's scanners met before reaching those pages. Feedback also ends the retries without running
 * compaction at all: when compaction is skipped for lack of free pages and compaction_zonelist_suitable finds that even
 * reclaimable/order + free pages would not pass min + compact_gap (the kernel's "do not thrash for one high-order
 * request"), the OOM step follows by design; the model records that verdict ({@code MmEvent.CompactionGaveUp}), and an
 * OOM kill right after it does not count either. A CI fuzz smoke found that case under mainline (6.1 on): an order-3
 * request, free 77 under a boosted min of 112 with 154 clean pages, all free pages order 0
 * (corpus/hand/order3-oom-compaction-not-suitable.trace).
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
            if (e instanceof MmEvent.Compacted c && c.syncFailed()) {
                syncCompactionFailed = true;
            }
            if (e instanceof MmEvent.OomKill k) {
                // compaction feedback ended this request's retries just before its OOM step: the designed end
                boolean feedbackGaveUp = ei > 0 && events.get(ei - 1) instanceof MmEvent.CompactionGaveUp g
                    && g.ac().order() == k.ac().order();
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
                    if (afterReclaim > s.min() + s.lowmemReserve()
                        && (k.ac().order() == 0 || !(syncCompactionFailed || feedbackGaveUp))) {
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
