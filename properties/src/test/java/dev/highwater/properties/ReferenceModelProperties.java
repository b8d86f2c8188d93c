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
import dev.highwater.model.policy.HighatomicCreator;
import dev.highwater.model.policy.KernelPolicy;
import dev.highwater.model.policy.Presets;
import dev.highwater.model.reference.ReferenceAllocator;
import dev.highwater.model.trace.Op;
import dev.highwater.model.trace.Expectation;
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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
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
 * Stateful property tests of the reference allocator inside the memory system: random chains of allocations (bulk
 * GFP_KERNEL / GFP_HIGHUSER_MOVABLE, GFP_ATOMIC in interrupt context, GFP_NOWAIT), frees and drains on small random
 * nodes, under every preset, with every integrity property of {@link PropertyCatalog#integrity()} checked after every
 * action.
 *
 * <p>The chains are meant to reach the states where allocator bugs live, and the coverage checks make sure they do:
 * a property fails if fewer than a third of its chains take some zone below its low watermark, or (for presets that
 * reserve highatomic blocks) if fewer than 5% take a zone below its min watermark while it holds a highatomic
 * reserve. Watermarks are compared without the 5.0+ boost, so "below min" means the atomic reserve was really used.
 *
 * <p>Each chain starts with a {@code boot} action that draws the node shape, the sysctls and the chain's swarm weights:
 * every action kind is registered in {@value #SLOTS} slots, and a kind with weight k has its first k slots enabled (a
 * precondition), so some chains are bulk-heavy, some atomic-heavy, some churn with frees, and some kinds are switched
 * off. Booting inside the chain, rather than flat-mapping a chain per shape, keeps shrinking effective: jqwik shrinks
 * the boot values and drops actions of the same chain instead of generating a new one.
 *
 * <p>On a violation the failure message holds the run as a replayable trace.
 */
class ReferenceModelProperties {

    static final int TRIES = 120;
    /** Steps per chain (plus the boot action). */
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

    /** Per preset: chains run, and how many reached each state. */
    private static final Map<String, int[]> TALLY = new ConcurrentHashMap<>();
    private static final String[] TALLY_NAMES = {"chains", "below low", "below min", "highatomic reserved",
        "below min with highatomic", "alloc failed", "actions"};

    private String preset;
    private long startNanos;

    @BeforeProperty
    void start() {
        startNanos = System.nanoTime();
    }

    @AfterProperty
    void summary() {
        if (preset == null) {
            return;
        }
        int[] t = TALLY.remove(preset);
        if (t == null || t[0] == 0) {
            return;
        }
        StringBuilder sb = new StringBuilder(String.format("ReferenceModelProperties %-12s", preset));
        for (int i = 1; i < 6; i++) {
            sb.append(String.format(" | %s %3.0f%%", TALLY_NAMES[i], 100.0 * t[i] / t[0]));
        }
        sb.append(String.format(" | %d chains, %.1f actions/chain, %.1f s", t[0], (double) t[6] / t[0],
            (System.nanoTime() - startNanos) / 1e9));
        System.out.println(sb);
    }

    private void run(ActionChain<World> chain) {
        World w = chain.run();
        preset = w.policy.name();
        if (!w.booted()) {
            return; // a chain shrunk to nothing
        }
        int[] t = TALLY.computeIfAbsent(preset, k -> new int[TALLY_NAMES.length]);
        boolean[] reached = {true, w.belowLow, w.belowMin, w.highatomic, w.belowMinWithHighatomic, w.allocFailed};
        for (int i = 0; i < reached.length; i++) {
            t[i] += reached[i] ? 1 : 0;
        }
        t[6] += w.step;

        Statistics.label("below low").collect(w.belowLow)
            .coverage(c -> c.check(true).percentage(p -> p >= 33.0));
        Statistics.label("below min").collect(w.belowMin);
        Statistics.label("highatomic reserved").collect(w.highatomic);
        Statistics.label("alloc failed").collect(w.allocFailed);
        Statistics.label("OOM panic (no task to kill)").collect(w.oomPanic);
        Statistics.label("zones").collect(w.shape.describe());
        Statistics.label("highatomic possible (6.8+ cap)").collect(w.shape.highatomicCapReachable());
        Statistics.label("mix").collect(w.weights.mix());
        if (w.policy.highatomicCreator() != HighatomicCreator.NEVER) {
            Statistics.label("below min with highatomic").collect(w.belowMinWithHighatomic)
                .coverage(c -> c.check(true).percentage(p -> p >= 5.0));
        } else {
            // 2.6.32 has no MIGRATE_HIGHATOMIC: nothing may ever be reserved
            assertThat(w.highatomic).as("highatomic reserved under %s", preset).isFalse();
        }
    }

    // ---- generators

    @Provide
    Arbitrary<ActionChain<World>> chains(TypeUsage type) {
        String name = type.findAnnotation(Preset.class).map(Preset::value)
            .orElseThrow(() -> new IllegalStateException("annotate the chain parameter with @Preset"));
        KernelPolicy policy = Presets.byName(name).orElseThrow(() -> new IllegalStateException("no preset " + name));
        ActionChainArbitrary<World> chain = ActionChain.<World>startWith(() -> new World(policy))
            .withAction(new Boot());
        for (int slot = 0; slot < SLOTS; slot++) {
            chain = chain.withAction(new BulkAlloc(slot)).withAction(new AtomicAlloc(slot))
                .withAction(new NowaitAlloc(slot)).withAction(new FreeHandle(slot)).withAction(new Drain(slot));
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

    /** Swarm weights of one chain, 0..{@value #SLOTS} each: 0 switches a kind off; drain is always possible. */
    record Weights(int bulk, int atomic, int nowait, int free, int drain) {
        int of(Kind k) {
            return switch (k) {
                case BULK -> bulk;
                case ATOMIC -> atomic;
                case NOWAIT -> nowait;
                case FREE -> free;
                case DRAIN -> drain;
            };
        }

        String mix() {
            if (bulk == 0) {
                return "no bulk";
            }
            return bulk >= atomic + nowait ? "bulk-heavy" : "atomic-heavy";
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
        return Combinators.combine(w, w, w, w, Arbitraries.integers().between(1, 2)).as(Weights::new);
    }

    // ---- the state

    /** The memory system under test, plus what the chain has reached so far. */
    static final class World {
        final KernelPolicy policy;
        Shape shape;
        Weights weights;
        MemorySystem system;
        long managed;
        final List<Op> ops = new ArrayList<>();
        /** handle → blocks it still holds (the test's own ledger, kept like the memory system keeps its own). */
        final Map<String, Integer> held = new LinkedHashMap<>();
        int step;
        boolean belowLow;
        boolean belowMin;
        boolean highatomic;
        boolean belowMinWithHighatomic;
        boolean allocFailed;
        boolean oomPanic;

        World(KernelPolicy policy) {
            this.policy = policy;
        }

        void boot(Shape s, Weights w) {
            shape = s;
            weights = w;
            system = new MemorySystem(new ReferenceAllocator(policy, s.node(), s.tunables(policy)), List.of());
            managed = s.node().totalManagedPages();
        }

        boolean booted() {
            return system != null;
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

        private void book(Op op, String result) {
            if (op instanceof Op.Alloc a) {
                int ok = result.startsWith("ok=") ? Integer.parseInt(result.substring(3, result.indexOf(' ')))
                    : result.startsWith("ok") ? a.count() : 0;
                held.merge(a.handle(), ok, Integer::sum);
                if (ok < a.count()) {
                    allocFailed = true;
                }
            } else if (op instanceof Op.Free f) {
                held.computeIfPresent(f.handle(), (h, n) -> f.count() == 0 ? 0 : Math.max(0, n - f.count()));
            }
        }

        /** Applies one op, checks every integrity property, and records what the state reached. */
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
            book(op, result);
            oomPanic |= result.contains("panic");
            PageAllocator a = allocator();
            for (int z = 0; z < a.zones().size(); z++) {
                long free = a.nrFreePages(z);
                long boost = a.watermarkBoost(z);
                boolean ha = a.nrReservedHighatomic(z) > 0;
                boolean underMin = free < a.watermarks(z).min() - boost;
                belowLow |= free < a.watermarks(z).low() - boost;
                belowMin |= underMin;
                highatomic |= ha;
                belowMinWithHighatomic |= underMin && ha;
            }
        }

        /** The steps so far as a replayable trace, with the results they gave and the violation expected. */
        String asTrace(String property) {
            VmSettings vm = new VmSettings(shape.minFreeKbytes(), OptionalInt.empty(),
                shape.boostOff() ? OptionalInt.of(0) : OptionalInt.empty(), Optional.empty(), OptionalInt.empty());
            Trace t = Trace.of(List.of("found by ReferenceModelProperties (" + weights + ")"), policy.name(),
                shape.node(), vm, List.of(), 0, ops,
                List.of(Expectation.violation(Optional.empty(), property, OptionalInt.of(step))));
            return TracePrinter.print(t);
        }

        @Override
        public String toString() {
            return policy.name() + " " + shape + " " + weights;
        }
    }

    // ---- actions

    enum Kind { BULK, ATOMIC, NOWAIT, FREE, DRAIN }

    private static Transformer<World> allocTransformer(String handle, int order, String gfp, Context ctx, int cpu,
                                                       int count) {
        Op op = new Op.Alloc(handle, 0, order, Gfp.of(gfp), ctx, cpu, count, Optional.empty());
        return Transformer.mutate(TracePrinter.opText(op), w -> w.apply(op));
    }

    /** Draws the node, the sysctls and the swarm weights; the first action of every chain, and only the first. */
    static final class Boot implements Action.Independent<World> {
        @Override
        public boolean precondition(World w) {
            return !w.booted();
        }

        @Override
        public Arbitrary<Transformer<World>> transformer() {
            return Combinators.combine(shapes(), weights()).as((shape, weights) ->
                Transformer.mutate("boot " + shape + " " + weights, w -> w.boot(shape, weights)));
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
     * Order-0 GFP_KERNEL or GFP_HIGHUSER_MOVABLE, 5–60% of the node's managed pages in one go; half of them with
     * __GFP_NORETRY (fail after one reclaim round instead of retrying into the OOM killer: with no tasks and nothing
     * reclaimable, the plain ones end in an OOM panic and fail).
     */
    static final class BulkAlloc extends Slotted {
        BulkAlloc(int slot) {
            super(Kind.BULK, slot);
        }

        @Override
        public Arbitrary<Transformer<World>> transformer(World w) {
            String handle = "b" + w.step;
            return Combinators.combine(Arbitraries.of("GFP_KERNEL", "GFP_HIGHUSER_MOVABLE", "GFP_KERNEL|__GFP_NORETRY",
                    "GFP_HIGHUSER_MOVABLE|__GFP_NORETRY"),
                    Arbitraries.integers().between(5, 60), Arbitraries.integers().between(0, w.shape.cpus() - 1))
                .as((gfp, pct, cpu) -> allocTransformer(handle, 0, gfp, Context.PROCESS, cpu,
                    (int) Math.max(1, w.managed * pct / 100)));
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
                    Arbitraries.integers().between(0, w.shape.cpus() - 1), Arbitraries.integers().between(1, 40))
                .as((order, gfp, ctx, cpu, count) -> allocTransformer(handle, order, gfp, ctx, cpu, count));
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
                    Arbitraries.integers().between(0, w.shape.cpus() - 1), Arbitraries.integers().between(1, 40))
                .as((order, gfp, ctx, cpu, count) -> allocTransformer(handle, order, gfp, ctx, cpu, count));
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
                    Arbitraries.oneOf(Arbitraries.just(0), Arbitraries.integers().between(1, live.get(h))),
                    Arbitraries.integers().between(0, w.shape.cpus() - 1))
                .as((count, cpu) -> {
                    Op op = new Op.Free(h, count, cpu, Optional.empty());
                    return Transformer.mutate(TracePrinter.opText(op), (World s) -> s.apply(op));
                }));
        }
    }

    /** drain_all_pages. */
    static final class Drain extends Slotted {
        private static final Op DRAIN = new Op.Drain(Optional.empty());

        Drain(int slot) {
            super(Kind.DRAIN, slot);
        }

        @Override
        public Arbitrary<Transformer<World>> transformer(World w) {
            return Arbitraries.just(Transformer.mutate("drain", s -> s.apply(DRAIN)));
        }
    }
}
