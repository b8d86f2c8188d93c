package dev.highwater.reports.explain;

import dev.highwater.model.FreeAreaView;
import dev.highwater.model.MigrateType;
import dev.highwater.model.WatermarkCheck;
import dev.highwater.model.ZoneType;
import dev.highwater.model.kernellog.KernelReport.BuddyEntry;
import dev.highwater.model.kernellog.KernelReport.ZoneState;
import java.util.List;

/**
 * A zone rebuilt from a report (kernel-semantics §10.1 items 7–9): NR_FREE_PAGES, the watermarks as printed, the
 * classzone's lowmem_reserve, and the free blocks per order and migratetype. The buddy line gives counts per order
 * and the SET of non-empty lists per order, not counts per type: an order whose letters name one type puts every
 * block there; with several letters each named list gets one block and the first the rest (enough for every
 * "is this list non-empty" question the allocator asks). Without letters (2.6.32, buddyinfo) the types are unknown
 * and every list counts as usable ({@link #typesKnown} false). A /proc/pagetypeinfo snapshot gives the counts per type.
 *
 * <p>{@code nr_reserved_highatomic} is printed only from 5.10 ({@code reserved_highatomic:}); before that it is
 * estimated as the free HIGHATOMIC pages rounded up to whole pageblocks (a lower bound of the reserve: reserved
 * blocks may also hold allocated pages).
 */
final class ReconstructedZone {
    final String name;
    final ZoneType type;
    final int kernelIndex;
    long free;
    long min;
    long low;
    long high;
    long boost;
    long managed;
    long reservedHa;
    boolean reservedHaPrinted;
    List<Long> lowmemReserve;
    final long[][] blocks;
    final boolean typesKnown;
    final boolean watermarksKnown;
    /** The zone's own file and anon LRU pages (zone lines print them from 2.6.28's split LRU); -1 when not printed. */
    final long fileLru;
    final long anonLru;
    /** Of {@link #fileLru}, the pages on the active list; -1 when not printed. */
    final long activeFile;
    /** Free pages in CMA pageblocks: the zone line's free_cma (3.x+), else what the buddy letters show. */
    long freeCma;
    /** Pages on the zone's per-CPU lists (free_pcp, 4.6+; not in {@link #free}); 0 when not printed. */
    final long freePcp;
    /** The zone line's {@code all_unreclaimable? yes} (zones before 4.8, the node line after). */
    final boolean unreclaimable;

    ReconstructedZone(ZoneState z, ZoneType type, int kernelIndex, int pageblockOrder) {
        this(z, type, kernelIndex, pageblockOrder, z.name());
    }

    /** @param name how the explanation names the zone ({@code Normal}, or {@code Node 1 Normal} with several nodes) */
    ReconstructedZone(ZoneState z, ZoneType type, int kernelIndex, int pageblockOrder, String name) {
        this.name = name;
        this.type = type;
        this.kernelIndex = kernelIndex;
        this.watermarksKnown = z.hasWatermarks();
        this.free = z.pages("free").orElse(z.buddyPages());
        this.min = z.pages("min").orElse(0);
        this.low = z.pages("low").orElse(0);
        this.high = z.pages("high").orElse(0);
        this.boost = z.pages("boost").orElse(0);
        this.managed = z.pages("managed").orElse(z.pages("present").orElse(0));
        this.lowmemReserve = z.lowmemReserve();
        this.fileLru = z.pages("active_file").isPresent() && z.pages("inactive_file").isPresent()
            ? z.pages("active_file").getAsLong() + z.pages("inactive_file").getAsLong() : -1;
        this.activeFile = z.pages("active_file").orElse(-1);
        this.anonLru = z.pages("active_anon").isPresent() && z.pages("inactive_anon").isPresent()
            ? z.pages("active_anon").getAsLong() + z.pages("inactive_anon").getAsLong() : -1;
        List<BuddyEntry> b = z.buddy();
        this.blocks = new long[b.size()][MigrateType.values().length];
        boolean anyLetters = false;
        for (BuddyEntry e : b) {
            anyLetters |= !e.letters().isEmpty();
        }
        // /proc/pagetypeinfo counts every list: exact, where the buddy line's letters only say which are non-empty
        this.typesKnown = anyLetters || z.pageTypes().isPresent();
        if (z.pageTypes().isPresent()) {
            for (var e : z.pageTypes().get().free().entrySet()) {
                for (int o = 0; o < Math.min(b.size(), e.getValue().size()); o++) {
                    blocks[o][e.getKey().ordinal()] = e.getValue().get(o);
                }
            }
        } else {
            for (int o = 0; o < b.size(); o++) {
                BuddyEntry e = b.get(o);
                if (e.count() == 0) {
                    continue;
                }
                String letters = e.letters().isEmpty() ? "U" : e.letters();
                long rest = e.count();
                for (int i = letters.length() - 1; i >= 1 && rest > 1; i--) {
                    blocks[o][MigrateType.fromLetter(letters.charAt(i)).ordinal()] += 1;
                    rest--;
                }
                blocks[o][MigrateType.fromLetter(letters.charAt(0)).ordinal()] += rest;
            }
        }
        this.freeCma = z.pages("free_cma").orElse(freeOfType(MigrateType.CMA));
        this.freePcp = z.pages("free_pcp").orElse(0);
        this.unreclaimable = z.allUnreclaimable().orElse(false);
        long printed = z.pages("reserved_highatomic").orElse(-1);
        if (printed >= 0) {
            reservedHa = printed;
            reservedHaPrinted = true;
        } else {
            long haFree = freeOfType(MigrateType.HIGHATOMIC);
            long pb = 1L << pageblockOrder;
            reservedHa = (haFree + pb - 1) / pb * pb;
        }
    }

    private ReconstructedZone(ReconstructedZone o) {
        name = o.name;
        type = o.type;
        kernelIndex = o.kernelIndex;
        free = o.free;
        min = o.min;
        low = o.low;
        high = o.high;
        boost = o.boost;
        managed = o.managed;
        reservedHa = o.reservedHa;
        reservedHaPrinted = o.reservedHaPrinted;
        lowmemReserve = o.lowmemReserve;
        blocks = new long[o.blocks.length][];
        for (int i = 0; i < blocks.length; i++) {
            blocks[i] = o.blocks[i].clone();
        }
        typesKnown = o.typesKnown;
        watermarksKnown = o.watermarksKnown;
        fileLru = o.fileLru;
        anonLru = o.anonLru;
        activeFile = o.activeFile;
        freeCma = o.freeCma;
        freePcp = o.freePcp;
        unreclaimable = o.unreclaimable;
    }

    ReconstructedZone copy() {
        return new ReconstructedZone(this);
    }

    int maxOrder() {
        return blocks.length;
    }

    long freeOfType(MigrateType t) {
        long n = 0;
        for (int o = 0; o < blocks.length; o++) {
            n += blocks[o][t.ordinal()] << o;
        }
        return n;
    }

    long nrFree(int order) {
        long n = 0;
        for (long c : blocks[order]) {
            n += c;
        }
        return n;
    }

    /** Largest order holding a free block of any type, or -1. */
    int largestFreeOrder() {
        for (int o = blocks.length - 1; o >= 0; o--) {
            if (nrFree(o) > 0) {
                return o;
            }
        }
        return -1;
    }

    /** Largest order with a block on a list in {@code types}, or -1. */
    int largestFreeOrder(List<MigrateType> types) {
        for (int o = blocks.length - 1; o >= 0; o--) {
            for (MigrateType t : types) {
                if (blocks[o][t.ordinal()] > 0) {
                    return o;
                }
            }
        }
        return -1;
    }

    boolean hasBlock(int order, MigrateType t) {
        for (int o = Math.max(0, order); o < blocks.length; o++) {
            if (blocks[o][t.ordinal()] > 0) {
                return true;
            }
        }
        return false;
    }

    /** lowmem_reserve[classzone] of this zone (0 if not printed or out of range). */
    long reserveFor(int classzoneKernelIndex) {
        if (classzoneKernelIndex < 0 || classzoneKernelIndex >= lowmemReserve.size()) {
            return 0;
        }
        return lowmemReserve.get(classzoneKernelIndex);
    }

    /**
     * The counters the watermark check reads for a request of type {@code mt}: free pages without the free CMA pages
     * unless the request is MOVABLE (only those get ALLOC_CMA; §2.1 step 4, 3.x+).
     */
    WatermarkCheck.Counters counters(MigrateType mt) {
        return new WatermarkCheck.Counters(countedFree(mt), reservedHa, freeOfType(MigrateType.HIGHATOMIC));
    }

    /** Free pages a request of type {@code mt} counts: all of them for MOVABLE, the rest without the free CMA pages. */
    long countedFree(MigrateType mt) {
        return mt == MigrateType.MOVABLE ? free : Math.max(0, free - freeCma);
    }

    FreeAreaView area() {
        return new FreeAreaView() {
            @Override
            public long nrFree(int order) {
                return order < blocks.length ? ReconstructedZone.this.nrFree(order) : 0;
            }

            @Override
            public boolean hasFree(int order, MigrateType t) {
                if (order >= blocks.length) {
                    return false;
                }
                if (!typesKnown) {
                    // types not printed: every list may hold the blocks
                    return nrFree(order) > 0 && t != MigrateType.HIGHATOMIC;
                }
                return blocks[order][t.ordinal()] > 0;
            }
        };
    }

    /** Retypes every block on the lists of {@code from} to {@code to} (an unreserve, or a what-if). */
    void retype(MigrateType from, MigrateType to) {
        if (from == MigrateType.CMA) {
            freeCma = 0;
        }
        for (long[] row : blocks) {
            row[to.ordinal()] += row[from.ordinal()];
            row[from.ordinal()] = 0;
        }
    }

    /** Takes one block of order ≥ {@code order} from list {@code t} and splits it (expand, §4.4). */
    boolean take(int order, MigrateType t) {
        for (int o = order; o < blocks.length; o++) {
            if (blocks[o][t.ordinal()] > 0) {
                blocks[o][t.ordinal()]--;
                for (int k = o - 1; k >= order; k--) {
                    blocks[k][t.ordinal()]++;
                }
                free -= 1L << order;
                return true;
            }
        }
        return false;
    }
}
