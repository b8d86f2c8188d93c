package dev.highwater.properties.integrity;

import dev.highwater.model.MigrateType;
import dev.highwater.model.PageAllocator;
import dev.highwater.properties.BaseProperty;
import dev.highwater.properties.StepView;
import java.util.Optional;

/**
 * The counters the watermark check reads equal what the lists hold: NR_FREE_PAGES = pages on the buddy lists (not
 * ISOLATE, §2.4), {@code nr_free[o]} = blocks of order o, {@code free_pcp} = pages on per-CPU lists,
 * {@code nr_free_highatomic} = pages on HIGHATOMIC lists.
 */
public final class FreeCounters extends BaseProperty {
    public FreeCounters() {
        super("free-counters",
            "NR_FREE_PAGES, nr_free per order and the per-CPU count equal what the lists hold",
            "kernel-semantics §2.4, §4.3 step 1, §4.5", Family.INTEGRITY);
    }

    /** What the lists of one zone hold, summed by a block visitor. */
    private static final class Tally implements PageAllocator.BlockVisitor {
        long pages;
        long highatomic;
        long[] blocks;
        boolean pcp;

        @Override
        public void block(long pfn, int order, MigrateType list) {
            if (pcp) {
                pages += 1L << order;
                return;
            }
            if (list != MigrateType.ISOLATE) {
                pages += 1L << order;
            }
            if (list == MigrateType.HIGHATOMIC) {
                highatomic += 1L << order;
            }
            blocks[order]++;
        }
    }

    /** Each thread's tally, reused by every check (a tally and an array per zone and step showed in allocation profiles). */
    private static final ThreadLocal<Tally> SCRATCH = ThreadLocal.withInitial(Tally::new);

    @Override
    public Optional<String> check(StepView v) {
        PageAllocator a = v.allocator();
        int orders = a.config().maxOrder();
        Tally t = SCRATCH.get();
        if (t.blocks == null || t.blocks.length != orders) {
            t.blocks = new long[orders];
        }
        for (int z = 0; z < a.zones().size(); z++) {
            String zn = a.zones().get(z).type().kernelName();
            t.pages = 0;
            t.highatomic = 0;
            java.util.Arrays.fill(t.blocks, 0L);
            t.pcp = false;
            v.forEachFreeBlock(z, t);
            long pages = t.pages;
            long highatomic = t.highatomic;
            long[] blocks = t.blocks;
            if (pages != a.nrFreePages(z)) {
                return Optional.of(zn + ": NR_FREE_PAGES " + a.nrFreePages(z) + " but the free lists hold " + pages);
            }
            for (int o = 0; o < orders; o++) {
                if (blocks[o] != a.nrFreeBlocks(z, o)) {
                    return Optional.of(zn + ": nr_free[" + o + "] " + a.nrFreeBlocks(z, o) + " but the lists hold "
                        + blocks[o] + " blocks");
                }
            }
            t.pages = 0;
            t.pcp = true;
            v.forEachPcpBlock(z, t);
            long pcp = t.pages;
            if (pcp != a.pcpPages(z)) {
                return Optional.of(zn + ": per-CPU count " + a.pcpPages(z) + " but the lists hold " + pcp);
            }
            if (highatomic != a.nrFreeHighatomic(z)) {
                return Optional.of(zn + ": nr_free_highatomic " + a.nrFreeHighatomic(z) + " but the HIGHATOMIC lists hold "
                    + highatomic);
            }
        }
        return Optional.empty();
    }
}
