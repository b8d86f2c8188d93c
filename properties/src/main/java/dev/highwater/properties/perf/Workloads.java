package dev.highwater.properties.perf;

import dev.highwater.model.AllocContext;
import dev.highwater.model.Context;
import dev.highwater.model.Gfp;
import dev.highwater.model.GfpMask;
import dev.highwater.model.NodeConfig;
import dev.highwater.model.PageAllocator;
import dev.highwater.model.Tunables;
import dev.highwater.model.ZoneSpec;
import dev.highwater.model.ZoneType;
import dev.highwater.model.mm.MemorySystem;
import dev.highwater.model.policy.AllocFlagRules;
import dev.highwater.model.policy.KernelPolicy;
import dev.highwater.model.policy.Presets;
import dev.highwater.model.trace.Op;
import dev.highwater.model.trace.TaskSpec;
import dev.highwater.model.trace.Trace;
import dev.highwater.model.trace.VmSettings;
import dev.highwater.properties.run.AllocatorKind;
import dev.highwater.properties.run.TraceRunner;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The allocator workloads the benchmarks measure (the JMH benchmarks in {@code bench/} and {@code highwater bench}),
 * deterministic so that the reference and the optimized allocator do exactly the same work:
 * <ul>
 *   <li>{@link Order0}: order-0 alloc+free through the per-CPU lists;</li>
 *   <li>{@link Mix}: a high-order mix (orders 0–10, all three mobility types and GFP_ATOMIC) that keeps about 60 %
 *   of the zone allocated, with splits, merges, fallback steals and highatomic reservations;</li>
 *   <li>{@link #replayTrace}: a long trace with page cache, anonymous memory, reclaim, kswapd and compaction, run
 *   through the memory system.</li>
 * </ul>
 * The machine is one Normal zone of the given size, pageblock order 9, 11 orders, 2 CPUs, default sysctls.
 */
public final class Workloads {
    private Workloads() {
    }

    /** The preset the benchmarks use: Debian's 6.1.y, the real-kernel oracle. */
    public static final KernelPolicy POLICY = Presets.LINUX_6_1;

    public static NodeConfig node(long pages) {
        return new NodeConfig(List.of(ZoneSpec.of(ZoneType.NORMAL, pages)), 9, 11, 2, 0, -1);
    }

    public static Tunables tunables(KernelPolicy p) {
        return Tunables.defaults(p.watermarkRules().highmemRatioZero());
    }

    public static PageAllocator allocator(AllocatorKind kind, KernelPolicy p, long pages) {
        return kind.create(p, node(pages), tunables(p));
    }

    static AllocContext context(PageAllocator a, String gfp, int order, Context ctx, int cpu) {
        GfpMask mask = Gfp.parse(gfp).resolve(a.policy().gfpLayout());
        int highest = a.config().highestZoneAtMost(a.config().gfpZone(mask));
        return new AllocContext(mask, order, mask.migratetype(), highest, ctx, cpu, false, false);
    }

    /** Order-0 GFP_KERNEL allocations in batches of {@link #BATCH}, each batch freed again, on CPU 0. */
    public static final class Order0 {
        public static final int BATCH = 32;
        private final PageAllocator a;
        private final AllocContext ac;
        private final int flags;
        private final long[] held = new long[BATCH];
        private long checksum;

        public Order0(PageAllocator a) {
            this.a = a;
            this.ac = context(a, "GFP_KERNEL", 0, Context.PROCESS, 0);
            this.flags = AllocFlagRules.fastPathFlags(a.policy(), ac.gfp());
        }

        /** {@code rounds} × ({@link #BATCH} allocations, then their frees, last allocated first). Returns alloc+free pairs. */
        public long run(int rounds) {
            long pairs = 0;
            long sum = checksum;
            for (int r = 0; r < rounds; r++) {
                for (int i = 0; i < BATCH; i++) {
                    held[i] = a.getPageFromFreelist(ac, flags);
                }
                for (int i = BATCH - 1; i >= 0; i--) {
                    long pfn = held[i];
                    if (pfn >= 0) {
                        sum = sum * 31 + pfn;
                        a.freePages(pfn, 0, 0);
                        pairs++;
                    }
                }
            }
            checksum = sum;
            return pairs;
        }

        public long checksum() {
            return checksum;
        }
    }

    /**
     * A high-order mix: each step allocates (order 0 85 % of the time, orders 1–3 13 %, up to order 10 rarely; movable, unmovable,
     * reclaimable, or GFP_ATOMIC with the slow path's reserve flags) or frees a random held block, keeping about 60 %
     * of the zone allocated. Deterministic (its own xorshift generator); no objects are created per step.
     */
    public static final class Mix {
        private static final String[] GFPS = {"GFP_HIGHUSER_MOVABLE", "GFP_KERNEL", "GFP_KERNEL|__GFP_RECLAIMABLE",
            "GFP_ATOMIC"};
        private final PageAllocator a;
        private final int maxOrder;
        /** By (gfp × orders + order) × 2 + cpu. */
        private final AllocContext[] contexts;
        private final int[] flags;
        private final long target;
        private long[] pfns;
        private byte[] orders;
        private int n;
        private long heldPages;
        private long rng;
        private long checksum;
        private long failures;

        public Mix(PageAllocator a, long seed) {
            this.a = a;
            this.maxOrder = a.config().maxOrder();
            int nc = GFPS.length * maxOrder * 2;
            this.contexts = new AllocContext[nc];
            this.flags = new int[nc];
            for (int g = 0; g < GFPS.length; g++) {
                for (int o = 0; o < maxOrder; o++) {
                    for (int cpu = 0; cpu < 2; cpu++) {
                        int i = (g * maxOrder + o) * 2 + cpu;
                        boolean atomic = g == GFPS.length - 1;
                        AllocContext ac = context(a, GFPS[g], o, atomic ? Context.SOFTIRQ : Context.PROCESS,
                            cpu % a.config().cpus());
                        contexts[i] = ac;
                        flags[i] = atomic ? AllocFlagRules.slowPathFlags(a.policy(), ac)
                            : AllocFlagRules.fastPathFlags(a.policy(), ac.gfp());
                    }
                }
            }
            long pages = a.config().totalManagedPages();
            this.target = pages * Long.getLong("hw.mix.pct", 90) / 100;
            int cap = (int) Math.min(Integer.MAX_VALUE - 8, pages);
            this.pfns = new long[Math.min(cap, 1 << 16)];
            this.orders = new byte[pfns.length];
            this.rng = seed == 0 ? 0x9E3779B97F4A7C15L : seed;
        }

        private long next() {
            long x = rng;
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            rng = x;
            return x >>> 1;
        }

        private int drawOrder() {
            int u = (int) (next() % 1000);
            int o;
            if (u < 850) {
                o = 0;
            } else if (u < 910) {
                o = 1;
            } else if (u < 950) {
                o = 2;
            } else if (u < 980) {
                o = 3;
            } else if (u < 995) {
                o = 4 + (int) (next() % 3);
            } else {
                o = 7 + (int) (next() % 4);
            }
            return Math.min(o, maxOrder - 1);
        }

        private void allocOne() {
            int order = drawOrder();
            int g = (int) (next() % 10);
            int gi = g < 5 ? 0 : g < 8 ? 1 : g < 9 ? 2 : 3;
            int i = (gi * maxOrder + order) * 2 + (int) (next() & 1);
            long pfn = a.getPageFromFreelist(contexts[i], flags[i]);
            if (pfn < 0) {
                failures++;
                return;
            }
            if (n == pfns.length) {
                pfns = java.util.Arrays.copyOf(pfns, n * 2);
                orders = java.util.Arrays.copyOf(orders, n * 2);
            }
            pfns[n] = pfn;
            orders[n] = (byte) order;
            n++;
            heldPages += 1L << order;
            checksum = checksum * 31 + pfn;
        }

        private void freeOne() {
            int i = (int) (next() % n);
            long pfn = pfns[i];
            int order = orders[i];
            n--;
            pfns[i] = pfns[n];
            orders[i] = orders[n];
            heldPages -= 1L << order;
            a.freePages(pfn, order, (int) (next() & 1) % a.config().cpus());
        }

        /** Allocates until about 60 % of the zone is held (or allocations keep failing). Returns the steps taken. */
        public long fill() {
            long steps = 0;
            long failedInARow = 0;
            while (heldPages < target && failedInARow < 1000) {
                long before = failures;
                allocOne();
                failedInARow = failures > before ? failedInARow + 1 : 0;
                steps++;
            }
            return steps;
        }

        /** {@code steps} steps of churn around the target. Returns the operations done (allocation attempts + frees). */
        public long run(long steps) {
            for (long s = 0; s < steps; s++) {
                boolean alloc;
                if (n == 0 || heldPages < target - target / 10) {
                    alloc = true;
                } else if (heldPages > target + target / 10) {
                    alloc = false;
                } else {
                    alloc = (next() & 1) == 0;
                }
                if (alloc) {
                    allocOne();
                } else {
                    freeOne();
                }
            }
            return steps;
        }

        public long checksum() {
            return checksum;
        }

        public long failures() {
            return failures;
        }

        public long heldPages() {
            return heldPages;
        }
    }

    /**
     * Order-0 churn on a fragmented zone, the state a long-running machine (or a zone rebuilt from a real kernel
     * report's buddy line) is in: the zone is filled with order-0 pages and every other page is freed again, so about
     * half the zone sits on the order-0 free lists as single pages; then each step allocates an order-0 page
     * (movable or unmovable) or frees a random held one, on either CPU. Frees merge with free buddies, so blocks are
     * taken off long free lists at arbitrary positions. Deterministic; no objects are created per step.
     */
    public static final class Frag {
        private final PageAllocator a;
        private final AllocContext[] contexts;
        private final int[] flags;
        private long[] held;
        private int n;
        private long rng;
        private long checksum;
        private long failures;

        public Frag(PageAllocator a, long seed) {
            this.a = a;
            this.contexts = new AllocContext[4];
            this.flags = new int[4];
            String[] gfps = {"GFP_HIGHUSER_MOVABLE", "GFP_KERNEL"};
            for (int g = 0; g < 2; g++) {
                for (int cpu = 0; cpu < 2; cpu++) {
                    AllocContext ac = context(a, gfps[g], 0, Context.PROCESS, cpu % a.config().cpus());
                    contexts[g * 2 + cpu] = ac;
                    flags[g * 2 + cpu] = AllocFlagRules.fastPathFlags(a.policy(), ac.gfp());
                }
            }
            this.rng = seed == 0 ? 0x9E3779B97F4A7C15L : seed;
            long pages = a.config().totalManagedPages();
            this.held = new long[(int) Math.min(Integer.MAX_VALUE - 8, pages)];
            // fill the zone with order-0 pages, then free every odd pfn
            while (true) {
                long pfn = a.getPageFromFreelist(contexts[0], flags[0]);
                if (pfn < 0) {
                    break;
                }
                held[n++] = pfn;
            }
            int kept = 0;
            for (int i = 0; i < n; i++) {
                if ((held[i] & 1) == 1) {
                    a.freePages(held[i], 0, 0);
                } else {
                    held[kept++] = held[i];
                }
            }
            n = kept;
            a.drainAllPages();
        }

        private long next() {
            long x = rng;
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            rng = x;
            return x >>> 1;
        }

        /** {@code steps} allocations or frees (half each, at random). Returns the operations done. */
        public long run(long steps) {
            for (long s = 0; s < steps; s++) {
                long v = next();
                if ((v & 1) == 0 || n == 0) {
                    int i = (int) ((v >>> 1) & 3);
                    long pfn = a.getPageFromFreelist(contexts[i], flags[i]);
                    if (pfn < 0) {
                        failures++;
                        continue;
                    }
                    if (n == held.length) {
                        held = java.util.Arrays.copyOf(held, n * 2);
                    }
                    held[n++] = pfn;
                    checksum = checksum * 31 + pfn;
                } else {
                    int i = (int) ((v >>> 3) % n);
                    long pfn = held[i];
                    held[i] = held[--n];
                    a.freePages(pfn, 0, (int) ((v >>> 2) & 1) % a.config().cpus());
                }
            }
            return steps;
        }

        public long checksum() {
            return checksum;
        }

        public long failures() {
            return failures;
        }

        /** Free blocks on the zone's buddy lists right now. */
        public long freeBlocks() {
            long b = 0;
            for (int o = 0; o < a.config().maxOrder(); o++) {
                b += a.nrFreeBlocks(0, o);
            }
            return b;
        }
    }

    /**
     * A long trace with reclaim on a zone of {@code pages}: page-cache reads and writes, anonymous faults of three
     * tasks, kernel allocations of order 0–3 held and freed under handles, GFP_ATOMIC bursts in softirq, writeback,
     * kswapd, drains and compaction; the page cache alone asks for several times the zone, so reclaim runs all the
     * time. {@code rounds} groups of 12 steps.
     */
    public static Trace replayTrace(KernelPolicy p, long pages, int rounds, long seed) {
        NodeConfig node = node(pages);
        List<TaskSpec> tasks = List.of(new TaskSpec(1, 0, false), new TaskSpec(2, 0, false), new TaskSpec(3, 500, false));
        List<Op> ops = new ArrayList<>();
        long x = seed == 0 ? 1 : seed;
        int handle = 0;
        List<String> live = new ArrayList<>();
        Optional<String> none = Optional.empty();
        int chunk = (int) Math.max(1, pages / 16);
        for (int r = 0; r < rounds; r++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            long v = x >>> 1;
            int cpu = (int) (v & 1);
            ops.add(new Op.Cache(chunk, false, cpu, none));
            ops.add(new Op.Anon(1 + (int) (v % 3), chunk / 2, cpu, none));
            String h = "k" + handle++;
            ops.add(new Op.Alloc(h, 0, 0, Gfp.parse("GFP_KERNEL"), Context.PROCESS, cpu, Math.max(1, chunk / 4), none));
            live.add(h);
            String hh = "h" + handle++;
            ops.add(new Op.Alloc(hh, 0, 1 + (int) (v % 3), Gfp.parse("GFP_KERNEL"), Context.PROCESS, cpu, 8, none));
            live.add(hh);
            String ha = "a" + handle++;
            ops.add(new Op.Alloc(ha, 0, (int) ((v >>> 8) % 4), Gfp.parse("GFP_ATOMIC"), Context.SOFTIRQ, cpu, 16, none));
            live.add(ha);
            ops.add(new Op.Cache(chunk / 2, true, cpu, none));
            ops.add(new Op.Writeback(chunk / 4, none));
            ops.add(new Op.Kswapd(none));
            // free the oldest live handle now and then, and half of a random one
            if (live.size() > 6) {
                ops.add(new Op.Free(live.remove(0), 0, cpu, none));
            } else {
                ops.add(new Op.Drain(none));
            }
            String victim = live.get((int) ((v >>> 16) % live.size()));
            ops.add(new Op.Free(victim, 4, 1 - cpu, none));
            ops.add(r % 8 == 7 ? new Op.Compact(-1, none) : new Op.Drain(none));
            ops.add(new Op.Kswapd(none));
        }
        return Trace.of(List.of("benchmark replay trace"), p.name(), node, VmSettings.DEFAULTS, tasks, pages / 4, ops,
            List.of());
    }

    /** Boots a memory system for a trace on the given allocator kind. */
    public static MemorySystem boot(AllocatorKind kind, Trace t, KernelPolicy p) {
        return new TraceRunner(List.of(), kind).boot(t, p);
    }
}
