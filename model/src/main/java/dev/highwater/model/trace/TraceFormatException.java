package dev.highwater.model.trace;

/** A malformed trace: {@link #getMessage()} is {@code file:line: what was expected}. */
public final class TraceFormatException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String source;
    private final int line;
    private final String detail;

    public TraceFormatException(String source, int line, String detail) {
        super(source + ":" + line + ": " + detail);
        this.source = source;
        this.line = line;
        this.detail = detail;
    }

    public String source() {
        return source;
    }

    public int line() {
        return line;
    }

    public String detail() {
        return detail;
    }
}
