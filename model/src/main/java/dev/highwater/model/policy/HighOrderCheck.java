package dev.highwater.model.policy;

/** The "a suitable block exists" part of the watermark check for order > 0 (kernel-semantics §2.1). */
public enum HighOrderCheck {
    /** 2.6.32 up to 4.3: the minimum halves per order while the free count drops by the smaller blocks. */
    SHRINKING_MIN,
    /**
     * 4.4 (97a16fc82a7c) to 4.14.0: order-0 watermark, then for harder callers any non-empty list at
     * order ≥ o counts (the false positive fixed by b050e3769c6b in 4.15); others need U/M/E (+CMA).
     */
    ANY_LIST_IF_HARDER,
    /** 4.15+ (b050e3769c6b): U/M/E, CMA with ALLOC_CMA, HIGHATOMIC only for harder/HIGHATOMIC/OOM callers. */
    TYPED_LISTS
}
