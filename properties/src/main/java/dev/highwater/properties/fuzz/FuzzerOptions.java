package dev.highwater.properties.fuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * How a fuzz target is run under Jazzer, wherever it runs: {@code highwater fuzz} and {@code bugs --rediscover} (a child
 * JVM per target) and the ClusterFuzzLite/OSS-Fuzz launchers that {@code .clusterfuzzlite/build.sh} writes (which read
 * these through {@link FuzzTargets#main}). One list, so that a target searches the same way on one machine and at
 * scale. The launchers used to pass their own, shorter list (no excludes, no {@link #LIBFUZZER}, no heap or GC
 * options): from the same seeds, seed 5, 30 s, policy-mainline ran 86,416 execs and kept 939 inputs that way, and
 * 125,618 execs keeping 62 with these.
 */
public final class FuzzerOptions {
    private FuzzerOptions() {
    }

    /**
     * Options of the JVM that runs a target: the {@code highwater} launcher's stack size, a bounded heap (with
     * {@code --jobs}, targets run side by side, a JVM each), and the throughput collector that Jazzer's documentation
     * recommends.
     */
    public static final List<String> JVM = List.of("-Xss8m", "-Xmx1536m", "-XX:+UseParallelGC");

    /** Classes Jazzer instruments: the model and the targets, not the libraries. */
    public static final String INCLUDES = "dev.highwater.**";

    /**
     * Classes left uninstrumented, Jazzer's glob patterns joined by ':': the integrity checks walk every page and block
     * after every step, the same edges on every input, so their coverage guides nothing and only costs time.
     */
    public static final String EXCLUDES = "dev.highwater.properties.integrity.**";

    /**
     * Jazzer's instrumentation kinds: edge coverage only. The compare/div/gep hooks are a JNI call per comparison, which
     * in the allocator's inner loops costs about 20x the throughput; the state hints ({@link StateFeedback}) carry the
     * guidance that matters here.
     */
    public static final String TRACE = "cov";

    /** Jazzer's bug detectors are for web and injection bugs; none applies to a model, and they cost time. */
    public static final String DISABLED_HOOKS = List.of("Deserialization", "ExpressionLanguageInjection",
        "FilePathTraversal", "LdapInjection", "NamingContextLookup", "OsCommandInjection", "ReflectiveCall",
        "RegexInjection", "RegexRoadblocks", "ScriptEngineInjection", "ServerSideRequestForgery", "SqlInjection",
        "UnsafeSanitizer", "XPathInjection").stream().map(s -> "com.code_intelligence.jazzer.sanitizers." + s)
        .collect(Collectors.joining(","));

    /**
     * libFuzzer options that decide how the search goes:
     * <ul>
     * <li>{@code -max_len=512}: a trace decodes from at most 32 + 32 × 8 bytes (one more for the differential target);
     * longer inputs only add bytes the decoder ignores.</li>
     * <li>{@code -use_counters=0}: features are edges and state hints, not edge hit counts. With counts, a 150-s hunt
     * for highatomic-double-decrease kept about 800 inputs that differ mostly in how often a loop ran and did not find
     * it (72k execs); without them it kept about 60 and found it (46k execs, same seed).</li>
     * </ul>
     */
    public static final List<String> LIBFUZZER = List.of("-max_len=512", "-use_counters=0");

    /**
     * Jazzer's own options, beside a target's {@code --target_class}, with the instrumentation excludes and trace kinds
     * given.
     */
    public static List<String> jazzer(String excludes, String trace) {
        List<String> out = new ArrayList<>();
        out.add("--instrumentation_includes=" + INCLUDES);
        out.add("--instrumentation_excludes=" + excludes);
        out.add("--trace=" + trace);
        out.add("--disabled_hooks=" + DISABLED_HOOKS);
        return out;
    }
}
