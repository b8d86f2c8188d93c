package dev.highwater.model;

import java.util.List;

/**
 * The static watermarks and {@code lowmem_reserve[]} of one zone, in pages (kernel-semantics §1.3–§1.6).
 * Watermark boost (§1.5) is not part of this record: it is run-time state added on top of these values.
 *
 * @param min           {@code _watermark[WMARK_MIN]}
 * @param low           {@code _watermark[WMARK_LOW]}
 * @param high          {@code _watermark[WMARK_HIGH]}
 * @param lowmemReserve {@code R(z, j)}: one entry per configured zone of the node, indexed by the POSITION of the
 *                      classzone in the node's zone list (the i-th zone passed to {@link Watermarks#compute}); the
 *                      entries at this zone's own position and below are 0
 */
public record ZoneWatermarks(long min, long low, long high, List<Long> lowmemReserve) {
    /** Index of {@code min} for {@link #mark(int)}. */
    public static final int WMARK_MIN = 0;
    /** Index of {@code low} for {@link #mark(int)}. */
    public static final int WMARK_LOW = 1;
    /** Index of {@code high} for {@link #mark(int)}. */
    public static final int WMARK_HIGH = 2;

    public ZoneWatermarks {
        lowmemReserve = List.copyOf(lowmemReserve);
        if (min < 0 || low < min || high < low) {
            throw new IllegalArgumentException("need 0 <= min <= low <= high, got " + min + "/" + low + "/" + high);
        }
        for (Long r : lowmemReserve) {
            if (r < 0) {
                throw new IllegalArgumentException("negative lowmem_reserve entry " + r);
            }
        }
    }

    /** The watermark by kernel index: 0 = min, 1 = low, 2 = high. */
    public long mark(int wmarkIndex) {
        return switch (wmarkIndex) {
            case WMARK_MIN -> min;
            case WMARK_LOW -> low;
            case WMARK_HIGH -> high;
            default -> throw new IllegalArgumentException("watermark index " + wmarkIndex + " (expected 0=min, 1=low, 2=high)");
        };
    }

    /** {@code R(z, j)} for the classzone at position {@code classzonePosition} of the node's zone list. */
    public long lowmemReserve(int classzonePosition) {
        if (classzonePosition < 0 || classzonePosition >= lowmemReserve.size()) {
            throw new IndexOutOfBoundsException("classzone position " + classzonePosition + " of " + lowmemReserve.size() + " zones");
        }
        return lowmemReserve.get(classzonePosition);
    }
}
