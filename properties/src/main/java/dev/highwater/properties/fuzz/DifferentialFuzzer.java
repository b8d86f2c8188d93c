package dev.highwater.properties.fuzz;

import dev.highwater.model.policy.KernelPolicy;
import dev.highwater.model.policy.Presets;
import dev.highwater.model.trace.Trace;
import dev.highwater.properties.run.Differential;
import java.util.Arrays;
import java.util.List;

/**
 * Differential fuzz target: the reference allocator against the optimized one ({@link Differential}) on the same
 * decoded trace, under a preset the input's first byte picks; every result and every snapshot must agree. A
 * mismatch is a bug in one of the two models and is thrown as {@link DifferentialMismatch} (a model bug, reported
 * loudly, never written to the corpus as an expected verdict).
 */
public final class DifferentialFuzzer {
    private static final List<KernelPolicy> PRESETS = Presets.all();

    private DifferentialFuzzer() {
    }

    /** The preset an input runs under. */
    public static KernelPolicy preset(byte[] data) {
        return PRESETS.get(data.length == 0 ? PRESETS.size() - 1 : (data[0] & 0xff) % PRESETS.size());
    }

    /** The trace an input decodes to (everything after the preset byte). */
    public static Trace trace(byte[] data) {
        byte[] rest = data.length == 0 ? data : Arrays.copyOfRange(data, 1, data.length);
        return TraceDecoder.decode(rest, preset(data).name(), PolicyTarget.MAX_OPS);
    }

    public static void fuzzerTestOneInput(byte[] data) {
        KernelPolicy p = preset(data);
        Differential.Report r = Differential.run(trace(data), p);
        if (r.mismatch().isPresent()) {
            throw new DifferentialMismatch(p.name(), r.mismatch().get());
        }
    }

    /** Reference and optimized allocator disagree: a model bug. One synthetic frame per preset and field kind. */
    public static final class DifferentialMismatch extends AssertionError {
        private static final long serialVersionUID = 1L;

        DifferentialMismatch(String preset, Differential.Mismatch m) {
            super("MODEL BUG (reference and optimized allocator disagree) under " + preset + ": " + m);
            String field = m.field().replaceAll("\\[.*", "").replaceAll("[^A-Za-z0-9]+", "_");
            setStackTrace(new StackTraceElement[] {PolicyFinding.frame("differential", preset, field)});
        }
    }
}
