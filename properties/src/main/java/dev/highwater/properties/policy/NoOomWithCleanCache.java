package dev.highwater.properties.policy;

import dev.highwater.model.mm.MemorySystem;
import dev.highwater.model.mm.MmEvent;
import dev.highwater.properties.BaseProperty;
import dev.highwater.properties.StepView;
import java.util.Optional;

/**
 * No OOM kill while the zones the request may use hold at least one reclaim batch (SWAP_CLUSTER_MAX) of clean page
 * cache: such pages can be dropped without I/O (§7.2, §8.2).
 */
public final class NoOomWithCleanCache extends BaseProperty {
    public NoOomWithCleanCache() {
        super("no-oom-with-clean-cache",
            "no OOM kill while enough clean page cache is reclaimable in the usable zones",
            "kernel-semantics §7.2 (should_reclaim_retry counts reclaimable pages), §9", Family.POLICY);
    }

    @Override
    public Optional<String> check(StepView v) {
        for (MmEvent e : v.system().stepEvents()) {
            if (e instanceof MmEvent.OomKill k) {
                long clean = 0;
                for (int z = 0; z <= k.ac().highestZone(); z++) {
                    clean += k.zones().get(z).cleanFile();
                }
                if (clean >= MemorySystem.SWAP_CLUSTER_MAX) {
                    return Optional.of("OOM kill of task " + k.victim() + " with " + clean
                        + " clean page-cache pages reclaimable in the usable zones");
                }
            }
        }
        return Optional.empty();
    }
}
