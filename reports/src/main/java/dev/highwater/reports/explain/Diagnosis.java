package dev.highwater.reports.explain;

/** Why a request failed, as the replay on the reconstructed zone state shows (issue 10's classes). */
public enum Diagnosis {
    /** The watermark check fails: free pages at or below the caller's (reduced) minimum (kernel-semantics §2.1). */
    BELOW_WATERMARK("below the watermark"),
    /** A lower zone has the pages, but its lowmem_reserve for the request's classzone keeps them (§1.6). */
    LOWMEM_RESERVE("lowmem_reserve"),
    /** Enough free pages, but no free block of the order (external fragmentation). */
    FRAGMENTATION("fragmentation"),
    /** The free pages sit on HIGHATOMIC lists the request may not use, or are subtracted as reserve (§2.1, §5.1, §6). */
    HIGHATOMIC_ONLY("free pages only in highatomic blocks"),
    /** The free pages sit in CMA pageblocks, which only movable requests use. */
    CMA_ONLY("free pages only in CMA blocks"),
    /** Below the watermark with nothing reclaimable: a genuine exhaustion. */
    EXHAUSTION("genuine exhaustion, nothing reclaimable"),
    /**
     * A high-order request larger than all the free memory of the zones it may use: no arrangement of the free pages
     * serves it (a boot-time GFP_DMA pool of 2 MB against a DMA zone with 1 MB free).
     */
    TOO_LARGE("larger than the free memory of the request's zones"),
    /** Every zone the request may use (its gfp_zone and below) manages no pages: no memory pressure can explain it. */
    NO_USABLE_ZONE("no usable memory in the request's zones"),
    /** The log's report is not a page-allocator failure (memcg OOM, vmalloc, a plain show_mem). */
    NOT_ALLOCATOR("not a page-allocator failure"),
    /** The request is decoded, but the log carries no zone state to replay it on. */
    NO_ZONE_STATE("request decoded, no zone state in the log"),
    /** The printed state satisfies the request in the model: the dump was taken after things changed. */
    PASSES_IN_MODEL("the printed state satisfies the request"),
    /** A buddyinfo dump on its own: a fragmentation profile, no request. */
    BUDDYINFO("buddyinfo profile"),
    /** A /proc/zoneinfo (and pagetypeinfo) snapshot: the zones, and the probe requests replayed on them. */
    SNAPSHOT("zone snapshot");

    private final String text;

    Diagnosis(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }

    /** The kebab-case id used in summaries and JUnit XML. */
    public String id() {
        return name().toLowerCase().replace('_', '-');
    }
}
