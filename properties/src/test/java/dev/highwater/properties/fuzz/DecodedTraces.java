package dev.highwater.properties.fuzz;

import dev.highwater.model.policy.KernelPolicy;
import dev.highwater.model.policy.Presets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Test inputs: fuzz-decoded traces over every preset in turn, from random bytes of a fixed seed. */
public final class DecodedTraces {
    private DecodedTraces() {
    }

    /** {@code n} pairs {preset, trace}: 64-319 random bytes each, decoded as a policy target decodes them. */
    public static List<Object[]> traces(int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<KernelPolicy> presets = Presets.all();
        List<Object[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] d = new byte[rnd.nextInt(64, 320)];
            rnd.nextBytes(d);
            KernelPolicy p = presets.get(i % presets.size());
            out.add(new Object[] {p, TraceDecoder.decode(d, p.name(), PolicyTarget.MAX_OPS)});
        }
        return out;
    }
}
