package dev.highwater.model;

/**
 * What the allocator needs to know about one request ({@code struct alloc_context} plus the caller's state).
 *
 * @param gfp          the resolved GFP mask
 * @param order        requested order
 * @param migratetype  {@code gfp_migratetype(gfp)} (UNMOVABLE when mobility grouping is disabled)
 * @param highestZone  position (in the node's zone list) of the highest zone the request may use ({@code gfp_zone})
 * @param context      process, softirq, hardirq or kswapd
 * @param cpu          the CPU the request runs on (per-CPU lists)
 * @param rtTask       the caller is a real-time task (§3.3)
 * @param oomVictim    the caller was chosen by the OOM killer (TIF_MEMDIE / ALLOC_OOM, §3.3)
 */
public record AllocContext(GfpMask gfp, int order, MigrateType migratetype, int highestZone, Context context,
                           int cpu, boolean rtTask, boolean oomVictim) {
}
