package dev.highwater.model;

import java.util.ArrayList;
import java.util.List;

/**
 * The allocator's internal ALLOC_* bits by their model names (kernel-semantics §0.2, §3.1).
 * The numeric values here are the model's own; what a bit <em>means</em> per version is decided
 * by {@link dev.highwater.model.policy.ReserveRules}.
 */
public final class AllocFlags {
    private AllocFlags() {
    }

    /** Watermark index in the low two bits: 0 = min, 1 = low, 2 = high. */
    public static final int WMARK_MIN = 0x0;
    public static final int WMARK_LOW = 0x1;
    public static final int WMARK_HIGH = 0x2;
    public static final int WMARK_MASK = 0x3;
    public static final int NO_WATERMARKS = 0x4;
    public static final int OOM = 0x8;
    /** ≤6.2: "harder" (GFP_ATOMIC, RT tasks). */
    public static final int HARDER = 0x10;
    /** ≤6.2: __GFP_HIGH. */
    public static final int HIGH = 0x20;
    public static final int CPUSET = 0x40;
    public static final int CMA = 0x80;
    public static final int NOFRAGMENT = 0x100;
    /** 6.3+: ALLOC_HIGHATOMIC (non-blocking, order > 0). */
    public static final int HIGHATOMIC = 0x200;
    public static final int KSWAPD = 0x800;
    /** 6.3+: cannot direct-reclaim. */
    public static final int NON_BLOCK = 0x1000;
    /** 6.3+: __GFP_HIGH or RT task. */
    public static final int MIN_RESERVE = 0x2000;
    /** 4.4–4.7: fair zone allocation policy marker (no effect in the model). */
    public static final int FAIR = 0x4000;

    /** 6.3+: ALLOC_RESERVES. */
    public static final int RESERVES = NON_BLOCK | MIN_RESERVE | HIGHATOMIC | OOM;

    public static int wmarkIndex(int flags) {
        return flags & WMARK_MASK;
    }

    /** Human-readable, e.g. {@code WMARK_MIN|HIGH|HARDER|KSWAPD}. */
    public static String toString(int flags) {
        List<String> parts = new ArrayList<>();
        parts.add(switch (flags & WMARK_MASK) {
            case WMARK_MIN -> "WMARK_MIN";
            case WMARK_LOW -> "WMARK_LOW";
            case WMARK_HIGH -> "WMARK_HIGH";
            default -> "WMARK_?";
        });
        String[] names = {"NO_WATERMARKS", "OOM", "HARDER", "HIGH", "CPUSET", "CMA", "NOFRAGMENT", "HIGHATOMIC",
            "KSWAPD", "NON_BLOCK", "MIN_RESERVE", "FAIR"};
        int[] bits = {NO_WATERMARKS, OOM, HARDER, HIGH, CPUSET, CMA, NOFRAGMENT, HIGHATOMIC, KSWAPD, NON_BLOCK,
            MIN_RESERVE, FAIR};
        for (int i = 0; i < bits.length; i++) {
            if ((flags & bits[i]) != 0) {
                parts.add(names[i]);
            }
        }
        return String.join("|", parts);
    }
}
