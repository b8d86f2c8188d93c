package dev.highwater.properties.explore;

import static org.assertj.core.api.Assertions.assertThat;

import dev.highwater.model.policy.Presets;
import dev.highwater.model.trace.Trace;
import dev.highwater.properties.BaseProperty;
import dev.highwater.properties.Conjunction;
import dev.highwater.properties.Property;
import dev.highwater.properties.PropertyCatalog;
import dev.highwater.properties.StepView;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The checker checks an integrity property (a state invariant) only on a transition into a state its worker has not
 * checked yet. The same invariant declared once as integrity and once as policy (checked on every transition) must
 * give the same search: the same states, transitions, counterexample and message, with fewer calls for the
 * integrity one, and at least one call per distinct state.
 */
class StateInvariantSkipTest {

    /** "The zone keeps at least {@code floor} pages free": a function of the state alone, counting its calls. */
    static final class FreeFloor extends BaseProperty {
        final long floor;
        long calls;

        FreeFloor(long floor, Family family) {
            super("free-floor-" + family.name().toLowerCase(java.util.Locale.ROOT), "at least " + floor + " pages free",
                "test", family);
            this.floor = floor;
        }

        @Override
        public Optional<String> check(StepView v) {
            calls++;
            long free = v.allocator().nrFreePages(0);
            return free < floor ? Optional.of("only " + free + " pages free") : Optional.empty();
        }
    }

    private static CheckResult search(long floor, Property.Family family, FreeFloor[] made, int jobs) throws Exception {
        Trace machine = Machines.shrink(ExplorerTest.seed002(), "mainline", 64);
        Alphabet a = Alphabet.standard(64, 1, machine.tasks(), false);
        FreeFloor f = new FreeFloor(floor, family);
        made[0] = f;
        // with a policy property beside it, as an all-property search has: the step's part still runs every time
        Property both = Conjunction.of(List.of(PropertyCatalog.byId("no-oom-above-min").orElseThrow(), f));
        CheckSpec spec = new CheckSpec(machine, Presets.byName("mainline").orElseThrow(), both, 4, a, 1_000_000);
        return new Explorer(spec, null, jobs).run();
    }

    @Test
    void anInvariantCheckedOncePerStateFindsWhatCheckingEveryTransitionFinds() throws Exception {
        FreeFloor[] inv = new FreeFloor[1];
        FreeFloor[] pol = new FreeFloor[1];
        // never violated: the whole search, to compare the calls
        CheckResult clean = search(0, Property.Family.INTEGRITY, inv, 1);
        CheckResult cleanPolicy = search(0, Property.Family.POLICY, pol, 1);
        assertThat(clean.kind()).isEqualTo(CheckResult.Kind.CLEAN);
        assertThat(clean.states()).isEqualTo(cleanPolicy.states());
        assertThat(clean.transitions()).isEqualTo(cleanPolicy.transitions());
        assertThat(pol[0].calls).isEqualTo(cleanPolicy.transitions());
        assertThat(inv[0].calls).as("once per state the worker had not checked, at least once per new state")
            .isLessThan(pol[0].calls).isGreaterThanOrEqualTo(clean.states() - 1);

        // violated below the boot's free pages: the same shortest counterexample either way, on 1 and 2 threads
        for (int jobs = 1; jobs <= 2; jobs++) {
            CheckResult v = search(40, Property.Family.INTEGRITY, inv, jobs);
            CheckResult vp = search(40, Property.Family.POLICY, pol, jobs);
            assertThat(v.kind()).isEqualTo(CheckResult.Kind.VIOLATION);
            assertThat(v.length()).isGreaterThan(1);
            assertThat(v.counterexample()).isEqualTo(vp.counterexample());
            assertThat(v.message()).isEqualTo(vp.message());
            assertThat(v.states()).isEqualTo(vp.states());
            assertThat(v.transitions()).isEqualTo(vp.transitions());
        }
    }
}
