package dev.highwater.model.kernellog;

import dev.highwater.model.MigrateType;
import dev.highwater.model.kernellog.KernelReport.BuddyEntry;
import dev.highwater.model.kernellog.KernelReport.Field;
import dev.highwater.model.kernellog.KernelReport.Kind;
import dev.highwater.model.kernellog.KernelReport.PageTypes;
import dev.highwater.model.kernellog.KernelReport.ZoneState;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The zone state a user captures on a live machine, as the explain advice asks: {@code /proc/zoneinfo} (free pages,
 * min/low/high, protection = lowmem_reserve, the LRU counters) and {@code /proc/pagetypeinfo} (free blocks per order
 * AND migratetype, pageblocks per type: what Mem-Info's buddy line only hints at with its letters), or
 * {@code /proc/buddyinfo} where pagetypeinfo is not readable (it is root-only from 5.4), with {@code /proc/version}
 * for the kernel and {@code /proc/meminfo}'s swap lines, all in one file ({@code cat /proc/version /proc/zoneinfo
 * /proc/pagetypeinfo > snap.txt}). The zones' fields are in kB, as Mem-Info prints them (4 kB pages).
 *
 * <p>pagetypeinfo's "Number of blocks type" rows ({@code Node 0, zone DMA 1 7 0 0 0}) have the shape of buddyinfo
 * lines; {@link #tableLines} are the lines the buddyinfo scan must leave alone.
 *
 * <p>One snapshot per file: a zone that zoneinfo (or pagetypeinfo) prints twice is refused at its line, as is a
 * zoneinfo zone cut before its watermarks or a pagetypeinfo row whose columns do not match its header.
 */
final class ProcSnapshot {
    private static final String ZONES = "(" + KernelLogParser.ZONES + ")";
    private static final Pattern ZONEINFO_ZONE = Pattern.compile("^Node (\\d+), zone " + ZONES + "$");
    private static final Pattern ZONEINFO_FREE = Pattern.compile("^pages free (\\d+)$");
    private static final Pattern ZONEINFO_MARK = Pattern.compile(
        "^(min|low|high|boost|promo|scanned|spanned|present|managed|cma) (\\d+)$");
    private static final Pattern ZONEINFO_PROTECTION = Pattern.compile("^protection: \\((\\d+(?:, ?\\d+)*)\\)$");
    private static final Pattern ZONEINFO_LRU = Pattern.compile("^nr_(active_file|inactive_file|active_anon|inactive_anon) (\\d+)$");
    private static final Pattern ZONEINFO_UNRECLAIMABLE = Pattern.compile("^(?:node_unreclaimable|all_unreclaimable): ?(\\d+)$");
    private static final Pattern PB_ORDER = Pattern.compile("^Page block order: (\\d+)$");
    private static final Pattern FREE_HEADER = Pattern.compile("^Free pages count per migrate type at order((?: \\d+)+)$");
    private static final Pattern FREE_ROW = Pattern.compile("^Node (\\d+), zone " + ZONES + ", type (\\w+)((?: >?\\d+)+)$");
    private static final Pattern BLOCKS_HEADER = Pattern.compile("^Number of (blocks|mixed blocks) type((?: \\w+)+)$");
    private static final Pattern BLOCKS_ROW = Pattern.compile("^Node (\\d+), zone " + ZONES + "((?: \\d+)+)$");
    private static final Pattern VERSION = Pattern.compile("\\bLinux version (\\d+\\.\\d+[\\w.\\-+~]*)");
    private static final Pattern SWAP = Pattern.compile("^(SwapFree|SwapTotal): ?(\\d+) kB$");

    /** One zone of zoneinfo, as printed. */
    private static final class ZoneInfo {
        final String node;
        final String name;
        final int line;
        final Map<String, Long> marks = new LinkedHashMap<>();
        List<Long> protection = List.of();
        Optional<Boolean> unreclaimable = Optional.empty();

        ZoneInfo(String node, String name, int line) {
            this.node = node;
            this.name = name;
            this.line = line;
        }
    }

    /** One zone of pagetypeinfo. */
    private static final class TypeRows {
        final int line;
        final Map<MigrateType, List<Long>> free = new EnumMap<>(MigrateType.class);
        final Map<MigrateType, Long> blocks = new EnumMap<>(MigrateType.class);
        boolean capped;

        TypeRows(int line) {
            this.line = line;
        }
    }

    private final String file;
    private final Map<String, ZoneInfo> zoneinfo = new LinkedHashMap<>();
    private final Map<String, TypeRows> pagetypes = new LinkedHashMap<>();
    private final Map<String, Long> lru = new LinkedHashMap<>();
    private final Map<String, Long> swap = new LinkedHashMap<>();
    private final BitSet tableLines = new BitSet();
    private int pageblockOrder = -1;
    private Optional<String> release = Optional.empty();
    private int firstLine = Integer.MAX_VALUE;

    private ProcSnapshot(String file) {
        this.file = file;
    }

    /** Indices (into the cleaned lines) of pagetypeinfo's table rows: not buddyinfo lines. */
    BitSet tableLines() {
        return tableLines;
    }

    /** Whether the file holds zoneinfo or pagetypeinfo zones. */
    boolean present() {
        return !zoneinfo.isEmpty() || !pagetypes.isEmpty();
    }

    private static String key(String node, String zone) {
        return node + "/" + zone;
    }

    /** Scans the cleaned lines of a file ({@code lineNumbers}: the physical line of each). */
    static ProcSnapshot scan(String file, List<String> lines, int[] lineNumbers) throws KernelLogException {
        ProcSnapshot s = new ProcSnapshot(file);
        ZoneInfo zone = null;
        List<Integer> orders = null;
        List<MigrateType> columns = null;
        boolean mixed = false;
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            int ln = lineNumbers[i];
            Matcher m;
            if ((m = VERSION.matcher(l)).find()) {
                s.release = Optional.of(m.group(1));
            }
            if ((m = SWAP.matcher(l)).matches()) {
                s.swap.put(m.group(1).equals("SwapFree") ? "Free swap" : "Total swap", s.number(m.group(2), ln));
                continue;
            }
            if (columns != null && (m = BLOCKS_ROW.matcher(l)).matches()) {
                s.tableLines.set(i);
                if (!mixed) {
                    s.blockRow(m, columns, ln);
                }
                continue;
            }
            columns = null;
            if ((m = ZONEINFO_ZONE.matcher(l)).matches()) {
                s.close(zone);
                String k = key(m.group(1), m.group(2));
                if (s.zoneinfo.containsKey(k)) {
                    throw new KernelLogException(s.file, ln, "/proc/zoneinfo prints Node " + m.group(1) + ", zone "
                        + m.group(2) + " a second time (first at line " + s.zoneinfo.get(k).line + "): one snapshot per"
                        + " file");
                }
                zone = new ZoneInfo(m.group(1), m.group(2), ln);
                s.zoneinfo.put(k, zone);
                s.firstLine = Math.min(s.firstLine, ln);
                continue;
            }
            if (zone != null && s.zoneLine(zone, l, ln)) {
                continue;
            }
            if ((m = PB_ORDER.matcher(l)).matches()) {
                s.close(zone);
                zone = null;
                if (s.pageblockOrder >= 0) {
                    throw new KernelLogException(s.file, ln, "a second /proc/pagetypeinfo starts here: one snapshot per"
                        + " file");
                }
                long order = s.number(m.group(1), ln);
                if (order > 20) {
                    throw new KernelLogException(s.file, ln, "pageblock order " + order + " (at most 20)");
                }
                s.pageblockOrder = (int) order;
                s.firstLine = Math.min(s.firstLine, ln);
                continue;
            }
            if ((m = FREE_HEADER.matcher(l)).matches()) {
                s.close(zone);
                zone = null;
                orders = new ArrayList<>();
                for (String o : m.group(1).strip().split(" ")) {
                    orders.add((int) s.number(o, ln));
                }
                if (orders.size() > 21) {
                    throw new KernelLogException(s.file, ln, "/proc/pagetypeinfo header with " + orders.size()
                        + " orders");
                }
                s.firstLine = Math.min(s.firstLine, ln);
                continue;
            }
            if ((m = FREE_ROW.matcher(l)).matches()) {
                if (orders == null) {
                    throw new KernelLogException(s.file, ln, "/proc/pagetypeinfo row without its 'Free pages count per"
                        + " migrate type at order 0 1 ...' header (cut?)");
                }
                s.freeRow(m, orders.size(), ln);
                continue;
            }
            if ((m = BLOCKS_HEADER.matcher(l)).matches()) {
                s.close(zone);
                zone = null;
                mixed = m.group(1).equals("mixed blocks");
                columns = new ArrayList<>();
                for (String t : m.group(2).strip().split(" ")) {
                    columns.add(s.type(t, ln));
                }
                continue;
            }
            if (zone != null && KernelLogParser.BUDDYINFO.matcher(l).matches()) {
                s.close(zone);
                zone = null;
            }
        }
        s.close(zone);
        if (!s.pagetypes.isEmpty() && s.pageblockOrder < 0) {
            throw new KernelLogException(s.file, s.pagetypes.values().iterator().next().line, "/proc/pagetypeinfo"
                + " without its 'Page block order: N' line (cut?)");
        }
        return s;
    }

    /** A line inside a zoneinfo zone's block: whether it was one of the lines read there. */
    private boolean zoneLine(ZoneInfo zone, String l, int ln) throws KernelLogException {
        Matcher m;
        if ((m = ZONEINFO_FREE.matcher(l)).matches()) {
            zone.marks.putIfAbsent("free", number(m.group(1), ln));
        } else if ((m = ZONEINFO_MARK.matcher(l)).matches()) {
            zone.marks.putIfAbsent(m.group(1), number(m.group(2), ln));
        } else if ((m = ZONEINFO_PROTECTION.matcher(l)).matches()) {
            List<Long> p = new ArrayList<>();
            for (String v : m.group(1).split(", ?")) {
                p.add(number(v, ln));
            }
            zone.protection = List.copyOf(p);
        } else if ((m = ZONEINFO_LRU.matcher(l)).matches()) {
            // per node from 4.8 (once, in the node's first zone), per zone before: summed either way
            lru.merge(m.group(1), number(m.group(2), ln), Long::sum);
        } else if ((m = ZONEINFO_UNRECLAIMABLE.matcher(l)).matches()) {
            zone.unreclaimable = Optional.of(!m.group(1).equals("0"));
        } else {
            return false;
        }
        return true;
    }

    /** A zoneinfo zone is complete once its free count and its three watermarks are there. */
    private void close(ZoneInfo z) throws KernelLogException {
        if (z == null) {
            return;
        }
        for (String need : List.of("free", "min", "low", "high")) {
            if (!z.marks.containsKey(need)) {
                throw new KernelLogException(file, z.line, "truncated /proc/zoneinfo: Node " + z.node + ", zone " + z.name
                    + " has no '" + (need.equals("free") ? "pages free" : need) + "' line");
            }
        }
    }

    private long number(String v, int line) throws KernelLogException {
        return KernelLogParser.number(file, line, v.strip(), "'" + v + "'");
    }

    private MigrateType type(String name, int line) throws KernelLogException {
        return switch (name) {
            case "Unmovable" -> MigrateType.UNMOVABLE;
            case "Movable" -> MigrateType.MOVABLE;
            case "Reclaimable" -> MigrateType.RECLAIMABLE;
            case "HighAtomic" -> MigrateType.HIGHATOMIC;
            case "CMA" -> MigrateType.CMA;
            case "Isolate" -> MigrateType.ISOLATE;
            // 2.6.32's MIGRATE_RESERVE (gone in 4.4)
            case "Reserve" -> MigrateType.RESERVE;
            default -> throw new KernelLogException(file, line, "unknown migratetype '" + name + "' in /proc/pagetypeinfo"
                + " (known: Unmovable, Movable, Reclaimable, HighAtomic, CMA, Isolate, Reserve)");
        };
    }

    private TypeRows rows(String node, String zone, int line) {
        firstLine = Math.min(firstLine, line);
        return pagetypes.computeIfAbsent(key(node, zone), k -> new TypeRows(line));
    }

    private void freeRow(Matcher m, int orders, int line) throws KernelLogException {
        String[] v = m.group(4).strip().split(" ");
        if (v.length != orders) {
            throw new KernelLogException(file, line, "/proc/pagetypeinfo row with " + v.length + " counts under a header"
                + " of " + orders + " orders (cut?)");
        }
        MigrateType t = type(m.group(3), line);
        TypeRows r = rows(m.group(1), m.group(2), line);
        if (r.free.containsKey(t)) {
            throw new KernelLogException(file, line, "/proc/pagetypeinfo prints Node " + m.group(1) + ", zone "
                + m.group(2) + ", type " + m.group(3) + " a second time: one snapshot per file");
        }
        List<Long> c = new ArrayList<>();
        for (String s : v) {
            // 5.4+ stops counting a list at 100,000 blocks and prints ">100000" (93b3a674485f)
            if (s.startsWith(">")) {
                r.capped = true;
                s = s.substring(1);
            }
            c.add(number(s, line));
        }
        r.free.put(t, List.copyOf(c));
    }

    private void blockRow(Matcher m, List<MigrateType> columns, int line) throws KernelLogException {
        String[] v = m.group(3).strip().split(" ");
        if (v.length != columns.size()) {
            throw new KernelLogException(file, line, "/proc/pagetypeinfo block-count row with " + v.length + " counts"
                + " under a header of " + columns.size() + " types (cut?)");
        }
        TypeRows r = rows(m.group(1), m.group(2), line);
        for (int c = 0; c < v.length; c++) {
            r.blocks.put(columns.get(c), number(v[c], line));
        }
    }

    /**
     * The snapshot as one report, its zones in zoneinfo's order (pagetypeinfo's without zoneinfo). A zone's free blocks
     * come from pagetypeinfo, else from the file's first {@code buddyinfo} group that prints it ({@code usedBuddyinfo}
     * gets the groups it took).
     */
    Optional<KernelReport> report(List<KernelReport> buddyinfo, List<KernelReport> usedBuddyinfo) {
        if (!present()) {
            return Optional.empty();
        }
        List<String> keys = new ArrayList<>(zoneinfo.keySet());
        for (String k : pagetypes.keySet()) {
            if (!keys.contains(k)) {
                keys.add(k);
            }
        }
        List<ZoneState> zones = new ArrayList<>();
        for (String k : keys) {
            String node = k.substring(0, k.indexOf('/'));
            String name = k.substring(k.indexOf('/') + 1);
            ZoneInfo zi = zoneinfo.get(k);
            TypeRows tr = pagetypes.get(k);
            List<Field> fields = new ArrayList<>();
            if (zi != null) {
                // in kB, as Mem-Info's zone line prints them (4 kB pages), so a snapshot's zone renders like one
                zi.marks.forEach((f, v) -> fields.add(new Field(f, v * 4, "kB")));
            }
            Optional<PageTypes> pt = Optional.empty();
            List<BuddyEntry> buddy = new ArrayList<>();
            if (tr != null && !tr.free.isEmpty()) {
                pt = Optional.of(new PageTypes(pageblockOrder, tr.free, tr.blocks, tr.capped));
                if (tr.blocks.containsKey(MigrateType.HIGHATOMIC)) {
                    // nr_reserved_highatomic is HIGHATOMIC pageblocks × pageblock_nr_pages (§6.3: a reservation
                    // retypes whole blocks and adds their pages); §6.6's drift (4.x's double decrement) is the exception
                    fields.add(new Field("reserved_highatomic",
                        tr.blocks.get(MigrateType.HIGHATOMIC) * (1L << pageblockOrder) * 4, "KB"));
                }
                int orders = tr.free.values().iterator().next().size();
                for (int o = 0; o < orders; o++) {
                    long n = 0;
                    StringBuilder letters = new StringBuilder();
                    for (Map.Entry<MigrateType, List<Long>> e : tr.free.entrySet()) {
                        long c = o < e.getValue().size() ? e.getValue().get(o) : 0;
                        n += c;
                        if (c > 0) {
                            letters.append(e.getKey().letter());
                        }
                    }
                    buddy.add(new BuddyEntry(n, 4L << o, letters.toString()));
                }
            } else {
                for (KernelReport b : buddyinfo) {
                    Optional<ZoneState> z = b.zones().stream()
                        .filter(s -> s.name().equals(name) && s.prefix().equals("Node " + node + ", ")).findFirst();
                    if (z.isPresent()) {
                        buddy.addAll(z.get().buddy());
                        if (!usedBuddyinfo.contains(b)) {
                            usedBuddyinfo.add(b);
                        }
                        break;
                    }
                }
            }
            long total = 0;
            for (BuddyEntry e : buddy) {
                total += e.count() * e.sizeKb();
            }
            zones.add(new ZoneState(name, zi != null ? zi.line : tr.line, fields,
                zi == null ? Optional.empty() : zi.unreclaimable, zi == null ? List.of() : zi.protection, buddy,
                buddy.isEmpty() ? -1 : total, "Node " + node + ", ", pt));
        }
        List<String> parts = new ArrayList<>();
        if (!zoneinfo.isEmpty()) {
            parts.add("/proc/zoneinfo");
        }
        if (!pagetypes.isEmpty()) {
            parts.add("/proc/pagetypeinfo");
        }
        if (!usedBuddyinfo.isEmpty()) {
            parts.add("/proc/buddyinfo");
        }
        Map<String, Long> memInfo = new LinkedHashMap<>();
        for (String f : List.of("active_anon", "inactive_anon", "active_file", "inactive_file")) {
            if (lru.containsKey(f)) {
                memInfo.put(f, lru.get(f));
            }
        }
        return Optional.of(new KernelReport(file, firstLine, Kind.SNAPSHOT, String.join(" + ", parts), "", -1,
            OptionalLong.empty(), "", release, List.of(), memInfo, Map.of(), zones, swap));
    }
}
