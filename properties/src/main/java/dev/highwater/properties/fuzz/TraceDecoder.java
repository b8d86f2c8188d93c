package dev.highwater.properties.fuzz;

import dev.highwater.model.Context;
import dev.highwater.model.Gfp;
import dev.highwater.model.NodeConfig;
import dev.highwater.model.Watermarks;
import dev.highwater.model.ZoneSpec;
import dev.highwater.model.ZoneType;
import dev.highwater.model.policy.KernelPolicy;
import dev.highwater.model.policy.Presets;
import dev.highwater.model.trace.Op;
import dev.highwater.model.trace.TaskSpec;
import dev.highwater.model.trace.Trace;
import dev.highwater.model.trace.VmSettings;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The structure-aware decoder: every byte string decodes to a valid trace. The machine comes from a small set of
 * shapes, the op weights are drawn per input (swarm testing: some inputs are all atomic bursts, others all page-cache
 * churn), op parameters stay in range, and frees only name live handles.
 *
 * <p>Layout, fixed so that a mutation stays local: bytes {@code [0, HEADER)} hold the machine, the tasks, the trace
 * length and the swarm weights (each at its own position); op {@code i} reads only the {@link #OP_BYTES} bytes at
 * {@code HEADER + i * OP_BYTES} (its kind first). Past the end of the input the reader supplies stable pseudo-random
 * bytes ({@link ByteReader#extending}), so a short input is a full-length trace, and appending a byte or changing a
 * late one changes one late op (and what depends on it, such as which handle a later free names).
 *
 * <p>The cost of a trace is bounded by its op count, not by the zone: an order-0 op asks for at most
 * {@link #MAX_PAGES_PER_OP} pages, and memory is filled in bulk by {@code FILL} ops of high-order blocks (about
 * 1/64 of the node per block), as the catalog's traces fill it, so a 32-op trace reaches low memory with a few
 * hundred requests.
 */
public final class TraceDecoder {
    /** Op kinds the decoder draws from (the swarm weights index this; new kinds go last). */
    enum Kind { KERNEL_BULK, ATOMIC, NOWAIT, HIGH_ORDER_KERNEL, FREE, DRAIN, CACHE_READ, CACHE_WRITE, WRITEBACK, ANON,
        EXIT, KSWAPD, COMPACT, NORETRY_BULK, FRAGMENT, FILL }

    /** The most page-cache read/write pairs the FRAGMENT ops of one trace lay out together. */
    static final int MAX_FRAGMENT_PAIRS = 128;
    /** The most order-0 requests one op issues (alloc, page cache, anonymous memory). */
    static final int MAX_PAGES_PER_OP = 64;
    /** The most blocks one FILL op asks for (together, about the whole node). */
    static final int MAX_FILL_BLOCKS = 64;
    /** Header bytes (machine, tasks, length, swarm weights; room for more kinds). */
    static final int HEADER = 32;
    /** Bytes per op. */
    static final int OP_BYTES = 8;

    private static final String[] ATOMIC_GFP = {"GFP_ATOMIC", "GFP_ATOMIC|__GFP_NOWARN", "GFP_ATOMIC|__GFP_COMP"};
    private static final String[] KERNEL_GFP = {"GFP_KERNEL", "GFP_HIGHUSER_MOVABLE", "GFP_NOFS", "GFP_KERNEL"};
    private static final String[] FILL_GFP = {"GFP_KERNEL|__GFP_NORETRY", "GFP_KERNEL|__GFP_NORETRY",
        "GFP_HIGHUSER_MOVABLE|__GFP_NORETRY", "GFP_KERNEL"};
    private static final Gfp[] ATOMIC_GFP_PARSED = parse(ATOMIC_GFP);
    private static final Gfp[] KERNEL_GFP_PARSED = parse(KERNEL_GFP);
    private static final Gfp[] KERNEL_NORETRY_GFP_PARSED = parse(Arrays.stream(KERNEL_GFP)
        .map(g -> g + "|__GFP_NORETRY").toArray(String[]::new));
    private static final Gfp[] FILL_GFP_PARSED = parse(FILL_GFP);
    private static final Gfp NOWAIT = Gfp.parse("GFP_NOWAIT");
    private static final Gfp KERNEL = Gfp.parse("GFP_KERNEL");

    private TraceDecoder() {
    }

    private static Gfp[] parse(String[] names) {
        Gfp[] out = new Gfp[names.length];
        for (int i = 0; i < names.length; i++) {
            out[i] = Gfp.parse(names[i]);
        }
        return out;
    }

    /** An order-0 count in [1, MAX_PAGES_PER_OP], at most an eighth of the node (but at least 8). */
    private static int pageCount(ByteReader in, long pages) {
        return in.range(1, (int) Math.max(8, Math.min(MAX_PAGES_PER_OP, pages / 8)));
    }

    /** The FILL block order: about 1/64 of the node per block, below max_order. */
    static int fillOrder(long pages, int maxOrder) {
        int log = 63 - Long.numberOfLeadingZeros(Math.max(1, pages));
        return Math.max(0, Math.min(maxOrder - 1, log - 6));
    }

    /** Input bytes that decode a trace of {@code maxOps} ops without the extension (header and every op slot). */
    public static int layoutBytes(int maxOps) {
        return HEADER + maxOps * OP_BYTES;
    }

    /**
     * A fuzzer's length seed: zeros at the decoder's full layout. It decodes as a header of zeros alone does (a zero
     * byte past the header reads the extension unchanged), carries no knowledge of any bug, and lets libFuzzer mutate
     * every field of every op (see {@code Rediscovery} on the length limit).
     */
    public static byte[] lengthSeed(int maxOps) {
        return new byte[layoutBytes(maxOps)];
    }

    /** The blocks the alloc op of handle h asked for (0 if none). */
    private static int handleBlocks(List<Op> ops, String h) {
        for (Op o : ops) {
            if (o instanceof Op.Alloc a && a.handle().equals(h)) {
                return a.count();
            }
        }
        return 0;
    }

    /**
     * {min, low, high} summed over the node's zones as the preset computes them at boot (§1.3, §1.4); for an unknown
     * preset name, about 1 %, 1.25 % and 1.5 % of the node.
     */
    static long[] levels(String preset, List<ZoneSpec> zones, VmSettings vm) {
        Optional<KernelPolicy> p = Presets.byName(preset);
        long total = 0;
        for (ZoneSpec z : zones) {
            total += z.managedPages();
        }
        if (p.isEmpty()) {
            return new long[] {total / 100, total * 5 / 400, total * 6 / 400};
        }
        Watermarks w = Watermarks.compute(p.get().watermarkRules(), zones, vm.toTunables(p.get()));
        long[] out = new long[3];
        for (int z = 0; z < zones.size(); z++) {
            out[0] += w.zone(z).min();
            out[1] += w.zone(z).low();
            out[2] += w.zone(z).high();
        }
        return out;
    }

    /**
     * Decodes under a fixed preset name (the run picks the policy). Max ops bounds the trace length. Past the end of
     * {@code data} the decoder reads the reader's stable extension ({@link ByteReader#extending}), so a short input
     * is a full-length trace too.
     */
    public static Trace decode(byte[] data, String preset, int maxOps) {
        ByteReader in = ByteReader.extending(data);
        // machine shape
        int shape = in.below(10);
        List<ZoneSpec> zones = new ArrayList<>();
        int pbOrder;
        int maxOrder;
        switch (shape) {
            case 0 -> { zones.add(ZoneSpec.of(ZoneType.NORMAL, 1024)); pbOrder = 4; maxOrder = 8; }
            case 1 -> { zones.add(ZoneSpec.of(ZoneType.NORMAL, 2048)); pbOrder = 5; maxOrder = 9; }
            case 2 -> { zones.add(ZoneSpec.of(ZoneType.DMA32, 4096)); pbOrder = 6; maxOrder = 11; }
            case 3 -> { zones.add(ZoneSpec.of(ZoneType.DMA, 512)); zones.add(ZoneSpec.of(ZoneType.DMA32, 2048));
                pbOrder = 5; maxOrder = 9; }
            // shapes where 1 % of the zone is at least a pageblock, so 6.8+ presets reserve highatomic blocks too; small
            // pageblocks keep them small (and fast to run: the cost of a trace grows with the zone)
            case 4 -> { zones.add(ZoneSpec.of(ZoneType.NORMAL, 1024)); pbOrder = 3; maxOrder = 8; }
            case 5 -> { zones.add(ZoneSpec.of(ZoneType.NORMAL, 2048)); pbOrder = 4; maxOrder = 9; }
            case 6 -> { zones.add(ZoneSpec.of(ZoneType.DMA32, 1024)); zones.add(ZoneSpec.of(ZoneType.NORMAL, 2048));
                pbOrder = 5; maxOrder = 10; }
            // small zones with small pageblocks: fragmentation and high-order watermarks show after few steps
            case 7 -> { zones.add(ZoneSpec.of(ZoneType.NORMAL, 1024)); pbOrder = 3; maxOrder = 10; }
            case 8 -> { zones.add(ZoneSpec.of(ZoneType.NORMAL, 512)); pbOrder = 3; maxOrder = 6; }
            default -> { zones.add(ZoneSpec.of(ZoneType.NORMAL, 256)); pbOrder = 3; maxOrder = 5; }
        }
        int cpus = in.range(1, 2);
        // per-CPU list sizes: computed (most inputs), or small fixed batch/high so that lists spill and drain often
        int pcp = in.below(4);
        NodeConfig node = new NodeConfig(zones, pbOrder, maxOrder, cpus, pcp == 2 ? 7 : pcp == 3 ? 31 : 0,
            pcp == 2 ? 42 : pcp == 3 ? 186 : -1);
        long pages = node.totalManagedPages();
        int[] mfkChoices = {-1, 8, 64, 128, 256, 512, 1024};
        int mfk = mfkChoices[in.below(mfkChoices.length)];
        VmSettings vm = new VmSettings(mfk < 0 ? OptionalInt.empty() : OptionalInt.of(mfk), OptionalInt.empty(),
            OptionalInt.of(in.below(2) == 0 ? 0 : 15000), Optional.empty(), OptionalInt.empty());
        long swap = new long[] {0, 0, 128, 512}[in.below(4)];
        int nTasks = in.range(1, 3);
        List<TaskSpec> tasks = new ArrayList<>();
        int[] adj = {0, 0, 500, -1000};
        ByteReader adjBytes = in.at(7);
        for (int t = 1; t <= nTasks; t++) {
            tasks.add(new TaskSpec(t, adj[adjBytes.below(adj.length)], false));
        }
        // trace length: the full length for half of the inputs, else 1..maxOps
        ByteReader lengthByte = in.at(10);
        int lb = lengthByte.u8();
        int nOps = lb < 128 ? Math.max(1, maxOps) : 1 + (((lb - 128) * Math.max(1, maxOps)) >>> 7);
        // swarm weights: one byte per kind, a third of the range off, the rest weights 1..8 in order
        Kind[] kinds = Kind.values();
        int[] weights = new int[kinds.length];
        boolean any = false;
        ByteReader weightBytes = in.at(11);
        for (int k = 0; k < kinds.length; k++) {
            int b = weightBytes.u8();
            weights[k] = b < 86 ? 0 : 1 + ((b - 86) * 8) / 170;
            any |= weights[k] > 0;
        }
        if (!any) {
            weights[Kind.ATOMIC.ordinal()] = 1;
            weights[Kind.KERNEL_BULK.ordinal()] = 1;
            weights[Kind.FILL.ordinal()] = 1;
        }
        // the node's free-page levels (sum of the zones' min/low/high under this preset), for ops that allocate down
        // to a level; and an estimate of the pages the ops so far hold (an estimate: failures, reclaim and OOM kills
        // are not modelled here; it only aims the counts near the interesting region)
        long[] marks = levels(preset, zones, vm);
        long used = 0;
        Map<String, Long> heldPages = new HashMap<>(); // looked up by handle, never iterated
        List<Op> ops = new ArrayList<>();
        List<String> live = new ArrayList<>();
        int nextHandle = 1;
        int fragmentPairs = 0;
        for (int i = 0; i < nOps; i++) {
            ByteReader op = in.at(HEADER + i * OP_BYTES); // at most OP_BYTES bytes each
            Kind k = kinds[op.weighted(weights)];
            int cpu = op.below(cpus);
            switch (k) {
                case KERNEL_BULK, NORETRY_BULK -> {
                    Gfp gfp = (k == Kind.NORETRY_BULK ? KERNEL_NORETRY_GFP_PARSED : KERNEL_GFP_PARSED)[op.below(4)];
                    // half of them a plain count, half "down to a level" (min, low or high, give or take a few pages)
                    int mode = op.u8();
                    int count = mode < 128 ? pageCount(op, pages) : (int) Math.max(1, Math.min(MAX_PAGES_PER_OP,
                        pages - used - marks[(mode - 128) % 3] - ((mode - 128) / 3) % 9 + 2));
                    int task = op.below(2) == 0 ? 0 : op.range(1, nTasks);
                    String h = String.valueOf(nextHandle++);
                    ops.add(new Op.Alloc(h, task, 0, gfp, Context.PROCESS, cpu, count, Optional.empty()));
                    live.add(h);
                    heldPages.put(h, (long) count);
                    used = Math.min(pages, used + count);
                }
                case FILL -> {
                    // bulk kernel memory in high-order blocks (as the catalog traces fill a zone), down to a free level:
                    // min, low or high, or 1.5, 2, 4 or 8 times high, plus 0..3 blocks
                    Gfp gfp = FILL_GFP_PARSED[op.below(FILL_GFP_PARSED.length)];
                    int fo = fillOrder(pages, maxOrder);
                    int order = Math.max(0, fo - op.below(2));
                    int level = op.below(7);
                    long target = level < 3 ? marks[level] : marks[2] * new int[] {3, 4, 8, 16}[level - 3] / 2;
                    target += (long) op.below(4) << order;
                    int count = (int) Math.max(1, Math.min(MAX_FILL_BLOCKS * (1L << (fo - order)),
                        (pages - used - target) >> order));
                    int task = op.below(2) == 0 ? 0 : op.range(1, nTasks);
                    String h = String.valueOf(nextHandle++);
                    ops.add(new Op.Alloc(h, task, order, gfp, Context.PROCESS, cpu, count, Optional.empty()));
                    live.add(h);
                    heldPages.put(h, (long) count << order);
                    used = Math.min(pages, used + ((long) count << order));
                }
                case ATOMIC, NOWAIT -> {
                    Gfp gfp = k == Kind.ATOMIC ? ATOMIC_GFP_PARSED[op.below(ATOMIC_GFP_PARSED.length)] : NOWAIT;
                    int order = op.below(4);
                    Context ctx = op.below(4) == 0 ? Context.PROCESS : Context.SOFTIRQ;
                    String h = String.valueOf(nextHandle++);
                    int count = op.range(1, 48);
                    ops.add(new Op.Alloc(h, 0, order, gfp, ctx, cpu, count, Optional.empty()));
                    live.add(h);
                    heldPages.put(h, (long) count << order);
                    used = Math.min(pages, used + ((long) count << order));
                }
                case HIGH_ORDER_KERNEL -> {
                    int task = op.below(2) == 0 ? 0 : op.range(1, nTasks);
                    int order = op.range(1, Math.min(4, maxOrder - 1));
                    String h = String.valueOf(nextHandle++);
                    int count = op.range(1, 16);
                    ops.add(new Op.Alloc(h, task, order, KERNEL, Context.PROCESS, cpu, count, Optional.empty()));
                    live.add(h);
                    heldPages.put(h, (long) count << order);
                    used = Math.min(pages, used + ((long) count << order));
                }
                case FREE -> {
                    if (live.isEmpty()) {
                        continue;
                    }
                    int idx = op.below(live.size());
                    String h = live.get(idx);
                    boolean all = op.below(2) == 0;
                    int count = all ? 0 : op.range(1, 64);
                    ops.add(new Op.Free(h, count, cpu, Optional.empty()));
                    long held = heldPages.getOrDefault(h, 0L);
                    // a partial free returns count blocks; the estimate takes the handle's average block
                    long freed = all ? held : Math.min(held, count * Math.max(1, held / Math.max(1, handleBlocks(ops, h))));
                    heldPages.put(h, held - freed);
                    used = Math.max(0, used - freed);
                    if (all) {
                        live.remove(idx);
                    }
                }
                case DRAIN -> ops.add(new Op.Drain(Optional.empty()));
                case CACHE_READ, CACHE_WRITE -> {
                    int count = pageCount(op, pages);
                    ops.add(new Op.Cache(count, k == Kind.CACHE_WRITE, cpu, Optional.empty()));
                    used = Math.min(pages, used + count);
                }
                case WRITEBACK -> ops.add(new Op.Writeback(op.below(2) == 0 ? 0 : op.range(1, 256), Optional.empty()));
                case ANON -> {
                    int task = op.range(1, nTasks);
                    int count = pageCount(op, pages);
                    ops.add(new Op.Anon(task, count, cpu, Optional.empty()));
                    used = Math.min(pages, used + count);
                }
                case EXIT -> ops.add(new Op.Exit(op.range(1, nTasks), Optional.empty()));
                case KSWAPD -> ops.add(new Op.Kswapd(Optional.empty()));
                case FRAGMENT -> {
                    // clean and dirty page-cache pages alternating: reclaim frees only the clean ones, which never merge;
                    // one step (the pairs as single steps made decoded traces ~140 steps long, ~2.4x the CPU per input)
                    int pairs = (int) Math.min(MAX_FRAGMENT_PAIRS - fragmentPairs, Math.max(1, pages * op.range(1, 50) / 200));
                    if (pairs > 0) {
                        fragmentPairs += pairs;
                        used = Math.min(pages, used + 2L * pairs);
                        ops.add(new Op.CacheInterleaved(pairs, cpu, Optional.empty()));
                    }
                }
                case COMPACT -> ops.add(new Op.Compact(op.below(2) == 0 ? -1 : op.range(1, maxOrder - 1), Optional.empty()));
            }
        }
        return Trace.of(List.of(), preset, node, vm, tasks, swap, ops, List.of());
    }
}
