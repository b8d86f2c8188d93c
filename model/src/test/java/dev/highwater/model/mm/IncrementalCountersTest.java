package dev.highwater.model.mm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.highwater.model.Context;
import dev.highwater.model.Gfp;
import dev.highwater.model.MigrateType;
import dev.highwater.model.NodeConfig;
import dev.highwater.model.PageAllocator;
import dev.highwater.model.Tunables;
import dev.highwater.model.ZoneSpec;
import dev.highwater.model.ZoneType;
import dev.highwater.model.policy.KernelPolicy;
import dev.highwater.model.policy.Presets;
import dev.highwater.model.reference.ReferenceAllocator;
import dev.highwater.model.trace.Op;
import dev.highwater.model.trace.TaskSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The counters kept incrementally for speed (pages on HIGHATOMIC free lists, DIRTY pages on the dirty list, the
 * largest free orders) equal a recount from the lists after every step of random traces with highatomic
 * reservations, dirty page cache, reclaim, writeback, OOM kills and exits; also on a copy of the state.
 */
class IncrementalCountersTest {
    private static final Optional<String> NONE = Optional.empty();

    @ParameterizedTest
    @ValueSource(strings = {"linux-4.8", "linux-6.1", "linux-6.8", "mainline"})
    void countersEqualARecountAfterEveryStep(String preset) {
        KernelPolicy p = Presets.byName(preset).orElseThrow();
        int checkedHighatomic = 0;
        for (long seed = 1; seed <= 12; seed++) {
            NodeConfig node = new NodeConfig(List.of(ZoneSpec.of(ZoneType.DMA32, 512), ZoneSpec.of(ZoneType.NORMAL, 1024)),
                3, 8, 2, 0, -1);
            PageAllocator a = new ReferenceAllocator(p, node, Tunables.defaults(false).withMinFreeKbytes(256));
            MemorySystem ms = new MemorySystem(a, List.of(new TaskSpec(1, 0, false), new TaskSpec(2, 0, false)), 128);
            SplittableRandom rnd = new SplittableRandom(seed);
            List<String> live = new ArrayList<>();
            for (int step = 0; step < 60; step++) {
                ms.apply(randomOp(rnd, live, step));
                assertCounts(ms);
                checkedHighatomic += a.nrFreeHighatomic(0) + a.nrFreeHighatomic(1) > 0 ? 1 : 0;
                if (step == 30) {
                    MemorySystem c = ms.copy(); // lists filled directly: the counters must be recounted, not zero
                    assertCounts(c);
                    assertThat(c.dirtyPages(1)).isEqualTo(ms.dirtyPages(1));
                }
            }
        }
        assertThat(checkedHighatomic).as("some steps had free pages on HIGHATOMIC lists").isPositive();
    }

    private static Op randomOp(SplittableRandom rnd, List<String> live, int step) {
        int cpu = rnd.nextInt(2);
        return switch (rnd.nextInt(9)) {
            case 0, 1 -> {
                String h = "a" + step;
                live.add(h);
                yield new Op.Alloc(h, 0, 1 + rnd.nextInt(3), Gfp.parse("GFP_ATOMIC"), Context.SOFTIRQ, cpu,
                    1 + rnd.nextInt(24), NONE);
            }
            case 2 -> {
                String h = "k" + step;
                live.add(h);
                yield new Op.Alloc(h, 1 + rnd.nextInt(2), 0, Gfp.parse("GFP_KERNEL"), Context.PROCESS, cpu,
                    1 + rnd.nextInt(500), NONE);
            }
            case 3 -> live.isEmpty() ? new Op.Drain(NONE)
                : new Op.Free(live.remove(rnd.nextInt(live.size())), rnd.nextInt(2) * rnd.nextInt(1, 40), cpu, NONE);
            case 4 -> new Op.Cache(1 + rnd.nextInt(300), rnd.nextBoolean(), cpu, NONE);
            case 5 -> new Op.Writeback(rnd.nextInt(2) * rnd.nextInt(1, 200), NONE);
            case 6 -> new Op.Anon(1 + rnd.nextInt(2), 1 + rnd.nextInt(300), cpu, NONE);
            case 7 -> rnd.nextInt(4) == 0 ? new Op.Exit(1 + rnd.nextInt(2), NONE) : new Op.Kswapd(NONE);
            default -> new Op.Compact(-1, NONE);
        };
    }

    private static void assertCounts(MemorySystem ms) {
        PageAllocator a = ms.allocator();
        for (int z = 0; z < a.zones().size(); z++) {
            long highatomic = 0;
            int usable = -1;
            int any = -1;
            for (PageAllocator.FreeBlock b : a.freeBlocks(z)) {
                if (b.list() == MigrateType.HIGHATOMIC) {
                    highatomic += 1L << b.order();
                }
                if (b.list().isPcpType() || b.list() == MigrateType.RESERVE) {
                    usable = Math.max(usable, b.order());
                }
                any = Math.max(any, b.order());
            }
            assertThat(a.nrFreeHighatomic(z)).as("nr_free_highatomic of zone %d", z).isEqualTo(highatomic);
            assertThat(a.largestFreeOrders(z)).as("largest free orders of zone %d", z).containsExactly(usable, any);
        }
        long[] dirty = new long[a.zones().size()];
        for (MemorySystem.LruPage page : ms.fileDirty) {
            if (page.state == MemorySystem.FileState.DIRTY) {
                dirty[page.zone]++;
            }
        }
        assertThat(ms.dirtyPages(0)).isEqualTo(dirty[0]);
        assertThat(ms.dirtyPages(1)).isEqualTo(dirty[0] + dirty[1]);
    }
}
