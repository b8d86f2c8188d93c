package dev.highwater.properties.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.highwater.model.mm.MemorySystem;
import dev.highwater.model.policy.KernelPolicy;
import dev.highwater.model.policy.Presets;
import dev.highwater.model.trace.Op;
import dev.highwater.model.trace.Trace;
import dev.highwater.properties.run.AllocatorKind;
import dev.highwater.properties.run.TraceRunner;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@code cache read=N write=N}, the decoder's fragmenting fill as one step, leaves the machine exactly as its N pairs
 * of single-page steps ({@code cache read=1}, {@code cache write=1}) do: the same free and per-CPU lists, LRU lists,
 * handles and counters (the fingerprint), after a whole decoded trace under every preset.
 */
class CacheInterleavedTest {

    @Test
    void oneInterleavedStepEqualsItsPairsAsSingleSteps() {
        int compared = 0;
        for (String preset : Presets.names()) {
            KernelPolicy p = Presets.byName(preset).orElseThrow();
            SplittableRandom rnd = new SplittableRandom(11);
            for (int i = 0; i < 60; i++) {
                byte[] d = new byte[64 + rnd.nextInt(300)];
                rnd.nextBytes(d);
                Trace t = TraceDecoder.decode(d, preset, PolicyTarget.MAX_OPS);
                if (t.ops().stream().noneMatch(o -> o instanceof Op.CacheInterleaved)) {
                    continue;
                }
                List<Op> written = new ArrayList<>();
                for (Op o : t.ops()) {
                    if (o instanceof Op.CacheInterleaved ci) {
                        for (int k = 0; k < ci.pairs(); k++) {
                            written.add(new Op.Cache(1, false, ci.cpu(), Optional.empty()));
                            written.add(new Op.Cache(1, true, ci.cpu(), Optional.empty()));
                        }
                    } else {
                        written.add(o);
                    }
                }
                TraceRunner r = new TraceRunner(List.of(), AllocatorKind.REFERENCE);
                MemorySystem one = r.boot(t, p);
                MemorySystem pairs = r.boot(t, p);
                t.ops().forEach(one::apply);
                written.forEach(pairs::apply);
                assertThat(one.fingerprint()).as("%s input %d", preset, i).isEqualTo(pairs.fingerprint());
                assertThat(one.counters()).as("%s input %d", preset, i).isEqualTo(pairs.counters());
                assertThat(one.allocator().freeBlocks(0)).isEqualTo(pairs.allocator().freeBlocks(0));
                compared++;
            }
        }
        // the decoder writes the op often enough for this to mean something
        assertThat(compared).isGreaterThan(200);
    }
}
