package dev.highwater.model.kernellog;

import dev.highwater.model.kernellog.KernelReport.BuddyEntry;
import dev.highwater.model.kernellog.KernelReport.Field;
import dev.highwater.model.kernellog.KernelReport.Kind;
import dev.highwater.model.kernellog.KernelReport.ZoneState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses real kernel logs (2.6.32 to 6.x) into {@link KernelReport}s, following the robustness rules of
 * kernel-semantics §10.3: syslog prefixes, {@code [ seconds]} timestamps, {@code <level>} markers, /dev/kmsg's record prefixes and rsyslog's
 * {@code #012} are stripped; lines re-wrapped by mail clients are re-joined (the whole log is parsed as one token
 * stream in which a timestamp is a separator), and fields are found by their {@code key:value} tokens, not by
 * position. Formats per version: §10.1 (warn_alloc), §10.2 (OOM), §10.4 (table); {@code /proc/buddyinfo} dumps
 * are accepted as reports of their own, and {@code /proc/zoneinfo} / {@code /proc/pagetypeinfo} captured into the
 * file as one snapshot ({@link ProcSnapshot}).
 *
 * <p>A report whose Mem-Info block is cut off (a zone line without its buddy line, a buddy line without its
 * {@code = NkB} total, a total that disagrees with its entries) is refused with the file and line; so is a file
 * that holds no memory report at all.
 */
public final class KernelLogParser {
    /** The zone names a report or a /proc file prints (a non-capturing group). */
    static final String ZONES = "(?:DMA32|DMA|Normal|HighMem|Movable|Device)";
    private static final Pattern SYSLOG = Pattern.compile(
        "^(?:<\\d>)?(?:(?:[A-Z][a-z]{2}\\s+\\d+\\s+\\d\\d:\\d\\d:\\d\\d|\\d{4}-\\d\\d-\\d\\dT\\S+)\\s+\\S+\\s+)?"
            + "kernel:\\s*(?::\\s+)?");
    private static final Pattern LEVEL = Pattern.compile("^<\\d>");
    /** Lines show_mem and warn_alloc begin on their own: never the second half of a line cut at a terminal's width. */
    private static final Pattern SHOW_MEM_LINE = Pattern.compile("(?:Node \\d|" + ZONES + "(?: free:| per-cpu|: )"
        + "|lowmem_reserve\\[|Mem-[Ii]nfo|[Aa]ctive_anon:|\\d+ (?:total pagecache|pages)|Free swap|Total swap|Swap cache"
        + "|CPU: |Call Trace|Hardware name|Node \\d+ hugepages)");
    /** Mail or forum quoting before a line: '> ', '>> ', '| '. */
    private static final Pattern QUOTE = Pattern.compile("^(?:[>|] ?)+");
    /** A line that starts a log record of its own (a timestamp, a syslog, kmsg or level prefix), not a continuation. */
    private static final Pattern RECORD_START = Pattern.compile(
        "\\s*(?:\\[\\s*\\d+\\.\\d+\\]|<\\d>|\\d+,\\d+,\\d+,|[A-Z][a-z]{2}\\s+\\d+\\s+\\d\\d:\\d\\d:\\d\\d|\\d{4}-\\d\\d-\\d\\dT"
            + "|\\[[A-Z][a-z]{2} [A-Z][a-z]{2} )");
    /** A record read from /dev/kmsg ({@code cat /dev/kmsg}): level, sequence, microseconds, flags, then ';'. */
    private static final Pattern KMSG = Pattern.compile("^\\d+,\\d+,\\d+,[^;]*;");
    /** dmesg's wall-clock stamps: {@code --time-format iso} at a line's start, {@code -T}'s {@code [Tue Dec  8 01:15:03 2026]}. */
    private static final Pattern ISO_STAMP = Pattern.compile("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d[,.]\\d+[+-]\\d\\d:?\\d\\d\\s");
    private static final Pattern CTIME_STAMP = Pattern.compile(
        "\\[(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) [A-Z][a-z]{2} +\\d+ \\d\\d:\\d\\d:\\d\\d \\d{4}\\]");
    private static final Pattern TIMESTAMP = Pattern.compile("\\[\\s*\\d+\\.\\d+\\s*\\]");
    private static final Pattern TS_OPEN_AT_END = Pattern.compile("\\[\\s*(\\d+\\.?\\d*)?\\s*$");
    private static final Pattern TS_CLOSE_AT_START = Pattern.compile("^\\s*\\d*\\.?\\d+\\s*\\]");

    private static final Pattern FAIL = Pattern.compile(
        "(\\S+?):?\\s+page allocation (?:failure|stalls for \\d+ms)[.:,]\\s*order:\\s*(\\d+),\\s*mode:\\s*"
            + "(0x[0-9a-fA-F]+)(?:\\(([^)]*)\\))?");
    private static final Pattern OOM = Pattern.compile(
        "(\\S+) invoked oom-killer:\\s*gfp_mask=(0x[0-9a-fA-F]+)(?:\\(([^)]*)\\))?,\\s*(?:nodemask=[^,]*,\\s*)?"
            + "order=(-?\\d+)");
    /** vmalloc's report; the task's name before it from 4.9 (warn_alloc), none before (warn_alloc_failed's format). */
    /** linux-next of 4.4's time printed the order first: "invoked oom-killer: order=2, oom_score_adj=0, gfp_mask=0x…". */
    private static final Pattern OOM_ORDER_FIRST = Pattern.compile(
        "(\\S+) invoked oom-killer:\\s*order=(-?\\d+),\\s*oom_score_adj=-?\\d+,\\s*gfp_mask=(0x[0-9a-fA-F]+)"
            + "(?:\\(([^)]*)\\))?");
    /** Before 2.6.2x the OOM header named no task: "oom-killer: gfp_mask=0x201d2, order=0". */
    private static final Pattern OOM_NO_COMM = Pattern.compile(
        "(?<!invoked )oom-killer: gfp_mask=(0x[0-9a-fA-F]+)(?:\\(([^)]*)\\))?, order=(-?\\d+)");
    private static final Pattern VMALLOC = Pattern.compile(
        "(?:(\\S+):\\s+)?vmalloc(?: error)?: (?:allocation failure(?:: \\d+ bytes)?|size)");
    /**
     * vmalloc's own failure to get one of its pages (order 0, one at a time): "allocated X of Y bytes", with the mode
     * on the same line from 4.9's warn_alloc; before, warn_alloc_failed printed the page allocator's header on the next
     * line. Not the "allocation failure: N bytes" of a vmap area (address space) that could not be found.
     */
    private static final Pattern VMALLOC_PAGES = Pattern.compile("(?:(\\S+):\\s+)?vmalloc: allocation failure, allocated"
        + " \\d+ of \\d+ bytes(?:, mode:\\s*(0x[0-9a-fA-F]+)(?:\\(([^)]*)\\))?)?");
    private static final Pattern MEMCG = Pattern.compile(
        "Memory cgroup out of memory|memory: usage \\d+kB, limit|CONSTRAINT_MEMCG|Memory cgroup stats for");
    private static final Pattern RELEASE = Pattern.compile(
        "(?:CPU: \\d+ PID: \\d+ Comm: \\S+|Pid: \\d+, comm: \\S+)\\s+(?:Kdump: loaded\\s+)?(?:Not tainted|Tainted:[A-Z \\-]*?)\\s+"
            + "(\\d+\\.\\d+[\\w.\\-+~]*)");
    /**
     * A call-trace frame {@code name+0xOFF/0xLEN}: after a {@code [<address>]} (≤4.x), a {@code (}, or on a line of its
     * own (5.x+ print no addresses; the joined text has a space there), "? " (an unreliable frame) allowed.
     */
    private static final Pattern FRAME = Pattern.compile(
        "(?<![\\w.])([A-Za-z_][\\w.]*)\\+0x[0-9a-f]+/0x[0-9a-f]+|(<IRQ>)");
    /** Mem-Info's first global counter ({@code Active_anon:} before 2.6.32, which prints it in lower case). */
    private static final Pattern MEMINFO_START = Pattern.compile("\\b[Aa]ctive_anon:\\d+(?![\\dkK])");
    private static final Pattern PAGE_TOKEN = Pattern.compile("\\b([A-Za-z_]+):(\\d+)(?![\\dkK])");
    private static final Pattern NODE_LINE = Pattern.compile("\\bNode (\\d+) active_anon:\\d+kB");
    private static final Pattern ZONE_LINE = Pattern.compile("(Node \\d+ )?\\b(" + ZONES + ")\\s+(free:\\d+kB)");
    private static final Pattern FIELD = Pattern.compile("([a-z_()]+):\\s?(\\d+)(kB|KB)?|all_unreclaimable\\?\\s+(yes|no)");
    private static final Pattern LOWMEM = Pattern.compile("lowmem_reserve\\[\\]:((?:\\s+\\d+)+)");
    private static final Pattern BUDDY = Pattern.compile(
        "(Node \\d+ )?\\b(" + ZONES + "): ((?:\\d+\\*\\d+kB\\s*(?:\\([A-Z]+\\)\\s*)?)+)=\\s*(\\d+)kB");
    private static final Pattern EMPTY_BUDDY = Pattern.compile("(Node \\d+ )?\\b(" + ZONES + "): empty\\b");
    private static final Pattern BUDDY_START = Pattern.compile("\\b(" + ZONES + "): \\d+\\*\\d+kB");
    private static final Pattern BUDDY_ENTRY = Pattern.compile("(\\d+)\\*(\\d+)kB\\s*(?:\\(([A-Z]+)\\))?");
    private static final Pattern FOOTER = Pattern.compile(
        "(\\d+) (pages RAM|pages HighMem/MovableOnly|pages reserved|pages cma reserved|total pagecache pages"
            + "|pages in swap cache|pages hwpoisoned)|(Free swap|Total swap)\\s*=\\s*(-?\\d+)kB");
    /** A /proc/buddyinfo line (a cleaned one): node, zone, the counts per order. */
    static final Pattern BUDDYINFO = Pattern.compile("^\\s*Node\\s+(\\d+),\\s*zone\\s+(" + ZONES + ")((?:\\s+\\d+){1,20})\\s*$");
    private static final Pattern MEMINFO_HDR = Pattern.compile("Mem-[Ii]nfo:");

    private KernelLogParser() {
    }

    public static List<KernelReport> parseFile(Path file) throws IOException, KernelLogException {
        byte[] data = Files.readAllBytes(file);
        return parse(new String(data, StandardCharsets.UTF_8), file.toString());
    }

    /** {@link #parseAll} of a file. */
    public static Parsed parseFileAll(Path file) throws IOException, KernelLogException {
        byte[] data = Files.readAllBytes(file);
        return parseAll(new String(data, StandardCharsets.UTF_8), file.toString());
    }

    /**
     * The reports of a log, and those refused (each at its file and line): a report cut off by the next one (the ring
     * buffer interleaving two failures, a paste that drops lines) costs only itself.
     */
    public record Parsed(List<KernelReport> reports, List<KernelLogException> refused) {
        public Parsed {
            reports = List.copyOf(reports);
            refused = List.copyOf(refused);
        }
    }

    /** The re-joined log: text and the physical line each character came from. */
    private record Joined(String text, int[] lineStarts, int[] lineNumbers, List<String> cleanLines) {
        /** The offset in the joined text where the physical line holding {@code offset} starts. */
        int lineStartOf(int offset) {
            int i = Arrays.binarySearch(lineStarts, offset);
            return lineStarts[Math.max(0, i < 0 ? -i - 2 : i)];
        }

        int lineAt(int offset) {
            int i = Arrays.binarySearch(lineStarts, offset);
            if (i < 0) {
                i = -i - 2;
            }
            return lineNumbers[Math.max(0, i)];
        }
    }

    static Joined join(String text) {
        List<String> raw = new ArrayList<>(List.of(text.split("\r?\n|\r", -1)));
        List<Integer> rawNumbers = new ArrayList<>();
        for (int i = 0; i < raw.size(); i++) {
            rawNumbers.add(i + 1);
        }
        if (text.contains("=3D")) {
            quotedPrintable(raw, rawNumbers);
        }
        int width = hardWrapWidth(raw);
        StringBuilder sb = new StringBuilder();
        List<Integer> starts = new ArrayList<>();
        List<Integer> numbers = new ArrayList<>();
        List<String> clean = new ArrayList<>();
        for (int i = 0; i < raw.size(); i++) {
            String line = raw.get(i);
            for (String piece : line.split("#012", -1)) {
                String l = clean(piece);
                starts.add(sb.length());
                numbers.add(rawNumbers.get(i));
                clean.add(l);
                sb.append(l);
                if (!(line.length() == width && i + 1 < raw.size() && continuesMidToken(line, raw.get(i + 1)))) {
                    sb.append(' ');
                }
            }
        }
        int[] s = starts.stream().mapToInt(Integer::intValue).toArray();
        int[] n = numbers.stream().mapToInt(Integer::intValue).toArray();
        return new Joined(sb.toString(), s, n, clean);
    }

    /**
     * A report copied from a mail's raw source is quoted-printable: '=' is written {@code =3D} (and a memory report
     * always has one, in its buddy totals), other bytes {@code =XX}, and a line ending in '=' is a soft break, the
     * next line its continuation. Decodes the lines in place, each joined line keeping its first line's number.
     */
    private static void quotedPrintable(List<String> lines, List<Integer> numbers) {
        List<String> out = new ArrayList<>();
        List<Integer> outNumbers = new ArrayList<>();
        StringBuilder cur = null;
        int curNumber = 0;
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            if (cur == null) {
                cur = new StringBuilder();
                curNumber = numbers.get(i);
            }
            String body = QUOTE.matcher(l).lookingAt() && cur.length() > 0 ? QUOTE.matcher(l).replaceFirst("") : l;
            if (body.endsWith("=")) {
                cur.append(body, 0, body.length() - 1);
                continue;
            }
            cur.append(body);
            out.add(decodeQp(cur.toString()));
            outNumbers.add(curNumber);
            cur = null;
        }
        if (cur != null) {
            out.add(decodeQp(cur.toString()));
            outNumbers.add(curNumber);
        }
        lines.clear();
        lines.addAll(out);
        numbers.clear();
        numbers.addAll(outNumbers);
    }

    private static String decodeQp(String s) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(s.length());
        byte[] in = s.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < in.length; i++) {
            if (in[i] == '=' && i + 2 < in.length && Character.digit(in[i + 1], 16) >= 0
                && Character.digit(in[i + 2], 16) >= 0) {
                bytes.write(Character.digit(in[i + 1], 16) * 16 + Character.digit(in[i + 2], 16));
                i += 2;
            } else {
                bytes.write(in[i]);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /**
     * The width a terminal or a pager cut the log's lines at, mid-token (a console copied from a fixed-width window):
     * the longest line length when at least three lines have it and it stands out from the lengths just below it
     * (text re-wrapped at spaces by a mail client has no such spike); -1 when there is none.
     */
    static int hardWrapWidth(List<String> lines) {
        Map<Integer, Integer> count = new java.util.TreeMap<>();
        int max = 0;
        for (String l : lines) {
            count.merge(l.length(), 1, Integer::sum);
            max = Math.max(max, l.length());
        }
        int atMax = count.getOrDefault(max, 0);
        if (max < 60 || atMax < 3) {
            return -1;
        }
        for (int w = max - 5; w < max; w++) {
            if (count.getOrDefault(w, 0) * 2 > atMax) {
                return -1;
            }
        }
        return max;
    }

    /**
     * Whether {@code next} carries on {@code line} cut at the wrap width mid-token: no record prefix, no space at the
     * cut, and not a line show_mem starts on its own (a complete buddy line can have the wrap width by chance: a phone's
     * DMA buddy line of 142 characters, then "Normal: 798*4kB ...").
     */
    private static boolean continuesMidToken(String line, String next) {
        String n = QUOTE.matcher(next).replaceFirst("");
        return !n.isEmpty() && !Character.isWhitespace(n.charAt(0)) && !Character.isWhitespace(line.charAt(line.length() - 1))
            && !RECORD_START.matcher(n).lookingAt() && !SHOW_MEM_LINE.matcher(n).lookingAt();
    }

    static String clean(String line) {
        // a byte-order mark (a log saved by a Windows editor) is no text of the line
        String l = line.replace('\t', ' ').replace('\u00a0', ' ').replace("\uFEFF", "");
        l = QUOTE.matcher(l).replaceFirst("");
        l = SYSLOG.matcher(l).replaceFirst("");
        l = LEVEL.matcher(l).replaceFirst("");
        l = KMSG.matcher(l).replaceFirst("");
        l = ISO_STAMP.matcher(l).replaceFirst("");
        l = CTIME_STAMP.matcher(l).replaceAll(" ");
        l = TIMESTAMP.matcher(l).replaceAll(" ");
        l = TS_OPEN_AT_END.matcher(l).replaceFirst("");
        l = TS_CLOSE_AT_START.matcher(l).replaceFirst("");
        return l.strip().replaceAll(" {2,}", " ");
    }

    /** A report's header: where, which kind, its match; {@code vmallocPage} for 4.9+'s one-line vmalloc page failure. */
    private record Header(int start, int end, Kind kind, Matcher m, boolean vmallocPage) {
        Header(int start, int end, Kind kind, Matcher m) {
            this(start, end, kind, m, false);
        }
    }

    /**
     * Parses every report in {@code text}.
     *
     * @throws KernelLogException if the text holds no report, or a report is cut off or garbled
     */
    public static List<KernelReport> parse(String text, String file) throws KernelLogException {
        Parsed p = parseAll(text, file);
        if (!p.refused().isEmpty()) {
            throw p.refused().get(0);
        }
        return p.reports();
    }

    /**
     * Parses every report in {@code text}, keeping the readable ones when others are cut off or garbled.
     *
     * @throws KernelLogException if the text holds no readable report (the first refusal, or "no report found")
     */
    public static Parsed parseAll(String text, String file) throws KernelLogException {
        Joined j = join(text);
        String t = j.text();
        List<Header> headers = new ArrayList<>();
        headersOf(FAIL, Kind.ALLOC_FAILURE, t, headers);
        headersOf(OOM, Kind.OOM, t, headers);
        headersOf(OOM_ORDER_FIRST, Kind.OOM, t, headers);
        headersOf(OOM_NO_COMM, Kind.OOM, t, headers);
        headersOf(VMALLOC, Kind.NOT_ALLOCATOR, t, headers);
        headers.sort((a, b) -> Integer.compare(a.start(), b.start()));
        headers = vmallocHeaders(j, headers);

        List<KernelReport> out = new ArrayList<>();
        List<KernelLogException> refused = new ArrayList<>();
        for (int h = 0; h < headers.size(); h++) {
            Header hd = headers.get(h);
            int end = h + 1 < headers.size() ? headers.get(h + 1).start() : t.length();
            try {
                out.add(report(file, j, hd, end));
            } catch (KernelLogException e) {
                refused.add(e);
            }
        }
        ProcSnapshot snapshot = ProcSnapshot.scan(file, j.cleanLines(), j.lineNumbers());
        List<KernelReport> groups = buddyinfo(file, j, snapshot.tableLines());
        List<KernelReport> merged = new ArrayList<>();
        snapshot.report(groups, merged).ifPresent(out::add);
        for (KernelReport g : groups) {
            if (!merged.contains(g)) {
                out.add(g);
            }
        }
        if (headers.isEmpty()) {
            Matcher z = ZONE_LINE.matcher(t);
            if (z.find()) {
                // a Mem-Info dump without a failure or OOM header (SysRq-m, a memcg report cut at its header)
                out.add(window(file, j, z.start(), t.length(), Kind.NOT_ALLOCATOR, "show_mem without an allocation"
                    + " request", "", -1, OptionalLong.empty(), "", j.lineAt(z.start())));
            }
        }
        if (out.isEmpty() && !refused.isEmpty()) {
            throw refused.get(0);
        }
        if (out.isEmpty()) {
            int line = firstNonBlank(j);
            if (j.cleanLines().stream().filter(l -> !l.isBlank() && !l.startsWith("#")).findFirst()
                .filter(l -> l.startsWith(dev.highwater.model.trace.TraceParser.MAGIC + " ")).isPresent()) {
                throw new KernelLogException(file, line, "a Highwater trace, not a kernel log: 'highwater replay' runs it");
            }
            throw new KernelLogException(file, line, "no kernel memory report found: expected a 'page allocation failure'"
                + " or 'invoked oom-killer' header, /proc/buddyinfo lines ('Node 0, zone DMA32 97 54 ...'), or"
                + " /proc/zoneinfo or /proc/pagetypeinfo");
        }
        out.sort((a, b) -> Integer.compare(a.line(), b.line()));
        return new Parsed(out, refused);
    }

    /** Every match of {@code p} in {@code t} as a header, each with a matcher of its own (a header keeps its groups). */
    private static void headersOf(Pattern p, Kind kind, String t, List<Header> into) {
        Matcher m = p.matcher(t);
        while (m.find()) {
            into.add(new Header(m.start(), m.end(), kind, m));
            m = p.matcher(t).region(m.end(), t.length());
        }
    }

    /**
     * One vmalloc failure, one report. 3.x's warn_alloc_failed printed vmalloc's line and then the page allocator's
     * header ("X: page allocation failure: order:0, mode:0xd2") on the next: for a vmap area that could not be found
     * ("allocation failure: N bytes") the pair is a vmalloc report; for a page ("allocated X of Y bytes") it is that
     * page's request. From 4.9 the page case is one line with its mode: a request of order 0.
     */
    private static List<Header> vmallocHeaders(Joined j, List<Header> headers) {
        List<Header> out = new ArrayList<>();
        for (int h = 0; h < headers.size(); h++) {
            Header hd = headers.get(h);
            if (hd.kind() != Kind.NOT_ALLOCATOR) {
                out.add(hd);
                continue;
            }
            Matcher pages = VMALLOC_PAGES.matcher(j.text()).region(hd.start(), j.text().length());
            boolean isPages = pages.lookingAt();
            Header next = h + 1 < headers.size() ? headers.get(h + 1) : null;
            boolean pairedWithFailure = next != null && next.kind() == Kind.ALLOC_FAILURE
                && j.lineAt(next.start()) - j.lineAt(hd.end()) <= 1;
            if (pairedWithFailure) {
                h++;
                // the page case: the allocator's header is the request; the vmap case: the vmalloc report
                out.add(isPages ? new Header(hd.start(), next.end(), Kind.ALLOC_FAILURE, next.m())
                    : new Header(hd.start(), hd.end(), Kind.NOT_ALLOCATOR, hd.m()));
            } else if (isPages && pages.group(2) != null) {
                out.add(new Header(hd.start(), pages.end(), Kind.ALLOC_FAILURE, pages, true));
            } else {
                out.add(hd);
            }
        }
        return out;
    }

    private static int firstNonBlank(Joined j) {
        for (int i = 0; i < j.cleanLines().size(); i++) {
            if (!j.cleanLines().get(i).isBlank()) {
                return j.lineNumbers()[i];
            }
        }
        return 1;
    }

    private static KernelReport report(String file, Joined j, Header hd, int end) throws KernelLogException {
        Matcher m = hd.m();
        String header = j.text().substring(hd.start(), hd.end()).strip();
        int line = j.lineAt(hd.start());
        String window = j.text().substring(hd.start(), end);
        Kind kind = hd.kind();
        String comm;
        int order;
        OptionalLong gfp;
        String names;
        try {
            switch (kind) {
                case ALLOC_FAILURE -> {
                    if (hd.vmallocPage()) {
                        // one of vmalloc's order-0 pages, refused with the mode the line names
                        comm = m.group(1) == null ? "" : stripPrompt(m.group(1));
                        order = 0;
                        gfp = OptionalLong.of(Long.parseUnsignedLong(m.group(2).substring(2), 16));
                        names = m.group(3) == null ? "" : m.group(3);
                        break;
                    }
                    comm = stripPrompt(m.group(1));
                    order = Integer.parseInt(m.group(2));
                    gfp = OptionalLong.of(Long.parseUnsignedLong(m.group(3).substring(2), 16));
                    names = m.group(4) == null ? "" : m.group(4);
                }
                case OOM -> {
                    if (m.pattern() == OOM_NO_COMM) {
                        comm = "";
                        order = Integer.parseInt(m.group(3));
                        gfp = OptionalLong.of(Long.parseUnsignedLong(m.group(1).substring(2), 16));
                        names = m.group(2) == null ? "" : m.group(2);
                    } else {
                        boolean orderFirst = m.pattern() == OOM_ORDER_FIRST;
                        comm = stripPrompt(m.group(1));
                        order = Integer.parseInt(m.group(orderFirst ? 2 : 4));
                        gfp = OptionalLong.of(Long.parseUnsignedLong(m.group(orderFirst ? 3 : 2).substring(2), 16));
                        String n = m.group(orderFirst ? 4 : 3);
                        names = n == null ? "" : n;
                    }
                    if (MEMCG.matcher(window).find()) {
                        kind = Kind.NOT_ALLOCATOR;
                    }
                }
                default -> {
                    comm = m.group(1) == null ? "" : stripPrompt(m.group(1));
                    order = -1;
                    gfp = OptionalLong.empty();
                    names = "";
                }
            }
        } catch (NumberFormatException e) {
            throw new KernelLogException(file, line, "garbled header '" + header + "': " + e.getMessage());
        }
        if (order < -1 || order > 20) {
            throw new KernelLogException(file, line, "order " + order + " out of range in '" + header + "'");
        }
        return window(file, j, hd.start(), end, kind, header, comm, order, gfp, names, line);
    }

    private static String stripPrompt(String comm) {
        String c = comm;
        while (c.startsWith("#") || c.startsWith("$")) {
            c = c.substring(1);
        }
        return c.endsWith(":") ? c.substring(0, c.length() - 1) : c;
    }

    private static KernelReport window(String file, Joined j, int start, int end, Kind kind, String header,
                                       String comm, int order, OptionalLong gfp, String names, int line)
        throws KernelLogException {
        String t = j.text();
        // a zone printed again is a second Mem-Info (another report whose header was not kept, as in a phone's log of
        // two atomic failures): this report ends there
        java.util.Set<String> seenZones = new java.util.HashSet<>();
        Matcher again = ZONE_LINE.matcher(t).region(start, end);
        while (again.find()) {
            if (!seenZones.add((again.group(1) == null ? "" : again.group(1)) + again.group(2))) {
                end = j.lineStartOf(again.start());
                break;
            }
        }
        Optional<String> release = Optional.empty();
        Matcher rm = RELEASE.matcher(t).region(start, end);
        if (rm.find()) {
            release = Optional.of(rm.group(1));
        }
        List<String> trace = new ArrayList<>();
        Matcher fm = FRAME.matcher(t).region(start, end);
        while (fm.find()) {
            trace.add(fm.group(1) != null ? fm.group(1) : fm.group(2));
        }
        // zone lines
        List<int[]> zoneSpans = new ArrayList<>();
        Matcher zm = ZONE_LINE.matcher(t).region(start, end);
        while (zm.find()) {
            zoneSpans.add(new int[] {zm.start(), zm.end()});
        }
        int firstZone = zoneSpans.isEmpty() ? end : zoneSpans.get(0)[0];
        Map<String, Long> memInfo = new LinkedHashMap<>();
        Matcher mi = MEMINFO_START.matcher(t).region(start, firstZone);
        int nodeStart = -1;
        if (mi.find()) {
            Matcher nl = NODE_LINE.matcher(t).region(mi.start(), firstZone);
            int miEnd = firstZone;
            if (nl.find()) {
                miEnd = nl.start();
                nodeStart = nl.start();
            }
            Matcher pt = PAGE_TOKEN.matcher(t).region(mi.start(), miEnd);
            while (pt.find()) {
                memInfo.putIfAbsent(pt.group(1).toLowerCase(java.util.Locale.ROOT), number(file, j.lineAt(pt.start()), pt.group(2), pt.group()));
            }
        }
        Map<String, Long> node = new LinkedHashMap<>();
        if (nodeStart >= 0) {
            Matcher f = FIELD.matcher(t).region(nodeStart, firstZone);
            while (f.find()) {
                if (f.group(4) != null) {
                    node.put("all_unreclaimable", f.group(4).equals("yes") ? 1L : 0L);
                    break;
                }
                node.putIfAbsent(f.group(1), number(file, j.lineAt(f.start()), f.group(2), f.group()));
            }
        }
        if (zoneSpans.isEmpty() && MEMINFO_HDR.matcher(t).region(start, end).find()
            && !BUDDY_START.matcher(t).region(start, end).find()) {
            Matcher h = MEMINFO_HDR.matcher(t).region(start, end);
            h.find();
            throw new KernelLogException(file, j.lineAt(h.start()), "truncated report: 'Mem-Info:' is not followed by"
                + " any zone line ('<Zone> free:NkB min:NkB ...')");
        }
        // an excerpt that stops after the zone lines (a commit message quoting Mem-Info): no buddy line at all, so the
        // zones carry their watermarks and no free blocks, like /proc/zoneinfo alone
        boolean noBuddyLines = !BUDDY_START.matcher(t).region(start, end).find()
            && !EMPTY_BUDDY.matcher(t).region(start, end).find();
        List<ZoneState> zones = new ArrayList<>();
        for (int zi = 0; zi < zoneSpans.size(); zi++) {
            int zs = zoneSpans.get(zi)[0];
            int zoneLine = j.lineAt(zs);
            int limit = zi + 1 < zoneSpans.size() ? zoneSpans.get(zi + 1)[0] : end;
            Matcher zh = ZONE_LINE.matcher(t).region(zs, limit);
            zh.lookingAt();
            String prefix = zh.group(1) == null ? "" : zh.group(1);
            String name = zh.group(2);
            Matcher lr = LOWMEM.matcher(t).region(zs, limit);
            int fieldsEnd = limit;
            List<Long> reserve = List.of();
            if (lr.find()) {
                fieldsEnd = lr.start();
                List<Long> r = new ArrayList<>();
                for (String s : lr.group(1).strip().split("\\s+")) {
                    if (r.size() >= 6) {
                        break;
                    }
                    r.add(number(file, j.lineAt(lr.start()), s, "lowmem_reserve[] entry " + s));
                }
                reserve = r;
            }
            Matcher bs = BUDDY_START.matcher(t).region(zs, fieldsEnd);
            if (bs.find()) {
                fieldsEnd = bs.start();
            }
            List<Field> fields = new ArrayList<>();
            Optional<Boolean> allUnrec = Optional.empty();
            Matcher f = FIELD.matcher(t).region(zh.start(3), fieldsEnd);
            while (f.find()) {
                if (f.group(4) != null) {
                    allUnrec = Optional.of(f.group(4).equals("yes"));
                    continue;
                }
                try {
                    fields.add(new Field(f.group(1), Long.parseLong(f.group(2)), f.group(3) == null ? "" : f.group(3)));
                } catch (NumberFormatException e) {
                    throw new KernelLogException(file, j.lineAt(f.start()), "number out of range: " + f.group());
                }
            }
            boolean hasMin = fields.stream().anyMatch(x -> x.name().equals("min"));
            boolean hasHigh = fields.stream().anyMatch(x -> x.name().equals("high"));
            if (!hasMin || !hasHigh) {
                throw new KernelLogException(file, zoneLine, "truncated zone line for " + name
                    + ": expected free:, min:, low: and high: fields");
            }
            // the buddy line of this zone: the first with its name after the zone line
            ZoneBuddy zb = null;
            int searchFrom = zs;
            Matcher b = BUDDY.matcher(t).region(searchFrom, end);
            while (b.find()) {
                if (b.group(2).equals(name) && sameNode(prefix, b.group(1))) {
                    zb = buddyOf(file, j, b);
                    break;
                }
            }
            if (zb == null) {
                // kernels before 2.6.2x print "Node 1 DMA: empty" for a zone without pages
                Matcher e = EMPTY_BUDDY.matcher(t).region(searchFrom, end);
                while (e.find()) {
                    if (e.group(2).equals(name) && sameNode(prefix, e.group(1))) {
                        zb = new ZoneBuddy(List.of(), 0);
                        break;
                    }
                }
            }
            if (zb == null && noBuddyLines) {
                zb = new ZoneBuddy(List.of(), -1);
            }
            if (zb == null) {
                Matcher partial = BUDDY_START.matcher(t).region(zs, end);
                int where = zoneLine;
                while (partial.find()) {
                    if (partial.group(1).equals(name)) {
                        where = j.lineAt(partial.start());
                        throw new KernelLogException(file, where, "truncated buddy line for zone " + name
                            + ": no '= NkB' total");
                    }
                }
                throw new KernelLogException(file, where, "truncated report: zone " + name + " has no buddy line ('"
                    + name + ": N*4kB (UM) ... = NkB')");
            }
            zones.add(new ZoneState(name, zoneLine, fields, allUnrec, reserve, zb.entries(), zb.total(), prefix));
        }
        // buddy lines without zone lines (a report cut before its zone lines is refused above; a 2.6.32 show_mem
        // always prints zone lines first)
        Map<String, Long> footer = new LinkedHashMap<>();
        Matcher ft = FOOTER.matcher(t).region(start, end);
        while (ft.find()) {
            if (ft.group(1) != null) {
                footer.putIfAbsent(ft.group(2), number(file, j.lineAt(ft.start()), ft.group(1), ft.group()));
            } else {
                footer.putIfAbsent(ft.group(3), number(file, j.lineAt(ft.start()), ft.group(4), ft.group()));
            }
        }
        return new KernelReport(file, line, kind, header, comm, order, gfp, names, release, trace, memInfo, node,
            zones, footer);
    }

    /** A printed count as a long, or a refusal at its line ("number out of range: what"). */
    static long number(String file, int line, String digits, String what) throws KernelLogException {
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw new KernelLogException(file, line, "number out of range: " + what);
        }
    }

    /** A buddy line belongs to a zone line of the same node, when both name theirs (multi-node reports). */
    private static boolean sameNode(String zonePrefix, String buddyPrefix) {
        return zonePrefix.isEmpty() || buddyPrefix == null || zonePrefix.equals(buddyPrefix);
    }

    private record ZoneBuddy(List<BuddyEntry> entries, long total) {
    }

    private static ZoneBuddy buddyOf(String file, Joined j, Matcher b) throws KernelLogException {
        int line = j.lineAt(b.start());
        List<BuddyEntry> entries = new ArrayList<>();
        Matcher e = BUDDY_ENTRY.matcher(b.group(3));
        long sum = 0;
        long expectedSize = -1;
        while (e.find()) {
            long count;
            long size;
            try {
                count = Long.parseLong(e.group(1));
                size = Long.parseLong(e.group(2));
            } catch (NumberFormatException ex) {
                throw new KernelLogException(file, line, "number out of range in buddy line: " + e.group());
            }
            if (expectedSize < 0) {
                expectedSize = size;
            } else if (size != expectedSize) {
                throw new KernelLogException(file, line, "garbled buddy line for " + b.group(2) + ": block size " + size
                    + "kB where " + expectedSize + "kB was expected");
            }
            expectedSize = size * 2;
            String letters = e.group(3) == null ? "" : e.group(3);
            for (char c : letters.toCharArray()) {
                if ("UMEHCIR".indexOf(c) < 0) {
                    throw new KernelLogException(file, line, "unknown migratetype letter '" + c + "' in buddy line");
                }
            }
            entries.add(new BuddyEntry(count, size, letters));
            try {
                sum = Math.addExact(sum, Math.multiplyExact(count, size));
            } catch (ArithmeticException ex) {
                throw new KernelLogException(file, line, "number out of range in buddy line: " + e.group());
            }
        }
        long total = number(file, line, b.group(4), "buddy line total " + b.group(4) + "kB");
        if (sum != total) {
            throw new KernelLogException(file, line, "buddy line for " + b.group(2) + " adds up to " + sum
                + "kB but prints = " + total + "kB (garbled or cut)");
        }
        if (entries.size() > 20) {
            throw new KernelLogException(file, line, "buddy line with " + entries.size() + " orders");
        }
        return new ZoneBuddy(entries, total);
    }

    /** Groups of consecutive {@code /proc/buddyinfo} lines, one report each. */
    private static List<KernelReport> buddyinfo(String file, Joined j, BitSet notBuddyinfo) throws KernelLogException {
        List<KernelReport> out = new ArrayList<>();
        List<ZoneState> group = new ArrayList<>();
        int groupLine = -1;
        List<String> lines = j.cleanLines();
        for (int i = 0; i <= lines.size(); i++) {
            Matcher m = i < lines.size() && !notBuddyinfo.get(i) ? BUDDYINFO.matcher(lines.get(i)) : null;
            if (m != null && m.matches()) {
                int ln = j.lineNumbers()[i];
                if (group.isEmpty()) {
                    groupLine = ln;
                }
                String[] counts = m.group(3).strip().split("\\s+");
                List<BuddyEntry> entries = new ArrayList<>();
                long total = 0;
                for (int o = 0; o < counts.length; o++) {
                    long c;
                    try {
                        c = Long.parseLong(counts[o]);
                        total = Math.addExact(total, Math.multiplyExact(c, 4L << o));
                    } catch (NumberFormatException | ArithmeticException e) {
                        throw new KernelLogException(file, ln, "number out of range in buddyinfo line");
                    }
                    entries.add(new BuddyEntry(c, 4L << o, ""));
                }
                group.add(new ZoneState(m.group(2), ln, List.of(), Optional.empty(), List.of(), entries, total,
                    "Node " + m.group(1) + ", "));
            } else if (!group.isEmpty()) {
                out.add(new KernelReport(file, groupLine, Kind.BUDDYINFO, "/proc/buddyinfo", "", -1,
                    OptionalLong.empty(), "", Optional.empty(), List.of(), Map.of(), Map.of(), group, Map.of()));
                group = new ArrayList<>();
            }
        }
        return out;
    }
}
