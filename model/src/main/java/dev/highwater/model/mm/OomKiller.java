package dev.highwater.model.mm;

import dev.highwater.model.AllocContext;
import dev.highwater.model.mm.MemorySystem.Task;
import dev.highwater.model.policy.ReserveRules;

/**
 * The OOM killer (kernel-semantics §9): score every live task, kill the highest, free its anonymous memory and swap at
 * once (exit or the OOM reaper), and mark it an OOM victim. Ties go to the earlier or the later task by version.
 */
final class OomKiller {
    private final MemorySystem ms;

    OomKiller(MemorySystem ms) {
        this.ms = ms;
    }

    /**
     * {@code oom_badness} (§9.1): rss + swap entries (page tables are not modelled), plus oom_score_adj ×
     * totalpages/1000; {@code Long.MIN_VALUE} for unkillable tasks. 2.6.32 scales by its oom_adj instead
     * (oom_score_adj × 17 / 1000; -17 disables; shifts left for positive, right for negative).
     */
    long badness(Task t, long totalPages) {
        if (t.dead || t.spec.oomScoreAdj() == -1000) {
            return Long.MIN_VALUE;
        }
        long points = t.rss + t.swapEntries;
        if (ms.policy.reserveRules() == ReserveRules.V2_6_32) {
            int oomAdj = t.spec.oomScoreAdj() * 17 / 1000;
            if (oomAdj > 0) {
                points <<= oomAdj;
            } else if (oomAdj < 0) {
                points >>= -oomAdj;
            }
            return Math.max(points, 1);
        }
        points += (long) t.spec.oomScoreAdj() * (totalPages / 1000);
        return Math.max(points, 1); // eligible tasks score at least 1 (≤5.8; later kernels allow ≤ 0, same order)
    }

    /** out_of_memory: returns true when a victim was killed. */
    boolean outOfMemory(AllocContext ac) {
        // A victim killed in this step is still exiting (the OOM reaper has not yet marked it MMF_OOM_SKIP):
        // oom_evaluate_task aborts the selection while such a victim exists, and out_of_memory reports progress
        // without a second kill (§9). The model frees the victim's memory at once, so without this the allocating
        // victim's retry would kill one task after another.
        if (ms.current != null && ms.current.oomVictim && ms.killedThisStep.contains(ms.current.spec.id())) {
            return true;
        }
        long totalPages = ms.config.totalManagedPages() + ms.swapTotal;
        Task chosen = null;
        long best = Long.MIN_VALUE;
        boolean laterWins = ms.policy.mm().oom().laterWinsTies();
        for (Task t : ms.tasks.values()) {
            long score = badness(t, totalPages);
            if (score == Long.MIN_VALUE) {
                continue;
            }
            if (chosen == null || score > best || (score == best && laterWins)) {
                chosen = t;
                best = score;
            }
        }
        var zones = ms.zoneStates(ac.highestZone());
        if (chosen == null) {
            ms.events.add(new MmEvent.OomPanic(ac, zones));
            ms.panicThisStep = true;
            return false;
        }
        long pages = chosen.rss + chosen.swapEntries;
        ms.events.add(new MmEvent.OomKill(ac, chosen.spec.id(), pages, zones));
        ms.killedThisStep.add(chosen.spec.id());
        ms.oomKills++;
        ms.releaseTask(chosen);
        chosen.dead = true;
        chosen.oomVictim = true;
        return true;
    }
}
