package dev.highwater.model.policy;

/** Which successful allocations try to reserve a highatomic pageblock (kernel-semantics §6.1, §3.3). */
public enum HighatomicCreator {
    /** 2.6.32: MIGRATE_RESERVE, no on-demand reservation. */
    NEVER,
    /** 4.4–6.2 (0aaa29a56e4f): order > 0 and ALLOC_HARDER (GFP_ATOMIC, or a blocking RT task). */
    HARDER_HIGH_ORDER,
    /** 6.3+ and late 6.1.y: ALLOC_HIGHATOMIC = non-blocking and order > 0. */
    NON_BLOCK_HIGH_ORDER,
    /** 6.18+ (6a204d4b14c9): ALLOC_HIGHATOMIC additionally needs __GFP_HIGH (MIN_RESERVE). */
    NON_BLOCK_HIGH_ORDER_WITH_HIGH
}
