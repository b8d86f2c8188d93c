package dev.highwater.reports;

import dev.highwater.model.trace.Trace;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A finding to report: a trace that violates a property under a preset (a minimized fuzz finding, a model-checker
 * counterexample, a corpus trace).
 *
 * @param title     one line naming it ({@code order0-atomic-above-floor under linux-4.9})
 * @param property  the violated property's id (as the trace's run finds it, if empty)
 * @param preset    the preset it is run under
 * @param trace     the trace (with its header comments)
 * @param file      where the trace is stored, if it is
 */
public record Finding(String title, String property, String preset, Trace trace, Optional<Path> file) {

    /** A finding for a trace run under its own preset; the property is whatever the run finds first. */
    public static Finding of(Trace trace, Optional<Path> file) {
        String name = file.map(f -> f.getFileName().toString()).orElse("trace");
        return new Finding(name, "", trace.policy(), trace, file);
    }
}
