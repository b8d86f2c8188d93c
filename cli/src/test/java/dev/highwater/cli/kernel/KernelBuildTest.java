package dev.highwater.cli.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KernelBuildTest {
    @TempDir
    Path dir;

    @Test
    void configurationFragmentListsOptionsToTurnOnAndOff() throws IOException {
        Path f = dir.resolve("frag.config");
        Files.writeString(f, "# comment\nCONFIG_COMPACTION\n\nZONE_DMA32=y\nCONFIG_SLOB=n\n");
        assertThat(KernelBuild.options(f)).containsExactly("COMPACTION", "ZONE_DMA32", "!SLOB");
    }

    @Test
    void aMalformedOptionNamesFileAndLine() throws IOException {
        Path f = dir.resolve("bad.config");
        Files.writeString(f, "CONFIG_COMPACTION\nCONFIG_FOO=m\n");
        assertThatThrownBy(() -> KernelBuild.options(f)).isInstanceOf(IOException.class)
            .hasMessageContaining("bad.config:2:");
    }

    @Test
    void theRepositoryConfigurationParses() throws IOException {
        Path repo = Path.of("..").toAbsolutePath().normalize();
        List<String> o = KernelBuild.options(repo.resolve("kernel/config/highwater-minimal.config"));
        assertThat(o).contains("COMPACTION", "ZONE_DMA", "ZONE_DMA32", "MODULES", "!SLOB", "HUGETLBFS");
    }

    @Test
    void theCacheKeyChangesWithEveryInput() throws IOException {
        Path tar = Files.writeString(dir.resolve("linux-source-6.1.tar.xz"), "not really a tarball");
        Path conf = Files.writeString(dir.resolve("c.config"), "CONFIG_COMPACTION\n");
        Path patch = Files.writeString(dir.resolve("x.patch"), "--- a/x\n+++ b/x\n");
        KernelBuild.Inputs base = new KernelBuild.Inputs(tar, "linux-source-6.1 6.1.192-2", conf, List.of());
        String h = base.hash();
        assertThat(base.hash()).isEqualTo(h);
        assertThat(base.withPatches(List.of(patch)).hash()).isNotEqualTo(h);
        assertThat(new KernelBuild.Inputs(tar, "linux-source-6.1 6.1.193-1", conf, List.of()).hash()).isNotEqualTo(h);
        Files.writeString(conf, "CONFIG_COMPACTION\nCONFIG_MIGRATION\n");
        assertThat(base.hash()).isNotEqualTo(h);
        assertThat(base.withPatches(List.of(patch)).label()).isEqualTo("x");
    }

    @Test
    void everyKernelPatchNamesTheCommitItRevertsOrApplies() throws IOException {
        Path repo = Path.of("..").toAbsolutePath().normalize();
        for (BugScenario s : BugScenario.all()) {
            String text = Files.readString(repo.resolve("kernel/patches").resolve(s.patch()));
            String commit = dev.highwater.properties.bugs.BugCatalog.byId(s.bugId()).orElseThrow().commit()
                .replaceAll("^\\(|\\)$", "");
            assertThat(text).as(s.patch()).contains(s.patchMakesBugPresent() ? "Reverts: " : "Applies: ")
                .contains(commit).contains("--- a/mm/page_alloc.c");
        }
    }
}
