package dev.highwater.properties.fuzz;

import dev.highwater.model.policy.KernelPolicy;

/** Policy fuzz target for preset {@code linux-4.7}: a finding is any property violation under it (see {@link PolicyTarget}). */
public final class Linux47PolicyFuzzer {
    private static final KernelPolicy PRESET = PolicyTarget.preset("linux-4.7");

    private Linux47PolicyFuzzer() {
    }

    public static void fuzzerTestOneInput(byte[] data) {
        PolicyTarget.check(data, PRESET);
    }
}
