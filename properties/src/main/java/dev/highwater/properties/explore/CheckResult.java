package dev.highwater.properties.explore;

import dev.highwater.model.trace.Op;
import java.util.List;
import java.util.Optional;

/**
 * What a bounded check found.
 *
 * @param preset         the preset searched
 * @param property       the property checked
 * @param depth          the deepest level completely explored (for a violation: its length)
 * @param states         distinct states stored (fingerprints), the initial one included
 * @param transitions    steps executed while expanding (each checked)
 * @param counterexample the shortest violating trace's ops, when one was found (results not recorded)
 * @param message        the property's message at the last step of the counterexample, or the model error
 * @param kind           how the search ended
 * @param nanos          wall time of the search
 * @param cpuNanos       CPU time of the searching threads, summed (what the cores spent, whatever the machine's
 *                       load), or -1
 */
public record CheckResult(String preset, String property, int depth, long states, long transitions,
                          Optional<List<Op>> counterexample, String message, Kind kind, long nanos, long cpuNanos) {

    /** How a search ended. */
    public enum Kind {
        /** A step violated the property: {@link #counterexample} is a shortest violating trace. */
        VIOLATION,
        /** Every trace up to the requested depth holds the property. */
        CLEAN,
        /** Every reachable state was explored before the requested depth (a proof for any depth). */
        EXHAUSTED,
        /** The state bound was reached: traces up to {@link #depth} hold the property, deeper ones were not all tried. */
        BOUND,
        /**
         * The JVM's heap filled before the state bound: as {@link #BOUND}, traces up to {@link #depth} hold the
         * property; {@link #message} says how large the heap was.
         */
        HEAP_FULL,
        /** The model threw while executing a step: {@link #counterexample} reproduces it. */
        MODEL_ERROR,
        /**
         * The optimized allocator disagreed with the reference one at the last step of {@link #counterexample} (a
         * differential check, {@link CheckSpec#differential}): a bug in one of the two; {@link #message} says where.
         */
        MISMATCH
    }

    public boolean violation() {
        return kind == Kind.VIOLATION;
    }

    /** The model itself is wrong: it threw ({@link Kind#MODEL_ERROR}) or its two allocators disagree ({@link Kind#MISMATCH}). */
    public boolean modelBug() {
        return kind == Kind.MODEL_ERROR || kind == Kind.MISMATCH;
    }

    /** This result under another property name and message (a conjunction's, named for one of its parts). */
    public CheckResult withProperty(String property, String message) {
        return new CheckResult(preset, property, depth, states, transitions, counterexample, message, kind, nanos,
            cpuNanos);
    }

    /** The summary's bound word: {@code " bound=reached"}, {@code " bound=heap"}, or empty when none was hit. */
    public String boundSuffix() {
        return kind == Kind.BOUND ? " bound=reached" : kind == Kind.HEAP_FULL ? " bound=heap" : "";
    }

    public int length() {
        return counterexample.map(List::size).orElse(0);
    }

    public double seconds() {
        return nanos / 1e9;
    }

    /** Distinct states per second. */
    public double statesPerSecond() {
        return nanos == 0 ? 0 : states * 1e9 / nanos;
    }

    /** Distinct states per second of the searching threads' CPU time: the rate per core (NaN when not measured). */
    public double statesPerCpuSecond() {
        return cpuNanos <= 0 ? Double.NaN : states * 1e9 / cpuNanos;
    }

    /** {@code result=} value of the summary line. */
    public String resultWord() {
        return switch (kind) {
            case VIOLATION -> "violation";
            case CLEAN, EXHAUSTED, BOUND, HEAP_FULL -> "clean";
            case MODEL_ERROR -> "model_error";
            case MISMATCH -> "mismatch";
        };
    }
}
