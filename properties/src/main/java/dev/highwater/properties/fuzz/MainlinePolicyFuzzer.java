package dev.highwater.properties.fuzz;

import dev.highwater.model.policy.KernelPolicy;

/** Policy fuzz target for preset {@code mainline}: a finding is any property violation under it (see {@link PolicyTarget}). */
public final class MainlinePolicyFuzzer {
    private static final KernelPolicy PRESET = PolicyTarget.preset("mainline");

    private MainlinePolicyFuzzer() {
    }

    public static void fuzzerTestOneInput(byte[] data) {
        PolicyTarget.check(data, PRESET);
    }
}
