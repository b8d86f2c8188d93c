package dev.highwater.properties.fuzz;

import dev.highwater.model.policy.KernelPolicy;

/** Policy fuzz target for preset {@code linux-6.8}: a finding is any property violation under it (see {@link PolicyTarget}). */
public final class Linux68PolicyFuzzer {
    private static final KernelPolicy PRESET = PolicyTarget.preset("linux-6.8");

    private Linux68PolicyFuzzer() {
    }

    public static void fuzzerTestOneInput(byte[] data) {
        PolicyTarget.check(data, PRESET);
    }
}
