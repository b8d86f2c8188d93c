package dev.highwater.model.policy;

/** The highatomic reserve limit (kernel-semantics §6.2). */
public enum HighatomicCap {
    /** 4.4–6.7: reserve while {@code HA < managed/100 + pageblock_nr_pages}. */
    ONE_PERCENT_PLUS_BLOCK,
    /** 6.8+: {@code roundup(managed/100, pageblock_nr_pages)}, no reserve at all when 1 % is less than a block. */
    ROUNDUP_ONE_PERCENT
}
