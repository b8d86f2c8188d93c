package dev.highwater.model;

import java.util.Optional;

/**
 * The single {@code __GFP_*} flags, independent of any kernel version (kernel-semantics §3.4,
 * §3.5). A flag's numeric value and printed name depend on the {@link GfpLayout}; a flag that
 * does not exist in a layout has {@link #bit(GfpLayout) bit} 0 there.
 *
 * <p>Renamed bits are one flag here: {@code __GFP_WAIT} (≤4.3) is {@link #DIRECT_RECLAIM}, because
 * 4.4 split it into DIRECT_RECLAIM + KSWAPD_RECLAIM and "may sleep" is what the old bit meant;
 * {@code __GFP_REPEAT} (≤4.12) is {@link #RETRY_MAYFAIL}.
 *
 * <p>The bit columns are, in order, the layouts {@code V2_6_32, V4_4, V4_8, V4_10, V4_15, V5_1,
 * V6_3} and come from the §3.5 bit table. Choices made where that table has more than one value:
 * V2_6_32 includes the bracketed 3.x additions (MEMALLOC, NO_KSWAPD, OTHER_NODE, WRITE, KMEMCG);
 * NOLOCKDEP is 0x800000 in V5_1 (the 5.1–5.x value; 5.15 has 0x2000000 and 6.1 0x8000000) and
 * 0x4000000 in V6_3 (the 6.6 value).
 */
public enum GfpFlag {
    //                   2.6.32      4.4        4.8        4.10       4.15       5.1        6.3
    DMA(                 0x1,        0x1,       0x1,       0x1,       0x1,       0x1,       0x1),
    HIGHMEM(             0x2,        0x2,       0x2,       0x2,       0x2,       0x2,       0x2),
    DMA32(               0x4,        0x4,       0x4,       0x4,       0x4,       0x4,       0x4),
    MOVABLE(             0x8,        0x8,       0x8,       0x8,       0x8,       0x8,       0x8),
    RECLAIMABLE(         0x80000,    0x10,      0x10,      0x10,      0x10,      0x10,      0x10),
    HIGH(                0x20,       0x20,      0x20,      0x20,      0x20,      0x20,      0x20),
    IO(                  0x40,       0x40,      0x40,      0x40,      0x40,      0x40,      0x40),
    FS(                  0x80,       0x80,      0x80,      0x80,      0x80,      0x80,      0x80),
    COLD(                0x100,      0x100,     0x100,     0x100,     0,         0,         0),
    WRITE(               0x1000000,  0x1000000, 0x1000000, 0x800000,  0x100,     0x1000,    0x1000),
    NOWARN(              0x200,      0x200,     0x200,     0x200,     0x200,     0x2000,    0x2000),
    /** {@code __GFP_REPEAT} in V2_6_32..V4_10, {@code __GFP_RETRY_MAYFAIL} from V4_15. */
    RETRY_MAYFAIL(       0x400,      0x400,     0x400,     0x400,     0x400,     0x4000,    0x4000),
    NOFAIL(              0x800,      0x800,     0x800,     0x800,     0x800,     0x8000,    0x8000),
    NORETRY(             0x1000,     0x1000,    0x1000,    0x1000,    0x1000,    0x10000,   0x10000),
    MEMALLOC(            0x2000,     0x2000,    0x2000,    0x2000,    0x2000,    0x20000,   0x20000),
    COMP(                0x4000,     0x4000,    0x4000,    0x4000,    0x4000,    0x40000,   0x40000),
    ZERO(                0x8000,     0x8000,    0x8000,    0x8000,    0x8000,    0x100,     0x100),
    NOMEMALLOC(          0x10000,    0x10000,   0x10000,   0x10000,   0x10000,   0x80000,   0x80000),
    HARDWALL(            0x20000,    0x20000,   0x20000,   0x20000,   0x20000,   0x100000,  0x100000),
    THISNODE(            0x40000,    0x40000,   0x40000,   0x40000,   0x40000,   0x200000,  0x200000),
    /** 4.4–6.2 only ("mm: discard __GFP_ATOMIC", 6.3, leaves 0x200 unused). */
    ATOMIC(              0,          0x80000,   0x80000,   0x80000,   0x80000,   0x200,     0),
    /** 4.5+ (bit 0x100000 of the V4_8 layout). */
    ACCOUNT(             0,          0,         0x100000,  0x100000,  0x100000,  0x400000,  0x400000),
    /** 4.4 only: the same bit as ACCOUNT in 4.5+, with the opposite meaning. */
    NOACCOUNT(           0,          0x100000,  0,         0,         0,         0,         0),
    NOTRACK(             0x200000,   0x200000,  0x200000,  0x200000,  0,         0,         0),
    /** {@code __GFP_WAIT} in V2_6_32. */
    DIRECT_RECLAIM(      0x10,       0x400000,  0x400000,  0x400000,  0x200000,  0x400,     0x400),
    /** 4.4+; before that every request woke kswapd (see {@link GfpMask#canWakeKswapd}). */
    KSWAPD_RECLAIM(      0,          0x2000000, 0x2000000, 0x1000000, 0x400000,  0x800,     0x800),
    OTHER_NODE(          0x800000,   0x800000,  0x800000,  0,         0,         0,         0),
    /** 3.x (V2_6_32 layout) only: the request must not wake kswapd (THP allocations). */
    NO_KSWAPD(           0x400000,   0,         0,         0,         0,         0,         0),
    /** A 3.10-based vendor tree only (V2_6_32 layout). */
    KMEMCG(              0x100000,   0,         0,         0,         0,         0,         0),
    /** Lockdep builds only, 4.12+. */
    NOLOCKDEP(           0,          0,         0,         0x2000000, 0x800000,  0x800000,  0x4000000);

    private static final String PREFIX = "__GFP_";
    /** Columns per flag; a constant (not GfpLayout.values()) so class initialisation has no cycle. */
    private static final int LAYOUT_COUNT = 7;

    private final long[] bits;

    GfpFlag(long... bits) {
        if (bits.length != LAYOUT_COUNT) {
            throw new AssertionError(name() + ": one bit per layout expected");
        }
        this.bits = bits;
    }

    /** The numeric value of this flag in {@code layout}; 0 when the flag does not exist there. */
    public long bit(GfpLayout layout) {
        return bits[layout.ordinal()];
    }

    /** True when the flag has a bit in {@code layout}. */
    public boolean existsIn(GfpLayout layout) {
        return bit(layout) != 0;
    }

    /** The kernel's name everywhere except for the renamed bits: {@code __GFP_NOWARN}. */
    public String kernelName() {
        return PREFIX + name();
    }

    /**
     * The name the kernel of {@code layout} uses: {@code __GFP_WAIT} for DIRECT_RECLAIM in
     * V2_6_32, {@code __GFP_REPEAT} for RETRY_MAYFAIL in V2_6_32..V4_10 (the rename came in 4.13,
     * inside the 4.10–4.14 column; the column is named by its older spelling). A flag absent from
     * {@code layout} still gets its usual name.
     */
    public String kernelName(GfpLayout layout) {
        if (this == DIRECT_RECLAIM && layout == GfpLayout.V2_6_32) {
            return "__GFP_WAIT";
        }
        if (this == RETRY_MAYFAIL && layout.compareTo(GfpLayout.V4_10) <= 0) {
            return "__GFP_REPEAT";
        }
        return kernelName();
    }

    /** The single-bit mask of this flag. */
    long maskBit() {
        return 1L << ordinal();
    }

    /**
     * The flag for a kernel name in any version's spelling: {@code __GFP_NOWARN},
     * {@code __GFP_WAIT} (= DIRECT_RECLAIM), {@code __GFP_REPEAT} (= RETRY_MAYFAIL). Exact,
     * case-sensitive match; composites such as {@code __GFP_RECLAIM} are not single flags.
     */
    public static Optional<GfpFlag> fromKernelName(String name) {
        if (name == null || !name.startsWith(PREFIX)) {
            return Optional.empty();
        }
        String bare = name.substring(PREFIX.length());
        switch (bare) {
            case "WAIT":
                return Optional.of(DIRECT_RECLAIM);
            case "REPEAT":
                return Optional.of(RETRY_MAYFAIL);
            default:
                for (GfpFlag f : values()) {
                    if (f.name().equals(bare)) {
                        return Optional.of(f);
                    }
                }
                return Optional.empty();
        }
    }
}
