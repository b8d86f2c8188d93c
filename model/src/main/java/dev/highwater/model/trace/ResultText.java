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
        return "ok=" + ok + " fail=" + fail;
    }
}
