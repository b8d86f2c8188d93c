package dev.highwater.model.trace;

import java.util.regex.Pattern;

/** The results a step records after {@code =>}. */
public final class ResultText {
    private ResultText() {
    }

    public static final String GRAMMAR = "ok, fail, ok=N fail=M, done";
    private static final Pattern VALID = Pattern.compile("ok|fail|done|ok=[0-9]{1,9} fail=[0-9]{1,9}");

    public static boolean isValid(String s) {
        return VALID.matcher(s).matches();
    }

    /** The result of {@code ok} successes and {@code fail} failures. */
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
