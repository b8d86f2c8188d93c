package dev.highwater.model;

import static dev.highwater.model.AllocFlags.HARDER;
import static dev.highwater.model.AllocFlags.HIGH;
import static dev.highwater.model.AllocFlags.HIGHATOMIC;
import static dev.highwater.model.AllocFlags.MIN_RESERVE;
import static dev.highwater.model.AllocFlags.NON_BLOCK;
import static dev.highwater.model.AllocFlags.OOM;
import static dev.highwater.model.AllocFlags.RESERVES;

import dev.highwater.model.policy.KernelPolicy;
import dev.highwater.model.policy.ReserveRules;

/**
 * {@code __zone_watermark_ok} and {@code zone_watermark_fast} as pure functions of a zone's counters, per
 * kernel version (kernel-semantics §2.1, §2.2). Integer arithmetic exactly as the kernel's: halving and
 * quartering round down and are applied in the kernel's order.
 */
public final class WatermarkCheck {
    /** The types any request may take from, in the order the order-k scan looks at them (not written to). */
    private static final MigrateType[] UME = {MigrateType.UNMOVABLE, MigrateType.MOVABLE, MigrateType.RECLAIMABLE};

    private WatermarkCheck() {
    }

    /** The zone counters the check reads. {@code nrFreeHighatomic} is only read by 6.12+ rules. */
    public record Counters(long nrFreePages, long nrReservedHighatomic, long nrFreeHighatomic) {
    }

    /** True if the caller counts as "harder" for HA subtraction and the HIGHATOMIC lists (§2.1 per version). */
    public static boolean reserveAccess(ReserveRules rules, int flags) {
        return switch (rules) {
            case V2_6_32, V4_4 -> (flags & HARDER) != 0;
            case V4_14 -> (flags & (HARDER | OOM)) != 0;
            case V6_3 -> (flags & RESERVES) != 0;
        };
    }

    /** {@code __zone_watermark_unusable_free}: pages the caller may not count as free (§2.1). */
    public static long unusableFree(KernelPolicy p, Counters c, int order, int flags) {
        long unusable = (1L << order) - 1;
        if (!reserveAccess(p.reserveRules(), flags)) {
            unusable += switch (p.highatomicSubtraction()) {
                case NONE -> 0L;
                case RESERVED -> c.nrReservedHighatomic();
                case FREE_HIGHATOMIC -> c.nrFreeHighatomic();
            };
        }
        return unusable;
    }

    /** The reduced minimum for this caller (§2.1: HIGH halves, HARDER takes a quarter, ...). */
    public static long effectiveMin(ReserveRules rules, long mark, int flags) {
        long min = mark;
        switch (rules) {
            case V2_6_32, V4_4 -> {
                if ((flags & HIGH) != 0) {
                    min -= min / 2;
                }
                if ((flags & HARDER) != 0) {
                    min -= min / 4;
                }
            }
            case V4_14 -> {
                if ((flags & HIGH) != 0) {
                    min -= min / 2;
                }
                if ((flags & (HARDER | OOM)) != 0) {
                    min -= (flags & OOM) != 0 ? min / 2 : min / 4;
                }
            }
            case V6_3 -> {
                if ((flags & RESERVES) != 0) {
                    if ((flags & MIN_RESERVE) != 0) {
                        min -= min / 2;
                        if ((flags & NON_BLOCK) != 0) {
                            min -= min / 4;
                        }
                    }
                    if ((flags & OOM) != 0) {
                        min -= min / 2;
                    }
                }
            }
        }
        return min;
    }

    /**
     * {@code __zone_watermark_ok(z, order, mark, classzone, flags, free)}.
     *
     * @param free           the free count to use (NR_FREE_PAGES, or reclaimable + free in should_reclaim_retry)
     * @param lowmemReserve  {@code z->lowmem_reserve[classzone]}
     */
    public static boolean zoneWatermarkOk(KernelPolicy p, Counters c, FreeAreaView area, int maxOrder, int order,
                                          long mark, long lowmemReserve, int flags, long free) {
        ReserveRules rules = p.reserveRules();
        boolean harder = reserveAccess(rules, flags);
        long min = effectiveMin(rules, mark, flags);
        if (p.highOrderCheck() == dev.highwater.model.policy.HighOrderCheck.SHRINKING_MIN) {
            // 2.6.32: free − 2^o + 1, then the per-order shrinking minimum; no HA, R not re-added.
            long f = free - (1L << order) + 1;
            if (f <= min + lowmemReserve) {
                return false;
            }
            for (int k = 0; k < order; k++) {
                f -= area.nrFree(k) << k;
                min >>= 1;
                if (f <= min) {
                    return false;
                }
            }
            return true;
        }
        long f = free - unusableFree(p, c, order, flags);
        if (f <= min + lowmemReserve) {
            return false;
        }
        if (order == 0) {
            return true;
        }
        for (int k = order; k < maxOrder; k++) {
            if (area.nrFree(k) == 0) {
                continue;
            }
            switch (p.highOrderCheck()) {
                case ANY_LIST_IF_HARDER -> {
                    // 4.4–4.14.0: any non-empty order counts for harder callers (b050e3769c6b's false positive).
                    if (harder) {
                        return true;
                    }
                }
                case TYPED_LISTS -> {
                    boolean highatomicAllowed = rules == ReserveRules.V6_3
                        ? (flags & (HIGHATOMIC | OOM)) != 0
                        : harder;
                    if (highatomicAllowed && area.hasFree(k, MigrateType.HIGHATOMIC)) {
                        return true;
                    }
                }
                default -> throw new IllegalStateException();
            }
            for (MigrateType t : UME) {
                if (area.hasFree(k, t)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * {@code zone_watermark_fast} (§2.2): the order-0 shortcut of the version, then the full check, then (5.10+)
     * the boost exemption for atomic order-0 requests at WMARK_MIN.
     *
     * @param unboostedMin   {@code _watermark[WMARK_MIN]} without the boost (for the exemption)
     * @param boostExempt    whether this request qualifies for the boost exemption (§1.5)
     */
    public static boolean zoneWatermarkFast(KernelPolicy p, Counters c, FreeAreaView area, int maxOrder, int order,
                                            long mark, long lowmemReserve, int flags, boolean boostExempt,
                                            long unboostedMin) {
        long free = c.nrFreePages();
        if (order == 0) {
            switch (p.fastPathCheck()) {
                case NONE -> {
                }
                case IGNORES_HIGHATOMIC -> {
                    // 4.7–5.8: highatomic not subtracted, no reduction: "harmless" corner case (§2.2).
                    if (free > mark + lowmemReserve) {
                        return true;
                    }
                }
                case CLAMPED_UNUSABLE -> {
                    long usable = free - Math.min(free, unusableFree(p, c, 0, flags));
                    if (usable > mark + lowmemReserve) {
                        return true;
                    }
                }
            }
        }
        if (zoneWatermarkOk(p, c, area, maxOrder, order, mark, lowmemReserve, flags, free)) {
            return true;
        }
        if (order == 0 && boostExempt && mark != unboostedMin) {
            return zoneWatermarkOk(p, c, area, maxOrder, order, unboostedMin, lowmemReserve, flags, free);
        }
        return false;
    }

}
