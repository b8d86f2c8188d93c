package dev.highwater.properties;

import static org.assertj.core.api.Assertions.assertThat;

import dev.highwater.model.Context;
import dev.highwater.model.Gfp;
import dev.highwater.model.NodeConfig;
import dev.highwater.model.PageAllocator;
import dev.highwater.model.Tunables;
import dev.highwater.model.ZoneSpec;
import dev.highwater.model.ZoneType;
import dev.highwater.model.mm.MemorySystem;
import dev.highwater.model.policy.EarlyCompaction;
import dev.highwater.model.policy.HighatomicCreator;
import dev.highwater.model.policy.KernelPolicy;
import dev.highwater.model.policy.Presets;
import dev.highwater.model.reference.ReferenceAllocator;
import dev.highwater.model.trace.Expectation;
import dev.highwater.model.trace.Op;
import dev.highwater.model.trace.TaskSpec;
import dev.highwater.model.trace.Trace;
import dev.highwater.model.trace.TracePrinter;
import dev.highwater.model.trace.VmSettings;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;
import net.jqwik.api.providers.TypeUsage;
import net.jqwik.api.state.Action;
import net.jqwik.api.state.ActionChain;
import net.jqwik.api.state.ActionChainArbitrary;
import net.jqwik.api.state.Transformer;
import net.jqwik.api.statistics.Statistics;

/**
 * Stateful property tests of the reference allocator inside the whole memory system: random chains of kernel
 * allocations (bulk GFP_KERNEL / GFP_HIGHUSER_MOVABLE with and without __GFP_NORETRY, GFP_ATOMIC in interrupt
 * context, GFP_NOWAIT), frees and drains, page cache (clean reads, dirty writes, writeback), anonymous memory of 1–3
 * tasks with varied {@code oom_score_adj}, task exit, kswapd and kcompactd runs, sysctl changes, and a fragmenting
 * workload (two owners faulting page by page, see {@link Fragment}), on small random nodes with or without swap, under
 * every preset, with every integrity property of {@link PropertyCatalog#integrity()} checked after every step (an
 * action is one step, except a fragment, which is a few hundred). The test also keeps its own ledger of live handles
 * from the result texts and checks it against the memory system's.
 *
 * <p>Policy properties are not asserted (historic presets are expected to break them), but every one is checked after
 * every action and the chains that broke it are counted: the per-preset summary line shows which share of chains
 * violated each policy property.
 *
 * <p>The chains are meant to reach the states where allocator and memory-management bugs live, and the coverage
 * checks make sure they do: a property fails if fewer than a third of its chains take some zone below its low
 * watermark, fewer than 10% OOM-kill a task, fewer than 20% run kswapd after a wakeup, fewer than 5% compact (presets
 * with compaction), or (for presets that reserve highatomic blocks) fewer than 5% take a zone below its min watermark
 * while it holds a highatomic reserve. Watermarks are compared without the 5.0+ boost, so "below min" means the
 * atomic reserve was really used. A panic (no killable task left) is allowed.
 *
 * <p>Each chain starts with a {@code boot} action that draws the node shape, the sysctls, the tasks, the swap size and
 * the chain's swarm weights: every action kind is registered in {@value #SLOTS} slots, and a kind with weight k has its
 * first k slots enabled (a precondition), so some chains are bulk-heavy, some atomic-heavy, some page-cache or
 * anon-heavy, some churn with frees, and some kinds are switched off. Booting inside the chain, rather than
 * flat-mapping a chain per shape, keeps shrinking effective: jqwik shrinks the boot values and drops actions of the
 * same chain instead of generating a new one.
 *
 * <p>On an integrity violation the failure message holds the run as a replayable trace (every alloc with a handle of
 * its own, as the trace format requires).
 */
class ReferenceModelProperties {

    static final int TRIES = 100;
    /** Actions per chain (plus the boot action). */
    static final int MAX_ACTIONS = 40;
    /** Action slots per kind: the most weight a kind can have in one chain. */
    static final int SLOTS = 4;

    /** Which preset a property runs under (read by the chain provider from the parameter). */
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.PARAMETER, ElementType.TYPE_USE})
    @interface Preset {
        String value();
    }

    // ---- one property per preset

    @Property(tries = TRIES)
    void linux_2_6_32(@ForAll("chains") @Preset("linux-2.6.32") ActionChain<World> chain) {
        run(chain);
    }

    @Property(tries = TRIES)
    void linux_4_4(@ForAll("chains") @Preset("linux-4.4") ActionChain<World> chain) {
        run(chain);
    }

    @Property(tries = TRIES)
    void linux_4_7(@ForAll("chains") @Preset("linux-4.7") ActionChain<World> chain) {
        run(chain);
    }

    @Property(tries = TRIES)
    void linux_4_8(@ForAll("chains") @Preset("linux-4.8") ActionChain<World> chain) {
        run(chain);
    }

    @Property(tries = TRIES)
    void linux_4_9(@ForAll("chains") @Preset("linux-4.9") ActionChain<World> chain) {
        run(chain);
    }

    @Property(tries = TRIES)
    void linux_4_10(@ForAll("chains") @Preset("linux-4.10") ActionChain<World> chain) {
        run(chain);
    }

    @Property(tries = TRIES)
    void linux_6_1(@ForAll("chains") @Preset("linux-6.1") ActionChain<World> chain) {
        run(chain);
    }

    @Property(tries = TRIES)
    void linux_6_3(@ForAll("chains") @Preset("linux-6.3") ActionChain<World> chain) {
        run(chain);
    }

    @Property(tries = TRIES)
    void linux_6_8(@ForAll("chains") @Preset("linux-6.8") ActionChain<World> chain) {
        run(chain);
    }

    @Property(tries = TRIES)
    void linux_6_12(@ForAll("chains") @Preset("linux-6.12") ActionChain<World> chain) {
        run(chain);
    }

    @Property(tries = TRIES)
    void mainline(@ForAll("chains") @Preset("mainline") ActionChain<World> chain) {
        run(chain);
    }

    /** A new preset needs its property here: the list of properties above must match {@link Presets#names()}. */
    @Example
    void everyPresetHasAProperty() {
        List<String> covered = new ArrayList<>();
        for (Method m : ReferenceModelProperties.class.getDeclaredMethods()) {
            if (m.isAnnotationPresent(Property.class)) {
                for (var annotations : m.getParameterAnnotations()) {
                    Arrays.stream(annotations).filter(a -> a instanceof Preset).map(a -> ((Preset) a).value())
                        .forEach(covered::add);
                }
            }
        }
        assertThat(covered).containsExactlyInAnyOrderElementsOf(Presets.names());
    }

    // ---- running a chain and judging its coverage

    /** What a chain may reach; the summary line shows the share of chains that reached each. */
    enum Reached {
        BELOW_LOW("below low"), BELOW_MIN("below min"), HIGHATOMIC("highatomic reserved"),
        BELOW_MIN_WITH_HIGHATOMIC("below min with highatomic"), ALLOC_FAILED("alloc failed"), OOM_KILL("OOM kill"),
        OOM_PANIC("OOM panic"), KSWAPD("kswapd ran"), FRAGMENTED("fragmented"), COMPACTION("compaction"),
        RECLAIM("reclaim"), SWAP_USED("swap used");

        final String label;

        Reached(String label) {
            this.label = label;
        }
    }

    /** Per preset: chains run, steps run, and how many chains reached each state or broke each policy property. */
    static final class Tally {
        int chains;
        long steps;
        final int[] reached = new int[Reached.values().length];
        final Map<String, Integer> policyViolated = new LinkedHashMap<>();

        Tally() {
            PropertyCatalog.policy().forEach(p -> policyViolated.put(p.id(), 0));
        }
    }

    private static final Map<String, Tally> TALLY = new ConcurrentHashMap<>();

    private String preset;
    private long startNanos;
    /** Set by the first failing chain: the shrinking runs that follow are not counted in the statistics. */
    private boolean failed;

    @BeforeProperty
    void start() {
        startNanos = System.nanoTime();
    }

    @AfterProperty
    void summary() {
        if (preset == null) {
            return;
        }
        Tally t = TALLY.remove(preset);
        if (t == null || t.chains == 0) {
            return;
        }
        StringBuilder sb = new StringBuilder(String.format("ReferenceModelProperties %-12s", preset));
        for (Reached r : Reached.values()) {
            sb.append(String.format(" | %s %3.0f%%", r.label, 100.0 * t.reached[r.ordinal()] / t.chains));
        }
        sb.append(" | policy violated:");
        t.policyViolated.forEach((id, n) -> sb.append(String.format(" %s %.0f%%", id, 100.0 * n / t.chains)));
        sb.append(String.format(" | %d chains, %.1f steps/chain, %.1f s", t.chains, (double) t.steps / t.chains,
            (System.nanoTime() - startNanos) / 1e9));
        if (failed) {
            sb.append(" | FAILED: shares are of the chains before the first failure");
        }
        System.out.println(sb);
    }

    private void run(ActionChain<World> chain) {
        World w;
        try {
            w = chain.run();
        } catch (Throwable e) {
            failed = true;
            throw e;
        }
        preset = w.policy.name();
        if (failed || !w.booted()) {
            return; // a shrinking run, or a chain shrunk to nothing
        }
        MemorySystem.NodeCounters c = w.system.counters();
        Set<Reached> reached = w.reached;
        if (c.oomKills() > 0) {
            reached.add(Reached.OOM_KILL);
        }
        if (c.kswapdRuns() > 0) {
            reached.add(Reached.KSWAPD);
        }
        if (c.compactions() > 0) {
            reached.add(Reached.COMPACTION);
        }
        if (c.reclaimed() > 0) {
            reached.add(Reached.RECLAIM);
        }
        Tally t = TALLY.computeIfAbsent(preset, k -> new Tally());
        synchronized (t) {
            t.chains++;
            t.steps += w.step;
            reached.forEach(r -> t.reached[r.ordinal()]++);
            w.policyViolated.forEach(id -> t.policyViolated.merge(id, 1, Integer::sum));
        }

        Statistics.label("below low").collect(w.has(Reached.BELOW_LOW))
            .coverage(k -> k.check(true).percentage(p -> p >= 33.0));
        Statistics.label("OOM kill").collect(w.has(Reached.OOM_KILL))
            .coverage(k -> k.check(true).percentage(p -> p >= 10.0));
        Statistics.label("kswapd ran").collect(w.has(Reached.KSWAPD))
            .coverage(k -> k.check(true).percentage(p -> p >= 20.0));
        if (w.policy.mm().earlyCompaction() != EarlyCompaction.NONE) {
            Statistics.label("compaction").collect(w.has(Reached.COMPACTION))
                .coverage(k -> k.check(true).percentage(p -> p >= 5.0));
        } else {
            // 2.6.32 has no compaction: nothing may ever be compacted
            assertThat(c.compactions()).as("compactions under %s", preset).isZero();
        }
        Statistics.label("fragmented").collect(w.has(Reached.FRAGMENTED));
        Statistics.label("reclaim").collect(w.has(Reached.RECLAIM));
        Statistics.label("below min").collect(w.has(Reached.BELOW_MIN));
        Statistics.label("highatomic reserved").collect(w.has(Reached.HIGHATOMIC));
        Statistics.label("alloc failed").collect(w.has(Reached.ALLOC_FAILED));
        Statistics.label("OOM panic (no task to kill)").collect(w.has(Reached.OOM_PANIC));
        Statistics.label("swap used").collect(w.has(Reached.SWAP_USED));
        for (dev.highwater.properties.Property p : PropertyCatalog.policy()) {
            Statistics.label("policy violated: " + p.id()).collect(w.policyViolated.contains(p.id()));
        }
        Statistics.label("zones").collect(w.shape.describe());
        Statistics.label("tasks").collect(w.tasks.stream().map(k -> String.valueOf(k.oomScoreAdj()))
            .collect(Collectors.joining(",")));
        Statistics.label("swap").collect(w.swapPages > 0);
        Statistics.label("highatomic possible (6.8+ cap)").collect(w.shape.highatomicCapReachable());
        Statistics.label("mix").collect(w.weights.mix());
        if (w.policy.highatomicCreator() != HighatomicCreator.NEVER) {
            Statistics.label("below min with highatomic").collect(w.has(Reached.BELOW_MIN_WITH_HIGHATOMIC))
                .coverage(k -> k.check(true).percentage(p -> p >= 5.0));
        } else {
            // 2.6.32 has no MIGRATE_HIGHATOMIC: nothing may ever be reserved
            assertThat(w.has(Reached.HIGHATOMIC)).as("highatomic reserved under %s", preset).isFalse();
        }
    }

    // ---- generators

    @Provide
    Arbitrary<ActionChain<World>> chains(TypeUsage type) {
        String name = type.findAnnotation(Preset.class).map(Preset::value)
            .orElseThrow(() -> new IllegalStateException("annotate the chain parameter with @Preset"));
        KernelPolicy policy = Presets.byName(name).orElseThrow(() -> new IllegalStateException("no preset " + name));
        preset = name;
        ActionChainArbitrary<World> chain = ActionChain.<World>startWith(() -> new World(policy))
            .withAction(new Boot());
        for (int slot = 0; slot < SLOTS; slot++) {
            chain = chain.withAction(new BulkAlloc(slot)).withAction(new AtomicAlloc(slot))
                .withAction(new NowaitAlloc(slot)).withAction(new FreeHandle(slot)).withAction(new Drain(slot))
                .withAction(new CacheFill(slot)).withAction(new Writeback(slot)).withAction(new AnonFault(slot))
                .withAction(new Exit(slot)).withAction(new KswapdRun(slot)).withAction(new Compact(slot))
                .withAction(new Sysctl(slot)).withAction(new Fragment(slot));
        }
        return chain.withMaxTransformations(MAX_ACTIONS + 1);
    }

    /** Node shape and sysctls of one chain. */
    record Shape(List<ZoneSpec> zones, int pageblockOrder, int maxOrder, int cpus, OptionalInt minFreeKbytes,
                 boolean boostOff) {
        NodeConfig node() {
            return new NodeConfig(zones, pageblockOrder, maxOrder, cpus, 0, -1);
        }

        Tunables tunables(KernelPolicy p) {
            Tunables t = Tunables.defaults(p.watermarkRules().highmemRatioZero());
            if (minFreeKbytes.isPresent()) {
                t = t.withMinFreeKbytes(minFreeKbytes.getAsInt());
            }
            return boostOff ? t.withWatermarkBoostFactor(0) : t;
        }

        /** 6.8+ (§6.2): some zone's 1% is at least a pageblock, so it may reserve highatomic blocks at all. */
        boolean highatomicCapReachable() {
            return zones.stream().anyMatch(z -> z.managedPages() / 100 >= 1L << pageblockOrder);
        }

        String describe() {
            return String.join("+", zones.stream().map(z -> z.type().kernelName()).toList());
        }
    }

    enum Kind { BULK, ATOMIC, NOWAIT, FREE, DRAIN, CACHE, WRITEBACK, ANON, EXIT, KSWAPD, COMPACT, SYSCTL, FRAGMENT }

    /** Swarm weights of one chain, 0..{@value #SLOTS} per {@link Kind}: 0 switches a kind off. */
    record Weights(List<Integer> weights) {
        int of(Kind k) {
            return weights.get(k.ordinal());
        }

        String mix() {
            int kernel = of(Kind.BULK) + of(Kind.ATOMIC) + of(Kind.NOWAIT);
            int lru = of(Kind.CACHE) + of(Kind.ANON);
            if (of(Kind.BULK) == 0 && lru == 0) {
                return "no bulk";
            }
            if (lru > kernel) {
                return "lru-heavy";
            }
            return of(Kind.BULK) >= of(Kind.ATOMIC) + of(Kind.NOWAIT) ? "bulk-heavy" : "atomic-heavy";
        }

        @Override
        public String toString() {
            return Arrays.stream(Kind.values()).map(k -> k.name().toLowerCase() + "=" + of(k))
                .collect(Collectors.joining(",", "Weights[", "]"));
        }
    }

    static Arbitrary<Shape> shapes() {
        Arbitrary<Integer> pages = Arbitraries.integers().between(1024, 8192)
            .withDistribution(RandomDistribution.uniform());
        Arbitrary<List<ZoneSpec>> single = Combinators.combine(Arbitraries.of(ZoneType.NORMAL, ZoneType.DMA32), pages)
            .as((t, n) -> List.of(ZoneSpec.of(t, n)));
        Arbitrary<List<ZoneSpec>> dmaDma32 = Combinators.combine(Arbitraries.integers().between(256, 1024), pages)
            .as((d, n) -> List.of(ZoneSpec.of(ZoneType.DMA, d), ZoneSpec.of(ZoneType.DMA32, n)));
        Arbitrary<List<ZoneSpec>> dma32Normal = Combinators.combine(pages, pages)
            .as((d, n) -> List.of(ZoneSpec.of(ZoneType.DMA32, d), ZoneSpec.of(ZoneType.NORMAL, n)));
        Arbitrary<List<ZoneSpec>> zones = Arbitraries.frequencyOf(
            Tuple.of(6, single), Tuple.of(2, dmaDma32), Tuple.of(2, dma32Normal));
        Arbitrary<OptionalInt> mfk = Arbitraries.integers().between(256, 2048).optional(0.5)
            .map(o -> o.map(OptionalInt::of).orElseGet(OptionalInt::empty));
        // small pageblocks are favoured: from 6.8 a zone reserves highatomic blocks only if 1% of it is at least a
        // pageblock (§6.2), which 1024–8192-page zones rarely reach with 128-page blocks
        Arbitrary<Integer> pageblockOrder = Arbitraries.frequency(Tuple.of(4, 4), Tuple.of(3, 5), Tuple.of(2, 6),
            Tuple.of(1, 7));
        return Combinators.combine(zones, pageblockOrder, Arbitraries.integers().between(8, 11),
                Arbitraries.integers().between(1, 2), mfk, Arbitraries.of(true, false, false))
            .as(Shape::new);
    }

    static Arbitrary<Weights> weights() {
        Arbitrary<Integer> w = Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.just(0)),
            Tuple.of(3, Arbitraries.integers().between(1, SLOTS)));
        Arbitrary<Integer> rare = Arbitraries.frequency(Tuple.of(2, 0), Tuple.of(1, 1)); // exit, sysctl: occasionally
        Arbitrary<Integer> drain = Arbitraries.integers().between(1, 2);
        // a fragment costs a few hundred steps: at most once per chain, in two chains of three
        Arbitrary<Integer> fragment = Arbitraries.frequency(Tuple.of(1, 0), Tuple.of(2, 1));
        List<Arbitrary<Integer>> perKind = new ArrayList<>();
        for (Kind k : Kind.values()) {
            perKind.add(switch (k) {
                case DRAIN -> drain;
                case EXIT, SYSCTL -> rare;
                case FRAGMENT -> fragment;
                default -> w;
            });
        }
        return Combinators.combine(perKind).as(Weights::new);
    }

    /** 1–3 tasks; most are ordinary, some are preferred victims, some unkillable, a few real-time. */
    static Arbitrary<List<TaskSpec>> tasks() {
        Arbitrary<Integer> adj = Arbitraries.frequency(Tuple.of(5, 0), Tuple.of(2, 500), Tuple.of(1, -500),
            Tuple.of(2, -1000));
        Arbitrary<Boolean> rt = Arbitraries.frequency(Tuple.of(9, false), Tuple.of(1, true));
        return Combinators.combine(adj, rt).as((a, r) -> new int[] {a, r ? 1 : 0}).list().ofMinSize(1).ofMaxSize(3)
            .map(specs -> {
                List<TaskSpec> out = new ArrayList<>();
                for (int i = 0; i < specs.size(); i++) {
                    out.add(new TaskSpec(i + 1, specs.get(i)[0], specs.get(i)[1] == 1));
                }
                return out;
            });
    }

    /** No swap in half the chains, else a few hundred pages. */
    static Arbitrary<Integer> swapPages() {
        return Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.just(0)),
            Tuple.of(1, Arbitraries.integers().between(64, 512)));
    }

    // ---- the state

    /** The memory system under test, plus what the chain has reached so far. */
    static final class World {
        final KernelPolicy policy;
        Shape shape;
        Weights weights;
        List<TaskSpec> tasks;
        int swapPages;
        MemorySystem system;
        long managed;
        final List<Op> ops = new ArrayList<>();
        /** handle → blocks it still holds (the test's own ledger, kept like the memory system keeps its own). */
        final Map<String, Integer> held = new LinkedHashMap<>();
        int step;
        final Set<Reached> reached = new LinkedHashSet<>();
        /** Policy properties this chain has violated at least once, in the order first seen. */
        final Set<String> policyViolated = new LinkedHashSet<>();

        World(KernelPolicy policy) {
            this.policy = policy;
        }

        void boot(Shape s, Weights w, List<TaskSpec> t, int swap) {
            shape = s;
            weights = w;
            tasks = List.copyOf(t);
            swapPages = swap;
            system = new MemorySystem(new ReferenceAllocator(policy, s.node(), s.tunables(policy)), tasks, swap);
            managed = s.node().totalManagedPages();
        }

        boolean booted() {
            return system != null;
        }

        boolean has(Reached r) {
            return reached.contains(r);
        }

        /** Whether slot {@code slot} of an action kind is enabled in this chain. */
        boolean enabled(Kind kind, int slot) {
            return booted() && weights.of(kind) > slot;
        }

        PageAllocator allocator() {
            return system.allocator();
        }

        /** Handles that still hold blocks, and how many, in allocation order. */
        Map<String, Integer> liveHandles() {
            Map<String, Integer> live = new LinkedHashMap<>();
            held.forEach((h, n) -> {
                if (n > 0) {
                    live.put(h, n);
                }
            });
            return live;
        }

        /** Units of a counted op that succeeded, from its result: {@code ok}, {@code ok=A fail=B} or {@code fail}. */
        static int succeeded(String result, int count) {
            if (result.startsWith("ok=")) {
                return Integer.parseInt(result.substring(3, result.indexOf(' ')));
            }
            return result.startsWith("ok") ? count : 0;
        }

        private void book(Op op, String result) {
            if (op instanceof Op.Alloc a) {
                int ok = succeeded(result, a.count());
                held.merge(a.handle(), ok, Integer::sum);
                if (ok < a.count()) {
                    reached.add(Reached.ALLOC_FAILED);
                }
            } else if (op instanceof Op.Free f) {
                held.computeIfPresent(f.handle(), (h, n) -> f.count() == 0 ? 0 : Math.max(0, n - f.count()));
            } else if (op instanceof Op.Cache c && succeeded(result, c.pages()) < c.pages()) {
                reached.add(Reached.ALLOC_FAILED);
            } else if (op instanceof Op.Anon an && succeeded(result, an.pages()) < an.pages()) {
                reached.add(Reached.ALLOC_FAILED);
            }
        }

        /** Applies one op, checks every integrity and every policy property, and records what the state reached. */
        void apply(Op op) {
            String result = system.apply(op);
            step++;
            ops.add(op.withExpected(Optional.of(result)));
            StepView view = new StepView(system, step, op, result);
            for (dev.highwater.properties.Property p : PropertyCatalog.integrity()) {
                Optional<String> msg = p.check(view);
                if (msg.isPresent()) {
                    throw new AssertionError(String.format("%s violated at step %d under %s: %s%n"
                        + "the run as a trace (replay it with 'highwater replay'):%n%s", p.id(), step, policy.name(),
                        msg.get(), asTrace(p.id())));
                }
            }
            for (dev.highwater.properties.Property p : PropertyCatalog.policy()) {
                if (!policyViolated.contains(p.id()) && p.check(view).isPresent()) {
                    policyViolated.add(p.id());
                }
            }
            book(op, result);
            if (!liveHandles().equals(system.liveHandles())) {
                throw new AssertionError(String.format("step %d under %s: the result text says handles %s are live, "
                        + "the memory system holds %s%nthe run as a trace:%n%s", step, policy.name(), liveHandles(),
                    system.liveHandles(), asTrace("page-conservation")));
            }
            if (result.contains("panic")) {
                reached.add(Reached.OOM_PANIC);
            }
            if (system.counters().swapUsed() > 0) {
                reached.add(Reached.SWAP_USED);
            }
            PageAllocator a = allocator();
            for (int z = 0; z < a.zones().size(); z++) {
                long free = a.nrFreePages(z);
                long boost = a.watermarkBoost(z);
                boolean ha = a.nrReservedHighatomic(z) > 0;
                boolean underMin = free < a.watermarks(z).min() - boost;
                if (free < a.watermarks(z).low() - boost) {
                    reached.add(Reached.BELOW_LOW);
                }
                if (underMin) {
                    reached.add(Reached.BELOW_MIN);
                }
                if (ha) {
                    reached.add(Reached.HIGHATOMIC);
                }
                if (underMin && ha) {
                    reached.add(Reached.BELOW_MIN_WITH_HIGHATOMIC);
                }
            }
        }

        /** The steps so far as a replayable trace, with the results they gave and the violation expected. */
        String asTrace(String property) {
            VmSettings vm = new VmSettings(shape.minFreeKbytes(), OptionalInt.empty(),
                shape.boostOff() ? OptionalInt.of(0) : OptionalInt.empty(), Optional.empty(), OptionalInt.empty());
            Trace t = Trace.of(List.of("found by ReferenceModelProperties (" + weights + ")"), policy.name(),
                shape.node(), vm, tasks, swapPages, ops,
                List.of(Expectation.violation(Optional.empty(), property, OptionalInt.of(step))));
            return TracePrinter.print(t);
        }

        @Override
        public String toString() {
            return policy.name() + " " + shape + " " + weights + " tasks=" + tasks + " swap=" + swapPages;
        }
    }

    // ---- actions

    private static Transformer<World> step(Op op) {
        return Transformer.mutate(TracePrinter.opText(op), w -> w.apply(op));
    }

    private static Transformer<World> allocTransformer(String handle, int task, int order, String gfp, Context ctx,
                                                       int cpu, int count) {
        return step(new Op.Alloc(handle, task, order, Gfp.of(gfp), ctx, cpu, count, Optional.empty()));
    }

    private static Arbitrary<Integer> cpu(World w) {
        return Arbitraries.integers().between(0, w.shape.cpus() - 1);
    }

    /** {@code pct}% of the node's managed pages, at least one. */
    private static int share(World w, int pct) {
        return (int) Math.max(1, w.managed * pct / 100);
    }

    /** Draws the node, the sysctls, the tasks, the swap and the swarm weights; the first action of every chain only. */
    static final class Boot implements Action.Independent<World> {
        @Override
        public boolean precondition(World w) {
            return !w.booted();
        }

        @Override
        public Arbitrary<Transformer<World>> transformer() {
            return Combinators.combine(shapes(), weights(), tasks(), swapPages()).as((shape, weights, tasks, swap) ->
                Transformer.mutate("boot " + shape + " " + weights + " tasks=" + tasks + " swap=" + swap,
                    w -> w.boot(shape, weights, tasks, swap)));
        }
    }

    /** One slot of an action kind: applicable once booted, if the chain's weight for the kind exceeds the slot. */
    abstract static class Slotted implements Action.Dependent<World> {
        final Kind kind;
        final int slot;

        Slotted(Kind kind, int slot) {
            this.kind = kind;
            this.slot = slot;
        }

        @Override
        public boolean precondition(World w) {
            return w.enabled(kind, slot);
        }
    }

    /**
     * GFP_KERNEL or GFP_HIGHUSER_MOVABLE, 5–60% of the node's managed pages in one go, mostly order 0 (some 1–3,
     * which compact directly); half of them with __GFP_NORETRY (fail after one reclaim round instead of retrying into
     * the OOM killer). A quarter run on behalf of a task (an OOM victim's later allocations get its reserve access).
     */
    static final class BulkAlloc extends Slotted {
        BulkAlloc(int slot) {
            super(Kind.BULK, slot);
        }

        @Override
        public Arbitrary<Transformer<World>> transformer(World w) {
            String handle = "b" + w.step;
            Arbitrary<Integer> order = Arbitraries.frequency(Tuple.of(6, 0), Tuple.of(1, 1), Tuple.of(1, 2),
                Tuple.of(1, 3));
            Arbitrary<Integer> task = Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.just(0)),
                Tuple.of(1, Arbitraries.integers().between(1, w.tasks.size())));
            return Combinators.combine(Arbitraries.of("GFP_KERNEL", "GFP_HIGHUSER_MOVABLE", "GFP_KERNEL|__GFP_NORETRY",
                    "GFP_HIGHUSER_MOVABLE|__GFP_NORETRY"), order, task,
                    Arbitraries.integers().between(5, 60), cpu(w))
                .as((gfp, o, t, pct, cpu) -> allocTransformer(handle, t, o, gfp, Context.PROCESS, cpu,
                    Math.max(1, share(w, pct) >> o)));
        }
    }

    /** GFP_ATOMIC of order 0–3 in softirq (sometimes hardirq), 1–40 at a time. */
    static final class AtomicAlloc extends Slotted {
        AtomicAlloc(int slot) {
            super(Kind.ATOMIC, slot);
        }

        @Override
        public Arbitrary<Transformer<World>> transformer(World w) {
            String handle = "a" + w.step;
            return Combinators.combine(Arbitraries.integers().between(0, 3),
                    Arbitraries.of("GFP_ATOMIC", "GFP_ATOMIC", "GFP_ATOMIC|__GFP_NOWARN"),
                    Arbitraries.of(Context.SOFTIRQ, Context.SOFTIRQ, Context.SOFTIRQ, Context.HARDIRQ),
                    cpu(w), Arbitraries.integers().between(1, 40))
                .as((order, gfp, ctx, cpu, count) -> allocTransformer(handle, 0, order, gfp, ctx, cpu, count));
        }
    }

    /** GFP_NOWAIT of order 0–2, in process context or softirq, 1–40 at a time. */
    static final class NowaitAlloc extends Slotted {
        NowaitAlloc(int slot) {
            super(Kind.NOWAIT, slot);
        }

        @Override
        public Arbitrary<Transformer<World>> transformer(World w) {
            String handle = "n" + w.step;
            return Combinators.combine(Arbitraries.integers().between(0, 2),
                    Arbitraries.of("GFP_NOWAIT", "GFP_NOWAIT|__GFP_NOWARN"),
                    Arbitraries.of(Context.PROCESS, Context.SOFTIRQ),
                    cpu(w), Arbitraries.integers().between(1, 40))
                .as((order, gfp, ctx, cpu, count) -> allocTransformer(handle, 0, order, gfp, ctx, cpu, count));
        }
    }

    /** Frees all, or the k most recent, of one live handle's blocks, on a random CPU. */
    static final class FreeHandle extends Slotted {
        FreeHandle(int slot) {
            super(Kind.FREE, slot);
        }

        @Override
        public boolean precondition(World w) {
            return super.precondition(w) && !w.liveHandles().isEmpty();
        }

        @Override
        public Arbitrary<Transformer<World>> transformer(World w) {
            Map<String, Integer> live = w.liveHandles();
            return Arbitraries.of(List.copyOf(live.keySet())).flatMap(h -> Combinators.combine(
                    Arbitraries.oneOf(Arbitraries.just(0), Arbitraries.integers().between(1, live.get(h))), cpu(w))
                .as((count, cpu) -> step(new Op.Free(h, count, cpu, Optional.empty()))));
        }
    }

    /** drain_all_pages. */
    static final class Drain extends Slotted {
        Drain(int slot) {
            super(Kind.DRAIN, slot);
        }

        @Override
        public Arbitrary<Transformer<World>> transformer(World w) {
            return Arbitraries.just(step(new Op.Drain(Optional.empty())));
        }
    }

    /** {@code cache read=N} (clean) or {@code cache write=N} (dirty), N = 2–40% of the node. */
    static final class CacheFill extends Slotted {
        CacheFill(int slot) {
            super(Kind.CACHE, slot);
        }

        @Override
        public Arbitrary<Transformer<World>> transformer(World w) {
            return Combinators.combine(Arbitraries.integers().between(2, 40), Arbitraries.of(false, true), cpu(w))
                .as((pct, dirty, cpu) -> step(new Op.Cache(share(w, pct), dirty, cpu, Optional.empty())));
        }
    }

    /** The flusher: all dirty pages, or the 1–256 oldest. */
    static final class Writeback extends Slotted {
        Writeback(int slot) {
            super(Kind.WRITEBACK, slot);
        }

        @Override
        public Arbitrary<Transformer<World>> transformer(World w) {
            return Arbitraries.oneOf(Arbitraries.just(0), Arbitraries.integers().between(1, 256))
                .map(n -> step(new Op.Writeback(n, Optional.empty())));
        }
    }

    /** {@code anon task=T pages=N}, N = 2–40% of the node. */
    static final class AnonFault extends Slotted {
        AnonFault(int slot) {
            super(Kind.ANON, slot);
        }

        @Override
        public Arbitrary<Transformer<World>> transformer(World w) {
            return Combinators.combine(Arbitraries.integers().between(1, w.tasks.size()),
                    Arbitraries.integers().between(2, 40), cpu(w))
                .as((task, pct, cpu) -> step(new Op.Anon(task, share(w, pct), cpu, Optional.empty())));
        }
    }

    /** {@code exit task=T}. */
    static final class Exit extends Slotted {
        Exit(int slot) {
            super(Kind.EXIT, slot);
        }

        @Override
        public Arbitrary<Transformer<World>> transformer(World w) {
            return Arbitraries.integers().between(1, w.tasks.size()).map(t -> step(new Op.Exit(t, Optional.empty())));
        }
    }

    /** kswapd runs (if woken). */
    static final class KswapdRun extends Slotted {
        KswapdRun(int slot) {
            super(Kind.KSWAPD, slot);
        }

        @Override
        public Arbitrary<Transformer<World>> transformer(World w) {
            return Arbitraries.just(step(new Op.Kswapd(Optional.empty())));
        }
    }

    /** kcompactd: for the order it was woken for (else pageblock order), or explicitly order 1–3 or pageblock order. */
    static final class Compact extends Slotted {
        Compact(int slot) {
            super(Kind.COMPACT, slot);
        }

        @Override
        public Arbitrary<Transformer<World>> transformer(World w) {
            List<Integer> orders = new ArrayList<>(List.of(-1, 1, 2, 3, w.shape.pageblockOrder()));
            orders.removeIf(o -> o >= w.shape.maxOrder());
            return Arbitraries.of(orders).map(o -> step(new Op.Compact(o, Optional.empty())));
        }
    }

    /** {@code sysctl vm.min_free_kbytes=N} or {@code vm.watermark_scale_factor=N}: watermarks move under load. */
    static final class Sysctl extends Slotted {
        Sysctl(int slot) {
            super(Kind.SYSCTL, slot);
        }

        @Override
        public Arbitrary<Transformer<World>> transformer(World w) {
            return Arbitraries.oneOf(
                Arbitraries.integers().between(128, 4096)
                    .map(v -> step(new Op.Sysctl("min_free_kbytes", v, Optional.empty()))),
                Arbitraries.integers().between(1, 1000)
                    .map(v -> step(new Op.Sysctl("watermark_scale_factor", v, Optional.empty()))));
        }
    }

    /**
     * Fragments memory the way two owners faulting side by side do, then asks for blocks it has broken up. The first
     * owner is a movable handle, the page cache (clean or dirty), or a task's anon memory (all movable: compaction can
     * move them), or a kernel handle (unmovable: it cannot); the second is a handle of the same migratetype, so both
     * draw from the same per-CPU list and really alternate. They take c = 2 or 4 pages each in turn, one step each,
     * until H pages are interleaved, H/2 being 1–1.75 × the node's min watermarks plus 32 (so that the holes alone
     * keep a zone above min + compact_gap). Then, five times in six, the second owner lets go (a free per handle, and a
     * drain), leaving H/2 pages of holes of order log2 c between pinned pages; and last an order-o allocation (log2 c
     * < o ≤ 3, GFP_KERNEL or GFP_HIGHUSER_MOVABLE, with __GFP_NORETRY) asks for every free block of order o outside
     * the holes and a few more, so the last ones find only holes and must compact (or reclaim).
     *
     * <p>Nothing else in the chain fragments memory below a pageblock (every other op takes a contiguous run), and
     * without fragmentation compaction never has anything to do. A fragment is a few hundred steps, so it runs at most
     * once per chain, in two chains of three.
     */
    static final class Fragment extends Slotted {
        /** One owner: a movable or unmovable handle, clean or dirty page cache, or a task's anon memory. */
        enum Side { MOVABLE_HANDLE, KERNEL_HANDLE, CACHE_READ, CACHE_WRITE, ANON }

        Fragment(int slot) {
            super(Kind.FRAGMENT, slot);
        }

        @Override
        public boolean precondition(World w) {
            return super.precondition(w) && !w.has(Reached.FRAGMENTED);
        }

        @Override
        public Arbitrary<Transformer<World>> transformer(World w) {
            Arbitrary<Tuple.Tuple2<Side, Side>> sides = Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.just(Tuple.of(Side.KERNEL_HANDLE, Side.KERNEL_HANDLE))),
                Tuple.of(3, Arbitraries.of(Side.MOVABLE_HANDLE, Side.CACHE_READ, Side.CACHE_WRITE, Side.ANON)
                    .map(a -> Tuple.of(a, Side.MOVABLE_HANDLE))));
            // chunks of 2 or 4 pages (single pages would cost 2–4 times the steps for the same holes)
            Arbitrary<Integer> chunkLog = Arbitraries.frequency(Tuple.of(1, 1), Tuple.of(3, 2));
            long minSum = 0;
            for (int z = 0; z < w.allocator().zones().size(); z++) {
                minSum += w.allocator().watermarks(z).min();
            }
            long mins = minSum;
            Arbitrary<Integer> holes = Arbitraries.integers().between(4, 7)
                .map(k -> (int) Math.min(512, mins * k / 4 + 32));
            // the fill's order above the chunk's; at most 3, as for order > 3 compaction_suitable wants holes of at
            // most a quarter of the order (fragmentation index above 500)
            Arbitrary<Integer> fillAbove = Arbitraries.frequency(Tuple.of(2, 1), Tuple.of(1, 2));
            Arbitrary<String> fillGfp = Arbitraries.of("GFP_KERNEL|__GFP_NORETRY",
                "GFP_HIGHUSER_MOVABLE|__GFP_NORETRY");
            Arbitrary<Boolean> release = Arbitraries.frequency(Tuple.of(5, true), Tuple.of(1, false));
            Arbitrary<Tuple.Tuple3<Integer, String, Integer>> fill = Combinators.combine(fillAbove, fillGfp,
                Arbitraries.integers().between(2, 16)).as(Tuple::of);
            return Combinators.combine(sides, chunkLog, holes, Arbitraries.integers().between(1, w.tasks.size()),
                    cpu(w), release, fill)
                .as((sd, cl, h, task, cpu, letGo, f) -> {
                    String tag = "f" + w.step;
                    int chunk = 1 << cl;
                    int pairs = Math.max(4, h / chunk);
                    int fillOrder = Math.min(3, cl + f.get1());
                    String desc = String.format("fragment %d x [%s] / [%s]%s, fill order=%d gfp=%s +%d", pairs,
                        TracePrinter.opText(sideOp(sd.get1(), tag + "a", task, cpu, chunk)),
                        TracePrinter.opText(sideOp(sd.get2(), tag + "b", task, cpu, chunk)),
                        letGo ? ", free the second, drain" : "", fillOrder, f.get2(), f.get3());
                    return Transformer.mutate(desc, s -> {
                        s.reached.add(Reached.FRAGMENTED);
                        // a trace names every allocation with a handle of its own
                        for (int i = 0; i < pairs; i++) {
                            s.apply(sideOp(sd.get1(), tag + "a" + i, task, cpu, chunk));
                            s.apply(sideOp(sd.get2(), tag + "b" + i, task, cpu, chunk));
                        }
                        if (letGo) {
                            for (int i = 0; i < pairs; i++) {
                                s.apply(new Op.Free(tag + "b" + i, 0, cpu, Optional.empty()));
                            }
                            s.apply(new Op.Drain(Optional.empty()));
                        }
                        long free = 0;
                        for (int z = 0; z < s.allocator().zones().size(); z++) {
                            free += s.allocator().nrFreePages(z);
                        }
                        long holePages = letGo ? (long) pairs * chunk : 0;
                        int count = (int) (Math.max(0, free - holePages) >> fillOrder) + f.get3();
                        s.apply(new Op.Alloc(tag + "f", 0, fillOrder, Gfp.of(f.get2()), Context.PROCESS, cpu, count,
                            Optional.empty()));
                    });
                });
        }

        private static Op sideOp(Side side, String handle, int task, int cpu, int chunk) {
            return switch (side) {
                case MOVABLE_HANDLE -> new Op.Alloc(handle, 0, 0, Gfp.of("GFP_HIGHUSER_MOVABLE"), Context.PROCESS, cpu,
                    chunk, Optional.empty());
                case KERNEL_HANDLE -> new Op.Alloc(handle, 0, 0, Gfp.of("GFP_KERNEL"), Context.PROCESS, cpu, chunk,
                    Optional.empty());
                case CACHE_READ -> new Op.Cache(chunk, false, cpu, Optional.empty());
                case CACHE_WRITE -> new Op.Cache(chunk, true, cpu, Optional.empty());
                case ANON -> new Op.Anon(task, chunk, cpu, Optional.empty());
            };
        }
    }
}
