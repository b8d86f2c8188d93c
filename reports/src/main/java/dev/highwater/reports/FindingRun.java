package dev.highwater.reports;

import dev.highwater.model.GfpFlag;
import dev.highwater.model.GfpMask;
import dev.highwater.model.ZoneSnapshot;
import dev.highwater.model.policy.KernelPolicy;
import dev.highwater.model.policy.Presets;
import dev.highwater.model.trace.Op;
import dev.highwater.model.trace.TracePrinter;
import dev.highwater.properties.run.Outcome;
import dev.highwater.properties.run.StepRecord;
import dev.highwater.properties.run.TraceRunner;
import java.util.List;
import java.util.Optional;

/**
 * A finding replayed for its report: the outcome under its preset, the failing step (the first violation, else the
 * last step) and the kernel-format dump at that step.
 *
 * @param finding     the finding
 * @param policy      its preset
 * @param outcome     the run
 * @param failingStep the step the dump shows (1-based; 0 = before the first step)
 * @param kernelText  the kernel-format report at that step
 * @param traceText   the trace as printed
 */
public record FindingRun(Finding finding, KernelPolicy policy, Outcome outcome, int failingStep, String kernelText,
                         String traceText) {

    public static FindingRun run(Finding f) {
        KernelPolicy p = Presets.byName(f.preset()).orElseThrow(
            () -> new IllegalArgumentException("unknown preset '" + f.preset() + "' (known: " + Presets.names() + ")"));
        Outcome o = TraceRunner.standard().run(f.trace().withPolicy(p.name()), p);
        int step = o.violation().map(v -> v.step()).orElse(o.steps().size());
        List<ZoneSnapshot> zones = step == 0 ? o.initial() : o.steps().get(step - 1).zones();
        Optional<KernelText.Request> req = Optional.empty();
        if (step > 0) {
            StepRecord s = o.steps().get(step - 1);
            boolean failed = s.result().contains("fail") || s.result().contains("oom");
            if (s.op() instanceof Op.Alloc a && failed) {
                req = Optional.of(new KernelText.Request("highwater", a.order(), a.gfp().resolve(p.gfpLayout()),
                    s.result().contains("oom")));
            } else if (s.op() instanceof Op.Anon && failed) {
                GfpMask highuserMovable = p.gfpLayout().composite("GFP_HIGHUSER_MOVABLE");
                req = Optional.of(new KernelText.Request("highwater", 0, highuserMovable.with(GfpFlag.ZERO),
                    s.result().contains("oom")));
            }
        }
        String text = KernelText.render(p, f.trace().node(), zones, req);
        return new FindingRun(f, p, o, step, text, TracePrinter.print(f.trace()));
    }

    /** The violated property (the finding's, else the run's first violation, else "none"). */
    public String property() {
        if (!finding.property().isEmpty()) {
            return finding.property();
        }
        return outcome.violation().map(v -> v.property()).orElse("none");
    }

    /** Zone snapshots from before the first step (index 0) to the failing step. */
    public List<List<ZoneSnapshot>> timeline() {
        List<List<ZoneSnapshot>> t = new java.util.ArrayList<>();
        t.add(outcome.initial());
        for (StepRecord s : outcome.steps()) {
            t.add(s.zones());
        }
        return t;
    }
}
