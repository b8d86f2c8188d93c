package dev.highwater.model.policy;

import java.util.List;
import java.util.Optional;

/**
 * The switches that first remove a violation: of the sets of a later preset's switches that each remove it
 * ({@link SwitchChange#smallestSufficient}), the one whose switches had all appeared earliest in the presets after the
 * violation's own, in version order, and the preset by which they had. Two violations that different later presets are
 * the first to remove are often removed by the same change: a 4.4 order-0 failure that 4.7 holds and one that 4.7 and
 * 4.8 violate on another path (4.9 holds it) both go with fastPathCheck=IGNORES_HIGHATOMIC, which 4.7 brought; this
 * names that change and that kernel for both.
 *
 * @param preset the preset by which every switch of {@link #set} had appeared
 * @param set    the switches (one, or a pair)
 */
public record FirstFix(String preset, List<SwitchChange> set) {
    public FirstFix {
        set = List.copyOf(set);
    }

    /**
     * Of {@code sets}, the set whose switches had all appeared earliest in the presets after {@code from}
     * ({@link Presets#after}; {@link SwitchChange#isIn}), with that preset; the first such set on a tie, empty for
     * no sets or an unnamed {@code from}.
     */
    public static Optional<FirstFix> of(KernelPolicy from, List<List<SwitchChange>> sets) {
        List<KernelPolicy> later = Presets.after(from);
        FirstFix best = null;
        int bestAt = later.size();
        for (List<SwitchChange> set : sets) {
            int at = 0;
            for (SwitchChange c : set) {
                int i = 0;
                while (i < later.size() && !c.isIn(later.get(i))) {
                    i++;
                }
                at = Math.max(at, i);
            }
            if (at < bestAt) {
                bestAt = at;
                best = new FirstFix(later.get(at).name(), set);
            }
        }
        return Optional.ofNullable(best);
    }

    /** {@code linux-4.7:fastPathCheck=IGNORES_HIGHATOMIC}, a pair joined by {@code +}: one word, for a class key. */
    public String key() {
        StringBuilder sb = new StringBuilder(preset).append(':');
        for (int i = 0; i < set.size(); i++) {
            sb.append(i == 0 ? "" : "+").append(set.get(i));
        }
        return sb.toString();
    }

    /** {@code linux-4.7's fastPathCheck=IGNORES_HIGHATOMIC}, a pair joined by {@code with}. */
    public String describe() {
        return preset + "'s " + SwitchChange.describe(set);
    }

    /** {@link #key()} in words ({@link #describe()}); empty if it is not such a key. */
    public static Optional<String> describeKey(String key) {
        int colon = key.indexOf(':');
        if (colon <= 0 || Presets.byName(key.substring(0, colon)).isEmpty() || colon == key.length() - 1) {
            return Optional.empty();
        }
        return Optional.of(key.substring(0, colon) + "'s " + key.substring(colon + 1).replace("+", " with "));
    }
}
