package dev.highwater.model.kernellog;

/** A kernel log that cannot be parsed: the message names the file and the line (kernel-semantics §10.3). */
public final class KernelLogException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String file;
    private final int line;

    public KernelLogException(String file, int line, String message) {
        super(file + ":" + line + ": " + message);
        this.file = file;
        this.line = line;
    }

    public String file() {
        return file;
    }

    public int line() {
        return line;
    }
}
