package dev.highwater.properties.fuzz;

import dev.highwater.model.trace.TraceFormatException;
import dev.highwater.model.trace.TraceParser;
import java.nio.charset.StandardCharsets;

/**
 * Fuzz target for the trace parser: any text in, a parsed trace or a {@link TraceFormatException} (with a line
 * number) out, never another exception. The input is mostly the structure of a trace so that libFuzzer's
 * string-compare hooks can grow keywords (the parser's constants) out of it.
 */
public final class TraceParserFuzzer {
    private TraceParserFuzzer() {
    }

    public static void fuzzerTestOneInput(byte[] data) {
        String text = new String(data, StandardCharsets.UTF_8);
        try {
            TraceParser.parse("fuzz-input", text);
        } catch (TraceFormatException e) {
            if (e.line() < 0) {
                throw new IllegalStateException("TraceFormatException without a line: " + e.getMessage(), e);
            }
        }
    }
}
