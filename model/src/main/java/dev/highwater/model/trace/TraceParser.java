package dev.highwater.model.trace;

import dev.highwater.model.Context;
import dev.highwater.model.Gfp;
import dev.highwater.model.NodeConfig;
import dev.highwater.model.ZoneSpec;
import dev.highwater.model.ZoneType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Parses the trace format (see {@link TracePrinter} for the canonical form). Every error names the source and
 * line and says what was expected.
 *
 * <pre>
 * highwater-trace 1
 * policy linux-4.8
 * node pageblock_order=6 max_order=11 cpus=2
 * zone Normal pages=4096
 * vm min_free_kbytes=512 watermark_boost_factor=0
 * task 1 oom_score_adj=0
 * alloc #1 task=1 order=0 gfp=GFP_KERNEL count=100   =&gt; ok
 * alloc #2 order=2 gfp=GFP_ATOMIC ctx=softirq cpu=1   =&gt; ok
 * free #2
 * repeat 3            # steps 4-9
 *   cache write=1
 *   cache read=1
 * end
 * expect violation order0-atomic-above-floor at step 5
 * </pre>
 *
 * <p>A {@code repeat N} ... {@code end} block stands for its steps written out N times, in order: it is shorthand, and
 * step numbers ({@code at step K}) count the steps written out. Blocks do not nest.
 */
public final class TraceParser {
    public static final String MAGIC = "highwater-trace";
    public static final int VERSION = 1;
    /** Hard limits keep a hostile or corrupt file from exhausting memory. */
    public static final long MAX_PAGES = 1L << 26;
    public static final int MAX_COUNT = 1 << 20;
    public static final int MAX_OPS = 1_000_000;

    private static final Pattern HANDLE = Pattern.compile("#[A-Za-z0-9_]{1,32}");
    private static final Pattern INT = Pattern.compile("-?[0-9]{1,12}");

    private final String source;
    private int lineNo;

    private TraceParser(String source) {
        this.source = source;
    }

    public static Trace parseFile(Path file) throws IOException, TraceFormatException {
        byte[] bytes = Files.readAllBytes(file);
        return parse(file.toString(), text(file.toString(), bytes));
    }

    /**
     * The bytes of a trace file as text: UTF-8 (ASCII in practice), refused when it is not, so that a binary file or a
     * file in another encoding is named as such, at its line, instead of being read as a garbled first line.
     */
    static String text(String source, byte[] bytes) throws TraceFormatException {
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        int bad = utf8.decode(in, out, true).isError() ? in.position() : nul(bytes);
        if (bad < 0) {
            return out.flip().toString();
        }
        int line = 1;
        for (int i = 0; i < bad; i++) {
            if (bytes[i] == '\n') {
                line++;
            }
        }
        throw new TraceFormatException(source, line, String.format("not a text trace: byte 0x%02x at offset %d is %s",
            bytes[bad] & 0xff, bad, bytes[bad] == 0 ? "a NUL (a binary file?)" : "not UTF-8 (a binary file, or another encoding?)"));
    }

    /** The offset of the first 0 byte, or -1 (in UTF-8 a 0 byte is a NUL: no longer sequence contains one). */
    private static int nul(byte[] bytes) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                return i;
            }
        }
        return -1;
    }

    public static Trace parse(String source, String text) throws TraceFormatException {
        return new TraceParser(source).run(text);
    }

    private TraceFormatException err(String msg) {
        return new TraceFormatException(source, lineNo, msg);
    }

    private Trace run(String text) throws TraceFormatException {
        // a byte-order mark (what some Windows editors put before UTF-8 text) is not part of the first line
        String[] lines = (text.startsWith("\uFEFF") ? text.substring(1) : text).split("\r?\n", -1);
        List<String> comments = new ArrayList<>();
        String policy = null;
        Map<String, String> nodeArgs = null;
        List<ZoneSpec> zones = new ArrayList<>();
        VmSettings vm = null;
        List<TaskSpec> tasks = new ArrayList<>();
        long swapPages = -1;
        List<Op> ops = new ArrayList<>();
        List<Integer> opLines = new ArrayList<>();
        List<Expectation> expectations = new ArrayList<>();
        boolean sawMagic = false;
        Set<String> liveHandles = new HashSet<>();
        Set<String> everHandles = new HashSet<>();
        // an open repeat block: its count, its line, and its steps (keyword, tokens, result, line) as written
        int repeatCount = 0;
        int repeatLine = 0;
        List<Object[]> block = null;
        Set<String> blockLive = null;
        Set<String> blockEver = null;

        for (int i = 0; i < lines.length; i++) {
            lineNo = i + 1;
            String raw = lines[i];
            int commentAt = commentStart(raw);
            String body = (commentAt >= 0 ? raw.substring(0, commentAt) : raw).strip();
            if (body.isEmpty()) {
                if (commentAt >= 0 && ops.isEmpty() && expectations.isEmpty() && block == null) {
                    String c = raw.substring(commentAt + 1);
                    comments.add(c.startsWith(" ") ? c.substring(1) : c);
                }
                continue;
            }
            if (!sawMagic) {
                if (!body.equals(MAGIC + " " + VERSION)) {
                    throw err("expected the first line to be '" + MAGIC + " " + VERSION + "', got '" + clip(body) + "'");
                }
                sawMagic = true;
                continue;
            }
            String expected = null;
            int arrow = body.indexOf("=>");
            if (arrow >= 0) {
                expected = body.substring(arrow + 2).strip();
                body = body.substring(0, arrow).strip();
                if (!ResultText.isValid(expected)) {
                    throw err("expected a result after '=>' (" + ResultText.GRAMMAR + "), got '" + clip(expected) + "'");
                }
            }
            body = body.replaceAll("\\s*\\|\\s*", "|");
            String[] tok = body.split("\\s+");
            String kw = tok[0];
            boolean header = switch (kw) {
                case "policy", "node", "zone", "vm", "task", "swap" -> true;
                default -> false;
            };
            if (header && (!ops.isEmpty() || !expectations.isEmpty() || block != null)) {
                throw err("'" + kw + "' is a header line and must come before the first step");
            }
            if (block != null && !isStep(kw) && !kw.equals("end")) {
                throw err("'" + clip(kw) + "' inside 'repeat' (line " + repeatLine + "): a block holds steps only,"
                    + " closed by 'end'");
            }
            if ((kw.equals("repeat") || kw.equals("end")) && expected != null) {
                throw err("only steps carry a '=> result'");
            }
            if (expected != null && (header || kw.equals("expect"))) {
                throw err("only steps carry a '=> result'");
            }
            switch (kw) {
                case "policy" -> {
                    if (tok.length != 2) {
                        throw err("expected 'policy <preset>', e.g. 'policy linux-4.8'");
                    }
                    if (policy != null) {
                        throw err("a second 'policy' line");
                    }
                    policy = tok[1];
                }
                case "node" -> {
                    if (nodeArgs != null) {
                        throw err("a second 'node' line");
                    }
                    nodeArgs = keyValues(tok, 1, Set.of("pageblock_order", "max_order", "cpus", "pcp_batch", "pcp_high"));
                    int pbo = intArg(nodeArgs, "pageblock_order", 9, 0, 19);
                    int mo = intArg(nodeArgs, "max_order", 11, 1, 20);
                    intArg(nodeArgs, "cpus", 1, 1, 64);
                    if (pbo >= mo) {
                        throw err("pageblock_order (" + pbo + ") must be below max_order (" + mo + ")");
                    }
                    if (nodeArgs.containsKey("pcp_batch") != nodeArgs.containsKey("pcp_high")) {
                        throw err("'node' needs pcp_batch and pcp_high together");
                    }
                }
                case "zone" -> {
                    ZoneSpec z = parseZone(tok);
                    if (!zones.isEmpty() && z.type().ordinal() <= zones.get(zones.size() - 1).type().ordinal()) {
                        throw err("zone " + z.type().kernelName() + " after zone "
                            + zones.get(zones.size() - 1).type().kernelName()
                            + ": zones are listed once each, in index order (DMA, DMA32, Normal, HighMem, Movable)");
                    }
                    zones.add(z);
                }
                case "vm" -> {
                    if (vm != null) {
                        throw err("a second 'vm' line");
                    }
                    vm = parseVm(tok);
                }
                case "task" -> {
                    TaskSpec t = parseTask(tok);
                    for (TaskSpec o : tasks) {
                        if (o.id() == t.id()) {
                            throw err("task " + t.id() + " is declared twice");
                        }
                    }
                    tasks.add(t);
                }
                case "swap" -> {
                    if (swapPages >= 0) {
                        throw err("a second 'swap' line");
                    }
                    Map<String, String> kv = keyValues(tok, 1, Set.of("pages"));
                    if (!kv.containsKey("pages")) {
                        throw err("expected 'swap pages=N'");
                    }
                    swapPages = longValue("pages", kv.get("pages"), 0, MAX_PAGES);
                }
                case "expect" -> expectations.add(parseExpect(tok));
                case "alloc", "free", "drain", "cache", "writeback", "anon", "exit", "kswapd", "compact", "sysctl" -> {
                    if (!expectations.isEmpty()) {
                        throw err("steps must come before the 'expect' lines");
                    }
                    if (block != null) {
                        // checked once as written (so an error names this line), expanded at 'end'
                        parseOp(kw, tok, Optional.ofNullable(expected), tasks, blockLive, blockEver);
                        block.add(new Object[] {kw, tok, expected, lineNo});
                        continue;
                    }
                    if (ops.size() >= MAX_OPS) {
                        throw err("too many steps (limit " + MAX_OPS + ")");
                    }
                    Op op = parseOp(kw, tok, Optional.ofNullable(expected), tasks, liveHandles, everHandles);
                    ops.add(op);
                    opLines.add(lineNo);
                }
                case "repeat" -> {
                    if (!expectations.isEmpty()) {
                        throw err("steps must come before the 'expect' lines");
                    }
                    if (block != null) {
                        throw err("'repeat' inside the 'repeat' of line " + repeatLine + ": blocks do not nest");
                    }
                    if (tok.length != 2 || !INT.matcher(tok[1]).matches()) {
                        throw err("expected 'repeat N' (N from 1 to " + MAX_OPS + "), then steps, then 'end'");
                    }
                    repeatCount = (int) longValue("repeat", tok[1], 1, MAX_OPS);
                    repeatLine = lineNo;
                    block = new ArrayList<>();
                    blockLive = new HashSet<>(liveHandles);
                    blockEver = new HashSet<>(everHandles);
                }
                case "end" -> {
                    if (block == null) {
                        throw err("'end' without a 'repeat'");
                    }
                    if (tok.length != 1) {
                        throw err("'end' takes no arguments");
                    }
                    if (block.isEmpty()) {
                        throw err("the 'repeat' of line " + repeatLine + " has no steps");
                    }
                    if ((long) repeatCount * block.size() > MAX_OPS - ops.size()) {
                        lineNo = repeatLine;
                        throw err("too many steps (limit " + MAX_OPS + ")");
                    }
                    int endLine = lineNo;
                    for (int r = 0; r < repeatCount; r++) {
                        for (Object[] st : block) {
                            lineNo = (Integer) st[3];
                            ops.add(parseOp((String) st[0], (String[]) st[1], Optional.ofNullable((String) st[2]), tasks,
                                liveHandles, everHandles));
                            opLines.add(lineNo);
                        }
                    }
                    lineNo = endLine;
                    block = null;
                }
                default -> throw err("unknown line '" + clip(kw) + "'; expected one of: policy, node, zone, vm, task, "
                    + "swap, alloc, free, drain, cache, writeback, anon, exit, kswapd, compact, sysctl, repeat, end, expect");
            }
        }
        lineNo = Math.max(1, lines.length);
        if (block != null) {
            lineNo = repeatLine;
            throw err("'repeat' without its 'end'");
        }
        if (!sawMagic) {
            boolean blank = Arrays.stream(lines).allMatch(String::isBlank);
            throw new TraceFormatException(source, 1, (blank ? "empty file" : "only comments and blank lines")
                + ": expected '" + MAGIC + " " + VERSION + "'");
        }
        if (policy == null) {
            throw err("missing 'policy <preset>' line");
        }
        if (zones.isEmpty()) {
            throw err("missing 'zone' line: a trace needs at least one zone");
        }
        Map<String, String> na = nodeArgs == null ? Map.of() : nodeArgs;
        NodeConfig node;
        try {
            int pcpBatch = intArg(na, "pcp_batch", 0, 0, 1 << 20);
            int pcpHigh = intArg(na, "pcp_high", -1, -1, 1 << 24);
            if ((pcpBatch > 0) != (pcpHigh >= 0)) {
                throw err("'node' needs pcp_batch and pcp_high together");
            }
            node = new NodeConfig(zones, intArg(na, "pageblock_order", 9, 0, 19), intArg(na, "max_order", 11, 1, 20),
                intArg(na, "cpus", 1, 1, 64), pcpBatch, pcpHigh);
        } catch (IllegalArgumentException e) {
            throw err(e.getMessage());
        }
        for (Op op : ops) {
            int cpu = op.cpu();
            if (cpu >= node.cpus()) {
                lineNo = opLines.get(ops.indexOf(op));
                throw err("cpu=" + cpu + " but the node has " + node.cpus() + " cpu(s) (set 'node cpus=N')");
            }
        }
        for (int i = 0; i < ops.size(); i++) {
            if (ops.get(i) instanceof Op.Compact c && c.order() >= node.maxOrder()) {
                lineNo = opLines.get(i);
                throw err("compact order=" + c.order() + " but max_order is " + node.maxOrder());
            }
        }
        return new Trace(comments, policy, node, vm == null ? VmSettings.DEFAULTS : vm, tasks, Math.max(swapPages, 0),
            ops, opLines, expectations);
    }

    private static boolean isStep(String kw) {
        return switch (kw) {
            case "alloc", "free", "drain", "cache", "writeback", "anon", "exit", "kswapd", "compact", "sysctl" -> true;
            default -> false;
        };
    }

    /** A comment starts at a '#' that begins the line or follows whitespace and is not a handle ('#1'). */
    static int commentStart(String raw) {
        for (int i = 0; i < raw.length(); i++) {
            if (raw.charAt(i) != '#') {
                continue;
            }
            boolean lineStart = raw.substring(0, i).isBlank();
            boolean nextIsHandleChar = i + 1 < raw.length()
                && (Character.isLetterOrDigit(raw.charAt(i + 1)) || raw.charAt(i + 1) == '_');
            if (lineStart && !nextIsHandleChar) {
                return i;
            }
            if (lineStart) {
                continue; // '#1' at line start would be a handle without a keyword; let the keyword check report it
            }
            if (!nextIsHandleChar) {
                return i;
            }
        }
        return -1;
    }

    private static String clip(String s) {
        // control characters would garble the terminal the message is printed on
        s = s.codePoints().map(c -> Character.isISOControl(c) ? '?' : c)
            .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }

    private int declaredTask(String v, List<TaskSpec> tasks) throws TraceFormatException {
        int task = (int) longValue("task", v, 1, 1_000_000);
        if (tasks.stream().noneMatch(t -> t.id() == task)) {
            throw err("task " + task + " is not declared (add 'task " + task + "' to the header)");
        }
        return task;
    }

    private Map<String, String> keyValues(String[] tok, int from, Set<String> allowed) throws TraceFormatException {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = from; i < tok.length; i++) {
            int eq = tok[i].indexOf('=');
            if (eq <= 0 || eq == tok[i].length() - 1) {
                throw err("expected key=value, got '" + clip(tok[i]) + "' (keys: " + String.join(", ", sorted(allowed)) + ")");
            }
            String k = tok[i].substring(0, eq);
            if (!allowed.contains(k)) {
                throw err("unknown key '" + clip(k) + "' (expected one of: " + String.join(", ", sorted(allowed)) + ")");
            }
            if (m.put(k, tok[i].substring(eq + 1)) != null) {
                throw err("key '" + k + "' given twice");
            }
        }
        return m;
    }

    private static List<String> sorted(Set<String> s) {
        List<String> l = new ArrayList<>(s);
        java.util.Collections.sort(l);
        return l;
    }

    private long longValue(String key, String v, long min, long max) throws TraceFormatException {
        if (!INT.matcher(v).matches()) {
            throw err(key + " must be a whole number, got '" + clip(v) + "'");
        }
        long n = Long.parseLong(v);
        if (n < min || n > max) {
            throw err(key + " must be " + min + ".." + max + ", got " + n);
        }
        return n;
    }

    private int intArg(Map<String, String> m, String key, int dflt, int min, int max) throws TraceFormatException {
        String v = m.get(key);
        return v == null ? dflt : (int) longValue(key, v, min, max);
    }

    private ZoneSpec parseZone(String[] tok) throws TraceFormatException {
        if (tok.length < 3) {
            throw err("expected 'zone <DMA|DMA32|Normal|HighMem|Movable> pages=N [present=N] [boot_managed=N]'");
        }
        ZoneType type;
        try {
            type = ZoneType.parse(tok[1]);
        } catch (IllegalArgumentException e) {
            throw err(e.getMessage());
        }
        Map<String, String> kv = keyValues(tok, 2, Set.of("pages", "present", "boot_managed"));
        if (!kv.containsKey("pages")) {
            throw err("zone " + type.kernelName() + " needs pages=N (its managed pages)");
        }
        long pages = longValue("pages", kv.get("pages"), 0, MAX_PAGES);
        long present = kv.containsKey("present") ? longValue("present", kv.get("present"), pages, MAX_PAGES) : pages;
        long boot = kv.containsKey("boot_managed") ? longValue("boot_managed", kv.get("boot_managed"), 0, MAX_PAGES) : pages;
        return new ZoneSpec(type, pages, present, boot);
    }

    private VmSettings parseVm(String[] tok) throws TraceFormatException {
        Map<String, String> kv = keyValues(tok, 1, Set.of("min_free_kbytes", "watermark_scale_factor",
            "watermark_boost_factor", "lowmem_reserve_ratio", "zone_reclaim_mode"));
        OptionalInt mfk = optInt(kv, "min_free_kbytes", 0, 1 << 24);
        OptionalInt wsf = optInt(kv, "watermark_scale_factor", 1, 3000);
        OptionalInt boost = optInt(kv, "watermark_boost_factor", 0, 1 << 20);
        OptionalInt zrm = optInt(kv, "zone_reclaim_mode", 0, 7);
        Optional<List<Integer>> ratio = Optional.empty();
        if (kv.containsKey("lowmem_reserve_ratio")) {
            String[] parts = kv.get("lowmem_reserve_ratio").split(":", -1);
            if (parts.length != ZoneType.values().length) {
                throw err("lowmem_reserve_ratio needs " + ZoneType.values().length
                    + " values separated by ':' (DMA:DMA32:Normal:HighMem:Movable), e.g. 256:256:32:0:0");
            }
            List<Integer> r = new ArrayList<>();
            for (String p : parts) {
                r.add((int) longValue("lowmem_reserve_ratio", p, -1_000_000, 1_000_000_000));
            }
            ratio = Optional.of(r);
        }
        return new VmSettings(mfk, wsf, boost, ratio, zrm);
    }

    private OptionalInt optInt(Map<String, String> kv, String key, int min, int max) throws TraceFormatException {
        return kv.containsKey(key) ? OptionalInt.of((int) longValue(key, kv.get(key), min, max)) : OptionalInt.empty();
    }

    private TaskSpec parseTask(String[] tok) throws TraceFormatException {
        if (tok.length < 2) {
            throw err("expected 'task <id> [oom_score_adj=N] [rt]'");
        }
        int id = (int) longValue("task id", tok[1], 1, 1_000_000);
        int adj = 0;
        boolean rt = false;
        for (int i = 2; i < tok.length; i++) {
            if (tok[i].equals("rt")) {
                rt = true;
            } else if (tok[i].startsWith("oom_score_adj=")) {
                adj = (int) longValue("oom_score_adj", tok[i].substring("oom_score_adj=".length()), -1000, 1000);
            } else {
                throw err("unexpected '" + clip(tok[i]) + "' in task line (expected oom_score_adj=N or rt)");
            }
        }
        return new TaskSpec(id, adj, rt);
    }

    private Expectation parseExpect(String[] tok) throws TraceFormatException {
        int i = 1;
        Optional<String> preset = Optional.empty();
        if (i < tok.length && !tok[i].equals("violation") && !tok[i].equals("clean")) {
            preset = Optional.of(tok[i++]);
        }
        if (i >= tok.length) {
            throw err("expected 'expect [preset] violation <property> [at step N]' or 'expect [preset] clean'");
        }
        if (tok[i].equals("clean")) {
            if (i + 1 != tok.length) {
                throw err("nothing may follow 'clean'");
            }
            return Expectation.clean(preset);
        }
        if (!tok[i].equals("violation") || i + 1 >= tok.length) {
            throw err("expected 'violation <property>' or 'clean' after 'expect'");
        }
        String property = tok[i + 1];
        if (!property.matches("[a-z0-9][a-z0-9-]*")) {
            throw err("a property id is lower-case words joined by '-', got '" + clip(property) + "'");
        }
        OptionalInt step = OptionalInt.empty();
        int rest = i + 2;
        if (rest < tok.length) {
            if (rest + 3 != tok.length || !tok[rest].equals("at") || !tok[rest + 1].equals("step")) {
                throw err("expected 'at step N' after the property");
            }
            step = OptionalInt.of((int) longValue("step", tok[rest + 2], 1, MAX_OPS));
        }
        return Expectation.violation(preset, property, step);
    }

    private Op parseOp(String kw, String[] tok, Optional<String> expected, List<TaskSpec> tasks,
                       Set<String> liveHandles, Set<String> everHandles) throws TraceFormatException {
        switch (kw) {
            case "drain", "kswapd" -> {
                if (tok.length != 1) {
                    throw err("'" + kw + "' takes no arguments");
                }
                return kw.equals("drain") ? new Op.Drain(expected) : new Op.Kswapd(expected);
            }
            case "cache" -> {
                Map<String, String> kv = keyValues(tok, 1, Set.of("read", "write", "cpu"));
                if (!kv.containsKey("read") && !kv.containsKey("write")) {
                    throw err("expected 'cache read=N', 'cache write=N' or 'cache read=N write=N' (interleaved)");
                }
                int cpu = kv.containsKey("cpu") ? (int) longValue("cpu", kv.get("cpu"), 0, 63) : 0;
                if (kv.containsKey("read") && kv.containsKey("write")) {
                    int reads = (int) longValue("read", kv.get("read"), 1, MAX_COUNT);
                    int writes = (int) longValue("write", kv.get("write"), 1, MAX_COUNT);
                    if (reads != writes) {
                        throw err("'cache read=N write=N' interleaves N clean and N dirty pages: read and write must be"
                            + " equal, got read=" + reads + " write=" + writes);
                    }
                    return new Op.CacheInterleaved(reads, cpu, expected);
                }
                boolean dirty = kv.containsKey("write");
                int n = (int) longValue(dirty ? "write" : "read", kv.get(dirty ? "write" : "read"), 1, MAX_COUNT);
                return new Op.Cache(n, dirty, cpu, expected);
            }
            case "writeback" -> {
                Map<String, String> kv = keyValues(tok, 1, Set.of("pages"));
                int n = kv.containsKey("pages") ? (int) longValue("pages", kv.get("pages"), 1, MAX_COUNT) : 0;
                return new Op.Writeback(n, expected);
            }
            case "anon" -> {
                Map<String, String> kv = keyValues(tok, 1, Set.of("task", "pages", "cpu"));
                if (!kv.containsKey("task") || !kv.containsKey("pages")) {
                    throw err("expected 'anon task=T pages=N'");
                }
                int task = declaredTask(kv.get("task"), tasks);
                int n = (int) longValue("pages", kv.get("pages"), 1, MAX_COUNT);
                int cpu = kv.containsKey("cpu") ? (int) longValue("cpu", kv.get("cpu"), 0, 63) : 0;
                return new Op.Anon(task, n, cpu, expected);
            }
            case "exit" -> {
                Map<String, String> kv = keyValues(tok, 1, Set.of("task"));
                if (!kv.containsKey("task")) {
                    throw err("expected 'exit task=T'");
                }
                return new Op.Exit(declaredTask(kv.get("task"), tasks), expected);
            }
            case "compact" -> {
                Map<String, String> kv = keyValues(tok, 1, Set.of("order"));
                int order = kv.containsKey("order") ? (int) longValue("order", kv.get("order"), 0, 19) : -1;
                return new Op.Compact(order, expected);
            }
            case "sysctl" -> {
                if (tok.length != 2 || !tok[1].startsWith("vm.") || tok[1].indexOf('=') < 0) {
                    throw err("expected 'sysctl vm.NAME=VALUE'");
                }
                String name = tok[1].substring(3, tok[1].indexOf('='));
                String v = tok[1].substring(tok[1].indexOf('=') + 1);
                return switch (name) {
                    case "min_free_kbytes" -> new Op.Sysctl(name, (int) longValue(name, v, 0, 1 << 24), expected);
                    case "watermark_scale_factor" -> new Op.Sysctl(name, (int) longValue(name, v, 1, 3000), expected);
                    case "watermark_boost_factor" -> new Op.Sysctl(name, (int) longValue(name, v, 0, 1 << 20), expected);
                    case "zone_reclaim_mode" -> new Op.Sysctl(name, (int) longValue(name, v, 0, 7), expected);
                    default -> throw err("unknown sysctl vm." + clip(name) + " (expected min_free_kbytes, "
                        + "watermark_scale_factor, watermark_boost_factor or zone_reclaim_mode)");
                };
            }
            default -> {
            }
        }
        if (tok.length < 2 || !HANDLE.matcher(tok[1]).matches()) {
            throw err("expected a handle such as #1 after '" + kw + "'");
        }
        String handle = tok[1].substring(1);
        if (kw.equals("alloc")) {
            Map<String, String> kv = keyValues(tok, 2, Set.of("task", "order", "gfp", "ctx", "cpu", "count"));
            if (!kv.containsKey("order") || !kv.containsKey("gfp")) {
                throw err("alloc needs order=N and gfp=FLAGS, e.g. 'alloc #1 order=0 gfp=GFP_KERNEL'");
            }
            if (everHandles.contains(handle)) {
                throw err("handle #" + handle + " is already used; each alloc needs a new handle");
            }
            int order = (int) longValue("order", kv.get("order"), 0, 19);
            Gfp gfp;
            try {
                gfp = Gfp.parse(kv.get("gfp"));
            } catch (IllegalArgumentException e) {
                throw err(e.getMessage());
            }
            Context ctx = Context.PROCESS;
            if (kv.containsKey("ctx")) {
                try {
                    ctx = Context.parse(kv.get("ctx"));
                } catch (IllegalArgumentException e) {
                    throw err(e.getMessage());
                }
            }
            int task = kv.containsKey("task") ? (int) longValue("task", kv.get("task"), 1, 1_000_000) : 0;
            if (task != 0 && tasks.stream().noneMatch(t -> t.id() == task)) {
                throw err("task " + task + " is not declared (add 'task " + task + "' to the header)");
            }
            int cpu = kv.containsKey("cpu") ? (int) longValue("cpu", kv.get("cpu"), 0, 63) : 0;
            int count = kv.containsKey("count") ? (int) longValue("count", kv.get("count"), 1, MAX_COUNT) : 1;
            everHandles.add(handle);
            liveHandles.add(handle);
            return new Op.Alloc(handle, task, order, gfp, ctx, cpu, count, expected);
        }
        Map<String, String> kv = keyValues(tok, 2, Set.of("count", "cpu"));
        if (!everHandles.contains(handle)) {
            throw err("free #" + handle + " names no earlier alloc");
        }
        int count = kv.containsKey("count") ? (int) longValue("count", kv.get("count"), 1, MAX_COUNT) : 0;
        int cpu = kv.containsKey("cpu") ? (int) longValue("cpu", kv.get("cpu"), 0, 63) : 0;
        return new Op.Free(handle, count, cpu, expected);
    }
}
