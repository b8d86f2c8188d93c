package dev.highwater.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How {@code highwater stress} finds and refreshes the stress jar; the run itself is the stress module's test. */
class StressCommandTest {

    @Test
    void findsTheCheckoutFromASubdirectoryAndRebuildsAStaleJar(@TempDir Path root) throws Exception {
        Files.createDirectories(root.resolve("stress/src/main/java"));
        Files.createDirectories(root.resolve("model/src/main/java"));
        Files.writeString(root.resolve("mvnw"), "#!/bin/sh\n");
        Files.writeString(root.resolve("pom.xml"), "<project/>");
        Files.writeString(root.resolve("stress/pom.xml"), "<project/>");
        Path src = Files.writeString(root.resolve("model/src/main/java/A.java"), "class A {}");
        assertThat(StressCommand.findRoot(root.resolve("stress/src/main"))).isEqualTo(root);
        assertThat(StressCommand.findRoot(root.getParent())).isNull();

        Path jar = root.resolve("stress/target/jcstress.jar");
        assertThat(StressCommand.stale(root, jar)).as("missing").isTrue();
        Files.createDirectories(jar.getParent());
        Files.writeString(jar, "jar");
        FileTime old = FileTime.fromMillis(System.currentTimeMillis() - 60_000);
        for (Path p : new Path[] {root.resolve("pom.xml"), root.resolve("stress/pom.xml"), src}) {
            Files.setLastModifiedTime(p, old);
        }
        assertThat(StressCommand.stale(root, jar)).as("fresh").isFalse();
        Files.setLastModifiedTime(src, FileTime.fromMillis(System.currentTimeMillis() + 60_000));
        assertThat(StressCommand.stale(root, jar)).as("a model source is newer").isTrue();
    }

    @Test
    void anUnknownModeIsBadInput() {
        assertThat(Main.run("stress", "--mode", "bogus")).isEqualTo(2);
        assertThat(Main.run("stress", "--no-build", "--jar", "/nonexistent/jcstress.jar")).isEqualTo(2);
    }
}
