package dev.highwater.cli.kernel;

import dev.highwater.model.AllocFlags;
import dev.highwater.model.Context;
import dev.highwater.model.Tunables;
import dev.highwater.model.WatermarkCheck;
import dev.highwater.model.Watermarks;
import dev.highwater.model.ZoneSnapshot;
import dev.highwater.model.ZoneSpec;
import dev.highwater.model.ZoneType;
import dev.highwater.model.ZoneWatermarks;
import dev.highwater.model.policy.KernelPolicy;
import dev.highwater.model.policy.Presets;
import dev.highwater.model.trace.Op;
import dev.highwater.model.trace.TaskSpec;
import dev.highwater.model.trace.Trace;
import dev.highwater.model.trace.TraceFormatException;
import dev.highwater.model.trace.TraceParser;
import dev.highwater.model.trace.TracePrinter;
import dev.highwater.model.trace.VmSettings;
import dev.highwater.properties.integrity.HighatomicAccounting;
import dev.highwater.properties.run.Outcome;
import dev.highwater.properties.run.StepRecord;
import dev.highwater.properties.run.TraceRunner;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code highwater kernel conformance | replay}: the real Debian 6.1 kernel under QEMU as the model's oracle. */
@Command(name = "kernel", mixinStandardHelpOptions = true, description = "Hold the model against Debian's real Linux 6.1 kernel under QEMU.",
    subcommands = {KernelCommand.Conformance.class, KernelCommand.Replay.class, KernelCommand.Build.class,
        Reproduce.class})
public final class KernelCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out); // "highwater kernel", not "kernel"
    }

    static final KernelPolicy PRESET = Presets.LINUX_6_1;
    static final Path WORK = Path.of("target", "highwater-kernel");

    /** Debian's kernel has HUGETLB_PAGE, so pageblock_order = HPAGE_PMD_ORDER = 9. */
    static final int PAGEBLOCK_ORDER = 9;

    static KernelEnv env() throws KernelEnv.Missing {
        return KernelEnv.find(Path.of("").toAbsolutePath());
    }

    /** The model's zone list for a real report: DMA, DMA32, Normal, Movable with the managed pages the kernel shows. */
    static List<ZoneSpec> zones(List<KernelReport.Zone> real) {
        List<ZoneSpec> out = new ArrayList<>();
        for (ZoneType t : new ZoneType[] {ZoneType.DMA, ZoneType.DMA32, ZoneType.NORMAL, ZoneType.MOVABLE}) {
            long managed = real.stream().filter(z -> ZoneType.parse(z.name()) == t).mapToLong(KernelReport.Zone::managed)
                .findFirst().orElse(0);
            out.add(ZoneSpec.of(t, managed));
        }
        return out;
    }

    /** The real sysctls as model tunables (ratio file order: DMA DMA32 Normal Movable Device). */
    static Tunables tunables(Map<String, String> s) {
        String[] r = s.getOrDefault("lowmem_reserve_ratio", "256:256:32:0:0").split(":+");
        List<Integer> ratio = List.of(Integer.parseInt(r[0]), Integer.parseInt(r[1]), Integer.parseInt(r[2]), 0,
            r.length > 3 ? Integer.parseInt(r[3]) : 0);
        return new Tunables(Integer.parseInt(s.get("min_free_kbytes")), Integer.parseInt(s.get("watermark_scale_factor")),
            ratio, Integer.parseInt(s.getOrDefault("watermark_boost_factor", "0")), 0);
    }

    @Command(name = "conformance", mixinStandardHelpOptions = true, description = "Zone arithmetic at several sizes and sysctls, and the seed-000 and "
        + "lowmem-reserve scenarios, on the real kernel and in the model (preset linux-6.1).")
    public static final class Conformance implements Callable<Integer> {
        @Option(names = "--quick", description = "fewer boots (three)")
        boolean quick;

        @Option(names = "--scenario", paramLabel = "NAME", description = "run only this scenario (a seed such as "
            + "seed-001, or a catalog bug id), no arithmetic boots")
        String only;

        @Option(names = "--arithmetic", description = "only the zone-arithmetic boots (watermarks, protection, "
            + "boot min_free_kbytes), no scenarios")
        boolean arithmeticOnly;

        private int checks;
        private int passed;

        private void check(String name, String real, String model, boolean ok) {
            checks++;
            if (ok) {
                passed++;
            }
            System.out.printf("%-4s %-48s real: %-44s model: %s%n", ok ? "PASS" : "FAIL", name, real, model);
        }

        @Override
        public Integer call() {
            KernelEnv env;
            try {
                env = env();
            } catch (KernelEnv.Missing e) {
                System.err.println("highwater kernel conformance: " + e.getMessage());
                System.out.println("summary: checks=0 passed=0 failed=0 error=missing_packages");
                return 2;
            }
            RealKernel k = new RealKernel(env, WORK);
            System.out.println("kernel " + env.release() + " (" + env.vmlinuz() + "), preset " + PRESET.name());
            try {
                if (only != null) {
                    BugScenario s = BugScenario.byId(only).orElse(null);
                    List<String> named = List.of("seed-000", "seed-001", "seed-003", "seed-004", "snapshot", "premature-order2-oom",
                        "highatomic-double-decrease", "highatomic-before-oom");
                    if (s == null && !named.contains(only)) {
                        System.err.println("highwater kernel conformance: no scenario '" + only + "'; known: "
                            + String.join(", ", named) + ", "
                            + String.join(", ", BugScenario.all().stream().map(BugScenario::bugId).toList()));
                        System.out.println("summary: checks=0 passed=0 failed=0 error=unknown_scenario");
                        return 2;
                    }
                    switch (only) {
                        case "seed-000" -> seed000(k);
                        case "seed-001" -> seed001(k);
                        case "seed-004" -> seed004(k);
                        case "snapshot" -> {
                            snapshotExplain(k);
                            atomicWarnAlloc(k);
                        }
                        case "premature-order2-oom" -> order2WithCleanCache(k);
                        case "highatomic-double-decrease" -> highatomicAccounting(k);
                        case "seed-003" -> seed003(k);
                        case "highatomic-before-oom" -> scenario(new BugScenario.UnreserveBeforeOom(), k);
                        default -> scenario(s, k);
                    }
                    System.out.println("summary: checks=" + checks + " passed=" + passed + " failed="
                        + (checks - passed));
                    return checks == passed ? 0 : 1;
                }
                List<Object[]> boots = new ArrayList<>();
                boots.add(new Object[] {128, List.<String[]>of()});
                boots.add(new Object[] {512, List.<String[]>of()});
                boots.add(new Object[] {256, List.<String[]>of(new String[] {"min_free_kbytes", "4096"})});
                if (!quick) {
                    boots.add(new Object[] {80, List.<String[]>of()});
                    boots.add(new Object[] {768, List.<String[]>of()}); // khugepaged's 5 % cap binds
                    boots.add(new Object[] {1024, List.<String[]>of()});
                    boots.add(new Object[] {3072, List.<String[]>of()});
                    boots.add(new Object[] {6144, List.<String[]>of()});
                    boots.add(new Object[] {256, List.<String[]>of(new String[] {"watermark_scale_factor", "100"})});
                    boots.add(new Object[] {256, List.<String[]>of(new String[] {"lowmem_reserve_ratio", "128 64 16 0 0"})});
                }
                for (Object[] b : boots) {
                    @SuppressWarnings("unchecked")
                    List<String[]> sys = (List<String[]>) b[1];
                    arithmetic((Integer) b[0], sys, k);
                }
                if (arithmeticOnly) {
                    System.out.println("summary: checks=" + checks + " passed=" + passed + " failed="
                        + (checks - passed));
                    return checks == passed ? 0 : 1;
                }
                seed000(k);
                for (BugScenario s : BugScenario.all()) {
                    if (!(s instanceof BugScenario.AtomicOrder0Highatomic)) {
                        scenario(s, k);
                    }
                }
                seed004(k);
                snapshotExplain(k);
                atomicWarnAlloc(k);
                seed001(k);
                order2WithCleanCache(k);
                highatomicAccounting(k);
                seed003(k);
            } catch (IOException e) {
                System.err.println("highwater kernel conformance: " + e.getMessage());
                System.out.println("summary: checks=" + checks + " passed=" + passed + " failed=" + (checks - passed)
                    + " error=boot");
                return 1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 1;
            }
            System.out.println("summary: checks=" + checks + " passed=" + passed + " failed=" + (checks - passed));
            return checks == passed ? 0 : 1;
        }

        private void arithmetic(int mem, List<String[]> sysctls, RealKernel k) throws IOException, InterruptedException {
            RealKernel.Boot boot = k.boot(mem, sysctls, List.of("state"));
            KernelReport r = KernelReport.parse(boot.lines());
            String label = mem + "M" + (sysctls.isEmpty() ? "" : " " + sysctls.get(0)[0] + "=" + sysctls.get(0)[1]);
            List<KernelReport.Zone> real = r.lastZones();
            List<ZoneSpec> specs = zones(real);
            Watermarks w = Watermarks.compute(PRESET.watermarkRules(), specs, tunables(r.sysctl()));
            System.out.println("-- boot " + label + ": " + boot.millis() + " ms, min_free_kbytes "
                + r.sysctl().get("min_free_kbytes"));
            for (KernelReport.Zone z : real) {
                int pos = -1;
                for (int i = 0; i < specs.size(); i++) {
                    if (specs.get(i).type() == ZoneType.parse(z.name())) {
                        pos = i;
                    }
                }
                ZoneWatermarks m = w.zone(pos);
                String rs = z.min() + "/" + z.low() + "/" + z.high() + " prot " + z.protection().subList(0, 4);
                String ms = m.min() + "/" + m.low() + "/" + m.high() + " prot " + m.lowmemReserve();
                boolean ok = z.min() == m.min() && z.low() == m.low() && z.high() == m.high()
                    && z.protection().subList(0, 4).equals(m.lowmemReserve());
                check(label + " " + z.name() + " min/low/high/protection", rs, ms, ok);
            }
            bootMinFreeKbytes(label, boot.lines(), real);
        }

        /** A "Freeing … memory: NK" line of the guest's boot log, as the init script echoes it. */
        private static final java.util.regex.Pattern FREED = java.util.regex.Pattern.compile("^HW freed .*memory: (\\d+)K");

        /**
         * The min_free_kbytes the kernel chose at boot against the model's (§1.2, §1.2a): the isqrt rule over the
         * lowmem pages managed when the watermark initcall ran (today's managed pages minus what boot freed later —
         * the initrd and the init sections, which lie in DMA32 here), raised by khugepaged when THP starts enabled
         * (RAM ≥ 512 MB). THP's state is compared too.
         */
        private void bootMinFreeKbytes(String label, List<String> lines, List<KernelReport.Zone> real) {
            long freedKb = 0;
            String thpLine = "";
            String bootValue = null;
            for (String l : lines) {
                java.util.regex.Matcher m = FREED.matcher(l);
                if (m.find()) {
                    freedKb += Long.parseLong(m.group(1));
                } else if (l.startsWith("HW thp ")) {
                    thpLine = l.substring(7);
                } else if (l.startsWith("HW bootsysctl min_free_kbytes=")) {
                    bootValue = l.substring(l.indexOf('=') + 1).trim();
                }
            }
            if (bootValue == null) {
                check(label + " boot min_free_kbytes", "not reported", "-", false);
                return;
            }
            List<ZoneSpec> now = zones(real);
            List<ZoneSpec> atBoot = new ArrayList<>();
            for (ZoneSpec z : now) {
                long boot = z.type() == ZoneType.DMA32 ? Math.max(0, z.managedPages() - freedKb / 4) : z.managedPages();
                atBoot.add(new ZoneSpec(z.type(), z.managedPages(), z.managedPages(), boot));
            }
            boolean realThp = thpLine.contains("[always]") || thpLine.contains("[madvise]");
            boolean modelThp = Watermarks.thpOnAtBoot(atBoot);
            int model = Watermarks.bootMinFreeKbytes(PRESET.watermarkRules(), atBoot, PAGEBLOCK_ORDER, modelThp);
            check(label + " boot min_free_kbytes (THP)", bootValue + " (" + (realThp ? "on" : "off") + ", freed "
                + freedKb + " kB after init)", model + " (" + (modelThp ? "on" : "off") + ")",
                bootValue.equals(String.valueOf(model)) && realThp == modelThp);
        }

        /** The seed-000 sequence of issue 4 on the real kernel and in the model, compared by outcome class. */
        private void seed000(RealKernel k) throws IOException, InterruptedException {
            BugScenario.AtomicOrder0Highatomic s = new BugScenario.AtomicOrder0Highatomic();
            RealKernel.Boot boot = k.boot(s.memMb(), s.sysctls(), s.commands());
            KernelReport r = KernelReport.parse(boot.lines());
            System.out.println("-- seed-000 scenario at " + s.memMb() + "M, boost off: boot-to-result " + boot.millis()
                + " ms");
            BugScenario.Result real = s.real(r);
            BugScenario.Result model = s.model(r, PRESET);
            check("seed-000: order-0 GFP_ATOMIC after highatomic reservation", real.toString(), model.toString(),
                real.cls().equals(model.cls()));
            // lowmem_reserve: DMA refuses the atomic request with free above min because protection is in the floor
            KernelReport.Zone realDma = zone(r.lastZones(), "DMA");
            if (realDma != null) {
                Outcome o = BugScenario.AtomicOrder0Highatomic.modelOutcome(r, PRESET);
                int dma32 = r.lastZones().indexOf(zone(r.lastZones(), "DMA32"));
                ZoneSnapshot mDma = o.steps().get(o.steps().size() - 1).zones().get(0);
                int atomic = AllocFlags.MIN_RESERVE | AllocFlags.NON_BLOCK;
                long realDmaFloor = WatermarkCheck.effectiveMin(PRESET.reserveRules(), realDma.min(), atomic)
                    + realDma.protection().get(1);
                long modelDmaFloor = WatermarkCheck.effectiveMin(PRESET.reserveRules(), mDma.min(), atomic)
                    + mDma.lowmemReserve().get(dma32);
                String rc = reserveClass(realDma.free(), realDma.min(), realDmaFloor);
                String mc = reserveClass(mDma.nrFreePages(), mDma.min(), modelDmaFloor);
                check("seed-000: DMA refuses GFP_ATOMIC via lowmem_reserve",
                    String.format("%s (free %d, min %d, floor %d)", rc, realDma.free(), realDma.min(), realDmaFloor),
                    String.format("%s (free %d, min %d, floor %d)", mc, mDma.nrFreePages(), mDma.min(), modelDmaFloor),
                    rc.equals(mc));
            }
        }

        /**
         * highatomic-double-decrease (4855e4a7f29d, §6.5 row 2; 6.1 has the fix): reserve highatomic blocks, let
         * order-0 GFP_ATOMIC take pages from them, then a memory hog drives reclaim, unreserve and the OOM killer on one
         * CPU while a background job frees those pages on the other (2 vCPUs). The race itself cannot be forced; what
         * is compared is the invariant it breaks: nr_reserved_highatomic = pageblock_nr_pages × the zone's HighAtomic
         * pageblocks (/proc/pagetypeinfo), within the cap, after the reservation and after the churn. The model runs
         * the same steps in order under linux-6.1 and checks the same invariant after every step. (6.1 is not exact in
         * general — a free buddy spanning two HIGHATOMIC blocks can leave HA above the block count, see
         * HighatomicAccounting — but this scenario does not take that path in the model, and has not on the kernel.)
         */
        private void highatomicAccounting(RealKernel k) throws IOException, InterruptedException {
            List<String> cmds = new ArrayList<>(List.of("exhaust 1 " + BugScenario.GFP_NORETRY,
                "alloc 2 4 " + BugScenario.GFP_ATOMIC + " softirq 64", "free 2 0", "exhaust 3 " + BugScenario.GFP_ATOMIC,
                "free 1 0", "state", RealKernel.PAGETYPEINFO));
            for (int ms = 250; ms <= 2000; ms += 250) {
                cmds.add(RealKernel.ASYNC + " " + ms + " free 3 40");
            }
            // after the hog: let the OOM aftermath settle (a force-unreserve between reading the counter and the
            // block types would look like drift), then block types, counter, block types again
            cmds.addAll(List.of(RealKernel.HOG, RealKernel.SLEEP + " 1000", RealKernel.PAGETYPEINFO, "state",
                RealKernel.PAGETYPEINFO));
            RealKernel.Boot boot = k.boot(256, 2, List.<String[]>of(new String[] {"watermark_boost_factor", "0"}), cmds);
            KernelReport r = KernelReport.parse(boot.lines());
            System.out.println("-- highatomic-double-decrease (accounting under churn on 2 CPUs) at 256M: boot-to-result "
                + boot.millis() + " ms");
            List<Map<String, Long>> blocks = pagetypeinfoHighatomic(boot.lines());
            if (r.steps().size() < 6 || blocks.size() < 3) {
                throw new IOException("highatomic-double-decrease: the kernel printed " + r.steps().size()
                    + " steps and " + blocks.size() + " pagetypeinfo tables");
            }
            StringBuilder realFig = new StringBuilder();
            boolean realOk = true;
            long reservedAtStart = 0;
            List<List<KernelReport.Zone>> points = List.of(r.steps().get(5).zones(), r.lastZones());
            if (!blocks.get(1).equals(blocks.get(2))) {
                realOk = false;
                realFig.append("block types changed while the counter was read (").append(blocks.get(1)).append(" -> ")
                    .append(blocks.get(2)).append("); ");
            }
            for (int i = 0; i < 2; i++) {
                for (KernelReport.Zone z : points.get(i)) {
                    long hb = blocks.get(i == 0 ? 0 : 2).getOrDefault(z.name(), -1L);
                    long cap = blocksUp(Watermarks.highatomicCapOnePercentPlusBlock(z.managed(), 512), 512);
                    boolean ok = z.ha() == hb * 512 && z.ha() <= cap;
                    realOk &= ok;
                    if (i == 0) {
                        reservedAtStart += z.ha();
                    }
                    if (z.ha() > 0 || hb != 0 || (i == 1 && z.name().equals("DMA32"))) {
                        realFig.append(i == 0 ? "reserved " : "after churn ").append(z.name()).append(" HA ")
                            .append(z.ha()).append(" = ").append(hb).append("×512").append(ok ? "" : " MISMATCH")
                            .append("; ");
                    }
                }
            }
            if (reservedAtStart == 0) {
                realOk = false;
                realFig.append("no highatomic block was reserved (the check would be vacuous)");
            }
            // the model: the same steps in order (the background frees before the hog)
            long total = BugScenario.totalManaged(r);
            List<Op> ops = new ArrayList<>(List.of(
                BugScenario.alloc("1", 0, BugScenario.GFP_NORETRY, Context.PROCESS, total),
                BugScenario.alloc("2", 4, BugScenario.GFP_ATOMIC, Context.SOFTIRQ, 64),
                new Op.Free("2", 0, 0, Optional.empty()),
                BugScenario.alloc("3", 0, BugScenario.GFP_ATOMIC, Context.PROCESS, total),
                new Op.Free("1", 0, 0, Optional.empty()),
                new Op.Free("3", 0, 0, Optional.empty()),
                new Op.Anon(1, (int) total, 0, Optional.empty())));
            Trace base = BugScenario.modelTrace(r, PRESET, List.of());
            Trace t = Trace.of(List.of(), PRESET.name(), base.node(), base.vm(),
                List.of(new TaskSpec(1, 0, false)), 0, ops, List.of());
            var ms = TraceRunner.standard().boot(t, PRESET);
            boolean modelOk = true;
            long modelMaxHa = 0;
            String modelFig = "";
            for (Op op : t.ops()) {
                ms.apply(op);
                var a = ms.allocator();
                int pb = a.config().pageblockPages();
                for (int z = 0; z < a.zones().size(); z++) {
                    long managed = a.zones().get(z).managedPages();
                    long hb = HighatomicAccounting.highatomicBlocks(a, z);
                    long ha = a.nrReservedHighatomic(z);
                    modelMaxHa = Math.max(modelMaxHa, ha);
                    long cap = blocksUp(Watermarks.highatomicCapOnePercentPlusBlock(managed, pb), pb);
                    if (ha != hb * pb || ha > cap) {
                        modelOk = false;
                        modelFig = String.format("%s after '%s': HA %d but %d HIGHATOMIC blocks",
                            a.zones().get(z).type().kernelName(), op.getClass().getSimpleName(), ha, hb);
                    }
                }
            }
            if (modelMaxHa == 0) {
                modelOk = false;
                modelFig = "no highatomic block was reserved";
            }
            check("highatomic-double-decrease: HA = 512 × HighAtomic blocks",
                (realOk ? "consistent" : "drift") + " (" + realFig.toString().trim() + ")",
                (modelOk ? "consistent" : "drift") + " (" + (modelOk ? "after every step; largest HA " + modelMaxHa
                    : modelFig) + ")", realOk == modelOk && realOk);
        }

        /**
         * Seed 003 (RHEL 6: order-1 GFP_ATOMIC failures; the advice is vm.zone_reclaim_mode=1 and a larger
         * min_free_kbytes). On one node (the model has one) zone_reclaim_mode=1 means: a blocking request that finds a
         * zone below its low watermark reclaims clean page cache itself (node reclaim, at least 32 pages) and is then
         * served in the fast path, so kswapd is never woken; with 0 it enters the slow path, which wakes kswapd
         * (§8.3, §7.1). Real: 64 MB clean page cache, then a task touching 48 MB of anonymous memory; reclaim is
         * told apart by /proc/vmstat's pgsteal_direct and pgsteal_kswapd. Model: the same cache and anon pages;
         * direct reclaim counted, kswapd woken or not.
         */
        private void seed003(RealKernel k) throws IOException, InterruptedException {
            for (int mode : new int[] {0, 1}) {
                List<String> cmds = List.of(RealKernel.PAGECACHE + " 64", "state", RealKernel.VMSTAT,
                    RealKernel.ANON + " 48", RealKernel.VMSTAT, "state");
                RealKernel.Boot boot = k.boot(256, List.<String[]>of(new String[] {"watermark_boost_factor", "0"},
                    new String[] {"zone_reclaim_mode", String.valueOf(mode)}), cmds);
                KernelReport r = KernelReport.parse(boot.lines());
                System.out.println("-- seed-003 scenario at 256M, zone_reclaim_mode=" + mode + ", 64 MB clean page "
                    + "cache, 48 MB anonymous: boot-to-result " + boot.millis() + " ms");
                List<Map<String, Long>> vm = new ArrayList<>();
                for (String l : boot.lines()) {
                    if (l.startsWith("HW vmstat ")) {
                        Map<String, Long> m = new LinkedHashMap<>();
                        for (String kv : l.substring(10).trim().split("\\s+")) {
                            String[] p = kv.split("=");
                            if (p.length == 2 && p[1].matches("\\d+")) {
                                m.put(p[0], Long.parseLong(p[1]));
                            }
                        }
                        vm.add(m);
                    }
                }
                if (r.steps().isEmpty() || vm.size() < 2) {
                    throw new IOException("seed-003: the kernel printed " + r.steps().size() + " steps and "
                        + vm.size() + " vmstat lines");
                }
                long direct = vm.get(1).getOrDefault("pgsteal_direct", 0L) - vm.get(0).getOrDefault("pgsteal_direct", 0L);
                long kswapd = vm.get(1).getOrDefault("pgsteal_kswapd", 0L) - vm.get(0).getOrDefault("pgsteal_kswapd", 0L);
                String realClass = reclaimClass(direct > 0, kswapd > 0);
                long realFile = r.steps().get(0).zones().stream().mapToLong(KernelReport.Zone::file).sum();
                long anonPages = 48L * 256;
                Trace base = BugScenario.modelTrace(r, PRESET, List.of());
                VmSettings v = base.vm();
                VmSettings vmz = new VmSettings(v.minFreeKbytes(), v.watermarkScaleFactor(), v.watermarkBoostFactor(),
                    v.lowmemReserveRatio(), OptionalInt.of(mode));
                Trace t = Trace.of(List.of(), PRESET.name(), base.node(), vmz,
                    List.of(new TaskSpec(1, 0, false)), 0, List.of(
                        new Op.Cache((int) realFile, false, 0, Optional.empty()),
                        new Op.Anon(1, (int) anonPages, 0, Optional.empty())), List.of());
                var ms = TraceRunner.standard().boot(t, PRESET);
                ms.apply(t.ops().get(0));
                // the RAM disk's pages and the rest of the guest, as the kernel showed them before the burst
                BugScenario.padToRealFree(ms, t, r.steps().get(0).zones());
                long reclaimedBefore = ms.counters().reclaimed();
                ms.apply(t.ops().get(1));
                var c = ms.counters();
                String modelClass = reclaimClass(c.reclaimed() > reclaimedBefore, c.kswapdPending() || c.kswapdRuns() > 0);
                check("seed-003: zone_reclaim_mode=" + mode + ", anon burst over clean cache",
                    String.format("%s (pgsteal_direct +%d, pgsteal_kswapd +%d, cache %d pages, DMA32 free %d low %d "
                        + "before)", realClass, direct, kswapd, realFile, zone(r.steps().get(0).zones(), "DMA32").free(),
                        zone(r.steps().get(0).zones(), "DMA32").low()),
                    String.format("%s (reclaimed in the request %d, kswapd %s)", modelClass,
                        c.reclaimed() - reclaimedBefore, c.kswapdPending() ? "woken" : "not woken"),
                    realClass.equals(modelClass));
            }
        }

        static String reclaimClass(boolean direct, boolean kswapd) {
            if (kswapd) {
                return direct ? "kswapd-and-direct" : "kswapd-woken";
            }
            return direct ? "reclaimed-in-request-kswapd-idle" : "no-reclaim";
        }

        /** The reserve reachable under a cap checked before adding a whole block (§6.2): the cap rounded up to blocks. */
        private static long blocksUp(long cap, long pageblock) {
            return (cap + pageblock - 1) / pageblock * pageblock;
        }

        /** The HighAtomic column of each /proc/pagetypeinfo block-count table printed, per zone name. */
        static List<Map<String, Long>> pagetypeinfoHighatomic(List<String> lines) {
            List<Map<String, Long>> out = new ArrayList<>();
            int col = -1;
            for (String l : lines) {
                if (!l.startsWith("HW pagetypeinfo ")) {
                    continue;
                }
                String body = l.substring("HW pagetypeinfo ".length()).trim();
                if (body.startsWith("Number of blocks type")) {
                    String[] h = body.substring("Number of blocks type".length()).trim().split("\\s+");
                    col = java.util.Arrays.asList(h).indexOf("HighAtomic");
                    out.add(new LinkedHashMap<>());
                } else if (body.startsWith("Node") && col >= 0 && !out.isEmpty()) {
                    // "Node 0, zone    DMA32   12   100   3   2   0"
                    String[] f = body.split("\\s+");
                    if (f.length > 4 + col) {
                        out.get(out.size() - 1).put(f[3], Long.parseLong(f[4 + col]));
                    }
                } else if (body.isEmpty() || body.startsWith("Number of mixed")) {
                    col = -1;
                }
            }
            return out;
        }

        /**
         * {@code highwater explain} on the real kernel's own /proc snapshot: the guest's {@code cat /proc/version
         * /proc/zoneinfo /proc/pagetypeinfo}, parsed as a user's capture is, must show the module's view of the moment
         * (watermarks, managed pages, nr_reserved_highatomic as HIGHATOMIC pageblocks × 512; free pages between the
         * module's counts right before and right after the capture, whose cat and sed run in between, give or take
         * {@link #freeSlack}), and explain's
         * replays of GFP_ATOMIC requests in softirq on it must predict the kernel's answers: memory is exhausted by
         * atomic requests (highatomic blocks reserved first), then every other page of the first exhaustion freed: an
         * order-8 request mostly finds no block (what is left free often reaches order 7 at most; boots differ), order-3
         * and order-0 requests succeed; what is checked is that explain's verdict is the kernel's. The capture forks, so the scenario cannot show a refused order-0 request: with the pages gone, init
         * itself would be OOM-killed.
         */
        private void snapshotExplain(RealKernel k) throws IOException, InterruptedException {
            String atomic = BugScenario.GFP_ATOMIC;
            List<String> cmds = List.of("exhaust 1 " + BugScenario.GFP_NORETRY, "alloc 2 4 " + atomic + " softirq 64",
                "free 2 0", "exhaust 3 " + atomic, "fragment 1", "state", RealKernel.SNAPSHOT, "state",
                "alloc 4 8 " + atomic + " softirq 1", "alloc 5 3 " + atomic + " softirq 1",
                "alloc 6 0 " + atomic + " softirq 1", "alloc 7 10 GFP_ATOMIC softirq 1", RealKernel.WARN_ALLOC,
                RealKernel.HOG, "state");
            RealKernel.Boot boot = k.boot(256, List.<String[]>of(new String[] {"watermark_boost_factor", "0"}), cmds);
            KernelReport r = KernelReport.parse(boot.lines());
            StringBuilder text = new StringBuilder();
            boolean ended = false;
            for (String l : boot.lines()) {
                if (l.equals("HW snapshot-end")) {
                    ended = true;
                } else if (l.startsWith("HW snapshot ")) {
                    text.append(l, "HW snapshot ".length(), l.length()).append('\n');
                }
            }
            java.nio.file.Files.createDirectories(WORK);
            Path saved = WORK.resolve("guest-snapshot.txt");
            java.nio.file.Files.writeString(saved, text);
            System.out.println("-- explain on the guest's /proc snapshot at 256M (" + saved + "): boot-to-result "
                + boot.millis() + " ms");
            if (r.steps().size() < 10 || !ended) {
                throw new IOException("snapshot: the kernel printed " + r.steps().size() + " steps and "
                    + (ended ? "its" : "no") + " snapshot");
            }
            List<dev.highwater.model.kernellog.KernelReport> parsed;
            try {
                parsed = dev.highwater.model.kernellog.KernelLogParser.parse(text.toString(), "guest snapshot");
            } catch (dev.highwater.model.kernellog.KernelLogException e) {
                check("snapshot: the guest's /proc files parse", "printed", e.getMessage(), false);
                return;
            }
            dev.highwater.model.kernellog.KernelReport snap = parsed.get(0);
            StringBuilder real = new StringBuilder();
            StringBuilder read = new StringBuilder();
            boolean same = snap.kind() == dev.highwater.model.kernellog.KernelReport.Kind.SNAPSHOT;
            List<KernelReport.Zone> after = r.steps().get(6).zones();
            for (KernelReport.Zone z : r.steps().get(5).zones()) {
                var sz = snap.zones().stream().filter(x -> x.name().equals(z.name())).findFirst();
                long free2 = after.stream().filter(x -> x.name().equals(z.name())).mapToLong(KernelReport.Zone::free)
                    .findFirst().orElse(-1);
                long[] want = {z.min(), z.low(), z.high(), z.managed(), z.ha()};
                long[] got = sz.map(x -> new long[] {x.pages("min").orElse(-1), x.pages("low").orElse(-1),
                    x.pages("high").orElse(-1), x.pages("managed").orElse(-1), x.pages("reserved_highatomic").orElse(-1)})
                    .orElse(new long[5]);
                long free = sz.map(x -> x.pages("free").orElse(-1)).orElse(-1L);
                long slack = freeSlack(text.toString(), z.name());
                boolean between = free >= Math.min(z.free(), free2) - slack && free <= Math.max(z.free(), free2) + slack;
                same &= java.util.Arrays.equals(want, got) && between;
                real.append(String.format("%s free %d..%d ±%d, %d/%d/%d HA %d; ", z.name(), Math.min(z.free(), free2),
                    Math.max(z.free(), free2), slack, want[0], want[1], want[2], want[4]));
                read.append(String.format("%s free %d, %d/%d/%d HA %d; ", z.name(), free, got[0], got[1], got[2], got[4]));
            }
            check("snapshot: /proc read as the module sees it", real.toString(), read.toString(), same);
            String[] probes = {"order=8 gfp=GFP_ATOMIC softirq", "order=3 gfp=GFP_ATOMIC softirq",
                "order=0 gfp=GFP_ATOMIC softirq"};
            for (int i = 0; i < probes.length; i++) {
                var probe = dev.highwater.reports.explain.Probe.parse(probes[i]);
                var e = dev.highwater.reports.explain.Explainer.explainAll(parsed, List.of(probe)).get(0);
                boolean realOk = r.steps().get(7 + i).result().startsWith("ok=1");
                boolean modelOk = e.requestOk(0).orElse(false);
                String line = e.paragraph().lines().filter(x -> x.contains(": FAILS — ")).findFirst().orElse("");
                String why = line.isEmpty() ? "" : line.substring(line.indexOf("FAILS — ") + 8, line.indexOf('.',
                    line.indexOf("FAILS — ")));
                check("snapshot: explain predicts order-" + probe.order() + " GFP_ATOMIC", realOk ? "granted" : "refused",
                    (modelOk ? "granted" : "refused") + (why.isEmpty() ? "" : " (" + why + ")") + " under " + e.preset(),
                    realOk == modelOk);
            }
            warnAlloc(boot, r.steps().get(10).result().startsWith("ok=1"), 10, "snapshot: explain on the kernel's"
                + " warn_alloc report", "guest-warn-alloc.txt");
            oomReport(r);
        }

        /**
         * The kernel's own report of a refused order-0 GFP_ATOMIC request in softirq: memory exhausted by atomic
         * requests (highatomic blocks reserved first), then one more without __GFP_NOWARN; everything is freed before
         * the ring buffer is read (the capture forks). explain must read the request back and its replay on the
         * report's own zones must refuse it too: the kernel and the model agree on a refusal at the atomic floor.
         */
        private void atomicWarnAlloc(RealKernel k) throws IOException, InterruptedException {
            String atomic = BugScenario.GFP_ATOMIC;
            List<String> cmds = List.of("exhaust 1 " + BugScenario.GFP_NORETRY, "alloc 2 4 " + atomic + " softirq 64",
                "free 2 0", "exhaust 3 " + atomic, "alloc 4 0 GFP_ATOMIC softirq 1", "freeall", RealKernel.WARN_ALLOC);
            RealKernel.Boot boot = k.boot(256, List.<String[]>of(new String[] {"watermark_boost_factor", "0"}), cmds);
            KernelReport r = KernelReport.parse(boot.lines());
            System.out.println("-- explain on the kernel's report of a refused order-0 GFP_ATOMIC at 256M: boot-to-result "
                + boot.millis() + " ms");
            if (r.steps().size() < 5) {
                throw new IOException("warn_alloc: the kernel printed " + r.steps().size() + " steps");
            }
            warnAlloc(boot, r.steps().get(4).result().startsWith("ok=1"), 0, "warn_alloc: explain on a refused order-0"
                + " GFP_ATOMIC", "guest-warn-alloc-order0.txt");
        }

        /**
         * The kernel's own OOM report: a user-space task (busybox awk) grows into what the scenario left free until the
         * OOM killer takes it. With nothing reclaimable (no swap, no file pages), explain must call it genuine
         * exhaustion, not the lowmem_reserve that keeps DMA's last pages, nor a state that satisfies the request.
         */
        private void oomReport(KernelReport r) {
            String name = "snapshot: explain on the kernel's OOM report";
            try {
                String log = String.join("\n", r.dmesg()) + "\n";
                java.nio.file.Files.writeString(WORK.resolve("guest-oom.txt"), log);
                var reports = dev.highwater.model.kernellog.KernelLogParser.parse(log, "guest OOM");
                var oom = reports.stream().filter(x -> x.kind() == dev.highwater.model.kernellog.KernelReport.Kind.OOM)
                    .findFirst();
                if (oom.isEmpty()) {
                    check(name, "an OOM kill", "no OOM report in the kernel log", false);
                    return;
                }
                var e = dev.highwater.reports.explain.Explainer.explain(oom.get(), reports);
                check(name, "OOM kill of a growing task, nothing reclaimable", e.request() + ", " + e.diagnosis().id()
                    + " under " + e.preset(), e.diagnosis() == dev.highwater.reports.explain.Diagnosis.EXHAUSTION);
            } catch (dev.highwater.model.kernellog.KernelLogException | IOException ex) {
                check(name, "an OOM report", ex.getMessage(), false);
            }
        }

        /**
         * The kernel's own report of a failed request: an order-10 GFP_ATOMIC request in softirq without __GFP_NOWARN
         * (after the fragmentation of {@link #snapshotExplain}, no order-10 block is left), whose warn_alloc report
         * (header, call trace, Mem-Info) explain must parse and replay as a user's log: the request decoded as it was
         * made, and the replay on the report's own zones refusing it too, for a reason (not "the printed state
         * satisfies the request").
         */
        private void warnAlloc(RealKernel.Boot boot, boolean granted, int order, String name, String saveAs) {
            String log = boot.lines().stream().filter(l -> l.startsWith("HW warn "))
                .map(l -> l.substring("HW warn ".length())).collect(java.util.stream.Collectors.joining("\n", "", "\n"));
            if (granted) {
                check(name, "order-" + order + " granted (no report)", "-", true);
                return;
            }
            try {
                java.nio.file.Files.writeString(WORK.resolve(saveAs), log);
                var reports = dev.highwater.model.kernellog.KernelLogParser.parse(log, "guest warn_alloc");
                var e = dev.highwater.reports.explain.Explainer.explainAll(reports).get(0);
                var rep = e.report();
                boolean decoded = rep.order() == order && rep.gfpNames().contains("GFP_ATOMIC") && rep.inInterrupt();
                boolean refused = e.diagnosed() && e.diagnosis() != dev.highwater.reports.explain.Diagnosis.PASSES_IN_MODEL
                    && e.diagnosis() != dev.highwater.reports.explain.Diagnosis.NO_ZONE_STATE;
                check(name, "refused: order-" + order + " GFP_ATOMIC in softirq", e.request() + ", " + e.diagnosis().id()
                    + " under " + e.preset() + " (free " + e.numbers().get("free") + ", floor "
                    + e.numbers().get("effective_min") + ")", decoded && refused);
            } catch (dev.highwater.model.kernellog.KernelLogException | IOException ex) {
                check(name, "refused, reported", ex.getMessage(), false);
            }
        }

        /**
         * How far a zone's free count in /proc/zoneinfo may stand from the module's reads around it: the CPUs' pending
         * counter deltas (each below the zone's "vm stats threshold") and the per-CPU lists' pages, which a refill or
         * a drain moves between the counter and the lists up to each list's "high" at once.
         */
        static long freeSlack(String zoneinfo, String zone) {
            // the zone's header, "Node 0, zone    DMA32"
            int at = zoneinfo.indexOf(" " + zone + "\n");
            if (at < 0) {
                return 0;
            }
            int end = zoneinfo.indexOf("\nNode ", at);
            String block = zoneinfo.substring(at, end < 0 ? zoneinfo.length() : end);
            long slack = 0;
            int cpus = 0;
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^\\s*(high:|cpu:|vm stats threshold:)\\s*(\\d+)")
                .matcher(block);
            long threshold = 0;
            while (m.find()) {
                switch (m.group(1)) {
                    case "high:" -> slack += Long.parseLong(m.group(2));
                    case "cpu:" -> cpus++;
                    default -> threshold = Long.parseLong(m.group(2));
                }
            }
            return slack + threshold * Math.max(1, cpus);
        }

        /**
         * Seed 004 (order-10 GFP_KERNEL fails with plenty of free memory): exhaust, free DMA32's odd pfns, request an
         * order-10 block. Real: refused; the model's watermark check on the printed free lists: refused, because no
         * free block of order 10 exists (fragmentation, not a watermark).
         */
        private void seed004(RealKernel k) throws IOException, InterruptedException {
            String gfp = BugScenario.GFP_NORETRY;
            List<String> cmds = List.of("exhaust 1 " + gfp, "fragment 1 DMA32", "state", "alloc 2 10 " + gfp
                + " process 1", "state");
            RealKernel.Boot boot = k.boot(256, List.<String[]>of(new String[] {"watermark_boost_factor", "0"}), cmds);
            KernelReport r = KernelReport.parse(boot.lines());
            System.out.println("-- seed-004 scenario at 256M: boot-to-result " + boot.millis() + " ms");
            if (r.steps().size() < cmds.size()) {
                throw new IOException("seed-004: the kernel printed " + r.steps().size() + " of " + cmds.size() + " steps");
            }
            KernelReport.Zone z = zone(r.steps().get(2).zones(), "DMA32");
            int largest = BugScenario.Order0OnlyWatermarks.largestTypedOrder(z);
            boolean realOk = r.steps().get(3).result().startsWith("ok=1");
            boolean modelOk = BugScenario.Order0OnlyWatermarks.kernelRequestPasses(r.steps().get(2).zones(), PRESET, 10);
            String figures = String.format("DMA32 free %d > min %d, largest free order %d", z.free(), z.min(), largest);
            check("seed-004: order-10 GFP_KERNEL with free memory, fragmented",
                (realOk ? "granted" : "refused") + " (" + figures + ")",
                (modelOk ? "granted" : "refused") + " (watermark check on the real lists)", realOk == modelOk);
        }

        /**
         * Seed 001 (network receive bursts fail while page cache holds the rest of memory): with 64 MB of clean page
         * cache (ext2 on a RAM disk), order-1 GFP_ATOMIC in a softirq until it fails. Atomic requests never reclaim and
         * kswapd cannot run inside the burst: the failure comes at the order-1 atomic floor with the cache untouched
         * (kswapd may reclaim after it, before the zones are read; that is taken off the free count).
         * The model: the same zones, the same amount of clean cache, the same burst.
         */
        private void seed001(RealKernel k) throws IOException, InterruptedException {
            List<String> cmds = List.of(RealKernel.PAGECACHE + " 64", "state",
                "alloc 1 1 " + BugScenario.GFP_ATOMIC + " softirq 30000", "state");
            RealKernel.Boot boot = k.boot(256, List.<String[]>of(new String[] {"watermark_boost_factor", "0"}), cmds);
            KernelReport r = KernelReport.parse(boot.lines());
            System.out.println("-- seed-001 scenario at 256M, 64 MB clean page cache: boot-to-result " + boot.millis()
                + " ms");
            if (r.steps().size() < 3) {
                throw new IOException("seed-001: the kernel printed " + r.steps().size() + " of 3 steps");
            }
            KernelReport.Zone before = zone(r.steps().get(0).zones(), "DMA32");
            KernelReport.Zone after = zone(r.lastZones(), "DMA32");
            long realFile = r.steps().get(0).zones().stream().mapToLong(KernelReport.Zone::file).sum();
            long realFloor = order1AtomicFloor(after.min());
            int realLargest = after.freeBlocks().entrySet().stream().filter(e -> e.getValue() > 0)
                .mapToInt(e -> Integer.parseInt(e.getKey().split(":")[0])).max().orElse(-1);
            // kswapd, woken by the failing burst, may reclaim before the last "state" is read (seen under host load:
            // file -990, free 1234 against the floor 163), so the free count is the module's, read in the softirq
            // when the first request of the burst failed. A module without that line: pages the file LRU lost
            // meanwhile are taken off the free count read afterwards (an estimate: kswapd frees more than cache)
            Long atFailure = r.steps().stream().filter(s -> s.command().startsWith("alloc "))
                .map(s -> s.freeAtFirstFailure().get("DMA32")).filter(java.util.Objects::nonNull).findFirst()
                .orElse(null);
            long reclaimedAfter = Math.max(0, before.file() - after.file());
            long freeAtFailure = atFailure != null ? atFailure : after.free() - reclaimedAfter;
            String realClass = atomicCacheClass(freeAtFailure, realFloor, realLargest, after.file());
            // the model: the same zones, as much clean cache as the kernel held, then the burst
            Trace t = BugScenario.modelTrace(r, PRESET, List.of(
                new Op.Cache((int) realFile, false, 0, Optional.empty()),
                BugScenario.alloc("1", 1, BugScenario.GFP_ATOMIC, Context.SOFTIRQ, 30000)));
            var ms = TraceRunner.standard().boot(t, PRESET);
            for (var op : t.ops()) {
                ms.apply(op);
            }
            int z = r.lastZones().indexOf(after);
            ZoneSnapshot snap = ZoneSnapshot.all(ms.allocator()).get(z);
            long modelFile = ms.counters().fileClean(); // node-wide: the model keeps one LRU per node
            long modelFloor = order1AtomicFloor(snap.min());
            String modelClass = atomicCacheClass(snap.nrFreePages(), modelFloor, snap.largestFreeOrder(), modelFile);
            check("seed-001: order-1 GFP_ATOMIC burst with clean page cache",
                String.format("%s (free %d -> %d at the failure%s, floor %d, largest free order %d, file %d)",
                    realClass, before.free(), freeAtFailure, freeAtFailure != after.free() ? ", " + after.free()
                        + " when read after it" + (atFailure == null ? " less " + reclaimedAfter + " file pages" : "")
                        : "", realFloor, realLargest, after.file()),
                String.format("%s (free %d, floor %d, largest free order %d, clean file %d)", modelClass,
                    snap.nrFreePages(), modelFloor, snap.largestFreeOrder(), modelFile), realClass.equals(modelClass));
        }

        /** The order-1 atomic floor: free - 1 must stay above min - min/2 - min/4 of that (6.3 rules, late 6.1.y). */
        static long order1AtomicFloor(long min) {
            return BugScenario.AtomicOrder0Highatomic.atomicFloor(min) + 1;
        }

        /**
         * Where an order-1 atomic burst stopped: at the floor, or above it with no free block of order 1 or more left
         * (the kernel's own allocations and the RAM disk leave order-0 holes, run to run), or above it with blocks
         * (which the rules do not allow); and whether clean page cache was still there. The seed's point is the last:
         * atomic requests do not reclaim.
         */
        static String atomicCacheClass(long free, long floor, int largestFreeOrder, long file) {
            String stop = free <= floor ? "at-floor" : largestFreeOrder < 1 ? "at-floor-or-fragmented" : "above-floor";
            if (stop.equals("at-floor")) {
                stop = "at-floor-or-fragmented";
            }
            return "fails-" + stop + (file > 1000 ? "-with-clean-cache" : "-without-cache");
        }

        /**
         * The fixed side of premature-order2-oom (4.7): memory filled with kernel pages (no reclaim, so the page cache
         * stays) down to min, 64 MB of clean page cache, then one order-2 GFP_KERNEL request. Since 4.9 reclaim and
         * compaction feedback keep it from OOM: it is granted, and the kernel prints no OOM report.
         */
        private void order2WithCleanCache(RealKernel k) throws IOException, InterruptedException {
            String noReclaim = "__GFP_IO|__GFP_FS|__GFP_NOWARN";
            List<String> cmds = List.of(RealKernel.PAGECACHE + " 64", "exhaust 1 " + noReclaim, "state",
                "alloc 2 2 GFP_KERNEL|__GFP_NOWARN process 1", "state");
            RealKernel.Boot boot = k.boot(256, List.<String[]>of(new String[] {"watermark_boost_factor", "0"}), cmds);
            KernelReport r = KernelReport.parse(boot.lines());
            System.out.println("-- premature-order2-oom (fixed side) at 256M, 64 MB clean page cache: boot-to-result "
                + boot.millis() + " ms");
            if (r.steps().size() < 4) {
                throw new IOException("order-2 scenario: the kernel printed " + r.steps().size() + " of 4 steps");
            }
            KernelReport.Zone before = zone(r.steps().get(1).zones(), "DMA32");
            boolean oom = r.dmesg().stream().anyMatch(l -> l.contains("invoked oom-killer"));
            String realClass = oom ? "oom" : r.steps().get(2).result().startsWith("ok=1") ? "granted-without-oom"
                : "failed-without-oom";
            long realFile = r.steps().get(1).zones().stream().mapToLong(KernelReport.Zone::file).sum();
            long total = r.lastZones().stream().mapToLong(KernelReport.Zone::managed).sum();
            Trace t = BugScenario.modelTrace(r, PRESET, List.of(
                new Op.Cache((int) realFile, false, 0, Optional.empty()),
                BugScenario.alloc("1", 0, noReclaim, Context.PROCESS, total),
                BugScenario.alloc("2", 2, "GFP_KERNEL|__GFP_NOWARN", Context.PROCESS, 1)));
            t = Trace.of(List.of(), PRESET.name(), t.node(), t.vm(),
                List.of(new TaskSpec(1, 0, false)), 0, t.ops(), List.of());
            Outcome o = TraceRunner.standard().run(t, PRESET);
            String mr = o.steps().get(o.steps().size() - 1).result();
            String modelClass = mr.contains("oom-kill") ? "oom" : mr.startsWith("ok") ? "granted-without-oom"
                : "failed-without-oom";
            check("premature-order2-oom: order-2 GFP_KERNEL with clean cache, memory at min",
                String.format("%s (DMA32 free %d, min %d, file %d before)", realClass, before.free(), before.min(),
                    before.file()),
                String.format("%s (result %s)", modelClass, mr), realClass.equals(modelClass));
        }

        /** A catalog bug's real-kernel scenario on Debian's packaged kernel and in the model under linux-6.1. */
        private void scenario(BugScenario s, RealKernel k) throws IOException, InterruptedException {
            RealKernel.Boot boot = k.boot(s.memMb(), s.sysctls(), s.commands());
            KernelReport r = KernelReport.parse(boot.lines());
            System.out.println("-- " + s.bugId() + " scenario at " + s.memMb() + "M, boost off: boot-to-result "
                + boot.millis() + " ms; compares " + s.compares());
            if (r.steps().size() < s.commands().size()) {
                throw new IOException(s.bugId() + ": the kernel printed " + r.steps().size() + " of "
                    + s.commands().size() + " steps");
            }
            BugScenario.Result real = s.real(r);
            BugScenario.Result model = s.model(r, PRESET);
            check(s.bugId() + ": " + (real.cls().equals(s.bugClass()) ? "bug present" : "fixed") + " on 6.1",
                real.toString(), model.toString(), real.cls().equals(model.cls()));
            if (s instanceof BugScenario.UnreserveBeforeOom) {
                // 04c8716f7b00 (4.10) is the older half of the same rule (force-unreserve at the retry limit; 6.8 made
                // it "whenever the retry gives up"): 6.1 has both, so the same run decides its class
                check("highatomic-before-oom: fixed on 6.1 (same run)", real.cls(), model.cls(),
                    real.cls().equals(model.cls()) && !real.cls().equals(s.bugClass()));
            }
        }

        static String reserveClass(long free, long min, long floor) {
            if (free > min && free <= floor) {
                return "above-min-refused-by-protection";
            }
            return free <= min ? "below-min" : "above-floor";
        }

        private static KernelReport.Zone zone(List<KernelReport.Zone> zs, String name) {
            return zs.stream().filter(z -> z.name().equals(name)).findFirst().orElse(null);
        }
    }

    @Command(name = "replay", mixinStandardHelpOptions = true, description = "Run a trace's alloc/free steps on the real kernel and print them beside the "
        + "model's results (preset linux-6.1). Other steps are listed as not supported by the module.")
    public static final class Replay implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", description = "a .trace file")
        Path file;

        @Option(names = "--mem", defaultValue = "256", description = "guest RAM in MB (default ${DEFAULT-VALUE})")
        int mem;

        @Override
        public Integer call() {
            Trace t;
            try {
                t = TraceParser.parseFile(file);
            } catch (TraceFormatException e) {
                System.err.println(e.getMessage());
                System.out.println("summary: steps=0 error=malformed");
                return 2;
            } catch (IOException e) {
                System.err.println(file + ": cannot read: " + e.getMessage());
                System.out.println("summary: steps=0 error=io");
                return 2;
            }
            KernelEnv env;
            try {
                env = env();
            } catch (KernelEnv.Missing e) {
                System.err.println("highwater kernel replay: " + e.getMessage());
                System.out.println("summary: steps=0 error=missing_packages");
                return 2;
            }
            try {
                Comparison c = compare(env, WORK, t, mem, System.out);
                System.out.println("summary: steps=" + t.ops().size() + " on_kernel=" + c.onKernel() + " disagree="
                    + c.disagreements() + " unsupported=" + c.unsupported() + " boot_ms=" + c.bootMillis());
                return c.disagreements() == 0 ? 0 : 1;
            } catch (IOException e) {
                System.err.println("highwater kernel replay: " + e.getMessage());
                System.out.println("summary: steps=0 error=boot");
                return 1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 1;
            }
        }
    }

    /** What a side-by-side replay found: steps run on the kernel, how many disagree, how many could not run. */
    record Comparison(int onKernel, int disagreements, int unsupported, long bootMillis) {
    }

    /**
     * Runs a trace's alloc and free steps on a real kernel and prints them beside two model runs (preset linux-6.1):
     * the model on the trace's own zones, and the model on the guest's zones — the managed pages and sysctls the
     * kernel reported, with unmovable pages already allocated until each zone's free count is the kernel's at the
     * start — which is the run the kernel is held against (DISAGREE). Other steps (page cache, anon, kswapd, …) are
     * not supported by the module. A blocking allocation without __GFP_NORETRY is sent with it, so an OOM kill cannot
     * take the guest's init: such steps count as unsupported.
     */
    static Comparison compare(KernelEnv env, Path work, Trace t, int mem, java.io.PrintStream out)
            throws IOException, InterruptedException {
        Map<String, Integer> handles = new LinkedHashMap<>();
        List<String> cmds = new ArrayList<>(List.of("state"));
        List<Integer> stepOfCmd = new ArrayList<>();
        List<Boolean> modified = new ArrayList<>();
        List<Op> guestOps = new ArrayList<>();
        for (int i = 0; i < t.ops().size(); i++) {
            Op op = t.ops().get(i);
            if (op instanceof Op.Alloc a && (handles.containsKey(a.handle()) || handles.size() < 63)) {
                int h = handles.computeIfAbsent(a.handle(), x -> handles.size() + 1);
                var mask = a.gfp().resolve(PRESET.gfpLayout());
                boolean mayOom = mask.has(dev.highwater.model.GfpFlag.DIRECT_RECLAIM)
                    && !mask.has(dev.highwater.model.GfpFlag.NORETRY)
                    && !mask.has(dev.highwater.model.GfpFlag.RETRY_MAYFAIL);
                String gfp = a.gfp() + (mayOom ? "|__GFP_NORETRY" : "");
                cmds.add("alloc " + h + " " + a.order() + " " + gfp + " "
                    + (a.context().inInterrupt() ? "softirq" : "process") + " " + a.count());
                stepOfCmd.add(i + 1);
                modified.add(mayOom);
                // the guest's model has one CPU and no tasks
                guestOps.add(new Op.Alloc(a.handle(), 0, a.order(), dev.highwater.model.Gfp.parse(gfp), a.context(), 0,
                    a.count(), Optional.empty()));
            } else if (op instanceof Op.Free f && handles.containsKey(f.handle())) {
                cmds.add("free " + handles.get(f.handle()) + " " + f.count());
                stepOfCmd.add(i + 1);
                modified.add(false);
                guestOps.add(new Op.Free(f.handle(), f.count(), 0, Optional.empty()));
            }
        }
        RealKernel.Boot boot = new RealKernel(env, work).boot(mem, List.of(), cmds);
        KernelReport r = KernelReport.parse(boot.lines());
        if (r.steps().isEmpty()) {
            throw new IOException("the kernel printed no state");
        }
        Outcome o = TraceRunner.standard().run(t.withPolicy(PRESET.name()), PRESET);
        List<String> guest = guestResults(r, guestOps);
        out.println("real kernel " + env.release() + " (" + env.vmlinuz() + ") with " + mem + " MB vs the model ("
            + PRESET.name() + ") on the trace's zones and on the guest's; boot-to-result " + boot.millis() + " ms");
        out.printf("%-5s %-58s %-20s %-20s %-20s %s%n", "step", "op", "real", "model (guest)", "model (trace)", "");
        int ci = 0;
        int disagree = 0;
        int unsupported = 0;
        for (StepRecord s : o.steps()) {
            String real = "(not supported)";
            String onGuest = "";
            String note = "";
            if (ci < stepOfCmd.size() && stepOfCmd.get(ci) == s.step()) {
                String raw = r.steps().size() > ci + 1 ? r.steps().get(ci + 1).result() : "?";
                real = normalize(raw);
                onGuest = guest.get(ci);
                if (modified.get(ci)) {
                    unsupported++;
                    note = "sent with __GFP_NORETRY";
                }
                if (s.op() instanceof Op.Alloc && !real.equals(onGuest)) {
                    disagree++;
                    note = (note.isEmpty() ? "" : note + "; ") + "DISAGREE";
                }
                ci++;
            } else {
                unsupported++;
            }
            out.printf("%-5d %-58s %-20s %-20s %-20s %s%n", s.step(), TracePrinter.opText(s.op()), real, onGuest,
                s.result(), note);
        }
        return new Comparison(cmds.size() - 1, disagree, unsupported, boot.millis());
    }

    /**
     * The model on the guest's zones: the kernel's managed pages and sysctls, unmovable pages allocated until each
     * zone's free count is the one the kernel showed before the first step, then the supported steps.
     */
    static List<String> guestResults(KernelReport r, List<Op> ops) {
        Trace t = BugScenario.modelTrace(r, PRESET, ops);
        var ms = TraceRunner.standard().boot(t, PRESET);
        BugScenario.padToRealFree(ms, t, r.steps().get(0).zones());
        List<String> out = new ArrayList<>();
        for (Op op : ops) {
            out.add(ms.apply(op));
        }
        return out;
    }

    /** The module's "ok=N fail=M" as a trace result ("ok", "fail" or "ok=N fail=M"); other lines as printed. */
    static String normalize(String raw) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("ok=(\\d+) fail=(\\d+)").matcher(raw);
        if (m.matches()) {
            return dev.highwater.model.trace.ResultText.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
        }
        return raw;
    }

    @Command(name = "build", mixinStandardHelpOptions = true, description = "Build (or find in the cache) a kernel from Debian's linux-source package "
        + "with the given patches from kernel/patches applied; prints where it is.")
    public static final class Build implements Callable<Integer> {
        @Option(names = "--patch", paramLabel = "NAME", description = "a patch in kernel/patches (file name, with or "
            + "without .patch); repeatable; none = the unpatched build")
        List<String> patches = new ArrayList<>();

        @Option(names = "--cache", paramLabel = "DIR", description = "kernel cache (default: $HIGHWATER_KERNEL_CACHE or "
            + "~/.cache/highwater/kernels)")
        Path cache;

        @Override
        public Integer call() {
            Path root = Path.of("").toAbsolutePath();
            try {
                KernelBuild.Inputs in = KernelBuild.unpatched(root);
                List<Path> ps = new ArrayList<>();
                for (String name : patches) {
                    ps.add(patchFile(root, name));
                }
                KernelBuild.Built b = new KernelBuild(cache != null ? cache : KernelBuild.defaultCache(), System.err)
                    .build(in.withPatches(ps));
                System.out.println("kernel " + b.release() + " (" + in.sourceVersion() + ", " + in.label() + ")");
                System.out.println("  bzImage " + b.bzImage());
                System.out.println("  tree    " + b.tree());
                System.out.println("summary: hash=" + b.hash() + " patches=" + ps.size() + " cached=" + b.cached()
                    + " build_s=" + b.buildMillis() / 1000);
                return 0;
            } catch (KernelEnv.Missing | NoSuchFileException e) {
                System.err.println("highwater kernel build: " + e.getMessage());
                System.out.println("summary: hash=none error=bad_input");
                return 2;
            } catch (IOException e) {
                System.err.println("highwater kernel build: " + e.getMessage());
                System.out.println("summary: hash=none error=build_failed");
                return 1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 1;
            }
        }
    }

    /** A patch of kernel/patches by name; a missing one is bad input naming what exists. */
    static Path patchFile(Path root, String name) throws NoSuchFileException {
        Path dir = root.resolve("kernel/patches");
        Path p = dir.resolve(name.endsWith(".patch") ? name : name + ".patch");
        if (!java.nio.file.Files.isRegularFile(p)) {
            String known;
            try (var s = java.nio.file.Files.list(dir)) {
                known = String.join(", ", s.map(x -> x.getFileName().toString()).sorted().toList());
            } catch (IOException e) {
                known = "none";
            }
            throw new NoSuchFileException(p + " (patches: " + known + ")");
        }
        return p;
    }
}
