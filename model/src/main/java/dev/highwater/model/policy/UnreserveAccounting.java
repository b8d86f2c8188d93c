package dev.highwater.model.policy;

/** How {@code unreserve_highatomic_pageblock} accounts and returns (kernel-semantics §6.4, §6.5). */
public enum UnreserveAccounting {
    /** 4.4–4.9.0: HA −= min(block, HA) unconditionally; return after the first candidate page, moved or not. */
    V4_4,
    /**
     * 4.4.121+/4.9.y stable: only 4855e4a7f29d — decrement only if the block is still HIGHATOMIC;
     * still returns after the first candidate.
     */
    STILL_HIGHATOMIC_ONLY,
    /** 4.10–6.9 (4855e4a7f29d + 29fac03bef72): decrement only if still HIGHATOMIC; return true only if pages moved, else scan on. */
    V4_10,
    /**
     * 6.10+ (freelist migratetype hygiene): size = max(pageblock, 2^order); decrement by min(size, HA) if still
     * HIGHATOMIC; a free buddy of pageblock order or more is moved whole and every pageblock it covers is retyped.
     */
    V6_10
}
