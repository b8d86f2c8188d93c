package dev.highwater.properties.bugs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.highwater.model.policy.HighatomicSubtraction;
import dev.highwater.model.policy.KernelPolicy;
import dev.highwater.model.policy.Presets;
import dev.highwater.model.trace.Trace;
import dev.highwater.model.trace.TraceParser;
import dev.highwater.properties.Property;
import dev.highwater.properties.PropertyCatalog;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Counterfactual attribution of a violation to a catalog bug's mechanism. */
class AttributionTest {
    private static Path corpus() {
        String p = System.getProperty("highwater.corpus");
        return (p != null ? Path.of(p) : Path.of("../corpus")).toAbsolutePath().normalize();
    }

    private static List<Property> integrityAnd(String id) {
        List<Property> ps = new ArrayList<>(PropertyCatalog.integrity());
        ps.add(PropertyCatalog.byId(id).orElseThrow());
        return ps;
    }

    private static KernelPolicy preset(String name) {
        return Presets.byName(name).orElseThrow();
    }

    @Test
    void fixedPresetOomWithCleanCacheIsTheWholeReserveSubtraction() throws Exception {
        Trace t = TraceParser.parseFile(corpus().resolve("hand/oom-clean-cache-highatomic-subtraction-4.9.trace"));
        List<Property> ps = integrityAnd("no-oom-with-clean-cache");
        // subtracting only free highatomic pages removes it; 6.8's unreserve before OOM alone does not (4.9's retry
        // loop gives up on the back-off estimate, which the force-unreserve does not change)
        assertThat(Attribution.explain(t, preset("linux-4.9"), ps, "premature-order2-oom"))
            .containsExactly("free-highatomic-tracking");
        assertThat(Attribution.explain(t, preset("linux-4.9"), ps, "free-highatomic-tracking")).isEmpty();
    }

    @Test
    void aBugsOwnViolationIsNotExplainedByAnotherFix() throws Exception {
        KnownBug b = BugCatalog.byId("premature-order2-oom").orElseThrow();
        Trace t = TraceParser.parseFile(corpus().resolve(b.trace()));
        // 4.7 lacks all three fixes, yet none of them removes its premature order-2 OOM
        assertThat(Attribution.explain(t, preset("linux-4.7"), integrityAnd(b.property()), b.id())).isEmpty();
    }

    @Test
    void cleanTraceHasNoExplanation() throws Exception {
        Trace t = TraceParser.parseFile(corpus().resolve("hand/oom-clean-cache-highatomic-subtraction-4.9.trace"));
        assertThat(Attribution.explain(t, preset("mainline"), integrityAnd("no-oom-with-clean-cache"), "")).isEmpty();
    }

    @Test
    void fixesChangeOnlyPresetsThatLackThem() {
        KernelPolicy p49 = preset("linux-4.9");
        KernelPolicy fixed = Attribution.withFix("free-highatomic-tracking", p49).orElseThrow();
        assertThat(fixed.highatomicSubtraction()).isEqualTo(HighatomicSubtraction.FREE_HIGHATOMIC);
        assertThat(fixed.name()).isEqualTo("linux-4.9");
        for (String id : Attribution.bugsWithFix()) {
            assertThat(BugCatalog.byId(id)).as(id).isPresent();
            KernelPolicy main = preset("mainline");
            assertThat(Attribution.withFix(id, main)).as(id).containsSame(main);
        }
        assertThat(Attribution.withFix("order0-only-watermarks", p49)).isEmpty();
    }
}
