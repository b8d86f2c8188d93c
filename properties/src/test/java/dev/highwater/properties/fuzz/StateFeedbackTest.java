package dev.highwater.properties.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StateFeedbackTest {

    @Test
    void highatomicAccountingSeparatesDriftCachingAndBlockCountInSevenBits() {
        Set<Integer> seen = new HashSet<>();
        Set<String> aspects = new HashSet<>();
        for (long blocks = 0; blocks <= 6; blocks++) {
            for (long reserved = 0; reserved <= 6; reserved++) {
                for (boolean cached : new boolean[] {false, true}) {
                    int v = StateFeedback.highatomicAccounting(reserved * 8, blocks, 8, cached);
                    assertThat(v).isBetween(0, 127);
                    seen.add(v);
                    aspects.add(Math.max(-3, Math.min(3, blocks - reserved)) + "/" + cached + "/" + Math.min(4, blocks));
                }
            }
        }
        // one value per (drift clamped to -3..3, cached or not, 0..4+ blocks)
        assertThat(seen).hasSameSizeAs(aspects);
        // an exact reserve and one that lost a block (4855e4a7f29d's double decrease) differ
        assertThat(StateFeedback.highatomicAccounting(16, 2, 8, false))
            .isNotEqualTo(StateFeedback.highatomicAccounting(8, 2, 8, false));
        assertThat(StateFeedback.highatomicAccounting(16, 2, 8, false))
            .isNotEqualTo(StateFeedback.highatomicAccounting(16, 2, 8, true));
    }
}
