package dev.highwater.model.fast;

import static dev.highwater.model.AllocFlags.KSWAPD;
import static dev.highwater.model.AllocFlags.NOFRAGMENT;
import static dev.highwater.model.AllocFlags.NO_WATERMARKS;

import dev.highwater.model.AllocContext;
import dev.highwater.model.AllocFlags;
import dev.highwater.model.GfpFlag;
import dev.highwater.model.GfpLayout;
import dev.highwater.model.MigrateType;
import dev.highwater.model.NodeConfig;
import dev.highwater.model.PageAllocator;
import dev.highwater.model.Tunables;
import dev.highwater.model.Watermarks;
import dev.highwater.model.ZoneSpec;
import dev.highwater.model.ZoneWatermarks;
import dev.highwater.model.policy.AllocFlagRules;
import dev.highwater.model.policy.HighatomicCap;
import dev.highwater.model.policy.KernelPolicy;
import dev.highwater.model.policy.MergeGuard;
import dev.highwater.model.policy.PcpRules;
import dev.highwater.model.policy.StealRule;
import dev.highwater.model.policy.UnreserveAccounting;
import dev.highwater.model.reference.ReferenceAllocator;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongPredicate;

/**
 * The optimized, kernel-like buddy allocator: the same behaviour as {@link ReferenceAllocator} for every preset (same
 * pfns, same list order, same counters, same pageblock types), with the kernel's data structures.
 *
 * <h2>Data structures</h2>
 * <ul>
 *   <li><b>Intrusive doubly linked lists over {@code int[]}.</b> {@code links[2 pfn]} is the next and
 *   {@code links[2 pfn + 1]} the previous node of pfn (the node's pfns {@code [0, span)}; interleaved so that one
 *   cache line holds both); each list has a sentinel node (a {@code list_head}) at an index past {@code span}. A pfn is on at most one list at a time — a buddy free list or a per-CPU list — so the two arrays
 *   serve both kinds. Add at head or tail, unlink, and take the head or tail are O(1).</li>
 *   <li><b>One state byte per page frame</b>: 0 for an allocated page, a page inside a free block, or a hole; for the
 *   head of a free buddy block ({@code PageBuddy}), {@code (order + 1) | listType << 5}; for a page on a per-CPU list,
 *   {@code 0x1f | cachedMigratetype << 5} ({@code set_pcppage_migratetype}).</li>
 *   <li><b>One migratetype byte per pageblock</b>.</li>
 *   <li>Per zone: list sentinels for each order × migratetype ({@code free_area[o].free_list[mt]}), a block count per
 *   list, {@code nr_free} per order, NR_FREE_PAGES, {@code nr_reserved_highatomic}, the free highatomic pages, the
 *   watermark boost; per zone and CPU a {@code per_cpu_pages} with its lists (order × PCPTYPES), count, batch and
 *   high.</li>
 * </ul>
 * Memory: 9 bytes per page frame plus one byte per pageblock, and a few hundred bytes per zone and CPU. Every
 * allocation and free is O(1) amortised (a merge or split loop is bounded by the number of orders; moving a
 * pageblock's free pages walks one pageblock, as the kernel's {@code move_freepages_block} does); the hot path
 * creates no Java objects.
 *
 * <h2>Concurrency</h2>
 * Thread-safe as the kernel is, with the kernel's locks (a {@link #uniprocessor} allocator has the same locks without
 * atomic instructions, for one thread, as a kernel without {@code CONFIG_SMP}):
 * <ul>
 *   <li><b>Zone lock</b> ({@code zone->lock}): guards the zone's buddy free lists (the {@code next}/{@code prev}
 *   entries of pfns on them, the state bytes of buddy heads), the per-list counts, {@code nr_free}, writes of
 *   NR_FREE_PAGES, {@code nr_reserved_highatomic}, the free highatomic count and the watermark boost, the pageblock
 *   types, and the zone's fallback bookkeeping. Taken by every buddy operation: {@code rmqueue_buddy},
 *   {@code rmqueue_bulk}, {@code free_one_page}, {@code free_pcppages_bulk}, the highatomic reservation and
 *   {@code unreserve_highatomic_pageblock}, {@code __isolate_free_page}, the 2.6.32 migrate reserve, and the
 *   snapshot readers ({@link #freeBlocks}).</li>
 *   <li><b>Per-CPU lock</b> ({@code pcp->lock}), one per zone and CPU: guards that CPU's per-CPU lists, their count,
 *   batch and high, and the state bytes of pages on them. A CPU is whatever {@code cpu} the caller names, whichever
 *   thread it runs on, so process context and softirq on the same CPU exclude each other, and different CPUs run in
 *   parallel. A page moves between a per-CPU list and the buddy lists only with both locks held.</li>
 *   <li><b>Lock order</b>: per-CPU lock, then zone lock; never two per-CPU locks, never two zone locks at once
 *   ({@link #drainAllPages} takes each CPU's lock in turn). The only callback, {@code move_freepages}' movable-page
 *   oracle ({@link #setMovablePageOracle}), runs with the zone lock (and possibly a per-CPU lock) held and must not
 *   call back into the allocator.</li>
 *   <li><b>Lock-free readers</b>: the watermark fast path ({@code zone_watermark_fast}, {@link #zoneWatermarkOk}),
 *   {@link #nrFreePages}, {@link #nrFreeBlocks}, {@link #nrReservedHighatomic}, {@link #nrFreeHighatomic},
 *   {@link #watermarkBoost} and {@link #pcpPages} read the counters with opaque {@link VarHandle} loads (writers use
 *   opaque stores under their lock): each value is one that some writer stored, never torn, possibly stale — the
 *   kernel's vmstat semantics. Two allocators can therefore both pass a watermark check that only one of them should
 *   have passed; the kernel accepts that race and so does this class. The watermarks themselves are an immutable
 *   per-zone snapshot published through a volatile field by {@link #setTunables}. {@link #freeOrderAt} and the
 *   pageblock type read by {@link #freePages} are racy reads too, as {@code PageBuddy()} in compaction's free scanner
 *   and {@code get_pfnblock_migratetype} are in the kernel. That free-path read is the window of the historic double
 *   decrease of {@code nr_reserved_highatomic}: a page freed while its block is being unreserved keeps the old
 *   HIGHATOMIC type on its per-CPU list; presets without 4855e4a7f29d then decrement again on the next unreserve
 *   (the stress module's {@code UnreserveVsPcpFree} shows it). The highatomic cap is likewise tested without the
 *   lock and re-tested under it (§6.2).</li>
 *   <li>The kswapd wake request of a boosted zone is a pair of atomic flags, set under the zone lock and taken with
 *   an atomic exchange.</li>
 * </ul>
 * Ownership of an allocated block passes to the caller, and back with {@link #freePages}; freeing a block that the
 * caller does not own (a double free) corrupts the lists here as it does in the kernel.
 *
 * <p>Layout and boot are the reference's: zone i occupies pfns {@code [start_i, start_i + managed_i)}, later zones
 * start at the next max-order-aligned pfn, every pageblock starts MOVABLE, and memory is released in ascending pfn
 * order in the largest aligned blocks.
 */
public final class FastAllocator implements PageAllocator {

    static final MigrateType[] TYPES = MigrateType.values();
    /** Migratetypes (list slots per order). */
    static final int NT = TYPES.length;
    static final int U = MigrateType.UNMOVABLE.ordinal();
    static final int M = MigrateType.MOVABLE.ordinal();
    static final int E = MigrateType.RECLAIMABLE.ordinal();
    static final int H = MigrateType.HIGHATOMIC.ordinal();
    static final int CMA = MigrateType.CMA.ordinal();
    static final int ISO = MigrateType.ISOLATE.ordinal();
    static final int RES = MigrateType.RESERVE.ordinal();
    static final int PCPTYPES = MigrateType.PCPTYPES;
    /** {@link MigrateType#fallbacks()} by ordinal. */
    static final int[][] FALLBACKS = new int[NT][];

    static {
        for (MigrateType t : TYPES) {
            MigrateType[] f = t.fallbacks();
            int[] o = new int[f.length];
            for (int i = 0; i < f.length; i++) {
                o[i] = f[i].ordinal();
            }
            FALLBACKS[t.ordinal()] = o;
        }
    }

    /** State byte: low five bits {@code order + 1} of a buddy head, or {@link #PCP_MARK}; the type above. */
    static final int ORDER_BITS = 0x1f;
    static final int PCP_MARK = 0x1f;
    static final int TYPE_SHIFT = 5;

    static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    static final VarHandle INTS = MethodHandles.arrayElementVarHandle(int[].class);

    /** False for a {@link #uniprocessor} allocator: its locks are {@code SpinLock(false)}. */
    private final boolean smp;
    /**
     * {@link #modifications()}: bumped by every list link, pageblock type and counter write below (plain increments:
     * meaningful when one thread drives the allocator, as a fuzz run does).
     */
    private long mods;
    private final KernelPolicy policy;
    private final NodeConfig config;
    private final boolean mobilityDisabled;
    private final int maxOrder;
    private final int pbOrder;
    private final int pbPages;
    private final int pcpMaxOrder;
    private final boolean pcpMissFallsBack;
    private final PcpRules pcpRules;
    private final StealRule stealRule;
    private final MergeGuard mergeGuard;
    private final boolean moveToTail;
    private final FastWatermark wmCheck;
    /** Pfns {@code [0, span)} have a state byte and list links; list sentinels follow. */
    private final int span;
    /** {@code next} at {@code 2 × node}, {@code prev} at {@code 2 × node + 1}: one cache line holds both. */
    private final int[] links;
    private final byte[] state;
    private final byte[] blockType;
    private final Zone[] zones;
    private volatile Tunables tunables;
    private volatile Watermarks watermarks;
    private volatile LongPredicate movableAllocated;

    /** An allocator that several threads may share (SMP locks): what the concurrency stress tests drive. */
    public FastAllocator(KernelPolicy policy, NodeConfig config, Tunables tunables) {
        this(policy, config, tunables, true);
    }

    /**
     * An allocator for one thread: its zone and per-CPU locks take no atomic instruction (a kernel built without
     * {@code CONFIG_SMP}; per-CPU lists still exist, one per CPU the node has, and a CPU is whatever the caller names).
     * Behaviour is the SMP allocator's, step for step; only sharing it between threads is an error, which the locks
     * report when they see it. Fuzz runs, replays and the model checker drive the memory system from one thread.
     */
    public static FastAllocator uniprocessor(KernelPolicy policy, NodeConfig config, Tunables tunables) {
        return new FastAllocator(policy, config, tunables, false);
    }

    private FastAllocator(KernelPolicy policy, NodeConfig config, Tunables tunables, boolean smp) {
        this.smp = smp;
        this.policy = policy;
        this.config = config;
        this.mobilityDisabled = ReferenceAllocator.mobilityGroupingDisabled(config);
        this.maxOrder = config.maxOrder();
        this.pbOrder = config.pageblockOrder();
        this.pbPages = config.pageblockPages();
        this.pcpRules = policy.pcpRules();
        this.pcpMaxOrder = pcpRules.maxOrder();
        this.pcpMissFallsBack = pcpRules.missFallsBackToBuddy();
        this.stealRule = policy.stealRule();
        this.mergeGuard = policy.mergeGuard();
        this.moveToTail = stealRule == StealRule.V4_11;
        this.wmCheck = new FastWatermark(policy, maxOrder);
        int nz = config.zones().size();
        long maxBlock = 1L << (maxOrder - 1);
        long[] starts = new long[nz];
        long start = 0;
        for (int i = 0; i < nz; i++) {
            starts[i] = start;
            start = roundUp(start + config.zones().get(i).managedPages(), maxBlock);
        }
        int buddyLists = maxOrder * NT;
        int pcpLists = (pcpMaxOrder + 1) * PCPTYPES;
        long sentinels = (long) nz * (buddyLists + (long) config.cpus() * pcpLists);
        if (2 * (start + sentinels) > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("node of " + start + " pfns is too large for " + getClass().getSimpleName());
        }
        this.span = (int) start;
        int nodes = (int) (span + sentinels);
        this.links = new int[2 * nodes];
        for (int s = span; s < nodes; s++) {
            links[s << 1] = s;
            links[s << 1 | 1] = s;
        }
        this.state = new byte[span];
        this.blockType = new byte[(span >> pbOrder) + 1];
        java.util.Arrays.fill(blockType, (byte) M); // memmap_init: every pageblock MOVABLE
        this.tunables = tunables;
        this.watermarks = Watermarks.compute(policy.watermarkRules(), config.zones(), tunables);
        this.zones = new Zone[nz];
        int sentinel = span;
        for (int i = 0; i < nz; i++) {
            zones[i] = new Zone(i, config.zones().get(i), (int) starts[i], sentinel, buddyLists, pcpLists);
            sentinel += buddyLists + config.cpus() * pcpLists;
        }
        for (Zone z : zones) {
            z.updatePcpHighBatch();
            z.lock.lock();
            try {
                z.releaseBootMemory();
            } finally {
                z.lock.unlock();
            }
        }
        if (policy.migrateReserve()) {
            for (Zone z : zones) {
                z.lock.lock();
                try {
                    z.setupMigrateReserve();
                } finally {
                    z.lock.unlock();
                }
            }
        }
    }

    /**
     * Makes this allocator's state equal to {@code src}'s, reusing this one's arrays: free and per-CPU lists (the link
     * array with its list order), page and pageblock state, every zone and per-CPU counter, batch and high, the
     * watermarks, boost and wake flags, and the tunables. The movable-page oracle stays this allocator's own (its
     * memory system sets it). Both must have the same policy and node config; neither may be in use by another
     * thread. A fuzz run starts from a copy of a freshly booted allocator this way instead of booting one.
     */
    @Override
    public void copyStateFrom(PageAllocator src) {
        if (!(src instanceof FastAllocator f)) {
            throw new IllegalArgumentException("copyStateFrom needs an optimized allocator, got " + src);
        }
        copyFrom(f);
    }

    /**
     * A copy of this allocator's state, SMP or uniprocessor as this one is (booted, then {@link #copyFrom}: copies are
     * rare, a path stack's worth, where {@link #copyFrom} is per step). The movable-page oracle is not copied.
     */
    @Override
    public FastAllocator copy() {
        FastAllocator c = new FastAllocator(policy, config, tunables, smp);
        c.copyFrom(this);
        return c;
    }

    public void copyFrom(FastAllocator src) {
        if (src.policy != policy || (src.config != config && !src.config.equals(config))) {
            throw new IllegalArgumentException("copyFrom needs the same policy and node config");
        }
        mods++;
        System.arraycopy(src.links, 0, links, 0, links.length);
        System.arraycopy(src.state, 0, state, 0, state.length);
        System.arraycopy(src.blockType, 0, blockType, 0, blockType.length);
        this.tunables = src.tunables;
        this.watermarks = src.watermarks;
        for (int i = 0; i < zones.length; i++) {
            Zone to = zones[i];
            Zone from = src.zones[i];
            System.arraycopy(from.listCount, 0, to.listCount, 0, to.listCount.length);
            System.arraycopy(from.nrFree, 0, to.nrFree, 0, to.nrFree.length);
            to.wm = from.wm;
            to.nrFreePages = from.nrFreePages;
            to.nrReservedHighatomic = from.nrReservedHighatomic;
            to.nrFreeHighatomic = from.nrFreeHighatomic;
            to.boost = from.boost;
            to.boostedPendingWake = from.boostedPendingWake;
            to.kswapdWakeRequested = from.kswapdWakeRequested;
            to.lastCachedType = from.lastCachedType;
            to.movableCounted = from.movableCounted;
            for (int c = 0; c < to.pcp.length; c++) {
                to.pcp[c].count = from.pcp[c].count;
                to.pcp[c].batch = from.pcp[c].batch;
                to.pcp[c].high = from.pcp[c].high;
            }
        }
        VarHandle.fullFence(); // publish the plain stores before another thread is handed this allocator
    }

    private static long roundUp(long v, long to) {
        return (v + to - 1) / to * to;
    }

    /** Bytes held by the per-page-frame and per-pageblock arrays, divided by nothing: see {@link #bytesPerPageFrame}. */
    public long pageFrameArrayBytes() {
        return 4L * links.length + state.length + blockType.length;
    }

    /** Bytes of the page-frame arrays per managed page (the structural footprint; the per-zone parts are constant). */
    public double bytesPerPageFrame() {
        return (double) pageFrameArrayBytes() / Math.max(1, config.totalManagedPages());
    }

    // ------------------------------------------------------------------------------------------------------------
    // PageAllocator

    @Override
    public KernelPolicy policy() {
        return policy;
    }

    @Override
    public NodeConfig config() {
        return config;
    }

    @Override
    public long zoneStartPfn(int zone) {
        return zones[zone].start;
    }

    @Override
    public ZoneWatermarks watermarks(int zone) {
        Zone z = zones[zone];
        Wm w = z.wm;
        long b = z.boostOpaque();
        if (b == 0) {
            return w.base;
        }
        // the boosted marks of the last boost read, kept beside the base ones (a record per call showed in profiles;
        // a boost lasts many calls): an immutable pair, so a racing reader sees either the old or the new one
        Boosted last = w.boosted;
        if (last != null && last.boost == b) {
            return last.marks;
        }
        ZoneWatermarks m = new ZoneWatermarks(w.min + b, w.low + b, w.high + b, w.base.lowmemReserve());
        w.boosted = new Boosted(b, m);
        return m;
    }

    /** A zone's watermarks raised by a boost. */
    private record Boosted(long boost, ZoneWatermarks marks) {
    }

    @Override
    public long watermarkBoost(int zone) {
        return zones[zone].boostOpaque();
    }

    @Override
    public void clearWatermarkBoost(int zone) {
        Zone z = zones[zone];
        z.lock.lock();
        try {
            z.setBoost(0);
        } finally {
            z.lock.unlock();
        }
    }

    @Override
    public int minFreeKbytes() {
        return watermarks.minFreeKbytes();
    }

    @Override
    public Tunables tunables() {
        return tunables;
    }

    @Override
    public void setTunables(Tunables t) {
        mods++;
        this.tunables = t;
        Watermarks w = Watermarks.compute(policy.watermarkRules(), config.zones(), t);
        this.watermarks = w;
        for (Zone z : zones) {
            z.wm = new Wm(w.zone(z.index));
        }
        for (Zone z : zones) {
            z.lock.lock();
            try {
                z.setBoost(0); // §1.5: a recompute clears the boost
            } finally {
                z.lock.unlock();
            }
            z.updatePcpHighBatch();
        }
        if (policy.migrateReserve()) {
            for (Zone z : zones) {
                z.lock.lock();
                try {
                    z.setupMigrateReserve();
                } finally {
                    z.lock.unlock();
                }
            }
        }
    }

    @Override
    public long getPageFromFreelist(AllocContext ac, int allocFlags) {
        int flags = allocFlags;
        int order = ac.order();
        while (true) {
            boolean noFallback = (flags & NOFRAGMENT) != 0;
            for (int zi = ac.highestZone(); zi >= 0; zi--) {
                Zone z = zones[zi];
                if (z.managed == 0) {
                    continue;
                }
                if ((flags & NO_WATERMARKS) == 0 && !z.watermarkFast(ac, flags)) {
                    continue; // node reclaim (zone_reclaim_mode) is the memory system's, §8.3
                }
                long pfn = z.rmqueue(ac, flags);
                if (pfn >= 0) {
                    // §6.2 (0aaa29a56e4f): the cap is tested without the lock ("race-prone but harmless") and again
                    // under it in reserveHighatomicPageblock; the stress suite's ReserveVsReserve races the two
                    if (AllocFlagRules.triesHighatomicReserve(policy, order, flags)
                        && z.nrReservedHighatomicOpaque() < z.highatomicCap) {
                        z.lock.lock();
                        try {
                            z.reserveHighatomicPageblock((int) pfn);
                        } finally {
                            z.lock.unlock();
                        }
                    }
                    return pfn;
                }
            }
            if (!noFallback) {
                return -1;
            }
            flags &= ~NOFRAGMENT; // 5.1+: retry without ALLOC_NOFRAGMENT before giving up (§5.4)
        }
    }

    @Override
    public boolean zoneWatermarkOk(int zone, int order, long mark, int classzone, int allocFlags) {
        return zoneWatermarkOkWithFree(zone, order, mark, classzone, allocFlags, zones[zone].nrFreePagesOpaque());
    }

    @Override
    public boolean zoneWatermarkOkWithFree(int zone, int order, long mark, int classzone, int allocFlags, long free) {
        Zone z = zones[zone];
        return wmCheck.ok(z, order, mark, z.wm.reserve(classzone), allocFlags, free);
    }

    @Override
    public void freePages(long pfn, int order, int cpu) {
        zoneOf(pfn).freePages((int) pfn, order, cpu);
    }

    @Override
    public boolean unreserveHighatomicPageblock(AllocContext ac, boolean force) {
        UnreserveAccounting acct = policy.unreserveAccounting();
        // the force parameter came with 04c8716f7b00
        boolean forceAllowed = acct == UnreserveAccounting.V4_10 || acct == UnreserveAccounting.V6_10;
        int target = ac.migratetype().ordinal();
        for (int zi = ac.highestZone(); zi >= 0; zi--) {
            Zone z = zones[zi];
            z.lock.lock();
            try {
                // keep one pageblock unless forced (§6.4 step 1)
                if (!(forceAllowed && force) && z.nrReservedHighatomic <= pbPages) {
                    continue;
                }
                for (int order = 0; order < maxOrder; order++) {
                    int s = z.list(order, H);
                    if (links[s << 1] == s) {
                        continue;
                    }
                    int pfn = links[s << 1];
                    boolean stillHighatomic = blockType[pfn >> pbOrder] == H;
                    if (acct == UnreserveAccounting.V6_10) {
                        long size = Math.max(pbPages, 1L << order);
                        if (stillHighatomic) {
                            z.setReserved(z.nrReservedHighatomic - Math.min(size, z.nrReservedHighatomic));
                        }
                        long moved;
                        if (order >= pbOrder) {
                            z.changePageblockRange(pfn, order, target);
                            z.moveToFreeList(pfn, order, target);
                            moved = 1L << order;
                        } else {
                            setBlockType(pfn, target);
                            moved = z.moveFreepagesBlock(pfn, target, false);
                        }
                        if (moved > 0) {
                            return true;
                        }
                        continue;
                    }
                    if (acct == UnreserveAccounting.V4_4 || stillHighatomic) {
                        // V4_4 decrements unconditionally: the double decrease 4855e4a7f29d fixed
                        z.setReserved(z.nrReservedHighatomic - Math.min(pbPages, z.nrReservedHighatomic));
                    }
                    setBlockType(pfn, target);
                    long moved = z.moveFreepagesBlock(pfn, target, false);
                    if (acct == UnreserveAccounting.V4_4 || acct == UnreserveAccounting.STILL_HIGHATOMIC_ONLY) {
                        return true; // ≤4.9: return after the first candidate, moved or not
                    }
                    if (moved > 0) {
                        return true;
                    }
                }
            } finally {
                z.lock.unlock();
            }
        }
        return false;
    }

    @Override
    public int freeOrderAt(long pfn) {
        zoneOf(pfn);
        return buddyOrderAt((int) pfn); // a racy PageBuddy() read, as compaction's scanner does
    }

    @Override
    public boolean isolateFreePage(long pfn, int order) {
        Zone z = zoneOf(pfn);
        int p0 = (int) pfn;
        z.lock.lock();
        try {
            if (!z.isBuddyHead(p0, order)) {
                return false;
            }
            int mt = blockType[p0 >> pbOrder];
            if (mt != ISO) {
                // 4.4: low + 2^order; 4.6+ (and every later preset): min + 2^order, order-0 check with ALLOC_CMA
                ZoneWatermarks w = watermarks(z.index);
                long mark = (policy.gfpLayout() == GfpLayout.V4_4 || policy.gfpLayout() == GfpLayout.V2_6_32
                    ? w.low() : w.min()) + (1L << order);
                if (!zoneWatermarkOk(z.index, 0, mark, z.index, AllocFlags.CMA)) {
                    return false;
                }
            }
            z.delFromFreeList(p0, order);
            z.addFreePages(-(1L << order));
            if (order >= pbOrder - 1) {
                long end = pfn + (1L << order);
                for (long p = pfn; p < end; p += pbPages) {
                    int t = blockType[(int) (p >> pbOrder)];
                    boolean keep = t == ISO || t == CMA || (t == H && policy.stealNeverRetypesHighatomic());
                    if (!keep) {
                        setBlockType((int) p, M);
                    }
                }
            }
            return true;
        } finally {
            z.lock.unlock();
        }
    }

    @Override
    public void drainAllPages() {
        for (int cpu = 0; cpu < config.cpus(); cpu++) {
            for (Zone z : zones) {
                Pcp p = z.pcp[cpu];
                p.lock.lock();
                try {
                    z.freePcppagesBulk(p, p.count, 0);
                } finally {
                    p.lock.unlock();
                }
            }
        }
    }

    @Override
    public long nrFreePages(int zone) {
        return zones[zone].nrFreePagesOpaque();
    }

    @Override
    public long nrReservedHighatomic(int zone) {
        return zones[zone].nrReservedHighatomicOpaque();
    }

    @Override
    public long nrFreeHighatomic(int zone) {
        return zones[zone].nrFreeHighatomicOpaque();
    }

    @Override
    public long nrFreeBlocks(int zone, int order) {
        return zones[zone].nrFreeOpaque(order);
    }

    @Override
    public long pcpPages(int zone) {
        long n = 0;
        for (Pcp p : zones[zone].pcp) {
            n += (long) Pcp.COUNT.getOpaque(p);
        }
        return n;
    }

    @Override
    public MigrateType pageblockType(long pfn) {
        zoneOf(pfn);
        return TYPES[blockType[(int) (pfn >> pbOrder)]];
    }

    @Override
    public List<FreeBlock> freeBlocks(int zone) {
        Zone z = zones[zone];
        List<FreeBlock> out;
        z.lock.lock();
        try {
            // nr_free sizes the list (a hint only: the lists themselves are walked, so a count that disagrees with
            // them cannot hide a block from the integrity properties that compare the two)
            long blocks = 0;
            for (int o = 0; o < maxOrder; o++) {
                blocks += z.nrFree[o];
            }
            out = new ArrayList<>((int) Math.min(Math.max(blocks, 0), span) + 1);
            for (int o = 0; o < maxOrder; o++) {
                for (int t = 0; t < NT; t++) {
                    int s = z.list(o, t);
                    for (int p = links[s << 1]; p != s; p = links[p << 1]) {
                        out.add(new FreeBlock(p, o, TYPES[t]));
                    }
                }
            }
        } finally {
            z.lock.unlock();
        }
        return out;
    }

    /** {@link #freeBlocks}' walk (same lists, same order, under the zone lock), without a record per block. */
    @Override
    public void forEachFreeBlock(int zone, BlockVisitor v) {
        Zone z = zones[zone];
        z.lock.lock();
        try {
            // the sentinels in list order (order-major, list (o, t) at listBase + o × NT + t), in one flat pass: most
            // lists are empty, and an empty one costs a load and a compare
            int lists = maxOrder * NT;
            for (int i = 0; i < lists; i++) {
                int s = z.listBase + i;
                int p = links[s << 1];
                if (p == s) {
                    continue;
                }
                int o = i / NT;
                MigrateType t = TYPES[i % NT];
                for (; p != s; p = links[p << 1]) {
                    v.block(p, o, t);
                }
            }
        } finally {
            z.lock.unlock();
        }
    }

    /** {@link #pcpBlocks}' walk (same lists, same order, under each CPU's lock), without a record per block. */
    @Override
    public void forEachPcpBlock(int zone, BlockVisitor v) {
        Zone z = zones[zone];
        for (int cpu = 0; cpu < config.cpus(); cpu++) {
            Pcp p = z.pcp[cpu];
            p.lock.lock();
            try {
                for (int idx = 0; idx < p.nLists; idx++) {
                    int s = p.listBase + idx;
                    int q = links[s << 1];
                    if (q == s) {
                        continue; // empty (most are)
                    }
                    int order = idx / PCPTYPES;
                    MigrateType list = TYPES[idx % PCPTYPES];
                    for (; q != s; q = links[q << 1]) {
                        v.block(q, order, list);
                    }
                }
            } finally {
                p.lock.unlock();
            }
        }
    }

    /** The interface's count, reading the pageblock type bytes directly. */
    @Override
    public long pageblocksOfType(int zone, MigrateType type) {
        Zone z = zones[zone];
        int blocks = 0;
        byte t = (byte) type.ordinal(); // TYPES[i] == type exactly when i is its ordinal
        // the pageblocks whose first pfn lies in the zone: zones start pageblock-aligned (max-order-aligned), so they
        // are the type bytes from start's to the one of the last pageblock start below the end
        int last = (int) ((z.end - 1L) >> pbOrder);
        for (int b = z.start >> pbOrder; b <= last; b++) {
            if (blockType[b] == t) {
                blocks++;
            }
        }
        return blocks;
    }

    /** What the interface's default reads off {@link #freeBlocks}, from the list heads (no list of every block). */
    @Override
    public int[] largestFreeOrders(int zone) {
        Zone z = zones[zone];
        int usable = -1;
        int any = -1;
        z.lock.lock();
        try {
            for (int o = maxOrder - 1; o >= 0 && usable < 0; o--) {
                for (int t = 0; t < NT; t++) {
                    int s = z.list(o, t);
                    if (links[s << 1] == s) {
                        continue; // empty list
                    }
                    any = Math.max(any, o);
                    if (TYPES[t].isPcpType() || TYPES[t] == MigrateType.RESERVE) {
                        usable = o;
                    }
                }
            }
        } finally {
            z.lock.unlock();
        }
        return new int[] {usable, any};
    }

    @Override
    public List<PcpBlock> pcpBlocks(int zone) {
        Zone z = zones[zone];
        long pages = 0;
        for (Pcp p : z.pcp) {
            pages += (long) Pcp.COUNT.getOpaque(p); // a size hint, as in freeBlocks
        }
        List<PcpBlock> out = new ArrayList<>((int) Math.min(Math.max(pages, 0), span) + 1);
        for (int cpu = 0; cpu < config.cpus(); cpu++) {
            Pcp p = z.pcp[cpu];
            p.lock.lock();
            try {
                for (int idx = 0; idx < p.nLists; idx++) {
                    int order = idx / PCPTYPES;
                    MigrateType list = TYPES[idx % PCPTYPES];
                    int s = p.listBase + idx;
                    for (int q = links[s << 1]; q != s; q = links[q << 1]) {
                        out.add(new PcpBlock(cpu, q, order, list, TYPES[(state[q] & 0xff) >>> TYPE_SHIFT]));
                    }
                }
            } finally {
                p.lock.unlock();
            }
        }
        return out;
    }

    /** Per-CPU list parameters of a zone (same on every CPU): {@code {batch, high}}. */
    public int[] pcpBatchHigh(int zone) {
        Pcp p = zones[zone].pcp[0];
        p.lock.lock();
        try {
            return new int[] {p.batch, p.high};
        } finally {
            p.lock.unlock();
        }
    }

    @Override
    public void setMovablePageOracle(LongPredicate isMovableAllocatedPage) {
        this.movableAllocated = isMovableAllocatedPage;
    }

    @Override
    public boolean takeKswapdWakeRequest(int zone) {
        return (boolean) Zone.WAKE_REQUESTED.getAndSet(zones[zone], false);
    }

    @Override
    public String toString() {
        return "FastAllocator[" + policy.name() + ", " + config.zones().size() + " zone(s), " + span + " pfns]";
    }

    // ------------------------------------------------------------------------------------------------------------

    private Zone zoneOf(long pfn) {
        for (Zone z : zones) {
            if (pfn >= z.start && pfn < z.end) {
                return z;
            }
        }
        throw new IllegalArgumentException("pfn " + pfn + " is in no zone");
    }

    /** The order of the free buddy block headed at pfn, or -1. */
    int buddyOrderAt(int pfn) {
        int low = state[pfn] & ORDER_BITS;
        return low == 0 || low == PCP_MARK ? -1 : low - 1;
    }

    void setBlockType(int pfn, int t) {
        mods++;
        blockType[pfn >> pbOrder] = (byte) t;
    }

    @Override
    public long modifications() {
        return mods;
    }

    /** A per-CPU count change, counted as a modification (the lists' own links are counted where they change). */
    private void pcpCount(Pcp p, long d) {
        mods++;
        p.addCount(d);
    }

    // ---- intrusive list primitives (sentinel s; callers hold the list's lock) -----------------------------------

    private void addHead(int s, int x) {
        mods++;
        int n = links[s << 1];
        links[x << 1] = n;
        links[x << 1 | 1] = s;
        links[n << 1 | 1] = x;
        links[s << 1] = x;
    }

    private void addTail(int s, int x) {
        mods++;
        int p = links[s << 1 | 1];
        links[x << 1] = s;
        links[x << 1 | 1] = p;
        links[p << 1] = x;
        links[s << 1 | 1] = x;
    }

    private void unlink(int x) {
        mods++;
        int n = links[x << 1];
        int p = links[x << 1 | 1];
        links[p << 1] = n;
        links[n << 1 | 1] = p;
    }

    // ------------------------------------------------------------------------------------------------------------

    /** The watermarks of one zone as published by the last recompute. */
    static final class Wm {
        final ZoneWatermarks base;
        final long min;
        final long low;
        final long high;
        /** min, low, high by {@link ZoneWatermarks#mark} index. */
        final long[] marks;
        /** lowmem_reserve by classzone position. */
        final long[] reserve;
        /** {@link #watermarks}' last boosted marks over these (a cache: any thread may replace it). */
        Boosted boosted;

        Wm(ZoneWatermarks base) {
            this.base = base;
            this.min = base.min();
            this.low = base.low();
            this.high = base.high();
            this.marks = new long[] {min, low, high};
            List<Long> r = base.lowmemReserve();
            this.reserve = new long[r.size()]; // a loop, not a stream: a fuzz run's setTunables builds one per zone
            for (int i = 0; i < reserve.length; i++) {
                reserve[i] = r.get(i);
            }
        }

        long reserve(int classzone) {
            return reserve[classzone];
        }
    }

    /** One CPU's per-CPU lists of one zone: list index = order × PCPTYPES + type (§4.5). */
    static final class Pcp {
        static final VarHandle COUNT;

        static {
            try {
                COUNT = MethodHandles.lookup().findVarHandle(Pcp.class, "count", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final SpinLock lock;
        /** Sentinel of list 0. */
        final int listBase;
        final int nLists;
        /** In pages; written under {@link #lock} with opaque stores. */
        long count;
        int batch;
        int high;

        Pcp(int listBase, int nLists, boolean smp) {
            this.lock = new SpinLock(smp);
            this.listBase = listBase;
            this.nLists = nLists;
        }

        void addCount(long d) {
            COUNT.setOpaque(this, count + d);
        }
    }

    final class Zone {
        static final VarHandle NR_FREE_PAGES;
        static final VarHandle NR_RESERVED;
        static final VarHandle NR_FREE_HA;
        static final VarHandle BOOST;
        static final VarHandle PENDING_WAKE;
        static final VarHandle WAKE_REQUESTED;

        static {
            try {
                MethodHandles.Lookup l = MethodHandles.lookup();
                NR_FREE_PAGES = l.findVarHandle(Zone.class, "nrFreePages", long.class);
                NR_RESERVED = l.findVarHandle(Zone.class, "nrReservedHighatomic", long.class);
                NR_FREE_HA = l.findVarHandle(Zone.class, "nrFreeHighatomic", long.class);
                BOOST = l.findVarHandle(Zone.class, "boost", long.class);
                PENDING_WAKE = l.findVarHandle(Zone.class, "boostedPendingWake", boolean.class);
                WAKE_REQUESTED = l.findVarHandle(Zone.class, "kswapdWakeRequested", boolean.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final int index;
        final ZoneSpec spec;
        final long managed;
        final int start;
        final int end;
        /** Sentinel of free_area[0].free_list[0]; list (o, t) is at {@code listBase + o * NT + t}. */
        final int listBase;
        /** Blocks per list, indexed like the sentinels; opaque stores under the zone lock. */
        final int[] listCount;
        /** free_area[order].nr_free. */
        final long[] nrFree;
        final Pcp[] pcp;
        final SpinLock lock = new SpinLock(smp);
        final long highatomicCap;
        volatile Wm wm;
        long nrFreePages;
        long nrReservedHighatomic;
        long nrFreeHighatomic;
        long boost;
        @SuppressWarnings("unused") // accessed through PENDING_WAKE
        boolean boostedPendingWake;
        @SuppressWarnings("unused") // accessed through WAKE_REQUESTED
        boolean kswapdWakeRequested;
        /** The type {@code set_pcppage_migratetype} recorded for the last block taken (zone lock). */
        int lastCachedType;
        /** Allocated movable pages counted by the last {@link #moveFreepagesBlock} that asked (zone lock). */
        long movableCounted;

        Zone(int index, ZoneSpec spec, int start, int sentinel, int buddyLists, int pcpLists) {
            this.index = index;
            this.spec = spec;
            this.managed = spec.managedPages();
            this.start = start;
            this.end = (int) (start + managed);
            this.listBase = sentinel;
            this.listCount = new int[buddyLists];
            this.nrFree = new long[maxOrder];
            this.pcp = new Pcp[config.cpus()];
            int base = sentinel + buddyLists;
            for (int c = 0; c < pcp.length; c++) {
                pcp[c] = new Pcp(base + c * pcpLists, pcpLists, smp);
            }
            this.highatomicCap = policy.highatomicCap() == HighatomicCap.ONE_PERCENT_PLUS_BLOCK
                ? Watermarks.highatomicCapOnePercentPlusBlock(managed, pbPages)
                : Watermarks.highatomicCapRoundup(managed, pbPages);
            this.wm = new Wm(watermarks.zone(index));
        }

        // ---- counters ------------------------------------------------------------------------------------------

        long nrFreePagesOpaque() {
            return (long) NR_FREE_PAGES.getOpaque(this);
        }

        long nrReservedHighatomicOpaque() {
            return (long) NR_RESERVED.getOpaque(this);
        }

        long nrFreeHighatomicOpaque() {
            return (long) NR_FREE_HA.getOpaque(this);
        }

        long boostOpaque() {
            return (long) BOOST.getOpaque(this);
        }

        long nrFreeOpaque(int order) {
            return (long) LONGS.getOpaque(nrFree, order);
        }

        boolean hasFreeOpaque(int order, int type) {
            return (int) INTS.getOpaque(listCount, order * NT + type) != 0;
        }

        void addFreePages(long d) {
            mods++;
            NR_FREE_PAGES.setOpaque(this, nrFreePages + d);
        }

        void setReserved(long v) {
            mods++;
            NR_RESERVED.setOpaque(this, v);
        }

        void setBoost(long v) {
            BOOST.setOpaque(this, v);
        }

        int list(int order, int type) {
            return listBase + order * NT + type;
        }

        boolean spans(long pfn) {
            return pfn >= start && pfn < end;
        }

        boolean isBuddyHead(int pfn, int order) {
            return spans(pfn) && (state[pfn] & ORDER_BITS) == order + 1;
        }

        // ---- free-list primitives (zone lock) -------------------------------------------------------------------

        private void countList(int order, int type, int d) {
            mods++;
            int i = order * NT + type;
            INTS.setOpaque(listCount, i, listCount[i] + d);
            if (type == H) {
                NR_FREE_HA.setOpaque(this, nrFreeHighatomic + ((long) d << order));
            }
        }

        void addToFreeList(int pfn, int order, int t, boolean tail) {
            int s = list(order, t);
            if (tail) {
                addTail(s, pfn);
            } else {
                addHead(s, pfn);
            }
            state[pfn] = (byte) ((order + 1) | (t << TYPE_SHIFT));
            countList(order, t, 1);
            LONGS.setOpaque(nrFree, order, nrFree[order] + 1);
        }

        void delFromFreeList(int pfn, int order) {
            int t = (state[pfn] & 0xff) >>> TYPE_SHIFT;
            unlink(pfn);
            state[pfn] = 0;
            countList(order, t, -1);
            LONGS.setOpaque(nrFree, order, nrFree[order] - 1);
        }

        /** move_to_free_list: 4.x moves to the head, 5.10+ (our V4_11 steal rule) to the tail (§4.3 item 4c). */
        void moveToFreeList(int pfn, int order, int t) {
            int old = (state[pfn] & 0xff) >>> TYPE_SHIFT;
            unlink(pfn);
            countList(order, old, -1);
            int s = list(order, t);
            if (moveToTail) {
                addTail(s, pfn);
            } else {
                addHead(s, pfn);
            }
            state[pfn] = (byte) ((order + 1) | (t << TYPE_SHIFT));
            countList(order, t, 1);
        }

        // ---- boot and tunables ----------------------------------------------------------------------------------

        void releaseBootMemory() {
            int pfn = start;
            while (pfn < end) {
                int order = maxOrder - 1;
                while (order > 0 && ((pfn & ((1 << order) - 1)) != 0 || (long) pfn + (1L << order) > end)) {
                    order--;
                }
                freeOneBlock(pfn, order, blockType[pfn >> pbOrder]);
                pfn += 1 << order;
            }
        }

        /** §4.5: batch and high per version; a trace may override them. */
        void updatePcpHighBatch() {
            long pages = pcpRules == PcpRules.V2_6_32 ? spec.presentPages() : spec.managedPages();
            int batch;
            int high;
            if (config.pcpBatchOverride() > 0) {
                batch = config.pcpBatchOverride();
                high = Math.max(config.pcpHighOverride(), 0);
            } else if (pcpRules == PcpRules.V6_1) {
                batch = Math.max(1, pcpRules.batchSize(pages));
                // zone_highsize: the low watermark split over the CPUs, at least 4 × batch
                long low = wm.low;
                high = (int) Math.max(low / config.cpus(), (long) batch << 2);
            } else {
                int b = pcpRules.batchSize(pages);
                if (b == 0) {
                    batch = 1; // pageset_set_batch: a zero batch gives high 0, batch 1
                    high = 0;
                } else {
                    batch = b;
                    high = 6 * b;
                }
            }
            for (Pcp p : pcp) {
                p.lock.lock();
                try {
                    p.batch = batch;
                    p.high = high;
                } finally {
                    p.lock.unlock();
                }
            }
        }

        /** 2.6.32 setup_zone_migrate_reserve: up to two MOVABLE blocks from the zone start become RESERVE. */
        void setupMigrateReserve() {
            long minPages = wm.min;
            long reserve = roundUp(minPages, pbPages) >> pbOrder;
            reserve = Math.min(2, reserve);
            for (long pfn = start; pfn < end; pfn += pbPages) {
                int p = (int) pfn;
                int t = blockType[p >> pbOrder];
                if (reserve > 0 && t == RES) {
                    reserve--;
                    continue;
                }
                if (reserve > 0 && t == M) {
                    setBlockType(p, RES);
                    moveFreepagesBlock(p, RES, false);
                    reserve--;
                    continue;
                }
                if (t == RES) {
                    setBlockType(p, M);
                    moveFreepagesBlock(p, M, false);
                }
            }
        }

        // ---- freeing --------------------------------------------------------------------------------------------

        /** {@code __free_one_page} (§4.3), zone lock held. */
        void freeOneBlock(int pfn, int order, int type) {
            addFreePages(1L << order);
            while (order < maxOrder - 1) {
                int buddy = pfn ^ (1 << order);
                if (!isBuddyHead(buddy, order)) {
                    break;
                }
                if (order >= pbOrder && !mergeAllowed(type, blockType[buddy >> pbOrder])) {
                    break;
                }
                delFromFreeList(buddy, order);
                pfn &= buddy;
                order++;
            }
            boolean tail = false;
            if (order < maxOrder - 2) {
                int higherPage = pfn & ~(1 << order);
                int higherBuddy = higherPage ^ (1 << (order + 1));
                tail = isBuddyHead(higherBuddy, order + 1);
            }
            addToFreeList(pfn, order, type, tail);
        }

        boolean mergeAllowed(int freeing, int buddyType) {
            return switch (mergeGuard) {
                case NONE -> true;
                case ISOLATE -> freeing == buddyType || (freeing != ISO && buddyType != ISO);
                case NON_MERGEABLE -> freeing == buddyType || (freeing < PCPTYPES && buddyType < PCPTYPES);
            };
        }

        /** {@code free_pages}: per-CPU list for cached orders (HIGHATOMIC/RESERVE go to the MOVABLE list), else buddy. */
        void freePages(int pfn, int order, int cpu) {
            int mt = blockType[pfn >> pbOrder];
            if (order > pcpMaxOrder || mt == ISO) {
                lock.lock();
                try {
                    freeOneBlock(pfn, order, mt);
                } finally {
                    lock.unlock();
                }
                return;
            }
            Pcp p = pcp[cpu];
            int idx = order * PCPTYPES + (mt < PCPTYPES ? mt : M);
            p.lock.lock();
            try {
                addHead(p.listBase + idx, pfn);
                state[pfn] = (byte) (PCP_MARK | (mt << TYPE_SHIFT));
                pcpCount(p, 1L << order);
                if (p.count >= p.high) {
                    long toFree;
                    if (pcpRules == PcpRules.V6_1) {
                        // nr_pcp_free with free_factor held at 0: batch, or 1 when high < batch
                        toFree = p.high < p.batch ? 1 : Math.min(p.batch, Math.max(p.high - p.batch, p.batch));
                    } else {
                        toFree = p.batch;
                    }
                    freePcppagesBulk(p, toFree, idx);
                }
            } finally {
                p.lock.unlock();
            }
        }

        /**
         * {@code free_pcppages_bulk}, the per-CPU lock held: takes the zone lock and returns {@code count} pages from
         * the lists' tails to the buddy. ≤5.12: round-robin over the three lists starting after UNMOVABLE with the
         * batch_free rule; 6.1: round-robin over all order × type lists starting with {@code firstIndex}.
         */
        void freePcppagesBulk(Pcp p, long count, int firstIndex) {
            if (count <= 0) {
                return;
            }
            lock.lock();
            try {
                if (pcpRules == PcpRules.V6_1) {
                    int n = p.nLists;
                    int idx = firstIndex - 1;
                    while (count > 0) {
                        int s;
                        int guard = 0;
                        do {
                            idx = (idx + 1) % n;
                            s = p.listBase + idx;
                            if (++guard > n) {
                                return; // nothing left anywhere
                            }
                        } while (links[s << 1] == s);
                        int order = idx / PCPTYPES;
                        do {
                            int pfn = links[s << 1 | 1];
                            unlink(pfn);
                            int mt = policy.pcpDrainUsesBlockType() ? blockType[pfn >> pbOrder]
                                : (state[pfn] & 0xff) >>> TYPE_SHIFT; // 6.10+: the block's current type
                            state[pfn] = 0;
                            count -= 1L << order;
                            pcpCount(p, -(1L << order));
                            freeOneBlock(pfn, order, mt);
                        } while (count > 0 && links[s << 1] != s);
                    }
                    return;
                }
                int mtIdx = 0;
                long batchFree = 0;
                while (count > 0) {
                    int s;
                    int guard = 0;
                    do {
                        batchFree++;
                        mtIdx = (mtIdx + 1) % PCPTYPES;
                        s = p.listBase + mtIdx;
                        if (++guard > PCPTYPES) {
                            return;
                        }
                    } while (links[s << 1] == s);
                    if (batchFree == PCPTYPES) {
                        batchFree = count; // only one list is non-empty
                    }
                    do {
                        int pfn = links[s << 1 | 1];
                        unlink(pfn);
                        int mt = (state[pfn] & 0xff) >>> TYPE_SHIFT;
                        state[pfn] = 0;
                        pcpCount(p, -1);
                        freeOneBlock(pfn, 0, mt);
                    } while (--count > 0 && --batchFree > 0 && links[s << 1] != s);
                }
            } finally {
                lock.unlock();
            }
        }

        // ---- allocation -----------------------------------------------------------------------------------------

        boolean watermarkFast(AllocContext ac, int flags) {
            Wm w = wm;
            long b = boostOpaque();
            int wmark = AllocFlags.wmarkIndex(flags);
            long mark = w.marks[wmark] + b;
            long reserve = w.reserve[ac.highestZone()];
            boolean boostExempt = false;
            if (b > 0 && wmark == AllocFlags.WMARK_MIN && policy.watermarkBoost()) {
                // §1.5: order-0 atomic requests re-check against the un-boosted min (T6.1 keys it on __GFP_ATOMIC,
                // 6.3+ on ALLOC_MIN_RESERVE)
                boostExempt = policy.gfpLayout() == GfpLayout.V6_3
                    ? (flags & AllocFlags.MIN_RESERVE) != 0
                    : ac.gfp().has(GfpFlag.ATOMIC);
            }
            return wmCheck.fast(this, ac.order(), mark, reserve, flags, boostExempt, w.min);
        }

        /** {@code rmqueue} (§5.1) per version. Returns the pfn or -1. */
        long rmqueue(AllocContext ac, int flags) {
            int order = ac.order();
            int mt = ac.migratetype().ordinal();
            long pfn = -1;
            if (order <= pcpMaxOrder) {
                pfn = rmqueuePcplist(order, mt, ac.cpu(), flags);
                if (pfn >= 0 || !pcpMissFallsBack) {
                    return finishRmqueue(pfn, flags);
                }
            }
            lock.lock();
            try {
                // rmqueue_buddy
                if (AllocFlagRules.triesHighatomicFirst(policy, order, flags)) {
                    pfn = rmqueueSmallest(order, H);
                }
                if (pfn < 0) {
                    pfn = rmqueueMain(order, mt, flags);
                    if (pfn < 0 && AllocFlagRules.mayFallBackToHighatomic(policy, flags)) {
                        pfn = rmqueueSmallest(order, H);
                    }
                }
                if (pfn >= 0) {
                    addFreePages(-(1L << order));
                }
            } finally {
                lock.unlock();
            }
            return finishRmqueue(pfn, flags);
        }

        private long finishRmqueue(long pfn, int flags) {
            // 5.0+: ZONE_BOOSTED_WATERMARK cleared and kswapd woken for order 0 (the memory system's job)
            if ((flags & KSWAPD) != 0 && (boolean) PENDING_WAKE.getOpaque(this)
                && PENDING_WAKE.compareAndSet(this, true, false)) {
                WAKE_REQUESTED.setVolatile(this, true);
            }
            return pfn;
        }

        long rmqueuePcplist(int order, int mt, int cpu, int flags) {
            Pcp p = pcp[cpu];
            int s = p.listBase + order * PCPTYPES + mt;
            p.lock.lock();
            try {
                if (links[s << 1] == s) {
                    int batch = p.batch;
                    if (order > 0) {
                        batch = Math.max(batch >> order, 2);
                    }
                    rmqueueBulk(order, batch, s, p, mt, flags);
                    if (links[s << 1] == s) {
                        return -1;
                    }
                }
                int pfn = links[s << 1];
                unlink(pfn);
                state[pfn] = 0;
                pcpCount(p, -(1L << order));
                return pfn;
            } finally {
                p.lock.unlock();
            }
        }

        /** {@code rmqueue_bulk}: the per-CPU lock held, takes the zone lock. */
        void rmqueueBulk(int order, int count, int s, Pcp p, int mt, int flags) {
            lock.lock();
            try {
                int i;
                for (i = 0; i < count; i++) {
                    long pfn = rmqueueMain(order, mt, flags);
                    if (pfn < 0) {
                        break;
                    }
                    int q = (int) pfn;
                    addTail(s, q);
                    state[q] = (byte) (PCP_MARK | (lastCachedType << TYPE_SHIFT));
                    pcpCount(p, 1L << order);
                }
                addFreePages(-((long) i << order));
            } finally {
                lock.unlock();
            }
        }

        /** {@code __rmqueue} (§5.2). */
        long rmqueueMain(int order, int mt, int flags) {
            if (stealRule == StealRule.V2_6_32) {
                long pfn = rmqueueSmallest(order, mt);
                if (pfn < 0 && mt != RES) {
                    pfn = rmqueueFallback26(order, mt);
                    if (pfn < 0) {
                        pfn = rmqueueSmallest(order, RES);
                    }
                }
                if (pfn >= 0) {
                    lastCachedType = mt; // 2.6.32 rmqueue_bulk records the requested type
                }
                return pfn;
            }
            if (stealRule == StealRule.V4_4) {
                long pfn = rmqueueSmallest(order, mt);
                if (pfn < 0) {
                    pfn = rmqueueFallback44(order, mt);
                }
                return pfn;
            }
            // V4_11: steal/move, then retry the requester's own lists
            while (true) {
                long pfn = rmqueueSmallest(order, mt);
                if (pfn >= 0) {
                    return pfn;
                }
                if (!rmqueueFallback411(order, mt, flags)) {
                    return -1;
                }
            }
        }

        /** {@code __rmqueue_smallest}: the head of the smallest non-empty list of that type, split down. */
        long rmqueueSmallest(int order, int type) {
            for (int o = order; o < maxOrder; o++) {
                int s = list(o, type);
                int pfn = links[s << 1];
                if (pfn == s) {
                    continue;
                }
                delFromFreeList(pfn, o);
                expand(pfn, order, o, type);
                lastCachedType = type;
                return pfn;
            }
            return -1;
        }

        /** {@code expand} (§4.4): halve, putting each upper half at the head of {@code type}'s list. */
        void expand(int pfn, int low, int high, int type) {
            while (high > low) {
                high--;
                addToFreeList(pfn + (1 << high), high, type, false);
            }
        }

        /** The whole-block predicate of §5.4 ({@code can_steal_fallback}). */
        boolean canStealFallback(int order, int start) {
            return order >= pbOrder || order >= pbOrder / 2 || start == E || start == U || mobilityDisabled;
        }

        /** {@code find_suitable_fallback}: first fallback type with a non-empty list at this order, or -1. */
        int findSuitableFallback(int order, int start) {
            if (nrFree[order] == 0) {
                return -1;
            }
            for (int f : FALLBACKS[start]) {
                int s = list(order, f);
                if (links[s << 1] != s) {
                    return f;
                }
            }
            return -1;
        }

        /** 2.6.32 {@code __rmqueue_fallback}. */
        long rmqueueFallback26(int order, int start) {
            int pb = pbOrder;
            for (int o = maxOrder - 1; o >= order; o--) {
                for (int f : FALLBACKS[start]) {
                    int s = list(o, f);
                    int pfn = links[s << 1];
                    if (pfn == s) {
                        continue;
                    }
                    int remainderType = f;
                    if (o >= (pb >> 1) || start == E || mobilityDisabled) {
                        long pages = moveFreepagesBlock(pfn, start, false);
                        if (pages >= (1L << (pb - 1)) || mobilityDisabled) {
                            setBlockType(pfn, start);
                        }
                        remainderType = start;
                    }
                    delFromFreeList(pfn, o);
                    if (o >= pb) {
                        changePageblockRange(pfn, o, start);
                    }
                    expand(pfn, order, o, remainderType);
                    return pfn;
                }
            }
            return -1;
        }

        /** 4.4–4.10 {@code __rmqueue_fallback}: largest first, steal, split onto the requester's list. */
        long rmqueueFallback44(int order, int start) {
            for (int o = maxOrder - 1; o >= order; o--) {
                int f = findSuitableFallback(o, start);
                if (f < 0) {
                    continue;
                }
                boolean canSteal = canStealFallback(o, start);
                int pfn = links[(list(o, f)) << 1];
                // 4.10 (88ed365ea227): never retype a HIGHATOMIC block found on a normal list
                if (canSteal && !(policy.stealNeverRetypesHighatomic() && blockType[pfn >> pbOrder] == H)) {
                    if (o >= pbOrder) {
                        changePageblockRange(pfn, o, start);
                    } else {
                        long pages = moveFreepagesBlock(pfn, start, false);
                        if (pages >= (1L << (pbOrder - 1)) || mobilityDisabled) {
                            setBlockType(pfn, start);
                        }
                    }
                }
                delFromFreeList(pfn, o);
                expand(pfn, order, o, start);
                lastCachedType = start;
                return pfn;
            }
            return -1;
        }

        /** 4.11–6.9 {@code __rmqueue_fallback}: steal or move, then the caller retries its own lists. */
        boolean rmqueueFallback411(int order, int start, int flags) {
            int minOrder = order;
            if (order < pbOrder && (flags & NOFRAGMENT) != 0) {
                minOrder = pbOrder;
            }
            int found = -1;
            int foundType = -1;
            boolean canSteal = false;
            for (int o = maxOrder - 1; o >= minOrder; o--) {
                int f = findSuitableFallback(o, start);
                if (f < 0) {
                    continue;
                }
                canSteal = canStealFallback(o, start);
                if (!canSteal && start == M && o > order) {
                    // find_smallest: a movable request that cannot claim takes the smallest fallback block
                    for (int s = order; s < maxOrder; s++) {
                        int fs = findSuitableFallback(s, start);
                        if (fs >= 0) {
                            found = s;
                            foundType = fs;
                            canSteal = canStealFallback(s, start);
                            break;
                        }
                    }
                } else {
                    found = o;
                    foundType = f;
                }
                break;
            }
            if (found < 0) {
                return false;
            }
            int pfn = links[(list(found, foundType)) << 1];
            stealSuitableFallback(pfn, found, flags, start, canSteal);
            return true;
        }

        /** 6.1 {@code steal_suitable_fallback}. */
        void stealSuitableFallback(int pfn, int currentOrder, int flags, int start, boolean wholeBlock) {
            int oldType = blockType[pfn >> pbOrder];
            int pb = pbOrder;
            if (oldType == H) {
                moveToFreeList(pfn, currentOrder, start);
                return;
            }
            if (currentOrder >= pb) {
                changePageblockRange(pfn, currentOrder, start);
                moveToFreeList(pfn, currentOrder, start);
                return;
            }
            if (policy.watermarkBoost() && boostWatermark() && (flags & KSWAPD) != 0) {
                PENDING_WAKE.setVolatile(this, true);
            }
            if (!wholeBlock) {
                moveToFreeList(pfn, currentOrder, start);
                return;
            }
            long freePages = moveFreepagesBlock(pfn, start, true);
            long movable = movableCounted;
            if (freePages == 0) {
                moveToFreeList(pfn, currentOrder, start);
                return;
            }
            long alike;
            if (start == M) {
                alike = movable;
            } else if (oldType == M) {
                alike = pbPages - (freePages + movable);
            } else {
                alike = 0;
            }
            if (freePages + alike >= (1L << (pb - 1)) || mobilityDisabled) {
                setBlockType(pfn, start);
            }
        }

        /** {@code boost_watermark} (§1.5). */
        boolean boostWatermark() {
            int factor = tunables.watermarkBoostFactor();
            if (factor == 0) {
                return false;
            }
            if ((long) pbPages * 4 > managed) {
                return false;
            }
            long high = wm.high;
            long maxBoost = (high / 10000) * factor + ((high % 10000) * factor) / 10000; // mult_frac
            if (maxBoost == 0) {
                return false;
            }
            maxBoost = Math.max(pbPages, maxBoost);
            setBoost(Math.min(boost + pbPages, maxBoost));
            return true;
        }

        void changePageblockRange(int pfn, int order, int t) {
            long blocks = 1L << Math.max(0, order - pbOrder);
            for (long b = 0; b < blocks; b++) {
                long p = pfn + (b << pbOrder);
                if (spans(p)) {
                    setBlockType((int) p, t);
                }
            }
        }

        /**
         * {@code move_freepages_block}: move every free block of the pageblock holding pfn to type {@code t}'s lists;
         * returns the pages moved (0 when the block crosses the zone end). With {@code countMovable}, counts the
         * allocated pages of movable allocations in the block ({@code PageLRU}) into {@link #movableCounted}.
         */
        long moveFreepagesBlock(int pfn, int t, boolean countMovable) {
            long blockStart = pfn & ~((long) pbPages - 1);
            long blockEnd = blockStart + pbPages - 1;
            if (!spans(blockStart)) {
                blockStart = pfn;
            }
            if (!spans(blockEnd)) {
                if (countMovable) {
                    movableCounted = 0;
                }
                return 0;
            }
            LongPredicate oracle = countMovable ? movableAllocated : null;
            long movable = 0;
            long moved = 0;
            int p = (int) blockStart;
            int last = (int) blockEnd;
            while (p <= last) {
                int o = buddyOrderAt(p);
                if (o < 0) {
                    if (oracle != null && oracle.test(p)) {
                        movable++;
                    }
                    p++;
                    continue;
                }
                moveToFreeList(p, o, t);
                p += 1 << o;
                moved += 1L << o;
            }
            if (countMovable) {
                movableCounted = movable;
            }
            return moved;
        }

        /** {@code reserve_highatomic_pageblock} (§6.2, §6.3), zone lock held. */
        void reserveHighatomicPageblock(int pfn) {
            // the re-check under the zone lock: another CPU may have reserved since the unlocked test
            if (nrReservedHighatomic >= highatomicCap) {
                return;
            }
            int t = blockType[pfn >> pbOrder];
            boolean eligible = mergeGuard == MergeGuard.NON_MERGEABLE
                ? t < PCPTYPES // 6.1+: only U/M/E blocks
                : t != H && t != ISO && t != CMA;
            if (eligible) {
                setReserved(nrReservedHighatomic + pbPages);
                setBlockType(pfn, H);
                moveFreepagesBlock(pfn, H, false);
            }
        }
    }
}
