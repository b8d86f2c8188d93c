package dev.highwater.model.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class FirstFixTest {
    @Test
    void theFirstFixIsTheSetWhoseSwitchesAppearedEarliest() {
        KernelPolicy p44 = Presets.LINUX_4_4;
        SwitchChange gfp63 = new SwitchChange("gfpLayout", Presets.LINUX_6_3.gfpLayout());
        SwitchChange reserve63 = new SwitchChange("reserveRules", Presets.LINUX_6_3.reserveRules());
        SwitchChange fast = new SwitchChange("fastPathCheck", Presets.LINUX_4_7.fastPathCheck());
        // 6.1 has 6.3's reserve rules (the 6.1.y backports) but not its GFP layout; 4.7 brought the fast-path check
        assertThat(FirstFix.of(p44, List.of(List.of(gfp63), List.of(reserve63))))
            .contains(new FirstFix("linux-6.1", List.of(reserve63)));
        assertThat(FirstFix.of(p44, List.of(List.of(gfp63, fast)))).get()
            .extracting(FirstFix::preset).isEqualTo("linux-6.3");
        assertThat(FirstFix.of(p44, List.of(List.of(reserve63), List.of(fast)))).get()
            .extracting(f -> f.key()).isEqualTo("linux-4.7:fastPathCheck=IGNORES_HIGHATOMIC");
        assertThat(FirstFix.of(p44, List.of())).isEmpty();
        assertThat(FirstFix.of(p44.toBuilder().name("mine", "").build(), List.of(List.of(fast)))).isEmpty();
        assertThat(new FirstFix("linux-4.7", List.of(fast, reserve63)).describe())
            .isEqualTo("linux-4.7's fastPathCheck=IGNORES_HIGHATOMIC with reserveRules=" + reserve63.value());
        assertThat(FirstFix.describeKey("linux-4.7:a=X+b=Y")).contains("linux-4.7's a=X with b=Y");
        assertThat(FirstFix.describeKey("free-highatomic-tracking")).isEmpty();
        assertThat(FirstFix.describeKey("linux-9.9:a=X")).isEmpty();
    }
}
