package dev.highwater.properties.fuzz;

import dev.highwater.model.policy.KernelPolicy;

/** Policy fuzz target for preset {@code linux-4.9}: a finding is any property violation under it (see {@link PolicyTarget}). */
public final class Linux49PolicyFuzzer {
    private static final KernelPolicy PRESET = PolicyTarget.preset("linux-4.9");

    private Linux49PolicyFuzzer() {
    }

    public static void fuzzerTestOneInput(byte[] data) {
        PolicyTarget.check(data, PRESET);
    }
}
