package dev.highwater.model.kernellog;

import dev.highwater.model.MigrateType;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One report found in a kernel log (kernel-semantics §10): a {@code page allocation failure} (warn_alloc), an
 * {@code invoked oom-killer} report, a {@code /proc/buddyinfo} dump, a {@code /proc/zoneinfo} /
 * {@code /proc/pagetypeinfo} snapshot, or a memory report that is not the page allocator's. Values are as printed: kB stay kB, pages stay pages.
 *
 * @param file         the log file (for messages)
 * @param line         the line of the header (1-based)
 * @param kind         what kind of report
 * @param header       the header text as re-joined from the log
 * @param comm         the allocating task ({@code nc.traditional}); empty for buddyinfo
 * @param order        the request's order (-1 if none)
 * @param gfpValue     the numeric {@code mode:}/{@code gfp_mask=} value
 * @param gfpNames     the symbolic part {@code (GFP_ATOMIC)} as printed (empty if none)
 * @param release      the kernel release from the stack-dump line ({@code 4.9.123-pic6-...})
 * @param callTrace    function names of the call trace, innermost first
 * @param memInfo      the global Mem-Info counters (pages), in print order
 * @param node         the per-node line's counters (kB; {@code all_unreclaimable} as 1/0), in print order
 * @param zones        the zones (zone lines joined with their lowmem_reserve and buddy lines), in print order
 * @param footer       {@code pages RAM}, {@code pages reserved}, {@code Free swap} (kB), ... in print order
 */
public record KernelReport(String file, int line, Kind kind, String header, String comm, int order,
                           OptionalLong gfpValue, String gfpNames, Optional<String> release, List<String> callTrace,
                           Map<String, Long> memInfo, Map<String, Long> node, List<ZoneState> zones,
                           Map<String, Long> footer) {

    /** The kernel's page size in kB, from the first zone with buddy entries ({@link ZoneState#pageKb()}); 4 without. */
    public long pageKb() {
        for (ZoneState z : zones) {
            if (!z.buddy().isEmpty()) {
                return z.pageKb();
            }
        }
        return 4;
    }

    /** Report kinds. */
    public enum Kind {
        /** warn_alloc: {@code page allocation failure} (or the 4.9–4.14 stall warning). */
        ALLOC_FAILURE,
        /** {@code invoked oom-killer}. */
        OOM,
        /** A {@code /proc/buddyinfo} dump (counts per order, no letters, no watermarks). */
        BUDDYINFO,
        /** A memory report that is not a page-allocator failure (memcg OOM, vmalloc, slab). */
        NOT_ALLOCATOR,
        /**
         * {@code /proc/zoneinfo} and/or {@code /proc/pagetypeinfo} captured into the file (with {@code /proc/buddyinfo},
         * {@code /proc/version} and {@code /proc/meminfo} when there): one zone state, no request.
         */
        SNAPSHOT
    }

    public KernelReport {
        callTrace = List.copyOf(callTrace);
        memInfo = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(memInfo));
        node = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(node));
        zones = List.copyOf(zones);
        footer = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(footer));
    }

    /** Kernel major.minor from the release, if known: {@code {4, 9}}. */
    public Optional<int[]> version() {
        if (release.isEmpty()) {
            return Optional.empty();
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(\\d+)\\.(\\d+)").matcher(release.get());
        if (!m.find()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))});
        } catch (NumberFormatException e) {
            // a garbled release ("99999999999.4"): no version, as if none were printed
            return Optional.empty();
        }
    }

    /** Whether the call trace shows the request in softirq or hardirq context. */
    public boolean inInterrupt() {
        // ksoftirqd/N runs nothing but softirq handlers: its requests are softirq ones even when the trace is cut
        // before the softirq frames (a Raspberry Pi 6.1 report pasted up to the NAPI poll)
        if (comm.matches("ksoftirqd/\\d+")) {
            return true;
        }
        for (String f : callTrace) {
            // without the compiler's suffixes (tasklet_action_common.constprop.0, foo.isra.0, bar.cold)
            if (SOFTIRQ_FRAMES.contains(f.indexOf('.') > 0 ? f.substring(0, f.indexOf('.')) : f)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Frames that put a request in softirq or hardirq context: the softirq entry points (__do_softirq, renamed
     * handle_softirqs in 6.10 and in stable backports such as 6.1.y), ksoftirqd's loop (softirqs run there with bottom
     * halves disabled, so in_interrupt() holds), the tasklet and network-receive actions, and the hardirq exit.
     */
    private static final java.util.Set<String> SOFTIRQ_FRAMES = java.util.Set.of("__do_softirq", "handle_softirqs",
        "do_softirq", "call_softirq", "run_ksoftirqd", "net_rx_action", "tasklet_action", "tasklet_hi_action",
        "tasklet_action_common", "irq_exit", "irq_exit_rcu", "__irq_exit_rcu", "<IRQ>");

    /** The zone called {@code name}, if the report has it. */
    public Optional<ZoneState> zone(String name) {
        return zones.stream().filter(z -> z.name().equals(name)).findFirst();
    }

    /**
     * One zone as the report prints it.
     *
     * @param name          {@code DMA32}, {@code Normal}, ...
     * @param line          line of its zone (or buddyinfo) line
     * @param fields        the zone line's {@code name:value} tokens with units as printed (empty for buddyinfo)
     * @param allUnreclaimable the zone line's {@code all_unreclaimable?} (2.6.32–4.8), if printed
     * @param lowmemReserve {@code lowmem_reserve[]} entries (pages); empty if not printed
     * @param buddy         the buddy line's entries, one per order; empty if not printed
     * @param buddyTotalKb  the buddy line's {@code = NkB} total (-1 if none)
     * @param prefix        the zone line's {@code Node N } prefix as printed ("" if none)
     * @param pageTypes     the zone's {@code /proc/pagetypeinfo} rows, when the file has them
     */
    public record ZoneState(String name, int line, List<Field> fields, Optional<Boolean> allUnreclaimable,
                            List<Long> lowmemReserve, List<BuddyEntry> buddy, long buddyTotalKb, String prefix,
                            Optional<PageTypes> pageTypes) {
        public ZoneState {
            fields = List.copyOf(fields);
            lowmemReserve = List.copyOf(lowmemReserve);
            buddy = List.copyOf(buddy);
        }

        /** A zone of a report that prints no {@code /proc/pagetypeinfo} rows. */
        public ZoneState(String name, int line, List<Field> fields, Optional<Boolean> allUnreclaimable,
                         List<Long> lowmemReserve, List<BuddyEntry> buddy, long buddyTotalKb, String prefix) {
            this(name, line, fields, allUnreclaimable, lowmemReserve, buddy, buddyTotalKb, prefix, Optional.empty());
        }

        /** A zone-line value converted to pages (kB / {@link #pageKb()}), if printed. */
        public OptionalLong pages(String field) {
            for (Field f : fields) {
                if (f.name().equals(field)) {
                    if (f.unit().isEmpty()) {
                        return OptionalLong.of(f.value());
                    }
                    return OptionalLong.of(f.value() / pageKb());
                }
            }
            return OptionalLong.empty();
        }

        /**
         * The kernel's page size in kB: the buddy line's order-0 block (4 on x86; 16 or 64 on MIPS, arm64 and ppc64
         * kernels built with larger pages), 4 when the zone has no buddy entries.
         */
        public long pageKb() {
            return buddy.isEmpty() || buddy.get(0).sizeKb() <= 0 ? 4 : buddy.get(0).sizeKb();
        }

        public boolean hasWatermarks() {
            return pages("min").isPresent() && pages("low").isPresent() && pages("high").isPresent();
        }

        /** Free pages counted from the buddy line (all types). */
        public long buddyPages() {
            long n = 0;
            for (int o = 0; o < buddy.size(); o++) {
                n += buddy.get(o).count() << o;
            }
            return n;
        }

        /** The largest order with a free block, or -1. */
        public int largestFreeOrder() {
            for (int o = buddy.size() - 1; o >= 0; o--) {
                if (buddy.get(o).count() > 0) {
                    return o;
                }
            }
            return -1;
        }

        /** Pages in buddy entries whose only letter is {@code t} (a lower bound of that type's free pages). */
        public long pagesOnlyOfType(MigrateType t) {
            long n = 0;
            for (int o = 0; o < buddy.size(); o++) {
                BuddyEntry e = buddy.get(o);
                if (e.letters().equals(String.valueOf(t.letter()))) {
                    n += e.count() << o;
                }
            }
            return n;
        }
    }

    /**
     * A zone's rows of {@code /proc/pagetypeinfo}: free blocks per migratetype and order, and pageblocks per type.
     *
     * @param pageblockOrder its {@code Page block order:} line
     * @param free           per type, the free blocks of each order ({@code Free pages count per migrate type})
     * @param blocks         per type, the pageblocks of that type ({@code Number of blocks type})
     * @param capped         whether a count was printed as {@code >100000} (5.4+ stops counting there, 93b3a674485f):
     *                       that count is a lower bound
     */
    public record PageTypes(int pageblockOrder, Map<MigrateType, List<Long>> free, Map<MigrateType, Long> blocks,
                            boolean capped) {
        public PageTypes {
            java.util.EnumMap<MigrateType, List<Long>> f = new java.util.EnumMap<>(MigrateType.class);
            free.forEach((t, c) -> f.put(t, List.copyOf(c)));
            free = java.util.Collections.unmodifiableMap(f);
            java.util.EnumMap<MigrateType, Long> b = new java.util.EnumMap<>(MigrateType.class);
            b.putAll(blocks);
            blocks = java.util.Collections.unmodifiableMap(b);
        }

        /** Free pages on the lists of type {@code t}. */
        public long freePages(MigrateType t) {
            List<Long> c = free.getOrDefault(t, List.of());
            long n = 0;
            for (int o = 0; o < c.size(); o++) {
                n += c.get(o) << o;
            }
            return n;
        }
    }

    /**
     * A zone-line token {@code name:value[unit]}.
     *
     * @param name  {@code free}, {@code isolated(anon)}, ...
     * @param value the number
     * @param unit  {@code kB}, {@code KB} or ""
     */
    public record Field(String name, long value, String unit) {
        @Override
        public String toString() {
            return name + ":" + value + unit;
        }
    }

    /**
     * One buddy-line entry {@code count*sizekB (letters)}.
     *
     * @param count   free blocks of the order
     * @param sizeKb  block size in kB
     * @param letters migratetype letters in enum order ({@code UMEH}); "" if none printed
     */
    public record BuddyEntry(long count, long sizeKb, String letters) {
        public boolean has(MigrateType t) {
            return letters.indexOf(t.letter()) >= 0;
        }
    }
}
