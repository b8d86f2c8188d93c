package dev.highwater.model.policy;

/** {@code should_compact_retry} per version (kernel-semantics §7.3). */
public enum CompactRetry {
    /** No such function (2.6.32, 4.4): the retry model decides alone. */
    NONE,
    /** 4.7 as modelled: compaction feedback absent, a failed compaction never earns a retry (the premature order-2 OOM). */
    NO_FEEDBACK,
    /** 4.8 stop-gap: true for 0 &lt; order ≤ 3 whenever reclaim made progress. */
    STOPGAP,
    /** 4.9+: compaction feedback: withdrawn → retry if the zonelist is suitable; success-but-raced ≤ 16; raise priority. */
    FEEDBACK
}
