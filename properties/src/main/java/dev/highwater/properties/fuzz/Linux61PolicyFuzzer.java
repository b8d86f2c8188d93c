package dev.highwater.properties.fuzz;

import dev.highwater.model.policy.KernelPolicy;

/** Policy fuzz target for preset {@code linux-6.1}: a finding is any property violation under it (see {@link PolicyTarget}). */
public final class Linux61PolicyFuzzer {
    private static final KernelPolicy PRESET = PolicyTarget.preset("linux-6.1");

    private Linux61PolicyFuzzer() {
    }

    public static void fuzzerTestOneInput(byte[] data) {
        PolicyTarget.check(data, PRESET);
    }
}
