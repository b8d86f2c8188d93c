package dev.highwater.reports;

import static org.assertj.core.api.Assertions.assertThat;

import dev.highwater.model.kernellog.KernelLogParser;
import dev.highwater.model.kernellog.KernelReport;
import dev.highwater.reports.explain.Diagnosis;
import dev.highwater.reports.explain.Explainer;
import dev.highwater.reports.explain.Explanation;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** `highwater explain` on the five real seed reports gives the right class and numbers. */
class ExplainSeedsTest {
    static Path seed(String prefix) throws Exception {
        Path dir = Path.of(System.getProperty("highwater.seeds", "../../shared/seeds"));
        try (var s = java.nio.file.Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith(prefix)).findFirst().orElseThrow();
        }
    }

    static List<Explanation> explain(String prefix) throws Exception {
        return Explainer.explainAll(KernelLogParser.parseFile(seed(prefix)));
    }

    @Test
    void seed000AtomicOrder0OnlyHighatomicFree() throws Exception {
        List<Explanation> es = explain("000_");
        assertThat(es).hasSize(1);
        Explanation e = es.get(0);
        assertThat(e.diagnosis()).isEqualTo(Diagnosis.HIGHATOMIC_ONLY);
        assertThat(e.preset()).isEqualTo("linux-4.9");
        assertThat(e.request()).isEqualTo("order-0 GFP_ATOMIC in softirq (cannot reclaim)");
        assertThat(e.numbers()).containsEntry("free", 373L).containsEntry("min", 241L)
            .containsEntry("effective_min", 91L).containsEntry("highatomic_free", 373L);
        assertThat(e.paragraph()).contains("free 373 pages > 91, the atomic floor of min 241").contains("281dd25c1a01");
        // the fix replays: late 6.1.y and 6.12+ let order-0 NON_BLOCK requests use the HIGHATOMIC lists; 6.3 does not
        assertThat(e.advice().get(0)).contains("linux-6.1, linux-6.12, mainline").doesNotContain("linux-6.3");
        // and which of 6.1's changes: 281dd25c1a01's highatomic access with 6.3's reserve flags, neither alone
        assertThat(e.advice().get(0)).contains("No single one of its 28 switch changes from linux-4.9 does it alone; "
            + "reserveRules=V6_3 with highatomicFallback=OOM_AND_NON_BLOCK together does.");
    }

    @Test
    void seed002OomWithHighatomicReserveAndAtomicFailure() throws Exception {
        List<Explanation> es = explain("002_");
        assertThat(es).hasSize(2);
        Explanation oom = es.get(0);
        assertThat(oom.report().kind()).isEqualTo(KernelReport.Kind.OOM);
        assertThat(oom.diagnosis()).isEqualTo(Diagnosis.HIGHATOMIC_ONLY);
        assertThat(oom.preset()).isEqualTo("linux-4.8");
        // reclaimable: the zone lines' own LRU counts (DMA 1 + DMA32 120 file pages, 2 of swap), as
        // should_reclaim_retry's zone_reclaimable_pages reads them, not the node's racier 59 file pages
        assertThat(oom.numbers()).containsEntry("free", 4851L).containsEntry("min", 1407L)
            .containsEntry("reclaimable", 123L);
        assertThat(oom.numbers().get("retry_available")).isNegative();
        assertThat(oom.paragraph()).contains("OOM killer runs");
        // 4.10's force-unreserve comes only after 16 retries, which never happen here; 6.8 unreserves first, and
        // late 6.1.y carries that change (Debian's 6.1.192)
        assertThat(oom.advice().get(0)).contains("succeed under linux-6.1, linux-6.8").doesNotContain("linux-4.10")
            .contains("mm.forceUnreserve=WHENEVER_RETRY_FAILS alone makes it succeed");

        Explanation atomic = es.get(1);
        assertThat(atomic.diagnosis()).isEqualTo(Diagnosis.HIGHATOMIC_ONLY);
        assertThat(atomic.request()).startsWith("order-0 GFP_ATOMIC|__GFP_NOTRACK");
        assertThat(atomic.numbers()).containsEntry("free", 7532L).containsEntry("effective_min", 528L);
        assertThat(atomic.paragraph()).contains("Zone DMA is refused by its lowmem_reserve").contains("1952");
    }

    @Test
    void seeds001And003HaveHeadersOnly() throws Exception {
        for (String s : List.of("001_", "003_")) {
            List<Explanation> es = explain(s);
            assertThat(es).hasSize(2);
            for (Explanation e : es) {
                assertThat(e.diagnosis()).isEqualTo(Diagnosis.NO_ZONE_STATE);
                assertThat(e.preset()).isEqualTo("linux-2.6.32");
                assertThat(e.request()).contains("GFP_ATOMIC").contains("cannot reclaim");
                // 2.6.32: __GFP_HIGH halves min, HARDER takes a further quarter: 3/8 of min
                assertThat(e.numbers()).containsEntry("floor_permille_of_min", 375L);
            }
        }
        assertThat(explain("001_").get(0).numbers()).containsEntry("order", 2L).containsEntry("gfp", 0x4020L);
        assertThat(explain("003_").get(1).request()).contains("in softirq");
    }

    @Test
    void seed004Order10FragmentationFromBuddyinfo() throws Exception {
        List<Explanation> es = explain("004_");
        List<Explanation> failures = es.stream().filter(e -> e.report().kind() == KernelReport.Kind.ALLOC_FAILURE).toList();
        assertThat(failures).hasSize(2);
        assertThat(es.stream().filter(e -> e.diagnosis() == Diagnosis.BUDDYINFO)).hasSize(5);
        for (Explanation e : failures) {
            assertThat(e.diagnosis()).isEqualTo(Diagnosis.FRAGMENTATION);
            assertThat(e.request()).isEqualTo("order-10 GFP_KERNEL");
            // the tightest dump (line 128): DMA32 331 548 ... 12 0 1 -> one order-10 block, then nothing above order 9
            assertThat(e.numbers()).containsEntry("satisfiable", 1L).containsEntry("largest_free_order", 9L)
                .containsEntry("free", 19051L + 1162L);
            assertThat(e.paragraph()).contains("line 128");
        }
    }
}
