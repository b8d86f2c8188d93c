package dev.highwater.model.mm;

import dev.highwater.model.AllocContext;
import dev.highwater.model.AllocFlags;
import dev.highwater.model.Context;
import dev.highwater.model.GfpMask;
import dev.highwater.model.MigrateType;
import dev.highwater.model.NodeConfig;
import dev.highwater.model.PageAllocator;
import dev.highwater.model.ZoneType;
import dev.highwater.model.policy.AllocFlagRules;
import dev.highwater.model.policy.KernelPolicy;
import dev.highwater.model.reference.ReferenceAllocator;
import dev.highwater.model.trace.Op;
import dev.highwater.model.trace.ResultText;
import dev.highwater.model.trace.TaskSpec;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Map.Entry;
import java.util.TreeMap;

/**
 * The memory system around one allocator: it turns trace steps into {@code __alloc_pages} calls (fast path, then
 * the slow path of the preset, kernel-semantics §3.2, §7.1) and frees, and keeps the ledger of who holds which
 * pages. Written once; it drives any {@link PageAllocator}.
 *
 * <p>Scope of this version: no page cache, anonymous memory or swap yet, so direct reclaim never makes progress
 * and blocking requests fail where the kernel would reclaim or OOM-kill (§7.5). The retry loop, reclaim, kswapd,
 * compaction and the OOM killer plug in at {@link #slowPath}.
 */
public final class MemorySystem {

    /** One block held by a handle. */
    public record Allocation(long pfn, int order, int zone, MigrateType migratetype, int task) {
    }

    /** What one {@code __alloc_pages} call did. {@code pfn} is -1 on failure. */
    public record AllocAttempt(long pfn, int zone, boolean slowPath, int lastFlags) {
        public boolean ok() {
            return pfn >= 0;
        }
    }

    private final KernelPolicy policy;
    private final PageAllocator allocator;
    private final Map<Integer, TaskSpec> tasks = new LinkedHashMap<>();
    /** handle → blocks it holds, most recent last. Insertion-ordered for deterministic iteration. */
    private final Map<String, Deque<Allocation>> handles = new LinkedHashMap<>();
    /** pfn → the allocation starting there (for the movable-page oracle and conservation checks). */
    private final TreeMap<Long, Allocation> byPfn = new TreeMap<>();
    private final boolean mobilityDisabled;
    private AllocAttempt lastAttempt;

    public MemorySystem(PageAllocator allocator, List<TaskSpec> tasks) {
        this.allocator = allocator;
        this.policy = allocator.policy();
        for (TaskSpec t : tasks) {
            this.tasks.put(t.id(), t);
        }
        this.mobilityDisabled = ReferenceAllocator.mobilityGroupingDisabled(allocator.config());
        allocator.setMovablePageOracle(this::isMovableAllocatedPage);
    }

    public PageAllocator allocator() {
        return allocator;
    }

    public KernelPolicy policy() {
        return policy;
    }

    /** Every block currently held, in pfn order. */
    public List<Allocation> allocations() {
        return List.copyOf(byPfn.values());
    }

    /** Handles that still hold blocks, and how many. */
    public Map<String, Integer> liveHandles() {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (Entry<String, Deque<Allocation>> e : handles.entrySet()) {
            if (!e.getValue().isEmpty()) {
                m.put(e.getKey(), e.getValue().size());
            }
        }
        return m;
    }

    /** The last allocation attempt of the last step (for reports and explanations). */
    public AllocAttempt lastAttempt() {
        return lastAttempt;
    }

    boolean isMovableAllocatedPage(long pfn) {
        Entry<Long, Allocation> e = byPfn.floorEntry(pfn);
        return e != null && pfn < e.getKey() + (1L << e.getValue().order())
            && e.getValue().migratetype() == MigrateType.MOVABLE;
    }

    /** Executes one step and returns its result text ({@code ok}, {@code fail}, {@code ok=A fail=B}, {@code done}). */
    public String apply(Op op) {
        if (op instanceof Op.Alloc a) {
            return alloc(a);
        }
        if (op instanceof Op.Free f) {
            return free(f);
        }
        allocator.drainAllPages();
        return "done";
    }

    private String alloc(Op.Alloc a) {
        GfpMask gfp = a.gfp().resolve(policy.gfpLayout());
        TaskSpec task = tasks.get(a.task());
        AllocContext ac = context(gfp, a.order(), a.context(), a.cpu(), task);
        Deque<Allocation> held = handles.computeIfAbsent(a.handle(), h -> new ArrayDeque<>());
        int ok = 0;
        int fail = 0;
        for (int i = 0; i < a.count(); i++) {
            AllocAttempt r = allocPages(ac);
            lastAttempt = r;
            if (r.ok()) {
                Allocation al = new Allocation(r.pfn(), a.order(), r.zone(), ac.migratetype(), a.task());
                held.addLast(al);
                byPfn.put(r.pfn(), al);
                ok++;
            } else {
                fail++;
            }
        }
        return ResultText.of(ok, fail);
    }

    private String free(Op.Free f) {
        Deque<Allocation> held = handles.get(f.handle());
        if (held == null || held.isEmpty()) {
            return "done"; // nothing left under that handle (its allocations failed or were freed)
        }
        int n = f.count() == 0 ? held.size() : Math.min(f.count(), held.size());
        for (int i = 0; i < n; i++) {
            Allocation al = held.pollLast();
            byPfn.remove(al.pfn());
            allocator.freePages(al.pfn(), al.order(), f.cpu());
        }
        return "done";
    }

    /** Builds the allocation context of a request (gfp_zone, gfp_migratetype, caller state). */
    public AllocContext context(GfpMask gfp, int order, Context ctx, int cpu, TaskSpec task) {
        NodeConfig cfg = allocator.config();
        int highest = cfg.highestZoneAtMost(gfp.highestZone());
        MigrateType mt = mobilityDisabled ? MigrateType.UNMOVABLE : gfp.migratetype();
        boolean rt = task != null && task.rt();
        return new AllocContext(gfp, order, mt, highest, ctx, cpu, rt, false);
    }

    /** {@code __alloc_pages}: the fast path at the low watermark, then the slow path (§3.2, §7.1). */
    public AllocAttempt allocPages(AllocContext ac) {
        if (ac.order() >= allocator.config().maxOrder() || ac.highestZone() < 0) {
            return new AllocAttempt(-1, -1, false, 0); // order above MAX_ORDER, or no zone the request may use
        }
        int flags = AllocFlagRules.fastPathFlags(policy, ac.gfp());
        if (policy.noFragment() && preferredIsNormalWithDma32(ac)) {
            flags |= AllocFlags.NOFRAGMENT; // alloc_flags_nofragment, 5.1+
        }
        long pfn = allocator.getPageFromFreelist(ac, flags);
        if (pfn >= 0) {
            return new AllocAttempt(pfn, zoneOf(pfn), false, flags);
        }
        return slowPath(ac);
    }

    private boolean preferredIsNormalWithDma32(AllocContext ac) {
        List<dev.highwater.model.ZoneSpec> zones = allocator.zones();
        if (zones.get(ac.highestZone()).type() != ZoneType.NORMAL) {
            return false;
        }
        return zones.stream().anyMatch(z -> z.type() == ZoneType.DMA32 && z.managedPages() > 0);
    }

    /**
     * {@code __alloc_pages_slowpath} up to the point this version models: slow-path flags, the freelist attempt at
     * the min watermark with the caller's reductions, the reserve-flag attempt, and failure for requests that
     * cannot direct-reclaim (GFP_ATOMIC, GFP_NOWAIT: §7.5). Blocking requests fail too: with nothing reclaimable
     * direct reclaim makes no progress.
     */
    private AllocAttempt slowPath(AllocContext ac0) {
        AllocContext ac = new AllocContext(AllocFlagRules.slowPathGfp(policy, ac0.gfp()), ac0.order(),
            ac0.migratetype(), ac0.highestZone(), ac0.context(), ac0.cpu(), ac0.rtTask(), ac0.oomVictim());
        int flags = AllocFlagRules.slowPathFlags(policy, ac);
        long pfn = allocator.getPageFromFreelist(ac, flags & ~AllocFlags.NO_WATERMARKS);
        if (pfn >= 0) {
            return new AllocAttempt(pfn, zoneOf(pfn), true, flags);
        }
        int reserve = AllocFlagRules.reserveFlags(policy, ac);
        if (reserve != 0) {
            int retryFlags = reserve | (flags & AllocFlags.KSWAPD);
            pfn = allocator.getPageFromFreelist(ac, retryFlags);
            if (pfn >= 0) {
                return new AllocAttempt(pfn, zoneOf(pfn), true, retryFlags);
            }
        }
        return new AllocAttempt(-1, -1, true, flags);
    }

    private int zoneOf(long pfn) {
        int zone = 0;
        for (int z = 0; z < allocator.zones().size(); z++) {
            if (pfn >= allocator.zoneStartPfn(z)) {
                zone = z;
            }
        }
        return zone;
    }

    /** Pages held by allocations, per zone. */
    public long[] allocatedPagesPerZone() {
        long[] n = new long[allocator.zones().size()];
        for (Allocation a : byPfn.values()) {
            n[a.zone()] += 1L << a.order();
        }
        return n;
    }

    /** For tests: the handles in order with their blocks. */
    public Map<String, List<Allocation>> handleTable() {
        Map<String, List<Allocation>> m = new LinkedHashMap<>();
        handles.forEach((k, v) -> m.put(k, new ArrayList<>(v)));
        return m;
    }
}
