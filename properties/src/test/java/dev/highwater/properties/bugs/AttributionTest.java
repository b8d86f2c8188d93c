package dev.highwater.properties.bugs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.highwater.model.policy.HighatomicSubtraction;
import dev.highwater.model.policy.KernelPolicy;
import dev.highwater.model.policy.Presets;
import dev.highwater.model.policy.SwitchChange;
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

    /**
     * A 4.4 fuzz finding as it was minimized when the counterfactuals ran the whole trace: an order-0 OOM at step 3
     * with 48 pages free over min 32, 4 of them on highatomic lists and 16 reserved. Subtracting only the free highatomic
     * pages (c928807f6f6b) lets step 3 pass, but step 4 then fails under the fix as well, so the whole-trace question
     * kept steps 4 and 5 and answered "gone in linux-4.7" instead.
     */
    private static final String TRAILING_STEPS = """
        highwater-trace 1
        policy linux-4.4
        node pageblock_order=3 max_order=5 cpus=1
        zone Normal pages=256
        cache read=22 write=22
        alloc #2 order=2 gfp=GFP_ATOMIC count=45
        cache write=7
        free #2 count=1
        cache read=4 write=4
        """;

    @Test
    void aViolationIsJudgedByTheStepsUpToIt() throws Exception {
        Trace t = TraceParser.parse("trailing-steps", TRAILING_STEPS);
        KernelPolicy p44 = preset("linux-4.4");
        List<Property> ps = integrityAnd("no-oom-above-min");
        var runner = new dev.highwater.properties.run.TraceRunner(ps, dev.highwater.properties.run.AllocatorKind.REFERENCE);
        assertThat(runner.run(t, p44).violation()).get().extracting(v -> v.step()).isEqualTo(3);
        KernelPolicy fixed = Attribution.withFix("free-highatomic-tracking", p44).orElseThrow();
        // the premise: under the fix the whole trace still violates, after step 3, and its first three steps hold
        assertThat(runner.run(t, fixed).violation()).get().extracting(v -> v.step()).matches(s -> s > 3);
        assertThat(runner.run(Attribution.throughStep(t, 3), fixed).violation()).isEmpty();
        assertThat(Attribution.mechanism(t, p44, ps)).containsExactly("free-highatomic-tracking");
        assertThat(Attribution.explain(t, p44, ps, "")).containsExactly("free-highatomic-tracking");
        assertThat(Attribution.throughStep(t, 5)).isSameAs(t);
        assertThat(Attribution.throughStep(t, 3).ops()).isEqualTo(t.ops().subList(0, 3));
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

    /**
     * Asserts that {@code file}'s violation of {@code property} under {@code preset} is placed at {@code later}, whose
     * {@code switches} (each a single switch or a pair, described) remove it; returns the trace.
     */
    private static Trace removedBy(String file, String preset, String property, String later, String... switches)
        throws Exception {
        Trace t = TraceParser.parseFile(corpus().resolve(file));
        List<Property> ps = integrityAnd(property);
        assertThat(Attribution.mechanism(t, preset(preset), ps)).containsExactly(later);
        assertThat(Attribution.switches(t, preset(preset), later, ps)).extracting(SwitchChange::describe)
            .containsExactly(switches);
        return t;
    }

    @Test
    void aViolationNoCatalogFixRemovesIsPlacedAtTheLaterPresetAndSwitchThatDo() throws Exception {
        // a 6.3 fuzz finding: an order-2 OOM with 167 free pages above min 128 and one 64-page block reserved
        // highatomic; 6.8's cap correction alone removes it (a zone whose 1 % is under a pageblock reserves none, §6.2)
        Trace t = removedBy("fuzz/linux-6.3/no-oom-above-min-ed05355dd95e.trace", "linux-6.3", "no-oom-above-min",
            "linux-6.8", "highatomicCap=ROUNDUP_ONE_PERCENT");
        assertThat(Attribution.explain(t, preset("linux-6.3"), integrityAnd("no-oom-above-min"), ""))
            .as("no catalog fix").isEmpty();
        // the catalog tier comes first: seed 002's 4.8 OOM is free-highatomic-tracking's
        Trace seed = TraceParser.parseFile(corpus().resolve("hand/oom-clean-cache-highatomic-subtraction-4.9.trace"));
        assertThat(Attribution.mechanism(seed, preset("linux-4.9"), integrityAnd("no-oom-with-clean-cache")))
            .containsExactly("free-highatomic-tracking");
        assertThat(Attribution.mechanism(seed, preset("mainline"), integrityAnd("no-oom-with-clean-cache"))).isEmpty();
    }

    @Test
    void aViolationNoSingleSwitchRemovesIsPlacedAtAPairOfThem() throws Exception {
        // 2.6.32 -> 4.4 changes 20 switches; this OOM needs two of them together: without MIGRATE_RESERVE blocks
        // (0aaa29a56e4f) and with 4.4's high-order check (97a16fc82a7c's order-0-only watermarks)
        removedBy("fuzz/linux-2.6.32/no-oom-above-min-c71b976d8207.trace", "linux-2.6.32", "no-oom-above-min",
            "linux-4.4", "highOrderCheck=ANY_LIST_IF_HARDER with migrateReserve=false");
    }

    @Test
    void laterPresetsAreInVersionOrder() {
        assertThat(Presets.after(preset("linux-6.3"))).extracting(KernelPolicy::name)
            .containsExactly("linux-6.8", "linux-6.12", "mainline");
        KernelPolicy fixed = Attribution.withFix("free-highatomic-tracking", preset("linux-6.3")).orElseThrow();
        assertThat(Presets.after(fixed)).isEqualTo(Presets.after(preset("linux-6.3")));
        assertThat(Presets.after(preset("mainline"))).isEmpty();
    }

    @Test
    void theSwitchesOfTheLaterPresetThatAloneRemoveIt() throws Exception {
        // the hand-written highatomic-only order-0 failure under 4.8: 6.1 removes it, and of 6.1's 30 changes from
        // 4.8, 6.3's reserve flags alone (the atomic request no longer reserves the block it then cannot use) or the
        // non-blocking highatomic creator alone
        removedBy("hand/highatomic-only-order0-failure.trace", "linux-4.8", "order0-atomic-above-floor", "linux-6.1",
            "reserveRules=V6_3", "highatomicCreator=NON_BLOCK_HIGH_ORDER");
    }
}
