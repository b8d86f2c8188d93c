package dev.highwater.model.policy;

import static dev.highwater.model.AllocFlags.CPUSET;
import static dev.highwater.model.AllocFlags.HARDER;
import static dev.highwater.model.AllocFlags.HIGH;
import static dev.highwater.model.AllocFlags.HIGHATOMIC;
import static dev.highwater.model.AllocFlags.KSWAPD;
import static dev.highwater.model.AllocFlags.MIN_RESERVE;
import static dev.highwater.model.AllocFlags.NO_WATERMARKS;
import static dev.highwater.model.AllocFlags.NON_BLOCK;
import static dev.highwater.model.AllocFlags.OOM;
import static dev.highwater.model.AllocFlags.WMARK_LOW;
import static dev.highwater.model.AllocFlags.WMARK_MIN;

import dev.highwater.model.AllocContext;
import dev.highwater.model.GfpFlag;
import dev.highwater.model.GfpMask;

/**
 * GFP mask → ALLOC_* flags per version: the fast path (§3.2), {@code gfp_to_alloc_flags} (§3.3) and the
 * reserve flags that replace them in the retry loop ({@code __gfp_pfmemalloc_flags}).
 */
public final class AllocFlagRules {
    private AllocFlagRules() {
    }

    /** §3.2: WMARK_LOW (+KSWAPD from 5.0, i.e. the 6.x presets). Cpusets are not modelled, so no CPUSET. */
    public static int fastPathFlags(KernelPolicy p, GfpMask gfp) {
        int flags = WMARK_LOW;
        if (p.reserveRules() == ReserveRules.V6_3 && gfp.has(GfpFlag.KSWAPD_RECLAIM)) {
            flags |= KSWAPD;
        }
        return flags;
    }

    /**
     * §3.3 {@code gfp_to_alloc_flags}. ≤6.2: a request with both __GFP_ATOMIC and __GFP_DIRECT_RECLAIM has
     * __GFP_ATOMIC dropped at slow-path entry (the caller passes the mask already cleaned by
     * {@link #slowPathGfp}).
     */
    public static int slowPathFlags(KernelPolicy p, AllocContext ac) {
        GfpMask gfp = ac.gfp();
        boolean rtInTask = ac.rtTask() && !ac.context().inInterrupt();
        int flags = WMARK_MIN | CPUSET;
        switch (p.reserveRules()) {
            case V2_6_32 -> {
                if (gfp.has(GfpFlag.HIGH)) {
                    flags |= HIGH;
                }
                if (!gfp.canDirectReclaim()) {
                    // "cannot wait": atomic requests get HARDER and ignore cpusets
                    flags |= HARDER;
                    flags &= ~CPUSET;
                } else if (rtInTask) {
                    flags |= HARDER;
                }
            }
            case V4_4, V4_14 -> {
                if (gfp.has(GfpFlag.HIGH)) {
                    flags |= HIGH;
                }
                if (gfp.has(GfpFlag.ATOMIC)) {
                    if (!gfp.has(GfpFlag.NOMEMALLOC)) {
                        flags |= HARDER;
                    }
                    flags &= ~CPUSET;
                } else if (rtInTask) {
                    flags |= HARDER;
                }
            }
            case V6_3 -> {
                if (gfp.has(GfpFlag.HIGH)) {
                    flags |= MIN_RESERVE;
                }
                if (gfp.has(GfpFlag.KSWAPD_RECLAIM)) {
                    flags |= KSWAPD;
                }
                if (!gfp.canDirectReclaim()) {
                    if (!gfp.has(GfpFlag.NOMEMALLOC)) {
                        flags |= NON_BLOCK;
                        boolean needsHigh = p.highatomicCreator() == HighatomicCreator.NON_BLOCK_HIGH_ORDER_WITH_HIGH;
                        if (ac.order() > 0 && (!needsHigh || (flags & MIN_RESERVE) != 0)) {
                            // ALLOC_HIGHATOMIC; 6.18+ (6a204d4b14c9) only with __GFP_HIGH
                            flags |= HIGHATOMIC;
                        }
                    }
                    if ((flags & MIN_RESERVE) != 0) {
                        flags &= ~CPUSET;
                    }
                } else if (rtInTask) {
                    flags |= MIN_RESERVE;
                }
            }
        }
        return flags;
    }

    /** ≤6.2: __GFP_ATOMIC together with __GFP_DIRECT_RECLAIM warns and drops __GFP_ATOMIC (§7.1 step 1). */
    public static GfpMask slowPathGfp(KernelPolicy p, GfpMask gfp) {
        if (p.reserveRules() != ReserveRules.V6_3 && gfp.has(GfpFlag.ATOMIC) && gfp.canDirectReclaim()) {
            return gfp.without(GfpFlag.ATOMIC);
        }
        return gfp;
    }

    /**
     * {@code __gfp_pfmemalloc_flags} (§3.3): the reserve flags that replace the slow-path flags in the retry
     * loop, or 0. Only OOM victims are modelled (no PF_MEMALLOC tasks, no __GFP_MEMALLOC users besides the flag).
     */
    public static int reserveFlags(KernelPolicy p, AllocContext ac) {
        GfpMask gfp = ac.gfp();
        if (gfp.has(GfpFlag.NOMEMALLOC)) {
            return 0;
        }
        if (gfp.has(GfpFlag.MEMALLOC)) {
            return NO_WATERMARKS;
        }
        if (!ac.context().inInterrupt() && ac.oomVictim()) {
            return switch (p.reserveRules()) {
                case V2_6_32, V4_4 -> NO_WATERMARKS;
                case V4_14, V6_3 -> OOM;
            };
        }
        return 0;
    }

    /** Whether the allocation reserves a highatomic pageblock after success (§6.1). */
    public static boolean triesHighatomicReserve(KernelPolicy p, int order, int flags) {
        if (order == 0) {
            return false;
        }
        return switch (p.highatomicCreator()) {
            case NEVER -> false;
            case HARDER_HIGH_ORDER -> (flags & HARDER) != 0;
            case NON_BLOCK_HIGH_ORDER, NON_BLOCK_HIGH_ORDER_WITH_HIGH -> (flags & HIGHATOMIC) != 0;
        };
    }

    /** Whether rmqueue tries the HIGHATOMIC lists first for this order > 0 request (§5.1). */
    public static boolean triesHighatomicFirst(KernelPolicy p, int order, int flags) {
        return triesHighatomicReserve(p, order, flags);
    }

    /** Whether rmqueue may fall back to the HIGHATOMIC lists after {@code __rmqueue} failed (§5.1). */
    public static boolean mayFallBackToHighatomic(KernelPolicy p, int flags) {
        return switch (p.highatomicFallback()) {
            case NONE -> false;
            case OOM_ONLY -> (flags & OOM) != 0;
            case OOM_AND_NON_BLOCK -> (flags & (OOM | NON_BLOCK)) != 0;
        };
    }
}
