package dev.highwater.properties.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.highwater.model.PageAllocator;
import dev.highwater.model.Tunables;
import dev.highwater.model.mm.MemorySystem;
import dev.highwater.model.mm.MmEvent;
import dev.highwater.model.policy.KernelPolicy;
import dev.highwater.model.trace.Op;
import dev.highwater.model.trace.Trace;
import dev.highwater.model.reference.ReferenceAllocator;
import dev.highwater.properties.PropertyCatalog;
import dev.highwater.properties.run.AllocatorKind;
import dev.highwater.properties.run.TraceRunner;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The fuzz run's two shortcuts change no outcome: an allocator reset to a booted template ({@code copyFrom}) runs a
 * trace exactly as a freshly booted one does, and the slow path's fixed-point fast-forward (livelocked retry loops)
 * ends in the state and events the full 256 rounds reach. "Exactly" is every step's result text and events and, after
 * every step, the free and per-CPU lists, the counters and (reference allocator) the memory system's fingerprint.
 */
class FuzzRunTest {
    private static final String NO_FAST_FORWARD = "highwater.slowpath.noFastForward";

    private static List<Object[]> traces(int n, long seed) {
        return DecodedTraces.traces(n, seed);
    }

    /** Everything observable after a step, as text. */
    private static String state(MemorySystem ms) {
        PageAllocator a = ms.allocator();
        StringBuilder sb = new StringBuilder();
        sb.append(ms.counters()).append(ms.liveHandles()).append(ms.events());
        for (int z = 0; z < a.zones().size(); z++) {
            sb.append(a.freeBlocks(z)).append(a.pcpBlocks(z)).append(a.nrFreePages(z)).append(' ')
                .append(a.nrReservedHighatomic(z)).append(' ').append(a.nrFreeHighatomic(z)).append(' ')
                .append(a.pcpPages(z)).append(' ').append(a.watermarks(z)).append(' ').append(a.watermarkBoost(z));
            for (long pfn = a.zoneStartPfn(z); pfn < a.zoneStartPfn(z) + a.zones().get(z).managedPages();
                 pfn += a.config().pageblockPages()) {
                sb.append(a.pageblockType(pfn).ordinal());
            }
        }
        if (a instanceof ReferenceAllocator) {
            sb.append(" fp=").append(ms.fingerprint());
        }
        return sb.toString();
    }

    /** Runs the trace and returns every step's result and state. */
    private static List<String> run(Trace t, PageAllocator a) {
        MemorySystem ms = new MemorySystem(a, t.tasks(), t.swapPages());
        List<String> out = new ArrayList<>();
        for (Op op : t.ops()) {
            out.add(ms.apply(op) + " | " + state(ms));
        }
        return out;
    }

    /** {@link #run} on a fresh allocator with the slow path's fast-forward and the repeated-failure shortcut off. */
    private static List<String> withoutShortcuts(Trace t, KernelPolicy p, AllocatorKind kind) {
        System.setProperty(NO_FAST_FORWARD, "true");
        try {
            return run(t, kind.create(p, t.node(), t.vm().toTunables(p)));
        } finally {
            System.clearProperty(NO_FAST_FORWARD);
        }
    }

    @Test
    void anAllocatorResetToItsTemplateRunsAsAFreshlyBootedOne() {
        List<Object[]> ts = traces(30, 6);
        int resets = 0;
        for (AllocatorKind kind : AllocatorKind.values()) {
            // three passes: the first boots each configuration, the second boots its template and resets the working
            // allocator (dirty from the first pass), the third only resets
            for (int pass = 0; pass < 3; pass++) {
                for (Object[] pt : ts) {
                    KernelPolicy p = (KernelPolicy) pt[0];
                    Trace t = (Trace) pt[1];
                    PageAllocator fresh = kind.create(p, t.node(), t.vm().toTunables(p));
                    PageAllocator reset = FuzzRun.freshAllocator(kind, p, t.node(), t.vm().toTunables(p));
                    assertThat(reset).isNotSameAs(fresh);
                    resets += pass > 0 ? 1 : 0;
                    assertThat(run(t, reset)).as("%s %s pass %d", kind, p.name(), pass).isEqualTo(run(t, fresh));
                }
            }
        }
        assertThat(resets).isEqualTo(2 * 2 * 30);
    }

    @Test
    void aTemplateBootedWithOtherTunablesResetsToABootWithTheRunsTunables() {
        // templates are shared by runs that differ only in their tunables (every preset without MIGRATE_RESERVE):
        // the reset allocator, given the run's tunables, must be the allocator a boot with them gives
        int shared = 0;
        for (AllocatorKind kind : AllocatorKind.values()) {
            for (Object[] pt : traces(40, 9)) {
                KernelPolicy p = (KernelPolicy) pt[0];
                Trace t = (Trace) pt[1];
                Tunables mine = t.vm().toTunables(p);
                Tunables other = mine.withMinFreeKbytes(mine.minFreeKbytes() * 2 + 64)
                    .withWatermarkScaleFactor(mine.watermarkScaleFactor() + 37);
                FuzzRun.freshAllocator(kind, p, t.node(), other); // boots (or resets) the working allocator
                FuzzRun.freshAllocator(kind, p, t.node(), other); // boots the template with the other tunables
                PageAllocator reset = FuzzRun.freshAllocator(kind, p, t.node(), mine);
                shared += FuzzRun.bootIndependentOfTunables(p) ? 1 : 0;
                assertThat(reset.tunables()).isEqualTo(mine);
                assertThat(run(t, reset)).as("%s %s", kind, p.name())
                    .isEqualTo(run(t, kind.create(p, t.node(), mine)));
            }
        }
        assertThat(shared).isGreaterThan(40);
    }

    /**
     * The two shortcuts of a request's slow path end every step where running everything ends (result, events,
     * counters, lists and, reference allocator, the fingerprint): the retry loop's fixed-point fast-forward, and the
     * memory system's accounting of a step's repeated failures (once a request has failed and changed nothing, the
     * rest of the step's requests with its context are accounted, not run). The traces include loops that ran into
     * the round bound, and steps of repeated failures, of requests that cannot reclaim (GFP_ATOMIC, GFP_NOWAIT) and
     * of requests that can (page cache, GFP_KERNEL).
     */
    @Test
    void theSlowPathShortcutsEndWhereRunningEveryRoundAndRequestEnds() {
        List<Object[]> ts = traces(160, 7);
        int livelocks = 0;
        int repeated = 0;
        int repeatedReclaiming = 0;
        for (Object[] pt : ts) {
            KernelPolicy p = (KernelPolicy) pt[0];
            Trace t = (Trace) pt[1];
            for (AllocatorKind kind : AllocatorKind.values()) {
                List<String> full = withoutShortcuts(t, p, kind);
                List<String> fast = run(t, kind.create(p, t.node(), t.vm().toTunables(p)));
                assertThat(fast).as("%s %s", kind, p.name()).isEqualTo(full);
                for (int i = 0; i < full.size(); i++) {
                    String s = full.get(i);
                    livelocks += s.contains("Livelock[") ? 1 : 0;
                    if (s.split("AllocFailed\\[", -1).length <= 3) {
                        continue; // fewer than three failed requests: nothing to account
                    }
                    if (t.ops().get(i) instanceof Op.Alloc a && !a.gfp().resolve(p.gfpLayout()).canDirectReclaim()) {
                        repeated++;
                    } else {
                        repeatedReclaiming++;
                    }
                }
            }
        }
        assertThat(livelocks).as("steps with a livelocked request").isGreaterThan(10);
        assertThat(repeated).as("steps with three or more failed requests that cannot reclaim").isGreaterThan(100);
        assertThat(repeatedReclaiming).as("steps with three or more failed requests that may reclaim").isGreaterThan(20);
    }


    @Test
    void executeReportsWhatAFreshRunReports() {
        // the verdict (property and step) of execute equals a run on freshly booted allocators, pass after pass
        for (Object[] pt : traces(30, 8)) {
            KernelPolicy p = (KernelPolicy) pt[0];
            Trace t = (Trace) pt[1];
            for (AllocatorKind kind : AllocatorKind.values()) {
                String first = verdict(FuzzRun.execute(t, p, PropertyCatalog.all(), kind, null));
                String again = verdict(FuzzRun.execute(t, p, PropertyCatalog.all(), kind, new StateFeedback()));
                String third = verdict(FuzzRun.execute(t, p, PropertyCatalog.all(), kind, null));
                assertThat(again).isEqualTo(first);
                assertThat(third).isEqualTo(first);
            }
        }
    }

    /**
     * The integrity skip's premise: after a step that leaves {@link MemorySystem#integrityVersion} as it was, nothing
     * an integrity property reads has changed (the allocator's lists, counters and pageblock types, the handle blocks
     * and the set of LRU pages, which may have changed lists or places). Checked on both allocators over decoded
     * traces of every preset, with the step's state before and after compared in full.
     */
    @Test
    void anUnchangedIntegrityVersionMeansAnUnchangedState() {
        for (AllocatorKind kind : AllocatorKind.values()) {
            int unchanged = 0;
            int steps = 0;
            for (Object[] pt : traces(220, 31)) {
                KernelPolicy p = (KernelPolicy) pt[0];
                Trace t = (Trace) pt[1];
                MemorySystem ms = new TraceRunner(List.of(), kind).boot(t, p);
                for (Op op : t.ops()) {
                    MemorySystem before = ms.copy();
                    long v0 = ms.integrityVersion();
                    ms.apply(op);
                    long v1 = ms.integrityVersion();
                    assertThat(v1).isGreaterThanOrEqualTo(v0).isNotNegative();
                    steps++;
                    if (v1 == v0) {
                        unchanged++;
                        assertThat(dev.highwater.properties.run.Differential.diffAllocators(before.allocator(),
                            ms.allocator())).as("%s %s %s", kind, p.name(), op).isEmpty();
                        assertThat(ms.allocations()).as("%s %s %s", kind, p.name(), op).isEqualTo(before.allocations());
                        assertThat(new java.util.TreeSet<>(ms.lruPages())).as("%s %s %s", kind, p.name(), op)
                            .isEqualTo(new java.util.TreeSet<>(before.lruPages()));
                        assertThat(ms.lruPages()).hasSameSizeAs(before.lruPages());
                    }
                }
            }
            assertThat(steps).isGreaterThan(2000);
            assertThat(unchanged).as("%s: steps that change nothing, of %d", kind, steps).isGreaterThan(steps / 10);
        }
    }

    /**
     * The memory system's half of the version: a page the memory system lets go of without the allocator taking it
     * back (a lying allocator whose {@code freePages} does nothing, so its own lists and counters stay as they were)
     * is a change the integrity properties must see at that step. Page conservation reports the lost page at the
     * free, not at some later step that happens to change the allocator.
     */
    @Test
    void aPageLostByTheMemorySystemAloneIsCheckedAtItsStep() throws Exception {
        Trace t = dev.highwater.model.trace.TraceParser.parse("lost-page.trace", String.join("\n",
            "highwater-trace 1",
            "policy mainline",
            "node pageblock_order=3 max_order=6 cpus=1",
            "zone Normal pages=256",
            "alloc #1 order=0 gfp=GFP_KERNEL count=3",
            "kswapd",
            "free #1 count=1",
            "kswapd",
            "alloc #2 order=0 gfp=GFP_KERNEL count=1",
            ""));
        KernelPolicy p = dev.highwater.model.policy.Presets.byName("mainline").orElseThrow();
        for (AllocatorKind kind : AllocatorKind.values()) {
            PageAllocator real = kind.create(p, t.node(), t.vm().toTunables(p));
            PageAllocator lying = (PageAllocator) java.lang.reflect.Proxy.newProxyInstance(
                PageAllocator.class.getClassLoader(), new Class<?>[] {PageAllocator.class}, (proxy, m, args) -> {
                    if (m.getName().equals("freePages")) {
                        return null; // the page is dropped: neither free nor held
                    }
                    if (m.getDeclaringClass() == Object.class) {
                        return m.getName().equals("equals") ? proxy == args[0]
                            : m.getName().equals("hashCode") ? System.identityHashCode(proxy) : "lying " + real;
                    }
                    try {
                        return m.invoke(real, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
            MemorySystem ms = new MemorySystem(lying, t.tasks(), t.swapPages());
            FuzzRun.Found f = FuzzRun.run(ms, t.ops(), PropertyCatalog.all(), null);
            assertThat(f).as("%s", kind).isNotNull();
            assertThat(f.violation().property()).as("%s", kind).isEqualTo("page-conservation");
            assertThat(f.violation().step()).as("%s: the free is step 3", kind).isEqualTo(3);
        }
    }

    /**
     * The verdict of {@link FuzzRun#execute}, which skips the integrity properties after a step that changed nothing
     * they read, is the verdict of checking every property after every step on a freshly booted system.
     */
    @Test
    void executeReportsWhatCheckingEveryPropertyAfterEveryStepReports() {
        int violated = 0;
        for (Object[] pt : traces(120, 12)) {
            KernelPolicy p = (KernelPolicy) pt[0];
            Trace t = (Trace) pt[1];
            for (AllocatorKind kind : AllocatorKind.values()) {
                String fuzz = verdict(FuzzRun.execute(t, p, PropertyCatalog.all(), kind, null));
                MemorySystem ms = new TraceRunner(List.of(), kind).boot(t, p);
                String every = "clean";
                steps:
                for (int i = 0; i < t.ops().size(); i++) {
                    Op op = t.ops().get(i);
                    String r = ms.apply(op);
                    dev.highwater.properties.StepView v = new dev.highwater.properties.StepView(ms, i + 1, op, r);
                    for (dev.highwater.properties.Property prop : PropertyCatalog.all()) {
                        java.util.Optional<String> m = prop.check(v);
                        if (m.isPresent()) {
                            every = new dev.highwater.properties.Violation(prop.id(), i + 1, m.get()).toString();
                            break steps;
                        }
                    }
                }
                assertThat(fuzz).as("%s %s", kind, p.name()).isEqualTo(every);
                violated += every.equals("clean") ? 0 : 1;
            }
        }
        assertThat(violated).as("runs with a violation").isGreaterThan(5);
    }

    private static String verdict(FuzzRun.Found f) {
        return f == null ? "clean" : f.violation().toString();
    }

    @Test
    void aLivelockIsStillReportedAsSuch() {
        // a GFP_NOFS request with nothing reclaimable loops (4.10+ report progress without a kill): the fast-forward
        // must still end it as a livelock after MAX_SLOWPATH_ROUNDS rounds, not earlier and not as a failure
        for (Object[] pt : traces(160, 7)) {
            KernelPolicy p = (KernelPolicy) pt[0];
            Trace t = (Trace) pt[1];
            MemorySystem ms = new TraceRunner(List.of(), AllocatorKind.FAST).boot(t, p);
            for (Op op : t.ops()) {
                String r = ms.apply(op);
                for (MmEvent e : ms.stepEvents()) {
                    if (e instanceof MmEvent.Livelock l) {
                        assertThat(l.rounds()).isEqualTo(MemorySystem.MAX_SLOWPATH_ROUNDS);
                        assertThat(r).contains("loop");
                        return;
                    }
                }
            }
        }
        throw new AssertionError("no livelock among the traces");
    }
}
