package dev.highwater.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.highwater.properties.fuzz.FuzzTargets;
import dev.highwater.properties.fuzz.FuzzerOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fuzz target runs with the same options under {@code highwater fuzz} (the child command of {@link JazzerProcess})
 * and under the ClusterFuzzLite launchers, which {@code .clusterfuzzlite/build.sh} writes from
 * {@code FuzzTargets --options}: both are {@link FuzzerOptions}.
 */
class JazzerProcessTest {
    @TempDir
    Path dir;

    private JazzerProcess process() {
        FuzzTargets.Target t = FuzzTargets.byName("policy-mainline").orElseThrow();
        JazzerProcess p = new JazzerProcess(t, dir, List.of(), 10, 0, Map.of(), 7);
        p.extraOptions = List.of("-len_control=0");
        return p;
    }

    @Test
    void theChildRunsWithTheSharedOptionsAndItsExtraOptionsLast() {
        JazzerProcess p = process();
        List<String> cmd = p.command();
        assertThat(Collections.indexOfSubList(cmd, FuzzerOptions.JVM)).isEqualTo(1);
        List<String> jazzer = FuzzerOptions.jazzer(FuzzerOptions.EXCLUDES, FuzzerOptions.TRACE);
        assertThat(Collections.indexOfSubList(cmd, jazzer)).isPositive();
        assertThat(cmd).contains("--target_class=" + p.target.className());
        int search = Collections.indexOfSubList(cmd, FuzzerOptions.LIBFUZZER);
        assertThat(search).isPositive();
        // an extra option (rediscovery's) comes after the defaults, so it wins; the corpus folder is last
        assertThat(cmd.indexOf("-len_control=0")).isGreaterThan(search);
        assertThat(cmd.get(cmd.size() - 1)).isEqualTo(p.corpusDir.toString());
        assertThat(cmd).contains("-use_counters=0", "-max_len=512", "--trace=cov",
            "--instrumentation_excludes=dev.highwater.properties.integrity.**");
    }

    @Test
    void theClusterFuzzLiteBuildReadsTheSameOptions() {
        PrintStream saved = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            FuzzTargets.main(new String[] {"--options"});
        } finally {
            System.setOut(saved);
        }
        List<String> lines = buf.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).containsExactly(
            "jvm " + String.join(" ", FuzzerOptions.JVM),
            "jazzer " + String.join(" ", FuzzerOptions.jazzer(FuzzerOptions.EXCLUDES, FuzzerOptions.TRACE)),
            "libfuzzer " + String.join(" ", FuzzerOptions.LIBFUZZER));
        // build.sh splits each line on spaces: no option may hold one
        for (String l : lines) {
            assertThat(l.substring(l.indexOf(' ') + 1).split(" ")).allSatisfy(o -> assertThat(o).startsWith("-"));
        }
    }
}
