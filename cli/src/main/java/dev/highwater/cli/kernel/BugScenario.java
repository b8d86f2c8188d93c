package dev.highwater.cli.kernel;

import dev.highwater.model.AllocFlags;
import dev.highwater.model.Context;
import dev.highwater.model.FreeAreaView;
import dev.highwater.model.Gfp;
import dev.highwater.model.MigrateType;
import dev.highwater.model.NodeConfig;
import dev.highwater.model.Tunables;
import dev.highwater.model.WatermarkCheck;
import dev.highwater.model.ZoneSnapshot;
import dev.highwater.model.ZoneSpec;
import dev.highwater.model.ZoneType;
import dev.highwater.model.policy.HighOrderCheck;
import dev.highwater.model.policy.HighatomicFallback;
import dev.highwater.model.policy.HighatomicSubtraction;
import dev.highwater.model.policy.KernelPolicy;
import dev.highwater.model.policy.Presets;
import dev.highwater.model.trace.Op;
import dev.highwater.model.trace.Trace;
import dev.highwater.model.trace.VmSettings;
import dev.highwater.properties.run.Outcome;
import dev.highwater.properties.run.TraceRunner;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A catalog bug made visible on real kernels: the patch that makes one build bug-present and the other bug-absent,
 * the module commands of the scenario, how a real run is classified, and the same scenario in the model under the
 * bug-present and bug-absent variants of the {@code linux-6.1} preset. Outcome classes, not pfns, are compared: the
 * real kernel has its own background allocations.
 */
public sealed interface BugScenario {
    String GFP_NORETRY = "GFP_KERNEL|__GFP_NORETRY|__GFP_NOWARN";
    String GFP_ATOMIC = "GFP_ATOMIC|__GFP_NOWARN";

    /** A classified run: the class and the figures it was decided on. */
    record Result(String cls, String figures) {
        @Override
        public String toString() {
            return cls + " (" + figures + ")";
        }
    }

    String bugId();

    /** The file in kernel/patches. */
    String patch();

    /** True when the patch reverts a fix the packaged source carries (the patched build has the bug). */
    boolean patchMakesBugPresent();

    /** The bug's outcome class: the bug-present kernel must show it, the bug-absent one must not. */
    String bugClass();

    /** linux-6.1 as Debian ships it, changed the way the patch changes the kernel when the build has the bug. */
    KernelPolicy presetWithBug();

    KernelPolicy presetWithoutBug();

    /** The one-line description of what is compared. */
    String compares();

    default int memMb() {
        return 256;
    }

    /** Boost off: a fallback steal boosting min would move the floors the classes compare (issue 4). */
    default List<String[]> sysctls() {
        return List.<String[]>of(new String[] {"watermark_boost_factor", "0"});
    }

    List<String> commands();

    Result real(KernelReport r);

    Result model(KernelReport r, KernelPolicy p);

    static List<BugScenario> all() {
        return List.of(new AtomicOrder0Highatomic(), new FreeHighatomicTracking(), new Order0OnlyWatermarks(),
            new UnreserveBeforeOom());
    }

    static Optional<BugScenario> byId(String id) {
        return all().stream().filter(s -> s.bugId().equals(id)).findFirst();
    }

    // ---- shared pieces -------------------------------------------------------------------------------------------

    static KernelReport.Zone zone(List<KernelReport.Zone> zs, String name) {
        return zs.stream().filter(z -> z.name().equals(name)).findFirst()
            .orElseThrow(() -> new IllegalStateException("the kernel reported no " + name + " zone"));
    }

    /** The model's node for a real run: the zones with the managed pages the kernel reported, pageblock order 9. */
    static Trace modelTrace(KernelReport r, KernelPolicy p, List<Op> ops) {
        List<ZoneSpec> specs = new ArrayList<>();
        for (KernelReport.Zone z : r.lastZones()) {
            specs.add(ZoneSpec.of(ZoneType.parse(z.name()), z.managed()));
        }
        Tunables t = KernelCommand.tunables(r.sysctl());
        VmSettings vm = new VmSettings(OptionalInt.of(t.minFreeKbytes()), OptionalInt.of(t.watermarkScaleFactor()),
            OptionalInt.of(0), Optional.of(t.lowmemReserveRatio()), OptionalInt.empty());
        return Trace.of(List.of(), p.name(), new NodeConfig(specs, 9, 11, 1, 0, -1), vm, List.of(), 0, ops, List.of());
    }

    /**
     * What the guest itself holds (kernel image, RAM disk, init): unmovable pages allocated in the model until each
     * zone's free count is the kernel's in {@code real}.
     */
    static void padToRealFree(dev.highwater.model.mm.MemorySystem ms, Trace t, List<KernelReport.Zone> real) {
        for (KernelReport.Zone rz : real) {
            ZoneType type = ZoneType.parse(rz.name());
            int zi = zoneIndex(t, type);
            long pad = ms.allocator().nrFreePages(zi) - rz.free();
            if (pad > 0) {
                ms.apply(alloc("guest-pad-" + zi, 0, (type == ZoneType.DMA ? "GFP_KERNEL|__GFP_DMA" : "GFP_KERNEL")
                    + "|__GFP_NORETRY|__GFP_NOWARN", Context.PROCESS, pad));
            }
        }
    }

    static long totalManaged(KernelReport r) {
        return r.lastZones().stream().mapToLong(KernelReport.Zone::managed).sum();
    }

    static Op.Alloc alloc(String handle, int order, String gfp, Context ctx, long count) {
        return new Op.Alloc(handle, 0, order, Gfp.parse(gfp), ctx, 0, (int) count, Optional.empty());
    }

    static int zoneIndex(Trace t, ZoneType type) {
        for (int i = 0; i < t.node().zones().size(); i++) {
            if (t.node().zones().get(i).type() == type) {
                return i;
            }
        }
        throw new IllegalStateException("no " + type + " zone");
    }

    // ---- 281dd25c1a01 -------------------------------------------------------------------------------------------

    /**
     * Seed 000: order-0 GFP_ATOMIC after highatomic blocks were reserved. The packaged 6.1.192 carries 281dd25c1a01
     * (order-0 non-blocking requests may use the HIGHATOMIC lists after __rmqueue fails); the patch reverts it.
     */
    final class AtomicOrder0Highatomic implements BugScenario {
        static final KernelPolicy WITH_BUG = Presets.LINUX_6_1.toBuilder()
            .name("linux-6.1-281dd25c1a01-reverted", "Debian 6.1.192 with 281dd25c1a01 reverted")
            .highatomicFallback(HighatomicFallback.OOM_ONLY).build();

        @Override public String bugId() { return "atomic-order0-highatomic"; }
        @Override public String patch() { return "281dd25c1a01-revert.patch"; }
        @Override public boolean patchMakesBugPresent() { return true; }
        @Override public String bugClass() { return "fails-above-floor-all-highatomic"; }
        @Override public KernelPolicy presetWithBug() { return WITH_BUG; }
        @Override public KernelPolicy presetWithoutBug() { return Presets.LINUX_6_1; }

        @Override
        public String compares() {
            return "DMA32 after order-0 GFP_ATOMIC ran until failure: free pages against the atomic floor "
                + "(min - min/2 - min/8), and how many of them are on HIGHATOMIC lists";
        }

        @Override
        public List<String> commands() {
            return List.of("exhaust 1 " + GFP_NORETRY, "alloc 2 4 " + GFP_ATOMIC + " softirq 64", "state", "free 2 0",
                "exhaust 3 " + GFP_NORETRY, "state", "alloc 4 0 " + GFP_ATOMIC + " softirq 100000", "state");
        }

        @Override
        public Result real(KernelReport r) {
            KernelReport.Zone before = zone(r.steps().get(5).zones(), "DMA32");
            KernelReport.Zone after = zone(r.lastZones(), "DMA32");
            long floor = atomicFloor(after.min());
            return new Result(atomicClass(after.free(), floor, after.freeOfType(3), before.ha()),
                String.format("free %d, floor %d, H free %d->%d, HA %d", after.free(), floor, before.freeOfType(3),
                    after.freeOfType(3), before.ha()));
        }

        /** The scenario as a trace on the real run's zones, run under {@code p}. */
        static Outcome modelOutcome(KernelReport r, KernelPolicy p) {
            long total = totalManaged(r);
            Trace t = modelTrace(r, p, List.of(
                alloc("1", 0, GFP_NORETRY, Context.PROCESS, total),
                alloc("2", 4, GFP_ATOMIC, Context.SOFTIRQ, 64),
                new Op.Free("2", 0, 0, Optional.empty()),
                alloc("3", 0, GFP_NORETRY, Context.PROCESS, total),
                alloc("4", 0, GFP_ATOMIC, Context.SOFTIRQ, 20000)));
            return TraceRunner.standard().run(t, p);
        }

        @Override
        public Result model(KernelReport r, KernelPolicy p) {
            Outcome o = modelOutcome(r, p);
            int z = r.lastZones().indexOf(zone(r.lastZones(), "DMA32"));
            ZoneSnapshot before = o.steps().get(3).zones().get(z);
            ZoneSnapshot after = o.steps().get(o.steps().size() - 1).zones().get(z);
            long floor = atomicFloor(after.min());
            long hBefore = before.freePagesOfType(MigrateType.HIGHATOMIC);
            long hAfter = after.freePagesOfType(MigrateType.HIGHATOMIC);
            return new Result(atomicClass(after.nrFreePages(), floor, hAfter, before.nrReservedHighatomic()),
                String.format("free %d, floor %d, H free %d->%d, HA %d", after.nrFreePages(), floor, hBefore, hAfter,
                    before.nrReservedHighatomic()));
        }

        static long atomicFloor(long min) {
            return WatermarkCheck.effectiveMin(Presets.LINUX_6_1.reserveRules(), min,
                AllocFlags.MIN_RESERVE | AllocFlags.NON_BLOCK);
        }

        /**
         * At the atomic floor (281dd25c1a01 lets the burst use the HIGHATOMIC lists, so what stays free is the floor),
         * or above it with every free page on HIGHATOMIC lists (seed 000).
         */
        static String atomicClass(long free, long floor, long hAfter, long ha) {
            if (ha == 0) {
                return "no-highatomic-reserved";
            }
            if (free <= floor) {
                return hAfter == free ? "fails-at-floor-rest-highatomic" : "fails-at-floor";
            }
            return hAfter == free ? "fails-above-floor-all-highatomic" : "fails-above-floor";
        }
    }

    // ---- c928807f6f6b -------------------------------------------------------------------------------------------

    /**
     * GFP_KERNEL while highatomic blocks are reserved and in use. 6.1.192 subtracts the whole reservation in the
     * watermark check of callers without reserve access; c928807f6f6b (applied by the patch) subtracts only the free
     * pages on HIGHATOMIC lists.
     */
    final class FreeHighatomicTracking implements BugScenario {
        static final KernelPolicy WITHOUT_BUG = Presets.LINUX_6_1.toBuilder()
            .name("linux-6.1+c928807f6f6b", "Debian 6.1.192 with c928807f6f6b applied")
            .highatomicSubtraction(HighatomicSubtraction.FREE_HIGHATOMIC).build();

        @Override public String bugId() { return "free-highatomic-tracking"; }
        @Override public String patch() { return "c928807f6f6b-apply.patch"; }
        @Override public boolean patchMakesBugPresent() { return false; }
        @Override public String bugClass() { return "kernel-refused-above-min-by-reservation"; }
        @Override public KernelPolicy presetWithBug() { return Presets.LINUX_6_1; }
        @Override public KernelPolicy presetWithoutBug() { return WITHOUT_BUG; }

        @Override
        public String compares() {
            return "DMA32 after GFP_KERNEL|__GFP_NORETRY ran until failure with the highatomic blocks in use: the free "
                + "pages outside HIGHATOMIC lists above min, against the reservation";
        }

        @Override
        public List<String> commands() {
            // the atomic burst reserves and fills highatomic blocks (and ends near the atomic floor); giving back
            // the first exhaustion's pages lifts every zone far above min + the reservation before GFP_KERNEL runs
            return List.of("exhaust 1 " + GFP_NORETRY, "alloc 2 4 " + GFP_ATOMIC + " softirq 64", "free 1 0",
                "state", "exhaust 3 " + GFP_NORETRY, "state");
        }

        @Override
        public Result real(KernelReport r) {
            KernelReport.Zone z = zone(r.lastZones(), "DMA32");
            return classify(z.free(), z.freeOfType(3), z.ha(), z.min());
        }

        @Override
        public Result model(KernelReport r, KernelPolicy p) {
            long total = totalManaged(r);
            Trace t = modelTrace(r, p, List.of(
                alloc("1", 0, GFP_NORETRY, Context.PROCESS, total),
                alloc("2", 4, GFP_ATOMIC, Context.SOFTIRQ, 64),
                new Op.Free("1", 0, 0, Optional.empty()),
                alloc("3", 0, GFP_NORETRY, Context.PROCESS, total)));
            Outcome o = TraceRunner.standard().run(t, p);
            ZoneSnapshot z = o.steps().get(o.steps().size() - 1).zones().get(zoneIndex(t, ZoneType.DMA32));
            return classify(z.nrFreePages(), z.freePagesOfType(MigrateType.HIGHATOMIC), z.nrReservedHighatomic(), z.min());
        }

        /**
         * Where GFP_KERNEL stopped: with the whole reservation subtracted it stops about nr_reserved_highatomic pages
         * above min (counting only pages outside HIGHATOMIC lists); with the free highatomic pages subtracted, at min.
         */
        static Result classify(long free, long freeHighatomic, long reserved, long min) {
            long outside = free - freeHighatomic;
            String figures = String.format("free %d, on H lists %d, outside %d, min %d, HA %d", free, freeHighatomic,
                outside, min, reserved);
            if (reserved == 0) {
                return new Result("no-highatomic-reserved", figures);
            }
            return new Result(outside - min > (reserved - freeHighatomic) / 2
                ? "kernel-refused-above-min-by-reservation" : "kernel-refused-at-min", figures);
        }
    }

    // ---- 97a16fc82a7c -------------------------------------------------------------------------------------------

    /**
     * An order-4 GFP_KERNEL request while one free order-4 block exists in DMA32 and most free memory is unmergeable
     * order-0 pages. Before 97a16fc82a7c (4.4) the check subtracted the smaller blocks and halved min per order; the
     * patch puts that loop back. The module's "fragment" step has no trace op, so the model side is the model's
     * watermark check (WatermarkCheck) evaluated on the free lists the real kernel printed before the request, for
     * DMA32 and then DMA (the fallback zone, protected by lowmem_reserve).
     */
    final class Order0OnlyWatermarks implements BugScenario {
        static final KernelPolicy WITH_BUG = Presets.LINUX_6_1.toBuilder()
            .name("linux-6.1-97a16fc82a7c-reverted", "Debian 6.1.192 with 97a16fc82a7c reverted")
            .highOrderCheck(HighOrderCheck.SHRINKING_MIN).build();

        @Override public String bugId() { return "order0-only-watermarks"; }
        @Override public String patch() { return "97a16fc82a7c-revert.patch"; }
        @Override public boolean patchMakesBugPresent() { return true; }
        @Override public String bugClass() { return "order-4-refused-with-free-block"; }
        @Override public KernelPolicy presetWithBug() { return WITH_BUG; }
        @Override public KernelPolicy presetWithoutBug() { return Presets.LINUX_6_1; }

        @Override
        public String compares() {
            return "order-4 GFP_KERNEL|__GFP_NORETRY when DMA32's only free block of order >= 4 is one order-4 block and "
                + "half of its pages are free as unmergeable order-0 pages: granted or refused";
        }

        @Override
        public List<String> commands() {
            // our order-4 block; memory down to min; half of DMA32 freed as order-0 singletons; every other block of
            // order >= 4 taken without a watermark check (__GFP_MEMALLOC: the hunt must not itself depend on the rule
            // under test); our block back: the only free block of order >= 4; then the request
            return List.of("alloc 2 4 " + GFP_NORETRY + " process 1", "exhaust 1 " + GFP_NORETRY, "fragment 1 DMA32",
                "alloc 5 4 __GFP_MEMALLOC|__GFP_NOWARN process 4000", "free 2 0", "state",
                "alloc 3 4 " + GFP_NORETRY + " process 1", "state");
        }

        @Override
        public Result real(KernelReport r) {
            KernelReport.Zone z = zone(r.steps().get(5).zones(), "DMA32");
            String res = r.steps().get(6).result();
            boolean ok = res.startsWith("ok=1");
            return new Result(classOf(z, ok), figures(z) + ", request " + (ok ? "granted" : "refused"));
        }

        @Override
        public Result model(KernelReport r, KernelPolicy p) {
            KernelReport.Zone dma32 = zone(r.steps().get(5).zones(), "DMA32");
            boolean ok = kernelRequestPasses(r.steps().get(5).zones(), p, 4);
            return new Result(classOf(dma32, ok), figures(dma32) + ", watermark check " + (ok ? "passes" : "fails"));
        }

        /**
         * The model's watermark check (min watermark, as the slow path of a GFP_KERNEL|__GFP_NORETRY request uses)
         * on the free lists the real kernel printed: DMA32 first, then DMA with its lowmem_reserve for DMA32
         * requests (at 256 MB DMA32 is the highest zone).
         */
        static boolean kernelRequestPasses(List<KernelReport.Zone> zones, KernelPolicy p, int order) {
            boolean ok = false;
            for (KernelReport.Zone z : zones) {
                ZoneType type = ZoneType.parse(z.name());
                if (type != ZoneType.DMA32 && type != ZoneType.DMA) {
                    continue;
                }
                long protection = type == ZoneType.DMA ? z.protection().get(1) : 0;
                WatermarkCheck.Counters c = new WatermarkCheck.Counters(z.free(), z.ha(), z.freeOfType(3));
                ok |= WatermarkCheck.zoneWatermarkOk(p, c, area(z), 11, order, z.min(), protection, 0, z.free());
            }
            return ok;
        }

        private static String classOf(KernelReport.Zone dma32, boolean granted) {
            if (largestTypedOrder(dma32) < 4) {
                return "no-free-order-4-block";
            }
            return granted ? "order-4-granted-with-free-block" : "order-4-refused-with-free-block";
        }

        private static String figures(KernelReport.Zone z) {
            return String.format("DMA32 free %d, order-0 free %d, largest free order %d, min %d", z.free(),
                area(z).nrFree(0), largestTypedOrder(z), z.min());
        }

        /** The largest order with a free block on an UNMOVABLE, MOVABLE or RECLAIMABLE list. */
        static int largestTypedOrder(KernelReport.Zone z) {
            int best = -1;
            for (var e : z.freeBlocks().entrySet()) {
                String[] k = e.getKey().split(":");
                int o = Integer.parseInt(k[0]);
                if (Integer.parseInt(k[1]) < 3 && e.getValue() > 0) {
                    best = Math.max(best, o);
                }
            }
            return best;
        }

        /** The real free lists as the model's view (6.1 migratetype indices: U 0, M 1, E 2, H 3). */
        static FreeAreaView area(KernelReport.Zone z) {
            return new FreeAreaView() {
                @Override
                public long nrFree(int order) {
                    long n = 0;
                    for (var e : z.freeBlocks().entrySet()) {
                        if (Integer.parseInt(e.getKey().split(":")[0]) == order) {
                            n += e.getValue();
                        }
                    }
                    return n;
                }

                @Override
                public boolean hasFree(int order, MigrateType type) {
                    int mt = switch (type) {
                        case UNMOVABLE -> 0;
                        case MOVABLE -> 1;
                        case RECLAIMABLE -> 2;
                        case HIGHATOMIC -> 3;
                        default -> -1;
                    };
                    Long n = z.freeBlocks().get(order + ":" + mt);
                    return n != null && n > 0;
                }
            };
        }
    }

    // ---- unreserve highatomic page blocks before oom (6.8, in 6.1.y) -------------------------------------------------

    /**
     * Seed 002's OOM: highatomic blocks reserved and free, then a user-space task grows until the OOM killer runs.
     * Debian's 6.1.192 carries the 6.8 change (should_reclaim_retry force-unreserves whenever it would give up), so the
     * reserve is drained before the OOM kill; the patch puts back 4.10's rule (unreserve only after 16 rounds without
     * progress), and with nothing reclaimable the OOM killer runs while the free pages sit in highatomic blocks. The
     * real state at the OOM kill is read from the kernel's own OOM report (its zone and buddy lines, parsed by
     * model.kernellog), the model's from its OomKill event.
     */
    final class UnreserveBeforeOom implements BugScenario {
        static final KernelPolicy WITH_BUG = Presets.LINUX_6_1.toBuilder()
            .name("linux-6.1-unreserve-before-oom-reverted", "Debian 6.1.192 with 6.8's unreserve-before-oom reverted")
            .mm(Presets.LINUX_6_1.mm().withForceUnreserve(dev.highwater.model.policy.ForceUnreserve.AT_RETRY_LIMIT))
            .build();

        @Override public String bugId() { return "unreserve-before-oom"; }
        @Override public String patch() { return "unreserve-before-oom-revert.patch"; }
        @Override public boolean patchMakesBugPresent() { return true; }
        @Override public String bugClass() { return "oom-above-min-free-in-highatomic"; }
        @Override public KernelPolicy presetWithBug() { return WITH_BUG; }
        @Override public KernelPolicy presetWithoutBug() { return Presets.LINUX_6_1; }

        @Override
        public String compares() {
            return "DMA32 at the OOM kill of a task growing its anonymous memory after highatomic blocks were reserved "
                + "and freed: free pages above min, and how many are in HIGHATOMIC blocks";
        }

        @Override
        public List<String> commands() {
            return List.of("exhaust 1 " + GFP_NORETRY, "alloc 2 4 " + GFP_ATOMIC + " softirq 64", "free 2 0", "free 1 0",
                "state", RealKernel.HOG, "state");
        }

        @Override
        public Result real(KernelReport r) {
            List<dev.highwater.model.kernellog.KernelReport> reports;
            try {
                reports = dev.highwater.model.kernellog.KernelLogParser.parse(String.join("\n", r.dmesg()), "dmesg");
            } catch (dev.highwater.model.kernellog.KernelLogException e) {
                return new Result("no-oom", "no OOM report in the kernel log (" + e.getMessage() + ")");
            }
            var oom = reports.stream().filter(x -> x.kind() == dev.highwater.model.kernellog.KernelReport.Kind.OOM)
                .findFirst();
            var z = oom.flatMap(x -> x.zone("DMA32"));
            if (z.isEmpty()) {
                return new Result("no-oom", "no OOM report with a DMA32 zone in the kernel log");
            }
            long free = z.get().pages("free").orElse(-1);
            long min = z.get().pages("min").orElse(-1);
            long h = z.get().pagesOnlyOfType(MigrateType.HIGHATOMIC);
            long haAfter = zone(r.lastZones(), "DMA32").ha();
            long file = z.get().pages("active_file").orElse(0) + z.get().pages("inactive_file").orElse(0);
            return classify(free, min, h, "file LRU " + file + ", nr_reserved_highatomic after the kill " + haAfter);
        }

        @Override
        public Result model(KernelReport r, KernelPolicy p) {
            long total = totalManaged(r);
            Trace t = modelTrace(r, p, List.of());
            t = Trace.of(List.of(), p.name(), t.node(), t.vm(), List.of(new dev.highwater.model.trace.TaskSpec(1, 0, false)),
                0, List.of(
                    alloc("1", 0, GFP_NORETRY, Context.PROCESS, total),
                    alloc("2", 4, GFP_ATOMIC, Context.SOFTIRQ, 64),
                    new Op.Free("2", 0, 0, Optional.empty()),
                    new Op.Free("1", 0, 0, Optional.empty()),
                    new Op.Anon(1, (int) total, 0, Optional.empty())), List.of());
            var ms = TraceRunner.standard().boot(t, p);
            int z = zoneIndex(t, ZoneType.DMA32);
            for (Op op : t.ops()) {
                ms.apply(op);
                for (var e : ms.events()) {
                    if (e instanceof dev.highwater.model.mm.MmEvent.OomKill k) {
                        var zs = k.zones().get(z);
                        return classify(zs.free(), zs.min(), zs.freeHighatomic(), "nr_reserved_highatomic at the kill "
                            + zs.reservedHighatomic());
                    }
                }
            }
            return new Result("no-oom", "the model did not OOM-kill");
        }

        /** Above min by more than a pageblock's worth with at least half the excess in highatomic blocks: the bug. */
        static Result classify(long free, long min, long freeHighatomic, String extra) {
            String figures = String.format("at the OOM kill: free %d, min %d, in HIGHATOMIC blocks %d; %s", free, min,
                freeHighatomic, extra);
            boolean bug = free - min > 64 && freeHighatomic >= (free - min) / 2;
            return new Result(bug ? "oom-above-min-free-in-highatomic" : "oom-at-min", figures);
        }
    }
}
