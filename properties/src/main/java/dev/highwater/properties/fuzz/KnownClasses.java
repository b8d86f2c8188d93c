package dev.highwater.properties.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Bug classes a policy target does not report: the ones the corpus holds a trace of, for fuzzing where a finding ends
 * the run (ClusterFuzzLite/OSS-Fuzz: the historic presets violate their known bugs within a second, so without this
 * their targets would stop there every time). {@code highwater fuzz} does not use it: it keeps going past findings
 * and reports a known class as known.
 *
 * <p>The file, named by the system property {@code highwater.fuzz.known}, has a line per class, written by
 * {@code FuzzTargets --known-classes <corpus>}: the preset, the property and what removes it ({@link BugClass#mechanism}:
 * the catalog fixes, comma-separated, or the later preset; {@code -} for nothing), separated by spaces; {@code #}
 * starts a comment.
 */
public final class KnownClasses {
    /** The system property naming the file. */
    public static final String PROPERTY = "highwater.fuzz.known";

    private record Loaded(String file, Set<BugClass> classes) {
    }

    private static volatile Loaded loaded = new Loaded("", Set.of());

    private KnownClasses() {
    }

    /** The classes of the file {@value #PROPERTY} names (read once per name); none when it is not set. */
    static Set<BugClass> fromSystemProperty() {
        String file = System.getProperty(PROPERTY, "").trim();
        Loaded l = loaded;
        if (!l.file().equals(file)) {
            l = new Loaded(file, file.isEmpty() ? Set.of() : read(Path.of(file)));
            loaded = l;
        }
        return l.classes();
    }

    /** One line per class, as {@link #read} reads them. */
    public static String format(Collection<BugClass> classes) {
        StringBuilder sb = new StringBuilder("# preset property what-removes-it (catalog fixes, or a later preset;"
            + " - for nothing); see KnownClasses\n");
        for (BugClass c : classes) {
            sb.append(c.preset()).append(' ').append(c.property()).append(' ')
                .append(c.mechanism().isEmpty() ? "-" : String.join(",", c.mechanism())).append('\n');
        }
        return sb.toString();
    }

    /**
     * Reads a class file.
     *
     * @throws IllegalArgumentException naming the file and line of a line that is not a class
     * @throws UncheckedIOException     when it cannot be read
     */
    public static Set<BugClass> read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read the known bug classes: " + e.getMessage(), e);
        }
        Set<BugClass> out = new LinkedHashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = i == 0 && lines.get(0).startsWith("\uFEFF") ? lines.get(0).substring(1) : lines.get(i);
            int hash = line.indexOf('#');
            String body = (hash >= 0 ? line.substring(0, hash) : line).trim();
            if (body.isEmpty()) {
                continue;
            }
            String[] f = body.split("\\s+");
            if (f.length != 3) {
                throw new IllegalArgumentException(file + ":" + (i + 1)
                    + ": expected 'preset property what-removes-it' (catalog fixes comma-separated, a later preset, or"
                    + " -), got '" + body + "'");
            }
            List<String> mechanism = f[2].equals("-") ? List.of() : Arrays.asList(f[2].split(","));
            out.add(new BugClass(f[0], f[1], mechanism));
        }
        return Set.copyOf(out);
    }
}
