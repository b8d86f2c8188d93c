package dev.highwater.model.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class SwitchChangeTest {

    @Test
    void theChangesBetweenTwoPresetsAreTheirCommitsAsTheModelSeesThem() {
        // 6.8 = 6.3 + Movable min capped like HighMem (6.6), the cap rounded to blocks, unreserve before OOM, and
        // 803de9000f33's compaction check (Presets)
        assertThat(SwitchChange.between(Presets.LINUX_6_3, Presets.LINUX_6_8)).extracting(SwitchChange::toString)
            .containsExactly("watermarkRules.movableMinCappedLikeHighmem=true",
                "highatomicCap=ROUNDUP_ONE_PERCENT", "mm.forceUnreserve=WHENEVER_RETRY_FAILS",
                "mm.earlyCompaction=COSTLY_OR_UNMOVABLE_WITH_IO");
        assertThat(SwitchChange.between(Presets.MAINLINE, Presets.MAINLINE)).isEmpty();
    }

    @Test
    void applyingOneChangeSetsThatSwitchAloneAndKeepsTheName() {
        SwitchChange cap = new SwitchChange("highatomicCap", HighatomicCap.ROUNDUP_ONE_PERCENT);
        KernelPolicy p = cap.applyTo(Presets.LINUX_6_3);
        assertThat(p.name()).isEqualTo("linux-6.3");
        assertThat(SwitchChange.between(Presets.LINUX_6_3, p)).containsExactly(cap);
        SwitchChange nested = new SwitchChange("mm.oom.laterWinsTies", false);
        assertThat(SwitchChange.between(Presets.MAINLINE, nested.applyTo(Presets.MAINLINE))).containsExactly(nested);
    }

    @Test
    void applyingEveryChangeGivesTheOtherPresetButForItsName() {
        List<KernelPolicy> all = Presets.all();
        for (KernelPolicy from : all) {
            for (KernelPolicy to : all) {
                KernelPolicy p = from;
                for (SwitchChange c : SwitchChange.between(from, to)) {
                    p = c.applyTo(p);
                }
                assertThat(p.toBuilder().name(to.name(), to.description()).build()).as(from.name() + " -> " + to.name())
                    .isEqualTo(to);
            }
        }
    }

    @Test
    void aPresetHasAChangeWhenItsSwitchHasThatValue() {
        for (KernelPolicy from : Presets.all()) {
            for (KernelPolicy to : Presets.all()) {
                for (SwitchChange c : SwitchChange.between(from, to)) {
                    assertThat(c.isIn(to)).as(c + " in " + to.name()).isTrue();
                    assertThat(c.isIn(from)).as(c + " in " + from.name()).isFalse();
                }
            }
        }
        assertThat(new SwitchChange("mm.oom.laterWinsTies", false).isIn(Presets.MAINLINE))
            .isEqualTo(!Presets.MAINLINE.mm().oom().laterWinsTies());
        assertThat(new SwitchChange("highatomicCapp", HighatomicCap.ROUNDUP_ONE_PERCENT).isIn(Presets.MAINLINE)).isFalse();
        assertThat(new SwitchChange("highatomicCap.x", true).isIn(Presets.MAINLINE)).isFalse();
    }

    @Test
    void aSwitchThatDoesNotExistOrAValueOfTheWrongTypeIsRefused() {
        assertThatThrownBy(() -> new SwitchChange("highatomicCapp", HighatomicCap.ROUNDUP_ONE_PERCENT)
            .applyTo(Presets.MAINLINE)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no switch");
        assertThatThrownBy(() -> new SwitchChange("highatomicCap", true).applyTo(Presets.MAINLINE))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("takes HighatomicCap");
        assertThatThrownBy(() -> new SwitchChange("highatomicCap.x", true).applyTo(Presets.MAINLINE))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no switch");
    }

    @Test
    void theSmallestSufficientSetsAreSinglesElsePairs() {
        KernelPolicy from = Presets.LINUX_4_8;
        KernelPolicy to = Presets.LINUX_6_1;
        // works only with both of 6.3's reserve flags and 281dd25c1a01's highatomic access (seed 000's fix)
        java.util.function.Predicate<KernelPolicy> both = p -> p.reserveRules() == ReserveRules.V6_3
            && p.highatomicFallback() == HighatomicFallback.OOM_AND_NON_BLOCK;
        assertThat(SwitchChange.smallestSufficient(from, to, both)).extracting(SwitchChange::describe)
            .containsExactly("reserveRules=V6_3 with highatomicFallback=OOM_AND_NON_BLOCK");
        java.util.function.Predicate<KernelPolicy> either = p -> p.reserveRules() == ReserveRules.V6_3
            || p.pcpRules() == PcpRules.V6_1 || both.test(p);
        assertThat(SwitchChange.smallestSufficient(from, to, either)).extracting(SwitchChange::describe)
            .containsExactly("reserveRules=V6_3", "pcpRules=V6_1");
        assertThat(SwitchChange.describeSets(SwitchChange.smallestSufficient(from, to, both)))
            .isEqualTo("reserveRules=V6_3 with highatomicFallback=OOM_AND_NON_BLOCK together");
        assertThat(SwitchChange.describeSets(SwitchChange.smallestSufficient(from, to, either)))
            .isEqualTo("reserveRules=V6_3 or pcpRules=V6_1, each alone");
        assertThat(SwitchChange.smallestSufficient(from, to, p -> false)).isEmpty();
        assertThat(SwitchChange.smallestSufficient(from, to, p -> {
            throw new IllegalStateException("a combination the model rejects");
        })).isEmpty();
    }
}
