package dev.highwater.model.trace;

import java.util.regex.Pattern;

/** The results a step records after {@code =>}. */
public final class ResultText {
    private ResultText() {
    }

    public static final String GRAMMAR = "ok, fail, ok=N fail=M, done, idle, then optionally oom-kill=T[,T...], loop, panic";
    private static final Pattern VALID = Pattern.compile(
        "(ok|fail|done|idle|ok=[0-9]{1,9} fail=[0-9]{1,9})( oom-kill=[0-9]{1,7}(,[0-9]{1,7})*)?( loop)?( panic)?");

    public static boolean isValid(String s) {
        return VALID.matcher(s).matches();
    }

    /** The result of {@code ok} successes and {@code fail} failures. */
    public static String of(int ok, int fail, java.util.List<Integer> kills, boolean loop, boolean panic) {
        StringBuilder sb = new StringBuilder(of(ok, fail));
        if (!kills.isEmpty()) {
            sb.append(" oom-kill=");
            sb.append(String.join(",", kills.stream().map(String::valueOf).toList()));
        }
        if (loop) {
            sb.append(" loop");
        }
        if (panic) {
            sb.append(" panic");
        }
        return sb.toString();
    }

    public static String of(int ok, int fail) {
        if (fail == 0) {
            return "ok";
        }
        if (ok == 0) {
            return "fail";
        }
        if (ok < MIXED && fail < MIXED) {
            // a step's result is built after every step of every fuzz run: the small ones are made once
            String[] row = MIXED_TEXT[ok];
            if (row == null) {
                row = new String[MIXED];
                MIXED_TEXT[ok] = row;
            }
            String r = row[fail];
            if (r == null) {
                r = "ok=" + ok + " fail=" + fail;
                row[fail] = r; // a racy fill is harmless: every thread makes the same immutable string
            }
            return r;
        }
        return "ok=" + ok + " fail=" + fail;
    }

    /** {@link #of}'s mixed results below this many successes and failures are kept. */
    private static final int MIXED = 256;
    private static final String[][] MIXED_TEXT = new String[MIXED][];
}
