package dev.highwater.model.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.highwater.model.Context;
import dev.highwater.model.Gfp;
import dev.highwater.model.ZoneType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * Malformed traces: each is rejected with a {@link TraceFormatException} that names the source, the line to fix and
 * what was expected there. Plus the comment rule ({@code # text} is a comment, {@code #1} a handle).
 */
class TraceParserTest {

    private static final String SRC = "t.trace";

    /** Lines joined by '\n' without a trailing newline, so line N of the list is line N of the file. */
    private static String lines(String... ls) {
        return String.join("\n", ls);
    }

    private static TraceFormatException parseError(String text) {
        TraceFormatException e = catchThrowableOfType(TraceFormatException.class, () -> TraceParser.parse(SRC, text));
        assertThat(e).as("expected a TraceFormatException for:%n%s", text).isNotNull();
        return e;
    }

    private static void assertError(String text, int line, String fragment) {
        TraceFormatException e = parseError(text);
        assertThat(e.line()).as("line of '%s'", e.getMessage()).isEqualTo(line);
        assertThat(e.source()).isEqualTo(SRC);
        assertThat(e.getMessage()).startsWith(SRC + ":" + line + ": ").contains(fragment);
    }

    // ---- header

    @Test
    void missingMagicLineIsReportedOnTheFirstContentLine() {
        assertError(lines("# a trace without its magic line", "policy linux-4.8", "zone Normal pages=4096"), 2,
            "expected the first line to be 'highwater-trace 1', got 'policy linux-4.8'");
    }

    @Test
    void wrongFormatVersionIsRejected() {
        assertError(lines("highwater-trace 2", "policy linux-4.8"), 1, "expected the first line to be 'highwater-trace 1'");
    }

    @Test
    void emptyFileNamesTheMagicLine() {
        assertError("", 1, "empty file: expected 'highwater-trace 1'");
        assertError(" \n\n", 1, "empty file: expected 'highwater-trace 1'");
        assertError(lines("# only", "# comments"), 1, "only comments and blank lines: expected 'highwater-trace 1'");
    }

    @Test
    void aFileThatIsNotUtf8TextIsNamedAsSuchAtItsLine() {
        byte[] latin1 = lines("highwater-trace 1", "# caf\u00e9", "policy linux-4.8").getBytes(StandardCharsets.ISO_8859_1);
        TraceFormatException e = catchThrowableOfType(TraceFormatException.class, () -> TraceParser.text("l.trace", latin1));
        assertThat(e.line()).isEqualTo(2);
        assertThat(e.getMessage()).isEqualTo("l.trace:2: not a text trace: byte 0xe9 at offset 23 is not UTF-8 (a binary file, or another encoding?)");
        byte[] nul = {'h', 'w', '\n', '\n', 'x', 0, 'y'};
        e = catchThrowableOfType(TraceFormatException.class, () -> TraceParser.text("n.trace", nul));
        assertThat(e.getMessage()).isEqualTo("n.trace:3: not a text trace: byte 0x00 at offset 5 is a NUL (a binary file?)");
        // a truncated multi-byte sequence at the end is refused too; well-formed UTF-8 passes through whole
        assertThat(catchThrowableOfType(TraceFormatException.class,
            () -> TraceParser.text("t.trace", new byte[] {'a', (byte) 0xc3}))).hasMessageContaining("byte 0xc3 at offset 1 is not UTF-8");
        assertThatCode(() -> assertThat(TraceParser.text("u.trace", "# caf\u00e9 \u2014 ok\n".getBytes(StandardCharsets.UTF_8)))
            .isEqualTo("# caf\u00e9 \u2014 ok\n")).doesNotThrowAnyException();
    }

    @Test
    void controlCharactersInAnErrorAreShownAsQuestionMarks() {
        assertError("highwater-trace 1\npolicy linux-4.8\nzone Normal pages=4096\n\u001b[31mred", 4, "unknown line '?[31mred'");
    }

    @Test
    void aByteOrderMarkBeforeTheMagicLineIsNotPartOfIt() throws TraceFormatException {
        Trace t = TraceParser.parse("bom.trace", "\uFEFF" + lines("highwater-trace 1", "policy linux-4.8",
            "zone Normal pages=4096", "alloc #1 order=0 gfp=GFP_KERNEL"));
        assertThat(t.policy()).isEqualTo("linux-4.8");
        assertThat(t.ops()).hasSize(1);
    }

    @Test
    void unknownKeywordListsTheKnownOnes() {
        assertError(lines("highwater-trace 1", "policy linux-4.8", "zone Normal pages=4096", "allocate #1 order=0"), 4,
            "unknown line 'allocate'; expected one of: policy, node, zone, vm, task, ");
        assertThat(parseError(lines("highwater-trace 1", "allocate #1")).getMessage())
            .contains(" alloc, ", " free, ", " drain, ", " expect");
    }

    @Test
    void unknownKeyListsTheAllowedKeys() {
        assertError(lines("highwater-trace 1", "policy linux-4.8", "zone Normal pages=4096 size=3"), 3,
            "unknown key 'size' (expected one of: boot_managed, pages, present)");
        assertError(lines("highwater-trace 1", "policy linux-4.8", "node cpus=2 pcp=3", "zone Normal pages=4096"), 3,
            "unknown key 'pcp'");
        assertError(lines("highwater-trace 1", "policy linux-4.8", "zone Normal pages=4096", "vm swappiness=60"), 4,
            "unknown key 'swappiness'");
        assertError(lines("highwater-trace 1", "policy linux-4.8", "zone Normal pages=4096",
            "alloc #1 order=0 gfp=GFP_KERNEL prio=3"), 4, "unknown key 'prio'");
    }

    @Test
    void keyWithoutValueOrGivenTwice() {
        assertError(lines("highwater-trace 1", "policy linux-4.8", "zone Normal pages"), 3,
            "expected key=value, got 'pages'");
        assertError(lines("highwater-trace 1", "policy linux-4.8", "zone Normal pages=4096",
            "alloc #1 order=0 order=1 gfp=GFP_KERNEL"), 4, "key 'order' given twice");
    }

    @Test
    void badNumbersNameTheKeyAndTheRange() {
        assertError(lines("highwater-trace 1", "policy linux-4.8", "zone Normal pages=4k"), 3,
            "pages must be a whole number, got '4k'");
        assertError(lines("highwater-trace 1", "policy linux-4.8", "zone Normal pages=4096",
            "alloc #1 order=20 gfp=GFP_KERNEL"), 4, "order must be 0..19, got 20");
        assertError(lines("highwater-trace 1", "policy linux-4.8", "zone Normal pages=4096", "vm min_free_kbytes=-1"), 4,
            "min_free_kbytes must be 0..16777216, got -1");
        assertError(lines("highwater-trace 1", "policy linux-4.8", "zone Normal pages=100 present=99"), 3,
            "present must be 100..");
        assertError(lines("highwater-trace 1", "policy linux-4.8", "zone Normal pages=4096", "task 1 oom_score_adj=1001"),
            4, "oom_score_adj must be -1000..1000, got 1001");
    }

    @Test
    void lowmemReserveRatioNeedsFiveValues() {
        assertError(lines("highwater-trace 1", "policy linux-4.8", "zone Normal pages=4096",
            "vm lowmem_reserve_ratio=256:256:32"), 4, "lowmem_reserve_ratio needs 5 values separated by ':'");
    }

    @Test
    void unknownZoneListsTheZoneNames() {
        assertError(lines("highwater-trace 1", "policy linux-4.8", "zone Highmem2 pages=4096"), 3,
            "unknown zone 'Highmem2' (expected DMA, DMA32, Normal, HighMem or Movable)");
    }

    @Test
    void zoneWithoutPagesSaysWhatItNeeds() {
        assertError(lines("highwater-trace 1", "policy linux-4.8", "zone Normal present=4096"), 3,
            "zone Normal needs pages=N");
    }

    /**
     * MODEL BUG (reported): the zone-order check runs after the whole file is read, so the error names the last line
     * of the file (here line 6, an alloc) instead of the zone line that broke the order (line 4).
     */
    @Test
    void zonesOutOfOrderAreReportedAtTheOffendingZoneLine() {
        assertError(lines("highwater-trace 1", "policy linux-4.8", "zone Normal pages=4096", "zone DMA32 pages=4096",
            "task 1", "alloc #1 order=0 gfp=GFP_KERNEL"), 4, "index order");
    }

    @Test
    void zonesOutOfOrderAreRejected() {
        TraceFormatException e = parseError(lines("highwater-trace 1", "policy linux-4.8", "zone Normal pages=4096",
            "zone DMA32 pages=4096"));
        assertThat(e.getMessage()).contains("zones are listed once each, in index order (DMA, DMA32, Normal, HighMem, Movable)");
    }

    @Test
    void secondHeaderLinesAreRejected() {
        assertError(lines("highwater-trace 1", "policy linux-4.8", "policy linux-6.1", "zone Normal pages=4096"), 3,
            "a second 'policy' line");
        assertError(lines("highwater-trace 1", "policy linux-4.8", "zone Normal pages=4096", "task 1", "task 1 rt"), 5,
            "task 1 is declared twice");
    }

    @Test
    void headerAfterAStepIsRejected() {
        assertError(lines("highwater-trace 1", "policy linux-4.8", "zone Normal pages=4096", "drain",
            "zone DMA pages=1024"), 5, "'zone' is a header line and must come before the first step");
        assertError(lines("highwater-trace 1", "policy linux-4.8", "zone Normal pages=4096", "drain", "task 1"), 5,
            "'task' is a header line");
    }

    @Test
    void missingPolicyIsReportedAtTheEndOfTheFile() {
        assertError(lines("highwater-trace 1", "zone Normal pages=4096", "drain"), 3, "missing 'policy <preset>' line");
    }

    @Test
    void missingZoneIsReportedAtTheEndOfTheFile() {
        assertError(lines("highwater-trace 1", "policy linux-4.8", "node cpus=2", "drain"), 4,
            "missing 'zone' line: a trace needs at least one zone");
    }

    @Test
    void pcpOverridesComeTogether() {
        assertError(lines("highwater-trace 1", "policy linux-4.8", "node pcp_batch=4", "zone Normal pages=4096"), 3,
            "'node' needs pcp_batch and pcp_high together");
    }

    // ---- steps

    @Test
    void freeOfUnknownHandle() {
        assertError(lines("highwater-trace 1", "policy linux-4.8", "zone Normal pages=4096",
            "alloc #1 order=0 gfp=GFP_KERNEL", "free #2"), 5, "free #2 names no earlier alloc");
    }

    @Test
    void freeBeforeItsAllocIsAFreeOfAnUnknownHandle() {
        assertError(lines("highwater-trace 1", "policy linux-4.8", "zone Normal pages=4096", "free #1",
            "alloc #1 order=0 gfp=GFP_KERNEL"), 4, "free #1 names no earlier alloc");
    }

    @Test
    void reusedHandle() {
        assertError(lines("highwater-trace 1", "policy linux-4.8", "zone Normal pages=4096",
            "alloc #a order=0 gfp=GFP_KERNEL", "free #a", "alloc #a order=1 gfp=GFP_ATOMIC"), 6,
            "handle #a is already used; each alloc needs a new handle");
    }

    @Test
    void stepWithoutHandle() {
        assertError(lines("highwater-trace 1", "policy linux-4.8", "zone Normal pages=4096", "alloc order=0 gfp=GFP_KERNEL"),
            4, "expected a handle such as #1 after 'alloc'");
        assertError(lines("highwater-trace 1", "policy linux-4.8", "zone Normal pages=4096", "drain #1"), 4,
            "'drain' takes no arguments");
    }

    @Test
    void allocNeedsOrderAndGfp() {
        assertError(lines("highwater-trace 1", "policy linux-4.8", "zone Normal pages=4096", "alloc #1 order=0"), 4,
            "alloc needs order=N and gfp=FLAGS");
    }

    @Test
    void unknownGfpFlagSuggestsTheRealName() {
        assertError(lines("highwater-trace 1", "policy linux-4.8", "zone Normal pages=4096",
            "alloc #1 order=0 gfp=gfp_kernel|__GFP_NOWARN"), 4, "unknown GFP flag 'gfp_kernel' (did you mean GFP_KERNEL?)");
    }

    @Test
    void unknownContext() {
        assertError(lines("highwater-trace 1", "policy linux-4.8", "zone Normal pages=4096",
            "alloc #1 order=0 gfp=GFP_ATOMIC ctx=irq"), 4, "unknown context 'irq' (expected process, softirq, hardirq or kswapd)");
    }

    @Test
    void undeclaredTask() {
        assertError(lines("highwater-trace 1", "policy linux-4.8", "zone Normal pages=4096", "task 1",
            "alloc #1 task=3 order=0 gfp=GFP_KERNEL"), 5, "task 3 is not declared (add 'task 3' to the header)");
    }

    @Test
    void cpuAtOrAboveTheNodesCpusIsReportedAtItsStep() {
        assertError(lines("highwater-trace 1", "policy linux-4.8", "node cpus=2", "zone Normal pages=4096",
            "alloc #1 order=0 gfp=GFP_KERNEL cpu=1", "alloc #2 order=0 gfp=GFP_KERNEL cpu=2", "drain"), 6,
            "cpu=2 but the node has 2 cpu(s)");
        assertError(lines("highwater-trace 1", "policy linux-4.8", "zone Normal pages=4096",
            "alloc #1 order=0 gfp=GFP_KERNEL", "free #1 cpu=1"), 5, "cpu=1 but the node has 1 cpu(s)");
    }

    @Test
    void badResultAfterArrow() {
        assertError(lines("highwater-trace 1", "policy linux-4.8", "zone Normal pages=4096",
            "alloc #1 order=0 gfp=GFP_KERNEL => maybe"), 4,
            "expected a result after '=>' (" + ResultText.GRAMMAR + "), got 'maybe'");
        assertError(lines("highwater-trace 1", "policy linux-4.8", "zone Normal pages=4096",
            "alloc #1 order=0 gfp=GFP_KERNEL count=2 => ok=1"), 4, "expected a result after '=>'");
        assertError(lines("highwater-trace 1", "policy linux-4.8", "zone Normal pages=4096",
            "alloc #1 order=0 gfp=GFP_KERNEL =>"), 4, "expected a result after '=>'");
    }

    @Test
    void onlyStepsCarryAResult() {
        assertError(lines("highwater-trace 1", "policy linux-4.8 => ok", "zone Normal pages=4096"), 2,
            "only steps carry a '=> result'");
        assertError(lines("highwater-trace 1", "policy linux-4.8", "zone Normal pages=4096", "expect clean => ok"), 4,
            "only steps carry a '=> result'");
    }

    @Test
    void memorySystemStepErrors() {
        String head = lines("highwater-trace 1", "policy linux-6.1", "node pageblock_order=6 max_order=9", "zone Normal pages=4096",
            "task 1");
        assertError(head + "\ncache pages=3", 6, "unknown key 'pages'");
        assertError(head + "\ncache read=3 write=2", 6, "read and write must be equal, got read=3 write=2");
        assertError(head + "\ncache cpu=0", 6, "expected 'cache read=N', 'cache write=N' or 'cache read=N write=N'");
        assertError(head + "\nanon task=2 pages=10", 6, "task 2 is not declared");
        assertError(head + "\nanon pages=10", 6, "expected 'anon task=T pages=N'");
        assertError(head + "\nexit", 6, "expected 'exit task=T'");
        assertError(head + "\nkswapd now", 6, "'kswapd' takes no arguments");
        assertError(head + "\nsysctl vm.swappiness=60", 6, "unknown sysctl vm.swappiness");
        assertError(head + "\nsysctl min_free_kbytes=60", 6, "expected 'sysctl vm.NAME=VALUE'");
        assertError(head + "\nsysctl vm.watermark_scale_factor=0", 6, "watermark_scale_factor must be 1..3000, got 0");
        // checked against the node once the header is complete, but reported at the step
        assertError(head + "\ndrain\ncompact order=9\ndrain", 7, "compact order=9 but max_order is 9");
        assertError(lines("highwater-trace 1", "policy linux-6.1", "zone Normal pages=4096", "swap pages=10",
            "swap pages=20"), 5, "a second 'swap' line");
    }

    // ---- expect lines

    @Test
    void expectGrammarErrors() {
        String head = lines("highwater-trace 1", "policy linux-4.8", "zone Normal pages=4096", "drain");
        assertError(head + "\nexpect", 5, "expected 'expect [preset] violation <property> [at step N]' or 'expect [preset] clean'");
        assertError(head + "\nexpect linux-6.1", 5, "expected 'expect [preset] violation <property> [at step N]'");
        assertError(head + "\nexpect violation", 5, "expected 'violation <property>' or 'clean' after 'expect'");
        assertError(head + "\nexpect linux-6.1 violated page-conservation", 5,
            "expected 'violation <property>' or 'clean' after 'expect'");
        assertError(head + "\nexpect clean now", 5, "nothing may follow 'clean'");
        assertError(head + "\nexpect violation Page_Conservation", 5,
            "a property id is lower-case words joined by '-', got 'Page_Conservation'");
        assertError(head + "\nexpect violation page-conservation at 3", 5, "expected 'at step N' after the property");
        assertError(head + "\nexpect violation page-conservation at step 3 4", 5, "expected 'at step N'");
        assertError(head + "\nexpect violation page-conservation at step 0", 5, "step must be 1..1000000, got 0");
    }

    @Test
    void stepsMustComeBeforeExpectLines() {
        assertError(lines("highwater-trace 1", "policy linux-4.8", "zone Normal pages=4096", "expect clean", "drain"), 5,
            "steps must come before the 'expect' lines");
    }

    // ---- the comment rule

    @Test
    void hashSpaceStartsACommentAndHashHandleIsAHandle() throws TraceFormatException {
        Trace t = TraceParser.parse(SRC, lines(
            "# text",                                                     // 1
            "#",                                                          // 2
            "highwater-trace 1   # the magic line may carry a comment",   // 3
            "policy linux-4.8",                                           // 4
            "zone Normal pages=4096  # 16 MiB",                           // 5
            "# between header lines",                                     // 6
            "alloc #1 order=0 gfp=GFP_KERNEL # trailing comment",         // 7
            "alloc #_x2 order=2 gfp=GFP_ATOMIC ctx=softirq  => ok  # a result, then a comment", // 8
            "# a comment after the first step is not a header comment",   // 9
            "free #1 count=1   #   free one",                             // 10
            "drain #",                                                    // 11
            "expect clean # trailing"));                                  // 12
        assertThat(t.comments()).containsExactly("text", "", "between header lines");
        assertThat(t.ops()).containsExactly(
            new Op.Alloc("1", 0, 0, Gfp.of("GFP_KERNEL"), Context.PROCESS, 0, 1, Optional.empty()),
            new Op.Alloc("_x2", 0, 2, Gfp.of("GFP_ATOMIC"), Context.SOFTIRQ, 0, 1, Optional.of("ok")),
            new Op.Free("1", 1, 0, Optional.empty()),
            new Op.Drain(Optional.empty()));
        assertThat(t.opLines()).containsExactly(7, 8, 10, 11);
        assertThat(t.expectations()).containsExactly(Expectation.clean(Optional.empty()));
    }

    @Test
    void hashFollowedByAHandleCharacterAtLineStartIsNotAComment() {
        assertError(lines("highwater-trace 1", "policy linux-4.8", "zone Normal pages=4096", "#1 order=0"), 4,
            "unknown line '#1'");
        assertError(lines("highwater-trace 1", "policy linux-4.8", "zone Normal pages=4096", "#comment without a space"),
            4, "unknown line '#comment'");
    }

    @Test
    void commentStartFollowsTheRule() {
        assertThat(TraceParser.commentStart("# text")).isZero();
        assertThat(TraceParser.commentStart("#")).isZero();
        assertThat(TraceParser.commentStart("#1")).isEqualTo(-1);
        assertThat(TraceParser.commentStart("free #1")).isEqualTo(-1);
        assertThat(TraceParser.commentStart("free #1 # note")).isEqualTo(8);
        assertThat(TraceParser.commentStart("free #1 #note")).isEqualTo(-1);
        assertThat(TraceParser.commentStart("  #! shebang-like")).isEqualTo(2);
    }

    // ---- accepted input

    @Test
    void crlfLineEndingsAndBlankLinesAreAccepted() throws TraceFormatException {
        Trace t = TraceParser.parse(SRC, "highwater-trace 1\r\n\r\npolicy linux-6.1\r\nzone DMA32 pages=2048\r\n"
            + "alloc #1 order=0 gfp=GFP_KERNEL|__GFP_NOWARN count=3 => ok\r\n");
        assertThat(t.policy()).isEqualTo("linux-6.1");
        assertThat(t.node().zones().get(0).type()).isEqualTo(ZoneType.DMA32);
        assertThat(t.ops()).hasSize(1);
        assertThat(t.opLines()).containsExactly(5);
        assertThat(t.ops().get(0).expected()).contains("ok");
    }

    @Test
    void everyOptionalFieldIsRead() throws TraceFormatException {
        Trace t = TraceParser.parse(SRC, lines(
            "highwater-trace 1",
            "policy linux-4.10",
            "node pageblock_order=5 max_order=9 cpus=4 pcp_batch=7 pcp_high=42",
            "zone DMA pages=1000 present=1024 boot_managed=990",
            "zone Normal pages=8192",
            "vm min_free_kbytes=256 watermark_scale_factor=30 watermark_boost_factor=0 lowmem_reserve_ratio=1:2:3:4:5 zone_reclaim_mode=1",
            "task 7 oom_score_adj=-500 rt",
            "alloc #h task=7 order=3 gfp=GFP_ATOMIC | __GFP_NOWARN ctx=hardirq cpu=3 count=9 => ok=4 fail=5",
            "free #h count=2 cpu=2 => done",
            "expect linux-6.1 violation order0-atomic-above-floor at step 2"));
        assertThat(t.node().pageblockOrder()).isEqualTo(5);
        assertThat(t.node().maxOrder()).isEqualTo(9);
        assertThat(t.node().cpus()).isEqualTo(4);
        assertThat(t.node().pcpBatchOverride()).isEqualTo(7);
        assertThat(t.node().pcpHighOverride()).isEqualTo(42);
        assertThat(t.node().zones().get(0).presentPages()).isEqualTo(1024);
        assertThat(t.node().zones().get(0).bootManagedPages()).isEqualTo(990);
        assertThat(t.vm().lowmemReserveRatio()).contains(List.of(1, 2, 3, 4, 5));
        assertThat(t.vm().watermarkBoostFactor()).hasValue(0);
        assertThat(t.vm().zoneReclaimMode()).hasValue(1);
        assertThat(t.tasks()).containsExactly(new TaskSpec(7, -500, true));
        assertThat(t.ops().get(0)).isEqualTo(new Op.Alloc("h", 7, 3, Gfp.of("GFP_ATOMIC|__GFP_NOWARN"),
            Context.HARDIRQ, 3, 9, Optional.of("ok=4 fail=5")));
        assertThat(t.ops().get(1)).isEqualTo(new Op.Free("h", 2, 2, Optional.of("done")));
        assertThat(t.expectations()).containsExactly(
            Expectation.violation(Optional.of("linux-6.1"), "order0-atomic-above-floor", OptionalInt.of(2)));
    }

    @Test
    void theHandWrittenCorpusParsesAndRoundTrips() throws Exception {
        Path dir = Path.of(System.getProperty("user.dir")).resolveSibling("corpus").resolve("hand");
        if (!Files.isDirectory(dir)) {
            dir = Path.of("corpus", "hand");
        }
        List<Path> files;
        try (var s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".trace")).sorted().toList();
        }
        assertThat(files).isNotEmpty();
        for (Path f : files) {
            Trace t = TraceParser.parseFile(f);
            String printed = TracePrinter.print(t);
            assertThat(TraceParser.parse(f.toString(), printed).sameAs(t)).as(f.toString()).isTrue();
        }
        Trace t = TraceParser.parseFile(dir.resolve("highatomic-reserve.trace"));
        assertThat(t.policy()).isEqualTo("linux-4.8");
        assertThat(t.comments()).hasSize(8);
        assertThat(t.ops()).hasSize(6);
        assertThat(t.opLines()).containsExactly(14, 15, 16, 17, 18, 19);
        assertThat(t.expectations()).hasSize(3);
    }

    // ---- repeat blocks

    private static final String[] HEAD = {"highwater-trace 1", "policy linux-4.8", "zone Normal pages=4096", "task 1"};

    private static String withHead(String... steps) {
        String[] all = java.util.Arrays.copyOf(HEAD, HEAD.length + steps.length);
        System.arraycopy(steps, 0, all, HEAD.length, steps.length);
        return lines(all);
    }

    @Test
    void repeatBlockStandsForItsStepsWrittenOut() throws Exception {
        Trace t = TraceParser.parse(SRC, withHead("alloc #1 order=0 gfp=GFP_KERNEL", "repeat 3  # steps 2-7",
            "  cache write=1", "  cache read=1   => ok", "end", "free #1", "expect violation x at step 6"));
        assertThat(t.ops()).hasSize(8);
        assertThat(t.ops().subList(1, 7)).containsExactly(
            new Op.Cache(1, true, 0, Optional.empty()), new Op.Cache(1, false, 0, Optional.of("ok")),
            new Op.Cache(1, true, 0, Optional.empty()), new Op.Cache(1, false, 0, Optional.of("ok")),
            new Op.Cache(1, true, 0, Optional.empty()), new Op.Cache(1, false, 0, Optional.of("ok")));
        // each step remembers the line that spells it
        assertThat(t.opLines()).containsExactly(5, 7, 8, 7, 8, 7, 8, 10);
        assertThat(t.comments()).isEmpty();
    }

    @Test
    void printerFoldsARepeatedGroupAndReadsItBack() throws Exception {
        List<Op> ops = new java.util.ArrayList<>();
        ops.add(new Op.Kswapd(Optional.empty()));
        for (int i = 0; i < 75; i++) {
            ops.add(new Op.Cache(1, true, 0, Optional.empty()));
            ops.add(new Op.Cache(1, false, 0, Optional.empty()));
        }
        ops.add(new Op.Drain(Optional.empty()));
        ops.add(new Op.Drain(Optional.empty())); // two alike are not worth a block
        Trace t = TraceParser.parse(SRC, withHead("drain")).withOps(ops);
        String text = TracePrinter.print(t);
        assertThat(text).contains("kswapd\nrepeat 75  # steps 2-151\n  cache write=1\n  cache read=1\nend\ndrain\ndrain\n");
        assertThat(TraceParser.parse(SRC, text).sameAs(t)).isTrue();
    }

    @Test
    void malformedRepeatBlocksNameTheirLine() {
        assertError(withHead("repeat 3", "cache read=1"), 5, "'repeat' without its 'end'");
        assertError(withHead("cache read=1", "end"), 6, "'end' without a 'repeat'");
        assertError(withHead("repeat 2", "end"), 6, "the 'repeat' of line 5 has no steps");
        assertError(withHead("repeat", "cache read=1", "end"), 5, "expected 'repeat N'");
        assertError(withHead("repeat 0", "cache read=1", "end"), 5, "repeat");
        assertError(withHead("repeat 2", "repeat 2", "cache read=1", "end", "end"), 6, "inside 'repeat' (line 5)");
        assertError(withHead("repeat 2", "cache read=1", "expect clean", "end"), 7, "inside 'repeat' (line 5)");
        assertError(withHead("repeat 2", "  cache read=x", "end"), 6, "read");
        // an alloc needs a new handle each time round: the second pass names the alloc's line
        assertError(withHead("repeat 2", "  alloc #1 order=0 gfp=GFP_KERNEL", "end"), 6, "handle #1 is already used");
        assertError(withHead("repeat 2 => ok", "cache read=1", "end"), 5, "only steps carry");
        assertError(withHead("repeat 600000", "cache read=1", "cache read=1", "end"), 5, "too many steps");
    }
}
