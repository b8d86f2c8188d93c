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
    void findingsOfDifferentPresetsOrPropertiesHaveDifferentTopFrames() {
        Violation v = new Violation("no-oom-above-min", 3, "x");
        Violation w = new Violation("highatomic-within-cap", 3, "x");
        assertThat(new PolicyFinding("linux-4.8", v).getStackTrace()[0])
            .isEqualTo(new PolicyFinding("linux-4.8", new Violation("no-oom-above-min", 9, "y")).getStackTrace()[0])
            .isNotEqualTo(new PolicyFinding("linux-4.9", v).getStackTrace()[0])
            .isNotEqualTo(new PolicyFinding("linux-4.8", w).getStackTrace()[0]);
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
}
