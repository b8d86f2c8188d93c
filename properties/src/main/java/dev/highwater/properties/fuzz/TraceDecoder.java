package dev.highwater.properties.fuzz;

import dev.highwater.model.Context;
import dev.highwater.model.Gfp;
import dev.highwater.model.NodeConfig;
import dev.highwater.model.ZoneSpec;
import dev.highwater.model.ZoneType;
import dev.highwater.model.trace.Op;
import dev.highwater.model.trace.TaskSpec;
import dev.highwater.model.trace.Trace;
import dev.highwater.model.trace.VmSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The structure-aware decoder: every byte string decodes to a valid trace. The machine comes from a small set of
 * shapes, the op weights are drawn per input (swarm testing: some inputs are all atomic bursts, others all page-cache
 * churn), op parameters stay in range, and frees only name live handles.
 */
public final class TraceDecoder {
    /** Op kinds the decoder draws from (the swarm weights index this). */
    enum Kind { KERNEL_BULK, ATOMIC, NOWAIT, HIGH_ORDER_KERNEL, FREE, DRAIN, CACHE_READ, CACHE_WRITE, WRITEBACK, ANON,
        EXIT, KSWAPD, COMPACT, NORETRY_BULK, FRAGMENT }

    /** The most page-cache read/write pairs the FRAGMENT ops of one trace lay out together. */
    static final int MAX_FRAGMENT_PAIRS = 128;

    private static final String[] ATOMIC_GFP = {"GFP_ATOMIC", "GFP_ATOMIC|__GFP_NOWARN", "GFP_ATOMIC|__GFP_COMP"};
    private static final String[] KERNEL_GFP = {"GFP_KERNEL", "GFP_HIGHUSER_MOVABLE", "GFP_NOFS", "GFP_KERNEL"};

    private TraceDecoder() {
    }

    /**
     * Decodes under a fixed preset name (the run picks the policy). Max ops bounds the trace length. Past the end of
     * {@code data} the decoder reads bytes generated from a hash of it ({@link ByteReader#extending}), so a short
     * input is a full-length trace too.
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
        for (int t = 1; t <= nTasks; t++) {
            tasks.add(new TaskSpec(t, adj[in.below(adj.length)], false));
        }
        // swarm weights: each kind on or off, with a weight 1..8
        Kind[] kinds = Kind.values();
        int[] weights = new int[kinds.length];
        boolean any = false;
        for (int k = 0; k < kinds.length; k++) {
            weights[k] = in.below(3) == 0 ? 0 : in.range(1, 8);
            any |= weights[k] > 0;
        }
        if (!any) {
            weights[Kind.ATOMIC.ordinal()] = 1;
            weights[Kind.KERNEL_BULK.ordinal()] = 1;
        }
        int nOps = in.range(1, Math.max(1, maxOps));
        List<Op> ops = new ArrayList<>();
        List<String> live = new ArrayList<>();
        int nextHandle = 1;
        int fragmentPairs = 0;
        for (int i = 0; i < nOps && !in.exhausted(); i++) {
            Kind k = kinds[in.weighted(weights)];
            int cpu = in.below(cpus);
            switch (k) {
                case KERNEL_BULK, NORETRY_BULK -> {
                    String gfp = in.pick(KERNEL_GFP) + (k == Kind.NORETRY_BULK ? "|__GFP_NORETRY" : "");
                    int count = (int) Math.max(1, pages * in.range(1, k == Kind.NORETRY_BULK ? 100 : 60) / 100);
                    String h = String.valueOf(nextHandle++);
                    ops.add(new Op.Alloc(h, in.below(2) == 0 ? 0 : in.range(1, nTasks), 0, Gfp.parse(gfp),
                        Context.PROCESS, cpu, count, Optional.empty()));
                    live.add(h);
                }
                case ATOMIC, NOWAIT -> {
                    String gfp = k == Kind.ATOMIC ? in.pick(ATOMIC_GFP) : "GFP_NOWAIT";
                    int order = in.below(4);
                    String h = String.valueOf(nextHandle++);
                    ops.add(new Op.Alloc(h, 0, order, Gfp.parse(gfp), in.below(4) == 0 ? Context.PROCESS : Context.SOFTIRQ,
                        cpu, in.range(1, 48), Optional.empty()));
                    live.add(h);
                }
                case HIGH_ORDER_KERNEL -> {
                    String h = String.valueOf(nextHandle++);
                    ops.add(new Op.Alloc(h, in.below(2) == 0 ? 0 : in.range(1, nTasks), in.range(1, Math.min(4, maxOrder - 1)),
                        Gfp.parse("GFP_KERNEL"), Context.PROCESS, cpu, in.range(1, 16), Optional.empty()));
                    live.add(h);
                }
                case FREE -> {
                    if (live.isEmpty()) {
                        continue;
                    }
                    int idx = in.below(live.size());
                    String h = live.get(idx);
                    boolean all = in.below(2) == 0;
                    ops.add(new Op.Free(h, all ? 0 : in.range(1, 64), cpu, Optional.empty()));
                    if (all) {
                        live.remove(idx);
                    }
                }
                case DRAIN -> ops.add(new Op.Drain(Optional.empty()));
                case CACHE_READ, CACHE_WRITE -> ops.add(new Op.Cache((int) Math.max(1, pages * in.range(1, 40) / 100),
                    k == Kind.CACHE_WRITE, cpu, Optional.empty()));
                case WRITEBACK -> ops.add(new Op.Writeback(in.below(2) == 0 ? 0 : in.range(1, 256), Optional.empty()));
                case ANON -> ops.add(new Op.Anon(in.range(1, nTasks), (int) Math.max(1, pages * in.range(1, 40) / 100), cpu,
                    Optional.empty()));
                case EXIT -> ops.add(new Op.Exit(in.range(1, nTasks), Optional.empty()));
                case KSWAPD -> ops.add(new Op.Kswapd(Optional.empty()));
                case FRAGMENT -> {
                    // clean and dirty page-cache pages alternating: reclaim frees only the clean ones, which never merge
                    int pairs = (int) Math.min(MAX_FRAGMENT_PAIRS - fragmentPairs, Math.max(1, pages * in.range(1, 50) / 200));
                    fragmentPairs += pairs;
                    for (int p = 0; p < pairs; p++) {
                        ops.add(new Op.Cache(1, false, cpu, Optional.empty()));
                        ops.add(new Op.Cache(1, true, cpu, Optional.empty()));
                    }
                }
                case COMPACT -> ops.add(new Op.Compact(in.below(2) == 0 ? -1 : in.range(1, maxOrder - 1), Optional.empty()));
            }
        }
        return Trace.of(List.of(), preset, node, vm, tasks, swap, ops, List.of());
    }
}
