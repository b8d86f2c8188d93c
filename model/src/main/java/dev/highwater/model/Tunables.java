package dev.highwater.model;

import java.util.List;

/**
 * The vm sysctls the model reads (Documentation/admin-guide/sysctl/vm.rst names).
 *
 * @param minFreeKbytes          {@code vm.min_free_kbytes}; {@code -1} = never written, use the boot default (§1.2)
 * @param watermarkScaleFactor   {@code vm.watermark_scale_factor} (4.6+), default 10
 * @param lowmemReserveRatio     {@code vm.lowmem_reserve_ratio}, one entry per {@link ZoneType} in enum order
 *                               (DMA, DMA32, Normal, HighMem, Movable); §1.6 defaults via {@link #defaultRatios(boolean)}
 * @param watermarkBoostFactor   {@code vm.watermark_boost_factor} (5.0+), default 15000; 0 disables boosting
 * @param zoneReclaimMode        {@code vm.zone_reclaim_mode} bits (§8.3), default 0
 */
public record Tunables(int minFreeKbytes, int watermarkScaleFactor, List<Integer> lowmemReserveRatio,
                       int watermarkBoostFactor, int zoneReclaimMode) {
    public Tunables {
        lowmemReserveRatio = List.copyOf(lowmemReserveRatio);
        if (lowmemReserveRatio.size() != ZoneType.values().length) {
            throw new IllegalArgumentException("lowmem_reserve_ratio needs " + ZoneType.values().length + " entries");
        }
    }

    /** Defaults: DMA 256, DMA32 256, Normal 32, HighMem 32 (≤4.18) or 0 (4.19+), Movable 0 (§1.6). */
    public static List<Integer> defaultRatios(boolean highmemRatioZero) {
        return List.of(256, 256, 32, highmemRatioZero ? 0 : 32, 0);
    }

    /** The two default sets, built once: every run of a trace starts from one (a fuzz run builds its tunables anew). */
    private static final Tunables DEFAULTS_HIGHMEM_ZERO = new Tunables(-1, 10, defaultRatios(true), 15000, 0);
    private static final Tunables DEFAULTS_HIGHMEM_32 = new Tunables(-1, 10, defaultRatios(false), 15000, 0);

    public static Tunables defaults(boolean highmemRatioZero) {
        return highmemRatioZero ? DEFAULTS_HIGHMEM_ZERO : DEFAULTS_HIGHMEM_32;
    }

    public Tunables withMinFreeKbytes(int v) {
        return new Tunables(v, watermarkScaleFactor, lowmemReserveRatio, watermarkBoostFactor, zoneReclaimMode);
    }

    public Tunables withWatermarkScaleFactor(int v) {
        return new Tunables(minFreeKbytes, v, lowmemReserveRatio, watermarkBoostFactor, zoneReclaimMode);
    }

    public Tunables withLowmemReserveRatio(List<Integer> v) {
        return new Tunables(minFreeKbytes, watermarkScaleFactor, v, watermarkBoostFactor, zoneReclaimMode);
    }

    public Tunables withWatermarkBoostFactor(int v) {
        return new Tunables(minFreeKbytes, watermarkScaleFactor, lowmemReserveRatio, v, zoneReclaimMode);
    }

    public Tunables withZoneReclaimMode(int v) {
        return new Tunables(minFreeKbytes, watermarkScaleFactor, lowmemReserveRatio, watermarkBoostFactor, v);
    }
}
