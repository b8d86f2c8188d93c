package dev.highwater.cli.kernel;

import dev.highwater.model.AllocFlags;
import dev.highwater.model.Context;
import dev.highwater.model.Gfp;
import dev.highwater.model.MigrateType;
import dev.highwater.model.NodeConfig;
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
import dev.highwater.model.trace.Trace;
import dev.highwater.model.trace.TraceFormatException;
import dev.highwater.model.trace.TraceParser;
import dev.highwater.model.trace.TracePrinter;
import dev.highwater.model.trace.VmSettings;
import dev.highwater.properties.run.Outcome;
import dev.highwater.properties.run.StepRecord;
import dev.highwater.properties.run.TraceRunner;
import java.io.IOException;
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
@Command(name = "kernel", description = "Hold the model against Debian's real Linux 6.1 kernel under QEMU.",
    subcommands = {KernelCommand.Conformance.class, KernelCommand.Replay.class})
public final class KernelCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    static final KernelPolicy PRESET = Presets.LINUX_6_1;
    static final Path WORK = Path.of("target", "highwater-kernel");

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

    @Command(name = "conformance", description = "Zone arithmetic at several sizes and sysctls, and the seed-000 and "
        + "lowmem-reserve scenarios, on the real kernel and in the model (preset linux-6.1).")
    public static final class Conformance implements Callable<Integer> {
        @Option(names = "--quick", description = "fewer boots (three)")
        boolean quick;

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
                List<Object[]> boots = new ArrayList<>();
                boots.add(new Object[] {128, List.<String[]>of()});
                boots.add(new Object[] {512, List.<String[]>of()});
                boots.add(new Object[] {256, List.<String[]>of(new String[] {"min_free_kbytes", "4096"})});
                if (!quick) {
                    boots.add(new Object[] {1024, List.<String[]>of()});
                    boots.add(new Object[] {256, List.<String[]>of(new String[] {"watermark_scale_factor", "100"})});
                    boots.add(new Object[] {256, List.<String[]>of(new String[] {"lowmem_reserve_ratio", "128 64 16 0 0"})});
                }
                for (Object[] b : boots) {
                    @SuppressWarnings("unchecked")
                    List<String[]> sys = (List<String[]>) b[1];
                    arithmetic((Integer) b[0], sys, k);
                }
                seed000(k);
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
        }

        /** The seed-000 sequence of issue 4 on the real kernel and in the model, compared by outcome class. */
        private void seed000(RealKernel k) throws IOException, InterruptedException {
            String noretry = "GFP_KERNEL|__GFP_NORETRY|__GFP_NOWARN";
            List<String> cmds = List.of("exhaust 1 " + noretry, "alloc 2 4 GFP_ATOMIC|__GFP_NOWARN softirq 64", "state",
                "free 2 0", "exhaust 3 " + noretry, "state", "alloc 4 0 GFP_ATOMIC|__GFP_NOWARN softirq 100000", "state");
            RealKernel.Boot boot = k.boot(256, List.<String[]>of(new String[] {"watermark_boost_factor", "0"}), cmds);
            KernelReport r = KernelReport.parse(boot.lines());
            System.out.println("-- seed-000 scenario at 256M, boost off: boot-to-result " + boot.millis() + " ms");
            // "before" = after the reservation, the free and the second exhaustion: what the atomic burst starts from
            KernelReport.Zone realBefore = zone(r.steps().get(5).zones(), "DMA32");
            KernelReport.Zone realAfter = zone(r.lastZones(), "DMA32");
            KernelReport.Zone realDma = zone(r.lastZones(), "DMA");
            // the model: the same zones and sysctls, the same steps under linux-6.1
            List<ZoneSpec> specs = new ArrayList<>();
            for (KernelReport.Zone z : r.lastZones()) {
                specs.add(ZoneSpec.of(ZoneType.parse(z.name()), z.managed()));
            }
            Tunables t = tunables(r.sysctl());
            VmSettings vm = new VmSettings(OptionalInt.of(t.minFreeKbytes()), OptionalInt.of(t.watermarkScaleFactor()),
                OptionalInt.of(0), Optional.of(t.lowmemReserveRatio()), OptionalInt.empty());
            long total = specs.stream().mapToLong(ZoneSpec::managedPages).sum();
            List<Op> ops = List.of(
                new Op.Alloc("1", 0, 0, Gfp.parse(noretry), Context.PROCESS, 0, (int) total, Optional.empty()),
                new Op.Alloc("2", 0, 4, Gfp.parse("GFP_ATOMIC|__GFP_NOWARN"), Context.SOFTIRQ, 0, 64, Optional.empty()),
                new Op.Free("2", 0, 0, Optional.empty()),
                new Op.Alloc("3", 0, 0, Gfp.parse(noretry), Context.PROCESS, 0, (int) total, Optional.empty()),
                new Op.Alloc("4", 0, 0, Gfp.parse("GFP_ATOMIC|__GFP_NOWARN"), Context.SOFTIRQ, 0, 20000, Optional.empty()));
            Trace trace = Trace.of(List.of(), PRESET.name(), new NodeConfig(specs, 9, 11, 1, 0, -1), vm, List.of(), 0, ops,
                List.of());
            Outcome o = TraceRunner.standard().run(trace, PRESET);
            int dma32 = specs.size() - 1;
            ZoneSnapshot mBefore = o.steps().get(3).zones().get(dma32);
            ZoneSnapshot mAfter = o.steps().get(o.steps().size() - 1).zones().get(dma32);
            int atomic = AllocFlags.MIN_RESERVE | AllocFlags.NON_BLOCK;
            long realFloor = WatermarkCheck.effectiveMin(PRESET.reserveRules(), realAfter.min(), atomic);
            long modelFloor = WatermarkCheck.effectiveMin(PRESET.reserveRules(), mAfter.min(), atomic);
            String realClass = atomicClass(realAfter.free(), realFloor, realBefore.freeOfType(3), realAfter.freeOfType(3),
                realBefore.ha());
            String modelClass = atomicClass(mAfter.nrFreePages(), modelFloor, mBefore.freePagesOfType(MigrateType.HIGHATOMIC),
                mAfter.freePagesOfType(MigrateType.HIGHATOMIC), mBefore.nrReservedHighatomic());
            check("seed-000: order-0 GFP_ATOMIC after highatomic reservation",
                String.format("%s (free %d, floor %d, H free %d->%d, HA %d)", realClass, realAfter.free(), realFloor,
                    realBefore.freeOfType(3), realAfter.freeOfType(3), realBefore.ha()),
                String.format("%s (free %d, floor %d, H free %d->%d, HA %d)", modelClass, mAfter.nrFreePages(), modelFloor,
                    mBefore.freePagesOfType(MigrateType.HIGHATOMIC), mAfter.freePagesOfType(MigrateType.HIGHATOMIC),
                    mBefore.nrReservedHighatomic()), realClass.equals(modelClass));
            // lowmem_reserve: DMA refuses the atomic request with free above min because protection is in the floor
            if (realDma != null) {
                ZoneSnapshot mDma = o.steps().get(o.steps().size() - 1).zones().get(0);
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
         * The outcome class of an order-0 atomic burst that ran until failure: at the atomic floor (281dd25c1a01 lets
         * it use the HIGHATOMIC lists, so the remaining free pages are the floor) or above it with every free page on
         * HIGHATOMIC lists (the bug of seed 000).
         */
        static String atomicClass(long free, long floor, long hBefore, long hAfter, long ha) {
            if (ha == 0) {
                return "no-highatomic-reserved";
            }
            if (free <= floor) {
                return hAfter == free ? "fails-at-floor-rest-highatomic" : "fails-at-floor";
            }
            return hAfter == free ? "fails-above-floor-all-highatomic" : "fails-above-floor";
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

    @Command(name = "replay", description = "Run a trace's alloc/free steps on the real kernel and print them beside the "
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
            Map<String, Integer> handles = new LinkedHashMap<>();
            List<String> cmds = new ArrayList<>();
            List<Integer> stepOfCmd = new ArrayList<>();
            for (int i = 0; i < t.ops().size(); i++) {
                Op op = t.ops().get(i);
                if (op instanceof Op.Alloc a && handles.size() < 63) {
                    int h = handles.computeIfAbsent(a.handle(), x -> handles.size() + 1);
                    cmds.add("alloc " + h + " " + a.order() + " " + a.gfp() + " "
                        + (a.context().inInterrupt() ? "softirq" : "process") + " " + a.count());
                    stepOfCmd.add(i + 1);
                } else if (op instanceof Op.Free f && handles.containsKey(f.handle())) {
                    cmds.add("free " + handles.get(f.handle()) + " " + f.count());
                    stepOfCmd.add(i + 1);
                }
            }
            try {
                RealKernel.Boot boot = new RealKernel(env, WORK).boot(mem, List.of(), cmds);
                KernelReport r = KernelReport.parse(boot.lines());
                Outcome o = TraceRunner.standard().run(t.withPolicy(PRESET.name()), PRESET);
                System.out.println("real kernel " + env.release() + " with " + mem + " MB vs the model (" + PRESET.name()
                    + ", the trace's zones); boot-to-result " + boot.millis() + " ms");
                System.out.printf("%-5s %-58s %-18s %s%n", "step", "op", "real", "model");
                int ci = 0;
                for (StepRecord s : o.steps()) {
                    String real = "(not supported)";
                    if (ci < stepOfCmd.size() && stepOfCmd.get(ci) == s.step()) {
                        real = r.steps().size() > ci ? r.steps().get(ci).result() : "?";
                        ci++;
                    }
                    System.out.printf("%-5d %-58s %-18s %s%n", s.step(), TracePrinter.opText(s.op()), real, s.result());
                }
                System.out.println("summary: steps=" + o.steps().size() + " on_kernel=" + cmds.size()
                    + " boot_ms=" + boot.millis());
                return 0;
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
}
