package dev.highwater.model;

/**
 * One zone of the modelled node.
 *
 * @param type          which zone
 * @param managedPages  pages handed to the buddy allocator ("managed", §1.1); the model's zone has exactly these pages
 * @param presentPages  physical pages ("present"); 2.6.32 computes watermarks from it; ≥ managed
 * @param bootManagedPages the managed count when the watermarks were computed at boot (§1.2 item 6:
 *                      memory freed later in boot raises managed but not the watermarks); equals managed unless a report says otherwise
 */
public record ZoneSpec(ZoneType type, long managedPages, long presentPages, long bootManagedPages) {
    public ZoneSpec {
        if (managedPages < 0 || presentPages < managedPages || bootManagedPages < 0) {
            throw new IllegalArgumentException("zone " + type.kernelName() + ": need 0 <= managed <= present, boot_managed >= 0");
        }
    }

    public static ZoneSpec of(ZoneType type, long managedPages) {
        return new ZoneSpec(type, managedPages, managedPages, managedPages);
    }

    /** The record's equality, written out (see {@link NodeConfig#equals}). */
    @Override
    public boolean equals(Object o) {
        return o == this || o instanceof ZoneSpec z && z.type == type && z.managedPages == managedPages
            && z.presentPages == presentPages && z.bootManagedPages == bootManagedPages;
    }

    @Override
    public int hashCode() {
        int h = type.ordinal(); // the ordinal, not the enum's identity hash: the same value in every run
        h = 31 * h + Long.hashCode(managedPages);
        h = 31 * h + Long.hashCode(presentPages);
        return 31 * h + Long.hashCode(bootManagedPages);
    }
}
