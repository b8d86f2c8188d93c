package dev.highwater.properties;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;

/**
 * Several properties checked as one: it holds after a step when each part holds, and its violation is the first
 * violated part's, in list order. The model checker searches with it to check several properties in one pass: the
 * states a search reaches do not depend on the property (only where the search stops), so one search over the states
 * costs about what a search for one property costs, where one search per property repeats it for each.
 */
public final class Conjunction implements Property {
    private final List<Property> parts;

    private Conjunction(List<Property> parts) {
        this.parts = parts;
    }

    /**
     * The conjunction of {@code parts}, each id once (the first occurrence kept); a single property is returned as
     * itself.
     *
     * @throws IllegalArgumentException when {@code parts} is empty
     */
    public static Property of(List<Property> parts) {
        List<Property> distinct = new ArrayList<>();
        LinkedHashSet<String> ids = new LinkedHashSet<>();
        for (Property p : parts) {
            if (ids.add(p.id())) {
                distinct.add(p);
            }
        }
        if (distinct.isEmpty()) {
            throw new IllegalArgumentException("a conjunction of no properties");
        }
        return distinct.size() == 1 ? distinct.get(0) : new Conjunction(List.copyOf(distinct));
    }

    /** The properties of {@code p}: its parts when it is a conjunction, else {@code p} alone. */
    public static List<Property> parts(Property p) {
        return p instanceof Conjunction c ? c.parts : List.of(p);
    }

    /** The parts' ids joined by commas. */
    @Override
    public String id() {
        return String.join(",", parts.stream().map(Property::id).toList());
    }

    @Override
    public String statement() {
        return "each of: " + String.join("; ", parts.stream().map(Property::statement).toList());
    }

    @Override
    public String rule() {
        return String.join("; ", parts.stream().map(Property::rule).distinct().toList());
    }

    /** Integrity when every part is (a violation is then a model bug), else policy. */
    @Override
    public Family family() {
        return parts.stream().allMatch(p -> p.family() == Family.INTEGRITY) ? Family.INTEGRITY : Family.POLICY;
    }

    @Override
    public Optional<String> check(StepView view) {
        for (int i = 0; i < parts.size(); i++) {
            Optional<String> bad = parts.get(i).check(view);
            if (bad.isPresent()) {
                return bad;
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return id();
    }
}
