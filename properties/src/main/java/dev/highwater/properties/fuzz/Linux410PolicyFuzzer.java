package dev.highwater.properties.fuzz;

import dev.highwater.model.policy.KernelPolicy;

/** Policy fuzz target for preset {@code linux-4.10}: a finding is any property violation under it (see {@link PolicyTarget}). */
public final class Linux410PolicyFuzzer {
    private static final KernelPolicy PRESET = PolicyTarget.preset("linux-4.10");

    private Linux410PolicyFuzzer() {
    }

    public static void fuzzerTestOneInput(byte[] data) {
        PolicyTarget.check(data, PRESET);
    }
}
