package dev.highwater.model.policy;

/** The slow path's retry model (kernel-semantics §7.1, §7.2, §7.3, §13 "retry model"). */
public enum RetryModel {
    /** 2.6.32: order ≤ 3 retries always (should_alloc_retry); OOM step when reclaim freed nothing and __GFP_FS. */
    ALWAYS_LOW_ORDER,
    /** 4.4: retry while reclaim makes progress (order ≤ 3, or REPEAT until 2^order reclaimed); no limit. */
    WHILE_PROGRESS,
    /** 4.7+ (OOM detection rework): should_reclaim_retry, 16 no-progress rounds, then should_compact_retry. */
    BOUNDED
}
