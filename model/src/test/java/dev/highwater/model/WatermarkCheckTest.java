package dev.highwater.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.highwater.model.policy.AllocFlagRules;
import dev.highwater.model.policy.KernelPolicy;
import dev.highwater.model.policy.Presets;
import dev.highwater.model.policy.ReserveRules;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The watermark check against the figures of kernel-semantics §2.1, §7.2 and the real 6.1 kernel. */
class WatermarkCheckTest {

    private static AllocContext ctx(KernelPolicy p, String gfp, int order, Context c, boolean rt) {
        GfpMask m = Gfp.parse(gfp).resolve(p.gfpLayout());
        return new AllocContext(m, order, m.migratetype(), 0, c, 0, rt, false);
    }

    private static long floor(KernelPolicy p, String gfp, long min, Context c, boolean rt) {
        AllocContext ac = ctx(p, gfp, 0, c, rt);
        int flags = AllocFlagRules.slowPathFlags(p, new AllocContext(AllocFlagRules.slowPathGfp(p, ac.gfp()),
            0, ac.migratetype(), 0, c, 0, rt, false));
        return WatermarkCheck.effectiveMin(p.reserveRules(), min, flags);
    }

    @Test
    void atomicFloorIsThreeEighthsWithKernelRounding() {
        // §2.1 "Exact integer forms": M = 243 -> m1 = 122, m2 = 92
        assertThat(floor(Presets.LINUX_4_8, "GFP_ATOMIC", 243, Context.SOFTIRQ, false)).isEqualTo(92);
        // seed 000: min 241 pages -> 121 -> 91 ("free 373 pages > 91, the atomic floor of min 241")
        assertThat(floor(Presets.LINUX_4_9, "GFP_ATOMIC", 241, Context.SOFTIRQ, false)).isEqualTo(91);
        // real 6.1 kernel at 256 MB: DMA32 min 427 -> 214 -> 161 (§5.1)
        assertThat(floor(Presets.LINUX_6_1, "GFP_ATOMIC", 427, Context.SOFTIRQ, false)).isEqualTo(161);
        // issue-7 figure: min 462 -> 231 -> 174
        assertThat(floor(Presets.LINUX_6_1, "GFP_ATOMIC", 462, Context.SOFTIRQ, false)).isEqualTo(174);
        // DMA at 256 MB: min 33 -> 17 -> 13 (§2.1 lowmem-reserve example)
        assertThat(floor(Presets.LINUX_6_1, "GFP_ATOMIC", 33, Context.SOFTIRQ, false)).isEqualTo(13);
    }

    /** The "effective minimum as a fraction of M" table of §2.1, with M = 1000. */
    @ParameterizedTest(name = "{0} {1} rt={2}: {3}")
    @CsvSource({
        "linux-2.6.32, GFP_KERNEL, false, 1000",
        "linux-2.6.32, GFP_ATOMIC, false, 375",
        "linux-2.6.32, GFP_NOWAIT, false, 750",
        "linux-2.6.32, GFP_KERNEL|__GFP_HIGH, false, 500",
        "linux-2.6.32, GFP_KERNEL, true, 750",
        "linux-4.8, GFP_KERNEL, false, 1000",
        "linux-4.8, GFP_ATOMIC, false, 375",
        "linux-4.8, GFP_NOWAIT, false, 1000",
        "linux-4.8, GFP_KERNEL|__GFP_HIGH, false, 500",
        "linux-4.8, GFP_KERNEL, true, 750",
        "linux-6.3, GFP_KERNEL, false, 1000",
        "linux-6.3, GFP_ATOMIC, false, 375",
        "linux-6.3, GFP_NOWAIT, false, 1000",
        "linux-6.3, GFP_KERNEL|__GFP_HIGH, false, 500",
        "linux-6.3, GFP_KERNEL, true, 500",
        "linux-6.1, GFP_ATOMIC, false, 375",
        "linux-6.1, GFP_KERNEL, true, 500",
    })
    void effectiveMinimumTable(String preset, String gfp, boolean rt, long expected) {
        KernelPolicy p = Presets.byName(preset).orElseThrow();
        assertThat(floor(p, gfp, 1000, Context.PROCESS, rt)).isEqualTo(expected);
    }

    private record Area(long[] nrFree, boolean[][] has) implements FreeAreaView {
        @Override
        public long nrFree(int order) {
            return nrFree[order];
        }

        @Override
        public boolean hasFree(int order, MigrateType t) {
            return has[order][t.ordinal()];
        }
    }

    private static Area onlyHighatomic(int maxOrder, long pages) {
        long[] n = new long[maxOrder];
        boolean[][] h = new boolean[maxOrder][MigrateType.values().length];
        n[0] = pages;
        h[0][MigrateType.HIGHATOMIC.ordinal()] = true;
        return new Area(n, h);
    }

    @Test
    void highatomicIsSubtractedForGfpKernelButNotForAtomic() {
        // §7.2 scenario: two free highatomic blocks (HA 2048, F 2048), min 243. GFP_KERNEL: 2048 - 2048 <= 243 fails;
        // GFP_ATOMIC (HARDER): HA not subtracted, 2048 > 92 passes.
        KernelPolicy p = Presets.LINUX_4_10;
        WatermarkCheck.Counters c = new WatermarkCheck.Counters(2048, 2048, 2048);
        Area a = onlyHighatomic(11, 2048);
        int kernel = AllocFlagRules.slowPathFlags(p, ctx(p, "GFP_KERNEL", 0, Context.PROCESS, false));
        int atomic = AllocFlagRules.slowPathFlags(p, ctx(p, "GFP_ATOMIC", 0, Context.SOFTIRQ, false));
        assertThat(WatermarkCheck.zoneWatermarkOk(p, c, a, 11, 0, 243, 0, kernel, 2048)).isFalse();
        assertThat(WatermarkCheck.zoneWatermarkOk(p, c, a, 11, 0, 243, 0, atomic, 2048)).isTrue();
        // 4.7-5.8 fast path: order-0 shortcut ignores HA (2048 > low 303 passes for GFP_KERNEL, §7.2)
        int fast = AllocFlagRules.fastPathFlags(p, ctx(p, "GFP_KERNEL", 0, Context.PROCESS, false).gfp());
        assertThat(WatermarkCheck.zoneWatermarkFast(p, c, a, 11, 0, 303, 0, fast, false, 303)).isTrue();
        // 6.1: the clamped shortcut subtracts HA, so it fails
        KernelPolicy p61 = Presets.LINUX_6_1;
        int fast61 = AllocFlagRules.fastPathFlags(p61, ctx(p61, "GFP_KERNEL", 0, Context.PROCESS, false).gfp());
        assertThat(WatermarkCheck.zoneWatermarkFast(p61, c, a, 11, 0, 303, 0, fast61, false, 303)).isFalse();
        // 6.12: only free highatomic pages are subtracted: with HA 2048 but just 100 of them free, GFP_KERNEL passes
        KernelPolicy p612 = Presets.LINUX_6_12;
        WatermarkCheck.Counters c612 = new WatermarkCheck.Counters(2048, 2048, 100);
        int k612 = AllocFlagRules.slowPathFlags(p612, ctx(p612, "GFP_KERNEL", 0, Context.PROCESS, false));
        assertThat(WatermarkCheck.zoneWatermarkOk(p612, c612, a, 11, 0, 243, 0, k612, 2048)).isTrue();
        assertThat(WatermarkCheck.zoneWatermarkOk(p61, c612, a, 11, 0, 243, 0, k612, 2048)).isFalse();
    }

    @Test
    void lowmemReserveIsPartOfTheFloor() {
        // real 6.1 kernel at 256 MB: DMA free 204 > min 33, protection 202: floor 13 + 202 = 215, so 204 fails
        KernelPolicy p = Presets.LINUX_6_1;
        int atomic = AllocFlagRules.slowPathFlags(p, ctx(p, "GFP_ATOMIC", 0, Context.SOFTIRQ, false));
        WatermarkCheck.Counters c = new WatermarkCheck.Counters(204, 0, 0);
        Area a = onlyHighatomic(11, 204);
        assertThat(WatermarkCheck.zoneWatermarkOk(p, c, a, 11, 0, 33, 202, atomic, 204)).isFalse();
        assertThat(WatermarkCheck.zoneWatermarkOk(p, c, a, 11, 0, 33, 191, atomic, 204)).isFalse(); // 204 <= 13 + 191: strict
        assertThat(WatermarkCheck.zoneWatermarkOk(p, c, a, 11, 0, 33, 190, atomic, 204)).isTrue();
        assertThat(WatermarkCheck.zoneWatermarkOk(p, c, a, 11, 0, 33, 0, atomic, 204)).isTrue();
    }

    @Test
    void highOrderChecksPerVersion() {
        // only an order-3 HIGHATOMIC block free: 4.4-4.14.0 harder callers pass on any list (b050e3769c6b's
        // false positive); 4.15+ typed check passes for harder callers because H is counted for them; a GFP_KERNEL
        // order-2 request never passes on H lists.
        long[] n = new long[11];
        boolean[][] h = new boolean[11][MigrateType.values().length];
        n[3] = 1;
        h[3][MigrateType.HIGHATOMIC.ordinal()] = true;
        Area a = new Area(n, h);
        WatermarkCheck.Counters c = new WatermarkCheck.Counters(1000, 0, 8);
        for (String preset : new String[] {"linux-4.4", "linux-4.9", "linux-6.1"}) {
            KernelPolicy p = Presets.byName(preset).orElseThrow();
            int atomic = AllocFlagRules.slowPathFlags(p, ctx(p, "GFP_ATOMIC", 2, Context.SOFTIRQ, false));
            int kernel = AllocFlagRules.slowPathFlags(p, ctx(p, "GFP_KERNEL", 2, Context.PROCESS, false));
            assertThat(WatermarkCheck.zoneWatermarkOk(p, c, a, 11, 2, 100, 0, atomic, 1000)).as(preset).isTrue();
            assertThat(WatermarkCheck.zoneWatermarkOk(p, c, a, 11, 2, 100, 0, kernel, 1000)).as(preset).isFalse();
        }
        // 2.6.32 shrinking minimum: F=1000, 900 of them order-0 pages; order-2 request, M=100:
        // f = 1000-4+1 = 997 > 100; k=0: f -= 900 -> 97, m = 50 ok; k=1: f -= 0, m = 25 ok -> pass
        long[] n2 = new long[11];
        n2[0] = 900;
        n2[3] = 12;
        Area a2 = new Area(n2, new boolean[11][MigrateType.values().length]);
        KernelPolicy p26 = Presets.LINUX_2_6_32;
        assertThat(WatermarkCheck.zoneWatermarkOk(p26, new WatermarkCheck.Counters(996, 0, 0), a2, 11, 2, 100, 0,
            AllocFlags.WMARK_MIN, 996)).isTrue();
        // with 950 order-0 pages the order-1 step fails: 997-950 = 47 <= 50
        n2[0] = 950;
        assertThat(WatermarkCheck.zoneWatermarkOk(p26, new WatermarkCheck.Counters(1046, 0, 0), a2, 11, 2, 100, 0,
            AllocFlags.WMARK_MIN, 1000)).isFalse();
    }

    @Test
    void reserveRulesNameTheOomVictimAccess() {
        assertThat(WatermarkCheck.effectiveMin(ReserveRules.V4_14, 1000, AllocFlags.OOM)).isEqualTo(500);
        assertThat(WatermarkCheck.effectiveMin(ReserveRules.V6_3, 1000, AllocFlags.OOM)).isEqualTo(500);
        assertThat(WatermarkCheck.effectiveMin(ReserveRules.V6_3, 1000,
            AllocFlags.MIN_RESERVE | AllocFlags.NON_BLOCK | AllocFlags.OOM)).isEqualTo(188);
    }
}
