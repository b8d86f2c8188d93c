package dev.highwater.model.trace;

import dev.highwater.model.Tunables;
import dev.highwater.model.ZoneType;
import dev.highwater.model.policy.KernelPolicy;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The {@code vm} header line: sysctls set before the first step; unset ones take the kernel's default for the
 * preset being run.
 */
public record VmSettings(OptionalInt minFreeKbytes, OptionalInt watermarkScaleFactor,
                         OptionalInt watermarkBoostFactor, Optional<List<Integer>> lowmemReserveRatio,
                         OptionalInt zoneReclaimMode) {
    public static final VmSettings DEFAULTS = new VmSettings(OptionalInt.empty(), OptionalInt.empty(),
        OptionalInt.empty(), Optional.empty(), OptionalInt.empty());

    public VmSettings {
        lowmemReserveRatio = lowmemReserveRatio.map(List::copyOf);
        lowmemReserveRatio.ifPresent(r -> {
            if (r.size() != ZoneType.values().length) {
                throw new IllegalArgumentException("lowmem_reserve_ratio needs " + ZoneType.values().length
                    + " entries (DMA:DMA32:Normal:HighMem:Movable), got " + r.size());
            }
        });
    }

    public boolean isDefault() {
        return this.equals(DEFAULTS);
    }

    /** The tunables in force at boot under a preset. */
    public Tunables toTunables(KernelPolicy policy) {
        Tunables t = Tunables.defaults(policy.watermarkRules().highmemRatioZero());
        if (minFreeKbytes.isPresent()) {
            t = t.withMinFreeKbytes(minFreeKbytes.getAsInt());
        }
        if (watermarkScaleFactor.isPresent()) {
            t = t.withWatermarkScaleFactor(watermarkScaleFactor.getAsInt());
        }
        if (watermarkBoostFactor.isPresent()) {
            t = t.withWatermarkBoostFactor(watermarkBoostFactor.getAsInt());
        }
        if (lowmemReserveRatio.isPresent()) {
            t = t.withLowmemReserveRatio(lowmemReserveRatio.get());
        }
        if (zoneReclaimMode.isPresent()) {
            t = t.withZoneReclaimMode(zoneReclaimMode.getAsInt());
        }
        return t;
    }
}
