package dev.highwater.model.policy;

/** How the fallback path steals and claims pageblocks (kernel-semantics §5.2, §5.4, §4.4). */
public enum StealRule {
    /** 2.6.32: steal if found order ≥ pageblock_order/2 or RECLAIMABLE requester; remainder to requester only then. */
    V2_6_32,
    /** 4.4–4.10: whole-block predicate → move free pages, retype at ≥ half; split the found block onto the requester's list. */
    V4_4,
    /**
     * 4.11–6.9: MOVABLE requesters that cannot claim take the smallest fallback block; all free pages of the block
     * move to the requester when the predicate holds; then {@code __rmqueue_smallest} is retried.
     */
    V4_11
}
