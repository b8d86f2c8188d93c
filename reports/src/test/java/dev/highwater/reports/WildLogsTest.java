package dev.highwater.reports;

import static org.assertj.core.api.Assertions.assertThat;

import dev.highwater.model.kernellog.KernelLogParser;
import dev.highwater.model.kernellog.KernelReport;
import dev.highwater.model.kernellog.KernelReport.ZoneState;
import dev.highwater.reports.explain.Diagnosis;
import dev.highwater.reports.explain.Explainer;
import dev.highwater.reports.explain.Explanation;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Real reports as users posted them ({@code logs/wild/SOURCES.md}): 2.6.16 to 6.9, x86, ARM, arm64, MIPS and PowerPC,
 * in mail encoding, quoted, hard-wrapped and syslog-prefixed. Each of them was refused or misread before this test:
 * the assertions are what the report shows when read by hand.
 */
class WildLogsTest {

    private static List<Explanation> explain(String name) throws Exception {
        String text = KernelLogParserTest.resource("/logs/wild/" + name);
        List<KernelReport> rs = KernelLogParser.parse(text, name);
        return rs.stream().map(r -> Explainer.explain(r, rs)).toList();
    }

    @Test
    void quotedPrintableMailOfA49I386OomReadsAsTheNormalZonesExhaustion() throws Exception {
        // raw mail source: '=3D' for '=', soft line breaks mid-word; GFP_DMA32 on a 32-bit kernel (no ZONE_DMA32)
        // means Normal, so the request tries Normal (at min) and DMA (held by its lowmem_reserve), not DMA alone
        Explanation e = explain("06-4.9-i386-highmem-xorg-oom-qp-mangled.txt").get(0);
        assertThat(e.report().zones()).extracting(ZoneState::name).containsExactly("DMA", "Normal", "HighMem");
        assertThat(e.report().zones().get(0).buddyTotalKb()).isEqualTo(4116);
        assertThat(e.diagnosis()).isEqualTo(Diagnosis.EXHAUSTION);
        assertThat(e.paragraph()).contains("Zone Normal fails the watermark check: free 10601 pages ≤ the min watermark"
                + " 10604")
            .contains("Zone DMA is refused by its lowmem_reserve")
            // the kernel's all_unreclaimable against 137,501 file pages, nearly all active, in the lowmem zones
            .contains("the kernel had marked the node all_unreclaimable (4062806 pages scanned")
            .contains("137501 of them file pages, 99 % of those on the active list")
            .doesNotContain("nothing reclaimable (");
    }

    @Test
    void hardWrappedQuotedMips16kPageReportIsADmaZoneWithNoPages() throws Exception {
        // "| " quoting, zone lines cut at a fixed width mid-token ("0k" / "B present"), 16 kB pages, GFP_DMA with a
        // DMA zone of 16 MB present and 0 managed
        List<Explanation> es = explain("07-3.17-mips64-loongson2e-16k-pages-dma-order0.txt");
        assertThat(es).hasSize(1);
        Explanation e = es.get(0);
        assertThat(e.report().pageKb()).isEqualTo(16);
        ZoneState normal = e.report().zone("Normal").orElseThrow();
        assertThat(normal.pages("free")).hasValue(411376 / 16);
        assertThat(normal.pages("present")).hasValue(638960 / 16);
        assertThat(e.diagnosis()).isEqualTo(Diagnosis.NO_USABLE_ZONE);
        assertThat(e.paragraph()).contains("DMA present 16384 kB").contains("the other zones had 25711 pages free");
    }

    @Test
    void an216NumaReportWithEmptyZonesLeavesThemOutOfTheZonelist() throws Exception {
        // "Node 1 DMA: empty" buddy lines, zones of present:0kB, mail re-wrapped at 72 columns; 2.6.32's per-order
        // shrinking minimum refuses the order-1 request in DMA32 although blocks up to order 7 are free
        Explanation e = explain("10-2.6.16-x86_64-numa2-swapper-order1-atomic-wrapped.txt").get(0);
        assertThat(e.report().zones()).hasSize(8);
        assertThat(e.request()).isEqualTo("order-1 GFP_ATOMIC in softirq (cannot reclaim)");
        assertThat(e.diagnosis()).isEqualTo(Diagnosis.FRAGMENTATION);
        assertThat(e.paragraph()).doesNotContain("Zone Node 0 Normal").doesNotContain("Node 1 DMA32")
            .contains("set aside the free blocks below order 1 and 213 pages are left, not above the floor halved 1"
                + " time(s), 213")
            .contains("and blocks of order 1 or larger too (largest free order 7)");
    }

    @Test
    void cmaPagesAreNotFreeForAnUnmovableRequest() throws Exception {
        // arm64 5.4: 132,256 free pages of which 130,962 in CMA; GFP_KERNEL may not count them (§2.1 step 4)
        Explanation e = explain("08-5.4-arm64-cma-dma32-oom-panic.txt").get(0);
        assertThat(e.diagnosis()).isEqualTo(Diagnosis.CMA_ONLY);
        assertThat(e.paragraph()).contains("130962 free CMA pages, which a non-movable request does not count) = 1294"
            + " ≤ the min watermark 1349");
    }

    @Test
    void aMaskWithoutReclaimBitsAndNoReleaseIsReadInThePre44Layout() throws Exception {
        // an ARM926 board's 'gfp_mask=0x201da' without a release line: GFP_HIGHUSER_MOVABLE|__GFP_COLD (≤4.3), which
        // can reclaim; in 4.4's layout the same bits would be a request that cannot
        Explanation e = explain("03-arm926-64mb-sshd-oom.txt").get(0);
        assertThat(e.request()).isEqualTo("order-0 GFP_HIGHUSER_MOVABLE|__GFP_COLD");
        assertThat(e.preset()).isEqualTo("linux-2.6.32");
        assertThat(e.diagnosis()).isEqualTo(Diagnosis.EXHAUSTION);
    }

    @Test
    void printedNamesPickTheLayoutAndKdumpDoesNotHideTheRelease() throws Exception {
        // 6.6: 'Comm: kswapd1 Kdump: loaded Tainted: ...'; 0x820 is GFP_ATOMIC in 6.3's layout only
        Explanation e = explain("12-6.6-x86_64-numa8-kswapd1-atomic-header-only.txt").get(0);
        assertThat(e.report().release()).hasValue("6.6.43-CUSTOM");
        assertThat(e.request()).isEqualTo("order-0 GFP_ATOMIC in softirq (cannot reclaim)");
        assertThat(e.diagnosis()).isEqualTo(Diagnosis.NO_ZONE_STATE);
        // a ksoftirqd request is a softirq one even when the pasted trace stops before the softirq frames
        Explanation rpi = explain("13-6.1-armv7-rpi4-ksoftirqd-atomic-excerpt-truncated.txt").get(0);
        assertThat(rpi.request()).isEqualTo("order-0 GFP_ATOMIC in softirq (cannot reclaim)");
    }

    @Test
    void olderKernelsAreSaidToBeJudgedByTheOldestPreset() throws Exception {
        // 2.6.31 prints 'Active_anon:' with a capital; 2.6.24 predates the split LRU: both judged as 2.6.32, and said so
        List<Explanation> e31 = explain("01-2.6.31-i386-ifconfig-order5.txt");
        assertThat(e31).hasSize(2);
        assertThat(e31.get(0).report().memInfo()).containsEntry("active_anon", 14778L);
        assertThat(e31.get(0).paragraph()).contains("older than the oldest preset and judged by 2.6.32's rules");
        Explanation e24 = explain("02-2.6.24-i386-highmem-xorg-oom.txt").get(0);
        assertThat(e24.paragraph()).contains("Linux 2.6.24-19-generic, older than the oldest preset");
        // GFP_KERNEL cannot use HighMem's 28,283 free pages: Normal at min, DMA held by its reserve
        assertThat(e24.diagnosis()).isEqualTo(Diagnosis.EXHAUSTION);
        assertThat(e24.paragraph()).doesNotContain("Zone HighMem");
    }

    @Test
    void aCostlyOrderWithOnlyHighatomicBlocksFailsBeforeAnyUnreserve() throws Exception {
        // 5.4, '> > '-quoted: order-5 GFP_KERNEL; Normal's order-5+ blocks are all (H), DMA32's largest is order 4,
        // DMA is held by its reserve; a costly order stops before should_reclaim_retry, so nothing is unreserved
        Explanation e = explain("14-5.4-x86_64-emerge-order5-umeh-quoted.txt").get(0);
        assertThat(e.diagnosis()).isEqualTo(Diagnosis.HIGHATOMIC_ONLY);
        assertThat(e.paragraph()).contains("An order above 3 (costly) without __GFP_RETRY_MAYFAIL fails")
            .doesNotContain("should_reclaim_retry counts");
    }

    @Test
    void vmallocReportsAreTheAddressSpaceOrOneOfItsPages() throws Exception {
        // 3.10: "vmalloc: allocation failure: 24576 bytes" and the allocator's header under it are one report (the
        // vmap area); the first of two is cut off by the second, and only it is refused
        var parsed = KernelLogParser.parseAll(KernelLogParserTest.resource(
            "/logs/wild/16-3.10-i386-highmem-vmalloc-failure-interrupted.txt"), "16.txt");
        assertThat(parsed.refused()).hasSize(1);
        assertThat(parsed.refused().get(0).getMessage()).startsWith("16.txt:45: truncated report");
        assertThat(parsed.reports()).singleElement().satisfies(r -> {
            assertThat(r.kind()).isEqualTo(KernelReport.Kind.NOT_ALLOCATOR);
            assertThat(r.header()).isEqualTo("vmalloc: allocation failure: 24576 bytes");
        });
        // 4.1 ARM: the same pair after "vmap allocation for size 15732736 failed" (the name before it is no comm)
        Explanation arm = explain("23-4.1-arm32-brcmstb-vmalloc-order0-dma-highmem-cma.txt").get(0);
        assertThat(arm.diagnosis()).isEqualTo(Diagnosis.NOT_ALLOCATOR);
        assertThat(arm.paragraph()).contains("vmalloc could not find that much virtual address space");
        // 4.10: one of vmalloc's pages, its mode on the line; 28 GB free: the page was there
        Explanation page = explain("17-4.10-x86_64-numa2-vmalloc-failure-fsstress.txt").get(0);
        assertThat(page.request()).isEqualTo("order-0 GFP_KERNEL|__GFP_HIGHMEM|__GFP_ZERO for one of vmalloc's pages");
        assertThat(page.diagnosis()).isEqualTo(Diagnosis.PASSES_IN_MODEL);
        assertThat(page.paragraph()).contains("fatal signal pending");
    }

    @Test
    void theNamesAKernelPrintsChooseItsFlagNumbering() throws Exception {
        // 4.15-rc6 prints 0x14280ca(GFP_HIGHUSER_MOVABLE|__GFP_ZERO), 4.10-4.14's numbering; 4.15's would read a
        // request that cannot reclaim
        Explanation e = explain("25-4.15rc6-i386-highmem-oom-interleaved-with-bug-oops.txt").get(0);
        assertThat(e.request()).isEqualTo("order-0 GFP_HIGHUSER_MOVABLE|__GFP_ZERO");
        assertThat(e.paragraph()).contains("decodes in the 4.10–4.14 layout");
        assertThat(e.diagnosis()).isEqualTo(Diagnosis.LOWMEM_RESERVE);
    }

    /**
     * Logs quoted in patch mails and commit messages, whose authors say why the request failed: explain must say the
     * same (SOURCES.md has each cause and fix).
     */
    @Test
    void theDevelopersCausesForTheirOwnLogs() throws Exception {
        // Minchan Kim (4.10's "use up highorder free pages before OOM"): DMA32's free pages all in (H) blocks
        assertThat(explain("26-minchan-balloon-highatomic-oom.txt").get(0).diagnosis())
            .isEqualTo(Diagnosis.HIGHATOMIC_ONLY);
        assertThat(explain("27-minchan-imklog-atomic-highatomic-race.txt").get(0).diagnosis())
            .isEqualTo(Diagnosis.HIGHATOMIC_ONLY);
        // Yu Zhao (6.12's "keep track of free highatomic"): the whole reserve subtracted with none of it free
        Explanation yu = explain("29-yuzhao-highatomic-overestimate-oom.txt").get(0);
        assertThat(yu.paragraph()).contains("the highatomic reserve counted, not its pages")
            .contains("nr_reserved_highatomic (268288 pages)");
        // Zach O'Keefe ("drain pcp lists before oom kill"): 1 GiB on the per-CPU lists of zones below min; the
        // lowmem_reserve[] columns count an unprinted DMA zone
        Explanation pcp = explain("30-okeefe-5.10-pcp-lists-oom.txt").get(0);
        assertThat(pcp.paragraph()).contains("Zone Node 0 DMA32 is refused by its lowmem_reserve")
            .contains("The zones' per-CPU lists hold 262895 more free pages");
        // Chen Zhou / John Donnelly: an arm64 kdump kernel's GFP_DMA request, ZONE_DMA of 0 managed pages
        assertThat(explain("31-thunderx2-kdump-gfp-dma-empty-zone.txt").get(0).diagnosis())
            .isEqualTo(Diagnosis.NO_USABLE_ZONE);
        // Michal Hocko (b4536f0c829c): lowmem page cache on the active list, not aged; an excerpt without buddy lines
        Explanation aging = explain("33-nilsholland-4.9-i686-lowmem-memcg-aging-oom.txt").get(0);
        assertThat(aging.diagnosis()).isEqualTo(Diagnosis.BELOW_WATERMARK);
        assertThat(aging.paragraph()).contains("judged by the watermarks alone")
            .contains("99 % are on the active list")
            .contains("mm, memcg: fix the active list aging for lowmem requests when memcg is enabled");
        // Michal Hocko: order-2 kernel stacks, the order-2+ blocks in (H)
        assertThat(explain("34-trippelsdorf-4.7-order2-nocompaction-oom.txt").get(0).diagnosis())
            .isEqualTo(Diagnosis.HIGHATOMIC_ONLY);
        // Michal Hocko / Vlastimil Babka: order-2 on a fragmented DMA32 (linux-next's order-first OOM header), not
        // DMA's reserve of 1,714 pages
        Explanation frag = explain("36-tetsuo-4.4next-order2-fragmentation-oom.txt").get(0);
        assertThat(frag.request()).startsWith("order-2 GFP_KERNEL");
        assertThat(frag.diagnosis()).isEqualTo(Diagnosis.FRAGMENTATION);
        assertThat(explain("42-tetsuo-4.4-next-order2-fork-nohighorder.txt")).extracting(Explanation::diagnosis)
            .containsExactly(Diagnosis.FRAGMENTATION, Diagnosis.FRAGMENTATION);
        // Michal Hocko: a 4.7 order-3 OOM at min with lowmem_reserve counted, reclaimable memory plenty; DMA's own
        // all_unreclaimable flag is not the verdict of the whole zonelist
        Explanation nvidia = explain("37-lorenzo-4.7.2-order3-nvidia-oom.txt").get(0);
        assertThat(nvidia.diagnosis()).isEqualTo(Diagnosis.BELOW_WATERMARK);
        assertThat(nvidia.paragraph()).contains("reclaim (290522 reclaimable pages) did not bring it back in time");
        // Vlastimil Babka: an order-4 GFP_NOIO request on resume, no order-4 block and no compaction under NOIO
        assertThat(explain("39-vbabka-6.8-order4-noio-ath11k-resume.txt").get(0).diagnosis())
            .isEqualTo(Diagnosis.FRAGMENTATION);
        // Jaewon Kim ("consider highatomic reserve in watermark fast"): every free page in (H); the phone's log holds a
        // second Mem-Info without its header, which is not this report's
        Explanation phone = explain("43-jaewon-4.14-android-highatomic-fastwmark.txt").get(0);
        assertThat(phone.diagnosis()).isEqualTo(Diagnosis.HIGHATOMIC_ONLY);
        assertThat(phone.report().zones()).hasSize(1);
        assertThat(phone.numbers()).containsEntry("free", 2727L);
        // Vlastimil Babka (e47483bca2cc): a cpuset race, 12 GB free on the node: the printed state has the page
        assertThat(explain("44-ganapatrao-4.9-cpuset01-premature-oom.txt").get(0).diagnosis())
            .isEqualTo(Diagnosis.PASSES_IN_MODEL);
        // a 6.7 order-5 kmalloc: 512 pages reserved, 127 of them free, the reserve's size taken off Normal's free
        // count (Linus's reading, a huge kmalloc under pressure, is the same state seen from the driver)
        // Michal Hocko: a boot-time GFP_DMA pool larger than what the DMA zone has free, not fragmentation
        Explanation pool = explain("49-dma-pool-order9-boot-6.8.txt").get(0);
        assertThat(pool.diagnosis()).isEqualTo(Diagnosis.TOO_LARGE);
        assertThat(pool.paragraph()).contains("asks for 512 contiguous pages (order 9) and the zones it may use (DMA)"
            + " have 256 free pages in all, 256 managed");
        assertThat(explain("51-dma-pool-order10-sle15-5.14.txt").get(0).diagnosis()).isEqualTo(Diagnosis.TOO_LARGE);
        // Jeff Layton: a GFP_ATOMIC receive refill on a box critically out of memory; Minchan Kim: a phone's
        // GFP_ATOMIC under its floor, all free pages in (H) — both under the atomic floor
        assertThat(explain("47-virtio-net-ceph-gfp-atomic-5.4.txt").get(0).diagnosis())
            .isEqualTo(Diagnosis.BELOW_WATERMARK);
        assertThat(explain("50-android-zram-gfp-atomic-5.4-arm64.txt").get(0).diagnosis())
            .isEqualTo(Diagnosis.BELOW_WATERMARK);
        // Michal Hocko (kernel.org bug 107111): DMA fails its reserve check, DMA32 has single pages only — an order-1
        // GFP_ATOMIC under atomic pressure, quoted by Andrew Morton with his comments between the lines
        Explanation bz = explain("56-bz107111-4.2.3-kvm-apache2-order1-atomic.txt").get(0);
        assertThat(bz.diagnosis()).isEqualTo(Diagnosis.FRAGMENTATION);
        assertThat(bz.request()).isEqualTo("order-1 GFP_ATOMIC|__GFP_COMP|__GFP_NOTRACK in softirq (cannot reclaim)");
        // Rusty Russell: a 2.6.29 virtio_net refill in GFP_ATOMIC on a guest under its floor (a quoted-printable mail)
        assertThat(explain("58-ossman-2.6.29-kvm-guest-virtio-net-order0.txt").get(0).diagnosis())
            .isEqualTo(Diagnosis.BELOW_WATERMARK);
        Explanation ring = explain("40-atlantic-6.7-order5-kmalloc-ring.txt").get(0);
        assertThat(ring.paragraph()).contains("only 127 free pages sit in MIGRATE_HIGHATOMIC blocks")
            .contains("decodes in the 6.3+ layout (§3.5) as GFP_KERNEL|__GFP_ZERO|__GFP_COMP)");
    }

    @Test
    void aNodemaskInTheHeaderLimitsTheZonelist() throws Exception {
        // the 5.10 two-node OOM, its header given a mempolicy's nodemask=1: only node 1's Normal is tried
        String log = KernelLogParserTest.resource("/logs/wild/30-okeefe-5.10-pcp-lists-oom.txt")
            .replace("gfp_mask=0x100cca(GFP_HIGHUSER_MOVABLE),\norder=0", "gfp_mask=0x100cca(GFP_HIGHUSER_MOVABLE),"
                + " nodemask=1,\norder=0");
        assertThat(log).contains("nodemask=1");
        List<KernelReport> rs = KernelLogParser.parse(log, "n.log");
        Explanation e = Explainer.explain(rs.get(0), rs);
        assertThat(e.paragraph()).contains("The request's nodemask (1) limits it to those nodes' zones.")
            .contains("Zone Normal fails the watermark check: free 180865 pages").doesNotContain("DMA32");
    }

    @Test
    void everyWildLogIsReadWithoutARefusal() throws Exception {
        List<String> all = List.of("01-2.6.31-i386-ifconfig-order5.txt", "02-2.6.24-i386-highmem-xorg-oom.txt",
            "03-arm926-64mb-sshd-oom.txt", "04-3.13-x86_64-kvm-vps-mysqld-oom.txt",
            "05-5.15-azure-aks-memcg-oom-group.txt", "06-4.9-i386-highmem-xorg-oom-qp-mangled.txt",
            "07-3.17-mips64-loongson2e-16k-pages-dma-order0.txt", "08-5.4-arm64-cma-dma32-oom-panic.txt",
            "09-5.10-arm64-rk3399-order5-gfp-kernel.txt", "10-2.6.16-x86_64-numa2-swapper-order1-atomic-wrapped.txt",
            "11-6.9-ppc32-powermac-kswapd0-interleaved-qp-quoted.txt",
            "12-6.6-x86_64-numa8-kswapd1-atomic-header-only.txt",
            "13-6.1-armv7-rpi4-ksoftirqd-atomic-excerpt-truncated.txt", "14-5.4-x86_64-emerge-order5-umeh-quoted.txt",
            "15-5.8-x86_64-ubuntu-mono-global-oom-umeh.txt", "17-4.10-x86_64-numa2-vmalloc-failure-fsstress.txt",
            "18-4.14-arm32-android-kswapd0-atomic-highmem-umh-qp.txt",
            "19-4.18rc7-x86_64-memcg-v2-oom-stress-truncated-lines.txt", "20-3.10el7-x86_64-k8s-memcg-v1-oom-monocular.txt",
            "21-4.9rc5-x86_64-gfp-nowait-x2-cma-letters-pastedamage.txt",
            "22-4.14-arm64-android-lg-gfp-nowait-snipped-highatomic.txt", "23-4.1-arm32-brcmstb-vmalloc-order0-dma-highmem-cma.txt",
            "24-3.10-mips32-embedded-oom-normal-highmem-wrapped-120col.txt",
            "25-4.15rc6-i386-highmem-oom-interleaved-with-bug-oops.txt", "26-minchan-balloon-highatomic-oom.txt",
            "27-minchan-imklog-atomic-highatomic-race.txt", "28-charan-vm-highatomic-early-oom.txt",
            "29-yuzhao-highatomic-overestimate-oom.txt", "30-okeefe-5.10-pcp-lists-oom.txt",
            "31-thunderx2-kdump-gfp-dma-empty-zone.txt", "32-dongaisheng-imx6-cma-isolated-ebusy.txt",
            "33-nilsholland-4.9-i686-lowmem-memcg-aging-oom.txt", "34-trippelsdorf-4.7-order2-nocompaction-oom.txt",
            "35-rmk-arm-cma-order2-unmovable-oom.txt", "36-tetsuo-4.4next-order2-fragmentation-oom.txt",
            "37-lorenzo-4.7.2-order3-nvidia-oom.txt", "38-linus-4.8-order3-i915-oom.txt",
            "39-vbabka-6.8-order4-noio-ath11k-resume.txt", "40-atlantic-6.7-order5-kmalloc-ring.txt",
            "42-tetsuo-4.4-next-order2-fork-nohighorder.txt", "43-jaewon-4.14-android-highatomic-fastwmark.txt",
            "44-ganapatrao-4.9-cpuset01-premature-oom.txt", "45-veth-order5-docker-arm64-6.1.txt",
            "46-btrfs-md5sum-order4-5.19.txt", "47-virtio-net-ceph-gfp-atomic-5.4.txt", "48-nfs-swap-rza2-arm32-5.18.txt",
            "49-dma-pool-order9-boot-6.8.txt", "50-android-zram-gfp-atomic-5.4-arm64.txt",
            "51-dma-pool-order10-sle15-5.14.txt", "53-psusi-3.13-radeon-order4.txt",
            "54-marki-sles11-3.0.101-cifsd-oom.txt", "55-marki-sles11-3.0.101-fincore-order4.txt",
            "56-bz107111-4.2.3-kvm-apache2-order1-atomic.txt", "57-fpop-2.6.32-rc4-iwlagn-order2.txt",
            "58-ossman-2.6.29-kvm-guest-virtio-net-order0.txt", "59-wl500g-rtn10-mips-16mb-order3.txt",
            "60-rza1-64mb-nc-atomic.txt", "61-via-m10000-224mb-ubiquity-oom.txt", "62-android-s3c2410-64mb-rild-oom.txt",
            "63-arm11-32mb-compcache-oom-free-above-high.txt", "64-omap1-amstrad-e3-32mb-order6-dma.txt",
            "65-pii-32mb-reiserfs-chown-oom.txt", "66-versatile-pb926-128mb-cramfs-oom.txt",
            "67-arm-nas-128mb-order1-tty-slab.txt", "69-piii-256mb-tv-streamer-em28xx-order4.txt");
        int reports = 0;
        for (String f : all) {
            reports += explain(f).size();
        }
        assertThat(reports).isEqualTo(71);
        // memory cgroup OOMs, v1 and v2: not the page allocator
        assertThat(explain("19-4.18rc7-x86_64-memcg-v2-oom-stress-truncated-lines.txt").get(0).diagnosis())
            .isEqualTo(Diagnosis.NOT_ALLOCATOR);
        assertThat(explain("20-3.10el7-x86_64-k8s-memcg-v1-oom-monocular.txt").get(0).diagnosis())
            .isEqualTo(Diagnosis.NOT_ALLOCATOR);
        // 2.6.15-2.6.18's OOM header names no task ("oom-killer: gfp_mask=0x201d2, order=0"); Minchan Kim could not
        // explain an OOM with DMA above its high watermark, and neither can the printed state
        Explanation old = explain("63-arm11-32mb-compcache-oom-free-above-high.txt").get(0);
        assertThat(old.report().kind()).isEqualTo(KernelReport.Kind.OOM);
        assertThat(old.diagnosis()).isEqualTo(Diagnosis.PASSES_IN_MODEL);
        // a board's log cut at 80 columns loses its buddy totals: refused at the line
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> explain("68-rza2-8mb-yavta-order7-truncated.txt"))
            .isInstanceOf(dev.highwater.model.kernellog.KernelLogException.class)
            .hasMessageContaining("truncated buddy line for zone Normal");
        // a report whose Mem-Info the poster trimmed to nothing is refused at its line
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> explain("41-pavel-4.3-i386-atl1c-order4-atomic.txt"))
            .isInstanceOf(dev.highwater.model.kernellog.KernelLogException.class)
            .hasMessageContaining("41-pavel-4.3-i386-atl1c-order4-atomic.txt:32: truncated report");
        // a post whose zone lines the poster cut mid-field, buddy lines whole: read (one DMA buddy line has, by
        // chance, the length of the cut lines, and must not be glued to the next as a terminal's wrap)
        Explanation lg = explain("22-4.14-arm64-android-lg-gfp-nowait-snipped-highatomic.txt").get(0);
        assertThat(lg.report().zones()).extracting(ZoneState::name).containsExactly("DMA", "Normal");
        assertThat(lg.report().zones().get(1).buddyTotalKb()).isEqualTo(5528);
        assertThat(explain("05-5.15-azure-aks-memcg-oom-group.txt").get(0).diagnosis())
            .isEqualTo(Diagnosis.NOT_ALLOCATOR);
        // two kswapd0 failures in one quoted-printable, '> '-quoted mail, SLUB lines inside the second trace
        List<Explanation> ppc = explain("11-6.9-ppc32-powermac-kswapd0-interleaved-qp-quoted.txt");
        assertThat(ppc).extracting(Explanation::diagnosis).containsOnly(Diagnosis.BELOW_WATERMARK);
        assertThat(ppc.get(0).report().header()).isEqualTo("kswapd0: page allocation failure: order:0, mode:0xcc0"
            + "(GFP_KERNEL)");
    }
}
