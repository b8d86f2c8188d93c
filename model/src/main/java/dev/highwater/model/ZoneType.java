package dev.highwater.model;

/**
 * Zone types in the kernel's index order (kernel-semantics §1.1). Only the zones a trace
 * configures exist; their order decides the zonelist and the {@code lowmem_reserve[]} index.
 */
public enum ZoneType {
    DMA("DMA"),
    DMA32("DMA32"),
    NORMAL("Normal"),
    HIGHMEM("HighMem"),
    MOVABLE("Movable");

    private final String kernelName;

    ZoneType(String kernelName) {
        this.kernelName = kernelName;
    }

    /** The name the kernel prints in reports ({@code Normal}, {@code DMA32}, ...). */
    public String kernelName() {
        return kernelName;
    }

    /** "lowmem" = not HighMem (and, from 6.6, not Movable: callers pass that rule). */
    public boolean isHighmemLike(boolean movableCountsAsHighmem) {
        return this == HIGHMEM || (movableCountsAsHighmem && this == MOVABLE);
    }

    /** Parses the kernel's spelling, case-insensitively ({@code Normal}, {@code dma32}). */
    public static ZoneType parse(String s) {
        for (ZoneType t : values()) {
            if (t.kernelName.equalsIgnoreCase(s) || t.name().equalsIgnoreCase(s)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown zone '" + s + "' (expected DMA, DMA32, Normal, HighMem or Movable)");
    }
}
