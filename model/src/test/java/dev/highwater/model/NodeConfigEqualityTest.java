package dev.highwater.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.highwater.model.trace.ResultText;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The written-out equality of {@link NodeConfig} and {@link ZoneSpec} is the records' value equality (a fuzz run finds
 * its booted allocator by node), and {@link ResultText#of}'s kept texts are the texts it builds.
 */
class NodeConfigEqualityTest {
    private static NodeConfig node(long dmaPages, long normalPages, int pb, int maxOrder, int cpus, int batch, int high) {
        return new NodeConfig(List.of(new ZoneSpec(ZoneType.DMA, dmaPages, dmaPages + 16, dmaPages),
            ZoneSpec.of(ZoneType.NORMAL, normalPages)), pb, maxOrder, cpus, batch, high);
    }

    @Test
    void equalNodesAreEqualWithEqualHashesAndEachComponentCounts() {
        NodeConfig a = node(4000, 60000, 9, 11, 2, 0, 0);
        NodeConfig b = node(4000, 60000, 9, 11, 2, 0, 0);
        assertThat(a).isEqualTo(b).isNotSameAs(b);
        assertThat(a.hashCode()).isEqualTo(b.hashCode());
        List<NodeConfig> others = List.of(node(4001, 60000, 9, 11, 2, 0, 0), node(4000, 60001, 9, 11, 2, 0, 0),
            node(4000, 60000, 8, 11, 2, 0, 0), node(4000, 60000, 9, 10, 2, 0, 0), node(4000, 60000, 9, 11, 3, 0, 0),
            node(4000, 60000, 9, 11, 2, 7, 0), node(4000, 60000, 9, 11, 2, 0, 42));
        for (NodeConfig o : others) {
            assertThat(o).isNotEqualTo(a);
        }
        assertThat(others.stream().map(NodeConfig::hashCode).distinct().count()).isEqualTo(others.size());
        assertThat(a).isNotEqualTo(null).isNotEqualTo("node");
    }

    @Test
    void zoneSpecsCompareEveryField() {
        ZoneSpec z = new ZoneSpec(ZoneType.NORMAL, 100, 120, 110);
        assertThat(z).isEqualTo(new ZoneSpec(ZoneType.NORMAL, 100, 120, 110));
        assertThat(z.hashCode()).isEqualTo(new ZoneSpec(ZoneType.NORMAL, 100, 120, 110).hashCode());
        assertThat(z).isNotEqualTo(new ZoneSpec(ZoneType.DMA32, 100, 120, 110))
            .isNotEqualTo(new ZoneSpec(ZoneType.NORMAL, 101, 120, 110))
            .isNotEqualTo(new ZoneSpec(ZoneType.NORMAL, 100, 121, 110))
            .isNotEqualTo(new ZoneSpec(ZoneType.NORMAL, 100, 120, 111));
    }

    @Test
    void keptResultTextsAreTheBuiltOnes() {
        assertThat(ResultText.of(3, 0)).isEqualTo("ok");
        assertThat(ResultText.of(0, 3)).isEqualTo("fail");
        assertThat(ResultText.of(3, 5)).isEqualTo("ok=3 fail=5").isSameAs(ResultText.of(3, 5));
        assertThat(ResultText.of(255, 1)).isEqualTo("ok=255 fail=1");
        assertThat(ResultText.of(256, 1)).isEqualTo("ok=256 fail=1");
        assertThat(ResultText.of(1, 4096)).isEqualTo("ok=1 fail=4096");
        assertThat(ResultText.isValid(ResultText.of(17, 200))).isTrue();
    }
}
