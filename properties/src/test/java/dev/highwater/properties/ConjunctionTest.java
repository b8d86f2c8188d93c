package dev.highwater.properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConjunctionTest {
    /** A property with a fixed verdict, counting its checks. */
    private static final class Fixed extends BaseProperty {
        final Optional<String> verdict;
        int checks;

        Fixed(String id, Family family, String violation) {
            super(id, "statement of " + id, "rule of " + id, family);
            this.verdict = Optional.ofNullable(violation);
        }

        @Override
        public Optional<String> check(StepView view) {
            checks++;
            return verdict;
        }
    }

    @Test
    void theFirstViolatedPartInListOrderSpeaksAndTheRestAreNotAsked() {
        Fixed clean = new Fixed("a", Property.Family.INTEGRITY, null);
        Fixed first = new Fixed("b", Property.Family.POLICY, "b broke");
        Fixed second = new Fixed("c", Property.Family.POLICY, "c broke");
        Property all = Conjunction.of(List.of(clean, first, second));
        assertThat(all.check(null)).contains("b broke");
        assertThat(clean.checks).isEqualTo(1);
        assertThat(second.checks).isZero();
        assertThat(all.id()).isEqualTo("a,b,c");
        assertThat(all.family()).isEqualTo(Property.Family.POLICY);
        assertThat(Conjunction.parts(all)).containsExactly(clean, first, second);
    }

    @Test
    void holdsWhenEveryPartHolds() {
        Property all = Conjunction.of(List.of(new Fixed("a", Property.Family.INTEGRITY, null),
            new Fixed("b", Property.Family.INTEGRITY, null)));
        assertThat(all.check(null)).isEmpty();
        assertThat(all.family()).isEqualTo(Property.Family.INTEGRITY);
    }

    @Test
    void repeatedIdsCountOnceAndOnePropertyIsItself() {
        Fixed a = new Fixed("a", Property.Family.POLICY, null);
        Fixed b = new Fixed("b", Property.Family.POLICY, null);
        assertThat(Conjunction.parts(Conjunction.of(List.of(a, b, new Fixed("a", Property.Family.POLICY, "x")))))
            .containsExactly(a, b);
        assertThat(Conjunction.of(List.of(a, a))).isSameAs(a);
        assertThat(Conjunction.parts(a)).containsExactly(a);
        assertThatThrownBy(() -> Conjunction.of(List.of())).isInstanceOf(IllegalArgumentException.class);
    }
}
