package dev.highwater.model.policy;

/**
 * The memory system's switches: slow path, reclaim, kswapd, compaction and OOM (kernel-semantics §7–§9, §13).
 *
 * @param retryModel          §7.1/§7.2 retry model
 * @param reclaimRetryBackoff 4.7–4.11: should_reclaim_retry subtracts ceil(loops × reclaimable / 16) (absent 4.12)
 * @param forceUnreserve      §6.4/§7.2 force-unreserve before OOM (04c8716f7b00; 6.8)
 * @param compactRetry        §7.3 should_compact_retry
 * @param earlyCompaction     §7.1 step 3
 * @param congestionRetry     ≤5.x: should_reclaim_retry waits for writeback when 2 × write_pending &gt; reclaimable; it
 *                            returns true either way, so the model records the switch without acting on it
 * @param kswapdBalance       §8.2 balanced rule
 * @param kswapdHopeless      4.12+ (and 4.9.y): 16 failed kswapd passes make the node hopeless: no more wakeups
 * @param kcompactd           4.6+: kswapd wakes kcompactd; before, kswapd compacts itself (§8.2)
 * @param oom                 §7.4/§9 OOM rules
 */
public record MmRules(RetryModel retryModel, boolean reclaimRetryBackoff, ForceUnreserve forceUnreserve,
                      CompactRetry compactRetry, EarlyCompaction earlyCompaction, boolean congestionRetry,
                      KswapdBalance kswapdBalance, boolean kswapdHopeless, boolean kcompactd, OomRules oom) {


    public MmRules withForceUnreserve(ForceUnreserve f) {
        return new MmRules(retryModel, reclaimRetryBackoff, f, compactRetry, earlyCompaction, congestionRetry,
            kswapdBalance, kswapdHopeless, kcompactd, oom);
    }

    public MmRules withCompactRetry(CompactRetry c) {
        return new MmRules(retryModel, reclaimRetryBackoff, forceUnreserve, c, earlyCompaction, congestionRetry,
            kswapdBalance, kswapdHopeless, kcompactd, oom);
    }

    public MmRules withEarlyCompaction(EarlyCompaction e) {
        return new MmRules(retryModel, reclaimRetryBackoff, forceUnreserve, compactRetry, e, congestionRetry,
            kswapdBalance, kswapdHopeless, kcompactd, oom);
    }




}
