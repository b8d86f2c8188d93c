package dev.highwater.model;

import static dev.highwater.model.GfpFlag.ACCOUNT;
import static dev.highwater.model.GfpFlag.ATOMIC;
import static dev.highwater.model.GfpFlag.COLD;
import static dev.highwater.model.GfpFlag.COMP;
import static dev.highwater.model.GfpFlag.DIRECT_RECLAIM;
import static dev.highwater.model.GfpFlag.DMA;
import static dev.highwater.model.GfpFlag.DMA32;
import static dev.highwater.model.GfpFlag.FS;
import static dev.highwater.model.GfpFlag.HARDWALL;
import static dev.highwater.model.GfpFlag.HIGH;
import static dev.highwater.model.GfpFlag.HIGHMEM;
import static dev.highwater.model.GfpFlag.IO;
import static dev.highwater.model.GfpFlag.KMEMCG;
import static dev.highwater.model.GfpFlag.KSWAPD_RECLAIM;
import static dev.highwater.model.GfpFlag.MEMALLOC;
import static dev.highwater.model.GfpFlag.MOVABLE;
import static dev.highwater.model.GfpFlag.NOACCOUNT;
import static dev.highwater.model.GfpFlag.NOFAIL;
import static dev.highwater.model.GfpFlag.NOLOCKDEP;
import static dev.highwater.model.GfpFlag.NOMEMALLOC;
import static dev.highwater.model.GfpFlag.NORETRY;
import static dev.highwater.model.GfpFlag.NOTRACK;
import static dev.highwater.model.GfpFlag.NOWARN;
import static dev.highwater.model.GfpFlag.NO_KSWAPD;
import static dev.highwater.model.GfpFlag.OTHER_NODE;
import static dev.highwater.model.GfpFlag.RECLAIMABLE;
import static dev.highwater.model.GfpFlag.RETRY_MAYFAIL;
import static dev.highwater.model.GfpFlag.THISNODE;
import static dev.highwater.model.GfpFlag.WRITE;
import static dev.highwater.model.GfpFlag.ZERO;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;

/**
 * The numeric GFP bit layouts of kernel-semantics §3.5, one constant per column, with each
 * layout's composite names ({@code GFP_KERNEL}, ...) and its {@code %pGg} name table.
 *
 * <p>Single-flag bits live in {@link GfpFlag}; this enum adds what is defined per version on top
 * of them: the composites (as {@link GfpMask}s, so they encode to every number of the §3.5
 * composite table) and the ordered table {@link #format(long)} walks.
 *
 * <h2>The %pGg name tables</h2>
 * Reports print names from 4.5 on ({@link #printsGfpNames()}); V2_6_32 and V4_4 tables exist so
 * the model can still render masks of those versions symbolically.
 * <ul>
 * <li>V4_4..V5_1: the order of {@code include/trace/events/mmflags.h} (4.5–6.11, and 4.4's
 *     {@code gfpflags.h}): composites from the most bits down, {@code GFP_DMA},
 *     {@code __GFP_HIGHMEM}, {@code GFP_DMA32}, then the single flags in the fixed order
 *     HIGH, ATOMIC, IO, FS, COLD, NOWARN, REPEAT/RETRY_MAYFAIL, NOFAIL, NORETRY, COMP, ZERO,
 *     NOMEMALLOC, MEMALLOC, HARDWALL, THISNODE, RECLAIMABLE, MOVABLE, ACCOUNT (NOACCOUNT in 4.4),
 *     NOTRACK, WRITE, {@code __GFP_RECLAIM}, DIRECT_RECLAIM, KSWAPD_RECLAIM, OTHER_NODE — each only
 *     where it exists. This order is what makes §3.5's examples come out exactly:
 *     {@code 0x14210d2} (4.10–4.14) is {@code GFP_HIGHUSER|__GFP_NORETRY|__GFP_RECLAIMABLE} and
 *     {@code 0x2084120} (4.5–4.9) is {@code GFP_ATOMIC|__GFP_COLD|__GFP_COMP}.
 *     NOLOCKDEP has no entry in these kernels' tables and prints as a hex leftover.</li>
 * <li>V6_3: the T6.19 table (§3.5 cites it): composites, {@code GFP_DMA}, {@code GFP_DMA32},
 *     {@code __GFP_RECLAIM}, then every single flag in bit order, NOLOCKDEP included (lockdep
 *     builds). 6.3–6.11 kernels print the same <em>names</em> but the single flags in the 4.x
 *     order above (e.g. {@code __GFP_COMP|__GFP_ZERO} where 6.12+ prints
 *     {@code __GFP_ZERO|__GFP_COMP}); {@link Gfp#parse} does not care about order.</li>
 * <li>V2_6_32: no kernel of this range prints {@code %pGg}; the table follows the 3.x tracepoint
 *     table ({@code gfpflags.h}) with the {@code __GFP_} spelling, extended with GFP_DMA,
 *     __GFP_HIGHMEM, GFP_DMA32, __GFP_FS, __GFP_KMEMCG and __GFP_WRITE so every flag has a name.</li>
 * </ul>
 * Entries whose mask is 0 in a layout (GFP_NOWAIT in V2_6_32) are left out of the table: a
 * 0-mask entry would match every value.
 *
 * <h2>Composites</h2>
 * GFP_TRANSHUGE and GFP_TRANSHUGE_LIGHT are not in §3.5; they follow the kernel's gfp.h:
 * 3.x: HIGHUSER_MOVABLE|COMP|NOMEMALLOC|NORETRY|NOWARN|NO_KSWAPD; 4.4: the same without
 * NO_KSWAPD and minus KSWAPD_RECLAIM; 4.8+: LIGHT = (HIGHUSER_MOVABLE|COMP|NOMEMALLOC|NOWARN)
 * minus both reclaim bits, TRANSHUGE = LIGHT|DIRECT_RECLAIM. GFP_NOWAIT in V6_3 is the plain
 * {@code __GFP_KSWAPD_RECLAIM} (0x800): 6.7/6.8 added __GFP_NOWARN to it (0x2800), which this
 * layout does not model. GFP_HIGHUSER_MOVABLE is 0x100cca in V5_1: 5.15's unconditional
 * SKIP_KASAN_POISON (0x1100cca) is not modelled either.
 */
public enum GfpLayout {
    /** 2.6.32 up to 4.3 (3.x additions included). */
    V2_6_32,
    /** 4.4 (0x100000 = __GFP_NOACCOUNT). */
    V4_4,
    /** 4.5–4.9 (0x100000 = __GFP_ACCOUNT). */
    V4_8,
    /** 4.10–4.14. */
    V4_10,
    /** 4.15–5.0. */
    V4_15,
    /** 5.1–6.2 and late 6.1.y. */
    V5_1,
    /** 6.3 and later. */
    V6_3;

    /**
     * One entry of a {@code %pGg} name table: a composite or single-flag name and its flags.
     *
     * @param name the printed name ({@code GFP_KERNEL}, {@code __GFP_NOWARN})
     * @param mask its flags (never empty)
     */
    public record GfpName(String name, GfpMask mask) {
    }

    /**
     * The layout for a kernel version (§3.5 column boundaries; those other than the verified
     * trees are inferred there). Late 6.1.y has the V5_1 numbers, like all of 5.1–6.2.
     */
    public static GfpLayout forKernel(int major, int minor) {
        if (major < 4 || (major == 4 && minor <= 3)) {
            return V2_6_32;
        }
        if (major == 4) {
            if (minor == 4) {
                return V4_4;
            }
            if (minor <= 9) {
                return V4_8;
            }
            return minor <= 14 ? V4_10 : V4_15;
        }
        if (major == 5) {
            return minor == 0 ? V4_15 : V5_1;
        }
        if (major == 6) {
            return minor <= 2 ? V5_1 : V6_3;
        }
        return V6_3;
    }

    /** True from 4.5: failure reports print {@code mode:0x…(NAMES)}; earlier ones print hex only. */
    public boolean printsGfpNames() {
        return compareTo(V4_8) >= 0;
    }

    /**
     * The composite mask {@code name} stands for in this layout ({@code GFP_KERNEL},
     * {@code __GFP_RECLAIM}, ...), or {@code null} when this layout has no such composite
     * (e.g. {@code GFP_TEMPORARY} after 4.13, {@code GFP_KERNEL_ACCOUNT} before 4.5).
     * Single flags ({@code __GFP_HIGHMEM}) are not composites: see {@link GfpFlag#fromKernelName}.
     */
    public GfpMask composite(String name) {
        return Tables.COMPOSITES.get(this).get(name);
    }

    /** {@link #composite(String)} as an {@link Optional}. */
    public Optional<GfpMask> findComposite(String name) {
        return Optional.ofNullable(composite(name));
    }

    /** The composite names of this layout in {@code %pGg} table order (GFP_NOWAIT of V2_6_32 too). */
    public List<String> compositeNames() {
        return Tables.COMPOSITE_NAMES.get(this);
    }

    /** Every composite name of any layout. */
    public static Set<String> allCompositeNames() {
        return Tables.ALL_COMPOSITE_NAMES;
    }

    /** The ordered {@code %pGg} name table {@link #format(long)} walks (see the class comment). */
    public List<GfpName> formatTable() {
        return Tables.FORMAT.get(this);
    }

    /** All bits some flag owns in this layout. */
    public long knownBits() {
        long v = 0;
        for (GfpFlag f : GfpFlag.values()) {
            v |= f.bit(this);
        }
        return v;
    }

    /**
     * The kernel's {@code %pGg} rendering of a numeric value (lib/vsprintf.c {@code format_flags}):
     * walk {@link #formatTable()} in order; an entry whose whole mask is still set is printed and
     * its bits cleared; names are joined with {@code |}; bits left at the end are appended as
     * {@code 0x…} (lower-case hex). 0 prints {@code ""} (a report shows {@code mode:0x0()}).
     */
    public String format(long value) {
        StringJoiner out = new StringJoiner("|");
        long rest = value;
        for (GfpName entry : formatTable()) {
            if (rest == 0) {
                break;
            }
            long m = entry.mask().encode(this);
            if ((rest & m) == m) {
                out.add(entry.name());
                rest &= ~m;
            }
        }
        if (rest != 0) {
            out.add("0x" + Long.toHexString(rest));
        }
        return out.toString();
    }

    /** Tables built on first use, after both enums exist (no class-initialisation cycle). */
    private static final class Tables {
        static final Map<GfpLayout, Map<String, GfpMask>> COMPOSITES = new EnumMap<>(GfpLayout.class);
        static final Map<GfpLayout, List<String>> COMPOSITE_NAMES = new EnumMap<>(GfpLayout.class);
        static final Map<GfpLayout, List<GfpName>> FORMAT = new EnumMap<>(GfpLayout.class);
        static final Set<String> ALL_COMPOSITE_NAMES;

        /** Table order of mmflags.h, 4.5–6.11 (4.4's gfpflags.h is the same without LIGHT/KERNEL_ACCOUNT). */
        private static final List<Object> ORDER_4X = List.of(
            "GFP_TRANSHUGE", "GFP_TRANSHUGE_LIGHT", "GFP_HIGHUSER_MOVABLE", "GFP_HIGHUSER", "GFP_USER",
            "GFP_TEMPORARY", "GFP_KERNEL_ACCOUNT", "GFP_KERNEL", "GFP_NOFS", "GFP_ATOMIC", "GFP_NOIO",
            "GFP_NOWAIT", "GFP_DMA", HIGHMEM, "GFP_DMA32",
            HIGH, ATOMIC, IO, FS, COLD, NOWARN, RETRY_MAYFAIL, NOFAIL, NORETRY, COMP, ZERO, NOMEMALLOC,
            MEMALLOC, HARDWALL, THISNODE, RECLAIMABLE, MOVABLE, ACCOUNT, NOACCOUNT, NOTRACK, WRITE,
            "__GFP_RECLAIM", DIRECT_RECLAIM, KSWAPD_RECLAIM, OTHER_NODE);

        /** T6.19 mmflags.h: composites, then TRACE_GFP_FLAGS in bit order. */
        private static final List<Object> ORDER_6X = List.of(
            "GFP_TRANSHUGE", "GFP_TRANSHUGE_LIGHT", "GFP_HIGHUSER_MOVABLE", "GFP_HIGHUSER", "GFP_USER",
            "GFP_KERNEL_ACCOUNT", "GFP_KERNEL", "GFP_NOFS", "GFP_ATOMIC", "GFP_NOIO", "GFP_NOWAIT",
            "GFP_DMA", "GFP_DMA32", "__GFP_RECLAIM",
            DMA, HIGHMEM, DMA32, MOVABLE, RECLAIMABLE, HIGH, IO, FS, ZERO, DIRECT_RECLAIM, KSWAPD_RECLAIM,
            WRITE, NOWARN, RETRY_MAYFAIL, NOFAIL, NORETRY, MEMALLOC, COMP, NOMEMALLOC, HARDWALL, THISNODE,
            ACCOUNT, NOLOCKDEP);

        /** 3.x gfpflags.h order with the __GFP_ spelling, extended to every V2_6_32 flag. */
        private static final List<Object> ORDER_3X = List.of(
            "GFP_TRANSHUGE", "GFP_HIGHUSER_MOVABLE", "GFP_HIGHUSER", "GFP_USER", "GFP_TEMPORARY", "GFP_KERNEL",
            "GFP_NOFS", "GFP_ATOMIC", "GFP_NOIO", "GFP_NOWAIT", "GFP_DMA", HIGHMEM, "GFP_DMA32",
            HIGH, DIRECT_RECLAIM, IO, FS, COLD, NOWARN, RETRY_MAYFAIL, NOFAIL, NORETRY, COMP, ZERO, NOMEMALLOC,
            MEMALLOC, HARDWALL, THISNODE, RECLAIMABLE, MOVABLE, KMEMCG, NOTRACK, WRITE, NO_KSWAPD, OTHER_NODE);

        static {
            Set<String> all = new LinkedHashSet<>();
            for (GfpLayout l : GfpLayout.values()) {
                Map<String, GfpMask> comps = Collections.unmodifiableMap(composites(l));
                COMPOSITES.put(l, comps);
                List<Object> order = l == V2_6_32 ? ORDER_3X : l == V6_3 ? ORDER_6X : ORDER_4X;
                List<String> names = new ArrayList<>();
                List<GfpName> table = new ArrayList<>();
                for (Object o : order) {
                    if (o instanceof String name) {
                        GfpMask m = comps.get(name);
                        if (m == null) {
                            continue;
                        }
                        names.add(name);
                        if (!m.isEmpty()) {
                            table.add(new GfpName(name, m));
                        }
                    } else {
                        GfpFlag f = (GfpFlag) o;
                        if (f.existsIn(l)) {
                            table.add(new GfpName(f.kernelName(l), GfpMask.of(f)));
                        }
                    }
                }
                if (!names.containsAll(comps.keySet())) {
                    throw new AssertionError(l + ": composite missing from the name table order");
                }
                COMPOSITE_NAMES.put(l, List.copyOf(names));
                FORMAT.put(l, List.copyOf(table));
                all.addAll(names);
            }
            ALL_COMPOSITE_NAMES = Collections.unmodifiableSet(all);
        }

        /** The composites of include/linux/gfp.h for one layout, as version-independent flag sets. */
        private static Map<String, GfpMask> composites(GfpLayout l) {
            boolean v2 = l == V2_6_32;
            // __GFP_RECLAIM (4.4+); in 2.6.32 the single __GFP_WAIT played that role.
            GfpMask reclaim = v2 ? GfpMask.of(DIRECT_RECLAIM) : GfpMask.of(DIRECT_RECLAIM, KSWAPD_RECLAIM);
            GfpMask kernel = reclaim.union(GfpMask.of(IO, FS));
            GfpMask user = kernel.with(HARDWALL);
            GfpMask highuser = user.with(HIGHMEM);
            GfpMask highuserMovable = highuser.with(MOVABLE);

            Map<String, GfpMask> m = new LinkedHashMap<>();
            m.put("GFP_ATOMIC", switch (l) {
                case V2_6_32 -> GfpMask.of(HIGH);
                case V6_3 -> GfpMask.of(HIGH, KSWAPD_RECLAIM);
                default -> GfpMask.of(HIGH, ATOMIC, KSWAPD_RECLAIM);
            });
            m.put("GFP_KERNEL", kernel);
            if (l.compareTo(V4_8) >= 0) {
                m.put("GFP_KERNEL_ACCOUNT", kernel.with(ACCOUNT));
            }
            m.put("GFP_NOWAIT", v2 ? GfpMask.NONE : GfpMask.of(KSWAPD_RECLAIM));
            m.put("GFP_NOFS", reclaim.with(IO));
            m.put("GFP_NOIO", reclaim);
            m.put("GFP_USER", user);
            m.put("GFP_HIGHUSER", highuser);
            m.put("GFP_HIGHUSER_MOVABLE", highuserMovable);
            m.put("GFP_DMA", GfpMask.of(DMA));
            m.put("GFP_DMA32", GfpMask.of(DMA32));
            if (l.compareTo(V4_10) <= 0) {
                m.put("GFP_TEMPORARY", kernel.with(RECLAIMABLE));
            }
            GfpMask thpBase = highuserMovable.union(GfpMask.of(COMP, NOMEMALLOC, NOWARN));
            switch (l) {
                case V2_6_32 -> m.put("GFP_TRANSHUGE", thpBase.union(GfpMask.of(NORETRY, NO_KSWAPD)));
                case V4_4 -> m.put("GFP_TRANSHUGE", thpBase.with(NORETRY).without(KSWAPD_RECLAIM));
                default -> {
                    GfpMask light = thpBase.minus(reclaim);
                    m.put("GFP_TRANSHUGE_LIGHT", light);
                    m.put("GFP_TRANSHUGE", light.with(DIRECT_RECLAIM));
                }
            }
            if (!v2) {
                m.put("__GFP_RECLAIM", reclaim);
            }
            return m;
        }
    }
}
