package dev.highwater.model.mm;

import dev.highwater.model.mm.MemorySystem.FileState;
import dev.highwater.model.mm.MemorySystem.LruPage;
import java.util.Iterator;

/**
 * Page reclaim ({@code shrink_node}), simplified: the oldest clean page-cache pages go first; dirty pages are handed to
 * the flusher (they become "under writeback" and are freed only once a {@code writeback} step completes them), at
 * most one batch per call and only when the reclaimer may write (kswapd, or __GFP_FS); pages under writeback are
 * skipped; anonymous pages are swapped out, oldest first, while swap has room and the caller may do I/O. The kernel
 * interleaves the lists and balances file and anon by swappiness; the model always prefers clean file pages
 * (documented simplification).
 */
final class Reclaim {
    private Reclaim() {
    }

    /**
     * Reclaims up to {@code target} pages from zones at or below {@code maxZone}.
     *
     * @param kswapd   kswapd (may start writeback of dirty pages)
     * @param mayWrite the caller may start writeback (__GFP_FS for direct reclaim)
     * @param maySwap  the caller may swap (__GFP_IO)
     * @return pages freed
     */
    static long shrink(MemorySystem ms, int maxZone, long target, boolean kswapd, boolean mayWrite, boolean maySwap) {
        long freed = 0;
        Iterator<LruPage> it = ms.fileClean.iterator();
        while (it.hasNext() && freed < target) {
            LruPage p = it.next();
            if (p.zone > maxZone) {
                continue;
            }
            it.remove();
            ms.dropLru(p);
            freed++;
        }
        if (kswapd || mayWrite) {
            // stop once no DIRTY page of a usable zone is left (the rest of the list is under writeback already)
            long todo = Math.min(target, ms.dirtyPages(maxZone));
            long started = 0;
            for (Iterator<LruPage> di = ms.fileDirty.iterator(); started < todo && di.hasNext(); ) {
                LruPage p = di.next();
                if (p.zone <= maxZone && p.state == FileState.DIRTY) {
                    ms.dirtyDone(p);
                    p.state = FileState.WRITEBACK; // pageout: I/O started, completes at a writeback step
                    started++;
                }
            }
        }
        if (freed < target && maySwap) {
            Iterator<LruPage> ai = ms.anonLru.iterator();
            while (ai.hasNext() && freed < target && ms.swapUsed < ms.swapTotal) {
                LruPage p = ai.next();
                if (p.zone > maxZone) {
                    continue;
                }
                ai.remove();
                ms.dropLru(p);
                MemorySystem.Task t = ms.tasks.get(p.task);
                t.rss--;
                t.swapEntries++;
                ms.swapUsed++;
                freed++;
            }
        }
        if (freed > 0) {
            ms.kswapd.failures = 0; // shrink_node resets kswapd_failures whenever it reclaims (§8.2)
        }
        ms.reclaimedPages += freed;
        return freed;
    }
}
