package dev.highwater.model.policy;

/**
 * The OOM step's skip rules and the OOM killer's choices (kernel-semantics §7.4, §9).
 *
 * @param nofailBypassesChecks 2.6.32: only the order check; 4.4–4.10: all checks; 4.11+: none
 * @param lowmemOnlySkips      4.4+: a request whose highest zone is below Normal never OOM-kills
 * @param noFsPath             2.6.32: no OOM path without __GFP_FS (fail); 4.4+: skip the kill but report progress (loop)
 * @param retryMayfailSkips    4.13+: __GFP_RETRY_MAYFAIL never OOM-kills
 * @param laterWinsTies        4.8.15 and 5.4+: an equal score replaces the choice (later task wins); 4.4, 4.9–4.19: earlier wins
 * @param victimFailsWithReserves 4.14+: an OOM victim that already had ALLOC_OOM fails instead of killing again (§7.1 step 14)
 * @param rootBonus            ≤4.18: CAP_SYS_ADMIN tasks get −3 % (no root tasks in the model: kept for the record)
 */
public record OomRules(NofailBypass nofailBypassesChecks, boolean lowmemOnlySkips, NoFsPath noFsPath,
                       boolean retryMayfailSkips, boolean laterWinsTies, boolean victimFailsWithReserves,
                       boolean rootBonus) {

    public enum NofailBypass { ORDER_ONLY, ALL, NONE }

    public enum NoFsPath { FAIL, PROGRESS_WITHOUT_KILL }
}
