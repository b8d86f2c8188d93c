package dev.highwater.model.reference;

import static dev.highwater.model.AllocFlags.KSWAPD;
import static dev.highwater.model.AllocFlags.NOFRAGMENT;
import static dev.highwater.model.AllocFlags.NO_WATERMARKS;

import dev.highwater.model.AllocContext;
import dev.highwater.model.AllocFlags;
import dev.highwater.model.FreeAreaView;
import dev.highwater.model.GfpFlag;
import dev.highwater.model.GfpLayout;
import dev.highwater.model.MigrateType;
import dev.highwater.model.NodeConfig;
import dev.highwater.model.PageAllocator;
import dev.highwater.model.Tunables;
import dev.highwater.model.WatermarkCheck;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * The reference buddy allocator: the simplest code that follows kernel-semantics §2 and §4–§6 for every preset.
 * Lists are doubly linked lists of pfns (head first) threaded through per-page arrays ({@link PfnLists}), so that
 * the model checker's state copy is a handful of array copies; a page's list membership doubles as the buddy index
 * (which order and type a free block head is on). Otherwise speed is irrelevant.
 *
 * <p>Layout: zone i occupies pfns {@code [start_i, start_i + managed_i)}, with {@code start_0 = 0} and each later
 * zone starting at the next max-order-aligned pfn; pfns beyond managed are holes. Every pageblock starts MOVABLE
 * and the pages are released to the buddy lists in ascending pfn order in the largest aligned blocks, as
 * memblock does at boot.
 */
public final class ReferenceAllocator implements PageAllocator {

    private final KernelPolicy policy;
    private final NodeConfig config;
    private final Zone[] zones;
    private Tunables tunables;
    private Watermarks watermarks;
    /** page_group_by_mobility_disabled (§4.1): too few pages for grouping by mobility. */
    private final boolean mobilityDisabled;

    public ReferenceAllocator(KernelPolicy policy, NodeConfig config, Tunables tunables) {
        this.policy = policy;
        this.config = config;
        this.mobilityDisabled = mobilityGroupingDisabled(config);
        this.zones = new Zone[config.zones().size()];
        long start = 0;
        long maxBlock = 1L << (config.maxOrder() - 1);
        for (int i = 0; i < zones.length; i++) {
            ZoneSpec spec = config.zones().get(i);
            zones[i] = new Zone(i, spec, start);
            start = roundUp(start + spec.managedPages(), maxBlock);
        }
        this.tunables = tunables;
        this.watermarks = Watermarks.compute(policy.watermarkRules(), config.zones(), tunables);
        for (Zone z : zones) {
            z.initPcp();
            z.releaseBootMemory();
        }
        if (policy.migrateReserve()) {
            for (Zone z : zones) {
                z.setupMigrateReserve();
            }
        }
    }

    /** §4.1: mobility grouping is off when the node has fewer than pageblock_nr_pages × MIGRATE_TYPES pages. */
    public static boolean mobilityGroupingDisabled(NodeConfig config) {
        // MIGRATE_TYPES = U, M, E, H (RESERVE in 2.6.32), ISOLATE; CMA is not configured in the model.
        return config.totalManagedPages() < (long) config.pageblockPages() * 5;
    }

    private static long roundUp(long v, long to) {
        return (v + to - 1) / to * to;
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
        ZoneWatermarks w = watermarks.zone(zone);
        Zone z = zones[zone];
        long b = z.boost;
        if (b == 0) {
            return w;
        }
        // the boosted marks are asked for on every watermark check: built once per (watermarks, boost)
        if (z.boostedMarks == null || z.boostedBy != b || z.boostedFrom != w) {
            z.boostedMarks = new ZoneWatermarks(w.min() + b, w.low() + b, w.high() + b, w.lowmemReserve());
            z.boostedBy = b;
            z.boostedFrom = w;
        }
        return z.boostedMarks;
    }

    /**
     * The static marks of {@link #watermarks} as an array, {@code zone × 3 + WMARK_*}, and lowmem_reserve as
     * {@code zone × zones + classzone}: built once per watermarks object (every watermark check reads them).
     */
    private long[] marks;
    private long[] reserves;
    private int[] reserveSizes;
    private Watermarks marksOf;

    private long[] staticMarks() {
        if (marksOf != watermarks) {
            buildStaticMarks(); // apart, so that this check stays small enough to be inlined
        }
        return marks;
    }

    private void buildStaticMarks() {
        int n = zones.length;
        long[] m = new long[n * 3];
        long[] r = new long[n * n];
        int[] sizes = new int[n];
        for (int z = 0; z < n; z++) {
            ZoneWatermarks w = watermarks.zone(z);
            m[z * 3 + ZoneWatermarks.WMARK_MIN] = w.min();
            m[z * 3 + ZoneWatermarks.WMARK_LOW] = w.low();
            m[z * 3 + ZoneWatermarks.WMARK_HIGH] = w.high();
            sizes[z] = w.lowmemReserve().size();
            for (int c = 0; c < n && c < sizes[z]; c++) {
                r[z * n + c] = w.lowmemReserve(c);
            }
        }
        marks = m;
        reserves = r;
        reserveSizes = sizes;
        marksOf = watermarks;
    }

    /** {@code watermarks(zone).lowmemReserve(classzone)}. */
    private long lowmemReserve(int zone, int classzone) {
        staticMarks();
        int n = zones.length;
        if (classzone < 0 || classzone >= n || classzone >= reserveSizes[zone]) {
            return watermarks.zone(zone).lowmemReserve(classzone); // out of range: its exception
        }
        return reserves[zone * n + classzone];
    }

    /** {@code watermarks(zone).mark(wmarkIndex)}: the static mark plus the zone's boost. */
    private long mark(int zone, int wmarkIndex) {
        if (wmarkIndex < 0 || wmarkIndex > 2) {
            return watermarks(zone).mark(wmarkIndex); // its exception
        }
        return staticMarks()[zone * 3 + wmarkIndex] + zones[zone].boost;
    }

    @Override
    public long watermarkBoost(int zone) {
        return zones[zone].boost;
    }

    @Override
    public void clearWatermarkBoost(int zone) {
        zones[zone].boost = 0;
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
        this.watermarks = Watermarks.compute(policy.watermarkRules(), config.zones(), t);
        for (Zone z : zones) {
            z.boost = 0; // §1.5: a recompute clears the boost
            z.updatePcpHighBatch();
        }
        if (policy.migrateReserve()) {
            for (Zone z : zones) {
                z.setupMigrateReserve();
            }
        }
    }

    @Override
    public long getPageFromFreelist(AllocContext ac, int allocFlags) {
        int flags = allocFlags;
        while (true) {
            boolean noFallback = (flags & NOFRAGMENT) != 0;
            for (int zi = ac.highestZone(); zi >= 0; zi--) {
                Zone z = zones[zi];
                if (z.spec.managedPages() == 0) {
                    continue;
                }
                if ((flags & NO_WATERMARKS) == 0) {
                    long mark = mark(zi, AllocFlags.wmarkIndex(flags));
                    if (!zoneWatermarkFast(z, ac, mark, flags)) {
                        continue; // node reclaim (zone_reclaim_mode) is the memory system's, §8.3
                    }
                }
                long pfn = z.rmqueue(ac, flags);
                if (pfn >= 0) {
                    if (AllocFlagRules.triesHighatomicReserve(policy, ac.order(), flags)) {
                        z.reserveHighatomicPageblock(pfn);
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

    private boolean zoneWatermarkFast(Zone z, AllocContext ac, long mark, int flags) {
        int classzone = ac.highestZone();
        long reserve = lowmemReserve(z.index, classzone);
        boolean boostExempt = false;
        long unboostedMin = staticMarks()[z.index * 3 + ZoneWatermarks.WMARK_MIN];
        if (policy.watermarkBoost() && z.boost > 0 && AllocFlags.wmarkIndex(flags) == AllocFlags.WMARK_MIN) {
            // §1.5: order-0 atomic requests re-check against the un-boosted min (T6.1 keys it on __GFP_ATOMIC,
            // 6.3+ on ALLOC_MIN_RESERVE)
            boostExempt = policy.gfpLayout() == GfpLayout.V6_3
                ? (flags & AllocFlags.MIN_RESERVE) != 0
                : ac.gfp().has(GfpFlag.ATOMIC);
        }
        return WatermarkCheck.zoneWatermarkFast(policy, z.counters(), z, config.maxOrder(), ac.order(), mark,
            reserve, flags, boostExempt, unboostedMin);
    }

    @Override
    public boolean zoneWatermarkOk(int zone, int order, long mark, int classzone, int allocFlags) {
        return zoneWatermarkOkWithFree(zone, order, mark, classzone, allocFlags, zones[zone].nrFreePages);
    }

    @Override
    public boolean zoneWatermarkOkWithFree(int zone, int order, long mark, int classzone, int allocFlags, long free) {
        Zone z = zones[zone];
        return WatermarkCheck.zoneWatermarkOk(policy, z.counters(), z, config.maxOrder(), order, mark,
            lowmemReserve(zone, classzone), allocFlags, free);
    }

    @Override
    public void freePages(long pfn, int order, int cpu) {
        zoneOf(pfn).freePages(pfn, order, cpu);
    }

    @Override
    public boolean unreserveHighatomicPageblock(AllocContext ac, boolean force) {
        UnreserveAccounting acct = policy.unreserveAccounting();
        // the force parameter came with 04c8716f7b00
        boolean forceAllowed = acct == UnreserveAccounting.V4_10 || acct == UnreserveAccounting.V6_10;
        for (int zi = ac.highestZone(); zi >= 0; zi--) {
            Zone z = zones[zi];
            // keep one pageblock unless forced (§6.4 step 1)
            if (!(forceAllowed && force) && z.nrReservedHighatomic <= config.pageblockPages()) {
                continue;
            }
            for (int order = 0; order < config.maxOrder(); order++) {
                PfnDeque list = z.freeList(order, MigrateType.HIGHATOMIC);
                if (list.isEmpty()) {
                    continue;
                }
                long pfn = list.peekFirst();
                boolean stillHighatomic = pageblockType(pfn) == MigrateType.HIGHATOMIC;
                if (acct == UnreserveAccounting.V6_10) {
                    long size = Math.max(config.pageblockPages(), 1L << order);
                    if (stillHighatomic) {
                        mods++;
                        z.nrReservedHighatomic -= Math.min(size, z.nrReservedHighatomic);
                    }
                    long moved;
                    if (order >= config.pageblockOrder()) {
                        z.changePageblockRange(pfn, order, ac.migratetype());
                        z.moveToFreeList(pfn, order, ac.migratetype());
                        moved = 1L << order;
                    } else {
                        z.setPageblockType(pfn, ac.migratetype());
                        moved = z.moveFreepagesBlock(pfn, ac.migratetype(), null);
                    }
                    if (moved > 0) {
                        return true;
                    }
                    continue;
                }
                if (acct == UnreserveAccounting.V4_4 || stillHighatomic) {
                    // V4_4 decrements unconditionally: the double decrease 4855e4a7f29d fixed
                    mods++;
                    z.nrReservedHighatomic -= Math.min(config.pageblockPages(), z.nrReservedHighatomic);
                }
                z.setPageblockType(pfn, ac.migratetype());
                long moved = z.moveFreepagesBlock(pfn, ac.migratetype(), null);
                if (acct == UnreserveAccounting.V4_4 || acct == UnreserveAccounting.STILL_HIGHATOMIC_ONLY) {
                    return true; // ≤4.9: return after the first candidate, moved or not (no bool before 29fac03bef72)
                }
                if (moved > 0) {
                    return true;
                }
            }
        }
        return false;
    }

    @Override
    public int freeOrderAt(long pfn) {
        Zone z = zoneOf(pfn);
        return z.buddyOrderAt(pfn);
    }

    @Override
    public boolean isolateFreePage(long pfn, int order) {
        Zone z = zoneOf(pfn);
        if (!z.isBuddyHead(pfn, order)) {
            return false;
        }
        MigrateType mt = z.blockType(pfn);
        if (mt != MigrateType.ISOLATE) {
            // 4.4: low + 2^order; 4.6+ (and every later preset): min + 2^order, order-0 check with ALLOC_CMA
            long mark = (policy.gfpLayout() == GfpLayout.V4_4 || policy.gfpLayout() == GfpLayout.V2_6_32
                ? watermarks(z.index).low() : watermarks(z.index).min()) + (1L << order);
            if (!zoneWatermarkOk(z.index, 0, mark, z.index, AllocFlags.CMA)) {
                return false;
            }
        }
        z.delFromFreeList(pfn, order);
        mods++;
        z.nrFreePages -= 1L << order;
        if (order >= config.pageblockOrder() - 1) {
            long end = pfn + (1L << order);
            for (long p = pfn; p < end; p += config.pageblockPages()) {
                MigrateType t = z.blockType(p);
                boolean keep = t == MigrateType.ISOLATE || t == MigrateType.CMA
                    || (t == MigrateType.HIGHATOMIC && policy.stealNeverRetypesHighatomic());
                if (!keep) {
                    z.setPageblockType(p, MigrateType.MOVABLE);
                }
            }
        }
        return true;
    }

    @Override
    public void drainAllPages() {
        for (int cpu = 0; cpu < config.cpus(); cpu++) {
            for (Zone z : zones) {
                Pcp pcp = z.pcp[cpu];
                z.freePcppagesBulk(pcp, pcp.count, 0);
            }
        }
    }

    @Override
    public long nrFreePages(int zone) {
        return zones[zone].nrFreePages;
    }

    @Override
    public long nrReservedHighatomic(int zone) {
        return zones[zone].nrReservedHighatomic;
    }

    @Override
    public long nrFreeHighatomic(int zone) {
        return zones[zone].freeHighatomicPages();
    }

    @Override
    public long nrFreeBlocks(int zone, int order) {
        return zones[zone].nrFree[order];
    }

    @Override
    public long pcpPages(int zone) {
        long n = 0;
        for (Pcp p : zones[zone].pcp) {
            n += p.count;
        }
        return n;
    }

    @Override
    public MigrateType pageblockType(long pfn) {
        Zone z = zoneOf(pfn);
        return z.blockTypes[z.blockIndex(pfn)];
    }

    @Override
    public List<FreeBlock> freeBlocks(int zone) {
        Zone z = zones[zone];
        List<FreeBlock> out = new ArrayList<>();
        for (int o = 0; o < config.maxOrder(); o++) {
            for (MigrateType t : TYPES) {
                for (long pfn : z.freeList(o, t)) {
                    out.add(new FreeBlock(pfn, o, t));
                }
            }
        }
        return out;
    }

    /** {@link #freeBlocks}' walk (same lists, same order), without a record per block. */
    @Override
    public void forEachFreeBlock(int zone, BlockVisitor v) {
        PfnLists f = zones[zone].free;
        for (int o = 0; o < config.maxOrder(); o++) {
            for (int t = 0; t < NTYPES; t++) {
                int l = o * NTYPES + t;
                for (int i = f.head[l]; i >= 0; i = f.next[i]) {
                    v.block(f.base + i, o, TYPES[t]);
                }
            }
        }
    }

    /** {@link #pcpBlocks}' walk (same lists, same order), without a record per block. */
    @Override
    public void forEachPcpBlock(int zone, BlockVisitor v) {
        Zone z = zones[zone];
        for (int cpu = 0; cpu < config.cpus(); cpu++) {
            PfnLists l = z.pcp[cpu].lists;
            for (int idx = 0; idx < l.count(); idx++) {
                int order = idx / MigrateType.PCPTYPES;
                MigrateType list = TYPES[idx % MigrateType.PCPTYPES];
                for (int i = l.head[idx]; i >= 0; i = l.next[i]) {
                    v.block(l.base + i, order, list);
                }
            }
        }
    }

    /** The interface's count, reading the zone's pageblock types directly. */
    @Override
    public long pageblocksOfType(int zone, MigrateType type) {
        Zone z = zones[zone];
        int pb = config.pageblockPages();
        long blocks = 0;
        for (long pfn = z.start; pfn < z.start + config.zones().get(zone).managedPages(); pfn += pb) {
            if (z.blockTypes[z.blockIndex(pfn)] == type) {
                blocks++;
            }
        }
        return blocks;
    }

    @Override
    public int[] largestFreeOrders(int zone) {
        long[] nonEmpty = zones[zone].free.nonEmpty;
        int usable = -1;
        int any = -1;
        // the non-empty free lists from the highest index (order, then type) down
        for (int w = nonEmpty.length - 1; w >= 0 && usable < 0; w--) {
            for (long bits = nonEmpty[w]; bits != 0 && usable < 0; ) {
                int b = 63 - Long.numberOfLeadingZeros(bits);
                bits &= ~(1L << b);
                int l = (w << 6) + b;
                MigrateType t = TYPES[l % NTYPES];
                if (any < 0) {
                    any = l / NTYPES;
                }
                if (t.isPcpType() || t == MigrateType.RESERVE) {
                    usable = l / NTYPES;
                }
            }
        }
        return new int[] {usable, any};
    }

    @Override
    public List<PcpBlock> pcpBlocks(int zone) {
        Zone z = zones[zone];
        List<PcpBlock> out = new ArrayList<>();
        for (int cpu = 0; cpu < config.cpus(); cpu++) {
            Pcp p = z.pcp[cpu];
            for (int idx = 0; idx < p.lists.count(); idx++) {
                int order = idx / MigrateType.PCPTYPES;
                MigrateType list = TYPES[idx % MigrateType.PCPTYPES];
                for (long pfn : p.lists.list(idx)) {
                    out.add(new PcpBlock(cpu, pfn, order, list, p.cachedType(pfn)));
                }
            }
        }
        return out;
    }

    /** Per-CPU list parameters of a zone (same on every CPU): {@code {batch, high}}. */
    public int[] pcpBatchHigh(int zone) {
        Pcp p = zones[zone].pcp[0];
        return new int[] {p.batch, p.high};
    }

    private Zone zoneOf(long pfn) {
        for (Zone z : zones) {
            if (pfn >= z.start && pfn < z.end) {
                return z;
            }
        }
        throw new IllegalArgumentException("pfn " + pfn + " is in no zone");
    }

    // ------------------------------------------------------------------------------------------------------------

    /** One CPU's per-CPU lists of one zone: list index = order × PCPTYPES + type (§4.5). */
    private static final class Pcp {
        /**
         * The lists; their per-page tag is the migratetype recorded when a block entered the list
         * (set_pcppage_migratetype), -1: none.
         */
        final PfnLists lists;
        /** In pages. */
        long count;
        int batch;
        int high;

        Pcp(int maxOrder, long base, int pages) {
            lists = new PfnLists(base, pages, (maxOrder + 1) * MigrateType.PCPTYPES, true);
        }

        Pcp(Pcp o) {
            lists = new PfnLists(o.lists);
            count = o.count;
            batch = o.batch;
            high = o.high;
        }

        void copyFrom(Pcp o) {
            lists.copyFrom(o.lists);
            count = o.count;
            batch = o.batch;
            high = o.high;
        }

        MigrateType cachedType(long pfn) {
            byte b = lists.tags[(int) (pfn - lists.base)];
            return b < 0 ? null : TYPES[b];
        }

        void putCachedType(long pfn, MigrateType t) {
            lists.setTag((int) (pfn - lists.base), t == null ? -1 : (byte) t.ordinal());
        }

        MigrateType removeCachedType(long pfn) {
            MigrateType t = cachedType(pfn);
            lists.setTag((int) (pfn - lists.base), (byte) -1);
            return t;
        }
    }

    private static final MigrateType[] TYPES = MigrateType.values();
    private static final int NTYPES = TYPES.length;
    /** The largest free count whose watermark {@code Counters} a zone memoizes. */
    private static final int COUNTERS_MEMO_MAX = 4096;

    /** The index of free_area[order].free_list[type] in a zone's {@link PfnLists}. */
    private static int freeListIndex(int order, MigrateType t) {
        return order * NTYPES + t.ordinal();
    }

    /** {@link MigrateType#fallbacks()} by ordinal, built once (it allocates an array per call). */
    private static final MigrateType[][] FALLBACKS = new MigrateType[NTYPES][];

    static {
        for (MigrateType t : TYPES) {
            FALLBACKS[t.ordinal()] = t.fallbacks();
        }
    }

    /**
     * Doubly linked lists of pfns threaded through arrays indexed by the page's offset in its zone: one list head per
     * list index, each page on at most one list (a second insertion is a model bug and throws). Iteration is from the
     * head, as the kernel's list_for_each. A page may carry a tag byte ({@link Pcp}'s cached migratetype).
     *
     * <p>For the model checker the lists keep a {@link #version}, bumped by every change, so that {@link #copyFrom} can
     * skip a copy when neither side changed since the last one, and {@link #hash()} of the lists in order is computed
     * once per version (a copy takes the source's).
     */
    private static final class PfnLists {
        final long base;
        final int[] next;
        final int[] prev;
        /** The list a page is on, or -1. */
        final short[] listOf;
        /** A byte per page, or null; part of the contents (and of the hash) while the page is on a list. */
        final byte[] tags;
        final int[] head;
        final int[] tail;
        final int[] size;
        /** A bit per list, set while the list is non-empty (so that {@link #hash()} visits only those). */
        final long[] nonEmpty;
        /** {@link #hash()}'s last value, valid while {@link #hashVersion} equals the version. */
        private long hash;
        /** Bumped by every change: two moments of one object with the same version have the same contents. */
        long version;
        /** The lists last copied from, their version then, and this one's version right after that copy. */
        private PfnLists copiedFrom;
        private long copiedVersion;
        private long versionAfterCopy = -1;

        PfnLists(long base, int pages, int lists, boolean tagged) {
            this.base = base;
            next = new int[pages];
            prev = new int[pages];
            listOf = new short[pages];
            Arrays.fill(listOf, (short) -1);
            if (tagged) {
                tags = new byte[pages];
                Arrays.fill(tags, (byte) -1);
            } else {
                tags = null;
            }
            head = new int[lists];
            tail = new int[lists];
            size = new int[lists];
            nonEmpty = new long[(lists + 63) >>> 6];
            views = new PfnDeque[lists];
            Arrays.fill(head, -1);
            Arrays.fill(tail, -1);
        }

        PfnLists(PfnLists o) {
            base = o.base;
            next = o.next.clone();
            prev = o.prev.clone();
            listOf = o.listOf.clone();
            tags = o.tags == null ? null : o.tags.clone();
            head = o.head.clone();
            tail = o.tail.clone();
            size = o.size.clone();
            nonEmpty = o.nonEmpty.clone();
            views = new PfnDeque[head.length];
        }

        /**
         * Overwrites these lists with {@code o}'s (same base and sizes); nothing to do when this one was last copied
         * from {@code o} and neither changed since.
         */
        void copyFrom(PfnLists o) {
            if (copiedFrom == o && copiedVersion == o.version) {
                if (version == versionAfterCopy) {
                    return;
                }
                // o is as it was at the copy: only the pages and lists this one changed since need copying back
                copyRange(o, pageLo, pageHi + 1, listLo, listHi + 1);
            } else {
                copyRange(o, 0, next.length, 0, head.length);
            }
            pageLo = Integer.MAX_VALUE;
            pageHi = -1;
            listLo = Integer.MAX_VALUE;
            listHi = -1;
            boolean hashed = o.hashVersion == o.version;
            hash = o.hash;
            version++;
            hashVersion = hashed ? version : -1;
            copiedFrom = o;
            copiedVersion = o.version;
            versionAfterCopy = version;
        }

        /** Per-page entries {@code [p0, p1)} and per-list entries {@code [l0, l1)} of {@code o} into these lists. */
        private void copyRange(PfnLists o, int p0, int p1, int l0, int l1) {
            if (p1 - p0 > SHORT_COPY) {
                System.arraycopy(o.next, p0, next, p0, p1 - p0);
                System.arraycopy(o.prev, p0, prev, p0, p1 - p0);
                System.arraycopy(o.listOf, p0, listOf, p0, p1 - p0);
                if (tags != null) {
                    System.arraycopy(o.tags, p0, tags, p0, p1 - p0);
                }
            } else {
                for (int i = p0; i < p1; i++) {
                    next[i] = o.next[i];
                    prev[i] = o.prev[i];
                    listOf[i] = o.listOf[i];
                }
                if (tags != null) {
                    for (int i = p0; i < p1; i++) {
                        tags[i] = o.tags[i];
                    }
                }
            }
            if (l1 > l0) {
                System.arraycopy(o.head, l0, head, l0, l1 - l0);
                System.arraycopy(o.tail, l0, tail, l0, l1 - l0);
                System.arraycopy(o.size, l0, size, l0, l1 - l0);
                for (int w = 0; w < nonEmpty.length; w++) {
                    nonEmpty[w] = o.nonEmpty[w];
                }
            }
        }

        /** Up to this many pages {@link #copyRange} copies in one loop over the arrays rather than a call per array. */
        private static final int SHORT_COPY = 16;

        /**
         * The range of pages and of lists whose entries changed since the last {@link #copyFrom} (empty when lo > hi):
         * every write to the per-page and per-list arrays widens them.
         */
        private int pageLo = Integer.MAX_VALUE;
        private int pageHi = -1;
        private int listLo = Integer.MAX_VALUE;
        private int listHi = -1;

        private void touchPage(int i) {
            if (i < pageLo) {
                pageLo = i;
            }
            if (i > pageHi) {
                pageHi = i;
            }
        }

        private void touchList(int l) {
            if (l < listLo) {
                listLo = l;
            }
            if (l > listHi) {
                listHi = l;
            }
        }

        private long hashVersion = -1;

        /** The hash of the contents, recomputed when they changed since the last call. */
        long hash() {
            if (hashVersion != version) {
                long h = 0x2545F4914F6CDD1DL;
                for (int w = 0; w < nonEmpty.length; w++) {
                    // the non-empty lists in ascending order
                    for (long bits = nonEmpty[w]; bits != 0; bits &= bits - 1) {
                        int l = (w << 6) + Long.numberOfTrailingZeros(bits);
                        h = mix(h, l + 0x1000);
                        for (int i = head[l]; i >= 0; i = next[i]) {
                            h = mix(h, tags == null ? i : (long) i << 8 | (tags[i] & 0xff));
                        }
                    }
                }
                hash = h;
                hashVersion = version;
            }
            return hash;
        }

        void setTag(int i, byte tag) {
            touchPage(i);
            tags[i] = tag;
            version++;
        }

        int count() {
            return head.length;
        }

        PfnDeque list(int l) {
            PfnDeque d = views[l];
            if (d == null) {
                d = new PfnDeque(this, l);
                views[l] = d;
            }
            return d;
        }

        /** {@link #list}'s views, made on first use (a view holds no state of its own). */
        private final PfnDeque[] views;

        /** The list {@code pfn} is on, -1 when none (or outside the zone). */
        int listAt(long pfn) {
            long off = pfn - base;
            return off < 0 || off >= listOf.length ? -1 : listOf[(int) off];
        }

        void addFirst(int l, long pfn) {
            int i = claim(l, pfn);
            int h = head[l];
            prev[i] = -1;
            next[i] = h;
            if (h >= 0) {
                touchPage(h);
                prev[h] = i;
            } else {
                tail[l] = i;
            }
            head[l] = i;
            grew(l);
        }

        void addLast(int l, long pfn) {
            int i = claim(l, pfn);
            int t = tail[l];
            next[i] = -1;
            prev[i] = t;
            if (t >= 0) {
                touchPage(t);
                next[t] = i;
            } else {
                head[l] = i;
            }
            tail[l] = i;
            grew(l);
        }

        private void grew(int l) {
            if (size[l]++ == 0) {
                nonEmpty[l >>> 6] |= 1L << l;
            }
        }

        private int claim(int l, long pfn) {
            int i = (int) (pfn - base);
            if (listOf[i] >= 0) {
                throw new IllegalStateException("pfn " + pfn + " is already on list " + listOf[i]);
            }
            listOf[i] = (short) l;
            touchPage(i);
            touchList(l);
            version++;
            return i;
        }

        boolean remove(int l, long pfn) {
            long off = pfn - base;
            if (off < 0 || off >= listOf.length || listOf[(int) off] != l) {
                return false;
            }
            int i = (int) off;
            int p = prev[i];
            int n = next[i];
            touchPage(i);
            touchList(l);
            if (p >= 0) {
                touchPage(p);
                next[p] = n;
            } else {
                head[l] = n;
            }
            if (n >= 0) {
                touchPage(n);
                prev[n] = p;
            } else {
                tail[l] = p;
            }
            listOf[i] = -1;
            if (--size[l] == 0) {
                nonEmpty[l >>> 6] &= ~(1L << l);
            }
            version++;
            return true;
        }
    }

    /** One list of a {@link PfnLists}, with the few {@code Deque} operations the allocator uses. */
    private static final class PfnDeque implements Iterable<Long> {
        private final PfnLists s;
        private final int l;

        PfnDeque(PfnLists s, int l) {
            this.s = s;
            this.l = l;
        }

        boolean isEmpty() {
            return s.size[l] == 0;
        }

        int size() {
            return s.size[l];
        }

        long peekFirst() {
            int h = s.head[l];
            if (h < 0) {
                throw new NoSuchElementException("empty list");
            }
            return s.base + h;
        }

        long pollFirst() {
            long pfn = peekFirst();
            s.remove(l, pfn);
            return pfn;
        }

        long pollLast() {
            int t = s.tail[l];
            if (t < 0) {
                throw new NoSuchElementException("empty list");
            }
            long pfn = s.base + t;
            s.remove(l, pfn);
            return pfn;
        }

        void addFirst(long pfn) {
            s.addFirst(l, pfn);
        }

        void addLast(long pfn) {
            s.addLast(l, pfn);
        }

        boolean remove(long pfn) {
            return s.remove(l, pfn);
        }

        @Override
        public Iterator<Long> iterator() {
            return new Iterator<>() {
                int i = s.head[l];

                @Override
                public boolean hasNext() {
                    return i >= 0;
                }

                @Override
                public Long next() {
                    if (i < 0) {
                        throw new NoSuchElementException();
                    }
                    long pfn = s.base + i;
                    i = s.next[i];
                    return pfn;
                }
            };
        }
    }

    private final class Zone implements FreeAreaView {
        final int index;
        final ZoneSpec spec;
        final long start;
        final long end;
        /**
         * free_area[order].free_list[type] as list {@code order × NTYPES + type}, head first; a page's list is the
         * buddy index (PageBuddy, buddy_order, the list it is on).
         */
        final PfnLists free;
        /** free_area[order].nr_free, maintained as the kernel does. */
        final long[] nrFree;
        final MigrateType[] blockTypes;
        long nrFreePages;
        long nrReservedHighatomic;
        long boost;
        Pcp[] pcp;
        /** {@link #watermarks(int)}'s cache: the marks raised by {@code boostedBy} over {@code boostedFrom}. */
        ZoneWatermarks boostedMarks;
        ZoneWatermarks boostedFrom;
        long boostedBy;

        Zone(int index, ZoneSpec spec, long start) {
            this.index = index;
            this.spec = spec;
            this.start = start;
            this.end = start + spec.managedPages();
            this.nrFree = new long[config.maxOrder()];
            this.free = new PfnLists(start, (int) spec.managedPages(), config.maxOrder() * NTYPES, false);
            int blocks = (int) ((spec.managedPages() + config.pageblockPages() - 1) >> config.pageblockOrder());
            blockTypes = new MigrateType[Math.max(blocks, 0)];
            java.util.Arrays.fill(blockTypes, MigrateType.MOVABLE); // memmap_init: every pageblock MOVABLE
        }

        /** A copy of {@code src} (of another allocator): arrays cloned, per-CPU lists and counters copied. */
        Zone(Zone src) {
            this.index = src.index;
            this.spec = src.spec;
            this.start = src.start;
            this.end = src.end;
            this.free = new PfnLists(src.free);
            this.nrFree = src.nrFree.clone();
            this.blockTypes = src.blockTypes.clone();
            this.blockWords = src.blockWords;
            this.nrFreePages = src.nrFreePages;
            this.nrReservedHighatomic = src.nrReservedHighatomic;
            this.boost = src.boost;
            this.freeHighatomic = src.freeHighatomic;
            this.boostedPendingWake = src.boostedPendingWake;
            this.kswapdWakeRequested = src.kswapdWakeRequested;
            this.lastCachedType = src.lastCachedType;
            if (src.pcp != null) {
                this.pcp = new Pcp[src.pcp.length];
                for (int c = 0; c < src.pcp.length; c++) {
                    this.pcp[c] = new Pcp(src.pcp[c]);
                }
            }
        }

        /** Overwrites this zone's state with {@code src}'s (the same zone of an allocator of the same config). */
        void copyFrom(Zone src) {
            free.copyFrom(src.free);
            for (int o = 0; o < nrFree.length; o++) { // a dozen orders: a loop, not an arraycopy call
                nrFree[o] = src.nrFree[o];
            }
            for (int b = 0; b < blockTypes.length; b++) {
                if (blockTypes[b] != src.blockTypes[b]) {
                    blockTypes[b] = src.blockTypes[b]; // stored only when changed: a reference store has a GC barrier
                    blockWords = null;
                }
            }
            if (blockWords == null) {
                blockWords = src.blockWords; // immutable once made: shared
            }
            nrFreePages = src.nrFreePages;
            nrReservedHighatomic = src.nrReservedHighatomic;
            boost = src.boost;
            freeHighatomic = src.freeHighatomic;
            boostedPendingWake = src.boostedPendingWake;
            kswapdWakeRequested = src.kswapdWakeRequested;
            lastCachedType = src.lastCachedType;
            for (int c = 0; pcp != null && c < pcp.length; c++) {
                pcp[c].copyFrom(src.pcp[c]);
            }
        }

        WatermarkCheck.Counters counters() {
            long ha = freeHighatomicPages();
            WatermarkCheck.Counters c = lastCounters;
            if (c != null && c.nrFreePages() == nrFreePages && c.nrReservedHighatomic() == nrReservedHighatomic
                && c.nrFreeHighatomic() == ha) {
                return c;
            }
            return newCounters(ha); // apart, so that the check above stays small enough to be inlined
        }

        private WatermarkCheck.Counters newCounters(long ha) {
            // the free count moves by a page or a block at every allocation: keep one record per free count seen
            WatermarkCheck.Counters[] memo = countersByFree;
            if (memo == null) {
                memo = new WatermarkCheck.Counters[(int) Math.min(spec.managedPages(), COUNTERS_MEMO_MAX) + 1];
                countersByFree = memo;
            }
            int i = nrFreePages >= 0 && nrFreePages < memo.length ? (int) nrFreePages : -1;
            WatermarkCheck.Counters c = i < 0 ? null : memo[i];
            if (c == null || c.nrReservedHighatomic() != nrReservedHighatomic || c.nrFreeHighatomic() != ha) {
                c = new WatermarkCheck.Counters(nrFreePages, nrReservedHighatomic, ha);
                if (i >= 0) {
                    memo[i] = c;
                }
            }
            lastCounters = c;
            return c;
        }

        /** The last {@link #counters()} (a record of values, reused while they hold: every watermark check reads it). */
        private WatermarkCheck.Counters lastCounters;
        /** {@link #counters()} records by free page count (values only: not state, never copied), made on first use. */
        private WatermarkCheck.Counters[] countersByFree;

        /**
         * Pages on the HIGHATOMIC free lists (§2.3 HAfree). Kept incrementally by the three free-list primitives once
         * computed; -1 means "not known", so a zone whose lists are filled directly (boot) recounts on first use; a
         * {@link #copy()} takes the source's count.
         */
        private long freeHighatomic = -1;

        long freeHighatomicPages() {
            if (freeHighatomic < 0) {
                freeHighatomic = countFreeHighatomic(); // apart, so that this check stays small enough to be inlined
            }
            return freeHighatomic;
        }

        private long countFreeHighatomic() {
            long n = 0;
            for (int o = 0; o < config.maxOrder(); o++) {
                n += (long) freeList(o, MigrateType.HIGHATOMIC).size() << o;
            }
            return n;
        }

        private void countHighatomic(MigrateType t, int order, int sign) {
            if (t == MigrateType.HIGHATOMIC && freeHighatomic >= 0) {
                freeHighatomic += sign * (1L << order);
            }
        }

        @Override
        public long nrFree(int order) {
            return nrFree[order];
        }

        @Override
        public boolean hasFree(int order, MigrateType type) {
            return !freeList(order, type).isEmpty();
        }

        PfnDeque freeList(int order, MigrateType t) {
            return free.list(freeListIndex(order, t));
        }

        /** The order of the free block whose head is {@code pfn}, or -1 (not a buddy head, or outside the zone). */
        int buddyOrderAt(long pfn) {
            int l = free.listAt(pfn);
            return l < 0 ? -1 : l / NTYPES;
        }

        int blockIndex(long pfn) {
            return (int) ((pfn - start) >> config.pageblockOrder());
        }

        MigrateType blockType(long pfn) {
            return blockTypes[blockIndex(pfn)];
        }

        /**
         * The pageblock types as {@link #fingerprint()} hashes them, 16 ordinals (< 16) to a word; made when first asked
         * for after a change, then shared by copies until one changes a type (never written once made).
         */
        private long[] blockWords;

        long[] blockWords() {
            long[] words = blockWords;
            if (words == null) {
                MigrateType[] bt = blockTypes;
                words = new long[(bt.length + 15) >>> 4];
                for (int b = 0; b < bt.length; b += 16) {
                    long w = 0;
                    for (int k = b; k < Math.min(bt.length, b + 16); k++) {
                        w = w << 4 | bt[k].ordinal();
                    }
                    words[b >>> 4] = w;
                }
                blockWords = words;
            }
            return words;
        }

        void setPageblockType(long pfn, MigrateType t) {
            mods++;
            blockTypes[blockIndex(pfn)] = t;
            blockWords = null;
        }

        boolean spans(long pfn) {
            return pfn >= start && pfn < end;
        }

        // ---- free-list primitives --------------------------------------------------------------------------------

        void addToFreeList(long pfn, int order, MigrateType t, boolean tail) {
            int l = freeListIndex(order, t);
            if (tail) {
                free.addLast(l, pfn);
            } else {
                free.addFirst(l, pfn);
            }
            mods++;
            nrFree[order]++;
            countHighatomic(t, order, 1);
        }

        void delFromFreeList(long pfn, int order) {
            // the list the page is on: that of its order and type, if it is a free block head of this order
            int l = free.listAt(pfn);
            if (l < 0 || l / NTYPES != order || !free.remove(l, pfn)) {
                throw new IllegalStateException("pfn " + pfn + " not on its free list");
            }
            mods++;
            nrFree[order]--;
            countHighatomic(TYPES[l % NTYPES], order, -1);
        }

        /** move_to_free_list: 4.x moves to the head, 5.10+ (our V4_11 steal rule) to the tail (§4.3 item 4c). */
        void moveToFreeList(long pfn, int order, MigrateType t) {
            MigrateType old = TYPES[free.listAt(pfn) % NTYPES];
            freeList(order, old).remove(pfn);
            countHighatomic(old, order, -1);
            countHighatomic(t, order, 1);
            boolean tail = policy.stealRule() == StealRule.V4_11;
            if (tail) {
                freeList(order, t).addLast(pfn);
            } else {
                freeList(order, t).addFirst(pfn);
            }
        }

        boolean isBuddyHead(long pfn, int order) {
            return spans(pfn) && buddyOrderAt(pfn) == order;
        }

        // ---- boot ------------------------------------------------------------------------------------------------

        void releaseBootMemory() {
            long pfn = start;
            while (pfn < end) {
                int order = config.maxOrder() - 1;
                while (order > 0 && ((pfn & ((1L << order) - 1)) != 0 || pfn + (1L << order) > end)) {
                    order--;
                }
                freeOneBlock(pfn, order, blockType(pfn));
                pfn += 1L << order;
            }
        }

        void initPcp() {
            int cpus = config.cpus();
            pcp = new Pcp[cpus];
            for (int c = 0; c < cpus; c++) {
                pcp[c] = new Pcp(policy.pcpRules().maxOrder(), start, (int) spec.managedPages());
            }
            updatePcpHighBatch();
        }

        /** §4.5: batch and high per version; a trace may override them. */
        void updatePcpHighBatch() {
            PcpRules rules = policy.pcpRules();
            long pages = rules == PcpRules.V2_6_32 ? spec.presentPages() : spec.managedPages();
            int batch;
            int high;
            if (config.pcpBatchOverride() > 0) {
                batch = config.pcpBatchOverride();
                high = Math.max(config.pcpHighOverride(), 0);
            } else if (rules == PcpRules.V6_1) {
                batch = Math.max(1, rules.batchSize(pages));
                // zone_highsize: the low watermark split over the CPUs, at least 4 × batch
                long low = watermarks.zone(index).low();
                high = (int) Math.max(low / config.cpus(), (long) batch << 2);
            } else {
                int b = rules.batchSize(pages);
                if (b == 0) {
                    // pageset_set_batch: a zero batch gives high 0, batch 1
                    batch = 1;
                    high = 0;
                } else {
                    batch = b;
                    high = 6 * b;
                }
            }
            for (Pcp p : pcp) {
                p.batch = batch;
                p.high = high;
            }
        }

        /** 2.6.32 setup_zone_migrate_reserve: up to two MOVABLE blocks from the zone start become RESERVE. */
        void setupMigrateReserve() {
            long minPages = watermarks.zone(index).min();
            long reserve = roundUp(minPages, config.pageblockPages()) >> config.pageblockOrder();
            reserve = Math.min(2, reserve);
            for (long pfn = start; pfn < end; pfn += config.pageblockPages()) {
                MigrateType t = blockType(pfn);
                if (reserve > 0 && t == MigrateType.RESERVE) {
                    reserve--;
                    continue;
                }
                if (reserve > 0 && t == MigrateType.MOVABLE) {
                    setPageblockType(pfn, MigrateType.RESERVE);
                    moveFreepagesBlock(pfn, MigrateType.RESERVE, null);
                    reserve--;
                    continue;
                }
                if (t == MigrateType.RESERVE) {
                    setPageblockType(pfn, MigrateType.MOVABLE);
                    moveFreepagesBlock(pfn, MigrateType.MOVABLE, null);
                }
            }
        }

        // ---- freeing ---------------------------------------------------------------------------------------------

        /**
         * {@code __free_one_page} (§4.3): count the pages free, merge with free buddies while allowed, insert at the
         * head, or at the tail when the next-higher buddy is free.
         */
        void freeOneBlock(long pfn, int order, MigrateType type) {
            mods++;
            nrFreePages += 1L << order;
            int maxOrder = config.maxOrder();
            while (order < maxOrder - 1) {
                long buddy = pfn ^ (1L << order);
                if (!isBuddyHead(buddy, order)) {
                    break;
                }
                if (order >= config.pageblockOrder() && !mergeAllowed(type, blockType(buddy))) {
                    break;
                }
                delFromFreeList(buddy, order);
                pfn &= buddy;
                order++;
            }
            boolean tail = false;
            if (order < maxOrder - 2) {
                long higherPage = pfn & ~(1L << order);
                long higherBuddy = higherPage ^ (1L << (order + 1));
                tail = isBuddyHead(higherBuddy, order + 1);
            }
            addToFreeList(pfn, order, type, tail);
        }

        /** §4.3 step 3: merge restriction at order ≥ pageblock_order. */
        boolean mergeAllowed(MigrateType freeing, MigrateType buddyType) {
            MergeGuard g = policy.mergeGuard();
            return switch (g) {
                case NONE -> true;
                case ISOLATE -> freeing == buddyType
                    || (freeing != MigrateType.ISOLATE && buddyType != MigrateType.ISOLATE);
                case NON_MERGEABLE -> freeing == buddyType || (freeing.isPcpType() && buddyType.isPcpType());
            };
        }

        /** {@code free_pages}: per-CPU list for cached orders (HIGHATOMIC/RESERVE go to the MOVABLE list), else buddy. */
        void freePages(long pfn, int order, int cpu) {
            MigrateType mt = blockType(pfn);
            if (order > policy.pcpRules().maxOrder() || mt == MigrateType.ISOLATE) {
                freeOneBlock(pfn, order, mt);
                return;
            }
            Pcp p = pcp[cpu];
            MigrateType list = mt.isPcpType() ? mt : MigrateType.MOVABLE;
            p.lists.list(order * MigrateType.PCPTYPES + list.ordinal()).addFirst(pfn);
            p.putCachedType(pfn, mt);
            mods++;
            p.count += 1L << order;
            if (p.count >= p.high) {
                long toFree;
                if (policy.pcpRules() == PcpRules.V6_1) {
                    // nr_pcp_free with free_factor held at 0: batch, or 1 when high < batch
                    toFree = p.high < p.batch ? 1 : Math.min(p.batch, Math.max(p.high - p.batch, p.batch));
                } else {
                    toFree = p.batch;
                }
                freePcppagesBulk(p, toFree, order * MigrateType.PCPTYPES + list.ordinal());
            }
        }

        /**
         * {@code free_pcppages_bulk}: return {@code count} pages from the lists' tails to the buddy. ≤5.12: round-robin
         * over the three lists starting after UNMOVABLE with the batch_free rule; 6.1: round-robin over all
         * order × type lists starting with {@code firstIndex}.
         */
        void freePcppagesBulk(Pcp p, long count, int firstIndex) {
            if (count <= 0) {
                return;
            }
            if (policy.pcpRules() == PcpRules.V6_1) {
                int n = p.lists.count();
                int idx = firstIndex - 1;
                while (count > 0) {
                    PfnDeque list;
                    int guard = 0;
                    do {
                        idx = (idx + 1) % n;
                        list = p.lists.list(idx);
                        if (++guard > n) {
                            return; // nothing left anywhere
                        }
                    } while (list.isEmpty());
                    int order = idx / MigrateType.PCPTYPES;
                    do {
                        long pfn = list.pollLast();
                        MigrateType mt = p.removeCachedType(pfn);
                        if (policy.pcpDrainUsesBlockType()) {
                            mt = blockType(pfn); // 6.10+: the block's current type
                        }
                        count -= 1L << order;
                        mods++;
                        p.count -= 1L << order;
                        freeOneBlock(pfn, order, mt);
                    } while (count > 0 && !list.isEmpty());
                }
                return;
            }
            int mtIdx = 0;
            long batchFree = 0;
            while (count > 0) {
                PfnDeque list;
                int guard = 0;
                do {
                    batchFree++;
                    mtIdx = (mtIdx + 1) % MigrateType.PCPTYPES;
                    list = p.lists.list(mtIdx);
                    if (++guard > MigrateType.PCPTYPES) {
                        return;
                    }
                } while (list.isEmpty());
                if (batchFree == MigrateType.PCPTYPES) {
                    batchFree = count; // only one list is non-empty
                }
                do {
                    long pfn = list.pollLast();
                    MigrateType mt = p.removeCachedType(pfn);
                    p.count--;
                    freeOneBlock(pfn, 0, mt);
                } while (--count > 0 && --batchFree > 0 && !list.isEmpty());
            }
        }

        // ---- allocation ------------------------------------------------------------------------------------------

        /** {@code rmqueue} (§5.1) per version. Returns the pfn or -1. */
        long rmqueue(AllocContext ac, int flags) {
            int order = ac.order();
            MigrateType mt = ac.migratetype();
            PcpRules rules = policy.pcpRules();
            long pfn = -1;
            if (order <= rules.maxOrder()) {
                pfn = rmqueuePcplist(ac, flags);
                if (pfn >= 0 || !rules.missFallsBackToBuddy()) {
                    return finishRmqueue(pfn, flags);
                }
            }
            // rmqueue_buddy
            if (AllocFlagRules.triesHighatomicFirst(policy, order, flags)) {
                pfn = rmqueueSmallest(order, MigrateType.HIGHATOMIC);
            }
            if (pfn < 0) {
                pfn = rmqueueMain(order, mt, flags);
                if (pfn < 0 && AllocFlagRules.mayFallBackToHighatomic(policy, flags)) {
                    pfn = rmqueueSmallest(order, MigrateType.HIGHATOMIC);
                }
            }
            if (pfn >= 0) {
                mods++;
                nrFreePages -= 1L << order;
            }
            return finishRmqueue(pfn, flags);
        }

        private long finishRmqueue(long pfn, int flags) {
            if (boostedPendingWake && (flags & KSWAPD) != 0) {
                // 5.0+: ZONE_BOOSTED_WATERMARK cleared and kswapd woken for order 0 (the memory system's job)
                boostedPendingWake = false;
                kswapdWakeRequested = true;
            }
            return pfn;
        }

        boolean boostedPendingWake;
        boolean kswapdWakeRequested;

        long rmqueuePcplist(AllocContext ac, int flags) {
            int order = ac.order();
            Pcp p = pcp[ac.cpu()];
            int idx = order * MigrateType.PCPTYPES + ac.migratetype().ordinal();
            PfnDeque list = p.lists.list(idx);
            if (list.isEmpty()) {
                int batch = p.batch;
                if (order > 0) {
                    batch = Math.max(batch >> order, 2);
                }
                if (batch == 1) {
                    // a refill of one block (rmqueue_bulk with batch 1, §4.5), which the lines below take straight
                    // back off the list: the block goes to the caller at once (list, cached type and count end as they
                    // began; speed only)
                    long pfn = rmqueueMain(order, ac.migratetype(), flags);
                    if (pfn >= 0) {
                        mods++;
                        nrFreePages -= 1L << order;
                    }
                    return pfn;
                }
                rmqueueBulk(order, batch, list, p, ac.migratetype(), flags);
                if (list.isEmpty()) {
                    return -1;
                }
            }
            long pfn = list.pollFirst();
            p.removeCachedType(pfn);
            mods++;
            p.count -= 1L << order;
            return pfn;
        }

        void rmqueueBulk(int order, int count, PfnDeque list, Pcp p, MigrateType mt, int flags) {
            int i;
            for (i = 0; i < count; i++) {
                long pfn = rmqueueMain(order, mt, flags);
                if (pfn < 0) {
                    break;
                }
                list.addLast(pfn);
                p.putCachedType(pfn, lastCachedType);
                mods++;
                p.count += 1L << order;
            }
            mods++;
            nrFreePages -= (long) i << order;
        }

        /** The type {@code set_pcppage_migratetype} recorded for the last block taken. */
        MigrateType lastCachedType;

        /** {@code __rmqueue} (§5.2). */
        long rmqueueMain(int order, MigrateType mt, int flags) {
            StealRule rule = policy.stealRule();
            if (rule == StealRule.V2_6_32) {
                long pfn = rmqueueSmallest(order, mt);
                if (pfn < 0 && mt != MigrateType.RESERVE) {
                    pfn = rmqueueFallback26(order, mt);
                    if (pfn < 0) {
                        pfn = rmqueueSmallest(order, MigrateType.RESERVE);
                    }
                }
                if (pfn >= 0) {
                    lastCachedType = mt; // 2.6.32 rmqueue_bulk records the requested type
                }
                return pfn;
            }
            if (rule == StealRule.V4_4) {
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
        long rmqueueSmallest(int order, MigrateType type) {
            int[] size = free.size;
            int maxOrder = config.maxOrder();
            for (int o = order; o < maxOrder; o++) {
                int l = o * NTYPES + type.ordinal();
                if (size[l] == 0) {
                    continue;
                }
                long pfn = free.base + free.head[l];
                delFromFreeList(pfn, o);
                expand(pfn, order, o, type);
                lastCachedType = type;
                return pfn;
            }
            return -1;
        }

        /** {@code expand} (§4.4): halve, putting each upper half at the head of {@code type}'s list. */
        void expand(long pfn, int low, int high, MigrateType type) {
            while (high > low) {
                high--;
                addToFreeList(pfn + (1L << high), high, type, false);
            }
        }

        /** The whole-block predicate of §5.4 ({@code can_steal_fallback}). */
        boolean canStealFallback(int order, MigrateType start) {
            int pb = config.pageblockOrder();
            return order >= pb || order >= pb / 2 || start == MigrateType.RECLAIMABLE
                || start == MigrateType.UNMOVABLE || mobilityDisabled;
        }

        /** {@code find_suitable_fallback}: first fallback type with a non-empty list at this order. */
        MigrateType findSuitableFallback(int order, MigrateType start) {
            if (nrFree[order] == 0) {
                return null;
            }
            for (MigrateType f : FALLBACKS[start.ordinal()]) {
                if (!freeList(order, f).isEmpty()) {
                    return f;
                }
            }
            return null;
        }

        /** 2.6.32 {@code __rmqueue_fallback}. */
        long rmqueueFallback26(int order, MigrateType start) {
            int pb = config.pageblockOrder();
            for (int o = config.maxOrder() - 1; o >= order; o--) {
                for (MigrateType f : FALLBACKS[start.ordinal()]) {
                    PfnDeque list = freeList(o, f);
                    if (list.isEmpty()) {
                        continue;
                    }
                    long pfn = list.peekFirst();
                    MigrateType remainderType = f;
                    if (o >= (pb >> 1) || start == MigrateType.RECLAIMABLE || mobilityDisabled) {
                        long pages = moveFreepagesBlock(pfn, start, null);
                        if (pages >= (1L << (pb - 1)) || mobilityDisabled) {
                            setPageblockType(pfn, start);
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
        long rmqueueFallback44(int order, MigrateType start) {
            for (int o = config.maxOrder() - 1; o >= order; o--) {
                MigrateType f = findSuitableFallback(o, start);
                if (f == null) {
                    continue;
                }
                boolean canSteal = canStealFallback(o, start);
                long pfn = freeList(o, f).peekFirst();
                // 4.10 (88ed365ea227): never retype a HIGHATOMIC block found on a normal list
                if (canSteal && !(policy.stealNeverRetypesHighatomic() && blockType(pfn) == MigrateType.HIGHATOMIC)) {
                    if (o >= config.pageblockOrder()) {
                        changePageblockRange(pfn, o, start);
                    } else {
                        long pages = moveFreepagesBlock(pfn, start, null);
                        if (pages >= (1L << (config.pageblockOrder() - 1)) || mobilityDisabled) {
                            setPageblockType(pfn, start);
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
        boolean rmqueueFallback411(int order, MigrateType start, int flags) {
            int minOrder = order;
            if (order < config.pageblockOrder() && (flags & NOFRAGMENT) != 0) {
                minOrder = config.pageblockOrder();
            }
            int found = -1;
            MigrateType foundType = null;
            boolean canSteal = false;
            for (int o = config.maxOrder() - 1; o >= minOrder; o--) {
                MigrateType f = findSuitableFallback(o, start);
                if (f == null) {
                    continue;
                }
                canSteal = canStealFallback(o, start);
                if (!canSteal && start == MigrateType.MOVABLE && o > order) {
                    // find_smallest: a movable request that cannot claim takes the smallest fallback block
                    for (int s = order; s < config.maxOrder(); s++) {
                        MigrateType fs = findSuitableFallback(s, start);
                        if (fs != null) {
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
            long pfn = freeList(found, foundType).peekFirst();
            stealSuitableFallback(pfn, found, flags, start, canSteal);
            return true;
        }

        /** 6.1 {@code steal_suitable_fallback}. */
        void stealSuitableFallback(long pfn, int currentOrder, int flags, MigrateType start, boolean wholeBlock) {
            MigrateType oldType = blockType(pfn);
            int pb = config.pageblockOrder();
            if (oldType == MigrateType.HIGHATOMIC) {
                moveToFreeList(pfn, currentOrder, start);
                return;
            }
            if (currentOrder >= pb) {
                changePageblockRange(pfn, currentOrder, start);
                moveToFreeList(pfn, currentOrder, start);
                return;
            }
            if (policy.watermarkBoost() && boostWatermark() && (flags & KSWAPD) != 0) {
                boostedPendingWake = true;
            }
            if (!wholeBlock) {
                moveToFreeList(pfn, currentOrder, start);
                return;
            }
            long[] movable = new long[1];
            long freePages = moveFreepagesBlock(pfn, start, movable);
            if (freePages == 0) {
                moveToFreeList(pfn, currentOrder, start);
                return;
            }
            long alike;
            if (start == MigrateType.MOVABLE) {
                alike = movable[0];
            } else if (oldType == MigrateType.MOVABLE) {
                alike = config.pageblockPages() - (freePages + movable[0]);
            } else {
                alike = 0;
            }
            if (freePages + alike >= (1L << (pb - 1)) || mobilityDisabled) {
                setPageblockType(pfn, start);
            }
        }

        /** {@code boost_watermark} (§1.5). */
        boolean boostWatermark() {
            int factor = tunables.watermarkBoostFactor();
            if (factor == 0) {
                return false;
            }
            if ((long) config.pageblockPages() * 4 > spec.managedPages()) {
                return false;
            }
            long high = watermarks.zone(index).high();
            long maxBoost = (high / 10000) * factor + ((high % 10000) * factor) / 10000; // mult_frac
            if (maxBoost == 0) {
                return false;
            }
            maxBoost = Math.max(config.pageblockPages(), maxBoost);
            boost = Math.min(boost + config.pageblockPages(), maxBoost);
            return true;
        }

        void changePageblockRange(long pfn, int order, MigrateType t) {
            long blocks = 1L << Math.max(0, order - config.pageblockOrder());
            for (long b = 0; b < blocks; b++) {
                long p = pfn + (b << config.pageblockOrder());
                if (spans(p)) {
                    setPageblockType(p, t);
                }
            }
        }

        /**
         * {@code move_freepages_block}: move every free block of the pageblock holding pfn to type {@code t}'s lists;
         * returns the pages moved (0 when the block crosses the zone end). {@code movable[0]} counts allocated pages
         * of movable allocations in the block ({@code PageLRU}).
         */
        long moveFreepagesBlock(long pfn, MigrateType t, long[] movable) {
            long blockStart = pfn & ~((long) config.pageblockPages() - 1);
            long blockEnd = blockStart + config.pageblockPages() - 1;
            if (!spans(blockStart)) {
                blockStart = pfn;
            }
            if (!spans(blockEnd)) {
                return 0;
            }
            long moved = 0;
            long p = blockStart;
            while (p <= blockEnd) {
                int o = buddyOrderAt(p);
                if (o < 0) {
                    if (movable != null && movableAllocated != null && movableAllocated.test(p)) {
                        movable[0]++;
                    }
                    p++;
                    continue;
                }
                moveToFreeList(p, o, t);
                p += 1L << o;
                moved += 1L << o;
            }
            return moved;
        }

        /** {@code reserve_highatomic_pageblock} (§6.2, §6.3). */
        void reserveHighatomicPageblock(long pfn) {
            long cap = policy.highatomicCap() == HighatomicCap.ONE_PERCENT_PLUS_BLOCK
                ? Watermarks.highatomicCapOnePercentPlusBlock(spec.managedPages(), config.pageblockPages())
                : Watermarks.highatomicCapRoundup(spec.managedPages(), config.pageblockPages());
            if (nrReservedHighatomic >= cap) {
                return;
            }
            MigrateType t = blockType(pfn);
            boolean eligible = policy.mergeGuard() == MergeGuard.NON_MERGEABLE
                ? t.isPcpType() // 6.1+: only U/M/E blocks
                : t != MigrateType.HIGHATOMIC && t != MigrateType.ISOLATE && t != MigrateType.CMA;
            if (eligible) {
                mods++;
                nrReservedHighatomic += config.pageblockPages();
                setPageblockType(pfn, MigrateType.HIGHATOMIC);
                moveFreepagesBlock(pfn, MigrateType.HIGHATOMIC, null);
            }
        }
    }

    /** Tells move_freepages which allocated pfns belong to movable allocations (set by the memory system). */
    private java.util.function.LongPredicate movableAllocated;

    @Override
    public void setMovablePageOracle(java.util.function.LongPredicate isMovableAllocatedPage) {
        this.movableAllocated = isMovableAllocatedPage;
    }

    @Override
    public boolean takeKswapdWakeRequest(int zone) {
        boolean r = zones[zone].kswapdWakeRequested;
        zones[zone].kswapdWakeRequested = false;
        return r;
    }

    @Override
    public String toString() {
        return "ReferenceAllocator[" + policy.name() + ", " + config.zones().size() + " zone(s)]";
    }

    // ---- state copy and fingerprint, for the bounded model checker (properties.explore) --------------------------

    /**
     * A deep copy of the whole allocator state (free lists in list order, buddy index, pageblock types, counters,
     * per-CPU lists and their cached types, boost and wake flags). The movable-page oracle is not copied: the memory
     * system that owns the copy installs its own.
     */
    /**
     * Writes of the counters ({@code nr_free}, NR_FREE_PAGES, the per-CPU counts, {@code nr_reserved_highatomic})
     * and of pageblock types; with the lists' own change counts, {@link #modifications()}.
     */
    private long mods;

    @Override
    public long modifications() {
        long m = mods;
        for (Zone z : zones) {
            m += z.free.version;
            if (z.pcp != null) {
                for (Pcp p : z.pcp) {
                    m += p.lists.version;
                }
            }
        }
        return m;
    }

    @Override
    public ReferenceAllocator copy() {
        return new ReferenceAllocator(this);
    }

    /**
     * Makes this allocator's state equal to {@code src}'s, as {@link #copy()} would, reusing this one's arrays (the
     * model checker's per-transition copy). Both must have the same policy and node config.
     */
    @Override
    public void copyStateFrom(PageAllocator src) {
        if (!(src instanceof ReferenceAllocator r)) {
            throw new IllegalArgumentException("copyStateFrom needs a reference allocator, got " + src);
        }
        copyFrom(r);
    }

    public void copyFrom(ReferenceAllocator src) {
        if (src.policy != policy || (src.config != config && !src.config.equals(config))) {
            throw new IllegalArgumentException("copyFrom needs the same policy and node config");
        }
        mods++;
        this.tunables = src.tunables;
        this.watermarks = src.watermarks;
        for (int i = 0; i < zones.length; i++) {
            zones[i].copyFrom(src.zones[i]);
        }
    }

    private ReferenceAllocator(ReferenceAllocator o) {
        this.policy = o.policy;
        this.config = o.config;
        this.mobilityDisabled = o.mobilityDisabled;
        this.tunables = o.tunables;
        this.watermarks = o.watermarks;
        this.zones = new Zone[o.zones.length];
        for (int i = 0; i < zones.length; i++) {
            zones[i] = new Zone(o.zones[i]);
        }
    }

    /**
     * A 64-bit fingerprint of the allocator state that decides future behaviour: every free list in list order (head
     * first, since the list order decides which block the next request takes), pageblock types, counters, per-CPU
     * lists with their cached types, boost, wake flags and the watermarks. Deterministic across runs (ordinals, never
     * identity hash codes). Equal states give equal fingerprints; different states collide with probability ~2^-64.
     */
    public long fingerprint() {
        long h = 0x243F6A8885A308D3L;
        for (Zone z : zones) {
            h = mix(h, z.index);
            h = mix(h, z.free.hash());
            for (long w : z.blockWords()) {
                h = mix(h, w);
            }
            h = mix(h, z.nrFreePages);
            // nr_free per order is a counter beside the lists, not derived from them: a state whose counter drifted
            // (a model bug free-counters catches) must not share a fingerprint with the sound state of the same lists
            long[] nrFree = z.nrFree;
            for (int o = 0; o < nrFree.length; o += 2) {
                h = mix(h, nrFree[o] << 32 ^ (o + 1 < nrFree.length ? nrFree[o + 1] : 0));
            }
            h = mix(h, z.nrReservedHighatomic);
            h = mix(h, z.boost);
            h = mix(h, (z.boostedPendingWake ? 1 : 0) | (z.kswapdWakeRequested ? 2 : 0)
                | (long) (z.lastCachedType == null ? 0xff : z.lastCachedType.ordinal()) << 8);
            if (z.pcp != null) {
                for (Pcp p : z.pcp) {
                    h = mix(h, p.count);
                    h = mix(h, ((long) p.batch << 32) | (p.high & 0xffffffffL));
                    h = mix(h, p.lists.hash());
                }
            }
            // watermarks(z): the static marks plus the boost
            h = mix(h, mark(z.index, ZoneWatermarks.WMARK_MIN));
            h = mix(h, mark(z.index, ZoneWatermarks.WMARK_LOW));
            h = mix(h, mark(z.index, ZoneWatermarks.WMARK_HIGH));
        }
        return finish(h);
    }

    private static final long P1 = 0x9E3779B185EBCA87L;
    private static final long P2 = 0xC2B2AE3D27D4EB4FL;

    /**
     * One step of the fingerprint hash, an xxHash64 round: a bijection in {@code h} for a fixed value and in the
     * value for a fixed {@code h}, so two equally long sequences that differ in one value never collide.
     */
    public static long mix(long h, long v) {
        return Long.rotateLeft(h + v * P2, 31) * P1;
    }

    /** The last step of a fingerprint: a splitmix64 finalizer (a bijection), so that every bit depends on all. */
    public static long finish(long h) {
        long x = (h ^ (h >>> 30)) * 0xBF58476D1CE4E5B9L;
        x = (x ^ (x >>> 27)) * 0x94D049BB133111EBL;
        return x ^ (x >>> 31);
    }

}
