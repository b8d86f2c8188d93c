package dev.highwater.properties.explore;

import dev.highwater.model.NodeConfig;
import dev.highwater.model.ZoneSpec;
import dev.highwater.model.ZoneType;
import dev.highwater.model.trace.TaskSpec;
import dev.highwater.model.trace.Trace;
import dev.highwater.model.trace.VmSettings;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Initial configurations for the model checker: small machines (16–512 pages, small pageblock order), built from
 * scratch or by shrinking a trace header (a corpus trace's machine, e.g. a catalog bug's).
 */
public final class Machines {
    private Machines() {
    }

    public static final long MIN_PAGES = 16;
    public static final long MAX_PAGES = 512;

    /** A pageblock order that leaves at least 8 pageblocks (so mobility grouping stays on), at most 6. */
    public static int pageblockOrderFor(long pages) {
        int log = 63 - Long.numberOfLeadingZeros(pages);
        return Math.max(1, Math.min(6, log - 3));
    }

    /**
     * One Normal zone of {@code pages} pages, {@link #pageblockOrderFor} pageblocks, max_order 11, one CPU,
     * min_free_kbytes = pages/2 (min ≈ pages/8), watermark_boost_factor 0, tasks 1 and 2, no swap.
     */
    public static Trace small(String preset, long pages) {
        checkPages(pages);
        int pbo = pageblockOrderFor(pages);
        NodeConfig node = new NodeConfig(List.of(ZoneSpec.of(ZoneType.NORMAL, pages)), pbo, 11, 1, 0, -1);
        VmSettings vm = new VmSettings(OptionalInt.of((int) Math.max(1, pages / 2)), OptionalInt.empty(),
            OptionalInt.of(0), Optional.empty(), OptionalInt.empty());
        return Trace.of(List.of(), preset, node, vm, List.of(new TaskSpec(1, 0, false), new TaskSpec(2, 0, false)), 0,
            List.of(), List.of());
    }

    /**
     * A trace header shrunk to {@code pages} pages: one zone of the header's highest zone type; pageblock order at
     * most {@link #pageblockOrderFor}; the header's max_order, CPUs (at most 2), sysctls and swap; per-CPU list
     * overrides scaled by the zone size;
     * min_free_kbytes = pages/2; the header's tasks, or tasks 1 and 2 when it has none. Ops and expectations are
     * dropped.
     */
    public static Trace shrink(Trace header, String preset, long pages) {
        checkPages(pages);
        NodeConfig n = header.node();
        ZoneType type = n.zones().get(n.zones().size() - 1).type();
        int pbo = Math.min(n.pageblockOrder(), pageblockOrderFor(pages));
        int batch = n.pcpBatchOverride();
        int high = n.pcpHighOverride();
        long origPages = n.totalManagedPages();
        if (batch > 0 && origPages > pages) {
            // a harness choice, not a kernel rule: per-CPU list overrides scale with the zone, high >= 2 x batch
            batch = (int) Math.max(1, batch * pages / origPages);
            high = (int) Math.max(2L * batch, Math.max(high, 0) * pages / origPages);
        }
        NodeConfig node = new NodeConfig(List.of(ZoneSpec.of(type, pages)), pbo, n.maxOrder(), Math.min(2, n.cpus()),
            batch, high);
        VmSettings v = header.vm();
        VmSettings vm = new VmSettings(OptionalInt.of((int) Math.max(1, pages / 2)), v.watermarkScaleFactor(),
            v.watermarkBoostFactor(), v.lowmemReserveRatio(), v.zoneReclaimMode());
        List<TaskSpec> tasks = header.tasks().isEmpty()
            ? List.of(new TaskSpec(1, 0, false), new TaskSpec(2, 0, false)) : header.tasks();
        long swap = Math.min(header.swapPages(), pages);
        return Trace.of(List.of(), preset, node, vm, tasks, swap, List.of(), List.of());
    }

    private static void checkPages(long pages) {
        if (pages < MIN_PAGES || pages > MAX_PAGES) {
            throw new IllegalArgumentException("pages must be " + MIN_PAGES + ".." + MAX_PAGES + ", got " + pages);
        }
    }
}
