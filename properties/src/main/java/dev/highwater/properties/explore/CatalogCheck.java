package dev.highwater.properties.explore;

import dev.highwater.model.policy.Presets;
import dev.highwater.model.trace.Op;
import dev.highwater.model.trace.Trace;
import dev.highwater.properties.PropertyCatalog;
import dev.highwater.properties.bugs.BugCatalog;
import dev.highwater.properties.bugs.KnownBug;

/**
 * The model checker over the known-bug catalog: each bug's machine (its corpus trace's header, shrunk to a small
 * zone), its pre-fix preset and property; the fixed presets on the same machine and alphabet.
 */
public final class CatalogCheck {
    private CatalogCheck() {
    }

    /** What the catalog says about a preset and a property. */
    public enum Expected {
        /** Some catalog bug with this property is present in this preset. */
        VIOLATION,
        /** Some catalog bug with this property is fixed in this preset, and none is present. */
        CLEAN,
        /** The catalog says nothing: any violation is unexpected. */
        UNKNOWN
    }

    public static Expected expected(String preset, String property) {
        boolean buggy = false;
        boolean fixed = false;
        for (KnownBug b : BugCatalog.all()) {
            if (!b.property().equals(property)) {
                continue;
            }
            buggy |= b.buggy().contains(preset);
            fixed |= b.fixed().contains(preset);
        }
        return buggy ? Expected.VIOLATION : fixed ? Expected.CLEAN : Expected.UNKNOWN;
    }

    /**
     * The check of {@code bug} under {@code preset}: the bug's trace header shrunk to {@code pages} pages; the
     * alphabet of {@link Alphabet#fromTrace} (the bug trace's vocabulary) when {@code orders} is negative, else the
     * standard alphabet with orders 0..{@code orders} (page cache ops when the bug's trace uses page cache).
     */
    public static CheckSpec spec(KnownBug bug, Trace bugTrace, String preset, long pages, int depth, int orders,
                                 long maxStates) {
        Trace machine = Machines.shrink(bugTrace, preset, pages);
        boolean cache = bugTrace.ops().stream().anyMatch(o -> o instanceof Op.Cache);
        Alphabet a = orders < 0 ? Alphabet.fromTrace(bugTrace, machine)
            : Alphabet.standard(pages, orders, machine.tasks(), cache);
        return new CheckSpec(machine, Presets.byName(preset).orElseThrow(),
            PropertyCatalog.byId(bug.property()).orElseThrow(), depth, a, maxStates);
    }
}
