package dev.highwater.model.mm;

import dev.highwater.model.AllocContext;
import java.util.List;

/**
 * Something the memory system did during a step that a policy property judges: the state is captured at the moment
 * of the decision (an OOM kill frees memory, so the state after the step would hide why it happened).
 */
public sealed interface MmEvent {

    /**
     * A zone as it was at a decision.
     *
     * @param zone          zone position
     * @param free          NR_FREE_PAGES
     * @param min           min watermark (with boost)
     * @param high          high watermark (with boost)
     * @param lowmemReserve lowmem_reserve[] entry for the request's class zone
     * @param freeHighatomic free pages on HIGHATOMIC lists
     * @param reservedHighatomic nr_reserved_highatomic
     * @param cleanFile     clean page-cache pages (reclaimable without I/O)
     * @param reclaimable   LRU pages reclaim may take (file, plus anon when swap has room)
     * @param freeableNow   pages reclaim could free at once: clean file pages, plus anon while swap has room
     * @param largestUsableOrder largest order with a free block on a U/M/E (or 2.6.32 RESERVE) list, or -1
     * @param largestFreeOrder   largest order with a free block on any list, or -1
     */
    record ZoneState(int zone, long free, long min, long high, long lowmemReserve, long freeHighatomic,
                     long reservedHighatomic, long cleanFile, long reclaimable, long freeableNow,
                     int largestUsableOrder, int largestFreeOrder) {
    }

    /** An allocation that failed (after the whole slow path), with the flags of its last freelist attempt. */
    record AllocFailed(AllocContext ac, int allocFlags, List<ZoneState> zones) implements MmEvent {
    }

    /** The OOM killer chose a victim; {@code zones} is the state when out_of_memory was called. */
    record OomKill(AllocContext ac, int victim, long victimPages, List<ZoneState> zones) implements MmEvent {
    }

    /** out_of_memory found no killable task ("Out of memory and no killable processes"). */
    record OomPanic(AllocContext ac, List<ZoneState> zones) implements MmEvent {
    }

    /** The slow path hit the model's bound on retries without succeeding or failing. */
    record Livelock(AllocContext ac, int rounds, boolean byDesign) implements MmEvent {
    }

    /**
     * 4.9+'s compaction feedback (should_compact_retry, §7.3) ended the request's retries: compaction was withdrawn
     * (skipped for lack of free pages) and {@code compaction_zonelist_suitable} judged that reclaim would not make it
     * suitable, or it ran at its highest priority and found no block, or a successful compaction kept racing. What
     * follows (the OOM step) is the designed end for orders 1-3. Not emitted by 4.7 (no feedback) or 4.8's stop-gap.
     *
     * @param reason which of should_compact_retry's ends it was
     */
    record CompactionGaveUp(AllocContext ac, Reason reason) implements MmEvent {
        /** Why compaction feedback stopped retrying (§7.3). */
        public enum Reason {
            /** Compaction was skipped and compaction_zonelist_suitable found reclaim would not make it suitable. */
            ZONELIST_NOT_SUITABLE,
            /** Compaction ran at its highest priority for the order and did not succeed. */
            PRIORITY_EXHAUSTED,
            /** Compaction succeeded, but the allocation kept losing the pages: MAX_COMPACT_RETRIES spent. */
            SUCCESS_RETRIES_EXHAUSTED
        }
    }

    /**
     * kswapd ran: the order and class zone it balanced for, the state before and after, and what it reclaimed.
     */
    record KswapdRun(int order, int classzone, List<ZoneState> before, List<ZoneState> after, long reclaimed,
                     boolean balanced) implements MmEvent {
    }

    /**
     * Compaction ran on a zone.
     *
     * @param priority the compact priority: 0 sync (the highest), 1 sync-light, 2 async (§7.3)
     */
    record Compacted(int zone, int order, long migrated, String result, int priority) implements MmEvent {
        /** Compaction ran at its highest priority and made no block: 4.9+'s compaction feedback gives up here (§7.3). */
        public boolean syncFailed() {
            return priority == Compaction.PRIORITY_SYNC && !result.equals(Compaction.Result.SUCCESS.name());
        }
    }
}
