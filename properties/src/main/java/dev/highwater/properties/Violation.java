package dev.highwater.properties;

/** A property that failed at a step, with the message that says why. */
public record Violation(String property, int step, String message) {
    @Override
    public String toString() {
        return property + " at step " + step + ": " + message;
    }
}
