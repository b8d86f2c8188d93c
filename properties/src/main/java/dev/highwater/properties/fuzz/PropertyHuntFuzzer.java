package dev.highwater.properties.fuzz;

import dev.highwater.model.policy.KernelPolicy;
import dev.highwater.properties.Property;
import java.util.List;

/**
 * A fuzz target that hunts one property under one preset, named by the system properties
 * {@code highwater.fuzz.preset} and {@code highwater.fuzz.property}: only the integrity properties and that one are
 * checked, so a violation of another policy property earlier in the trace does not hide it. {@code highwater bugs
 * --rediscover} runs it from an empty corpus for each catalog bug's pre-fix preset (and for the fixed presets).
 */
public final class PropertyHuntFuzzer {
    private static final KernelPolicy PRESET = PolicyTarget.preset(System.getProperty("highwater.fuzz.preset", "mainline"));
    private static final List<Property> PROPERTIES =
        PolicyTarget.integrityAnd(System.getProperty("highwater.fuzz.property", "no-oom-above-min"));

    private PropertyHuntFuzzer() {
    }

    public static void fuzzerTestOneInput(byte[] data) {
        PolicyTarget.check(data, PRESET, PROPERTIES);
    }
}
