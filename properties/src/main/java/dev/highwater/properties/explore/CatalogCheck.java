package dev.highwater.properties.explore;

import dev.highwater.model.policy.Presets;
import dev.highwater.model.trace.Trace;
import dev.highwater.model.trace.TraceParser;
import java.util.List;
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
        boolean cache = Alphabet.usesPageCache(bugTrace);
        Alphabet a = orders < 0 ? Alphabet.fromTrace(bugTrace, machine)
            : Alphabet.standard(pages, orders, machine.tasks(), cache);
        return new CheckSpec(machine, Presets.byName(preset).orElseThrow(),
            PropertyCatalog.byId(bug.property()).orElseThrow(), depth, a, maxStates);
    }

    /**
     * A per-bug search configuration: the machine (a trace header sized for the bug's mechanism, e.g. a pageblock order
     * the version's highatomic cap can reserve at, and a setup prefix that shapes memory first, as the kernel module's
     * exhaust does; part of the initial configuration, not of the counterexample's length), a bounded alphabet with the
     * op kinds of the bug's catalog trace, and the depth the fixed presets are proven clean to.
     *
     * @param bug      the catalog bug's id
     * @param machine  header and setup prefix, as trace text (prefix handles numbered from 1000)
     * @param alphabet the fixed moves, one trace op line each (alloc handles are renamed per step); frees of every
     *                 live handle (prefix handles included) are moves too
     * @param depth    the search depth (at least the expected shortest length)
     * @param note     what the configuration is for, one line
     */
    public record Setup(String bug, String machine, List<String> alphabet, int depth, String note) {
        public Setup {
            alphabet = List.copyOf(alphabet);
        }

        /** The machine under {@code preset}: header booted, prefix applied by the search. */
        public Trace machineTrace(String preset) {
            return parse("setup of " + bug, machine).withPolicy(preset);
        }

        public Alphabet alphabetMoves() {
            String header = machine.substring(0, headerEnd(machine));
            StringBuilder lines = new StringBuilder(header);
            for (int i = 0; i < alphabet.size(); i++) {
                // handles are renamed per step by Alphabet#op; here they only need to be distinct
                lines.append(alphabet.get(i).replaceFirst("^alloc #\\S+", "alloc #" + (5000 + i))).append('\n');
            }
            Trace t = parse("alphabet of " + bug, lines.toString());
            return new Alphabet(t.ops(), true);
        }

        /** The number of header lines' characters: everything up to the first op line. */
        private static int headerEnd(String text) {
            int pos = 0;
            for (String line : text.split("\n", -1)) {
                String w = line.trim();
                if (!(w.isEmpty() || w.startsWith("#") || w.startsWith("highwater-trace") || w.startsWith("policy ")
                    || w.startsWith("node ") || w.startsWith("zone ") || w.startsWith("vm ") || w.startsWith("task ")
                    || w.startsWith("swap ") || w.startsWith("cpus "))) {
                    return pos;
                }
                pos += line.length() + 1;
            }
            return text.length();
        }

        public CheckSpec spec(String preset, int searchDepth, long maxStates) {
            return new CheckSpec(machineTrace(preset), Presets.byName(preset).orElseThrow(),
                PropertyCatalog.byId(BugCatalog.byId(bug).orElseThrow().property()).orElseThrow(), searchDepth,
                alphabetMoves(), maxStates);
        }
    }

    /** The per-bug configuration of {@code bug}, when it has one. */
    public static java.util.Optional<Setup> setup(String bug) {
        return SETUPS.stream().filter(s -> s.bug().equals(bug)).findFirst();
    }

    public static List<Setup> setups() {
        return SETUPS;
    }

    private static Trace parse(String source, String text) {
        try {
            return TraceParser.parse(source, text);
        } catch (dev.highwater.model.trace.TraceFormatException e) {
            throw new IllegalStateException(e.getMessage(), e); // a setup is a constant: a bug in this class
        }
    }

    private static String repeat(int n, String... lines) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            for (String l : lines) {
                b.append(l).append('\n');
            }
        }
        return b.toString();
    }

    private static final List<Setup> SETUPS = List.of(
        new Setup("highatomic-double-decrease", """
            highwater-trace 1
            policy linux-4.8
            node pageblock_order=5 max_order=11 cpus=1 pcp_batch=7 pcp_high=42
            zone Normal pages=8192
            vm min_free_kbytes=512
            cache read=148
            alloc #1000 order=0 gfp=GFP_KERNEL|__GFP_NORETRY count=7862
            """,
            List.of("alloc #1 order=3 gfp=GFP_ATOMIC ctx=softirq count=9", "alloc #1 order=1 gfp=GFP_ATOMIC ctx=softirq count=10",
                "alloc #1 order=1 gfp=GFP_ATOMIC ctx=softirq count=33",
                "alloc #1 order=0 gfp=GFP_KERNEL|__GFP_NORETRY count=16", "alloc #1 order=0 gfp=GFP_ATOMIC ctx=softirq count=16",
                "drain", "kswapd"),
            5, "the catalog trace's own machine (8192 pages, 32-page pageblocks, 4 reachable highatomic blocks), its"
                + " page cache and kernel memory as the setup prefix"),
        new Setup("premature-order2-oom", """
            highwater-trace 1
            policy linux-4.7
            node pageblock_order=3 max_order=5 cpus=1
            zone Normal pages=128
            vm min_free_kbytes=8
            task 1
            """ + repeat(30, "cache read=3", "cache write=1"),
            List.of("alloc #1 order=0 gfp=GFP_NOWAIT count=1", "alloc #1 order=0 gfp=GFP_NOWAIT count=4",
                "alloc #1 order=0 gfp=GFP_NOWAIT count=8", "alloc #1 order=0 gfp=GFP_KERNEL",
                "alloc #1 order=2 gfp=GFP_KERNEL", "cache read=1", "cache write=1", "writeback", "anon task=1 pages=1",
                "drain", "kswapd", "compact"),
            4, "128 pages shaped by 30 x (3 clean, 1 dirty) page-cache pages: reclaim frees pages that never merge to order 2"),
        new Setup("free-highatomic-tracking", """
            highwater-trace 1
            policy linux-6.8
            node pageblock_order=1 max_order=11 cpus=1
            zone Normal pages=256
            vm min_free_kbytes=64 watermark_boost_factor=0
            task 1
            alloc #1000 order=1 gfp=GFP_KERNEL|__GFP_NORETRY count=116
            """,
            List.of("alloc #1 order=1 gfp=GFP_KERNEL|__GFP_NORETRY", "alloc #1 order=0 gfp=GFP_KERNEL|__GFP_NORETRY",
                "alloc #1 order=1 gfp=GFP_ATOMIC ctx=softirq", "alloc #1 order=0 gfp=GFP_ATOMIC ctx=softirq",
                "anon task=1 pages=1", "drain", "kswapd", "compact"),
            5, "256 pages in 2-page pageblocks (6.8's cap reserves only when 1 % of the zone is a pageblock), kernel"
                + " memory exhausted in whole pageblocks to near the low watermark")
    );
}
