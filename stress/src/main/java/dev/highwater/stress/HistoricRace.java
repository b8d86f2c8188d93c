package dev.highwater.stress;

import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a JCStress test that runs under a preset from before a kernel fix: the outcome matching {@link #outcome} is
 * the historic race, listed as ACCEPTABLE_INTERESTING in the test's outcome table, and it must be <em>observed</em>
 * (at least one sample) for the stress run to pass — a pre-fix preset that cannot show its bug would make the fixed
 * preset's FORBIDDEN row prove nothing. The same scenario under the fixed preset lists the outcome as FORBIDDEN.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@Repeatable(HistoricRace.List.class)
public @interface HistoricRace {
    /** Short name of the race, e.g. {@code double-decrease}. */
    String name();

    /** The kernel commit that fixed it. */
    String fix();

    /** Regular expression over JCStress outcome ids ("r1, r2, r3") that shows the race. */
    String outcome();

    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    @interface List {
        HistoricRace[] value();
    }
}
