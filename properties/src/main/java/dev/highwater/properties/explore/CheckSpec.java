package dev.highwater.properties.explore;

import dev.highwater.model.policy.KernelPolicy;
import dev.highwater.model.trace.Op;
import dev.highwater.model.trace.Trace;
import dev.highwater.properties.Property;

/**
 * One bounded check.
 *
 * @param machine   the initial configuration: a trace whose header (node, zones, vm, tasks, swap) is booted and whose ops,
 *                  if any, are a setup prefix applied before the search (e.g. memory shaped first, as the kernel
 *                  module's exhaust does); a counterexample's length counts the searched moves after it. Prefix
 *                  handles should be numbered above {@link #depth} (e.g. from 1000) so search handles never collide
 * @param preset    the kernel preset the search runs under
 * @param property  the property checked after every step
 * @param depth     the longest trace searched
 * @param alphabet  the moves
 * @param maxStates the memory bound: the search stops cleanly once this many distinct states are stored
 * @param differential whether every transition is also run on the optimized allocator ({@link OptimizedTwin}), whose
 *                  result and observable state must equal the reference's: a difference ends the search as
 *                  {@link CheckResult.Kind#MISMATCH}
 */
public record CheckSpec(Trace machine, KernelPolicy preset, Property property, int depth, Alphabet alphabet,
                        long maxStates, boolean differential) {
    /** A check on the reference allocator alone. */
    public CheckSpec(Trace machine, KernelPolicy preset, Property property, int depth, Alphabet alphabet,
                     long maxStates) {
        this(machine, preset, property, depth, alphabet, maxStates, false);
    }

    /** This check, with or without the optimized allocator beside the reference one. */
    public CheckSpec withDifferential(boolean on) {
        return new CheckSpec(machine, preset, property, depth, alphabet, maxStates, on);
    }

    public CheckSpec {
        if (depth < 1 || depth > 64) {
            throw new IllegalArgumentException("depth must be 1..64, got " + depth);
        }
        if (maxStates < 1 || maxStates > (1L << 28)) {
            throw new IllegalArgumentException("max states must be 1..2^28, got " + maxStates);
        }
        for (Op o : machine.ops()) {
            if (o instanceof Op.Alloc a && a.handle().matches("\\d+") && Long.parseLong(a.handle()) <= 64) {
                throw new IllegalArgumentException("setup prefix handle #" + a.handle() + " may collide with a search"
                    + " handle (1..depth): number prefix handles from 1000");
            }
        }
    }
}
