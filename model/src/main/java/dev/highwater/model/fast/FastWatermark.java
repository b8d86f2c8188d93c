package dev.highwater.model.fast;

import static dev.highwater.model.AllocFlags.HIGHATOMIC;
import static dev.highwater.model.AllocFlags.OOM;

import dev.highwater.model.WatermarkCheck;
import dev.highwater.model.policy.FastPathCheck;
import dev.highwater.model.policy.HighOrderCheck;
import dev.highwater.model.policy.HighatomicSubtraction;
import dev.highwater.model.policy.KernelPolicy;
import dev.highwater.model.policy.ReserveRules;

/**
 * {@link WatermarkCheck#zoneWatermarkOk} and {@link WatermarkCheck#zoneWatermarkFast} over a {@link FastAllocator}
 * zone's lock-free counters, with the policy's switches decoded once, and without creating a {@code Counters} record
 * or fallback arrays per call. The arithmetic is {@link WatermarkCheck}'s, statement for statement
 * ({@link WatermarkCheck#effectiveMin} is called as it is, and {@link WatermarkCheck#reserveAccess} is reduced to the
 * bit mask it tests, verified at class initialisation); the differential property holds the two to the same answers.
 */
final class FastWatermark {
    private static final int U = FastAllocator.U;
    private static final int M = FastAllocator.M;
    private static final int E = FastAllocator.E;
    private static final int H = FastAllocator.H;
    private static final int SUB_NONE = 0;
    private static final int SUB_RESERVED = 1;
    private static final int SUB_FREE = 2;
    /** {@code reserveAccess(rules, flags) == ((flags & ACCESS_MASK[rules]) != 0)}. */
    private static final int[] ACCESS_MASK = new int[ReserveRules.values().length];

    static {
        for (ReserveRules r : ReserveRules.values()) {
            int mask = 0;
            for (int b = 0; b < 31; b++) {
                if (WatermarkCheck.reserveAccess(r, 1 << b)) {
                    mask |= 1 << b;
                }
            }
            for (int flags = 0; flags < 1 << 16; flags++) {
                if (WatermarkCheck.reserveAccess(r, flags) != ((flags & mask) != 0)) {
                    throw new ExceptionInInitializerError("reserveAccess(" + r + ") is not a bit test");
                }
            }
            ACCESS_MASK[r.ordinal()] = mask;
        }
    }

    private final ReserveRules rules;
    private final int accessMask;
    private final int subtraction;
    private final FastPathCheck fastPathCheck;
    private final HighOrderCheck highOrderCheck;
    private final int maxOrder;

    FastWatermark(KernelPolicy p, int maxOrder) {
        this.rules = p.reserveRules();
        this.accessMask = ACCESS_MASK[rules.ordinal()];
        HighatomicSubtraction s = p.highatomicSubtraction();
        this.subtraction = s == HighatomicSubtraction.NONE ? SUB_NONE
            : s == HighatomicSubtraction.RESERVED ? SUB_RESERVED : SUB_FREE;
        this.fastPathCheck = p.fastPathCheck();
        this.highOrderCheck = p.highOrderCheck();
        this.maxOrder = maxOrder;
    }

    /** {@code __zone_watermark_unusable_free} (§2.1). */
    private long unusableFree(FastAllocator.Zone z, int order, int flags) {
        long unusable = (1L << order) - 1;
        if ((flags & accessMask) == 0) {
            if (subtraction == SUB_RESERVED) {
                unusable += z.nrReservedHighatomicOpaque();
            } else if (subtraction == SUB_FREE) {
                unusable += z.nrFreeHighatomicOpaque();
            }
        }
        return unusable;
    }

    /** {@code __zone_watermark_ok(z, order, mark, classzone, flags, free)}. */
    boolean ok(FastAllocator.Zone z, int order, long mark, long lowmemReserve, int flags, long free) {
        boolean harder = (flags & accessMask) != 0;
        long min = WatermarkCheck.effectiveMin(rules, mark, flags);
        if (highOrderCheck == HighOrderCheck.SHRINKING_MIN) {
            // 2.6.32: free − 2^o + 1, then the per-order shrinking minimum; no HA, R not re-added.
            long f = free - (1L << order) + 1;
            if (f <= min + lowmemReserve) {
                return false;
            }
            for (int k = 0; k < order; k++) {
                f -= z.nrFreeOpaque(k) << k;
                min >>= 1;
                if (f <= min) {
                    return false;
                }
            }
            return true;
        }
        long f = free - unusableFree(z, order, flags);
        if (f <= min + lowmemReserve) {
            return false;
        }
        if (order == 0) {
            return true;
        }
        boolean anyIfHarder = highOrderCheck == HighOrderCheck.ANY_LIST_IF_HARDER;
        if (!anyIfHarder && highOrderCheck != HighOrderCheck.TYPED_LISTS) {
            throw new IllegalStateException();
        }
        boolean highatomicAllowed = rules == ReserveRules.V6_3 ? (flags & (HIGHATOMIC | OOM)) != 0 : harder;
        for (int k = order; k < maxOrder; k++) {
            if (z.nrFreeOpaque(k) == 0) {
                continue;
            }
            if (anyIfHarder) {
                if (harder) {
                    return true; // 4.4–4.14.0: any non-empty order counts for harder callers
                }
            } else if (highatomicAllowed && z.hasFreeOpaque(k, H)) {
                return true;
            }
            if (z.hasFreeOpaque(k, U) || z.hasFreeOpaque(k, M) || z.hasFreeOpaque(k, E)) {
                return true;
            }
        }
        return false;
    }

    /** {@code zone_watermark_fast} (§2.2). */
    boolean fast(FastAllocator.Zone z, int order, long mark, long lowmemReserve, int flags, boolean boostExempt,
                 long unboostedMin) {
        long free = z.nrFreePagesOpaque();
        if (order == 0) {
            if (fastPathCheck == FastPathCheck.IGNORES_HIGHATOMIC) {
                // 4.7–5.8: highatomic not subtracted, no reduction (§2.2)
                if (free > mark + lowmemReserve) {
                    return true;
                }
            } else if (fastPathCheck == FastPathCheck.CLAMPED_UNUSABLE) {
                long usable = free - Math.min(free, unusableFree(z, 0, flags));
                if (usable > mark + lowmemReserve) {
                    return true;
                }
            }
        }
        if (ok(z, order, mark, lowmemReserve, flags, free)) {
            return true;
        }
        if (order == 0 && boostExempt && mark != unboostedMin) {
            return ok(z, order, unboostedMin, lowmemReserve, flags, free);
        }
        return false;
    }
}
