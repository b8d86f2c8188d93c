package dev.highwater.properties.integrity;

import dev.highwater.model.PageAllocator;
import dev.highwater.model.mm.MemorySystem;
import dev.highwater.properties.BaseProperty;
import dev.highwater.properties.StepView;
import java.util.Optional;

/**
 * Every page of every zone is in exactly one place: a buddy free list, a per-CPU list, or an allocation the memory
 * system holds. Recomputed from scratch after every step and compared with the ledger (the "recompute and
 * compare" pattern): a page handed out twice, or lost, is a model bug.
 */
public final class PageConservation extends BaseProperty {
    public PageConservation() {
        super("page-conservation",
            "every page is exactly once free, on a per-CPU list, on an LRU list, or allocated",
            "kernel-semantics §4.1, §4.5 (pages are on one list or in use)", Family.INTEGRITY);
    }

    @Override
    public Optional<String> check(StepView v) {
        PageAllocator a = v.allocator();
        for (int z = 0; z < a.zones().size(); z++) {
            long start = a.zoneStartPfn(z);
            long pages = a.zones().get(z).managedPages();
            String[] where = new String[(int) pages];
            for (PageAllocator.FreeBlock b : a.freeBlocks(z)) {
                Optional<String> e = mark(where, start, b.pfn(), b.order(), "free " + b.list() + " order-" + b.order());
                if (e.isPresent()) {
                    return e;
                }
            }
            for (PageAllocator.PcpBlock b : a.pcpBlocks(z)) {
                Optional<String> e = mark(where, start, b.pfn(), b.order(), "pcp of cpu " + b.cpu());
                if (e.isPresent()) {
                    return e;
                }
            }
            for (MemorySystem.Allocation al : v.system().allocations()) {
                if (al.zone() != z) {
                    continue;
                }
                Optional<String> e = mark(where, start, al.pfn(), al.order(), "allocated order-" + al.order());
                if (e.isPresent()) {
                    return e;
                }
            }
            for (long pfn : v.system().lruPages()) {
                if (pfn < start || pfn >= start + pages) {
                    continue;
                }
                Optional<String> e = mark(where, start, pfn, 0, "on an LRU list");
                if (e.isPresent()) {
                    return e;
                }
            }
            for (int i = 0; i < where.length; i++) {
                if (where[i] == null) {
                    return Optional.of(a.zones().get(z).type().kernelName() + ": pfn " + (start + i)
                        + " is neither free, on a per-CPU list, nor allocated (lost)");
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<String> mark(String[] where, long start, long pfn, int order, String what) {
        long n = 1L << order;
        if (pfn < start || pfn + n > start + where.length) {
            return Optional.of(what + " block at pfn " + pfn + " lies outside its zone");
        }
        for (long p = pfn; p < pfn + n; p++) {
            int i = (int) (p - start);
            if (where[i] != null) {
                return Optional.of("pfn " + p + " is both " + where[i] + " and " + what + " (handed out twice)");
            }
            where[i] = what;
        }
        return Optional.empty();
    }
}
