package dev.highwater.properties.integrity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.highwater.model.MigrateType;
import dev.highwater.model.PageAllocator;
import dev.highwater.model.mm.MemorySystem;
import dev.highwater.model.policy.KernelPolicy;
import dev.highwater.model.policy.Presets;
import dev.highwater.model.trace.Op;
import dev.highwater.model.trace.Trace;
import dev.highwater.properties.StepView;
import dev.highwater.properties.fuzz.DecodedTraces;
import dev.highwater.properties.run.AllocatorKind;
import dev.highwater.properties.run.TraceRunner;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The cheap views the integrity properties read equal what they replace, after every step of decoded traces under
 * every preset and both allocators: the allocators' block visitors walk their {@code freeBlocks} and
 * {@code pcpBlocks} lists block for block, {@code pageblocksOfType} counts what {@code pageblockType} shows, and the
 * memory system's ledger page map holds exactly the pages {@code forEachHeldBlock} walks (each once); page-conservation's
 * quick pass and its walk agree.
 */
class CheapViewsTest {

    private static List<Object[]> traces(int n, long seed) {
        return DecodedTraces.traces(n, seed);
    }

    /** The blocks the allocator's visitor walk hands out (free lists, or per-CPU lists), as text. */
    private static List<String> visited(PageAllocator a, int z, boolean pcp) {
        List<String> out = new ArrayList<>();
        PageAllocator.BlockVisitor v = (pfn, order, list) -> out.add(pfn + "/" + order + "/" + list);
        if (pcp) {
            a.forEachPcpBlock(z, v);
        } else {
            a.forEachFreeBlock(z, v);
        }
        return out;
    }

    /** The same from the allocator's block lists. */
    private static List<String> listed(PageAllocator a, int z, boolean pcp) {
        List<String> out = new ArrayList<>();
        if (pcp) {
            a.pcpBlocks(z).forEach(b -> out.add(b.pfn() + "/" + b.order() + "/" + b.list()));
        } else {
            a.freeBlocks(z).forEach(b -> out.add(b.pfn() + "/" + b.order() + "/" + b.list()));
        }
        return out;
    }

    /** The ledger's pages as forEachHeldBlock shows them (handle blocks of a zone, LRU pages), or null if one repeats. */
    private static long[] walkedLedger(MemorySystem ms, int words) {
        PageAllocator a = ms.allocator();
        long[] bits = new long[words];
        boolean[] twice = {false};
        java.util.function.LongConsumer page = pfn -> {
            int i = (int) pfn;
            if ((bits[i >>> 6] & (1L << i)) != 0) {
                twice[0] = true;
            }
            bits[i >>> 6] |= 1L << i;
        };
        ms.forEachHeldBlock(al -> {
            if (al.zone() >= 0 && al.zone() < a.zones().size()) {
                for (long p = al.pfn(); p < al.pfn() + (1L << al.order()); p++) {
                    page.accept(p);
                }
            }
        }, page);
        return twice[0] ? null : bits;
    }

    @Test
    void theCheapViewsShowWhatTheListsAndTheLedgerShow() {
        int steps = 0;
        int held = 0;
        for (Object[] pt : traces(120, 11)) {
            KernelPolicy p = (KernelPolicy) pt[0];
            Trace t = (Trace) pt[1];
            for (AllocatorKind kind : AllocatorKind.values()) {
                MemorySystem ms = new TraceRunner(List.of(), kind).boot(t, p);
                PageAllocator a = ms.allocator();
                int step = 0;
                for (Op op : t.ops()) {
                    String r = ms.apply(op);
                    step++;
                    for (int z = 0; z < a.zones().size(); z++) {
                        assertThat(visited(a, z, false)).isEqualTo(listed(a, z, false));
                        assertThat(visited(a, z, true)).isEqualTo(listed(a, z, true));
                        for (MigrateType mt : MigrateType.values()) {
                            long n = 0;
                            int pb = a.config().pageblockPages();
                            long start = a.zoneStartPfn(z);
                            for (long pfn = start; pfn < start + a.zones().get(z).managedPages(); pfn += pb) {
                                n += a.pageblockType(pfn) == mt ? 1 : 0;
                            }
                            assertThat(a.pageblocksOfType(z, mt)).isEqualTo(n);
                        }
                    }
                    long[] map = ms.ledgerPages();
                    assertThat(map).as("%s %s step %d", kind, p.name(), step).isNotNull();
                    assertThat(map).isEqualTo(walkedLedger(ms, map.length));
                    held += java.util.Arrays.stream(map).map(Long::bitCount).sum() > 0 ? 1 : 0;
                    StepView v = new StepView(ms, step, op, r);
                    long[] saved = map.clone();
                    assertThat(PageConservation.conserved(v)).isTrue();
                    assertThat(ms.ledgerPages()).isEqualTo(saved);
                    steps++;
                }
            }
        }
        assertThat(steps).isGreaterThan(1000);
        assertThat(held).isGreaterThan(500);
    }

    @Test
    void aPageHeldTwiceWithdrawsTheLedgerMapUntilOneHolderIsLeft() {
        // an allocator that hands out its first page again: the map is withdrawn (the walk shows the page twice)
        KernelPolicy p = Presets.LINUX_4_8;
        dev.highwater.model.NodeConfig node = new dev.highwater.model.NodeConfig(
            List.of(dev.highwater.model.ZoneSpec.of(dev.highwater.model.ZoneType.NORMAL, 1024)), 4, 8, 1, 0, -1);
        PageAllocator real = AllocatorKind.REFERENCE.create(p, node,
            dev.highwater.model.Tunables.defaults(p.watermarkRules().highmemRatioZero()));
        long[] first = {-1};
        PageAllocator liar = (PageAllocator) java.lang.reflect.Proxy.newProxyInstance(
            PageAllocator.class.getClassLoader(), new Class<?>[] {PageAllocator.class}, (proxy, m, args) -> {
                if (m.getName().equals("getPageFromFreelist")) {
                    if (first[0] < 0) {
                        first[0] = real.getPageFromFreelist((dev.highwater.model.AllocContext) args[0], (int) args[1]);
                    }
                    return first[0];
                }
                try {
                    return m.invoke(real, args);
                } catch (java.lang.reflect.InvocationTargetException e) {
                    throw e.getCause();
                }
            });
        MemorySystem ms = new MemorySystem(liar, List.of());
        dev.highwater.model.Gfp gfp = dev.highwater.model.Gfp.of("GFP_KERNEL");
        ms.apply(new Op.Alloc("1", 0, 0, gfp, dev.highwater.model.Context.PROCESS, 0, 1, java.util.Optional.empty()));
        assertThat(ms.ledgerPages()).isNotNull();
        ms.apply(new Op.Alloc("2", 0, 0, gfp, dev.highwater.model.Context.PROCESS, 0, 1, java.util.Optional.empty()));
        assertThat(ms.ledgerPages()).as("page %d held by #1 and #2", first[0]).isNull();
        ms.apply(new Op.Free("2", 0, 0, java.util.Optional.empty()));
        long[] map = ms.ledgerPages();
        assertThat(map).as("#1 still holds it").isNotNull();
        assertThat(map[(int) (first[0] >>> 6)] & (1L << first[0])).isNotZero();
        assertThat(java.util.Arrays.stream(map).map(Long::bitCount).sum()).isEqualTo(1);
    }

    /**
     * A copy takes the ledger's page map with it, and keeps it exact as it runs on: the checker's pattern (copyFrom
     * the parent, apply a move, again with the next move) over random traces, the map compared with a walk of the
     * copy's ledger after every move, and the quick pass's verdict with the full recompute's.
     */
    @Test
    void aCopyTakesTheLedgerMapAndKeepsItExact() {
        long moves = 0;
        for (Object[] pt : traces(20, 12)) {
            KernelPolicy p = (KernelPolicy) pt[0];
            Trace t = (Trace) pt[1];
            MemorySystem ms = new TraceRunner(List.of(), AllocatorKind.REFERENCE).boot(t, p);
            MemorySystem target = new TraceRunner(List.of(), AllocatorKind.REFERENCE).boot(t, p);
            List<Op> ops = t.ops();
            int step = 0;
            for (Op op : ops) {
                ms.apply(op);
                step++;
                long[] mine = ms.ledgerPages();
                MemorySystem copy = ms.copy();
                assertThat(copy.ledgerPages()).isEqualTo(mine);
                for (int k = 0; k < Math.min(4, ops.size()); k++) {
                    Op move = ops.get((step + k) % ops.size());
                    MemorySystem child = k % 2 == 0 ? target : copy;
                    child.copyFrom(ms);
                    assertThat(child.ledgerPages()).as("%s step %d", p.name(), step).isEqualTo(mine);
                    String r = child.apply(move);
                    long[] map = child.ledgerPages();
                    assertThat(map).as("%s step %d move %s", p.name(), step, move).isNotNull();
                    assertThat(map).isEqualTo(walkedLedger(child, map.length));
                    StepView v = new StepView(child, step + 1, move, r);
                    assertThat(PageConservation.conserved(v)).isEqualTo(PageConservation.explain(v).isEmpty())
                        .isTrue();
                    moves++;
                }
            }
        }
        assertThat(moves).isGreaterThan(500);
    }
}
