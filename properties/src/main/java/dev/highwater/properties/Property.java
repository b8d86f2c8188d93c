package dev.highwater.properties;

import java.util.Optional;

/**
 * A property checked after every step: an id such as {@code page-conservation}, a one-line statement, the kernel
 * rule or section it encodes, and a check that returns a message when the state violates it.
 */
public interface Property {

    /** Integrity properties must hold under every preset (a violation is a model bug); policy properties are
     * what the kernel promises, and historic presets are expected to break some. */
    enum Family { INTEGRITY, POLICY }

    String id();

    String statement();

    /** The kernel-semantics section or commit the property encodes. */
    String rule();

    Family family();

    /** {@code Optional.empty()} when the property holds after this step, else what is wrong, with the numbers. */
    Optional<String> check(StepView view);
}
