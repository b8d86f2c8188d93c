package dev.highwater.properties.bugs;

import dev.highwater.model.policy.ForceUnreserve;
import dev.highwater.model.policy.HighatomicSubtraction;
import dev.highwater.model.policy.KernelPolicy;
import dev.highwater.model.policy.Presets;
import dev.highwater.model.policy.SwitchChange;
import dev.highwater.model.policy.UnreserveAccounting;
import dev.highwater.model.trace.Trace;
import dev.highwater.properties.Property;
import dev.highwater.properties.Violation;
import dev.highwater.properties.run.AllocatorKind;
import dev.highwater.properties.run.TraceRunner;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * Which known bug a violation belongs to, by counterfactual: the same trace, up to and including its violating step
 * ({@link #throughStep}), under the same preset with one catalog bug's fix applied. If the violation disappears with
 * that fix and with no other, that bug explains it. This is how a
 * "fixed" preset that still violates a bug's property is told apart from a regression of the fix: 4.8 and 4.9 fix the
 * premature order-2 OOM, yet still OOM-kill with clean page cache left when should_reclaim_retry subtracts the whole
 * highatomic reservation (free-highatomic-tracking's mechanism, c928807f6f6b): with that fix applied they do not.
 * Each fix that alone removes the violation is reported.
 *
 * <p>Only fixes that are one switch with the same meaning in every version are applied; a bug without one here is
 * never the explanation.
 */
public final class Attribution {
    private Attribution() {
    }

    /** The fix of each bug that has a version-independent one, as a change to a preset (no change if already fixed). */
    private static final Map<String, UnaryOperator<KernelPolicy>> FIXES = fixes();

    private static Map<String, UnaryOperator<KernelPolicy>> fixes() {
        Map<String, UnaryOperator<KernelPolicy>> m = new LinkedHashMap<>();
        // 4855e4a7f29d (4.9.y backport form): unreserve only decrements for blocks still HIGHATOMIC (§6.4)
        m.put("highatomic-double-decrease", p -> p.unreserveAccounting() == UnreserveAccounting.V4_4
            ? p.toBuilder().unreserveAccounting(UnreserveAccounting.STILL_HIGHATOMIC_ONLY).build() : p);
        // 6.8: force-unreserve whenever should_reclaim_retry would give up (§7.5)
        m.put("unreserve-before-oom", p -> p.mm().forceUnreserve() == ForceUnreserve.WHENEVER_RETRY_FAILS ? p
            : p.toBuilder().mm(p.mm().withForceUnreserve(ForceUnreserve.WHENEVER_RETRY_FAILS)).build());
        // c928807f6f6b: the watermark subtracts only the free highatomic pages, not the whole reservation (§2.1)
        m.put("free-highatomic-tracking", p -> p.highatomicSubtraction() == HighatomicSubtraction.RESERVED
            ? p.toBuilder().highatomicSubtraction(HighatomicSubtraction.FREE_HIGHATOMIC).build() : p);
        return m;
    }

    /** Bug ids with a fix this class can apply, in catalog order. */
    public static List<String> bugsWithFix() {
        return List.copyOf(FIXES.keySet());
    }

    /** Per policy (by value), the fixes it lacks, each applied: made once, so a preset's fixed policies stay the same objects. */
    private static final Map<KernelPolicy, Map<String, KernelPolicy>> LACKING = new ConcurrentHashMap<>();

    /**
     * The catalog bugs, in catalog order, whose fix {@code preset} lacks, each with the preset that fix applied: the
     * same objects on every call (fuzz runs key their booted allocators by the policy's identity).
     */
    public static Map<String, KernelPolicy> fixesLacking(KernelPolicy preset) {
        return LACKING.computeIfAbsent(preset, p -> {
            Map<String, KernelPolicy> m = new LinkedHashMap<>();
            FIXES.forEach((bug, fix) -> {
                KernelPolicy fixed = fix.apply(p);
                if (fixed != p) { // (fixed == p: the preset has this fix already)
                    m.put(bug, fixed);
                }
            });
            return Collections.unmodifiableMap(m);
        });
    }

    /** {@code preset} with {@code bugId}'s fix applied, or empty when the bug has no fix here. */
    public static Optional<KernelPolicy> withFix(String bugId, KernelPolicy preset) {
        UnaryOperator<KernelPolicy> f = FIXES.get(bugId);
        return f == null ? Optional.empty() : Optional.of(f.apply(preset));
    }

    /**
     * The catalog bugs (other than {@code except}), in catalog order, whose fix alone makes {@code trace} hold
     * {@code properties} under {@code preset}; empty when the trace holds under the preset to begin with, or when no
     * single fix removes the violation.
     */
    public static List<String> explain(Trace trace, KernelPolicy preset, List<Property> properties, String except) {
        return holdsThroughViolation(trace, preset, properties).map(holds -> catalogFixes(preset, holds, except))
            .orElse(List.of());
    }

    /**
     * Whether a policy makes {@code trace} hold {@code properties} up to and including the step that violates them under
     * {@code preset} ({@link #throughStep}): the test every counterfactual of a trace runs. Empty when the trace holds
     * under {@code preset}.
     */
    private static Optional<Predicate<KernelPolicy>> holdsThroughViolation(Trace trace, KernelPolicy preset,
                                                                         List<Property> properties) {
        TraceRunner runner = new TraceRunner(properties, AllocatorKind.REFERENCE);
        Optional<Violation> v = runner.run(trace, preset).violation();
        if (v.isEmpty()) {
            return Optional.empty();
        }
        Trace cut = throughStep(trace, v.get().step());
        return Optional.of(p -> runner.run(cut, p).violation().isEmpty());
    }

    /**
     * The trace's steps up to and including {@code step}, the one that violated: what every counterfactual here runs.
     * The question is whether a change removes <em>this</em> violation, so the steps after it do not take part: a fix
     * that lets the violating step pass is a fix even when the steps after it violate the property again, and a
     * minimized finding, which ends at its violation, keeps the class its unminimized input had. It also spares the
     * fuzz targets the rest of each input under every fix and later preset tried.
     */
    public static Trace throughStep(Trace trace, int step) {
        return step >= trace.ops().size() ? trace : trace.withOps(trace.ops().subList(0, step));
    }

    /** The catalog bugs other than {@code except}, in catalog order, whose fix alone, applied to the preset, holds. */
    private static List<String> catalogFixes(KernelPolicy preset, Predicate<KernelPolicy> holds, String except) {
        List<String> found = new ArrayList<>();
        fixesLacking(preset).forEach((bug, fixed) -> {
            if (!bug.equals(except) && holds.test(fixed)) {
                found.add(bug);
            }
        });
        return List.copyOf(found);
    }

    /**
     * What removes a violation under {@code preset}, by counterfactual ({@code holds}: the trace holds its properties
     * under a policy): the catalog bugs whose fix alone removes it ({@link #explain}'s list); without one, the first
     * later preset under which the trace holds (a change the catalog does not name: {@link #switches} says which of
     * that preset's switches do it); empty when no catalog fix and no later preset removes it (a violation mainline
     * has as well). Costs a run per fix the preset lacks, then one per later preset until one holds.
     */
    public static List<String> mechanism(KernelPolicy preset, Predicate<KernelPolicy> holds) {
        List<String> fixes = catalogFixes(preset, holds, "");
        if (!fixes.isEmpty()) {
            return fixes;
        }
        for (KernelPolicy later : Presets.after(preset)) {
            if (holds.test(later)) {
                return List.of(later.name());
            }
        }
        return List.of();
    }

    /**
     * The smallest sets of the switches where the later preset {@code later} differs from {@code preset} that,
     * applied to {@code preset}, make the trace hold ({@link SwitchChange#smallestSufficient}: each single switch that
     * does, else each pair); empty when it takes more. Costs a run per switch that differs, and per pair when no
     * single one does.
     */
    public static List<List<SwitchChange>> switches(KernelPolicy preset, String later, Predicate<KernelPolicy> holds) {
        KernelPolicy to = Presets.byName(later).orElseThrow(() -> new IllegalArgumentException("no preset " + later));
        return SwitchChange.smallestSufficient(preset, to, holds);
    }

    /** {@link #mechanism} of {@code trace}'s violation of {@code properties} under {@code preset} (empty if it holds). */
    public static List<String> mechanism(Trace trace, KernelPolicy preset, List<Property> properties) {
        return holdsThroughViolation(trace, preset, properties).map(holds -> mechanism(preset, holds))
            .orElse(List.of());
    }

    /**
     * {@link #switches} of {@code trace}'s violation of {@code properties} under {@code preset} (empty if it holds
     * there).
     */
    public static List<List<SwitchChange>> switches(Trace trace, KernelPolicy preset, String later,
                                                    List<Property> properties) {
        return holdsThroughViolation(trace, preset, properties).map(holds -> switches(preset, later, holds))
            .orElse(List.of());
    }
}
