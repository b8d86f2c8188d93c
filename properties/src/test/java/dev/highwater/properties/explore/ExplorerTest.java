package dev.highwater.properties.explore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.highwater.model.mm.MemorySystem;
import dev.highwater.model.policy.KernelPolicy;
import dev.highwater.model.policy.Presets;
import dev.highwater.model.trace.Expectation;
import dev.highwater.model.trace.Op;
import dev.highwater.model.trace.Trace;
import dev.highwater.model.trace.TraceParser;
import dev.highwater.model.trace.TracePrinter;
import dev.highwater.properties.PropertyCatalog;
import dev.highwater.properties.fuzz.FindingWriter;
import dev.highwater.properties.run.Outcome;
import dev.highwater.properties.run.TraceRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bounded model checker on seed 002's machine shrunk to 64 pages: it finds the OOM above min under linux-4.8
 * (the seed's kernel) at the shortest length, proves mainline clean to the same depth, is deterministic, and its
 * counterexample replays as a corpus trace.
 */
class ExplorerTest {
    static final int DEPTH = 5;

    private static Path corpus() {
        String p = System.getProperty("highwater.corpus");
        return (p != null ? Path.of(p) : Path.of("../corpus")).toAbsolutePath().normalize();
    }

    static Trace seed002() throws Exception {
        return TraceParser.parseFile(corpus().resolve("seeds/seed-002-oom-highatomic.trace"));
    }

    /** Seed 002's header at 64 pages; orders 0..1, no page cache (the seed has none): a search of seconds. */
    static CheckSpec spec(String preset, int depth) throws Exception {
        Trace machine = Machines.shrink(seed002(), preset, 64);
        Alphabet a = Alphabet.standard(64, 1, machine.tasks(), false);
        return new CheckSpec(machine, Presets.byName(preset).orElseThrow(),
            PropertyCatalog.byId("no-oom-above-min").orElseThrow(), depth, a, 1_000_000);
    }

    private static CheckResult linux48;

    /** The linux-4.8 search, run once for the tests that only read it. */
    static synchronized CheckResult linux48() throws Exception {
        if (linux48 == null) {
            linux48 = new Explorer(spec("linux-4.8", DEPTH), null).run();
        }
        return linux48;
    }

    @Test
    void findsSeed002OomUnderLinux48AndProvesMainlineClean() throws Exception {
        CheckSpec buggy = spec("linux-4.8", DEPTH);
        CheckResult r = linux48();
        assertEquals(CheckResult.Kind.VIOLATION, r.kind(), r.message());
        assertTrue(r.message().startsWith("OOM kill"), r.message());
        // seed 002's mechanism: the OOM kill comes while a highatomic reservation is subtracted from free
        assertTrue(r.message().matches(".*nr_reserved_highatomic [1-9]\\d*\\)$"), r.message());

        CheckResult clean = new Explorer(spec("mainline", r.length()), null).run();
        assertEquals(CheckResult.Kind.CLEAN, clean.kind(), clean.message());
        assertEquals(r.length(), clean.depth());
        assertTrue(clean.states() > r.states() / 2, "mainline explored " + clean.states());

        // shortest: the same search one step shorter finds nothing
        CheckResult shorter = new Explorer(spec("linux-4.8", r.length() - 1), null).run();
        assertEquals(CheckResult.Kind.CLEAN, shorter.kind());

        // the counterexample replays: violation of the property at its last step under 4.8 with every property checked
        Trace finding = Counterexamples.finding(buggy, r);
        Outcome o = TraceRunner.standard().run(finding, buggy.preset());
        assertEquals("no-oom-above-min", o.violation().orElseThrow().property());
        assertEquals(r.length(), o.violation().orElseThrow().step());
        Expectation mainline = finding.expectations().stream()
            .filter(e -> e.preset().orElse("").equals("mainline")).findFirst().orElseThrow();
        assertTrue(mainline.clean(), "mainline is clean on the counterexample");
        // and it round-trips through the trace format
        Trace reparsed = TraceParser.parse("finding", TracePrinter.print(finding));
        assertEquals(finding.ops(), reparsed.ops());
        assertEquals(finding.expectations(), reparsed.expectations());
    }

    @Test
    void shortestIsNoLongerThanTheCatalogTrace() throws Exception {
        var bug = dev.highwater.properties.bugs.BugCatalog.byId("unreserve-before-oom").orElseThrow();
        Trace t = TraceParser.parseFile(corpus().resolve(bug.trace()));
        CheckSpec s = CatalogCheck.spec(bug, t, bug.buggy().get(0), 64, 5, 1, 1_000_000);
        CheckResult r = new Explorer(s, null).run();
        assertEquals(CheckResult.Kind.VIOLATION, r.kind(), r.message());
        assertTrue(r.length() <= t.ops().size(), r.length() + " > " + t.ops().size());
    }

    /**
     * free-highatomic-tracking's own configuration (256 pages in 2-page pageblocks, kernel memory exhausted by the setup
     * prefix): the shortest OOM above min under linux-6.8 is 5 moves; 4 moves are clean; 6.12 and mainline are clean at
     * 5; the written counterexample carries the prefix and replays with the violation at its last step.
     */
    @Test
    void freeHighatomicTrackingSetupFindsTheShortestAndTheFixedPresetsHold() throws Exception {
        CatalogCheck.Setup su = CatalogCheck.setup("free-highatomic-tracking").orElseThrow();
        CheckSpec spec = su.spec("linux-6.8", 5, 1_000_000);
        CheckResult r = new Explorer(spec, null).run();
        assertEquals(CheckResult.Kind.VIOLATION, r.kind(), r.message());
        assertEquals(5, r.length());
        assertTrue(r.message().contains("nr_reserved_highatomic 2"), r.message());
        assertEquals(CheckResult.Kind.CLEAN, new Explorer(su.spec("linux-6.8", 4, 1_000_000), null).run().kind());
        for (String fixed : List.of("linux-6.12", "mainline")) {
            CheckResult f = new Explorer(su.spec(fixed, 5, 1_000_000), null).run();
            assertEquals(CheckResult.Kind.CLEAN, f.kind(), fixed + ": " + f.message());
        }
        Trace finding = Counterexamples.finding(spec, r);
        int prefix = spec.machine().ops().size();
        assertTrue(prefix > 0);
        assertEquals(prefix + r.length(), finding.ops().size());
        assertEquals(spec.machine().ops().get(0).withExpected(finding.ops().get(0).expected()), finding.ops().get(0));
        Outcome o = TraceRunner.standard().run(finding, spec.preset());
        assertEquals("no-oom-above-min", o.violation().orElseThrow().property());
        assertEquals(prefix + r.length(), o.violation().orElseThrow().step());
    }

    /** premature-order2-oom's configuration (128 pages of clean triples and dirty singles): 2 moves under 4.7, none under 4.8/4.9. */
    @Test
    void prematureOrder2SetupFindsTwoMovesAndTheFixedPresetsHold() throws Exception {
        CatalogCheck.Setup su = CatalogCheck.setup("premature-order2-oom").orElseThrow();
        CheckResult r = new Explorer(su.spec("linux-4.7", 3, 1_000_000), null).run();
        assertEquals(CheckResult.Kind.VIOLATION, r.kind(), r.message());
        assertEquals(2, r.length());
        assertTrue(r.counterexample().orElseThrow().get(1) instanceof Op.Alloc a && a.order() == 2, r.counterexample()
            .toString());
        for (String fixed : List.of("linux-4.8", "linux-4.9")) {
            CheckResult f = new Explorer(su.spec(fixed, 3, 1_000_000), null).run();
            assertEquals(CheckResult.Kind.CLEAN, f.kind(), fixed + ": " + f.message());
        }
    }

    @Test
    void everySetupParsesAndNamesACatalogBug() {
        for (CatalogCheck.Setup su : CatalogCheck.setups()) {
            var bug = dev.highwater.properties.bugs.BugCatalog.byId(su.bug()).orElseThrow();
            assertTrue(bug.sequential(), su.bug());
            CheckSpec s = su.spec(bug.buggy().get(0), su.depth(), 10);
            assertFalse(s.alphabet().fixed().isEmpty());
            assertEquals(bug.property(), s.property().id());
        }
    }

    @Test
    void prefixHandlesMustNotCollideWithSearchHandles() throws Exception {
        CheckSpec s = spec("mainline", 2);
        Trace bad = s.machine().withOps(List.of(new Op.Alloc("3", 0, 0, dev.highwater.model.Gfp.parse("GFP_KERNEL"),
            dev.highwater.model.Context.PROCESS, 0, 1, java.util.Optional.empty())));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
            () -> new CheckSpec(bad, s.preset(), s.property(), 2, s.alphabet(), 10));
    }

    @Test
    void deterministic() throws Exception {
        CheckResult a = linux48();
        CheckResult b = new Explorer(spec("linux-4.8", DEPTH), null).run();
        assertEquals(a.counterexample(), b.counterexample());
        assertEquals(a.states(), b.states());
        assertEquals(a.transitions(), b.transitions());
        CheckResult c = new Explorer(spec("mainline", 3), null).run();
        CheckResult d = new Explorer(spec("mainline", 3), null).run();
        assertEquals(c.states(), d.states());
        assertEquals(c.transitions(), d.transitions());
    }

    /** Workers change the time only: the same states, transitions, counterexample and ending as one thread. */
    @Test
    void workersFindWhatOneThreadFinds() throws Exception {
        CheckResult one = linux48();
        CheckSpec s = spec("mainline", 4);
        CheckSpec bounded = new CheckSpec(s.machine(), s.preset(), s.property(), DEPTH, s.alphabet(), 7_777);
        CheckResult clean1 = new Explorer(s, null).run();
        CheckResult bound1 = new Explorer(bounded, null).run();
        assertEquals(CheckResult.Kind.CLEAN, clean1.kind());
        assertEquals(CheckResult.Kind.BOUND, bound1.kind());
        for (int jobs : new int[] {2, 3, 5}) {
            // every level to the workers, even the root's (the threshold would keep these small searches inline)
            CheckResult many = new Explorer(spec("linux-4.8", DEPTH), null, jobs).parallelFrom(1).run();
            assertSame(one, many, jobs);
            assertSame(clean1, new Explorer(s, null, jobs).parallelFrom(1).run(), jobs);
            assertSame(bound1, new Explorer(bounded, null, jobs).parallelFrom(1).run(), jobs);
            assertSame(clean1, new Explorer(s, null, jobs).run(), jobs);
        }
    }

    private static void assertSame(CheckResult a, CheckResult b, int jobs) {
        String m = "jobs=" + jobs;
        assertEquals(a.kind(), b.kind(), m);
        assertEquals(a.depth(), b.depth(), m);
        assertEquals(a.states(), b.states(), m);
        assertEquals(a.transitions(), b.transitions(), m);
        assertEquals(a.counterexample(), b.counterexample(), m);
        assertEquals(a.message(), b.message(), m);
        assertTrue(b.cpuNanos() != 0, m);
    }

    @Test
    void stateBoundEndsCleanly() throws Exception {
        CheckSpec s = spec("mainline", DEPTH);
        CheckSpec bounded = new CheckSpec(s.machine(), s.preset(), s.property(), DEPTH, s.alphabet(), 500);
        CheckResult r = new Explorer(bounded, null).run();
        assertEquals(CheckResult.Kind.BOUND, r.kind());
        assertEquals(500, r.states());
        assertTrue(r.message().startsWith("bound reached at depth "), r.message());
        assertTrue(r.depth() < DEPTH);
    }

    @Test
    void writerNeverOverwrites(@TempDir Path dir) throws Exception {
        CheckSpec s = spec("linux-4.8", DEPTH);
        CheckResult r = linux48();
        Trace finding = Counterexamples.finding(s, r);
        FindingWriter.Written w1 = Counterexamples.write(dir, finding, r.property());
        FindingWriter.Written w2 = Counterexamples.write(dir, finding, r.property());
        assertTrue(w1.created());
        assertFalse(w2.created());
        assertEquals(w1.file(), w2.file());
        assertTrue(w1.file().toString().contains("linux-4.8"));
        Trace back = TraceParser.parseFile(w1.file());
        assertEquals(finding.ops().size(), back.ops().size());
        try (var files = Files.list(w1.file().getParent())) {
            assertEquals(1, files.count(), "no temporary file left behind");
        }
    }

    /** A copy continues exactly as the original: same results, same fingerprints, same zone snapshots. */
    @Test
    void copyBehavesAsTheOriginal() throws Exception {
        for (KernelPolicy p : List.of(Presets.LINUX_2_6_32, Presets.LINUX_4_8, Presets.LINUX_6_3, Presets.MAINLINE)) {
            Trace machine = Machines.small(p.name(), 64);
            Alphabet a = Alphabet.standard(64, 2, machine.tasks(), true);
            MemorySystem ms = TraceRunner.standard().boot(machine, p);
            // a deterministic walk through the alphabet; copy at every step and run the next three steps on both
            long x = 12345;
            for (int step = 1; step <= 30; step++) {
                MemorySystem c = ms.copy();
                assertEquals(ms.fingerprint(), c.fingerprint());
                MemorySystem orig = ms;
                for (int k = 0; k < 3; k++) {
                    x = x * 6364136223846793005L + 1442695040888963407L;
                    int move = (int) ((x >>> 33) % a.fixed().size());
                    if (k == 2 && !orig.liveHandles().isEmpty()) {
                        move = a.freeMove(Integer.parseInt(orig.liveHandles().keySet().iterator().next()));
                    }
                    Op op = a.op(move, step * 10 + k);
                    assertEquals(orig.apply(op), c.apply(op), p.name() + " step " + step + " " + op);
                    assertEquals(orig.fingerprint(), c.fingerprint(), p.name() + " step " + step + " " + op);
                    assertEquals(dev.highwater.model.ZoneSnapshot.all(orig.allocator()),
                        dev.highwater.model.ZoneSnapshot.all(c.allocator()));
                    assertEquals(orig.counters(), c.counters());
                    assertEquals(orig.allocations(), c.allocations());
                }
                ms = c; // continue from the copy: copies of copies stay faithful
            }
        }
    }

    /**
     * copyFrom over a reused, diverged memory system gives what copy() gives: same results, fingerprints, snapshots,
     * counters, ledger and LRU pages on the next steps (stale handles, LRU pages and flags are all overwritten).
     */
    @Test
    void copyFromOverAStaleStateBehavesAsACopy() throws Exception {
        for (KernelPolicy p : List.of(Presets.LINUX_2_6_32, Presets.LINUX_4_8, Presets.LINUX_6_3, Presets.MAINLINE)) {
            Trace machine = Machines.small(p.name(), 64);
            Alphabet a = Alphabet.standard(64, 2, machine.tasks(), true);
            MemorySystem ms = TraceRunner.standard().boot(machine, p);
            MemorySystem reused = ms.copy();
            long x = 987654321;
            for (int step = 1; step <= 40; step++) {
                x = x * 6364136223846793005L + 1442695040888963407L;
                reused.apply(a.op((int) ((x >>> 33) % a.fixed().size()), 500 + step)); // diverge first
                reused.copyFrom(ms);
                MemorySystem c = ms.copy();
                assertEquals(c.fingerprint(), reused.fingerprint(), p.name() + " step " + step);
                for (int k = 0; k < 2; k++) {
                    x = x * 6364136223846793005L + 1442695040888963407L;
                    int move = (int) ((x >>> 33) % a.fixed().size());
                    if (k == 1 && !c.liveHandles().isEmpty()) {
                        move = a.freeMove(Integer.parseInt(c.liveHandles().keySet().iterator().next()));
                    }
                    Op op = a.op(move, step * 10 + k);
                    assertEquals(c.apply(op), reused.apply(op), p.name() + " step " + step + " " + op);
                    assertEquals(c.fingerprint(), reused.fingerprint(), p.name() + " step " + step + " " + op);
                    assertEquals(dev.highwater.model.ZoneSnapshot.all(c.allocator()),
                        dev.highwater.model.ZoneSnapshot.all(reused.allocator()));
                    assertEquals(c.counters(), reused.counters());
                    assertEquals(c.allocations(), reused.allocations());
                    assertEquals(c.liveHandles(), reused.liveHandles());
                    assertEquals(c.lruPages(), reused.lruPages());
                    assertEquals(c.stepEvents(), reused.stepEvents());
                }
                x = x * 6364136223846793005L + 1442695040888963407L;
                ms.apply(a.op((int) ((x >>> 33) % a.fixed().size()), step)); // the walk goes on from the original
            }
        }
    }

    @Test
    void fingerprintIgnoresHandleNamesButNotState() throws Exception {
        Trace machine = Machines.small("mainline", 64);
        MemorySystem a = TraceRunner.standard().boot(machine, Presets.MAINLINE);
        MemorySystem b = TraceRunner.standard().boot(machine, Presets.MAINLINE);
        Alphabet alpha = Alphabet.standard(64, 1, machine.tasks(), false);
        assertEquals(a.fingerprint(), b.fingerprint());
        a.apply(alpha.op(0, 1)); // alloc #1 order 0
        b.apply(alpha.op(0, 7)); // the same allocation under handle #7
        assertEquals(a.fingerprint(), b.fingerprint());
        b.apply(alpha.op(0, 8));
        assertNotEquals(a.fingerprint(), b.fingerprint());
        a.apply(alpha.op(0, 2));
        assertEquals(a.fingerprint(), b.fingerprint());
        a.apply(new Op.Free("1", 0, 0, java.util.Optional.empty()));
        b.apply(new Op.Free("8", 0, 0, java.util.Optional.empty()));
        // a freed its first page, b its second: different free lists
        assertNotEquals(a.fingerprint(), b.fingerprint());
    }

    @Test
    void fingerprintSet() {
        FingerprintSet s = new FingerprintSet(4);
        assertTrue(s.add(0));
        assertFalse(s.add(0));
        for (long i = 1; i <= 10_000; i++) {
            assertTrue(s.add(i * 0x9E3779B97F4A7C15L));
        }
        for (long i = 1; i <= 10_000; i++) {
            assertFalse(s.add(i * 0x9E3779B97F4A7C15L));
            assertTrue(s.contains(i * 0x9E3779B97F4A7C15L));
        }
        assertFalse(s.contains(-1));
        assertEquals(10_001, s.size());
    }
}
