package dev.highwater.model.trace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.highwater.model.Context;
import dev.highwater.model.Gfp;
import dev.highwater.model.NodeConfig;
import dev.highwater.model.ZoneSpec;
import dev.highwater.model.ZoneType;
import dev.highwater.model.policy.Presets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * The trace text format round-trips exactly ({@code parse(print(t))} is {@code t}, and printing is a fixed point), and
 * the parser fails on any corrupted text only with a {@link TraceFormatException} that names the source and a line
 * of the input.
 *
 * <p>The generator covers every grammar feature: header comments, 1–3 zones in index order with {@code present} and
 * {@code boot_managed}, the node line with and without {@code pcp_batch}/{@code pcp_high}, a {@code vm} line with any
 * subset of its keys (including {@code lowmem_reserve_ratio}), tasks with {@code oom_score_adj} and {@code rt}, the
 * {@code swap} line, alloc/free/drain steps with every optional field, the memory-system steps (cache, writeback, anon,
 * exit, kswapd, compact, sysctl), every recorded result form (with oom-kill, loop and panic suffixes), and
 * {@code expect} lines (clean and violation, with and without preset and step). Coverage checks fail the property if
 * a feature stops being generated.
 */
class TraceRoundTripProperties {

    private static final String SOURCE = "mutant.trace";

    /** Real GFP names, composites and single flags, of several eras. */
    private static final List<String> GFP_NAMES = List.of("GFP_KERNEL", "GFP_ATOMIC", "GFP_NOWAIT",
        "GFP_HIGHUSER_MOVABLE", "GFP_USER", "GFP_NOFS", "GFP_DMA32", "GFP_KERNEL_ACCOUNT", "GFP_TEMPORARY",
        "__GFP_NOWARN", "__GFP_NORETRY", "__GFP_COMP", "__GFP_ZERO", "__GFP_HIGH", "__GFP_MEMALLOC",
        "__GFP_NOMEMALLOC", "__GFP_WAIT", "__GFP_REPEAT", "__GFP_RETRY_MAYFAIL", "__GFP_RECLAIM");

    // ---- properties

    @Property(tries = 400)
    void parseOfPrintIsTheSameTrace(@ForAll("traces") Trace t) throws TraceFormatException {
        String text = TracePrinter.print(t);
        Trace back = TraceParser.parse("gen.trace", text);
        assertThat(back.sameAs(t)).as("parse(print(t)) differs from t; printed:%n%s%nparsed back: %s%noriginal: %s",
            text, back, t).isTrue();
        // the parser records where each step came from: the line that spells it (a repeat block's steps share theirs)
        assertThat(back.opLines()).hasSize(t.ops().size());
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < t.ops().size(); i++) {
            String line = lines[back.opLines().get(i) - 1].strip();
            assertThat(line).as("line of step %d", i + 1).startsWith(TracePrinter.opText(t.ops().get(i)));
        }
        collectFeatures(t);
        collectAndCover("repeat block", text.contains("\nrepeat "));
    }

    @Property(tries = 400)
    void printingIsAFixedPoint(@ForAll("traces") Trace t) throws TraceFormatException {
        String once = TracePrinter.print(t);
        String twice = TracePrinter.print(TraceParser.parse("gen.trace", once));
        assertThat(twice).isEqualTo(once);
    }

    @Property(tries = 1500)
    void corruptedTextFailsOnlyWithALineNumberedTraceFormatException(@ForAll("mutants") String text) {
        int lines = text.split("\r?\n", -1).length;
        try {
            Trace parsed = TraceParser.parse(SOURCE, text);
            Statistics.label("outcome").collect("parsed");
            // whatever the parser accepts, its canonical form reads back the same
            assertThat(TraceParser.parse("canonical.trace", TracePrinter.print(parsed)).sameAs(parsed))
                .as("canonical form of an accepted mutant round-trips:%n%s", text).isTrue();
        } catch (TraceFormatException e) {
            Statistics.label("outcome").collect("TraceFormatException");
            Matcher m = Pattern.compile("^" + Pattern.quote(SOURCE) + ":([0-9]+): (?s).+").matcher(e.getMessage());
            assertThat(m.matches()).as("message '%s' starts with '<source>:<line>: '", e.getMessage()).isTrue();
            int line = Integer.parseInt(m.group(1));
            assertThat(line).as("line of '%s' in a text of %d lines", e.getMessage(), lines).isBetween(1, lines);
            assertThat(e.line()).isEqualTo(line);
            assertThat(e.source()).isEqualTo(SOURCE);
            assertThat(e.detail()).isNotBlank();
        } catch (RuntimeException | Error e) {
            throw new AssertionError("the parser threw " + e + " (only TraceFormatException is allowed) for:\n" + text, e);
        }
    }

    /** What the generated traces exercise; the coverage checks fail the property if a grammar feature goes missing. */
    private static void collectFeatures(Trace t) {
        Statistics.label("zones").collect(t.node().zones().size())
            .coverage(c -> {
                c.check(1).percentage(p -> p >= 10);
                c.check(2).percentage(p -> p >= 10);
                c.check(3).percentage(p -> p >= 10);
            });
        collectAndCover("present/boot_managed differ", t.node().zones().stream()
            .anyMatch(z -> z.presentPages() != z.managedPages() || z.bootManagedPages() != z.managedPages()));
        collectAndCover("pcp_batch/pcp_high", t.node().pcpBatchOverride() > 0);
        collectAndCover("vm line", !t.vm().isDefault());
        collectAndCover("lowmem_reserve_ratio", t.vm().lowmemReserveRatio().isPresent());
        collectAndCover("rt task", t.tasks().stream().anyMatch(TaskSpec::rt));
        collectAndCover("header comment", !t.comments().isEmpty());
        collectAndCover("alloc with task, ctx, cpu and count", t.ops().stream().anyMatch(o -> o instanceof Op.Alloc a
            && a.task() != 0 && a.context() != Context.PROCESS && a.cpu() != 0 && a.count() != 1));
        collectAndCover("free with count", t.ops().stream().anyMatch(o -> o instanceof Op.Free f && f.count() > 0));
        collectAndCover("drain", t.ops().stream().anyMatch(o -> o instanceof Op.Drain));
        collectAndCover("swap line", t.swapPages() > 0);
        collectAndCover("cache write", t.ops().stream().anyMatch(o -> o instanceof Op.Cache c && c.dirty()));
        collectAndCover("cache read=N write=N", t.ops().stream().anyMatch(o -> o instanceof Op.CacheInterleaved));
        collectAndCover("writeback pages=N", t.ops().stream().anyMatch(o -> o instanceof Op.Writeback w && w.pages() > 0));
        collectAndCover("anon with cpu", t.ops().stream().anyMatch(o -> o instanceof Op.Anon a && a.cpu() > 0));
        collectAndCover("exit", t.ops().stream().anyMatch(o -> o instanceof Op.Exit));
        collectAndCover("kswapd", t.ops().stream().anyMatch(o -> o instanceof Op.Kswapd));
        collectAndCover("compact order=N", t.ops().stream().anyMatch(o -> o instanceof Op.Compact c && c.order() >= 0));
        collectAndCover("sysctl", t.ops().stream().anyMatch(o -> o instanceof Op.Sysctl));
        collectAndCover("result with oom-kill", t.ops().stream()
            .anyMatch(o -> o.expected().filter(r -> r.contains("oom-kill=")).isPresent()));
        collectAndCover("result ok=N fail=M", t.ops().stream()
            .anyMatch(o -> o.expected().filter(r -> r.startsWith("ok=")).isPresent()));
        collectAndCover("expect clean with preset", t.expectations().stream()
            .anyMatch(e -> e.clean() && e.preset().isPresent()));
        collectAndCover("expect violation at step", t.expectations().stream().anyMatch(e -> e.step().isPresent()));
    }

    private static void collectAndCover(String feature, boolean present) {
        Statistics.label(feature).collect(present).coverage(c -> c.check(true).percentage(p -> p >= 5));
    }

    // ---- generators

    @Provide
    Arbitrary<Trace> traces() {
        Arbitrary<List<String>> comments = comment().list().ofMaxSize(3);
        Arbitrary<String> policy = Arbitraries.of(Presets.names());
        // no flatMap: every part is generated independently and the steps are fitted to the header afterwards,
        // which keeps generation fast and shrinking effective
        Arbitrary<Long> swap = Arbitraries.oneOf(Arbitraries.just(0L), Arbitraries.longs().between(1, TraceParser.MAX_PAGES));
        return Combinators.combine(comments, policy, nodes(), vmSettings(), tasks(), swap, drafts(),
                expectation().list().ofMaxSize(4))
            .as((cs, p, node, vm, tasks, swapPages, drafts, es) -> Trace.of(cs, p, node, vm, tasks, swapPages,
                resolve(drafts, node, tasks), es));
    }

    /** Comment text: printable ASCII and a few non-ASCII characters, never a line break. */
    static Arbitrary<String> comment() {
        return Arbitraries.strings().withCharRange(' ', '~').withChars('§', 'é', '→', '\t').ofMaxLength(40);
    }

    /** 1–3 zones in index order, pageblock_order below max_order, with or without the per-CPU overrides. */
    static Arbitrary<NodeConfig> nodes() {
        List<Arbitrary<ZoneSpec>> all = new ArrayList<>();
        for (ZoneType t : ZoneType.values()) {
            all.add(zone(t));
        }
        Arbitrary<List<ZoneSpec>> specs = Combinators.combine(all).as(l -> l);
        Arbitrary<List<ZoneType>> types = Arbitraries.of(ZoneType.values()).set().ofMinSize(1).ofMaxSize(3)
            .map(set -> set.stream().sorted().toList());
        Arbitrary<List<ZoneSpec>> zones = Combinators.combine(types, specs)
            .as((ts, ss) -> ts.stream().map(t -> ss.get(t.ordinal())).toList());
        Arbitrary<int[]> pcp = Arbitraries.oneOf(Arbitraries.just(new int[] {0, -1}),
            Combinators.combine(Arbitraries.integers().between(1, 1 << 20), Arbitraries.integers().between(0, 1 << 24))
                .as((b, h) -> new int[] {b, h}));
        return Combinators.combine(zones, Arbitraries.integers().between(1, 20), Arbitraries.integers().between(0, 19),
                Arbitraries.integers().between(1, 64), pcp)
            .as((zs, mo, pb, cpus, bh) -> new NodeConfig(zs, pb % mo, mo, cpus, bh[0], bh[1]));
    }

    /** managed pages up to the parser's limit; present ≥ managed and boot_managed each either equal or different. */
    static Arbitrary<ZoneSpec> zone(ZoneType type) {
        Arbitrary<Long> managed = Arbitraries.longs().between(0, TraceParser.MAX_PAGES);
        Arbitrary<Optional<Long>> other = Arbitraries.longs().between(0, TraceParser.MAX_PAGES).optional(0.4);
        return Combinators.combine(managed, other, other).as((m, present, boot) -> new ZoneSpec(type, m,
            present.map(p -> m + p % (TraceParser.MAX_PAGES - m + 1)).orElse(m), boot.orElse(m)));
    }

    static Arbitrary<VmSettings> vmSettings() {
        Arbitrary<OptionalInt> mfk = optionalInt(0, 1 << 24);
        Arbitrary<OptionalInt> wsf = optionalInt(1, 3000);
        Arbitrary<OptionalInt> boost = optionalInt(0, 1 << 20);
        Arbitrary<OptionalInt> zrm = optionalInt(0, 7);
        Arbitrary<Optional<List<Integer>>> ratio = Arbitraries.integers().between(-1_000_000, 1_000_000_000)
            .list().ofSize(ZoneType.values().length).optional(0.5);
        return Combinators.combine(mfk, wsf, boost, ratio, zrm).as(VmSettings::new);
    }

    private static Arbitrary<OptionalInt> optionalInt(int min, int max) {
        return Arbitraries.integers().between(min, max).optional(0.5)
            .map(o -> o.map(OptionalInt::of).orElseGet(OptionalInt::empty));
    }

    static Arbitrary<List<TaskSpec>> tasks() {
        Arbitrary<TaskSpec> task = Combinators.combine(Arbitraries.integers().between(1, 1_000_000),
            Arbitraries.oneOf(Arbitraries.just(0), Arbitraries.integers().between(-1000, 1000)),
            Arbitraries.of(true, false)).as(TaskSpec::new);
        return task.list().ofMaxSize(3).uniqueElements(TaskSpec::id);
    }

    static Arbitrary<Gfp> gfp() {
        return Arbitraries.of(GFP_NAMES).list().ofMinSize(1).ofMaxSize(3).map(Gfp::new);
    }

    /** Every recorded result form: ok, fail, ok=N fail=M, done, idle; optionally oom-kill=T[,T...], loop, panic. */
    static Arbitrary<Optional<String>> result() {
        Arbitrary<String> counts = Combinators.combine(Arbitraries.integers().between(0, 999_999_999),
            Arbitraries.integers().between(0, 999_999_999)).as((ok, fail) -> "ok=" + ok + " fail=" + fail);
        Arbitrary<String> base = Arbitraries.oneOf(Arbitraries.of("ok", "fail", "done", "idle"), counts);
        Arbitrary<String> kills = Arbitraries.integers().between(0, 9_999_999).list().ofMinSize(1).ofMaxSize(3)
            .map(l -> " oom-kill=" + String.join(",", l.stream().map(String::valueOf).toList()));
        Arbitrary<String> suffix = Combinators.combine(kills.optional(0.2), Arbitraries.of("", "", "", " loop"),
            Arbitraries.of("", "", "", " panic")).as((k, l, p) -> k.orElse("") + l + p);
        return Combinators.combine(base, suffix).as(String::concat).optional(0.6);
    }

    /** One step before handles are assigned: what kind, and the raw choices. */
    record Draft(int kind, String handlePrefix, int taskPick, int order, Gfp gfp, Context ctx, int cpu,
                         int count, int freePick, Optional<String> expected) {
    }

    static Arbitrary<List<Draft>> drafts() {
        Arbitrary<Draft> partial = Combinators.combine(
                Arbitraries.integers().between(0, 13),
                Arbitraries.strings().withCharRange('a', 'z').withCharRange('A', 'Z').withChars('_').ofMaxLength(20),
                Arbitraries.integers().between(0, 3),
                Arbitraries.integers().between(0, 19),
                gfp(),
                Arbitraries.of(Context.values()),
                Arbitraries.integers().between(0, 63),
                Arbitraries.oneOf(Arbitraries.just(1), Arbitraries.integers().between(1, TraceParser.MAX_COUNT)))
            .as((kind, prefix, taskPick, order, gfp, ctx, cpu, count) -> new Draft(kind, prefix, taskPick, order, gfp,
                ctx, cpu, count, 0, Optional.empty()));
        Arbitrary<Draft> draft = Combinators.combine(partial, Arbitraries.integers().between(0, 1000), result())
            .as((d, freePick, expected) -> new Draft(d.kind(), d.handlePrefix(), d.taskPick(), d.order(), d.gfp(),
                d.ctx(), d.cpu(), d.count(), freePick, expected));
        return draft.list().ofMaxSize(12);
    }

    private static final List<String> SYSCTLS = List.of("min_free_kbytes", "watermark_scale_factor",
        "watermark_boost_factor", "zone_reclaim_mode");

    /**
     * Kinds 0–3 allocate, 4–5 free an earlier handle, 6 drains, 7 cache, 8 writeback, 9 anon, 10 exit, 11 kswapd,
     * 12 compact, 13 sysctl; a step that needs what the trace lacks (a handle, a task) becomes a drain. Handles are
     * unique: a letter prefix (possibly empty) followed by the step's index, so no two can collide. CPUs are taken
     * modulo the node's, tasks from the declared ones, compaction orders below max_order, sysctl values in range.
     */
    private static List<Op> resolve(List<Draft> drafts, NodeConfig node, List<TaskSpec> tasks) {
        int cpus = node.cpus();
        List<Op> ops = new ArrayList<>();
        List<String> handles = new ArrayList<>();
        for (int i = 0; i < drafts.size(); i++) {
            Draft d = drafts.get(i);
            int cpu = d.cpu() % cpus;
            int task = tasks.isEmpty() ? 0 : tasks.get(d.taskPick() % tasks.size()).id();
            Optional<String> r = d.expected();
            switch (d.kind()) {
                case 0, 1, 2, 3 -> {
                    String handle = d.handlePrefix() + i;
                    ops.add(new Op.Alloc(handle, d.taskPick() == 0 ? 0 : task, d.order(), d.gfp(), d.ctx(), cpu,
                        d.count(), r));
                    handles.add(handle);
                }
                case 4, 5 -> ops.add(handles.isEmpty() ? new Op.Drain(r) : new Op.Free(
                    handles.get(d.freePick() % handles.size()), d.freePick() % 3 == 0 ? 0 : d.count(), cpu, r));
                // interleaved reads and writes two times in three: at one in three the feature's share of traces sat
                // near its 5 % floor (4.75 % in one run of 400 tries)
                case 7 -> ops.add(d.freePick() % 3 != 0 ? new Op.CacheInterleaved(d.count(), cpu, r)
                    : new Op.Cache(d.count(), d.freePick() % 2 == 0, cpu, r));
                case 8 -> ops.add(new Op.Writeback(d.freePick() % 3 == 0 ? 0 : d.count(), r));
                case 9 -> ops.add(task == 0 ? new Op.Drain(r) : new Op.Anon(task, d.count(), cpu, r));
                case 10 -> ops.add(task == 0 ? new Op.Drain(r) : new Op.Exit(task, r));
                case 11 -> ops.add(new Op.Kswapd(r));
                case 12 -> ops.add(new Op.Compact(d.freePick() % 4 == 0 ? -1 : d.order() % node.maxOrder(), r));
                case 13 -> {
                    String name = SYSCTLS.get(d.freePick() % SYSCTLS.size());
                    int value = switch (name) {
                        case "min_free_kbytes" -> d.count() % ((1 << 24) + 1);
                        case "watermark_scale_factor" -> 1 + d.count() % 3000;
                        case "watermark_boost_factor" -> d.count() % ((1 << 20) + 1);
                        default -> d.count() % 8;
                    };
                    ops.add(new Op.Sysctl(name, value, r));
                }
                default -> ops.add(new Op.Drain(r));
            }
        }
        if (!drafts.isEmpty() && drafts.get(0).freePick() % 4 == 0) {
            // a fragmenting fill, as the fuzz decoder writes one: the printer folds it into a repeat block
            int pairs = 3 + drafts.get(0).count() % 5;
            for (int p = 0; p < pairs; p++) {
                ops.add(new Op.Cache(1, true, 0, Optional.empty()));
                ops.add(new Op.Cache(1, false, 0, Optional.empty()));
            }
        }
        return ops;
    }

    static Arbitrary<Expectation> expectation() {
        Arbitrary<Optional<String>> preset = Arbitraries.of(Presets.names()).optional(0.5);
        Arbitrary<String> property = Arbitraries.oneOf(
            Arbitraries.of("order0-atomic-above-floor", "page-conservation", "buddy-shape", "no-oom-above-min"),
            Combinators.combine(Arbitraries.strings().withCharRange('a', 'z').withCharRange('0', '9').ofLength(1),
                    Arbitraries.strings().withCharRange('a', 'z').withCharRange('0', '9').withChars('-').ofMaxLength(20))
                .as(String::concat));
        Arbitrary<OptionalInt> step = optionalInt(1, TraceParser.MAX_OPS);
        Arbitrary<Expectation> clean = preset.map(Expectation::clean);
        Arbitrary<Expectation> violation = Combinators.combine(preset, property, step).as(Expectation::violation);
        return Arbitraries.oneOf(clean, violation);
    }

    // ---- mutation

    /** Printed traces with 1–6 random edits: characters or whole lines deleted, inserted, replaced, duplicated. */
    @Provide
    Arbitrary<String> mutants() {
        Arbitrary<Edit> edit = Combinators.combine(Arbitraries.integers().between(0, 7),
                Arbitraries.integers().between(0, Integer.MAX_VALUE), Arbitraries.integers().between(0, Integer.MAX_VALUE),
                Arbitraries.oneOf(Arbitraries.of('\n', '#', '=', '>', '|', ' ', ':', '-', '0', '9', 'x', '_', '\r', '\t',
                    '\u0000', 'é'), Arbitraries.chars()),
                Arbitraries.of(NOISE_LINES))
            .as(Edit::new);
        return Combinators.combine(traces(), edit.list().ofMinSize(1).ofMaxSize(6))
            .as((t, edits) -> {
                String text = TracePrinter.print(t);
                for (Edit e : edits) {
                    text = e.apply(text);
                }
                return text;
            });
    }

    private static final List<String> NOISE_LINES = List.of("", "highwater-trace 1", "highwater-trace 2", "policy",
        "policy linux-4.8 extra", "node cpus=0", "node max_order=3 pageblock_order=3", "zone Normal pages=4096",
        "zone DMA pages=16", "zone Bogus pages=1", "zone Normal", "vm min_free_kbytes=-1",
        "vm lowmem_reserve_ratio=1:2:3", "task 1", "task 0", "task 2 rt oom_score_adj=-1000",
        "alloc #1 order=0 gfp=GFP_KERNEL", "alloc #1 order=99 gfp=GFP_KERNEL", "alloc #z order=0 gfp=NOPE",
        "alloc #q order=0 gfp=GFP_ATOMIC ctx=softirq cpu=63 count=1048576 => ok=1 fail=2", "free #1", "free #nope",
        "free #1 count=0", "drain", "drain now", "=> ok", "expect", "expect clean", "expect violation",
        "expect linux-4.8 violation page-conservation at step 0", "expect violation X at step", "#", "# comment",
        "#1", "zone DMA32 pages=99999999999999");

    private record Edit(int kind, int at, int at2, char ch, String line) {
        String apply(String text) {
            List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
            int n = text.length();
            switch (kind) {
                case 0 -> {
                    return n == 0 ? text : text.substring(0, at % n) + text.substring(at % n + 1);
                }
                case 1 -> {
                    int p = at % (n + 1);
                    return text.substring(0, p) + ch + text.substring(p);
                }
                case 2 -> {
                    return n == 0 ? text : text.substring(0, at % n) + ch + text.substring(at % n + 1);
                }
                case 3 -> lines.remove(at % lines.size());
                case 4 -> lines.add(at % (lines.size() + 1), line);
                case 5 -> lines.add(at % (lines.size() + 1), lines.get(at2 % lines.size()));
                case 6 -> {
                    int a = at % lines.size();
                    int b = at2 % lines.size();
                    String tmp = lines.get(a);
                    lines.set(a, lines.get(b));
                    lines.set(b, tmp);
                }
                default -> {
                    // replace a digit run or a token of one line by the noise line's last token
                    int a = at % lines.size();
                    String[] tok = lines.get(a).split(" ", -1);
                    String[] noise = line.split(" ");
                    tok[at2 % tok.length] = noise[noise.length - 1];
                    lines.set(a, String.join(" ", tok));
                }
            }
            return String.join("\n", lines);
        }
    }
}
