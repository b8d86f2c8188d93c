package dev.highwater.model.policy;

/** When the slow path force-unreserves highatomic blocks before OOM (kernel-semantics §6.4, §7.2). */
public enum ForceUnreserve {
    /** ≤4.9: never (only the unforced unreserve after reclaim progress). */
    NEVER,
    /** 4.10–6.7 (04c8716f7b00): once no_progress_loops exceeds 16. */
    AT_RETRY_LIMIT,
    /** 6.8+ (Charan Teja Kalla, "unreserve highatomic page blocks before oom"): whenever should_reclaim_retry would return false. */
    WHENEVER_RETRY_FAILS
}
