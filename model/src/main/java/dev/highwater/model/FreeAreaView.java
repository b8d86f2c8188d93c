package dev.highwater.model;

/** What the watermark check reads of a zone's buddy free area (kernel-semantics §2.4). */
public interface FreeAreaView {
    /** {@code free_area[order].nr_free}: free blocks of that order, all types. */
    long nrFree(int order);

    /** Whether {@code free_area[order].free_list[type]} is non-empty. */
    boolean hasFree(int order, MigrateType type);
}
