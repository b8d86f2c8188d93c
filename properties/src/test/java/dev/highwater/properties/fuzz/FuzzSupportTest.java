package dev.highwater.properties.fuzz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.highwater.model.policy.KernelPolicy;
import dev.highwater.model.policy.Presets;
import dev.highwater.model.trace.Trace;
import dev.highwater.model.trace.TracePrinter;
import dev.highwater.properties.Violation;
import dev.highwater.properties.shrink.Minimizer;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fuzz targets' plumbing: registry, finding identity, decoder, minimizer determinism, corpus writes. */
class FuzzSupportTest {

    @Test
    void everyPresetHasAPolicyTargetAndEveryTargetHasTheLibFuzzerEntryPoint() throws Exception {
        for (KernelPolicy p : Presets.all()) {
            assertThat(FuzzTargets.byName("policy-" + p.name())).as(p.name()).isPresent();
        }
        assertThat(FuzzTargets.byName("parser")).isPresent();
        for (FuzzTargets.Target t : FuzzTargets.all()) {
            Method m = Class.forName(t.className()).getMethod("fuzzerTestOneInput", byte[].class);
            assertThat(Modifier.isStatic(m.getModifiers())).as(t.name()).isTrue();
            // the JUnit wrapper of every target exists (regression inputs live under its method name)
            assertThat(FuzzTargetsTest.class.getDeclaredMethod(t.name().replaceAll("[^A-Za-z0-9]", "_"), byte[].class))
                .isNotNull();
        }
    }

    @Test
    void findingsOfDifferentBugClassesHaveDifferentTopFrames() {
        Violation v = new Violation("no-oom-above-min", 3, "x");
        Violation w = new Violation("highatomic-within-cap", 3, "x");
        List<String> none = List.of();
        assertThat(new PolicyFinding("linux-4.8", v, none).getStackTrace()[0])
            .isEqualTo(new PolicyFinding("linux-4.8", new Violation("no-oom-above-min", 9, "y"), none).getStackTrace()[0])
            .isNotEqualTo(new PolicyFinding("linux-4.9", v, none).getStackTrace()[0])
            .isNotEqualTo(new PolicyFinding("linux-4.8", w, none).getStackTrace()[0])
            .isNotEqualTo(new PolicyFinding("linux-4.8", v, List.of("unreserve-before-oom")).getStackTrace()[0]);
        assertThat(new PolicyFinding("linux-4.8", v, List.of("unreserve-before-oom")).getStackTrace()[0])
            .isNotEqualTo(new PolicyFinding("linux-4.8", v, List.of("unreserve-before-oom", "free-highatomic-tracking"))
                .getStackTrace()[0]);
        assertThat(new ModelIntegrityError("linux-4.8", new Violation("page-conservation", 1, "lost")))
            .hasMessageStartingWith("MODEL BUG");
    }

    @Test
    void shortInputsDecodeToFullTracesDeterministically() {
        byte[] in = {1, 2, 3};
        Trace a = TraceDecoder.decode(in, "mainline", 32);
        Trace b = TraceDecoder.decode(in.clone(), "mainline", 32);
        assertThat(TracePrinter.print(a)).isEqualTo(TracePrinter.print(b));
        assertThat(TraceDecoder.decode(new byte[0], "mainline", 32).ops()).isNotEmpty();
    }

    @Test
    void decodingIsStableUnderMutationOfLateBytes() {
        SplittableRandom rnd = new SplittableRandom(6);
        for (int n = 0; n < 40; n++) {
            byte[] data = new byte[TraceDecoder.HEADER + 32 * TraceDecoder.OP_BYTES];
            rnd.nextBytes(data);
            data[10] = 0; // full length: maxOps ops
            Trace t31 = TraceDecoder.decode(data, "linux-4.8", 31);
            Trace t32 = TraceDecoder.decode(data, "linux-4.8", 32);
            // the last op slot only appends
            assertThat(t32.ops().subList(0, t31.ops().size())).isEqualTo(t31.ops());
            // changing a byte of the last op slot changes nothing before it
            byte[] mutated = data.clone();
            mutated[TraceDecoder.HEADER + 31 * TraceDecoder.OP_BYTES + rnd.nextInt(TraceDecoder.OP_BYTES)] ^= (byte) 0x5a;
            Trace m = TraceDecoder.decode(mutated, "linux-4.8", 32);
            assertThat(m.ops().subList(0, t31.ops().size())).isEqualTo(t31.ops());
            // a short input and the same input with a byte appended differ only from the appended byte's op on
            byte[] shortInput = java.util.Arrays.copyOf(data, TraceDecoder.HEADER + 8 * TraceDecoder.OP_BYTES);
            byte[] longer = java.util.Arrays.copyOf(data, shortInput.length + 1);
            assertThat(TraceDecoder.decode(longer, "linux-4.8", 8)).isEqualTo(TraceDecoder.decode(shortInput, "linux-4.8", 8));
        }
        // the fuzzers' length seed decodes as a header of zeros alone, every field an input byte
        assertThat(TraceDecoder.lengthSeed(32)).hasSize(TraceDecoder.layoutBytes(32));
        assertThat(TraceDecoder.decode(TraceDecoder.lengthSeed(32), "linux-6.3", 32))
            .isEqualTo(TraceDecoder.decode(new byte[TraceDecoder.HEADER], "linux-6.3", 32));
        // in a long input, changing a header byte redraws the rest (a random restart)
        byte[] restart = TraceDecoder.lengthSeed(32);
        restart[20] = 1;
        assertThat(TraceDecoder.decode(restart, "linux-6.3", 32).ops())
            .isNotEqualTo(TraceDecoder.decode(TraceDecoder.lengthSeed(32), "linux-6.3", 32).ops());
        // but a short input still decodes to a full-length trace, and its first bytes choose which one
        byte[] a = {2, 0, 0, 0};
        byte[] b = {2, 0, 0, 1};
        assertThat(TraceDecoder.decode(a, "mainline", 32).ops()).isNotEqualTo(TraceDecoder.decode(b, "mainline", 32).ops());
    }

    @Test
    void aTracesRequestsAreBoundedByItsOpsNotItsZone() {
        SplittableRandom rnd = new SplittableRandom(7);
        int perOp = Math.max(TraceDecoder.MAX_PAGES_PER_OP, 2 * TraceDecoder.MAX_FILL_BLOCKS);
        for (int n = 0; n < 300; n++) {
            byte[] data = new byte[rnd.nextInt(400)];
            rnd.nextBytes(data);
            Trace t = TraceDecoder.decode(data, "linux-6.1", 32);
            long requests = 0;
            for (var op : t.ops()) {
                if (op instanceof dev.highwater.model.trace.Op.Alloc a) {
                    requests += a.count();
                } else if (op instanceof dev.highwater.model.trace.Op.Cache c) {
                    requests += c.pages();
                } else if (op instanceof dev.highwater.model.trace.Op.Anon an) {
                    requests += an.pages();
                }
            }
            assertThat(requests).isLessThanOrEqualTo(32L * perOp + 2L * TraceDecoder.MAX_FRAGMENT_PAIRS);
        }
    }

    @Test
    void theParserTargetAcceptsGarbageAndTraces() {
        TraceParserFuzzer.fuzzerTestOneInput("garbage\n\u0000zone".getBytes());
        TraceParserFuzzer.fuzzerTestOneInput("highwater-trace 1\npolicy mainline\nnode pageblock_order=3 max_order=6 cpus=1\n"
            .getBytes());
    }

    @Test
    void aPolicyFindingMinimizesDeterministicallyIntoATraceThatReplaysAsItsExpectLinesSay(@TempDir Path dir)
        throws Exception {
        // a random input that violates some policy property under linux-6.3 (found quickly by the random baseline)
        KernelPolicy p = Presets.byName("linux-6.3").orElseThrow();
        SplittableRandom rnd = new SplittableRandom(11);
        byte[] hit = null;
        PolicyFinding pf = null;
        for (int i = 0; i < 400 && hit == null; i++) {
            byte[] d = new byte[64];
            rnd.nextBytes(d);
            try {
                PolicyTarget.check(d, p);
            } catch (PolicyFinding f) {
                hit = d;
                pf = f;
            }
        }
        assertThat(hit).as("a violating input within 400 random tries").isNotNull();
        FindingWriter w = new FindingWriter(120);
        FindingWriter.Minimized m1 = w.minimize("policy-linux-6.3", hit, p, pf.property()).orElseThrow();
        FindingWriter.Minimized m2 = new FindingWriter(120).minimize("policy-linux-6.3", hit, p, pf.property()).orElseThrow();
        assertThat(TracePrinter.print(m1.trace())).isEqualTo(TracePrinter.print(m2.trace()));
        assertThat(m1.minimizedOps()).isLessThanOrEqualTo(m1.originalOps());
        assertThat(m1.trace().expectations()).hasSize(Presets.all().size());
        assertThat(m1.trace().comments().get(0)).contains(pf.property()).contains("linux-6.3");

        String text = TracePrinter.print(m1.trace());
        FindingWriter.Written first = FindingWriter.write(dir, m1.relativePath(), text);
        assertThat(first.created()).isTrue();
        FindingWriter.Written again = FindingWriter.write(dir, m1.relativePath(), "something else");
        assertThat(again.created()).isFalse();
        assertThat(Files.readString(first.file())).isEqualTo(text);
        try (var s = Files.list(first.file().getParent())) {
            assertThat(s.toList()).hasSize(1);
        }
    }

    @Test
    void aFindingMinimizesWithinItsBugClass() {
        // a policy-linux-6.3 input from a fuzz run: an order-0 atomic failure above the floor that 6.8's
        // unreserve-before-oom alone removes; shrunk keeping only the property, it became one no single fix removes
        byte[] input = java.util.HexFormat.of().parseHex("5c455d5c455d5d5daa27");
        KernelPolicy p = Presets.byName("linux-6.3").orElseThrow();
        Trace decoded = TraceDecoder.decode(input, p.name(), PolicyTarget.MAX_OPS);
        BugClass original = BugClass.of(decoded, p, "order0-atomic-above-floor").orElseThrow();
        assertThat(original.mechanism()).containsExactly("unreserve-before-oom");
        Trace byPropertyOnly = new Minimizer(c -> BugClass.of(c, p, original.property()).isPresent(), 400)
            .minimize(decoded);
        assertThat(BugClass.of(byPropertyOnly, p, original.property())).as("the premise: the property alone drifts")
            .isNotEqualTo(java.util.Optional.of(original));

        FindingWriter.Minimized m = new FindingWriter(400).minimize("policy-linux-6.3", input, p, original.property())
            .orElseThrow();
        assertThat(BugClass.of(m.trace(), p, original.property())).contains(original);
        assertThat(m.bugClass()).isEqualTo(original);
        assertThat(m.minimizedOps()).isLessThan(m.originalOps());
        assertThat(m.trace().comments()).contains("bug class: " + original.describe());
    }

    @Test
    void aFindingCarriesTheBugClassOfItsTrace() {
        // the target computes the class as fuzz runs (FuzzRun, fixed presets made once); BugClass.of replays the
        // trace with every step recorded: they must agree, or Jazzer's deduplication and the corpus disagree
        int byCatalogFix = 0;
        int byLaterPreset = 0;
        int other = 0;
        for (String name : List.of("linux-4.4", "linux-4.8", "linux-4.10", "linux-6.3")) {
            KernelPolicy p = Presets.byName(name).orElseThrow();
            SplittableRandom rnd = new SplittableRandom(5);
            int found = 0;
            for (int i = 0; i < 3000 && found < 12; i++) {
                byte[] d = new byte[64 + rnd.nextInt(200)];
                rnd.nextBytes(d);
                try {
                    PolicyTarget.check(d, p);
                } catch (PolicyFinding f) {
                    found++;
                    Trace t = TraceDecoder.decode(d, name, PolicyTarget.MAX_OPS);
                    assertThat(Optional.of(f.bugClass())).as(name + " input " + i).isEqualTo(BugClass.of(t, p, f.property()));
                    List<String> m = f.bugClass().mechanism();
                    if (m.isEmpty()) {
                        other++;
                    } else if (Presets.byName(m.get(0)).isPresent()) {
                        byLaterPreset++;
                    } else {
                        byCatalogFix++;
                    }
                }
            }
            assertThat(found).as(name).isPositive();
        }
        System.out.printf("finding classes: catalog fix %d, later preset %d, nothing %d%n", byCatalogFix,
            byLaterPreset, other);
        assertThat(byCatalogFix).as("findings some catalog fix removes").isPositive();
        assertThat(byLaterPreset).as("findings no catalog fix but a later preset removes").isPositive();
    }

    @Test
    void knownClassesAreNotReported(@TempDir Path dir) throws Exception {
        byte[] input = java.util.HexFormat.of().parseHex("5c455d5c455d5d5daa27");
        KernelPolicy p = Presets.byName("linux-6.3").orElseThrow();
        BugClass c = new BugClass("linux-6.3", "order0-atomic-above-floor", List.of("unreserve-before-oom"));
        assertThatThrownBy(() -> PolicyTarget.check(input, p)).isInstanceOfSatisfying(PolicyFinding.class,
            f -> assertThat(f.bugClass()).isEqualTo(c));

        Path file = dir.resolve("known.txt");
        Files.writeString(file, KnownClasses.format(List.of(c,
            new BugClass("linux-4.8", "no-oom-above-min", List.of()))));
        assertThat(KnownClasses.read(file)).containsExactlyInAnyOrder(c,
            new BugClass("linux-4.8", "no-oom-above-min", List.of()));
        String old = System.getProperty(KnownClasses.PROPERTY);
        System.setProperty(KnownClasses.PROPERTY, file.toString());
        try {
            PolicyTarget.check(input, p); // known: no finding
            Files.writeString(file, KnownClasses.format(List.of(new BugClass("linux-6.3", "order0-atomic-above-floor",
                List.of()))));
            Path other = dir.resolve("other.txt");
            Files.copy(file, other);
            System.setProperty(KnownClasses.PROPERTY, other.toString());
            assertThatThrownBy(() -> PolicyTarget.check(input, p)).as("another class of the same property")
                .isInstanceOf(PolicyFinding.class);
        } finally {
            if (old == null) {
                System.clearProperty(KnownClasses.PROPERTY);
            } else {
                System.setProperty(KnownClasses.PROPERTY, old);
            }
        }
        Path bad = dir.resolve("bad.txt");
        Files.writeString(bad, "# classes\nlinux-4.8 no-oom-above-min\n");
        assertThatThrownBy(() -> KnownClasses.read(bad)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith(bad + ":2: expected 'preset property what-removes-it'");
    }

    @Test
    void theMinimizerIsBoundedByItsEvaluations() {
        Trace t = TraceDecoder.decode(new byte[] {7, 7, 7}, "mainline", 32);
        Minimizer m = new Minimizer(c -> true, 25);
        m.minimize(t);
        assertThat(m.evaluations()).isLessThanOrEqualTo(25);
    }

    @Test
    void theHuntTargetNeedsKnownNames() {
        assertThatThrownBy(() -> PolicyTarget.integrityAnd("no-such-property")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aClassNoCatalogFixRemovesNamesTheLaterPresetAndItsSwitches() throws Exception {
        Path corpus = Path.of(System.getProperty("highwater.corpus", "../corpus")).toAbsolutePath().normalize();
        Trace t = dev.highwater.model.trace.TraceParser.parseFile(
            corpus.resolve("fuzz/linux-6.3/no-oom-above-min-ed05355dd95e.trace"));
        KernelPolicy p = Presets.byName("linux-6.3").orElseThrow();
        BugClass c = BugClass.of(t, p, "no-oom-above-min").orElseThrow();
        assertThat(c.mechanism()).containsExactly("linux-6.8");
        assertThat(c.describe()).isEqualTo("no-oom-above-min under linux-6.3 (not a catalog bug: gone in linux-6.8)");
        assertThat(c.removal(t).map(BugClass.Removal::words))
            .contains("linux-6.8's highatomicCap=ROUNDUP_ONE_PERCENT alone");
        assertThat(c.filed(c.removal(t)).describe()).isEqualTo("no-oom-above-min under linux-6.3 (not a catalog bug:"
            + " first gone with linux-6.8's highatomicCap=ROUNDUP_ONE_PERCENT)");
        assertThat(new BugClass("linux-4.8", "no-oom-above-min", List.of("free-highatomic-tracking")).removal(t))
            .isEmpty();
        assertThat(BugClass.fixes(List.of())).isEqualTo("(no catalog fix or later preset removes it)");
        assertThat(BugClass.fixes(List.of("unreserve-before-oom", "free-highatomic-tracking")))
            .isEqualTo("(gone with the fix of unreserve-before-oom, free-highatomic-tracking)");

        // Jazzer's deduplication frame: one per class, a plain Java name
        PolicyFinding f = new PolicyFinding("linux-6.3", new Violation("no-oom-above-min", 11, "m"), c.mechanism());
        StackTraceElement frame = f.getStackTrace()[0];
        assertThat(frame.getMethodName()).isEqualTo("no_oom_above_min__linux_6_8");
        assertThat(f.bugClass()).isEqualTo(c);
    }
}
