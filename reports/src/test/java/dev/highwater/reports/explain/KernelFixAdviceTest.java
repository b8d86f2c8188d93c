package dev.highwater.reports.explain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.highwater.model.policy.Presets;
import dev.highwater.model.policy.SwitchChange;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The "Kernel fix" advice line of {@code explain} ({@link Explainer#kernelFix}). */
class KernelFixAdviceTest {
    private static final SwitchChange FAST = new SwitchChange("fastPathCheck", Presets.LINUX_4_7.fastPathCheck());

    @Test
    void aChangeAnEarlierFailingPresetHadIsNamedWithThatPreset() {
        // 4.9 is the first to succeed, by 4.7's fast-path check alone: 4.7 and 4.8 had it and fail another way
        String line = Explainer.kernelFix(Presets.LINUX_4_4, Presets.LINUX_4_9, List.of("linux-4.9", "mainline"),
            List.of(List.of(FAST)));
        assertThat(line).startsWith("Kernel fix: the same state and request succeed under linux-4.9, mainline (first: ")
            .contains(", fastPathCheck=IGNORES_HIGHATOMIC alone makes it succeed.")
            .endsWith(" fastPathCheck=IGNORES_HIGHATOMIC came first, with linux-4.7, whose other changes keep the"
                + " request failing there.");
    }

    @Test
    void whenTheFirstPresetToSucceedBroughtTheChangeNothingIsAdded() {
        String line = Explainer.kernelFix(Presets.LINUX_4_4, Presets.LINUX_4_7, List.of("linux-4.7"),
            List.of(List.of(FAST)));
        assertThat(line).endsWith("fastPathCheck=IGNORES_HIGHATOMIC alone makes it succeed.");
        String none = Explainer.kernelFix(Presets.LINUX_4_4, Presets.LINUX_4_7, List.of("linux-4.7"), List.of());
        assertThat(none).endsWith("from linux-4.4 does it alone, nor any two.");
    }
}
