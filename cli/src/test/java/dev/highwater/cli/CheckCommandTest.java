package dev.highwater.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckCommandTest extends CommandTest {
    @Test
    void findsTheExpectedViolationAndWritesItOnce(@TempDir Path corpus) throws Exception {
        String[] args = {"check", "--preset", "linux-4.8", "--property", "no-oom-above-min", "--depth", "5", "--pages",
            "64", "--orders", "1", "--no-cache", "--corpus", corpus.toString()};
        int rc = Main.run(args);
        assertThat(stdout()).containsPattern(
            "summary: preset=linux-4\\.8 property=no-oom-above-min depth=\\d state[s]=\\d+ result=violation length=\\d");
        assertThat(stdout()).contains("written: ");
        assertThat(rc).isZero(); // the catalog expects no-oom-above-min under linux-4.8
        try (Stream<Path> s = Files.walk(corpus.resolve("check"))) {
            assertThat(s.filter(p -> p.toString().endsWith(".trace")).count()).isEqualTo(1);
        }
        out.reset();
        assertThat(Main.run(args)).isZero();
        assertThat(stdout()).contains("already in the corpus: ");
    }

    /**
     * A search that outgrows the heap ends as the state bound does ("bound=heap", no stack trace, exit 0 for a clean
     * preset), with one worker and with two: in a JVM of its own with a 64 MB heap.
     */
    @Test
    void aFullHeapEndsTheSearchCleanly() throws Exception {
        for (String jobs : new String[] {"1", "2"}) {
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            ProcessBuilder pb = new ProcessBuilder(java.toString(), "-Xmx64m", "-XX:+UseSerialGC", "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "check", "--preset", "mainline",
                "--property", "no-oom-above-min", "--depth", "8", "--max-states", "100000000", "--no-write", "-q",
                "--jobs", jobs).redirectErrorStream(true);
            Process p = pb.start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int rc = p.waitFor();
            assertThat(text).as("jobs=" + jobs).contains("heap full at depth").doesNotContain("OutOfMemoryError")
                .containsPattern("summary: .* result=clean .* jobs=" + jobs + " expected=clean bound=heap\n?$");
            assertThat(rc).as(text).isZero();
        }
    }

    /** A catalog bug with its own configuration: found at its shortest length, fixed presets clean, exit 0. */
    @Test
    void catalogBugOnItsOwnConfiguration(@TempDir Path out) {
        int rc = Main.run("check", "--bug", "free-highatomic-tracking", "--corpus", "../corpus", "--no-write", "-q",
            "--out", out.toString());
        assertThat(stdout()).contains("prefix=1 moves=8+frees");
        assertThat(stdout()).containsPattern("free-highatomic-tracking +linux-6\\.8 +5 +violation@5");
        assertThat(stdout()).containsPattern(
            "summary: bugs=1 sequential=1 found=1 fixed_runs=2 fixed_clean=2 max_depth=5 states=\\d+");
        assertThat(rc).isZero();
    }

    /** The same catalog bug with the optimized allocator beside the reference one (its setup prefix replayed too). */
    @Test
    void catalogBugDifferential(@TempDir Path out) {
        int rc = Main.run("check", "--bug", "free-highatomic-tracking", "--corpus", "../corpus", "--no-write", "-q",
            "--differential", "--out", out.toString());
        assertThat(stdout()).containsPattern("free-highatomic-tracking +linux-6\\.8 +5 +violation@5");
        assertThat(stdout()).containsPattern("summary: bugs=1 sequential=1 found=1 fixed_runs=2 fixed_clean=2"
            + " max_depth=5 states=\\d+ .* differential=1\n?$");
        assertThat(rc).isZero();
    }

    /**
     * Two properties in one search under linux-6.3 on 16 pages: no-oom-above-min breaks at length 4; the search then
     * starts again without it and finds order0-atomic-above-floor at length 6. Each counterexample is the one the
     * property's own search finds: the same length, after the same number of states (the search without the first
     * property is that search).
     */
    @Test
    void severalPropertiesInOneSearch(@TempDir Path dir) {
        String[] common = {"--preset", "linux-6.3", "--depth", "6", "--pages", "16", "--max-states", "700000", "--jobs",
            "1", "--no-write", "-q", "--out", dir.toString()};
        int rc = Main.run(concat(new String[] {"check", "--property", "no-oom-above-min,order0-atomic-above-floor"},
            common));
        String both = stdout();
        assertThat(both).contains("searching again without no-oom-above-min (1 left)");
        assertThat(both).containsPattern("summary: preset=linux-6\\.3 property=no-oom-above-min,order0-atomic-above-floor"
            + " properties=2 depth=6 states=\\d+ result=violation length=4 violations=2 unexpected=0 not_found=0"
            + " searches=2 ");
        assertThat(rc).isZero(); // the catalog has both under linux-6.3
        for (String[] p : new String[][] {{"no-oom-above-min", "4"}, {"order0-atomic-above-floor", "6"}}) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile(p[0] + " +violation +violation +" + p[1]
                + " +(\\d+)").matcher(both);
            assertThat(m.find()).as(both).isTrue();
            out.reset();
            assertThat(Main.run(concat(new String[] {"check", "--property", p[0]}, common))).isZero();
            assertThat(stdout()).contains("summary: preset=linux-6.3 property=" + p[0] + " depth=" + p[1] + " states="
                + m.group(1) + " result=violation length=" + p[1] + " ");
        }
    }

    /** Every property (--preset alone) under mainline: one search, a bounded proof of each, exit 0. */
    @Test
    void everyPropertyUnderAFixedPreset(@TempDir Path dir) {
        int rc = Main.run("check", "--preset", "mainline", "--depth", "3", "--pages", "32", "--jobs", "1", "-q",
            "--out", dir.toString());
        assertThat(stdout()).contains("mainline all: bounded proof: preset=mainline property=all depth=3")
            .containsPattern("kswapd-restores-high +unknown +clean to depth 3 ")
            .containsPattern("summary: preset=mainline property=all properties=11 depth=3 states=\\d+ result=clean"
                + " length=0 violations=0 unexpected=0 not_found=0 searches=1 ");
        assertThat(rc).isZero();
    }

    /** --differential: the optimized allocator beside the reference one, clean under mainline; says so. */
    @Test
    void differentialSearch(@TempDir Path dir) {
        int rc = Main.run("check", "--preset", "mainline", "--property", "page-conservation,no-oom-above-min",
            "--differential", "--depth", "3", "--pages", "32", "-q", "--out", dir.toString());
        assertThat(stdout()).contains("differential=reference,fast")
            .containsPattern("summary: preset=mainline property=page-conservation,no-oom-above-min properties=2"
                + " depth=3 states=\\d+ result=clean .* differential=1\n?$");
        assertThat(rc).isZero();
    }

    private static String[] concat(String[] a, String[] b) {
        String[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    @Test
    void badInputExitsTwo() {
        assertThat(Main.run("check", "--preset", "linux-9.9", "--property", "no-oom-above-min")).isEqualTo(2);
        assertThat(stdout()).contains("summary: result=error error=unknown_preset");
        assertThat(Main.run("check", "--property", "no-oom-above-min")).isEqualTo(2);
        out.reset();
        assertThat(Main.run("check", "--preset", "mainline", "--property", "no-oom-above-min,no-such-property"))
            .isEqualTo(2);
        assertThat(stdout()).contains("summary: result=error error=unknown_property");
        assertThat(Main.run("check", "--pages", "4")).isEqualTo(2);
        assertThat(Main.run("check", "--bug", "no-such-bug")).isEqualTo(2);
    }
}
