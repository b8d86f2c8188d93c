package dev.highwater.properties.fuzz;

import dev.highwater.model.policy.KernelPolicy;
import dev.highwater.model.policy.Presets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The fuzz targets by name, as {@code highwater fuzz}, the JUnit wrappers and the ClusterFuzzLite build know them:
 * {@code policy-<preset>} (one per preset, a class {@code <Preset>PolicyFuzzer}), {@code parser}, and
 * {@code differential} (reference vs optimized allocator) once a {@code DifferentialFuzzer} class exists in this
 * package.
 */
public final class FuzzTargets {
    private FuzzTargets() {
    }

    public enum Kind { POLICY, PARSER, DIFFERENTIAL, HUNT }

    /**
     * @param name      CLI name, e.g. {@code policy-linux-4.8}
     * @param className the class with {@code fuzzerTestOneInput(byte[])}
     * @param kind      what a finding means
     * @param preset    the preset of a policy target (null otherwise)
     */
    public record Target(String name, String className, Kind kind, String preset) {
        public String simpleName() {
            return className.substring(className.lastIndexOf('.') + 1);
        }
    }

    static final String PACKAGE = FuzzTargets.class.getPackageName();

    /** {@code linux-4.8} → {@code Linux48PolicyFuzzer}, {@code mainline} → {@code MainlinePolicyFuzzer}. */
    public static String policyClassName(String preset) {
        String base = preset.startsWith("linux-") ? "Linux" + preset.substring(6).replace(".", "")
            : Character.toUpperCase(preset.charAt(0)) + preset.substring(1).replaceAll("[^A-Za-z0-9]", "");
        return PACKAGE + "." + base + "PolicyFuzzer";
    }

    /** The differential target (reference vs optimized allocator, {@code run/Differential}). */
    public static final String DIFFERENTIAL_CLASS = PACKAGE + ".DifferentialFuzzer";

    public static List<Target> all() {
        List<Target> out = new ArrayList<>();
        for (KernelPolicy p : Presets.all()) {
            out.add(new Target("policy-" + p.name(), policyClassName(p.name()), Kind.POLICY, p.name()));
        }
        out.add(new Target("parser", PACKAGE + ".TraceParserFuzzer", Kind.PARSER, null));
        if (classExists(DIFFERENTIAL_CLASS)) {
            out.add(new Target("differential", DIFFERENTIAL_CLASS, Kind.DIFFERENTIAL, null));
        }
        return List.copyOf(out);
    }

    public static Optional<Target> byName(String name) {
        return all().stream().filter(t -> t.name().equals(name)).findFirst();
    }

    /** The hunting target for one preset and property (rediscovery). */
    public static Target hunt(String preset, String property) {
        return new Target("hunt-" + preset + "-" + property, PACKAGE + ".PropertyHuntFuzzer", Kind.HUNT, preset);
    }

    /**
     * Prints {@code name class} per target, one a line; with {@code --options}, how Jazzer runs them
     * ({@link FuzzerOptions}): a {@code jvm}, a {@code jazzer} and a {@code libfuzzer} line, each the key and the
     * options separated by spaces; with {@code --known-classes CORPUS}, the bug classes the corpus holds
     * ({@link KnownClasses}). The ClusterFuzzLite build script reads all three.
     */
    public static void main(String[] args) {
        if (args.length == 1 && args[0].equals("--options")) {
            System.out.println("jvm " + String.join(" ", FuzzerOptions.JVM));
            System.out.println("jazzer " + String.join(" ",
                FuzzerOptions.jazzer(FuzzerOptions.EXCLUDES, FuzzerOptions.TRACE)));
            System.out.println("libfuzzer " + String.join(" ", FuzzerOptions.LIBFUZZER));
            return;
        }
        if (args.length == 2 && args[0].equals("--known-classes")) {
            CorpusBugs known = CorpusBugs.index(java.nio.file.Path.of(args[1]), w -> System.err.println("FuzzTargets: " + w));
            System.out.print(KnownClasses.format(known.classes().keySet()));
            return;
        }
        if (args.length != 0) {
            System.err.println("usage: FuzzTargets [--options | --known-classes CORPUS]");
            System.exit(2);
        }
        for (Target t : all()) {
            System.out.println(t.name() + " " + t.className());
        }
    }

    static boolean classExists(String name) {
        try {
            Class.forName(name, false, FuzzTargets.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
