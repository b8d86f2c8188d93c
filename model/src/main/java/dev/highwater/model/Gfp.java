package dev.highwater.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A GFP expression as written in a trace or a report, e.g. {@code GFP_ATOMIC|__GFP_NOWARN}: the
 * names, in order, exactly as given. The names are checked against every layout's vocabulary
 * (composites such as {@code GFP_KERNEL} and {@code __GFP_RECLAIM}; single flags in any
 * version's spelling, so {@code __GFP_WAIT} and {@code __GFP_REPEAT} are accepted);
 * {@link #resolve(GfpLayout)} gives the flags for one kernel version.
 *
 * <p>{@link #toString()} joins the names with {@code |}, so {@code parse(g.toString())} equals
 * {@code g}.
 *
 * @param names the names in the order written (unmodifiable, at least one)
 */
public record Gfp(List<String> names) {

    /** Single-flag names of every version: {@code __GFP_X} for every flag, {@code __GFP_WAIT}, {@code __GFP_REPEAT}. */
    private static final Set<String> FLAG_NAMES;

    static {
        Set<String> s = new TreeSet<>();
        for (GfpFlag f : GfpFlag.values()) {
            s.add(f.kernelName());
            for (GfpLayout l : GfpLayout.values()) {
                s.add(f.kernelName(l));
            }
        }
        FLAG_NAMES = Collections.unmodifiableSet(s);
    }

    public Gfp {
        if (names == null || names.isEmpty()) {
            throw new IllegalArgumentException("empty GFP expression; expected e.g. GFP_KERNEL or GFP_ATOMIC|__GFP_NOWARN");
        }
        names = List.copyOf(names);
        for (String n : names) {
            checkName(n);
        }
    }

    /** Shorthand for {@code parse}: {@code Gfp.of("GFP_KERNEL")}. */
    public static Gfp of(String text) {
        return parse(text);
    }

    /**
     * Parses {@code NAME|NAME|...}; whitespace around names is ignored.
     *
     * @throws IllegalArgumentException for an empty expression, an empty name ({@code A||B},
     *         a trailing {@code |}) or a name no layout knows; the message names the bad token
     */
    public static Gfp parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty GFP expression; expected e.g. GFP_KERNEL or GFP_ATOMIC|__GFP_NOWARN");
        }
        String[] parts = text.split("\\|", -1);
        List<String> names = new ArrayList<>(parts.length);
        for (int i = 0; i < parts.length; i++) {
            String t = parts[i].strip();
            if (t.isEmpty()) {
                throw new IllegalArgumentException("empty flag name at position " + (i + 1) + " in GFP expression '"
                    + text + "'");
            }
            names.add(t);
        }
        return new Gfp(names);
    }

    /** True when {@code name} is a composite or single-flag name of some layout. */
    public static boolean isKnownName(String name) {
        return FLAG_NAMES.contains(name) || GfpLayout.allCompositeNames().contains(name);
    }

    /**
     * The flags this expression means in {@code layout}, the union of its names':
     * <ul>
     * <li>a composite defined in {@code layout} expands to that definition;</li>
     * <li>a composite the layout does not define (GFP_TEMPORARY after 4.13, GFP_KERNEL_ACCOUNT
     *     and GFP_TRANSHUGE_LIGHT before 4.5, __GFP_RECLAIM in 2.6.32) expands to its definition
     *     in the nearest layout that has it (ties: the earlier one), restricted to the flags
     *     {@code layout} has — so GFP_KERNEL_ACCOUNT under V4_4 is GFP_KERNEL, and
     *     __GFP_RECLAIM under V2_6_32 is __GFP_WAIT;</li>
     * <li>a single flag contributes itself if it exists in {@code layout}, and nothing otherwise
     *     (__GFP_ATOMIC under V6_3, __GFP_NOTRACK under V4_15, __GFP_KSWAPD_RECLAIM under V2_6_32).
     *     Renamed bits are the same flag, so 2.6.32-era {@code __GFP_WAIT} means
     *     DIRECT_RECLAIM under 4.4+ layouts and {@code __GFP_REPEAT} means RETRY_MAYFAIL.</li>
     * </ul>
     * The result therefore only holds flags of {@code layout}, and
     * {@code GfpMask.decode(mask.encode(layout), layout).mask()} gives it back.
     */
    public GfpMask resolve(GfpLayout layout) {
        GfpMask m = GfpMask.NONE;
        for (String n : names) {
            m = m.union(resolveName(n, layout));
        }
        return m;
    }

    private static GfpMask resolveName(String name, GfpLayout layout) {
        GfpMask c = layout.composite(name);
        if (c != null) {
            return c;
        }
        Optional<GfpFlag> f = GfpFlag.fromKernelName(name);
        if (f.isPresent()) {
            return f.get().existsIn(layout) ? GfpMask.of(f.get()) : GfpMask.NONE;
        }
        GfpLayout[] all = GfpLayout.values();
        for (int d = 1; d < all.length; d++) {
            for (int idx : new int[] {layout.ordinal() - d, layout.ordinal() + d}) {
                if (idx >= 0 && idx < all.length) {
                    GfpMask borrowed = all[idx].composite(name);
                    if (borrowed != null) {
                        return borrowed.restrictTo(layout);
                    }
                }
            }
        }
        throw new AssertionError("validated name without a definition: " + name);
    }

    /** The names joined by {@code |}, exactly as parsed. */
    @Override
    public String toString() {
        return String.join("|", names);
    }

    private static void checkName(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("empty flag name in GFP expression");
        }
        if (isKnownName(name)) {
            return;
        }
        StringBuilder msg = new StringBuilder("unknown GFP flag '").append(name).append('\'');
        String hint = suggestion(name);
        if (hint != null) {
            msg.append(" (did you mean ").append(hint).append("?)");
        }
        msg.append("; expected a composite such as GFP_KERNEL, GFP_ATOMIC or GFP_HIGHUSER_MOVABLE,"
            + " or a flag such as __GFP_NOWARN or __GFP_NORETRY");
        throw new IllegalArgumentException(msg.toString());
    }

    /** A known name that differs from {@code name} only by case or the {@code __} prefix. */
    private static String suggestion(String name) {
        String upper = name.toUpperCase(Locale.ROOT);
        List<String> candidates = List.of(upper, "__" + upper, "__GFP_" + upper,
            upper.startsWith("__") ? upper.substring(2) : upper);
        for (String c : candidates) {
            if (isKnownName(c)) {
                return c;
            }
        }
        return null;
    }
}
