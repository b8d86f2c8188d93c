package dev.highwater.cli.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.highwater.model.Watermarks;
import dev.highwater.model.ZoneSpec;
import dev.highwater.model.policy.Presets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The console lines of a real run (Debian 6.1.0-56-cloud-amd64 under QEMU, 256 MB, boost off), parsed, and the
 * model's arithmetic held against them without booting anything.
 */
class KernelReportTest {
    static final List<String> REAL = List.of(
        "HW sysctl min_free_kbytes=1845 watermark_scale_factor=10 watermark_boost_factor=0 lowmem_reserve_ratio=256:256:32:0:0",
        "HW cmd state",
        "HW zone DMA free=3808 min=31 low=38 high=45 boost=0 ha=0 managed=3840 protection=0,202,202,202,202",
        "HW buddy DMA 5:0:1 6:0:1 7:0:1 9:1:1 10:1:3",
        "HW zone DMA32 free=40535 min=429 low=536 high=643 boost=0 ha=0 managed=51815 protection=0,0,0,0,0",
        "HW buddy DMA32 0:1:6 0:2:1 1:1:5 10:1:35",
        "HW cmd alloc 4 0 GFP_ATOMIC|__GFP_NOWARN softirq 100000",
        "HW result ok=297 fail=99703",
        "HW cmd state",
        "HW zone DMA32 free=161 min=429 low=536 high=643 boost=0 ha=1024 managed=51815 protection=0,0,0,0,0",
        "HW buddy DMA32 0:3:1 5:3:1 6:3:2",
        "HW end");

    @Test
    void parsesZonesBuddyListsAndResults() {
        KernelReport r = KernelReport.parse(REAL);
        assertThat(r.sysctl()).containsEntry("min_free_kbytes", "1845").containsEntry("lowmem_reserve_ratio", "256:256:32:0:0");
        assertThat(r.steps()).hasSize(3);
        assertThat(r.steps().get(1).result()).isEqualTo("ok=297 fail=99703");
        KernelReport.Zone dma32 = r.lastZones().get(0);
        assertThat(dma32.free()).isEqualTo(161);
        // every free page on HIGHATOMIC lists (migratetype 3): 1 + 32 + 2 * 64
        assertThat(dma32.freeOfType(3)).isEqualTo(161);
    }

    @Test
    void freeCountsAtTheFirstFailureBelongToTheirAllocStep() {
        List<String> lines = new java.util.ArrayList<>(REAL);
        lines.add(8, "HW failfree DMA=3808 DMA32=162 Normal=x");
        KernelReport r = KernelReport.parse(lines);
        assertThat(r.steps().get(1).freeAtFirstFailure()).containsEntry("DMA32", 162L).containsEntry("DMA", 3808L)
            .doesNotContainKey("Normal"); // a garbled count is left out, not a parse error
        assertThat(r.steps().get(0).freeAtFirstFailure()).isEmpty();
        assertThat(r.steps().get(2).freeAtFirstFailure()).isEmpty();
    }

    @Test
    void theModelsWatermarksMatchTheRealZones() {
        KernelReport r = KernelReport.parse(REAL);
        List<KernelReport.Zone> zones = r.steps().get(0).zones();
        List<ZoneSpec> specs = KernelCommand.zones(zones);
        Watermarks w = Watermarks.compute(Presets.LINUX_6_1.watermarkRules(), specs, KernelCommand.tunables(r.sysctl()));
        assertThat(w.zone(0).min()).isEqualTo(31);
        assertThat(w.zone(0).lowmemReserve()).containsExactly(0L, 202L, 202L, 202L);
        assertThat(w.zone(1).min()).isEqualTo(429);
        assertThat(w.zone(1).low()).isEqualTo(536);
        assertThat(w.zone(1).high()).isEqualTo(643);
    }

    @Test
    void outcomeClassesSeparateTheFixFromTheBug() {
        // 6.1 (281dd25c1a01 backported): fails at the floor with the rest on HIGHATOMIC lists
        assertThat(BugScenario.AtomicOrder0Highatomic.atomicClass(161, 161, 161, 1024)).isEqualTo("fails-at-floor-rest-highatomic");
        // the bug (issue 7's pre-fix build): fails with 322 free, all HIGHATOMIC, above the floor of 174
        assertThat(BugScenario.AtomicOrder0Highatomic.atomicClass(322, 174, 322, 2048)).isEqualTo("fails-above-floor-all-highatomic");
        assertThat(KernelCommand.Conformance.reserveClass(204, 33, 215)).isEqualTo("above-min-refused-by-protection");
    }

    @Test
    void freeHighatomicClassesSeparateWholeReservationFromFreePart() {
        // Debian 6.1.192 (no c928807f6f6b): GFP_KERNEL stopped with 1181 pages outside HIGHATOMIC lists, min 429
        assertThat(BugScenario.FreeHighatomicTracking.classify(1445, 264, 1024, 429).cls())
            .isEqualTo("kernel-refused-above-min-by-reservation");
        // with the fix it stops where the pages outside HIGHATOMIC lists reach min
        assertThat(BugScenario.FreeHighatomicTracking.classify(700, 264, 1024, 429).cls())
            .isEqualTo("kernel-refused-at-min");
        assertThat(BugScenario.FreeHighatomicTracking.classify(700, 0, 0, 429).cls())
            .isEqualTo("no-highatomic-reserved");
    }
}
