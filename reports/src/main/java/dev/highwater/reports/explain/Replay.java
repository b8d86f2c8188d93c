package dev.highwater.reports.explain;

import dev.highwater.model.GfpFlag;

import dev.highwater.model.AllocContext;
import dev.highwater.model.AllocFlags;
import dev.highwater.model.Context;
import dev.highwater.model.GfpMask;
import dev.highwater.model.MigrateType;
import dev.highwater.model.WatermarkCheck;
import dev.highwater.model.policy.AllocFlagRules;
import dev.highwater.model.policy.ForceUnreserve;
import dev.highwater.model.policy.KernelPolicy;
import dev.highwater.model.policy.RetryModel;
import java.util.ArrayList;
import java.util.List;

/**
 * Replays one request on reconstructed zones under a preset, with the model's own rules: the fast path at the low
 * watermark (§3.2, {@link WatermarkCheck#zoneWatermarkFast}), the slow path at min with {@code gfp_to_alloc_flags}
 * (§3.3), the lists {@code rmqueue} may take from (§5.1–§5.3: own type, fallbacks, HIGHATOMIC per version, CMA for
 * movable requests, MIGRATE_RESERVE in 2.6.32), and for blocking requests {@code should_reclaim_retry} with the
 * printed reclaimable memory and the force-unreserve of the version (§6.4, §7.2). Reclaim progress itself is not
 * replayed: the report was printed after reclaim had run.
 */
final class Replay {
    private Replay() {
    }

    /** The request of a report. */
    record Request(GfpMask gfp, int order, MigrateType migratetype, Context context) {
    }

    /** One zone's verdict in one pass over the zonelist. */
    record ZoneTry(ReconstructedZone zone, boolean checkOk, long mark, long effectiveMin, long unusable,
                   long reserve, boolean listOk, List<MigrateType> lists) {
    }

    /** One pass of get_page_from_freelist. */
    record Pass(String name, int flags, List<ZoneTry> tries, boolean ok) {
    }

    /** The whole replay. */
    record Result(boolean ok, List<Pass> passes, boolean retryWouldLoop, boolean unreserved) {
        Pass last() {
            return passes.get(passes.size() - 1);
        }

        /** The slow-path pass (the one whose verdict the report shows), or the fast one for non-blocking fallbacks. */
        Pass slow() {
            for (Pass p : passes) {
                if (p.name().equals("slow")) {
                    return p;
                }
            }
            return passes.get(0);
        }
    }

    static AllocContext context(Request r) {
        return new AllocContext(r.gfp(), r.order(), r.migratetype(), 0, r.context(), 0, false, false);
    }

    /** The lists rmqueue may take this request's block from, in the order it tries them (§5.1–§5.3). */
    static List<MigrateType> usableLists(KernelPolicy p, Request r, int flags) {
        List<MigrateType> l = new ArrayList<>();
        if (AllocFlagRules.triesHighatomicFirst(p, r.order(), flags)) {
            l.add(MigrateType.HIGHATOMIC);
        }
        l.add(r.migratetype());
        for (MigrateType f : r.migratetype().fallbacks()) {
            l.add(f);
        }
        if (p.migrateReserve()) {
            l.add(MigrateType.RESERVE);
        }
        if (r.migratetype() == MigrateType.MOVABLE) {
            l.add(MigrateType.CMA);
        }
        if (AllocFlagRules.mayFallBackToHighatomic(p, flags) && !l.contains(MigrateType.HIGHATOMIC)) {
            l.add(MigrateType.HIGHATOMIC);
        }
        return List.copyOf(l);
    }

    static Pass pass(String name, KernelPolicy p, List<ReconstructedZone> zonelist, int classIdx, Request r,
                     int flags, boolean fast) {
        List<ZoneTry> tries = new ArrayList<>();
        List<MigrateType> lists = usableLists(p, r, flags);
        boolean ok = false;
        for (ReconstructedZone z : zonelist) {
            int wm = AllocFlags.wmarkIndex(flags);
            long mark = wm == 0 ? z.min : wm == 1 ? z.low : z.high;
            long reserve = z.reserveFor(classIdx);
            boolean check;
            if (!z.watermarksKnown) {
                check = true;
            } else if (fast) {
                check = WatermarkCheck.zoneWatermarkFast(p, z.counters(r.migratetype()), z.area(), z.maxOrder(),
                    r.order(), mark, reserve, flags, false, mark - z.boost);
            } else {
                check = WatermarkCheck.zoneWatermarkOk(p, z.counters(r.migratetype()), z.area(), z.maxOrder(),
                    r.order(), mark, reserve, flags, z.countedFree(r.migratetype()));
            }
            long eff = WatermarkCheck.effectiveMin(p.reserveRules(), mark, flags);
            long unusable = WatermarkCheck.unusableFree(p, z.counters(r.migratetype()), r.order(), flags)
                + z.free - z.countedFree(r.migratetype());
            boolean listOk = false;
            for (MigrateType t : lists) {
                if (z.hasBlock(r.order(), t)) {
                    listOk = true;
                    break;
                }
            }
            tries.add(new ZoneTry(z, check, mark, eff, unusable, reserve, listOk, lists));
            if (check && listOk) {
                ok = true;
                break;
            }
        }
        return new Pass(name, flags, List.copyOf(tries), ok);
    }

    /** Reclaimable pages as should_reclaim_retry counts them (§7.2): file LRU, plus anon if swap is left. */
    static long reclaimable(long filePages, long anonPages, long freeSwapPages) {
        return filePages + (freeSwapPages > 0 ? Math.min(anonPages, freeSwapPages) : 0);
    }

    static Result run(KernelPolicy p, List<ReconstructedZone> original, int classIdx, Request r, long reclaimable) {
        List<ReconstructedZone> zones = new ArrayList<>();
        for (ReconstructedZone z : original) {
            zones.add(z.copy());
        }
        List<Pass> passes = new ArrayList<>();
        int fastFlags = AllocFlagRules.fastPathFlags(p, r.gfp());
        Pass fast = pass("fast", p, zones, classIdx, r, fastFlags, true);
        passes.add(fast);
        if (fast.ok()) {
            return new Result(true, passes, false, false);
        }
        Request sr = new Request(AllocFlagRules.slowPathGfp(p, r.gfp()), r.order(), r.migratetype(), r.context());
        int slowFlags = AllocFlagRules.slowPathFlags(p, context(sr));
        Pass slow = pass("slow", p, zones, classIdx, sr, slowFlags, true);
        passes.add(slow);
        if (slow.ok() || !sr.gfp().canDirectReclaim()) {
            return new Result(slow.ok(), passes, false, false);
        }
        // a costly order (> 3) without __GFP_REPEAT/__GFP_RETRY_MAYFAIL (or NOFAIL) fails after reclaim and
        // compaction, before should_reclaim_retry and the unreserve it leads to (§7.1, 4.7+ step 8; 4.4 step 7)
        if (sr.order() > 3 && !sr.gfp().has(GfpFlag.RETRY_MAYFAIL) && !sr.gfp().has(GfpFlag.NOFAIL)) {
            return new Result(false, passes, false, false);
        }
        // should_reclaim_retry (4.7+): can any zone reach min with its reclaimable pages?
        boolean wouldRetry = false;
        if (p.mm().retryModel() == RetryModel.BOUNDED) {
            for (ReconstructedZone z : zones) {
                if (WatermarkCheck.zoneWatermarkOk(p, z.counters(sr.migratetype()), z.area(), z.maxOrder(), sr.order(),
                    z.min, z.reserveFor(classIdx), slowFlags, z.countedFree(sr.migratetype()) + reclaimable)) {
                    wouldRetry = true;
                }
            }
        }
        ForceUnreserve fu = p.mm().forceUnreserve();
        boolean unreserve = (fu == ForceUnreserve.WHENEVER_RETRY_FAILS)
            || (fu == ForceUnreserve.AT_RETRY_LIMIT && wouldRetry);
        boolean anyHa = zones.stream().anyMatch(z -> z.freeOfType(MigrateType.HIGHATOMIC) > 0 || z.reservedHa > 0);
        if (unreserve && anyHa) {
            for (ReconstructedZone z : zones) {
                // unreserve_highatomic_pageblock(force): the blocks go to the request's type and leave the reserve
                z.retype(MigrateType.HIGHATOMIC, sr.migratetype());
                z.reservedHa = 0;
            }
            Pass after = pass("after-unreserve", p, zones, classIdx, sr, slowFlags, true);
            passes.add(after);
            return new Result(after.ok(), passes, wouldRetry, true);
        }
        return new Result(false, passes, wouldRetry, false);
    }
}
