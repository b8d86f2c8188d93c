package dev.highwater.properties.bugs;

import java.util.List;
import java.util.Optional;

/** The known-bug catalog (kernel-semantics §6.5, §7.2, §11, §13). */
public final class BugCatalog {
    private BugCatalog() {
    }

    private static final List<KnownBug> ALL = List.of(
        new KnownBug("highatomic-before-oom", "mm: try to exhaust highatomic reserve before the OOM", "04c8716f7b00",
            "4.10", List.of("linux-4.8"), "no-oom-above-min", List.of("linux-4.10"),
            "", false,
            "the force-unreserve runs only after 16 no-progress rounds, and should_reclaim_retry's back-off makes round"
                + " 16 test free - nr_reserved_highatomic > min, which already lets the allocation succeed unless the"
                + " reserve under-counts (a race, 4855e4a7f29d) or pages sit on other CPUs' lists: not reachable in a"
                + " sequential trace (the concurrency stress tests cover it); seed 002's OOM itself is fixed only by 6.8's"
                + " unreserve-before-oom (see that entry and corpus/seeds/seed-002-oom-highatomic.trace)"),
        new KnownBug("highatomic-double-decrease", "mm: prevent double decrease of nr_reserved_highatomic",
            "4855e4a7f29d", "4.10", List.of("linux-4.8"), "highatomic-within-cap",
            List.of("linux-4.9", "linux-4.10"), "bugs/highatomic-double-decrease.trace", true,
            "a page cached on a per-CPU list as HIGHATOMIC returns to the HIGHATOMIC list after its block was unreserved;"
                + " unreserving it again decrements nr_reserved_highatomic twice, so reservations pass the cap"),
        new KnownBug("unreserve-before-oom", "mm: page_alloc: unreserve highatomic page blocks before oom",
            "(Charan Teja Kalla, 2023-10-30)", "6.8", List.of("linux-6.3"), "no-oom-above-min",
            // 6.8 has this fix but still c928807f6f6b's bug (free-highatomic-tracking), which violates the same
            // property: the fuzzer found a 6.8 OOM kill with free 67 > min 64, nothing free in HIGHATOMIC blocks and
            // nr_reserved_highatomic 8 subtracted whole. So the presets clean for the property are those with both.
            List.of("linux-6.12", "mainline"), "bugs/unreserve-before-oom.trace", true,
            "should_reclaim_retry returns false before 16 rounds when nothing is reclaimable: the 4.10 force-unreserve"
                + " never runs and the OOM killer fires with free pages in HIGHATOMIC blocks"),
        new KnownBug("atomic-order0-highatomic", "mm/page_alloc: let GFP_ATOMIC order-0 allocs access highatomic reserves",
            "281dd25c1a01", "6.12", List.of("linux-4.9", "linux-6.3"), "order0-atomic-above-floor",
            List.of("linux-6.1", "linux-6.12", "mainline"), "bugs/atomic-order0-highatomic.trace", true,
            "order-0 GFP_ATOMIC fails above the atomic floor because every free page is on HIGHATOMIC lists (seed 000)"),
        new KnownBug("free-highatomic-tracking", "mm/page_alloc: keep track of free highatomic", "c928807f6f6b", "6.12",
            List.of("linux-6.8"), "no-oom-above-min", List.of("linux-6.12", "mainline"),
            "bugs/free-highatomic-tracking.trace", true,
            "the watermark subtracts the whole reservation even when its blocks are allocated, so GFP_KERNEL fails or"
                + " OOM-kills with free pages above min outside the reserve"),
        new KnownBug("order0-only-watermarks", "mm, page_alloc: only enforce watermarks for order-0 allocations",
            "97a16fc82a7c", "4.4", List.of("linux-2.6.32"), "high-order-with-free-block", List.of("linux-4.4"),
            "bugs/order0-only-watermarks.trace", true,
            "the per-order shrinking minimum fails a high-order request while a free block of its order exists"),
        new KnownBug("premature-order2-oom", "mm, oom: prevent premature OOM killer invocation for high order request"
            + " (stop-gap 4.8; compaction feedback 4.9)", "(4.8 stop-gap; 4.9 feedback)", "4.9",
            List.of("linux-4.7"), "no-oom-with-clean-cache", List.of("linux-4.8", "linux-4.9"),
            "bugs/premature-order2-oom.trace", true,
            "4.7's bounded retries check the order-2 watermark without compaction feedback: no order-2 block means OOM"
                + " while clean page cache is still reclaimable"));

    public static List<KnownBug> all() {
        return ALL;
    }

    public static Optional<KnownBug> byId(String id) {
        return ALL.stream().filter(b -> b.id().equals(id)).findFirst();
    }
}
