package dev.highwater.model.policy;

/** What the watermark check subtracts for callers without reserve access (kernel-semantics §2.1 step 3). */
public enum HighatomicSubtraction {
    /** 2.6.32: no highatomic reserve exists. */
    NONE,
    /** 4.4–6.11: the whole reservation {@code nr_reserved_highatomic}, free or not (an over-estimate). */
    RESERVED,
    /** 6.12+ (c928807f6f6b "keep track of free highatomic"): only the free pages on HIGHATOMIC lists. */
    FREE_HIGHATOMIC
}
