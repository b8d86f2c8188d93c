package dev.highwater.model.policy;

/** Merge restrictions at order ≥ pageblock_order (kernel-semantics §4.3 step 3). */
public enum MergeGuard {
    /** 2.6.32. */
    NONE,
    /** 4.4–5.17: ISOLATE blocks do not merge with others. */
    ISOLATE,
    /** 5.18+ (1dd214b8f21c): blocks of different types do not merge if either is not U/M/E. */
    NON_MERGEABLE
}
