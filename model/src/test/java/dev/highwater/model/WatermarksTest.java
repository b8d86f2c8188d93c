package dev.highwater.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.LongStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * Watermarks and lowmem_reserve (kernel-semantics §1.2–§1.8, highatomic caps §6.2), checked against the seed
 * reports and the worked examples of §1.7. All figures in pages of 4 KiB unless a name says kB.
 */
class WatermarksTest {
    // Rule sets per kernel-semantics §1.8 (columns 2.6.32, 4.4, 4.6–4.18, 4.19/5.4, 5.10/5.15, 6.1/6.3, 6.6+).
    static final WatermarkRules R2_6_32 = new WatermarkRules(true, false, 65536, false, false, false, false, 1000, false);
    static final WatermarkRules R4_4 = new WatermarkRules(false, false, 65536, false, false, false, false, 1000, false);
    static final WatermarkRules R4_8 = new WatermarkRules(false, true, 65536, false, false, false, false, 1000, false);
    static final WatermarkRules R4_19 = new WatermarkRules(false, true, 65536, true, false, false, true, 1000, false);
    static final WatermarkRules R5_10 = new WatermarkRules(false, true, 262144, true, false, false, true, 3000, true);
    static final WatermarkRules R6_1 = new WatermarkRules(false, true, 262144, true, true, false, true, 3000, true);
    static final WatermarkRules R6_6 = new WatermarkRules(false, true, 262144, true, true, true, true, 3000, true);

    static final Tunables OLD_DEFAULTS = Tunables.defaults(false);
    static final Tunables NEW_DEFAULTS = Tunables.defaults(true);

    private static ZoneSpec zone(ZoneType type, long managed, long present, long bootManaged) {
        return new ZoneSpec(type, managed, present, bootManaged);
    }

    private static void assertMarks(ZoneWatermarks z, long min, long low, long high) {
        assertThat(List.of(z.min(), z.low(), z.high())).as("min/low/high").containsExactly(min, low, high);
        assertThat(List.of(z.mark(0), z.mark(1), z.mark(2))).containsExactly(min, low, high);
    }

    // ---------------------------------------------------------------- 1. seed 000

    /**
     * Seed 000 (/work/shared/seeds/000_e32e322c1b8fb7c4.txt; Renesas RZ/A1, 4.9.123, one Normal zone):
     * "Normal ... min:964kB low:1204kB high:1444kB ... present:65536kB managed:59304kB", "lowmem_reserve[]: 0 0"
     * (the 2-entry array is Normal + Movable of that config). 59304 kB = 14826 pages; with min_free_kbytes = 964
     * (P = 241): tmp = 241, d = max(241/4, 14826*10/10000) = max(60, 14) = 60 → 241/301/361 pages = 964/1204/1444 kB.
     */
    @Test
    void seed000_printedWatermarksFromMinFreeKbytes964() {
        List<ZoneSpec> zones = List.of(zone(ZoneType.NORMAL, 14826, 16384, 14826));
        Watermarks w = Watermarks.compute(R4_8, zones, OLD_DEFAULTS.withMinFreeKbytes(964));
        assertThat(w.minFreeKbytes()).isEqualTo(964);
        assertMarks(w.zone(0), 241, 301, 361);
        assertThat(w.zone(0).low() * 4).isEqualTo(1204);
        assertThat(w.zone(0).high() * 4).isEqualTo(1444);
        assertThat(w.zone(0).lowmemReserve()).containsExactly(0L);
    }

    /**
     * Seed 000 and §1.2 item 6: the default rule on the printed managed count gives isqrt(59304*16) =
     * isqrt(948864) = 974 (974² = 948676 ≤ 948864 < 975² = 950625), not the printed 964. 964 needs
     * 964² = 929296 ≤ 16·kB < 965² = 931225, i.e. lowmem 58081..58201 kB = 14521..14550 boot-managed pages.
     * 14536 (mid-range) reproduces the report from the default rule alone.
     */
    @Test
    void seed000_defaultRuleNeedsSmallerBootManaged() {
        assertThat(Watermarks.defaultMinFreeKbytes(R4_8, List.of(ZoneSpec.of(ZoneType.NORMAL, 14826)))).isEqualTo(974);
        for (long boot = 14521; boot <= 14550; boot++) {
            assertThat(Watermarks.defaultMinFreeKbytes(R4_8, List.of(zone(ZoneType.NORMAL, 14826, 16384, boot))))
                .as("boot managed %d", boot).isEqualTo(964);
        }
        assertThat(Watermarks.defaultMinFreeKbytes(R4_8, List.of(zone(ZoneType.NORMAL, 14826, 16384, 14520)))).isEqualTo(963);
        assertThat(Watermarks.defaultMinFreeKbytes(R4_8, List.of(zone(ZoneType.NORMAL, 14826, 16384, 14551)))).isEqualTo(965);

        Watermarks w = Watermarks.compute(R4_8, List.of(zone(ZoneType.NORMAL, 14826, 16384, 14536)), OLD_DEFAULTS);
        assertThat(w.minFreeKbytes()).isEqualTo(964);
        // d = max(241/4, 14536*10/10000) = max(60, 14) = 60, as with the printed managed.
        assertMarks(w.zone(0), 241, 301, 361);
    }

    // ---------------------------------------------------------------- 2. §1.7 worked examples

    /** §1.7 row 1: 64 MB ARM32, single Normal zone, managed 14800: isqrt(59200*16) = isqrt(947200) = 973; P = 243. */
    @Test
    void workedExample64MbArm() {
        Watermarks w = Watermarks.compute(R4_8, List.of(ZoneSpec.of(ZoneType.NORMAL, 14800)), OLD_DEFAULTS);
        assertThat(w.minFreeKbytes()).isEqualTo(973);
        // d = max(243/4, 14800*10/10000) = max(60, 14) = 60
        assertMarks(w.zone(0), 243, 303, 363);
        // Same figures under 6.1 and 6.6 rules (cap 262144 not reached).
        assertMarks(Watermarks.compute(R6_6, List.of(ZoneSpec.of(ZoneType.NORMAL, 14800)), NEW_DEFAULTS).zone(0), 243, 303, 363);
    }

    /**
     * §1.7 row 3: x86-64 8 GB, DMA 3976 / DMA32 748000 / Normal 1280000. L = 2031976, lowmem 8127904 kB,
     * isqrt(130046464) = 11403 (11403² = 130028409, 11404² = 130051216); P = 2850.
     * Normal: tmp = floor(2850*1280000/2031976) = 1795, d = max(448, 1280) = 1280 → 1795/3075/4355.
     * DMA32: tmp = 1049, d = max(262, 748) = 748 → 1049/1797/2545. DMA: tmp = 5, d = max(1, 3) = 3 → 5/8/11.
     * lowmem_reserve (ratios 256/256/32): DMA [0, 748000/256, 2028000/256] = [0, 2921, 7921];
     * DMA32 [0, 0, 1280000/256 = 5000]; Normal [0, 0, 0].
     */
    @Test
    void workedExampleX86_64_8Gb() {
        List<ZoneSpec> zones = List.of(ZoneSpec.of(ZoneType.DMA, 3976), ZoneSpec.of(ZoneType.DMA32, 748000),
            ZoneSpec.of(ZoneType.NORMAL, 1280000));
        for (WatermarkRules rules : List.of(R4_8, R4_19, R5_10, R6_1, R6_6)) {
            Watermarks w = Watermarks.compute(rules, zones, NEW_DEFAULTS);
            assertThat(w.minFreeKbytes()).isEqualTo(11403);
            assertMarks(w.zone(0), 5, 8, 11);
            assertMarks(w.zone(1), 1049, 1797, 2545);
            assertMarks(w.zone(2), 1795, 3075, 4355);
            assertThat(w.zone(0).lowmemReserve()).containsExactly(0L, 2921L, 7921L);
            assertThat(w.zone(1).lowmemReserve()).containsExactly(0L, 0L, 5000L);
            assertThat(w.zone(2).lowmemReserve()).containsExactly(0L, 0L, 0L);
            assertThat(w.zone(0).lowmemReserve(2)).isEqualTo(7921);
        }
    }

    /** §1.7 highatomic columns and §6.2. */
    @Test
    void workedExampleHighatomicCaps() {
        // 64 MB ARM, Normal 14800, pageblock_order 10 (1024 pages): 148+1024 = 1172 → reachable 2048; 6.8+: 148 < 1024 → 0.
        assertThat(Watermarks.highatomicCapOnePercentPlusBlock(14800, 1024)).isEqualTo(1172);
        assertThat(Watermarks.highatomicReachable(1172, 1024)).isEqualTo(2048);
        assertThat(Watermarks.highatomicCapRoundup(14800, 1024)).isZero();
        // Seed 000: Normal 14826 → 148+1024 → 2048; roundup → 0.
        assertThat(Watermarks.highatomicCapOnePercentPlusBlock(14826, 1024)).isEqualTo(1172);
        assertThat(Watermarks.highatomicCapRoundup(14826, 1024)).isZero();
        // 8 GB x86-64 Normal 1280000, pageblock 512: 12800+512 = 13312 (a multiple of 512: reachable 13312); roundup 12800.
        assertThat(Watermarks.highatomicCapOnePercentPlusBlock(1280000, 512)).isEqualTo(13312);
        assertThat(Watermarks.highatomicReachable(13312, 512)).isEqualTo(13312);
        assertThat(Watermarks.highatomicCapRoundup(1280000, 512)).isEqualTo(12800);
        // roundup proper: 1 % = 12900 → 26 blocks of 512 = 13312; exactly one block → one block.
        assertThat(Watermarks.highatomicCapRoundup(1290000, 512)).isEqualTo(13312);
        assertThat(Watermarks.highatomicCapRoundup(51200, 512)).isEqualTo(512);
        assertThat(Watermarks.highatomicCapRoundup(51199, 512)).isZero();
    }

    // ---------------------------------------------------------------- 3. 2.6.32 and 4.4 formulas

    /**
     * Hand-computed two-zone node: DMA present 4000 / managed 3900, Normal present 250000 / managed 245000.
     * 4.4 (managed): L = 248900, lowmem 995600 kB, isqrt(15929600) = 3991 (3991² = 15928081, 3992² = 15936064),
     * P = 997. DMA tmp = floor(997*3900/248900) = 15 → 15 / 15+3 / 15+7 = 15/18/22.
     * Normal tmp = floor(997*245000/248900) = 981 → 981 / 981+245 / 981+490 = 981/1226/1471.
     * lowmem_reserve DMA: [0, 245000/256] = [0, 957].
     * 2.6.32 (present): L = 254000, lowmem 1016000 kB, isqrt(16256000) = 4031 (4031² = 16248961,
     * 4032² = 16257024), P = 1007. DMA tmp = floor(1007*4000/254000) = 15 → 15/18/22.
     * Normal tmp = floor(1007*250000/254000) = 991 → 991 / 991+247 / 991+495 = 991/1238/1486.
     * lowmem_reserve DMA: [0, 250000/256] = [0, 976].
     */
    @Test
    void oldFormulasTwoZones() {
        List<ZoneSpec> zones = List.of(zone(ZoneType.DMA, 3900, 4000, 3900), zone(ZoneType.NORMAL, 245000, 250000, 245000));

        Watermarks w44 = Watermarks.compute(R4_4, zones, OLD_DEFAULTS);
        assertThat(w44.minFreeKbytes()).isEqualTo(3991);
        assertMarks(w44.zone(0), 15, 18, 22);
        assertMarks(w44.zone(1), 981, 1226, 1471);
        assertThat(w44.zone(0).lowmemReserve()).containsExactly(0L, 957L);
        assertThat(w44.zone(1).lowmemReserve()).containsExactly(0L, 0L);

        Watermarks w2632 = Watermarks.compute(R2_6_32, zones, OLD_DEFAULTS);
        assertThat(w2632.minFreeKbytes()).isEqualTo(4031);
        assertMarks(w2632.zone(0), 15, 18, 22);
        assertMarks(w2632.zone(1), 991, 1238, 1486);
        assertThat(w2632.zone(0).lowmemReserve()).containsExactly(0L, 976L);
    }

    /**
     * 32-bit-style node with HighMem, 4.4 rules: DMA 4000, Normal 200000, HighMem 50000. Lowmem = 204000 pages,
     * isqrt(816000*16 = 13056000) = 3613 (3613² = 13053769, 3614² = 13060996), P = 903.
     * DMA tmp = 17 → 17/21/25; Normal tmp = 885 → 885/1106/1327. HighMem: min = clamp(50000/1024 = 48, 32, 128) = 48,
     * tmp (own size) = floor(903*50000/204000) = 221 → low 48+55 = 103, high 48+110 = 158.
     * lowmem_reserve: DMA [0, 200000/256, 250000/256] = [0, 781, 976]; Normal [0, 0, 50000/32 = 1562].
     * Under 4.6+ (wsf 10) the deltas are the same here (tmp/4 ≥ managed/1000 for every zone).
     */
    @Test
    void highmemMinIsClampedAndTmpUsesOwnSize() {
        List<ZoneSpec> zones = List.of(ZoneSpec.of(ZoneType.DMA, 4000), ZoneSpec.of(ZoneType.NORMAL, 200000),
            ZoneSpec.of(ZoneType.HIGHMEM, 50000));
        for (WatermarkRules rules : List.of(R4_4, R4_8)) {
            Watermarks w = Watermarks.compute(rules, zones, OLD_DEFAULTS);
            assertThat(w.minFreeKbytes()).isEqualTo(3613);
            assertMarks(w.zone(0), 17, 21, 25);
            assertMarks(w.zone(1), 885, 1106, 1327);
            assertMarks(w.zone(2), 48, 103, 158);
            assertThat(w.zone(0).lowmemReserve()).containsExactly(0L, 781L, 976L);
            assertThat(w.zone(1).lowmemReserve()).containsExactly(0L, 0L, 1562L);
        }
        // Clamp ends: 10000 pages → 9 → 32; 500000 pages → 488 → 128.
        assertThat(Watermarks.compute(R4_4, List.of(ZoneSpec.of(ZoneType.NORMAL, 100000), ZoneSpec.of(ZoneType.HIGHMEM, 10000)),
            OLD_DEFAULTS).zone(1).min()).isEqualTo(32);
        assertThat(Watermarks.compute(R4_4, List.of(ZoneSpec.of(ZoneType.NORMAL, 100000), ZoneSpec.of(ZoneType.HIGHMEM, 500000)),
            OLD_DEFAULTS).zone(1).min()).isEqualTo(128);
    }

    /**
     * §1.3: Movable is part of the min split before 6.6 and capped like HighMem from 6.6. Normal 100000, Movable
     * 100000, min_free_kbytes 4000 (P = 1000). 6.1: L = 200000 → both 500, d = max(125, 100) = 125 → 500/625/750.
     * 6.6: L = 100000 → Normal 1000/1250/1500; Movable min = clamp(97, 32, 128) = 97, tmp = 1000,
     * d = max(250, 100) = 250 → 97/347/597. The default min_free_kbytes never counts Movable (§1.2 item 1):
     * isqrt(400000*16) = isqrt(6400000) = 2529 in both.
     */
    @Test
    void movableSplitBySixSix() {
        List<ZoneSpec> zones = List.of(ZoneSpec.of(ZoneType.NORMAL, 100000), ZoneSpec.of(ZoneType.MOVABLE, 100000));
        Watermarks w61 = Watermarks.compute(R6_1, zones, NEW_DEFAULTS.withMinFreeKbytes(4000));
        assertMarks(w61.zone(0), 500, 625, 750);
        assertMarks(w61.zone(1), 500, 625, 750);
        Watermarks w66 = Watermarks.compute(R6_6, zones, NEW_DEFAULTS.withMinFreeKbytes(4000));
        assertMarks(w66.zone(0), 1000, 1250, 1500);
        assertMarks(w66.zone(1), 97, 347, 597);
        assertThat(Watermarks.defaultMinFreeKbytes(R6_1, zones)).isEqualTo(2529);
        assertThat(Watermarks.defaultMinFreeKbytes(R6_6, zones)).isEqualTo(2529);
        assertThat(Watermarks.defaultMinFreeKbytes(R4_4, zones)).isEqualTo(2529);
    }

    /** §1.2 item 3: clamp to [128, cap], cap 65536 (≤5.4) or 262144 (5.10+). */
    @Test
    void defaultMinFreeKbytesClamps() {
        // 1 TiB = 2^28 pages: isqrt(2^28*4*16 = 2^34) = 2^17 = 131072.
        List<ZoneSpec> oneTb = List.of(ZoneSpec.of(ZoneType.DMA32, 1L << 20), ZoneSpec.of(ZoneType.NORMAL, (1L << 28) - (1L << 20)));
        assertThat(Watermarks.defaultMinFreeKbytes(R4_19, oneTb)).isEqualTo(65536);
        assertThat(Watermarks.defaultMinFreeKbytes(R5_10, oneTb)).isEqualTo(131072);
        // 16 TiB = 2^32 pages: isqrt(2^38) = 2^19 → 262144.
        assertThat(Watermarks.defaultMinFreeKbytes(R6_1, List.of(ZoneSpec.of(ZoneType.NORMAL, 1L << 32)))).isEqualTo(262144);
        // 256 pages: isqrt(16384) = 128; 100 pages: isqrt(6400) = 80 → 128; no lowmem at all → 128.
        assertThat(Watermarks.defaultMinFreeKbytes(R4_4, List.of(ZoneSpec.of(ZoneType.NORMAL, 256)))).isEqualTo(128);
        assertThat(Watermarks.defaultMinFreeKbytes(R4_4, List.of(ZoneSpec.of(ZoneType.NORMAL, 100)))).isEqualTo(128);
        assertThat(Watermarks.defaultMinFreeKbytes(R4_4, List.of(ZoneSpec.of(ZoneType.HIGHMEM, 100000)))).isEqualTo(128);
        // HighMem never counts: Normal 14800 + HighMem 1000000 → 973 as for Normal alone.
        assertThat(Watermarks.defaultMinFreeKbytes(R4_4,
            List.of(ZoneSpec.of(ZoneType.NORMAL, 14800), ZoneSpec.of(ZoneType.HIGHMEM, 1000000)))).isEqualTo(973);
    }

    @Test
    void isqrtIsExact() {
        assertThat(Watermarks.isqrt(0)).isZero();
        assertThat(Watermarks.isqrt(3)).isEqualTo(1);
        assertThat(Watermarks.isqrt(4)).isEqualTo(2);
        assertThat(Watermarks.isqrt(Long.MAX_VALUE)).isEqualTo(3037000499L);
        assertThat(Watermarks.isqrt(3037000499L * 3037000499L)).isEqualTo(3037000499L);
        assertThat(Watermarks.isqrt(3037000499L * 3037000499L - 1)).isEqualTo(3037000498L);
        for (long r : new long[] {94906265L, 94906267L, 67108865L, 999999999L, 2147483647L, 3037000498L}) {
            assertThat(Watermarks.isqrt(r * r)).isEqualTo(r);
            assertThat(Watermarks.isqrt(r * r - 1)).isEqualTo(r - 1);
            assertThat(Watermarks.isqrt(r * r + 2 * r)).isEqualTo(r);
        }
    }

    // ---------------------------------------------------------------- 4. seed 002

    /*
     * Seed 002 (/work/shared/seeds/002_702fbe451f37f534.txt; 4.8.0-rc7 QEMU guest, Minchan Kim, 2016-10-12):
     *   DMA   min:44kB low:56kB high:68kB present:15992kB managed:15908kB   lowmem_reserve[]: 0 1952 1952 1952
     *   DMA32 min:5628kB low:7624kB high:9620kB present:2080640kB managed:2030092kB   lowmem_reserve[]: 0 0 0 0
     * i.e. DMA 11/14/17 pages, present 3998, managed 3977; DMA32 1407/1906/2405, present 520160, managed 507523;
     * R(DMA, DMA32) = 1952 = floor(DMA32 pages / 256) → DMA32 had 499712..499967 pages when it was computed.
     * The config's zones are DMA, DMA32, Normal, Movable (MAX_NR_ZONES = 4, hence four entries; Normal and
     * Movable are empty on this 2 GB guest, so they add nothing to the sums and the last two entries repeat 1952).
     */
    static final long S002_DMA_MANAGED = 3977;
    static final long S002_DMA_PRESENT = 3998;
    static final long S002_DMA32_MANAGED = 507523;
    static final long S002_DMA32_PRESENT = 520160;
    /** A boot-managed DMA32 count that reproduces every printed figure (any of 499712..499967 does). */
    static final long S002_DMA32_BOOT = 499840;

    private static List<ZoneSpec> seed002Zones(long dma32Boot) {
        return List.of(zone(ZoneType.DMA, S002_DMA_MANAGED, S002_DMA_PRESENT, S002_DMA_MANAGED),
            zone(ZoneType.DMA32, S002_DMA32_MANAGED, S002_DMA32_PRESENT, dma32Boot));
    }

    private static boolean reproducesSeed002(Watermarks w) {
        ZoneWatermarks dma = w.zone(0);
        ZoneWatermarks dma32 = w.zone(1);
        return dma.min() == 11 && dma.low() == 14 && dma.high() == 17
            && dma32.min() == 1407 && dma32.low() == 1906 && dma32.high() == 2405
            && dma.lowmemReserve(1) == 1952 && dma32.lowmemReserve(1) == 0;
    }

    /**
     * Search, with the printed DMA count as its boot count and min_free_kbytes from the default rule: every DMA32
     * boot count from 490000 up to the printed 507523 that reproduces all seven figures. The lowmem_reserve value is
     * the tightest constraint (it fixes floor(x/256)); all 256 values with floor(x/256) = 1952 also give the
     * watermarks (min_free_kbytes 5677..5679, P 1419, DMA32 d = floor(x/1000) = 499).
     */
    @Test
    void seed002_searchBootManaged() {
        List<Long> hits = new ArrayList<>();
        for (long boot = 490000; boot <= S002_DMA32_MANAGED; boot++) {
            if (reproducesSeed002(Watermarks.compute(R4_8, seed002Zones(boot), OLD_DEFAULTS))) {
                hits.add(boot);
            }
        }
        assertThat(hits).containsExactlyElementsOf(LongStream.rangeClosed(499712, 499967).boxed().toList());
        assertThat(Watermarks.compute(R4_8, seed002Zones(499712), OLD_DEFAULTS).minFreeKbytes()).isEqualTo(5677);
        assertThat(Watermarks.compute(R4_8, seed002Zones(499967), OLD_DEFAULTS).minFreeKbytes()).isEqualTo(5679);
    }

    /**
     * The hard-coded boot value 499840: lowmem 503817 pages = 2015268 kB, isqrt(32244288) = 5678
     * (5678² = 32239684, 5679² = 32251041), P = 1419. DMA tmp = floor(1419*3977/503817) = 11, d = max(2, 3) = 3
     * → 11/14/17 = 44/56/68 kB. DMA32 tmp = floor(1419*499840/503817) = 1407, d = max(351, 499) = 499
     * → 1407/1906/2405 = 5628/7624/9620 kB. R(DMA, DMA32) = floor(499840/256) = 1952.
     */
    @Test
    void seed002_reproducedFromBootManaged() {
        Watermarks w = Watermarks.compute(R4_8, seed002Zones(S002_DMA32_BOOT), OLD_DEFAULTS);
        assertThat(w.minFreeKbytes()).isEqualTo(5678);
        assertMarks(w.zone(0), 11, 14, 17);
        assertMarks(w.zone(1), 1407, 1906, 2405);
        assertThat(List.of(w.zone(1).min() * 4, w.zone(1).low() * 4, w.zone(1).high() * 4)).containsExactly(5628L, 7624L, 9620L);
        // Our array has one entry per zone passed in (DMA, DMA32): the report's first two entries.
        assertThat(w.zone(0).lowmemReserve()).containsExactly(0L, 1952L);
        assertThat(w.zone(1).lowmemReserve()).containsExactly(0L, 0L);

        // With the config's empty Normal and Movable zones configured too, all four printed entries match.
        List<ZoneSpec> four = new ArrayList<>(seed002Zones(S002_DMA32_BOOT));
        four.add(ZoneSpec.of(ZoneType.NORMAL, 0));
        four.add(ZoneSpec.of(ZoneType.MOVABLE, 0));
        Watermarks w4 = Watermarks.compute(R4_8, four, OLD_DEFAULTS);
        assertThat(w4.minFreeKbytes()).isEqualTo(5678);
        assertMarks(w4.zone(0), 11, 14, 17);
        assertMarks(w4.zone(1), 1407, 1906, 2405);
        assertThat(w4.zone(0).lowmemReserve()).containsExactly(0L, 1952L, 1952L, 1952L);
        assertThat(w4.zone(1).lowmemReserve()).containsExactly(0L, 0L, 0L, 0L);
        assertMarks(w4.zone(2), 0, 0, 0);
    }

    /**
     * Seed 002 with the PRINTED managed counts as the boot counts: lowmem 511500 pages = 2046000 kB,
     * isqrt(32736000) = 5721, P = 1430; DMA32 tmp = floor(1430*507523/511500) = 1418, d = max(354, 507) = 507
     * → 1418/1925/2432 (printed 1407/1906/2405); R(DMA, DMA32) = floor(507523/256) = 1982 (printed 1952). Only DMA
     * happens to come out the same (tmp 11, d 3). The difference is §1.2 item 6: the watermarks and lowmem_reserve
     * were computed by the boot initcall from ~499.8k DMA32 pages; pages released later (init memory, initrd, or on
     * this guest the virtio balloon, whose OOM notifier is in the trace) raised managed without a recompute. The
     * second report in the same seed prints managed:2030132kB with unchanged min/low/high and lowmem_reserve,
     * confirming that managed moves at run time while the watermarks stay put.
     */
    @Test
    void seed002_printedManagedDoesNotReproduce() {
        Watermarks w = Watermarks.compute(R4_8, seed002Zones(S002_DMA32_MANAGED), OLD_DEFAULTS);
        assertThat(w.minFreeKbytes()).isEqualTo(5721);
        assertMarks(w.zone(0), 11, 14, 17);
        assertMarks(w.zone(1), 1418, 1925, 2432);
        assertThat(w.zone(0).lowmemReserve()).containsExactly(0L, 1982L);
        assertThat(reproducesSeed002(w)).isFalse();
    }

    // ---------------------------------------------------------------- 5. lowmem_reserve ratio rules

    /** §1.6: 6.1+ gives an empty lower zone no reserve; 4.19–6.0 and earlier still compute one. */
    @Test
    void emptyLowerZone() {
        List<ZoneSpec> zones = List.of(ZoneSpec.of(ZoneType.DMA, 0), ZoneSpec.of(ZoneType.DMA32, 500000),
            ZoneSpec.of(ZoneType.NORMAL, 300000));
        // 500000/256 = 1953, 800000/256 = 3125; DMA32: 300000/256 = 1171.
        assertThat(Watermarks.compute(R4_4, zones, OLD_DEFAULTS).zone(0).lowmemReserve()).containsExactly(0L, 1953L, 3125L);
        assertThat(Watermarks.compute(R4_19, zones, NEW_DEFAULTS).zone(0).lowmemReserve()).containsExactly(0L, 1953L, 3125L);
        Watermarks w61 = Watermarks.compute(R6_1, zones, NEW_DEFAULTS);
        assertThat(w61.zone(0).lowmemReserve()).containsExactly(0L, 0L, 0L);
        assertThat(w61.zone(1).lowmemReserve()).containsExactly(0L, 0L, 1171L);
        // The empty zone's own watermarks are 0 (tmp = 0).
        assertMarks(w61.zone(0), 0, 0, 0);
    }

    /** §1.6: ratio < 1 is forced to 1 before 4.19 (reserve = the whole upper size); 4.19+ it means no reserve. */
    @Test
    void ratioBelowOne() {
        List<ZoneSpec> zones = List.of(ZoneSpec.of(ZoneType.DMA, 4000), ZoneSpec.of(ZoneType.DMA32, 500000),
            ZoneSpec.of(ZoneType.NORMAL, 300000));
        for (int ratio : new int[] {0, -5}) {
            Tunables t = OLD_DEFAULTS.withLowmemReserveRatio(List.of(256, ratio, 32, 32, 0));
            // DMA32 ratio < 1: 4.4 → 1 → R(DMA32, Normal) = 300000; DMA unaffected: [0, 1953, 3125].
            Watermarks w44 = Watermarks.compute(R4_4, zones, t);
            assertThat(w44.zone(0).lowmemReserve()).containsExactly(0L, 1953L, 3125L);
            assertThat(w44.zone(1).lowmemReserve()).containsExactly(0L, 0L, 300000L);
            for (WatermarkRules rules : List.of(R4_19, R6_1)) {
                Watermarks w = Watermarks.compute(rules, zones, t);
                assertThat(w.zone(0).lowmemReserve()).containsExactly(0L, 1953L, 3125L);
                assertThat(w.zone(1).lowmemReserve()).containsExactly(0L, 0L, 0L);
            }
        }
        // Default HighMem ratio: 32 ≤ 4.18, 0 from 4.19 → HighMem keeps nothing back from Movable allocations.
        List<ZoneSpec> withHigh = List.of(ZoneSpec.of(ZoneType.NORMAL, 200000), ZoneSpec.of(ZoneType.HIGHMEM, 300000),
            ZoneSpec.of(ZoneType.MOVABLE, 64000));
        assertThat(Watermarks.compute(R4_4, withHigh, OLD_DEFAULTS).zone(1).lowmemReserve()).containsExactly(0L, 0L, 2000L);
        assertThat(Watermarks.compute(R4_19, withHigh, NEW_DEFAULTS).zone(1).lowmemReserve()).containsExactly(0L, 0L, 0L);
        // Normal (ratio 32): [0, 300000/32, 364000/32] = [0, 9375, 11375] in both.
        assertThat(Watermarks.compute(R4_19, withHigh, NEW_DEFAULTS).zone(0).lowmemReserve()).containsExactly(0L, 9375L, 11375L);
    }

    /** §1.2 item 6 choice: lowmem_reserve is computed from the boot count, like the watermarks. */
    @Test
    void reserveUsesBootManaged() {
        List<ZoneSpec> zones = List.of(ZoneSpec.of(ZoneType.DMA, 4000), zone(ZoneType.DMA32, 512000, 520000, 256000));
        assertThat(Watermarks.compute(R6_1, zones, NEW_DEFAULTS).zone(0).lowmemReserve(1)).isEqualTo(1000);
    }

    @Test
    void rejectsZonesOutOfOrderAndBadIndices() {
        assertThatThrownBy(() -> Watermarks.compute(R4_4, List.of(ZoneSpec.of(ZoneType.NORMAL, 1), ZoneSpec.of(ZoneType.DMA, 1)),
            OLD_DEFAULTS)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Watermarks.compute(R4_4, List.of(ZoneSpec.of(ZoneType.NORMAL, 1), ZoneSpec.of(ZoneType.NORMAL, 1)),
            OLD_DEFAULTS)).isInstanceOf(IllegalArgumentException.class);
        ZoneWatermarks z = Watermarks.compute(R4_4, List.of(ZoneSpec.of(ZoneType.NORMAL, 1000)), OLD_DEFAULTS).zone(0);
        assertThatThrownBy(() -> z.mark(3)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> z.lowmemReserve(1)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    // ---------------------------------------------------------------- 6. properties

    /**
     * For any layout: min ≤ low ≤ high; the lowmem mins (lowmem as the split counts it, §1.3) add up to at most
     * P = min_free_kbytes/4 and lose less than one page per lowmem zone to flooring; R(z, j) = 0 for j at or BELOW
     * z's own position (§1.6 only sets entries j > i; the highest zone's row is all 0) and is non-decreasing in j.
     */
    @Property(tries = 400)
    void invariants(@ForAll("layouts") List<ZoneSpec> zones, @ForAll("rules") WatermarkRules rules,
                    @ForAll("minFreeKbytes") int minFreeKbytes, @ForAll("ratios") List<Integer> ratios) {
        Tunables t = OLD_DEFAULTS.withMinFreeKbytes(minFreeKbytes).withLowmemReserveRatio(ratios)
            .withWatermarkScaleFactor(1 + Math.floorMod(minFreeKbytes, rules.wsfMax()));
        Watermarks w = Watermarks.compute(rules, zones, t);
        assertThat(w.zones()).hasSize(zones.size());
        if (minFreeKbytes >= 0) {
            assertThat(w.minFreeKbytes()).isEqualTo(minFreeKbytes);
        } else {
            assertThat(w.minFreeKbytes()).isBetween(128, rules.minFreeKbytesCap());
        }
        long pagesMin = w.minFreeKbytes() / 4;
        long sumMin = 0;
        long lowmemPages = 0;
        int lowmemZones = 0;
        for (int i = 0; i < zones.size(); i++) {
            ZoneWatermarks z = w.zone(i);
            assertThat(z.min()).isLessThanOrEqualTo(z.low());
            assertThat(z.low()).isLessThanOrEqualTo(z.high());
            if (!zones.get(i).type().isHighmemLike(rules.movableMinCappedLikeHighmem())) {
                sumMin += z.min();
                lowmemPages += Watermarks.sizeAtBoot(rules, zones.get(i));
                lowmemZones++;
            } else {
                assertThat(z.min()).isBetween(32L, 128L);
            }
            List<Long> r = z.lowmemReserve();
            assertThat(r).hasSize(zones.size());
            for (int j = 0; j <= i; j++) {
                assertThat(r.get(j)).as("R(%d,%d)", i, j).isZero();
            }
            for (int j = 1; j < r.size(); j++) {
                assertThat(r.get(j)).as("R(%d,%d) >= R(%d,%d)", i, j, i, j - 1).isGreaterThanOrEqualTo(r.get(j - 1));
            }
        }
        assertThat(sumMin).isLessThanOrEqualTo(pagesMin);
        if (lowmemPages > 0) {
            assertThat(sumMin).isGreaterThan(pagesMin - lowmemZones);
        }
    }

    @Provide
    Arbitrary<List<ZoneSpec>> layouts() {
        Arbitrary<Set<ZoneType>> lowmem = Arbitraries.subsetOf(ZoneType.DMA, ZoneType.DMA32, ZoneType.NORMAL).ofMinSize(1);
        Arbitrary<Set<ZoneType>> upper = Arbitraries.subsetOf(ZoneType.HIGHMEM, ZoneType.MOVABLE);
        Arbitrary<List<Long>> managed = Arbitraries.oneOf(Arbitraries.longs().between(0, 10_000_000),
            Arbitraries.of(0L, 1L, 1023L, 4096L)).list().ofSize(ZoneType.values().length);
        Arbitrary<List<Long>> slack = Arbitraries.longs().between(0, 100_000).list().ofSize(ZoneType.values().length);
        return Combinators.combine(lowmem, upper, managed, slack).as((l, u, m, s) -> {
            EnumSet<ZoneType> types = EnumSet.noneOf(ZoneType.class);
            types.addAll(l);
            types.addAll(u);
            List<ZoneSpec> zones = new ArrayList<>();
            for (ZoneType type : types) {
                long mg = m.get(type.ordinal());
                long extra = s.get(type.ordinal());
                zones.add(new ZoneSpec(type, mg, mg + extra, mg - extra % (mg / 10 + 1)));
            }
            return zones;
        });
    }

    @Provide
    Arbitrary<WatermarkRules> rules() {
        return Arbitraries.of(R2_6_32, R4_4, R4_8, R4_19, R5_10, R6_1, R6_6);
    }

    @Provide
    Arbitrary<Integer> minFreeKbytes() {
        return Arbitraries.oneOf(Arbitraries.just(-1), Arbitraries.integers().between(0, 1_000_000));
    }

    @Provide
    Arbitrary<List<Integer>> ratios() {
        return Arbitraries.oneOf(Arbitraries.just(Tunables.defaultRatios(false)), Arbitraries.just(Tunables.defaultRatios(true)),
            Arbitraries.integers().between(-2, 1000).list().ofSize(ZoneType.values().length));
    }

    /** A zone whose watermarks were computed when {@code bootManaged} pages were managed (boot freed the rest later). */
    private static ZoneSpec booted(ZoneType t, long managed, long bootManaged) {
        return new ZoneSpec(t, managed, managed, bootManaged);
    }

    /**
     * Boot min_free_kbytes measured on Debian's 6.1 kernel under QEMU (issue 4's conformance boots): managed pages of
     * each zone as /proc/zoneinfo shows them, minus the 9688 kB (2422 pages) boot freed after the watermark initcall.
     */
    @net.jqwik.api.Example
    void bootMinFreeKbytesMatchesRealKernel() {
        List<ZoneSpec> m80 = List.of(booted(ZoneType.DMA, 3840, 3840), booted(ZoneType.DMA32, 7319, 7319 - 2422));
        assertThat(Watermarks.thpOnAtBoot(m80)).isFalse();
        assertThat(Watermarks.bootMinFreeKbytes(R6_1, m80, 9, false)).isEqualTo(747);
        List<ZoneSpec> m768 = List.of(booted(ZoneType.DMA, 3840, 3840), booted(ZoneType.DMA32, 180551, 180551 - 2422));
        assertThat(Watermarks.thpOnAtBoot(m768)).isTrue();
        // 2 zones × 11 pageblocks = 45056 kB, but 5 % of the lowmem pages above high is less: the cap binds
        assertThat(Watermarks.bootMinFreeKbytes(R6_1, m768, 9, true)).isEqualTo(36136);
        List<ZoneSpec> m6g = List.of(booted(ZoneType.DMA, 3840, 3840), booted(ZoneType.DMA32, 757817, 757817 - 2422),
            booted(ZoneType.NORMAL, 758220, 758220));
        assertThat(Watermarks.bootMinFreeKbytes(R6_1, m6g, 9, true)).isEqualTo(3 * 11 * 512 * 4);
        // without THP the isqrt rule alone
        assertThat(Watermarks.bootMinFreeKbytes(R6_1, m6g, 9, false)).isEqualTo(
            Watermarks.defaultMinFreeKbytes(R6_1, m6g));
    }

    /** 4.9 counts every populated zone for khugepaged, 5.4+ only the zones up to Normal (§1.2a). */
    @net.jqwik.api.Example
    void khugepagedCountsMovableOnlyBefore54() {
        List<ZoneSpec> z = List.of(ZoneSpec.of(ZoneType.DMA32, 700_000), ZoneSpec.of(ZoneType.NORMAL, 800_000),
            ZoneSpec.of(ZoneType.MOVABLE, 500_000));
        assertThat(Watermarks.khugepagedMinFreeKbytes(R4_8, z, 9, 1000)).isEqualTo(3 * 11 * 512 * 4);
        assertThat(Watermarks.khugepagedMinFreeKbytes(R6_1, z, 9, 1000)).isEqualTo(2 * 11 * 512 * 4);
        // never lowers a larger current value
        assertThat(Watermarks.khugepagedMinFreeKbytes(R6_1, z, 9, 100_000)).isEqualTo(100_000);
    }
}
