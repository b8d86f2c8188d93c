package dev.highwater.model;

import java.util.List;

/**
 * The static shape of the modelled node.
 *
 * @param zones           zones in index order (at most one of each type)
 * @param pageblockOrder  {@code pageblock_order} (9 on x86-64, 10 on 32-bit ARM without hugetlb; small values for model checking)
 * @param maxOrder        number of orders ({@code MAX_ORDER} exclusive, 11 by default); pageblock_order &lt; maxOrder
 * @param cpus            number of CPUs (each has per-CPU lists per zone)
 * @param pcpBatchOverride {@code percpu_pagelist} batch if &gt; 0 (otherwise computed, §4.5)
 * @param pcpHighOverride  per-CPU list high mark if &ge; 0 together with a batch override
 */
public record NodeConfig(List<ZoneSpec> zones, int pageblockOrder, int maxOrder, int cpus,
                         int pcpBatchOverride, int pcpHighOverride) {
    public NodeConfig {
        zones = List.copyOf(zones);
        if (zones.isEmpty()) {
            throw new IllegalArgumentException("a node needs at least one zone");
        }
        for (int i = 1; i < zones.size(); i++) {
            if (zones.get(i).type().ordinal() <= zones.get(i - 1).type().ordinal()) {
                throw new IllegalArgumentException("zones must be listed once each, in index order (DMA, DMA32, Normal, HighMem, Movable)");
            }
        }
        if (maxOrder < 1 || maxOrder > 20) {
            throw new IllegalArgumentException("max_order must be 1..20, got " + maxOrder);
        }
        if (pageblockOrder < 0 || pageblockOrder >= maxOrder) {
            throw new IllegalArgumentException("pageblock_order must be 0.." + (maxOrder - 1) + ", got " + pageblockOrder);
        }
        if (cpus < 1 || cpus > 64) {
            throw new IllegalArgumentException("cpus must be 1..64, got " + cpus);
        }
    }

    public int pageblockPages() {
        return 1 << pageblockOrder;
    }

    /**
     * The record's equality, written out: a fuzz run looks its booted allocator up by node, and the generated
     * {@code equals}/{@code hashCode} (method handles) showed in its profile.
     */
    @Override
    public boolean equals(Object o) {
        return o == this || o instanceof NodeConfig n && n.pageblockOrder == pageblockOrder && n.maxOrder == maxOrder
            && n.cpus == cpus && n.pcpBatchOverride == pcpBatchOverride && n.pcpHighOverride == pcpHighOverride
            && n.zones.equals(zones);
    }

    @Override
    public int hashCode() {
        int h = zones.hashCode();
        h = 31 * h + pageblockOrder;
        h = 31 * h + maxOrder;
        h = 31 * h + cpus;
        h = 31 * h + pcpBatchOverride;
        return 31 * h + pcpHighOverride;
    }

    /** Position of the highest configured zone whose type is at most {@code type}, or -1. */
    /**
     * Whether the kernel has ZONE_DMA32: a node with a HighMem zone is a 32-bit kernel's, and those configure none
     * ({@link GfpMask#highestZone(boolean)}).
     */
    public boolean zoneDma32() {
        for (ZoneSpec z : zones) { // a loop: asked for every request
            if (z.type() == ZoneType.HIGHMEM) {
                return false;
            }
        }
        return true;
    }

    /** {@code gfp_zone(gfp)} on this node's kernel. */
    public ZoneType gfpZone(GfpMask gfp) {
        return gfp.highestZone(zoneDma32());
    }

    public int highestZoneAtMost(ZoneType type) {
        int best = -1;
        for (int i = 0; i < zones.size(); i++) {
            if (zones.get(i).type().ordinal() <= type.ordinal()) {
                best = i;
            }
        }
        return best;
    }

    public long totalManagedPages() {
        long sum = 0; // a loop, not a stream: the model checker asks on every state copy and OOM kill
        for (ZoneSpec z : zones) {
            sum += z.managedPages();
        }
        return sum;
    }
}
