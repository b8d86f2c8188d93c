package dev.highwater.model.mm;

import dev.highwater.model.AllocContext;
import dev.highwater.model.AllocFlags;
import dev.highwater.model.GfpFlag;
import dev.highwater.model.GfpMask;
import dev.highwater.model.MigrateType;
import dev.highwater.model.ZoneType;
import dev.highwater.model.policy.AllocFlagRules;
import dev.highwater.model.policy.CompactRetry;
import dev.highwater.model.policy.ForceUnreserve;
import dev.highwater.model.policy.KernelPolicy;
import dev.highwater.model.policy.MmRules;
import dev.highwater.model.policy.OomRules;
import dev.highwater.model.policy.ReserveRules;

/**
 * {@code __alloc_pages_slowpath} per version (kernel-semantics §7): slow-path flags, kswapd wakeups, the reserve-flag
 * attempt, direct reclaim (with the unforced unreserve and drain after progress), direct compaction, the retry model
 * of the version ({@code should_alloc_retry}, "loop while progress", or {@code should_reclaim_retry} /
 * {@code should_compact_retry}), the OOM step and its skip rules, and failure vs OOM kill vs loop (§7.5).
 */
final class SlowPath {
    private static final int COSTLY_ORDER = 3;
    private static final int MAX_RECLAIM_RETRIES = 16;
    private static final int MAX_COMPACT_RETRIES = 16;

    /** System property that turns the retry loop's fixed-point fast-forward off (for the equivalence tests). */
    static final String NO_FAST_FORWARD = "highwater.slowpath.noFastForward";

    private final MemorySystem ms;
    private final KernelPolicy p;
    private final MmRules rules;
    /**
     * Whether {@link #run} may skip the rest of a retry loop that reached a fixed point (see {@link #run}), and the
     * memory system the rest of a step's requests once one has failed and changed nothing ({@link MemorySystem}'s
     * {@code FailureRepeat}).
     */
    final boolean fastForward;
    /**
     * Whether the retry round under way has changed nothing yet that a later round reads: cleared by every action
     * that may change state (reclaim progress or writeback, compaction, an unreserve with free HIGHATOMIC pages, the
     * OOM killer).
     */
    private boolean roundQuiet;

    SlowPath(MemorySystem ms) {
        this.ms = ms;
        this.p = ms.policy;
        this.rules = p.mm();
        this.fastForward = !Boolean.getBoolean(NO_FAST_FORWARD);
    }

    /** The last request context {@link #run} was given, and the one it derived from it (contexts are immutable). */
    private AllocContext lastRequest;
    private AllocContext lastSlowContext;

    /**
     * The request's context with the slow path's GFP mask: the request's own when the mask is unchanged; a request
     * made again with the same context (the pages of one step share it) gets the context derived last time.
     */
    private AllocContext slowPathContext(AllocContext ac0, GfpMask gfp) {
        if (gfp == ac0.gfp()) {
            return ac0;
        }
        if (ac0 != lastRequest) {
            lastSlowContext = new AllocContext(gfp, ac0.order(), ac0.migratetype(), ac0.highestZone(), ac0.context(),
                ac0.cpu(), ac0.rtTask(), ac0.oomVictim());
            lastRequest = ac0;
        }
        return lastSlowContext;
    }

    private AllocContext withVictim(AllocContext ac) {
        boolean victim = ms.current != null && ms.current.oomVictim;
        if (victim == ac.oomVictim()) {
            return ac;
        }
        return new AllocContext(ac.gfp(), ac.order(), ac.migratetype(), ac.highestZone(), ac.context(), ac.cpu(),
            ac.rtTask(), victim);
    }

    private long ok(long pfn, int flags) {
        return ms.attempted(pfn, true, flags);
    }

    private long fail(AllocContext ac, int flags) {
        ms.events.add(new MmEvent.AllocFailed(ac, flags, ms.zoneStates(ac.highestZone())));
        return ms.attempted(-1, true, flags);
    }

    private boolean earlyCompaction(AllocContext ac) {
        int order = ac.order();
        return switch (rules.earlyCompaction()) {
            case NONE -> false;
            case ORDER_GT0 -> order > 0;
            case COSTLY -> order > COSTLY_ORDER;
            case COSTLY_OR_UNMOVABLE -> order > COSTLY_ORDER || (order > 0 && ac.migratetype() != MigrateType.MOVABLE);
            case COSTLY_OR_UNMOVABLE_WITH_IO -> ac.gfp().has(GfpFlag.IO)
                && (order > COSTLY_ORDER || (order > 0 && ac.migratetype() != MigrateType.MOVABLE));
        };
    }

    private boolean compactionAllowed(AllocContext ac) {
        if (!ms.compaction.available() || ac.order() == 0) {
            return false;
        }
        // 6.8+: gfp_compaction_allowed needs __GFP_IO
        return rules.earlyCompaction() != dev.highwater.model.policy.EarlyCompaction.COSTLY_OR_UNMOVABLE_WITH_IO
            || ac.gfp().has(GfpFlag.IO);
    }

    /** The slow path of one request: returns the pfn or -1, its outcome recorded with {@link MemorySystem#attempted}. */
    long run(AllocContext ac0) {
        GfpMask gfp = AllocFlagRules.slowPathGfp(p, ac0.gfp());
        AllocContext ac = withVictim(slowPathContext(ac0, gfp));
        int order = ac.order();
        boolean costly = order > COSTLY_ORDER;
        boolean canReclaim = gfp.canDirectReclaim();
        boolean nofail = gfp.has(GfpFlag.NOFAIL);
        boolean wakesKswapd = gfp.canWakeKswapd(p.gfpLayout());
        int flags = AllocFlagRules.slowPathFlags(p, ac);
        if (wakesKswapd) {
            ms.kswapd.wake(order, ac.highestZone());
        }
        long pfn = ms.getPage(ac, flags & ~AllocFlags.NO_WATERMARKS);
        if (pfn >= 0) {
            return ok(pfn, flags);
        }
        if (canReclaim && earlyCompaction(ac) && AllocFlagRules.reserveFlags(p, ac) == 0 && compactionAllowed(ac)) {
            pfn = ms.compaction.direct(ac, flags, Compaction.PRIORITY_ASYNC);
            if (pfn >= 0) {
                return ok(pfn, flags);
            }
            if (costly && gfp.has(GfpFlag.NORETRY) && ms.compaction.lastResult == Compaction.Result.SKIPPED) {
                return fail(ac, flags); // costly NORETRY: compaction skipped -> give up (§7.1 step 3)
            }
        }
        int noProgressLoops = 0;
        int compactRetries = 0;
        int compactPriority = Compaction.PRIORITY_ASYNC;
        long pagesReclaimed = 0;
        int lastFlags = flags;
        // Fixed-point fast-forward (a shortcut, not a rule: the outcome is the one the full loop gives). A round is a
        // function of the model state and the loop's locals. When a round changed no state (roundQuiet: no reclaim
        // progress, no writeback started, no compaction, no unreserve that could move a block, no OOM kill; a failed
        // get_page_from_freelist changes nothing but the boosted-zone wake flag, which it sets once) and left the
        // locals and kswapd's pending wakeup as it found them, every later round repeats it, up to the round bound:
        // the loop ends as a livelock. Only kswapd's wakeup count grows per round; it is advanced by the rounds
        // skipped. Node reclaim in getPage (zone_reclaim_mode) may reclaim, so it turns the shortcut off.
        boolean mayFastForward = fastForward && ms.allocator.tunables().zoneReclaimMode() == 0;
        int prevLoops = 0;
        int prevCompactRetries = 0;
        int prevCompactPriority = 0;
        long prevReclaimed = 0;
        int prevPendingOrder = 0;
        int prevPendingClasszone = 0;
        long prevWakeups = 0;
        for (int round = 0; ; round++) {
            if (mayFastForward && round > 0 && roundQuiet && noProgressLoops == prevLoops
                && compactRetries == prevCompactRetries && compactPriority == prevCompactPriority
                && pagesReclaimed == prevReclaimed && ms.kswapd.pendingOrder == prevPendingOrder
                && ms.kswapd.pendingClasszone == prevPendingClasszone) {
                long perRound = ms.kswapd.wakeups - prevWakeups;
                ms.kswapd.wakeups += perRound * (MemorySystem.MAX_SLOWPATH_ROUNDS - round);
                round = MemorySystem.MAX_SLOWPATH_ROUNDS;
            }
            roundQuiet = true;
            prevLoops = noProgressLoops;
            prevCompactRetries = compactRetries;
            prevCompactPriority = compactPriority;
            prevReclaimed = pagesReclaimed;
            prevPendingOrder = ms.kswapd.pendingOrder;
            prevPendingClasszone = ms.kswapd.pendingClasszone;
            prevWakeups = ms.kswapd.wakeups;
            if (round >= MemorySystem.MAX_SLOWPATH_ROUNDS) {
                boolean byDesign = nofail || (!gfp.has(GfpFlag.FS) && order <= COSTLY_ORDER);
                ms.events.add(new MmEvent.Livelock(ac, round, byDesign));
                ms.loopThisStep = true;
                return ms.attempted(-1, true, lastFlags);
            }
            if (wakesKswapd) {
                ms.kswapd.wake(order, ac.highestZone());
            }
            ac = withVictim(ac);
            int reserve = AllocFlagRules.reserveFlags(p, ac);
            int tryFlags = reserve != 0 ? reserve | (flags & AllocFlags.KSWAPD) : flags;
            lastFlags = tryFlags;
            pfn = ms.getPage(ac, tryFlags);
            if (pfn >= 0) {
                return ok(pfn, tryFlags);
            }
            if (!canReclaim) {
                return fail(ac, tryFlags); // GFP_ATOMIC / GFP_NOWAIT end here (§7.5)
            }
            // ≤4.13: a TIF_MEMDIE victim that still fails gives up (unless NOFAIL)
            boolean oldVictimRule = p.reserveRules() == ReserveRules.V2_6_32 || p.reserveRules() == ReserveRules.V4_4;
            if (oldVictimRule && ac.oomVictim() && !nofail) {
                return fail(ac, tryFlags);
            }
            // direct reclaim, then (after progress) unreserve one highatomic block, drain the per-CPU lists, retry once
            if (gfp.has(GfpFlag.FS) && ms.dirtyPages(ac.highestZone()) > 0) {
                roundQuiet = false; // reclaim may start writeback
            }
            long progress = Reclaim.shrink(ms, ac.highestZone(), MemorySystem.SWAP_CLUSTER_MAX, false,
                gfp.has(GfpFlag.FS), gfp.has(GfpFlag.IO));
            if (progress > 0) {
                roundQuiet = false;
                pfn = ms.getPage(ac, tryFlags);
                if (pfn < 0 && p.highatomicCreator() != dev.highwater.model.policy.HighatomicCreator.NEVER) {
                    ms.allocator.unreserveHighatomicPageblock(ac, false);
                    ms.allocator.drainAllPages();
                    pfn = ms.getPage(ac, tryFlags);
                } else if (pfn < 0) {
                    ms.allocator.drainAllPages();
                    pfn = ms.getPage(ac, tryFlags);
                }
                if (pfn >= 0) {
                    return ok(pfn, tryFlags);
                }
            }
            // direct compaction at the current priority
            if (compactionAllowed(ac)) {
                roundQuiet = false;
                pfn = ms.compaction.direct(ac, tryFlags, compactPriority);
                if (pfn >= 0) {
                    return ok(pfn, tryFlags);
                }
            }
            if (gfp.has(GfpFlag.NORETRY)) {
                return fail(ac, tryFlags);
            }
            if (costly && !gfp.has(GfpFlag.RETRY_MAYFAIL) && !nofail) {
                return fail(ac, tryFlags);
            }
            switch (rules.retryModel()) {
                case ALWAYS_LOW_ORDER -> {
                    // 2.6.32: OOM step when reclaim freed nothing and the request may enter the filesystem
                    if (progress == 0 && gfp.has(GfpFlag.FS) && !gfp.has(GfpFlag.NORETRY)) {
                        Oom r = mayOom(ac, tryFlags);
                        if (r.pfn >= 0) {
                            return ok(r.pfn, tryFlags);
                        }
                        if (costly && !nofail) {
                            return fail(ac, tryFlags);
                        }
                        if (ms.panicThisStep) {
                            return fail(ac, tryFlags);
                        }
                        continue;
                    }
                    // should_alloc_retry: order ≤ 3 always; REPEAT until 2^order reclaimed; NOFAIL
                    pagesReclaimed += progress;
                    boolean retry = order <= COSTLY_ORDER
                        || (gfp.has(GfpFlag.RETRY_MAYFAIL) && pagesReclaimed < (1L << order)) || nofail;
                    if (retry) {
                        continue;
                    }
                    return fail(ac, tryFlags);
                }
                case WHILE_PROGRESS -> {
                    // 4.4: retry while reclaim makes progress; no limit
                    pagesReclaimed += progress;
                    if ((progress > 0 && order <= COSTLY_ORDER)
                        || (gfp.has(GfpFlag.RETRY_MAYFAIL) && pagesReclaimed < (1L << order))) {
                        continue;
                    }
                }
                case BOUNDED -> {
                    if (progress > 0 && order <= COSTLY_ORDER) {
                        noProgressLoops = 0;
                    } else {
                        noProgressLoops++;
                    }
                    if (shouldReclaimRetry(ac, tryFlags, progress > 0, noProgressLoops)) {
                        continue;
                    }
                    if (progress > 0 && order > 0) {
                        int[] state = {compactRetries, compactPriority};
                        boolean again = shouldCompactRetry(ac, state);
                        compactRetries = state[0];
                        compactPriority = state[1];
                        if (again) {
                            continue;
                        }
                    }
                }
                default -> throw new IllegalStateException();
            }
            // the OOM step (§7.4)
            Oom r = mayOom(ac, tryFlags);
            if (r.pfn >= 0) {
                return ok(r.pfn, tryFlags);
            }
            if (ms.panicThisStep) {
                return fail(ac, tryFlags);
            }
            // 4.14+: an OOM victim that already had ALLOC_OOM (or NOMEMALLOC) fails
            AllocContext now = withVictim(ac);
            if (rules.oom().victimFailsWithReserves() && now.oomVictim()
                && ((tryFlags & AllocFlags.OOM) != 0 || gfp.has(GfpFlag.NOMEMALLOC))) {
                return fail(now, tryFlags);
            }
            if (r.progress) {
                noProgressLoops = 0;
                continue;
            }
            if (nofail) {
                continue; // __GFP_NOFAIL loops (§7.1 step 15)
            }
            return fail(ac, tryFlags);
        }
    }

    /** should_reclaim_retry (§7.2). */
    private boolean shouldReclaimRetry(AllocContext ac, int flags, boolean progress, int loops) {
        ForceUnreserve force = rules.forceUnreserve();
        boolean ret = false;
        if (loops > MAX_RECLAIM_RETRIES) {
            if (force == ForceUnreserve.NEVER) {
                return false;
            }
            if (force == ForceUnreserve.AT_RETRY_LIMIT) {
                return unreserve(ac);
            }
        } else {
            for (int z = ac.highestZone(); z >= 0 && !ret; z--) {
                if (ms.config.zones().get(z).managedPages() == 0) {
                    continue;
                }
                long reclaimable = ms.reclaimable(z);
                long available = reclaimable;
                if (rules.reclaimRetryBackoff()) {
                    available -= (loops * available + MAX_RECLAIM_RETRIES - 1) / MAX_RECLAIM_RETRIES;
                }
                available += ms.allocator.nrFreePages(z);
                long min = ms.allocator.watermarks(z).min();
                if (ms.allocator.zoneWatermarkOkWithFree(z, ac.order(), min, ac.highestZone(), flags, available)) {
                    // ≤5.x: no progress while much is under writeback: wait for the I/O and retry
                    ret = true;
                }
            }
        }
        if (!ret && force == ForceUnreserve.WHENEVER_RETRY_FAILS) {
            return unreserve(ac); // 6.8+: before OOM, exhaust the reserve
        }
        return ret;
    }

    /**
     * The forced unreserve of should_reclaim_retry. With no free page on any HIGHATOMIC list of the usable zones it
     * finds no candidate block and changes nothing; otherwise the round is not quiet.
     */
    private boolean unreserve(AllocContext ac) {
        for (int z = ac.highestZone(); z >= 0 && roundQuiet; z--) {
            if (ms.allocator.nrFreeHighatomic(z) != 0) {
                roundQuiet = false;
            }
        }
        return ms.allocator.unreserveHighatomicPageblock(ac, true);
    }

    /** should_compact_retry (§7.3); {@code state} = {retries, priority}. */
    private boolean shouldCompactRetry(AllocContext ac, int[] state) {
        int order = ac.order();
        CompactRetry c = rules.compactRetry();
        switch (c) {
            case NONE, NO_FEEDBACK -> {
                return false;
            }
            case STOPGAP -> {
                return order > 0 && order <= COSTLY_ORDER; // 4.8: loop while reclaim makes progress
            }
            default -> {
            }
        }
        if (order == 0) {
            return false;
        }
        Compaction.Result r = ms.compaction.lastResult;
        if (r == Compaction.Result.SKIPPED) {
            return zonelistSuitable(ac) || gaveUp(ac, MmEvent.CompactionGaveUp.Reason.ZONELIST_NOT_SUITABLE);
        }
        if (r == Compaction.Result.SUCCESS) {
            state[0]++;
            return state[0] <= (order > COSTLY_ORDER ? MAX_COMPACT_RETRIES / 4 : MAX_COMPACT_RETRIES)
                || gaveUp(ac, MmEvent.CompactionGaveUp.Reason.SUCCESS_RETRIES_EXHAUSTED);
        }
        int minPriority = order > COSTLY_ORDER ? Compaction.PRIORITY_SYNC_LIGHT : Compaction.PRIORITY_SYNC;
        if (state[1] > minPriority) {
            state[1]--;
            state[0] = 0;
            return true;
        }
        return gaveUp(ac, MmEvent.CompactionGaveUp.Reason.PRIORITY_EXHAUSTED);
    }

    /** Records that compaction feedback ended the retries (for the properties); returns false, "do not retry". */
    private boolean gaveUp(AllocContext ac, MmEvent.CompactionGaveUp.Reason reason) {
        ms.events.add(new MmEvent.CompactionGaveUp(ac, reason));
        return false;
    }

    /**
     * compaction_zonelist_suitable: some zone passes the compaction watermark counting reclaimable pages, divided by
     * the order (not by 2^order: §7.3, "available = reclaimable/order + free"). Called for order ≥ 1 only.
     */
    private boolean zonelistSuitable(AllocContext ac) {
        for (int z = ac.highestZone(); z >= 0; z--) {
            var w = ms.allocator.watermarks(z);
            long available = ms.reclaimable(z) / Math.max(1, ac.order()) + ms.allocator.nrFreePages(z);
            long mark = (ac.order() <= COSTLY_ORDER ? w.min() : w.low()) + Compaction.compactGap(ac.order());
            if (ms.allocator.zoneWatermarkOkWithFree(z, 0, mark, ac.highestZone(), AllocFlags.CMA, available)) {
                return true;
            }
        }
        return false;
    }

    private record Oom(long pfn, boolean progress) {
    }

    /** __alloc_pages_may_oom (§7.4). */
    private Oom mayOom(AllocContext ac, int flags) {
        GfpMask gfp = ac.gfp();
        // a last attempt at the high watermark catches memory freed by a parallel kill
        long pfn = ms.getPage(ac, AllocFlags.WMARK_HIGH | AllocFlags.CPUSET);
        if (pfn >= 0) {
            return new Oom(pfn, true);
        }
        OomRules r = rules.oom();
        boolean nofail = gfp.has(GfpFlag.NOFAIL);
        boolean bypassAll = nofail && r.nofailBypassesChecks() == OomRules.NofailBypass.ALL;
        boolean bypassOrder = nofail && r.nofailBypassesChecks() != OomRules.NofailBypass.NONE;
        if (ac.order() > COSTLY_ORDER && !bypassOrder) {
            return new Oom(-1, false);
        }
        if (!bypassAll) {
            // the request's gfp_zone (not the highest populated zone): GFP_DMA/GFP_DMA32 requests never OOM-kill
            ZoneType highest = ms.config.gfpZone(gfp);
            if (r.lowmemOnlySkips() && highest.ordinal() < ZoneType.NORMAL.ordinal()) {
                return new Oom(-1, false);
            }
            if (!gfp.has(GfpFlag.FS)) {
                // 4.4: skip the kill but report progress; 4.10+: out_of_memory returns "progress" without killing
                return new Oom(-1, r.noFsPath() == OomRules.NoFsPath.PROGRESS_WITHOUT_KILL);
            }
            if (gfp.has(GfpFlag.THISNODE)) {
                return new Oom(-1, false);
            }
            if (r.retryMayfailSkips() && gfp.has(GfpFlag.RETRY_MAYFAIL)) {
                return new Oom(-1, false);
            }
        }
        roundQuiet = false;
        boolean killed = ms.oomKiller.outOfMemory(ac);
        if (killed && nofail && p.reserveRules() != ReserveRules.V2_6_32 && p.mm().oom().nofailBypassesChecks()
            != OomRules.NofailBypass.ORDER_ONLY && p.gfpLayout() != dev.highwater.model.GfpLayout.V4_4) {
            // 4.8+: NOFAIL tries without watermarks after the kill
            pfn = ms.getPage(ac, AllocFlags.NO_WATERMARKS);
            if (pfn >= 0) {
                return new Oom(pfn, true);
            }
        }
        return new Oom(-1, killed);
    }
}
