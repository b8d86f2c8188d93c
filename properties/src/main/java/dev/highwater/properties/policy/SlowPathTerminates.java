package dev.highwater.properties.policy;

import dev.highwater.model.mm.MemorySystem;
import dev.highwater.model.mm.MmEvent;
import dev.highwater.properties.BaseProperty;
import dev.highwater.properties.StepView;
import java.util.Optional;

/**
 * The slow path terminates: an allocation either succeeds, fails or OOM-kills within a bounded number of retries.
 * __GFP_NOFAIL and !__GFP_FS order ≤ 3 requests loop by design (§7.5) and are exempt.
 */
public final class SlowPathTerminates extends BaseProperty {
    public SlowPathTerminates() {
        super("slow-path-terminates",
            "the slow path ends (bounded retries, no livelock)",
            "kernel-semantics §7.1, §7.2 (4.7 bounded retries), §7.5", Family.POLICY);
    }

    @Override
    public Optional<String> check(StepView v) {
        java.util.List<MmEvent> events = v.system().stepEvents();
        for (int ei = 0, en = events.size(); ei < en; ei++) {
            MmEvent e = events.get(ei);
            if (e instanceof MmEvent.Livelock l && !l.byDesign()) {
                return Optional.of("an order-" + l.ac().order() + " " + l.ac().gfp() + " request was still retrying after "
                    + l.rounds() + " rounds (model bound " + MemorySystem.MAX_SLOWPATH_ROUNDS + ")");
            }
        }
        return Optional.empty();
    }
}
