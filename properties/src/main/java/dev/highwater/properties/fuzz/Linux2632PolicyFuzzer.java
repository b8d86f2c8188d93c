package dev.highwater.properties.fuzz;

import dev.highwater.model.policy.KernelPolicy;

/** Policy fuzz target for preset {@code linux-2.6.32}: a finding is any property violation under it (see {@link PolicyTarget}). */
public final class Linux2632PolicyFuzzer {
    private static final KernelPolicy PRESET = PolicyTarget.preset("linux-2.6.32");

    private Linux2632PolicyFuzzer() {
    }

    public static void fuzzerTestOneInput(byte[] data) {
        PolicyTarget.check(data, PRESET);
    }
}
