package dev.highwater.model;

import java.util.EnumSet;
import java.util.Set;
import java.util.StringJoiner;

/**
 * A set of {@link GfpFlag}s, independent of any kernel version: bit {@code i} of {@link #flags}
 * is the flag with ordinal {@code i} (not a kernel value). {@link #encode} and {@link #decode}
 * convert to and from the numeric value of a given {@link GfpLayout} (kernel-semantics §3.5);
 * the policy questions ({@link #highestZone}, {@link #migratetype}, {@link #canDirectReclaim},
 * {@link #canWakeKswapd}) follow §1.6, §3.3 and §3.4.
 *
 * @param flags the set, one bit per {@link GfpFlag#ordinal()}
 */
public record GfpMask(long flags) {

    /** The empty mask (GFP_NOWAIT in 2.6.32; prints as the empty string). */
    public static final GfpMask NONE = new GfpMask(0);

    private static final long ALL = (1L << GfpFlag.values().length) - 1;

    public GfpMask {
        if ((flags & ~ALL) != 0) {
            throw new IllegalArgumentException("GfpMask has no flag for bits 0x" + Long.toHexString(flags & ~ALL)
                + " (bits are GfpFlag ordinals, not kernel values; use GfpMask.decode for those)");
        }
    }

    /** The mask holding exactly {@code flags}. */
    public static GfpMask of(GfpFlag... flags) {
        long m = 0;
        for (GfpFlag f : flags) {
            m |= f.maskBit();
        }
        return new GfpMask(m);
    }

    /** The mask holding exactly {@code flags}. */
    public static GfpMask of(Set<GfpFlag> flags) {
        long m = 0;
        for (GfpFlag f : flags) {
            m |= f.maskBit();
        }
        return new GfpMask(m);
    }

    public boolean has(GfpFlag flag) {
        return (flags & flag.maskBit()) != 0;
    }

    /** True when every flag of {@code other} is in this mask. */
    public boolean containsAll(GfpMask other) {
        return (flags & other.flags) == other.flags;
    }

    public boolean isEmpty() {
        return flags == 0;
    }

    public GfpMask with(GfpFlag flag) {
        return new GfpMask(flags | flag.maskBit());
    }

    public GfpMask without(GfpFlag flag) {
        return new GfpMask(flags & ~flag.maskBit());
    }

    public GfpMask union(GfpMask other) {
        return new GfpMask(flags | other.flags);
    }

    /** This mask without the flags of {@code other}. */
    public GfpMask minus(GfpMask other) {
        return new GfpMask(flags & ~other.flags);
    }

    /** The flags of this mask that exist in {@code layout} (others have no bit there). */
    public GfpMask restrictTo(GfpLayout layout) {
        long m = 0;
        for (GfpFlag f : GfpFlag.values()) {
            if (has(f) && f.existsIn(layout)) {
                m |= f.maskBit();
            }
        }
        return new GfpMask(m);
    }

    /** The flags as an {@link EnumSet} (a fresh, mutable copy). */
    public EnumSet<GfpFlag> toSet() {
        EnumSet<GfpFlag> set = EnumSet.noneOf(GfpFlag.class);
        for (GfpFlag f : GfpFlag.values()) {
            if (has(f)) {
                set.add(f);
            }
        }
        return set;
    }

    /** May sleep: reclaim, compact, OOM (§3.4; {@code __GFP_WAIT} before 4.4). */
    public boolean canDirectReclaim() {
        return has(GfpFlag.DIRECT_RECLAIM);
    }

    /**
     * Whether the slow path wakes kswapd (§3.4). 4.4+: only with __GFP_KSWAPD_RECLAIM. V2_6_32:
     * every request wakes kswapd — except one carrying the 3.x __GFP_NO_KSWAPD (THP
     * allocations), a flag pure 2.6.32 does not have, so every 2.6.32 request still wakes it.
     */
    public boolean canWakeKswapd(GfpLayout layout) {
        if (layout == GfpLayout.V2_6_32) {
            return !has(GfpFlag.NO_KSWAPD);
        }
        return has(GfpFlag.KSWAPD_RECLAIM);
    }

    /**
     * {@code gfp_zone} (§1.6): the highest zone the request may use. DMA and DMA32 win over the
     * others (the kernel treats combinations with them as bugs); MOVABLE alone stays in Normal.
     */
    public ZoneType highestZone() {
        if (has(GfpFlag.DMA)) {
            return ZoneType.DMA;
        }
        if (has(GfpFlag.DMA32)) {
            return ZoneType.DMA32;
        }
        if (has(GfpFlag.HIGHMEM)) {
            return has(GfpFlag.MOVABLE) ? ZoneType.MOVABLE : ZoneType.HIGHMEM;
        }
        return ZoneType.NORMAL;
    }

    /**
     * {@code gfp_zone} on a kernel with or without ZONE_DMA32: without it (32-bit kernels: x86-32, ARM, PPC32, MIPS32,
     * the ones with a HighMem zone) {@code __GFP_DMA32} names ZONE_NORMAL (include/linux/gfp.h's OPT_ZONE_DMA32), so a
     * 32-bit i915 or ext4 request with GFP_DMA32 starts at Normal, not at DMA (§1.6's mapping assumes ZONE_DMA32).
     */
    public ZoneType highestZone(boolean zoneDma32) {
        ZoneType t = highestZone();
        return t == ZoneType.DMA32 && !zoneDma32 ? ZoneType.NORMAL : t;
    }

    /**
     * {@code gfp_migratetype}: MOVABLE, else RECLAIMABLE, else UNMOVABLE. (Both set is invalid
     * in the kernel; MOVABLE wins here.)
     */
    public MigrateType migratetype() {
        if (has(GfpFlag.MOVABLE)) {
            return MigrateType.MOVABLE;
        }
        if (has(GfpFlag.RECLAIMABLE)) {
            return MigrateType.RECLAIMABLE;
        }
        return MigrateType.UNMOVABLE;
    }

    /** The numeric value in {@code layout}; flags absent from it contribute nothing. */
    public long encode(GfpLayout layout) {
        long v = 0;
        for (GfpFlag f : GfpFlag.values()) {
            if (has(f)) {
                v |= f.bit(layout);
            }
        }
        return v;
    }

    /**
     * Decodes a numeric {@code mode:}/{@code gfp_mask=} value of {@code layout}. Bits no flag of
     * that layout owns are returned in {@link Decoded#unknownBits}, never dropped silently.
     */
    public static Decoded decode(long value, GfpLayout layout) {
        long m = 0;
        long known = 0;
        for (GfpFlag f : GfpFlag.values()) {
            long b = f.bit(layout);
            if (b != 0 && (value & b) == b) {
                m |= f.maskBit();
                known |= b;
            }
        }
        return new Decoded(new GfpMask(m), value & ~known);
    }

    /**
     * The kernel's {@code %pGg} rendering of this mask in {@code layout} (§3.5), e.g.
     * {@code GFP_ATOMIC|__GFP_COLD|__GFP_COMP}; the empty mask gives {@code ""}. See
     * {@link GfpLayout#format(long)} for the walk.
     */
    public String format(GfpLayout layout) {
        return layout.format(encode(layout));
    }

    /** Version-independent debug form: {@code GfpMask[HIGH|ATOMIC|KSWAPD_RECLAIM]}. */
    @Override
    public String toString() {
        StringJoiner j = new StringJoiner("|", "GfpMask[", "]");
        for (GfpFlag f : GfpFlag.values()) {
            if (has(f)) {
                j.add(f.name());
            }
        }
        return j.toString();
    }

    /**
     * The result of {@link #decode}.
     *
     * @param mask the flags the layout knows
     * @param unknownBits the rest of the value (0 when it decoded completely)
     */
    public record Decoded(GfpMask mask, long unknownBits) {
        public boolean isComplete() {
            return unknownBits == 0;
        }
    }
}
