package dev.highwater.properties.fuzz;

import dev.highwater.properties.Violation;

/**
 * An integrity property failed: not a kernel policy finding but a bug in Highwater's own model (a page lost or
 * handed out twice, a broken buddy list, a counter that disagrees with the lists). Reported loudly, as an
 * {@link AssertionError}, never written to the corpus as an expected verdict.
 */
public final class ModelIntegrityError extends AssertionError {
    private static final long serialVersionUID = 1L;
    private final String preset;
    private final String property;

    public ModelIntegrityError(String preset, Violation v) {
        super("MODEL BUG (not a kernel finding): integrity property " + v.property() + " violated under " + preset
            + " at step " + v.step() + ": " + v.message());
        this.preset = preset;
        this.property = v.property();
        setStackTrace(new StackTraceElement[] {PolicyFinding.frame("integrity", preset, property)});
    }

    public String preset() {
        return preset;
    }

    public String property() {
        return property;
    }
}
