package dev.highwater.model;

/**
 * How a kernel version computes min/low/high and lowmem_reserve (kernel-semantics §1, table §1.8).
 *
 * @param sizeFromPresent            2.6.32: formulas use present pages, 4.4+ managed (§1.1)
 * @param lowHighFromScaleFactor     4.6+ (795ae7a0de6b): delta = max(tmp/4, managed*wsf/10000); before: +tmp/4, +tmp/2 (§1.4)
 * @param minFreeKbytesCap           65536 (≤5.4) or 262144 (5.10+) (§1.2)
 * @param ratioBelowOneMeansNoReserve 4.19+: a lowmem_reserve_ratio < 1 means no reserve; before it is forced to 1 (§1.6)
 * @param skipEmptyLowerZone         6.1+: a lower zone with managed 0 gets no reserve (§1.6)
 * @param movableMinCappedLikeHighmem 6.6+: the Movable zone's min is clamped like HighMem's (§1.3)
 * @param highmemRatioZero           4.19+: the default HighMem ratio is 0 (§1.6)
 * @param wsfMax                     largest accepted watermark_scale_factor (1000, or 3000 from 5.15)
 * @param khugepagedLowmemZonesOnly  5.4+: khugepaged's recommended min_free_kbytes counts only zones up to Normal;
 *                                   4.9 counts every populated zone (§1.2a)
 */
public record WatermarkRules(boolean sizeFromPresent, boolean lowHighFromScaleFactor, int minFreeKbytesCap,
                             boolean ratioBelowOneMeansNoReserve, boolean skipEmptyLowerZone,
                             boolean movableMinCappedLikeHighmem, boolean highmemRatioZero, int wsfMax,
                             boolean khugepagedLowmemZonesOnly) {
}
