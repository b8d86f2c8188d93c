package dev.highwater.model;

import static dev.highwater.model.GfpLayout.V2_6_32;
import static dev.highwater.model.GfpLayout.V4_10;
import static dev.highwater.model.GfpLayout.V4_15;
import static dev.highwater.model.GfpLayout.V4_4;
import static dev.highwater.model.GfpLayout.V4_8;
import static dev.highwater.model.GfpLayout.V5_1;
import static dev.highwater.model.GfpLayout.V6_3;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link Gfp} (parse/print/resolve) and the policy questions of {@link GfpMask} (§1.6, §3.3, §3.4). */
class GfpTest {

    private static final long ALL_FLAGS = (1L << GfpFlag.values().length) - 1;

    // ---- parsing and printing

    @Test
    void parsesNamesInOrderAndPrintsThemBack() {
        Gfp g = Gfp.parse("GFP_ATOMIC|__GFP_NOWARN");
        assertThat(g.names()).containsExactly("GFP_ATOMIC", "__GFP_NOWARN");
        assertThat(g).hasToString("GFP_ATOMIC|__GFP_NOWARN");
        assertThat(Gfp.parse(g.toString())).isEqualTo(g);
    }

    @Test
    void whitespaceAroundBarsIsIgnored() {
        Gfp g = Gfp.parse("  GFP_KERNEL |\t__GFP_COMP| __GFP_ZERO ");
        assertThat(g.names()).containsExactly("GFP_KERNEL", "__GFP_COMP", "__GFP_ZERO");
        assertThat(g).hasToString("GFP_KERNEL|__GFP_COMP|__GFP_ZERO");
    }

    @Test
    void printingKeepsTheWrittenOrderAndDuplicates() {
        assertThat(Gfp.parse("__GFP_NOWARN|GFP_ATOMIC|__GFP_NOWARN")).hasToString("__GFP_NOWARN|GFP_ATOMIC|__GFP_NOWARN");
    }

    @Test
    void namesOfEveryEraAreAccepted() {
        for (String n : List.of("__GFP_WAIT", "__GFP_REPEAT", "__GFP_RETRY_MAYFAIL", "__GFP_ATOMIC", "GFP_TEMPORARY",
            "GFP_KERNEL_ACCOUNT", "__GFP_RECLAIM", "__GFP_NOACCOUNT", "__GFP_NO_KSWAPD", "__GFP_OTHER_NODE",
            "__GFP_NOTRACK", "__GFP_COLD", "__GFP_KMEMCG", "__GFP_NOLOCKDEP", "GFP_TRANSHUGE_LIGHT", "GFP_DMA32",
            "__GFP_HIGHMEM")) {
            assertThat(Gfp.parse(n).names()).containsExactly(n);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "|", "GFP_KERNEL|", "|GFP_KERNEL", "GFP_KERNEL||__GFP_NOWARN", "GFP_KERNEL| |__GFP_COMP"})
    void emptyExpressionsAndTokensAreRejected(String text) {
        assertThatThrownBy(() -> Gfp.parse(text)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("empty");
    }

    @Test
    void nullIsRejected() {
        assertThatThrownBy(() -> Gfp.parse(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Gfp(List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void unknownNameIsNamedWithExamplesOfValidOnes() {
        assertThatThrownBy(() -> Gfp.parse("GFP_KERNEL|__GFP_FOO"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("'__GFP_FOO'")
            .hasMessageContaining("GFP_KERNEL")
            .hasMessageContaining("__GFP_NOWARN");
    }

    @ParameterizedTest
    @CsvSource({
        "GFP_NOWARN,   __GFP_NOWARN",
        "gfp_kernel,   GFP_KERNEL",
        "__GFP_KERNEL, GFP_KERNEL",
        "nowarn,       __GFP_NOWARN",
    })
    void nearMissesGetASuggestion(String bad, String suggestion) {
        assertThatThrownBy(() -> Gfp.parse(bad)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("'" + bad + "'")
            .hasMessageContaining("did you mean " + suggestion + "?");
    }

    @Test
    void namesAreCaseSensitiveAndNotNumbers() {
        assertThat(Gfp.isKnownName("GFP_KERNEL")).isTrue();
        assertThat(Gfp.isKnownName("gfp_kernel")).isFalse();
        assertThat(Gfp.isKnownName("0x20")).isFalse();
        assertThat(Gfp.isKnownName("GFP_HIGH")).as("3.x tracepoint spelling is not a kernel name").isFalse();
    }

    @Test
    void namesListIsImmutable() {
        Gfp g = Gfp.parse("GFP_KERNEL");
        assertThatThrownBy(() -> g.names().add("__GFP_NOWARN")).isInstanceOf(UnsupportedOperationException.class);
    }

    // ---- resolve

    @Test
    void resolveExpandsCompositesForTheLayout() {
        Gfp g = Gfp.parse("GFP_ATOMIC|__GFP_NOWARN");
        assertThat(g.resolve(V4_8).encode(V4_8)).isEqualTo(0x2080220L);
        assertThat(g.resolve(V5_1).encode(V5_1)).isEqualTo(0x2a20L);
        assertThat(g.resolve(V6_3).encode(V6_3)).isEqualTo(0x2820L);
        assertThat(g.resolve(V6_3)).isEqualTo(GfpMask.of(GfpFlag.HIGH, GfpFlag.KSWAPD_RECLAIM, GfpFlag.NOWARN));
    }

    @Test
    void aFlagAbsentFromTheLayoutContributesNothing() {
        assertThat(Gfp.parse("__GFP_ATOMIC").resolve(V6_3)).isEqualTo(GfpMask.NONE);
        assertThat(Gfp.parse("__GFP_HIGH|__GFP_ATOMIC").resolve(V6_3)).isEqualTo(GfpMask.of(GfpFlag.HIGH));
        assertThat(Gfp.parse("GFP_ATOMIC|__GFP_NOTRACK").resolve(V4_15)).isEqualTo(V4_15.composite("GFP_ATOMIC"));
        assertThat(Gfp.parse("__GFP_KSWAPD_RECLAIM").resolve(V2_6_32)).isEqualTo(GfpMask.NONE);
        assertThat(Gfp.parse("__GFP_NOACCOUNT").resolve(V4_8)).isEqualTo(GfpMask.NONE);
        assertThat(Gfp.parse("__GFP_NOACCOUNT").resolve(V4_4)).isEqualTo(GfpMask.of(GfpFlag.NOACCOUNT));
    }

    @Test
    void renamedBitsKeepTheirMeaningAcrossEras() {
        // 2.6.32-era __GFP_WAIT is DIRECT_RECLAIM in every layout.
        assertThat(Gfp.parse("__GFP_WAIT").resolve(V4_4)).isEqualTo(GfpMask.of(GfpFlag.DIRECT_RECLAIM));
        assertThat(Gfp.parse("__GFP_WAIT").resolve(V4_4).encode(V4_4)).isEqualTo(0x400000L);
        assertThat(Gfp.parse("__GFP_WAIT").resolve(V2_6_32).encode(V2_6_32)).isEqualTo(0x10L);
        assertThat(Gfp.parse("__GFP_DIRECT_RECLAIM").resolve(V2_6_32).encode(V2_6_32)).isEqualTo(0x10L);
        assertThat(Gfp.parse("__GFP_REPEAT").resolve(V6_3).encode(V6_3)).isEqualTo(0x4000L);
        assertThat(Gfp.parse("__GFP_RETRY_MAYFAIL").resolve(V4_8).encode(V4_8)).isEqualTo(0x400L);
        // A 2.6.32 "GFP_KERNEL spelled out" under 4.4 lacks KSWAPD_RECLAIM, as written.
        assertThat(Gfp.parse("__GFP_WAIT|__GFP_IO|__GFP_FS").resolve(V4_4).encode(V4_4)).isEqualTo(0x4000c0L);
    }

    @Test
    void aCompositeAbsentFromTheLayoutBorrowsTheNearestDefinition() {
        // GFP_TEMPORARY (gone in 4.14) under 5.1: RECLAIM|IO|FS|RECLAIMABLE in 5.1 bits.
        assertThat(Gfp.parse("GFP_TEMPORARY").resolve(V5_1).encode(V5_1)).isEqualTo(0xcd0L);
        // GFP_KERNEL_ACCOUNT before 4.5: ACCOUNT has no bit, so it is GFP_KERNEL.
        assertThat(Gfp.parse("GFP_KERNEL_ACCOUNT").resolve(V4_4)).isEqualTo(V4_4.composite("GFP_KERNEL"));
        assertThat(Gfp.parse("GFP_KERNEL_ACCOUNT").resolve(V2_6_32).encode(V2_6_32)).isEqualTo(0xd0L);
        // __GFP_RECLAIM in 2.6.32: only the WAIT half exists.
        assertThat(Gfp.parse("__GFP_RECLAIM").resolve(V2_6_32).encode(V2_6_32)).isEqualTo(0x10L);
        // GFP_TRANSHUGE_LIGHT under 4.4 borrows 4.8's definition.
        assertThat(Gfp.parse("GFP_TRANSHUGE_LIGHT").resolve(V4_4)).isEqualTo(V4_8.composite("GFP_TRANSHUGE_LIGHT"));
    }

    @Property
    void resolvedMasksOnlyHoldFlagsOfTheLayout(@ForAll GfpLayout layout) {
        for (String name : GfpLayout.allCompositeNames()) {
            GfpMask m = Gfp.parse(name).resolve(layout);
            assertThat(m.restrictTo(layout)).as(name).isEqualTo(m);
            assertThat(GfpMask.decode(m.encode(layout), layout).mask()).as(name).isEqualTo(m);
        }
    }

    // ---- GfpMask set operations

    @Test
    void setOperations() {
        GfpMask m = GfpMask.of(GfpFlag.HIGH, GfpFlag.NOWARN);
        assertThat(m.has(GfpFlag.HIGH)).isTrue();
        assertThat(m.has(GfpFlag.IO)).isFalse();
        assertThat(m.with(GfpFlag.IO).has(GfpFlag.IO)).isTrue();
        assertThat(m.without(GfpFlag.HIGH)).isEqualTo(GfpMask.of(GfpFlag.NOWARN));
        assertThat(m.without(GfpFlag.IO)).isEqualTo(m);
        assertThat(m.union(GfpMask.of(GfpFlag.COMP))).isEqualTo(GfpMask.of(GfpFlag.HIGH, GfpFlag.NOWARN, GfpFlag.COMP));
        assertThat(m.minus(GfpMask.of(GfpFlag.NOWARN, GfpFlag.COMP))).isEqualTo(GfpMask.of(GfpFlag.HIGH));
        assertThat(m.containsAll(GfpMask.of(GfpFlag.HIGH))).isTrue();
        assertThat(m.containsAll(GfpMask.of(GfpFlag.HIGH, GfpFlag.IO))).isFalse();
        assertThat(m.flags()).isEqualTo((1L << GfpFlag.HIGH.ordinal()) | (1L << GfpFlag.NOWARN.ordinal()));
        assertThat(m.toSet()).containsExactly(GfpFlag.HIGH, GfpFlag.NOWARN);
        assertThat(m).hasToString("GfpMask[HIGH|NOWARN]");
        assertThat(GfpMask.of()).isEqualTo(GfpMask.NONE);
        assertThat(GfpMask.NONE.isEmpty()).isTrue();
    }

    @Test
    void kernelValuesAreNotMaskBits() {
        assertThatThrownBy(() -> new GfpMask(1L << 40)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("decode");
    }

    // ---- policy questions

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "GFP_KERNEL,                         NORMAL",
        "GFP_ATOMIC,                         NORMAL",
        "GFP_DMA,                            DMA",
        "GFP_KERNEL|GFP_DMA,                 DMA",
        "GFP_DMA32,                          DMA32",
        "GFP_KERNEL|GFP_DMA32,               DMA32",
        "GFP_HIGHUSER,                       HIGHMEM",
        "GFP_HIGHUSER_MOVABLE,               MOVABLE",
        "GFP_HIGHUSER_MOVABLE|__GFP_ZERO,    MOVABLE",
        "GFP_KERNEL|__GFP_MOVABLE,           NORMAL",
        "GFP_TRANSHUGE,                      MOVABLE",
    })
    void highestZoneIsGfpZone(String expression, ZoneType zone) {
        for (GfpLayout l : GfpLayout.values()) {
            assertThat(Gfp.parse(expression).resolve(l).highestZone()).as("%s in %s", expression, l).isEqualTo(zone);
        }
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "GFP_KERNEL,                          UNMOVABLE",
        "GFP_ATOMIC,                          UNMOVABLE",
        "GFP_HIGHUSER_MOVABLE,                MOVABLE",
        "GFP_KERNEL|__GFP_RECLAIMABLE,        RECLAIMABLE",
        "GFP_TEMPORARY,                       RECLAIMABLE",
        "__GFP_MOVABLE|__GFP_RECLAIMABLE,     MOVABLE",
    })
    void migratetypeFromMobilityFlags(String expression, MigrateType type) {
        assertThat(Gfp.parse(expression).resolve(V4_10).migratetype()).isEqualTo(type);
    }

    @Test
    void directReclaim() {
        assertThat(Gfp.parse("GFP_KERNEL").resolve(V2_6_32).canDirectReclaim()).isTrue();
        assertThat(Gfp.parse("GFP_NOIO").resolve(V6_3).canDirectReclaim()).isTrue();
        assertThat(Gfp.parse("GFP_ATOMIC").resolve(V6_3).canDirectReclaim()).isFalse();
        assertThat(Gfp.parse("GFP_NOWAIT").resolve(V4_4).canDirectReclaim()).isFalse();
        assertThat(Gfp.parse("GFP_TRANSHUGE_LIGHT").resolve(V5_1).canDirectReclaim()).isFalse();
        assertThat(Gfp.parse("GFP_TRANSHUGE").resolve(V5_1).canDirectReclaim()).isTrue();
    }

    @Test
    void kswapdWakeup() {
        // ≤4.3: every request wakes kswapd, even GFP_NOWAIT (value 0).
        assertThat(Gfp.parse("GFP_NOWAIT").resolve(V2_6_32).canWakeKswapd(V2_6_32)).isTrue();
        assertThat(Gfp.parse("GFP_ATOMIC").resolve(V2_6_32).canWakeKswapd(V2_6_32)).isTrue();
        // ... except 3.x THP allocations, which carry __GFP_NO_KSWAPD (absent in pure 2.6.32).
        assertThat(Gfp.parse("GFP_TRANSHUGE").resolve(V2_6_32).canWakeKswapd(V2_6_32)).isFalse();
        // 4.4+: only with __GFP_KSWAPD_RECLAIM.
        assertThat(Gfp.parse("GFP_NOWAIT").resolve(V4_4).canWakeKswapd(V4_4)).isTrue();
        assertThat(Gfp.parse("GFP_KERNEL").resolve(V6_3).canWakeKswapd(V6_3)).isTrue();
        assertThat(Gfp.parse("__GFP_DIRECT_RECLAIM|__GFP_IO|__GFP_FS").resolve(V5_1).canWakeKswapd(V5_1)).isFalse();
        assertThat(Gfp.parse("GFP_TRANSHUGE").resolve(V4_4).canWakeKswapd(V4_4)).isFalse();
        assertThat(Gfp.parse("GFP_TRANSHUGE_LIGHT").resolve(V6_3).canWakeKswapd(V6_3)).isFalse();
        assertThat(GfpMask.NONE.canWakeKswapd(V4_10)).isFalse();
    }

    // ---- encode / decode / format properties

    @Property
    void decodeInvertsEncode(@ForAll GfpLayout layout, @ForAll long bits) {
        GfpMask m = new GfpMask(bits & ALL_FLAGS).restrictTo(layout);
        GfpMask.Decoded d = GfpMask.decode(m.encode(layout), layout);
        assertThat(d.unknownBits()).isZero();
        assertThat(d.mask()).isEqualTo(m);
    }

    @Property
    void decodeKeepsEveryBitOfTheValue(@ForAll GfpLayout layout, @ForAll long value) {
        GfpMask.Decoded d = GfpMask.decode(value, layout);
        assertThat(d.mask().encode(layout) | d.unknownBits()).isEqualTo(value);
        assertThat(d.mask().encode(layout) & d.unknownBits()).isZero();
        assertThat(d.unknownBits() & layout.knownBits()).isZero();
    }

    @Property
    void formattedNamesParseBackToTheSameMask(@ForAll GfpLayout layout, @ForAll long bits) {
        GfpMask m = new GfpMask(bits & ALL_FLAGS).restrictTo(layout);
        if (layout != V6_3) {
            m = m.without(GfpFlag.NOLOCKDEP); // printed as hex there: not a name
        }
        String text = m.format(layout);
        if (m.isEmpty()) {
            assertThat(text).isEmpty();
            return;
        }
        assertThat(text).doesNotContain("0x");
        assertThat(Gfp.parse(text).resolve(layout)).isEqualTo(m);
    }

    @Property
    void formatConsumesEachBitOnce(@ForAll GfpLayout layout, @ForAll int value) {
        long v = value & 0xffffffffL;
        String text = layout.format(v);
        long rebuilt = 0;
        for (String token : text.isEmpty() ? new String[0] : text.split("\\|")) {
            long part = token.startsWith("0x") ? Long.parseLong(token.substring(2), 16)
                : Gfp.parse(token).resolve(layout).encode(layout);
            assertThat(rebuilt & part).as("%s overlaps in %s", token, text).isZero();
            rebuilt |= part;
        }
        assertThat(rebuilt).isEqualTo(v);
    }

    @Test
    void specExamplesAcrossLayouts() {
        // The same name means different numbers per version; the same number different names.
        assertThat(Gfp.parse("GFP_KERNEL").resolve(V4_10).encode(V4_10)).isEqualTo(0x14000c0L);
        assertThat(Gfp.parse("GFP_KERNEL").resolve(V4_15).encode(V4_15)).isEqualTo(0x6000c0L);
        assertThat(V2_6_32.format(0x20)).isEqualTo("GFP_ATOMIC");
        assertThat(V6_3.format(0x20)).isEqualTo("__GFP_HIGH");
    }
}
