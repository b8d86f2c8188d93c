package dev.highwater.model;

import static dev.highwater.model.GfpLayout.V2_6_32;
import static dev.highwater.model.GfpLayout.V4_10;
import static dev.highwater.model.GfpLayout.V4_15;
import static dev.highwater.model.GfpLayout.V4_4;
import static dev.highwater.model.GfpLayout.V4_8;
import static dev.highwater.model.GfpLayout.V5_1;
import static dev.highwater.model.GfpLayout.V6_3;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The numeric tables of kernel-semantics §3.5: single bits, composites, {@code %pGg}. */
class GfpLayoutTest {

    /** Column order of the §3.5 tables; the 4.4–4.9 column serves both V4_4 and V4_8. */
    private static final GfpLayout[][] COLUMNS = {
        {V2_6_32}, {V4_4, V4_8}, {V4_10}, {V4_15}, {V5_1}, {V6_3}};

    // ---- §3.5 bit table, one row per flag, "-" = absent. Columns: 2.6.32, 4.4, 4.8, 4.10, 4.15, 5.1, 6.3.
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "DMA,            0x1,       0x1,       0x1,       0x1,       0x1,       0x1,      0x1",
        "HIGHMEM,        0x2,       0x2,       0x2,       0x2,       0x2,       0x2,      0x2",
        "DMA32,          0x4,       0x4,       0x4,       0x4,       0x4,       0x4,      0x4",
        "MOVABLE,        0x8,       0x8,       0x8,       0x8,       0x8,       0x8,      0x8",
        "DIRECT_RECLAIM, 0x10,      0x400000,  0x400000,  0x400000,  0x200000,  0x400,    0x400",
        "RECLAIMABLE,    0x80000,   0x10,      0x10,      0x10,      0x10,      0x10,     0x10",
        "HIGH,           0x20,      0x20,      0x20,      0x20,      0x20,      0x20,     0x20",
        "IO,             0x40,      0x40,      0x40,      0x40,      0x40,      0x40,     0x40",
        "FS,             0x80,      0x80,      0x80,      0x80,      0x80,      0x80,     0x80",
        "COLD,           0x100,     0x100,     0x100,     0x100,     -,         -,        -",
        "WRITE,          0x1000000, 0x1000000, 0x1000000, 0x800000,  0x100,     0x1000,   0x1000",
        "NOWARN,         0x200,     0x200,     0x200,     0x200,     0x200,     0x2000,   0x2000",
        "RETRY_MAYFAIL,  0x400,     0x400,     0x400,     0x400,     0x400,     0x4000,   0x4000",
        "NOFAIL,         0x800,     0x800,     0x800,     0x800,     0x800,     0x8000,   0x8000",
        "NORETRY,        0x1000,    0x1000,    0x1000,    0x1000,    0x1000,    0x10000,  0x10000",
        "MEMALLOC,       0x2000,    0x2000,    0x2000,    0x2000,    0x2000,    0x20000,  0x20000",
        "COMP,           0x4000,    0x4000,    0x4000,    0x4000,    0x4000,    0x40000,  0x40000",
        "ZERO,           0x8000,    0x8000,    0x8000,    0x8000,    0x8000,    0x100,    0x100",
        "NOMEMALLOC,     0x10000,   0x10000,   0x10000,   0x10000,   0x10000,   0x80000,  0x80000",
        "HARDWALL,       0x20000,   0x20000,   0x20000,   0x20000,   0x20000,   0x100000, 0x100000",
        "THISNODE,       0x40000,   0x40000,   0x40000,   0x40000,   0x40000,   0x200000, 0x200000",
        "ATOMIC,         -,         0x80000,   0x80000,   0x80000,   0x80000,   0x200,    -",
        "ACCOUNT,        -,         -,         0x100000,  0x100000,  0x100000,  0x400000, 0x400000",
        "NOACCOUNT,      -,         0x100000,  -,         -,         -,         -,        -",
        "KMEMCG,         0x100000,  -,         -,         -,         -,         -,        -",
        "NOTRACK,        0x200000,  0x200000,  0x200000,  0x200000,  -,         -,        -",
        "OTHER_NODE,     0x800000,  0x800000,  0x800000,  -,         -,         -,        -",
        "NO_KSWAPD,      0x400000,  -,         -,         -,         -,         -,        -",
        "KSWAPD_RECLAIM, -,         0x2000000, 0x2000000, 0x1000000, 0x400000,  0x800,    0x800",
        "NOLOCKDEP,      -,         -,         -,         0x2000000, 0x800000,  0x800000, 0x4000000",
    })
    void singleFlagBitsMatchTheSection35Table(String flag, String v2632, String v44, String v48, String v410,
        String v415, String v51, String v63) {
        GfpFlag f = GfpFlag.valueOf(flag);
        String[] cells = {v2632, v44, v48, v410, v415, v51, v63};
        for (GfpLayout l : GfpLayout.values()) {
            long expected = cells[l.ordinal()].equals("-") ? 0 : Long.decode(cells[l.ordinal()]);
            assertThat(f.bit(l)).as("%s in %s", f, l).isEqualTo(expected);
            assertThat(f.existsIn(l)).as("%s exists in %s", f, l).isEqualTo(expected != 0);
            assertThat(GfpMask.of(f).encode(l)).as("encode %s in %s", f, l).isEqualTo(expected);
        }
    }

    @Test
    void everyFlagIsCoveredByTheBitTableTest() {
        // 30 rows above; a new flag must get a row.
        assertThat(GfpFlag.values()).hasSize(30);
    }

    @ParameterizedTest
    @MethodSource("layouts")
    void bitsOfALayoutAreDistinctSingleBits(GfpLayout l) {
        long seen = 0;
        for (GfpFlag f : GfpFlag.values()) {
            long b = f.bit(l);
            if (b == 0) {
                continue;
            }
            assertThat(Long.bitCount(b)).as("%s in %s is one bit", f, l).isEqualTo(1);
            assertThat(seen & b).as("%s in %s collides", f, l).isZero();
            seen |= b;
        }
        assertThat(l.knownBits()).isEqualTo(seen);
    }

    // ---- §3.5 composite table: every cell, for every column.
    static Stream<Arguments> compositeTable() {
        String[][] rows = {
            // name,                                  ≤4.3       4.4–4.9      4.10–4.14    4.15–5.0    5.1–6.2     6.3+
            {"GFP_ATOMIC",                           "0x20",    "0x2080020", "0x1080020", "0x480020", "0xa20",    "0x820"},
            {"GFP_ATOMIC|__GFP_COMP",                "0x4020",  "0x2084020", "0x1084020", "0x484020", "0x40a20",  "0x40820"},
            {"GFP_ATOMIC|__GFP_NOTRACK",             null,      "0x2280020", "0x1280020", null,       null,       null},
            {"GFP_KERNEL",                           "0xd0",    "0x24000c0", "0x14000c0", "0x6000c0", "0xcc0",    "0xcc0"},
            {"GFP_NOWAIT",                           "0x0",     "0x2000000", "0x1000000", "0x400000", "0x800",    "0x800"},
            {"GFP_NOFS",                             "0x50",    "0x2400040", "0x1400040", "0x600040", "0xc40",    "0xc40"},
            {"GFP_NOIO",                             "0x10",    "0x2400000", "0x1400000", "0x600000", "0xc00",    "0xc00"},
            {"GFP_USER",                             "0x200d0", "0x24200c0", "0x14200c0", "0x6200c0", "0x100cc0", "0x100cc0"},
            {"GFP_HIGHUSER_MOVABLE",                 "0x200da", "0x24200ca", "0x14200ca", "0x6200ca", "0x100cca", "0x100cca"},
            {"GFP_HIGHUSER_MOVABLE|__GFP_ZERO",      "0x280da", "0x24280ca", "0x14280ca", "0x6280ca", "0x100dca", "0x100dca"},
        };
        List<Arguments> out = new ArrayList<>();
        for (String[] row : rows) {
            for (int c = 0; c < COLUMNS.length; c++) {
                if (row[c + 1] == null) {
                    continue;
                }
                for (GfpLayout l : COLUMNS[c]) {
                    out.add(Arguments.of(row[0], l, Long.decode(row[c + 1])));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} in {1} = {2}")
    @MethodSource("compositeTable")
    void compositesEncodeToTheSection35Numbers(String expression, GfpLayout layout, long expected) {
        assertThat(Gfp.parse(expression).resolve(layout).encode(layout)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} in {1} = {2}")
    @MethodSource("compositeTable")
    void compositeNumbersDecodeBackCompletely(String expression, GfpLayout layout, long value) {
        GfpMask.Decoded d = GfpMask.decode(value, layout);
        assertThat(d.unknownBits()).isZero();
        assertThat(d.mask()).isEqualTo(Gfp.parse(expression).resolve(layout));
    }

    @Test
    void notrackCellsMarkedAbsentAreGfpAtomicAloneBecauseTheBitIsGone() {
        // "—" in §3.5 for 4.15+: NOTRACK has no bit there, so the expression is GFP_ATOMIC's value.
        for (GfpLayout l : List.of(V4_15, V5_1, V6_3)) {
            assertThat(GfpFlag.NOTRACK.bit(l)).isZero();
            assertThat(Gfp.parse("GFP_ATOMIC|__GFP_NOTRACK").resolve(l)).isEqualTo(l.composite("GFP_ATOMIC"));
        }
        // ≤4.3 is "—" in the table too, but the bit exists (0x200000): derived, not a seen value.
        assertThat(Gfp.parse("GFP_ATOMIC|__GFP_NOTRACK").resolve(V2_6_32).encode(V2_6_32)).isEqualTo(0x200020L);
    }

    @Test
    void compositesAsFlagSets() {
        assertThat(V2_6_32.composite("GFP_ATOMIC")).isEqualTo(GfpMask.of(GfpFlag.HIGH));
        for (GfpLayout l : List.of(V4_4, V4_8, V4_10, V4_15, V5_1)) {
            assertThat(l.composite("GFP_ATOMIC"))
                .isEqualTo(GfpMask.of(GfpFlag.HIGH, GfpFlag.ATOMIC, GfpFlag.KSWAPD_RECLAIM));
        }
        assertThat(V6_3.composite("GFP_ATOMIC")).isEqualTo(GfpMask.of(GfpFlag.HIGH, GfpFlag.KSWAPD_RECLAIM));
        assertThat(V2_6_32.composite("GFP_KERNEL"))
            .isEqualTo(GfpMask.of(GfpFlag.DIRECT_RECLAIM, GfpFlag.IO, GfpFlag.FS));
        assertThat(V4_4.composite("GFP_KERNEL"))
            .isEqualTo(GfpMask.of(GfpFlag.DIRECT_RECLAIM, GfpFlag.KSWAPD_RECLAIM, GfpFlag.IO, GfpFlag.FS));
        assertThat(V2_6_32.composite("GFP_NOWAIT")).isEqualTo(GfpMask.NONE);
        assertThat(V6_3.composite("GFP_NOWAIT")).isEqualTo(GfpMask.of(GfpFlag.KSWAPD_RECLAIM)); // not 6.8's |NOWARN
        assertThat(V4_4.composite("__GFP_RECLAIM"))
            .isEqualTo(GfpMask.of(GfpFlag.DIRECT_RECLAIM, GfpFlag.KSWAPD_RECLAIM));
        assertThat(V5_1.composite("GFP_KERNEL_ACCOUNT").encode(V5_1)).isEqualTo(0x400cc0L);
        assertThat(V5_1.composite("GFP_HIGHUSER").encode(V5_1)).isEqualTo(0x100cc2L);
        assertThat(V5_1.composite("GFP_TEMPORARY")).isNull();
        assertThat(V4_10.composite("GFP_TEMPORARY").encode(V4_10)).isEqualTo(0x14000d0L);
        assertThat(V4_4.findComposite("GFP_KERNEL_ACCOUNT")).isEmpty();
        assertThat(V4_8.findComposite("GFP_KERNEL_ACCOUNT")).isPresent();
        assertThat(V2_6_32.findComposite("__GFP_RECLAIM")).isEmpty();
        assertThat(V6_3.composite("__GFP_NOWARN")).as("single flags are not composites").isNull();
    }

    @Test
    void transhugeFollowsEachEraDefinition() {
        // 3.x: ... | __GFP_NO_KSWAPD.
        assertThat(V2_6_32.composite("GFP_TRANSHUGE").encode(V2_6_32)).isEqualTo(0x4352daL);
        // 4.4: (HIGHUSER_MOVABLE|COMP|NOMEMALLOC|NORETRY|NOWARN) & ~KSWAPD_RECLAIM; no LIGHT yet.
        assertThat(V4_4.composite("GFP_TRANSHUGE").encode(V4_4)).isEqualTo(0x4352caL);
        assertThat(V4_4.composite("GFP_TRANSHUGE_LIGHT")).isNull();
        // 4.8+: LIGHT = (HIGHUSER_MOVABLE|COMP|NOMEMALLOC|NOWARN) & ~RECLAIM; TRANSHUGE = LIGHT|DIRECT.
        assertThat(V4_10.composite("GFP_TRANSHUGE").encode(V4_10)).isEqualTo(0x4342caL);
        assertThat(V4_10.format(0x4742ca)).isEqualTo("GFP_TRANSHUGE|__GFP_THISNODE");
        assertThat(V6_3.composite("GFP_TRANSHUGE_LIGHT").encode(V6_3)).isEqualTo(0x1c20caL);
        assertThat(V6_3.format(0x1c20ca)).isEqualTo("GFP_TRANSHUGE_LIGHT");
        assertThat(V6_3.format(0x1c24ca)).isEqualTo("GFP_TRANSHUGE");
    }

    @Test
    void compositeNamesPerLayout() {
        assertThat(V2_6_32.compositeNames()).contains("GFP_TEMPORARY", "GFP_NOWAIT", "GFP_TRANSHUGE")
            .doesNotContain("GFP_KERNEL_ACCOUNT", "GFP_TRANSHUGE_LIGHT", "__GFP_RECLAIM");
        assertThat(V4_4.compositeNames()).contains("__GFP_RECLAIM", "GFP_TEMPORARY")
            .doesNotContain("GFP_KERNEL_ACCOUNT");
        assertThat(V4_10.compositeNames()).contains("GFP_TEMPORARY", "GFP_KERNEL_ACCOUNT", "GFP_TRANSHUGE_LIGHT");
        assertThat(V4_15.compositeNames()).doesNotContain("GFP_TEMPORARY");
        assertThat(V6_3.compositeNames()).startsWith("GFP_TRANSHUGE", "GFP_TRANSHUGE_LIGHT", "GFP_HIGHUSER_MOVABLE",
            "GFP_HIGHUSER", "GFP_USER", "GFP_KERNEL_ACCOUNT", "GFP_KERNEL", "GFP_NOFS", "GFP_ATOMIC", "GFP_NOIO",
            "GFP_NOWAIT", "GFP_DMA", "GFP_DMA32", "__GFP_RECLAIM");
        assertThat(GfpLayout.allCompositeNames()).contains("GFP_TEMPORARY", "GFP_KERNEL_ACCOUNT", "__GFP_RECLAIM");
    }

    // ---- %pGg
    @ParameterizedTest(name = "{1} {0}")
    @CsvSource(delimiter = ';', value = {
        "0x20;      V2_6_32; GFP_ATOMIC",
        "0x4020;    V2_6_32; GFP_ATOMIC|__GFP_COMP",
        "0xd0;      V2_6_32; GFP_KERNEL",
        "0x2080020; V4_8;    GFP_ATOMIC",
        "0x24280ca; V4_8;    GFP_HIGHUSER_MOVABLE|__GFP_ZERO",
        "0x2280020; V4_8;    GFP_ATOMIC|__GFP_NOTRACK",
        "0x2084020; V4_8;    GFP_ATOMIC|__GFP_COMP",
        "0x14210d2; V4_10;   GFP_HIGHUSER|__GFP_NORETRY|__GFP_RECLAIMABLE",
        "0x2084120; V4_8;    GFP_ATOMIC|__GFP_COLD|__GFP_COMP",
        "0x480020;  V4_15;   GFP_ATOMIC",
        "0x820;     V6_3;    GFP_ATOMIC",
        "0x100cca;  V5_1;    GFP_HIGHUSER_MOVABLE",
        "0x100dca;  V6_3;    GFP_HIGHUSER_MOVABLE|__GFP_ZERO",
        "0xcc0;     V6_3;    GFP_KERNEL",
        "0x400cc0;  V6_3;    GFP_KERNEL_ACCOUNT",
        "0x2800;    V6_3;    GFP_NOWAIT|__GFP_NOWARN",
    })
    void formatsLikeTheKernel(String value, GfpLayout layout, String expected) {
        long v = Long.decode(value);
        assertThat(layout.format(v)).isEqualTo(expected);
        GfpMask.Decoded d = GfpMask.decode(v, layout);
        assertThat(d.isComplete()).isTrue();
        assertThat(d.mask().format(layout)).isEqualTo(expected);
        assertThat(Gfp.parse(expected).resolve(layout).encode(layout)).isEqualTo(v);
    }

    @Test
    void specDecodesAsFlagSets() {
        assertThat(GfpMask.decode(0x14210d2, V4_10).mask()).isEqualTo(GfpMask.of(GfpFlag.DIRECT_RECLAIM,
            GfpFlag.KSWAPD_RECLAIM, GfpFlag.IO, GfpFlag.FS, GfpFlag.HARDWALL, GfpFlag.HIGHMEM, GfpFlag.NORETRY,
            GfpFlag.RECLAIMABLE));
        assertThat(GfpMask.decode(0x2084120, V4_8).mask())
            .isEqualTo(GfpMask.of(GfpFlag.HIGH, GfpFlag.ATOMIC, GfpFlag.KSWAPD_RECLAIM, GfpFlag.COLD, GfpFlag.COMP));
        assertThat(GfpMask.decode(0x4020, V2_6_32).mask()).isEqualTo(GfpMask.of(GfpFlag.HIGH, GfpFlag.COMP));
    }

    @Test
    void zeroPrintsNothing() {
        for (GfpLayout l : GfpLayout.values()) {
            assertThat(l.format(0)).isEmpty();
            assertThat(GfpMask.NONE.format(l)).isEmpty();
        }
        // GFP_NOWAIT is 0 in 2.6.32: a 0-mask entry must not match everything.
        assertThat(V2_6_32.format(0x20)).isEqualTo("GFP_ATOMIC");
        assertThat(V2_6_32.formatTable()).noneMatch(e -> e.mask().isEmpty());
    }

    @Test
    void leftoverBitsAreAppendedInHex() {
        // A 5.1–6.2 GFP_ATOMIC read with the 6.3 layout: 0x200 (old __GFP_ATOMIC) is unused there.
        assertThat(V6_3.format(0xa20)).isEqualTo("GFP_ATOMIC|0x200");
        GfpMask.Decoded d = GfpMask.decode(0xa20, V6_3);
        assertThat(d.unknownBits()).isEqualTo(0x200L);
        assertThat(d.mask()).isEqualTo(V6_3.composite("GFP_ATOMIC"));
        // Only unknown bits: hex alone.
        assertThat(V5_1.format(0x80000000L)).isEqualTo("0x80000000");
        // NOLOCKDEP has no name in the 4.x/5.x tables (hex), but does in the 6.x one.
        assertThat(V4_10.format(0x14000c0 | 0x2000000)).isEqualTo("GFP_KERNEL|0x2000000");
        assertThat(GfpMask.decode(0x14000c0 | 0x2000000, V4_10).mask().has(GfpFlag.NOLOCKDEP)).isTrue();
        assertThat(V6_3.format(0xcc0 | 0x4000000)).isEqualTo("GFP_KERNEL|__GFP_NOLOCKDEP");
    }

    @Test
    void singleFlagOrderIsTheVersionsOwn() {
        // mmflags.h ≤6.11: ... COMP, ZERO ...; T6.19 enumerates in bit order: ZERO (0x100) before COMP.
        assertThat(V5_1.format(0x40dc0)).isEqualTo("GFP_KERNEL|__GFP_COMP|__GFP_ZERO");
        assertThat(V6_3.format(0x40dc0)).isEqualTo("GFP_KERNEL|__GFP_ZERO|__GFP_COMP");
        // __GFP_HIGHMEM comes between GFP_DMA and GFP_DMA32 in 4.x; HIGH before IO; RECLAIM before its halves.
        assertThat(V4_10.format(0x2 | 0x20 | 0x40)).isEqualTo("__GFP_HIGHMEM|__GFP_HIGH|__GFP_IO");
        assertThat(V4_10.format(0x400000)).isEqualTo("__GFP_DIRECT_RECLAIM");
        assertThat(V4_10.format(0x1400000)).isEqualTo("GFP_NOIO");
        assertThat(V6_3.format(0x1)).isEqualTo("GFP_DMA");
        // The era's spelling.
        assertThat(V4_10.format(0x400)).isEqualTo("__GFP_REPEAT");
        assertThat(V4_15.format(0x400)).isEqualTo("__GFP_RETRY_MAYFAIL");
        assertThat(V2_6_32.format(0x10 | 0x200)).isEqualTo("GFP_NOIO|__GFP_NOWARN");
        assertThat(V2_6_32.format(0x400000)).isEqualTo("__GFP_NO_KSWAPD");
        assertThat(V4_4.format(0x100000)).isEqualTo("__GFP_NOACCOUNT");
        assertThat(V4_8.format(0x100000)).isEqualTo("__GFP_ACCOUNT");
        assertThat(V4_8.format(0x800000)).isEqualTo("__GFP_OTHER_NODE");
        assertThat(V4_10.format(0x800000)).isEqualTo("__GFP_WRITE");
    }

    @ParameterizedTest
    @MethodSource("layouts")
    void everyNameInTheTableMatchesTheVocabulary(GfpLayout l) {
        for (GfpLayout.GfpName e : l.formatTable()) {
            assertThat(Gfp.isKnownName(e.name())).as(e.name()).isTrue();
            assertThat(Gfp.parse(e.name()).resolve(l)).as(e.name()).isEqualTo(e.mask());
        }
    }

    @Test
    void kernelNamesPerLayout() {
        assertThat(GfpFlag.DIRECT_RECLAIM.kernelName(V2_6_32)).isEqualTo("__GFP_WAIT");
        assertThat(GfpFlag.DIRECT_RECLAIM.kernelName(V4_4)).isEqualTo("__GFP_DIRECT_RECLAIM");
        assertThat(GfpFlag.RETRY_MAYFAIL.kernelName(V2_6_32)).isEqualTo("__GFP_REPEAT");
        assertThat(GfpFlag.RETRY_MAYFAIL.kernelName(V4_10)).isEqualTo("__GFP_REPEAT");
        assertThat(GfpFlag.RETRY_MAYFAIL.kernelName(V4_15)).isEqualTo("__GFP_RETRY_MAYFAIL");
        assertThat(GfpFlag.NOWARN.kernelName(V6_3)).isEqualTo("__GFP_NOWARN");
        assertThat(GfpFlag.fromKernelName("__GFP_WAIT")).contains(GfpFlag.DIRECT_RECLAIM);
        assertThat(GfpFlag.fromKernelName("__GFP_REPEAT")).contains(GfpFlag.RETRY_MAYFAIL);
        assertThat(GfpFlag.fromKernelName("__GFP_RETRY_MAYFAIL")).contains(GfpFlag.RETRY_MAYFAIL);
        assertThat(GfpFlag.fromKernelName("__GFP_RECLAIM")).isEmpty();
        assertThat(GfpFlag.fromKernelName("GFP_NOWARN")).isEmpty();
        assertThat(GfpFlag.fromKernelName("__gfp_nowarn")).isEmpty();
    }

    @Test
    void layoutForKernelVersion() {
        assertThat(GfpLayout.forKernel(2, 6)).isEqualTo(V2_6_32);
        assertThat(GfpLayout.forKernel(3, 10)).isEqualTo(V2_6_32);
        assertThat(GfpLayout.forKernel(4, 3)).isEqualTo(V2_6_32);
        assertThat(GfpLayout.forKernel(4, 4)).isEqualTo(V4_4);
        assertThat(GfpLayout.forKernel(4, 5)).isEqualTo(V4_8);
        assertThat(GfpLayout.forKernel(4, 9)).isEqualTo(V4_8);
        assertThat(GfpLayout.forKernel(4, 10)).isEqualTo(V4_10);
        assertThat(GfpLayout.forKernel(4, 14)).isEqualTo(V4_10);
        assertThat(GfpLayout.forKernel(4, 15)).isEqualTo(V4_15);
        assertThat(GfpLayout.forKernel(4, 19)).isEqualTo(V4_15);
        assertThat(GfpLayout.forKernel(5, 0)).isEqualTo(V4_15);
        assertThat(GfpLayout.forKernel(5, 1)).isEqualTo(V5_1);
        assertThat(GfpLayout.forKernel(6, 1)).isEqualTo(V5_1);
        assertThat(GfpLayout.forKernel(6, 2)).isEqualTo(V5_1);
        assertThat(GfpLayout.forKernel(6, 3)).isEqualTo(V6_3);
        assertThat(GfpLayout.forKernel(6, 19)).isEqualTo(V6_3);
        assertThat(GfpLayout.forKernel(7, 0)).isEqualTo(V6_3);
    }

    @Test
    void namesArePrintedFrom45() {
        assertThat(V2_6_32.printsGfpNames()).isFalse();
        assertThat(V4_4.printsGfpNames()).isFalse();
        assertThat(V4_8.printsGfpNames()).isTrue();
        assertThat(V6_3.printsGfpNames()).isTrue();
    }

    static Stream<GfpLayout> layouts() {
        return Stream.of(GfpLayout.values());
    }
}
