package dev.highwater.model.mm;

import dev.highwater.model.AllocContext;
import dev.highwater.model.AllocFlags;
import dev.highwater.model.Context;
import dev.highwater.model.Gfp;
import dev.highwater.model.GfpFlag;
import dev.highwater.model.GfpMask;
import dev.highwater.model.MigrateType;
import dev.highwater.model.NodeConfig;
import dev.highwater.model.PageAllocator;
import dev.highwater.model.ZoneSpec;
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
 * The memory system around one allocator (kernel-semantics §7–§9): page cache (clean, dirty, under writeback) and
 * anonymous memory on LRU lists, swap, tasks with {@code oom_score_adj}, kswapd, direct reclaim, compaction, the slow
 * path of each version and the OOM killer. Written once; it drives any {@link PageAllocator}.
 *
 * <p>Time is the trace: kswapd, kcompactd and the flusher run only when a step says so, so a fuzzer controls the
 * interleaving. Everything else happens synchronously inside the allocating step; an OOM victim's memory is freed at
 * once (the OOM reaper, or exit).
 */
public final class MemorySystem {

    /** A block held by a trace handle (kernel memory: never reclaimed, never migrated). */
    public record Allocation(long pfn, int order, int zone, MigrateType migratetype, int task) {
    }

    /** What one {@code __alloc_pages} call did. {@code pfn} is -1 on failure. */
    public record AllocAttempt(long pfn, int zone, boolean slowPath, int lastFlags) {
        public boolean ok() {
            return pfn >= 0;
        }
    }

    /** Page-cache page states (§7.2 write_pending = dirty + writeback). */
    public enum FileState { CLEAN, DIRTY, WRITEBACK }

    /**
     * An order-0 page on an LRU list (its zone never changes: compaction migrates within a zone; the fields are not
     * final only so that {@link #copyFrom} can reuse the objects).
     */
    static final class LruPage {
        long pfn;
        int zone;
        boolean anon;
        int task;
        FileState state;

        LruPage(long pfn, int zone, boolean anon, int task, FileState state) {
            this.pfn = pfn;
            this.zone = zone;
            this.anon = anon;
            this.task = task;
            this.state = state;
        }
    }

    /** One handle's blocks, oldest first; a free takes the newest. */
    private static final class Held {
        Allocation[] blocks;
        int size;
        /** {@link #fingerprint}'s hash of the blocks, valid while {@link #hashSize} equals size and nonnegative. */
        long hash;
        int hashSize = -1;

        Held(int capacity) {
            blocks = new Allocation[Math.max(4, capacity)];
        }

        void addLast(Allocation a) {
            hashSize = -1;
            if (size == blocks.length) {
                blocks = java.util.Arrays.copyOf(blocks, size * 2);
            }
            blocks[size++] = a;
        }

        Allocation pollLast() {
            hashSize = -1;
            Allocation a = blocks[--size];
            blocks[size] = null;
            return a;
        }

        void clear() {
            java.util.Arrays.fill(blocks, 0, size, null);
            size = 0;
            hashSize = -1;
        }

        void copyFrom(Held o) {
            if (blocks.length < o.size) {
                blocks = new Allocation[o.blocks.length];
            }
            copyRefs(o.blocks, blocks, o.size);
            if (size > o.size) {
                java.util.Arrays.fill(blocks, o.size, size, null);
            }
            size = o.size;
            hash = o.hash;
            hashSize = o.hashSize;
        }
    }

    /** A task's memory and OOM state. */
    static final class Task {
        final TaskSpec spec;
        /** The task's place in {@link #taskList}. */
        int index;
        long rss;
        long swapEntries;
        boolean dead;
        boolean oomVictim;

        Task(TaskSpec spec) {
            this.spec = spec;
        }
    }

    /** The slow path's bound on retries: beyond it the model reports a livelock (§7.5 "loop"). */
    public static final int MAX_SLOWPATH_ROUNDS = 256;
    /** SWAP_CLUSTER_MAX: one reclaim batch. */
    public static final int SWAP_CLUSTER_MAX = 32;

    final KernelPolicy policy;
    final PageAllocator allocator;
    final NodeConfig config;
    final TreeMap<Integer, Task> tasks = new TreeMap<>();
    /** {@link #tasks} in id order, for the state copy and the fingerprint. */
    private Task[] taskList;
    private final Map<String, Held> handles = new LinkedHashMap<>();
    /**
     * Handle allocations by head pfn: an array over the node's pfn span (grown if a pfn lies beyond it), so that a
     * state copy is an array clone.
     */
    private Allocation[] byPfn;
    /** The largest order ever put in {@link #byPfn}: a head further below a pfn than 2^this cannot cover it. */
    private int maxHeldOrder;
    /**
     * LRU pages by pfn (an array like {@link #byPfn}); the LRU order lives in the deques, oldest first: clean file
     * pages, dirty or under-writeback file pages, anonymous pages. Per-zone counts are kept as the kernel's vmstat
     * counters are.
     */
    private LruPage[] lruByPfn;
    final Deque<LruPage> fileClean = new ArrayDeque<>();
    final Deque<LruPage> fileDirty = new ArrayDeque<>();
    final Deque<LruPage> anonLru = new ArrayDeque<>();
    final long[] nrFile;
    final long[] nrFileClean;
    final long[] nrAnon;
    final long swapTotal;
    long swapUsed;
    private final boolean mobilityDisabled;
    final Kswapd kswapd;
    final Compaction compaction;
    final OomKiller oomKiller;
    final SlowPath slowPath;
    /** The shortcut for a step's repeated failures ({@link FailureRepeat}). */
    private final FailureRepeat repeat;
    /** Events of the step being executed. */
    final List<MmEvent> events = new ArrayList<>();
    /** Victims killed during the current step. */
    final List<Integer> killedThisStep = new ArrayList<>();
    boolean panicThisStep;
    boolean loopThisStep;
    /**
     * The last allocation attempt of the last step that made one. A request records its outcome in the
     * {@code attempt*} fields below (a record per request was a fifth of the bytes a fuzz run allocated); the step
     * turns the last one into this record when it ends, before anything can read it.
     */
    private AllocAttempt lastAttempt;
    /** The outcome of the request in progress or just finished: zone (-1 on failure), slow path, last flags. */
    private int attemptZone;
    private boolean attemptSlowPath;
    private int attemptFlags;
    private long attemptPfn;
    /** Whether a request of the current step has recorded an outcome not yet published as {@link #lastAttempt}. */
    private boolean attemptPending;
    /** Totals since boot, for statistics. */
    long oomKills;
    long kswapdRuns;
    long compactions;
    long reclaimedPages;

    public MemorySystem(PageAllocator allocator, List<TaskSpec> tasks) {
        this(allocator, tasks, 0);
    }

    public MemorySystem(PageAllocator allocator, List<TaskSpec> tasks, long swapPages) {
        this(allocator, tasks, swapPages, null);
    }

    /**
     * A memory system booted as {@link #MemorySystem(PageAllocator, List, long)} boots it, reusing the pfn-indexed
     * arrays of {@code spent} (cleared first) where their size fits: a fuzzer runs tens of thousands of short traces a
     * second on one machine shape, and fresh arrays over the node's span were a third of the bytes each run
     * allocated. {@code spent} must not be used afterwards; null boots with fresh arrays.
     */
    public static MemorySystem reusing(PageAllocator allocator, List<TaskSpec> tasks, long swapPages,
                                       MemorySystem spent) {
        return new MemorySystem(allocator, tasks, swapPages, spent);
    }

    private MemorySystem(PageAllocator allocator, List<TaskSpec> tasks, long swapPages, MemorySystem spent) {
        this.allocator = allocator;
        this.policy = allocator.policy();
        this.config = allocator.config();
        for (TaskSpec t : tasks) {
            this.tasks.put(t.id(), new Task(t));
        }
        indexTasks();
        this.swapTotal = swapPages;
        int nz = config.zones().size();
        this.nrFile = new long[nz];
        this.nrFileClean = new long[nz];
        this.nrAnon = new long[nz];
        this.mobilityDisabled = ReferenceAllocator.mobilityGroupingDisabled(config);
        long span = 0;
        for (int z = 0; z < nz; z++) {
            span = Math.max(span, allocator.zoneStartPfn(z) + config.zones().get(z).managedPages());
        }
        int words = ((int) span + 63) >>> 6;
        if (spent != null && spent.byPfn.length == span && spent.lruByPfn.length == span && spent.ledgerBits != null
            && spent.ledgerBits.length == words) {
            this.byPfn = spent.byPfn;
            this.lruByPfn = spent.lruByPfn;
            this.ledgerBits = spent.ledgerBits;
            clearRefs(byPfn, lruByPfn);
            java.util.Arrays.fill(ledgerBits, 0L);
            spent.byPfn = null; // spent: a later use fails at once instead of sharing the arrays
            spent.lruByPfn = null;
            spent.ledgerBits = null;
        } else {
            this.byPfn = new Allocation[(int) span];
            this.lruByPfn = new LruPage[(int) span];
            this.ledgerBits = new long[words];
        }
        this.ledgerZones = new long[2 * nz];
        for (int z = 0; z < nz; z++) {
            ledgerZones[2 * z] = allocator.zoneStartPfn(z);
            ledgerZones[2 * z + 1] = ledgerZones[2 * z] + config.zones().get(z).managedPages();
        }
        if (spent != null && spent.policy.gfpLayout() == policy.gfpLayout()) {
            System.arraycopy(spent.resolvedGfp, 0, resolvedGfp, 0, resolvedGfp.length);
            System.arraycopy(spent.resolvedMask, 0, resolvedMask, 0, resolvedMask.length);
        }
        allocator.setMovablePageOracle(new MovablePageOracle(this));
        this.kswapd = new Kswapd(this);
        this.compaction = new Compaction(this);
        this.oomKiller = new OomKiller(this);
        this.slowPath = new SlowPath(this);
        this.repeat = new FailureRepeat(slowPath.fastForward);
    }

    /** Nulls to copy over a reused pfn index (a copy of nulls runs several times faster than a fill loop). */
    private static volatile Allocation[] noAllocations = new Allocation[0];
    private static volatile LruPage[] noLruPages = new LruPage[0];

    /** Clears two pfn indexes of a spent memory system for reuse. */
    private static void clearRefs(Allocation[] byPfn, LruPage[] lruByPfn) {
        Allocation[] a = noAllocations;
        if (a.length < byPfn.length) {
            a = new Allocation[byPfn.length];
            noAllocations = a; // a racy grow is harmless: every copy is of nulls, from an array long enough
        }
        System.arraycopy(a, 0, byPfn, 0, byPfn.length);
        LruPage[] l = noLruPages;
        if (l.length < lruByPfn.length) {
            l = new LruPage[lruByPfn.length];
            noLruPages = l;
        }
        System.arraycopy(l, 0, lruByPfn, 0, lruByPfn.length);
    }

    private void indexTasks() {
        taskList = tasks.values().toArray(new Task[0]);
        for (int i = 0; i < taskList.length; i++) {
            taskList[i].index = i;
        }
    }

    public PageAllocator allocator() {
        return allocator;
    }

    public KernelPolicy policy() {
        return policy;
    }

    /**
     * Every handle-held block, from the handle ledger (not the pfn index, so a block handed out twice shows up twice
     * and page-conservation catches it).
     */
    public List<Allocation> allocations() {
        List<Allocation> out = new ArrayList<>();
        for (Held d : handles.values()) {
            for (int i = 0; i < d.size; i++) {
                out.add(d.blocks[i]);
            }
        }
        return out;
    }

    /** Every page on an LRU list, in pfn order: {@code {pfn, zone}} of order 0. */
    public List<Long> lruPages() {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < lruByPfn.length; i++) {
            if (lruByPfn[i] != null) {
                out.add((long) i);
            }
        }
        return List.copyOf(out);
    }

    /**
     * {@link #allocations()} and the LRU pages without building lists: each held block, then the pfn of each page on
     * the LRU lists, list by list in LRU order (not pfn order). Walking the lists rather than the pfn index costs the
     * pages held, not the node's span, and a page on two lists shows up twice.
     */
    public void forEachHeldBlock(java.util.function.Consumer<Allocation> allocation,
                                 java.util.function.LongConsumer lruPfn) {
        for (Held d : handles.values()) {
            for (int i = 0; i < d.size; i++) {
                allocation.accept(d.blocks[i]);
            }
        }
        for (LruPage p : fileClean) {
            lruPfn.accept(p.pfn);
        }
        for (LruPage p : fileDirty) {
            lruPfn.accept(p.pfn);
        }
        for (LruPage p : anonLru) {
            lruPfn.accept(p.pfn);
        }
    }

    // ---- the ledger's page map ------------------------------------------------------------------------------------

    /**
     * A bit per pfn: whether a ledger entry covers the page (the pages of each handle block whose zone is a zone of
     * the node and which lies inside it, and each LRU page); kept at every change of the ledger, beside {@link #byPfn}
     * and {@link #lruByPfn}. A {@link #copy()} or {@link #copyFrom} target takes the source's map and its counters
     * with it ({@link #copyLedgerMap}), so the model checker's states offer it too. Null when the source kept none.
     */
    private long[] ledgerBits;
    /** Holders beyond the first, by pfn (only a model bug holds a page twice): empty in a sound state. */
    private final Map<Long, Integer> ledgerExtra = new java.util.HashMap<>();
    /** Handle blocks of a zone of the node that lie outside it (not entered in the map). */
    private int ledgerMisplaced;
    /** Handle blocks and LRU pages entered (any zone): checked against the ledger's own sizes. */
    private long ledgerBlocks;
    private long ledgerLru;
    /** An entry was removed that was never entered (or one outside the map): the map is void. */
    private boolean ledgerBroken;
    /** Zone bounds, {@code [start, end)} at 2z, 2z + 1 (the zones never move). */
    private long[] ledgerZones;
    /** The bits set in {@link #ledgerBits}. */
    private long ledgerSet;

    /**
     * The ledger's page map and the counters that say whether it can be trusted, made equal to {@code src}'s: the map
     * describes the handles and LRU lists, which a copy has just taken from {@code src}. A few words for the checker's
     * small zones, against a walk of every handle block and LRU page per check without it.
     */
    private void copyLedgerMap(MemorySystem src) {
        ledgerVersion++; // a copy's handles and LRU pages are src's (see integrityVersion)
        long[] theirs = src.ledgerBits;
        if (theirs == null) {
            ledgerBits = null;
        } else if (ledgerBits == null || ledgerBits.length != theirs.length) {
            ledgerBits = theirs.clone();
        } else {
            System.arraycopy(theirs, 0, ledgerBits, 0, theirs.length);
        }
        if (!ledgerExtra.isEmpty() || !src.ledgerExtra.isEmpty()) {
            ledgerExtra.clear();
            ledgerExtra.putAll(src.ledgerExtra);
        }
        ledgerZones = src.ledgerZones; // fixed at construction, never written: shared
        ledgerMisplaced = src.ledgerMisplaced;
        ledgerSet = src.ledgerSet;
        ledgerBlocks = src.ledgerBlocks;
        ledgerLru = src.ledgerLru;
        ledgerBroken = src.ledgerBroken;
    }

    private void ledgerBlock(Allocation al, int delta) {
        ledgerVersion++;
        long[] bits = ledgerBits;
        if (bits == null) {
            return;
        }
        ledgerBlocks += delta;
        int z = al.zone();
        long[] zb = ledgerZones;
        if (z < 0 || 2 * z + 1 >= zb.length) {
            return; // a block of no zone is not a page of any zone (page-conservation does not count it)
        }
        long p = al.pfn();
        long n = 1L << al.order();
        long to = p + n;
        if (p < zb[2 * z] || to > zb[2 * z + 1]) {
            ledgerMisplaced += delta;
            return;
        }
        if (n == 1) {
            ledgerPage(p, delta);
            return;
        }
        while (p < to) {
            // a word at a time while the pages of the word go from no holder to one, or from one to none (the common
            // case); otherwise (a page held twice somewhere, or removed but not held) one page at a time
            int i = (int) p;
            int bit = i & 63;
            int len = (int) Math.min(64 - bit, to - p);
            long mask = (len == 64 ? -1L : (1L << len) - 1) << bit;
            int w = i >>> 6;
            long cur = bits[w] & mask;
            if (delta > 0 && cur == 0) {
                bits[w] |= mask;
                ledgerSet += len;
            } else if (delta < 0 && cur == mask && ledgerExtra.isEmpty()) {
                bits[w] &= ~mask;
                ledgerSet -= len;
            } else {
                for (int k = 0; k < len; k++) {
                    ledgerPage(p + k, delta);
                }
            }
            p += len;
        }
    }

    private void ledgerPage(long pfn, int delta) {
        ledgerVersion++;
        long[] bits = ledgerBits;
        if (bits == null) {
            return;
        }
        if (pfn < 0 || (pfn >>> 6) >= bits.length) {
            ledgerBroken = true;
            return;
        }
        int i = (int) pfn;
        int w = i >>> 6;
        long bit = 1L << i;
        if (delta > 0) {
            if ((bits[w] & bit) == 0) {
                bits[w] |= bit;
                ledgerSet++;
            } else {
                ledgerExtra.merge(pfn, 1, Integer::sum);
            }
        } else if (!ledgerExtra.isEmpty() && ledgerExtra.containsKey(pfn)) {
            ledgerExtra.computeIfPresent(pfn, (k, c) -> c == 1 ? null : c - 1);
        } else if ((bits[w] & bit) != 0) {
            bits[w] &= ~bit;
            ledgerSet--;
        } else {
            ledgerBroken = true;
        }
    }

    /**
     * Counts the changes of the ledger: every handle block and LRU page entered or removed ({@link #ledgerBlock},
     * {@link #ledgerPage}, through which each such change goes), every copy and every growth of the pfn index. So an
     * unchanged count means the same handle blocks and the same set of LRU pages; a page moved between LRU lists, an
     * LRU list reordered or a handle created empty leaves it as it was.
     */
    private long ledgerVersion;

    /**
     * A number that grows whenever anything the integrity properties read may have changed: the allocator's lists,
     * counters and pageblock types ({@link PageAllocator#modifications}), and the pages the memory system holds — its
     * handle blocks and the set of its LRU pages ({@link #ledgerVersion}). Page conservation reads the held pages as
     * a set (the ledger's page map, or a walk of every handle block and LRU page); no integrity property reads which
     * LRU list a page is on, its place on it, or a handle without blocks. Each count only grows, so their sum is
     * unchanged only when each is: two readings after two steps with the same value mean the second step left all of
     * it as the first left it, so a state invariant that held after the first holds after the second (a writeback,
     * a failed allocation, an idle kswapd). -1 when the allocator keeps no count.
     */
    public long integrityVersion() {
        long m = allocator.modifications();
        if (m < 0) {
            return -1;
        }
        return m + ledgerVersion;
    }

    /**
     * The pages the ledger holds, one bit per pfn (bit {@code pfn & 63} of word {@code pfn >>> 6}; read-only, valid
     * until the next step): every page of each handle block whose zone is one of the node's, and every LRU page —
     * what {@link #forEachHeldBlock} walks — provided each such page is held exactly once and each such block lies
     * inside its zone. Null when that is not so, or when this memory system keeps no map (a copy): then walk
     * {@link #forEachHeldBlock}, which shows every entry, twice-held ones twice.
     */
    public long[] ledgerPages() {
        if (ledgerBits == null || ledgerBroken || !ledgerExtra.isEmpty() || ledgerMisplaced != 0
            || ledgerLru != (long) fileClean.size() + fileDirty.size() + anonLru.size()) {
            return null;
        }
        long blocks = 0;
        for (Held d : handles.values()) {
            blocks += d.size;
        }
        return blocks == ledgerBlocks ? ledgerBits : null;
    }

    public AllocAttempt lastAttempt() {
        return lastAttempt;
    }

    /** The events of the last step. */
    public List<MmEvent> events() {
        return List.copyOf(events);
    }

    /**
     * The events of the last step without a copy: a read-only view that the next step overwrites (for the properties,
     * which read it right after the step). Random access: the properties index it rather than take an iterator, an
     * object per property and step.
     */
    public List<MmEvent> stepEvents() {
        return eventsView;
    }

    private final List<MmEvent> eventsView = java.util.Collections.unmodifiableList(events);

    /** Node-wide counters for snapshots and statistics. */
    public record NodeCounters(long fileClean, long fileDirty, long fileWriteback, long anon, long swapUsed,
                               long swapTotal, long oomKills, long kswapdRuns, long compactions, long reclaimed,
                               int kswapdFailures, boolean kswapdPending) {
    }

    public NodeCounters counters() {
        long clean = fileClean.size();
        long dirty = 0;
        long wb = 0;
        for (LruPage p : fileDirty) {
            if (p.state == FileState.DIRTY) {
                dirty++;
            } else {
                wb++;
            }
        }
        return new NodeCounters(clean, dirty, wb, anonLru.size(), swapUsed, swapTotal, oomKills, kswapdRuns,
            compactions, reclaimedPages, kswapd.failures, kswapd.pendingOrder >= 0);
    }

    /**
     * {@link #isMovableAllocatedPage} as the allocator's oracle: a plain object, where a method reference built at
     * every construction (every fuzz run) went through a method handle and showed in profiles.
     */
    private static final class MovablePageOracle implements java.util.function.LongPredicate {
        private final MemorySystem ms;

        MovablePageOracle(MemorySystem ms) {
            this.ms = ms;
        }

        @Override
        public boolean test(long pfn) {
            return ms.isMovableAllocatedPage(pfn);
        }
    }

    boolean isMovableAllocatedPage(long pfn) {
        if (isLruPage(pfn)) {
            return true;
        }
        // the nearest head at or below pfn (a TreeMap floorEntry), looked for only as far as a held block reaches
        long low = Math.max(0, pfn - (1L << maxHeldOrder) + 1);
        for (long p = Math.min(pfn, byPfn.length - 1L); p >= low; p--) {
            Allocation a = byPfn[(int) p];
            if (a != null) {
                return pfn < p + (1L << a.order()) && a.migratetype() == MigrateType.MOVABLE;
            }
        }
        return false;
    }

    /** Grows the pfn-indexed arrays to cover {@code pfn} (only an allocator handing out pfns beyond its zones). */
    private void cover(long pfn) {
        if (pfn >= byPfn.length) {
            ledgerVersion++;
            heldChanged();
            for (LruTrack t : lruTrack) {
                t.changed();
            }
            int n = (int) Math.max(pfn + 1, byPfn.length * 2L);
            byPfn = java.util.Arrays.copyOf(byPfn, n);
            lruByPfn = java.util.Arrays.copyOf(lruByPfn, n);
            if (ledgerBits != null) {
                ledgerBits = java.util.Arrays.copyOf(ledgerBits, (n + 63) >>> 6);
            }
        }
    }

    int zoneOf(long pfn) {
        int zone = 0;
        for (int z = 0; z < config.zones().size(); z++) {
            if (pfn >= allocator.zoneStartPfn(z)) {
                zone = z;
            }
        }
        return zone;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // steps

    /** Executes one step and returns its result text. */
    public String apply(Op op) {
        repeat.disarm();
        events.clear();
        killedThisStep.clear();
        panicThisStep = false;
        loopThisStep = false;
        String base;
        if (op instanceof Op.Alloc a) {
            base = alloc(a);
        } else if (op instanceof Op.Free f) {
            base = free(f);
        } else if (op instanceof Op.Drain) {
            allocator.drainAllPages();
            base = "done";
        } else if (op instanceof Op.Cache c) {
            base = cache(c.pages(), c.cpu(), c.dirty(), false);
        } else if (op instanceof Op.CacheInterleaved ci) {
            base = cache(2 * ci.pairs(), ci.cpu(), false, true);
        } else if (op instanceof Op.Writeback w) {
            base = writeback(w.pages());
        } else if (op instanceof Op.Anon an) {
            base = anon(an);
        } else if (op instanceof Op.Exit e) {
            Task t = tasks.get(e.task());
            if (t == null || t.dead) {
                base = "done";
            } else {
                releaseTask(t);
                t.dead = true;
                base = "done";
            }
        } else if (op instanceof Op.Kswapd) {
            base = kswapd.run() ? "done" : "idle";
        } else if (op instanceof Op.Compact c) {
            base = compaction.kcompactd(c.order()) ? "done" : "idle";
        } else if (op instanceof Op.Sysctl s) {
            base = sysctl(s);
        } else {
            throw new IllegalStateException("unknown op " + op);
        }
        collectBoostWakeups();
        if (killedThisStep.isEmpty() && !loopThisStep && !panicThisStep) {
            return base;
        }
        return withSuffix(base);
    }

    private String withSuffix(String base) {
        StringBuilder sb = new StringBuilder(base);
        if (!killedThisStep.isEmpty()) {
            sb.append(" oom-kill=");
            for (int i = 0; i < killedThisStep.size(); i++) {
                sb.append(i == 0 ? "" : ",").append(killedThisStep.get(i));
            }
        }
        if (loopThisStep) {
            sb.append(" loop");
        }
        if (panicThisStep) {
            sb.append(" panic");
        }
        return sb.toString();
    }

    /** 5.0+: an allocation that boosted a zone wakes kswapd for order 0 (§5.1). */
    private void collectBoostWakeups() {
        for (int z = 0; z < config.zones().size(); z++) {
            if (allocator.takeKswapdWakeRequest(z)) {
                kswapd.wake(0, z);
            }
        }
    }

    /**
     * A step's repeated failures (§7.5: a GFP_ATOMIC burst on an exhausted zone, page-cache reads that reclaim can no
     * longer serve). A failed request that changed nothing any request reads — the allocator's lists, counters,
     * types and boost, the held pages, the LRU lists (order, dirty and writeback state), kswapd's pending wakeup,
     * failure count and kcompactd order, compaction's last result, the step's OOM kills and its loop mark (a panic
     * ends the step) — ends in the state it started from, up to statistics (kswapd's wakeup count, the compaction
     * and reclaim counts) and the boosted-zone wake flag, which moves once. The next request of the step with the
     * same context therefore runs exactly as it did: it fails, adds the same events and counts the same statistics,
     * and so does every later one. So after a failure the state is noted ({@link #arm}); when the next request with
     * the same context also fails and leaves the state as noted ({@link #quiet}), the rest of the step's requests are
     * accounted ({@link #replay}) instead of run. A shortcut, not a rule, as {@link SlowPath}'s fixed-point
     * fast-forward; {@link SlowPath#NO_FAST_FORWARD} turns both off, and the equivalence tests compare every step's
     * state with and without.
     */
    private final class FailureRepeat {
        private final boolean enabled;
        private boolean armed;
        private AllocContext ac;
        private long mods;
        private long ledger;
        private long lru;
        private long boost;
        private int pendingOrder;
        private int pendingClasszone;
        private int kswapdFailures;
        private int kcompactdOrder;
        private Compaction.Result compactResult;
        private int kills;
        private boolean loop;
        private int events;
        private long wakeups;
        private long compactionCount;
        private long reclaimed;

        FailureRepeat(boolean enabled) {
            this.enabled = enabled;
        }

        /**
         * Forgets the noted state at a new step. A request that succeeds between two failures needs no call: it enters
         * its page in the ledger (or, its task dead, gives it back to the allocator), so {@link #quiet} fails.
         */
        void disarm() {
            armed = false;
        }

        /**
         * After a failed request with context {@code c} and {@code remaining} more in its step: the number of them
         * accounted without running them (the step's loop ends), or -1 when the next one is to run.
         */
        int afterFailure(AllocContext c, int remaining) {
            if (quiet(c)) {
                replay(remaining);
                return remaining;
            }
            arm(c);
            return -1;
        }

        /** Notes the state after a failed request with context {@code c}. */
        private void arm(AllocContext c) {
            if (!enabled) {
                return;
            }
            mods = allocator.modifications();
            if (mods < 0) {
                armed = false; // an allocator that counts no changes
                return;
            }
            armed = true;
            ac = c;
            ledger = ledgerVersion;
            lru = lruVersions();
            boost = boostSum();
            pendingOrder = kswapd.pendingOrder;
            pendingClasszone = kswapd.pendingClasszone;
            kswapdFailures = kswapd.failures;
            kcompactdOrder = kswapd.kcompactdOrder;
            compactResult = compaction.lastResult;
            kills = killedThisStep.size();
            loop = loopThisStep;
            events = MemorySystem.this.events.size();
            wakeups = kswapd.wakeups;
            compactionCount = compactions;
            reclaimed = reclaimedPages;
        }

        /** After another failed request with context {@code c}: whether it left the state as noted. */
        private boolean quiet(AllocContext c) {
            return armed && c == ac && !panicThisStep && allocator.modifications() == mods && ledgerVersion == ledger
                && lruVersions() == lru && boostSum() == boost && kswapd.pendingOrder == pendingOrder
                && kswapd.pendingClasszone == pendingClasszone && kswapd.failures == kswapdFailures
                && kswapd.kcompactdOrder == kcompactdOrder && compaction.lastResult == compactResult
                && killedThisStep.size() == kills && loopThisStep == loop;
        }

        /** Accounts {@code n} more runs of the request just made: its events and statistics, n times. */
        private void replay(int n) {
            armed = false;
            if (n <= 0) {
                return;
            }
            List<MmEvent> made = List.copyOf(MemorySystem.this.events.subList(events, MemorySystem.this.events.size()));
            for (int k = 0; k < n; k++) {
                MemorySystem.this.events.addAll(made);
            }
            kswapd.wakeups += (kswapd.wakeups - wakeups) * n;
            compactions += (compactions - compactionCount) * n;
            reclaimedPages += (reclaimedPages - reclaimed) * n;
        }

        private long lruVersions() {
            return lruTrack[0].version + lruTrack[1].version + lruTrack[2].version;
        }

        private long boostSum() {
            long b = 0;
            for (int z = 0; z < config.zones().size(); z++) {
                b += allocator.watermarkBoost(z);
            }
            return b;
        }
    }

    private String alloc(Op.Alloc a) {
        GfpMask gfp = resolve(a.gfp());
        Task task = tasks.get(a.task());
        Held held = handles.get(a.handle());
        if (held == null) {
            held = spareHeld != null ? spareHeld : new Held(a.count());
            spareHeld = null;
            handles.put(a.handle(), held);
            if (appendedHandle == null) {
                appendedHandle = a.handle(); // copyFrom may take it back
            } else {
                heldAppendOnly = false;
            }
            heldVersion++;
        } else {
            heldChanged();
        }
        int ok = 0;
        int fail = 0;
        AllocContext ac = null;
        for (int i = 0; i < a.count(); i++) {
            if (task != null && task.dead) {
                fail += a.count() - i; // a killed task allocates nothing more
                break;
            }
            if (ac == null || ac.oomVictim() != (task != null && task.oomVictim)) {
                ac = context(gfp, a.order(), a.context(), a.cpu(), task == null ? null : task.spec);
            }
            current = a.context().inInterrupt() ? null : task;
            long pfn = allocate(ac);
            if (pfn >= 0) {
                Allocation al = new Allocation(pfn, a.order(), attemptZone, ac.migratetype(), a.task());
                held.addLast(al);
                cover(pfn);
                byPfn[(int) pfn] = al;
                ledgerBlock(al, 1);
                maxHeldOrder = Math.max(maxHeldOrder, a.order());
                ok++;
            } else {
                fail++;
                int accounted = repeat.afterFailure(ac, a.count() - i - 1);
                if (accounted >= 0) {
                    fail += accounted;
                    break;
                }
            }
            if (panicThisStep) {
                fail += a.count() - i - 1;
                break;
            }
        }
        publishAttempt();
        return ResultText.of(ok, fail);
    }

    private String free(Op.Free f) {
        Held held = handles.get(f.handle());
        if (held == null || held.size == 0) {
            return "done";
        }
        int n = f.count() == 0 ? held.size : Math.min(f.count(), held.size);
        heldChanged();
        for (int i = 0; i < n; i++) {
            Allocation al = held.pollLast();
            byPfn[(int) al.pfn()] = null;
            ledgerBlock(al, -1);
            allocator.freePages(al.pfn(), al.order(), f.cpu());
        }
        return "done";
    }

    private static final Gfp MAPPING_GFP = Gfp.parse("GFP_HIGHUSER_MOVABLE");

    /**
     * The last GFP expressions resolved under this preset's layout (a memo of a pure function: the ops reuse few), by
     * value; a memory system built by {@link #reusing} starts with its predecessor's when the layout is the same (a
     * fuzz input's trace spells the same few expressions as the last one, in objects of its own).
     */
    private final Gfp[] resolvedGfp = new Gfp[4];
    private final GfpMask[] resolvedMask = new GfpMask[4];

    private GfpMask resolve(Gfp gfp) {
        for (int i = 0; i < resolvedGfp.length; i++) {
            Gfp g = resolvedGfp[i];
            if (g == gfp || (g != null && sameNames(g, gfp))) {
                return resolvedMask[i];
            }
        }
        GfpMask m = gfp.resolve(policy.gfpLayout());
        System.arraycopy(resolvedGfp, 0, resolvedGfp, 1, resolvedGfp.length - 1);
        System.arraycopy(resolvedMask, 0, resolvedMask, 1, resolvedMask.length - 1);
        resolvedGfp[0] = gfp;
        resolvedMask[0] = m;
        return m;
    }

    /** {@code a.equals(b)} for GFP expressions (the same names in order), without an iterator per comparison. */
    private static boolean sameNames(Gfp a, Gfp b) {
        List<String> x = a.names();
        List<String> y = b.names();
        if (x.size() != y.size()) {
            return false;
        }
        for (int i = 0; i < x.size(); i++) {
            if (!x.get(i).equals(y.get(i))) {
                return false;
            }
        }
        return true;
    }

    /** Page-cache pages: all clean, all dirty, or (interleaved) clean and dirty alternating, clean first. */
    private String cache(int pages, int cpu, boolean dirty, boolean interleaved) {
        GfpMask gfp = resolve(MAPPING_GFP);
        int ok = 0;
        int fail = 0;
        AllocContext ac = context(gfp, 0, Context.PROCESS, cpu, null); // no task: the same for every page
        for (int i = 0; i < pages; i++) {
            current = null;
            long pfn = allocate(ac);
            if (pfn >= 0) {
                boolean pageDirty = interleaved ? (i & 1) == 1 : dirty;
                addLru(new LruPage(pfn, attemptZone, false, 0, pageDirty ? FileState.DIRTY : FileState.CLEAN), false);
                ok++;
            } else {
                fail++;
                int accounted = repeat.afterFailure(ac, pages - i - 1);
                if (accounted >= 0) {
                    fail += accounted;
                    break;
                }
            }
            if (panicThisStep) {
                fail += pages - i - 1;
                break;
            }
        }
        publishAttempt();
        return ResultText.of(ok, fail);
    }

    private String anon(Op.Anon an) {
        Task t = tasks.get(an.task());
        GfpMask gfp = resolve(MAPPING_GFP);
        int ok = 0;
        int fail = 0;
        AllocContext ac = null;
        for (int i = 0; i < an.pages(); i++) {
            if (t.dead) {
                fail += an.pages() - i;
                break;
            }
            if (ac == null || ac.oomVictim() != t.oomVictim) {
                ac = context(gfp, 0, Context.PROCESS, an.cpu(), t.spec);
            }
            current = t;
            long pfn = allocate(ac);
            if (pfn >= 0 && !t.dead) {
                addLru(new LruPage(pfn, attemptZone, true, t.spec.id(), FileState.CLEAN), false);
                t.rss++;
                ok++;
            } else if (pfn >= 0) {
                allocator.freePages(pfn, 0, an.cpu()); // the task died while faulting: the page goes back
                fail++;
            } else {
                fail++;
                int accounted = repeat.afterFailure(ac, an.pages() - i - 1);
                if (accounted >= 0) {
                    fail += accounted;
                    break;
                }
            }
            if (panicThisStep) {
                fail += an.pages() - i - 1;
                break;
            }
        }
        publishAttempt();
        return ResultText.of(ok, fail);
    }

    /**
     * The flusher: the N oldest dirty or under-writeback pages are written and become clean; they go to the old end of
     * the clean list, where reclaim takes them next (rotate_reclaimable_page).
     */
    private String writeback(int pages) {
        lruTrack[0].changed();
        lruTrack[1].changed();
        int done = 0;
        java.util.List<LruPage> written = new ArrayList<>();
        while (!fileDirty.isEmpty() && (pages == 0 || done < pages)) {
            LruPage p = fileDirty.pollFirst();
            if (p.state == FileState.DIRTY) {
                dirtyDone(p);
            }
            p.state = FileState.CLEAN;
            nrFileClean[p.zone]++;
            written.add(p);
            done++;
        }
        for (int i = written.size() - 1; i >= 0; i--) {
            fileClean.addFirst(written.get(i));
        }
        return "done";
    }

    /**
     * Per zone, the pages on {@link #fileDirty} still DIRTY (not yet under writeback), so that reclaim stops walking
     * the list once none is left; null means "not known" (a copy fills the lists directly) and is recounted on use.
     */
    private long[] nrDirtyState;

    /** Pages on the dirty list, in zones up to {@code maxZone}, still DIRTY (reclaim may start their writeback). */
    long dirtyPages(int maxZone) {
        if (nrDirtyState == null) {
            long[] n = new long[config.zones().size()];
            for (LruPage p : fileDirty) {
                if (p.state == FileState.DIRTY) {
                    n[p.zone]++;
                }
            }
            nrDirtyState = n;
        }
        long sum = 0;
        for (int z = 0; z <= maxZone && z < nrDirtyState.length; z++) {
            sum += nrDirtyState[z];
        }
        return sum;
    }

    /** A page on the dirty list leaves the DIRTY state (writeback started, or written). */
    void dirtyDone(LruPage p) {
        lruTrack[1].changed();
        if (nrDirtyState != null) {
            nrDirtyState[p.zone]--;
        }
    }

    /** Puts a page on its LRU list (at the young end, or the old end) and counts it. */
    void addLru(LruPage p, boolean oldEnd) {
        if (oldEnd) {
            lruTrack[lruList(p)].changed();
        } else {
            lruTrack[lruList(p)].version++; // an append: copyFrom may take it back
        }
        cover(p.pfn);
        lruByPfn[(int) p.pfn] = p;
        ledgerPage(p.pfn, 1);
        ledgerLru++;
        if (!p.anon && p.state == FileState.DIRTY && nrDirtyState != null) {
            nrDirtyState[p.zone]++;
        }
        Deque<LruPage> list = p.anon ? anonLru : p.state == FileState.CLEAN ? fileClean : fileDirty;
        if (oldEnd) {
            list.addFirst(p);
        } else {
            list.addLast(p);
        }
        if (p.anon) {
            nrAnon[p.zone]++;
        } else {
            nrFile[p.zone]++;
            if (p.state == FileState.CLEAN) {
                nrFileClean[p.zone]++;
            }
        }
    }

    /** Uncounts a page that its caller has taken off its LRU deque, and frees it. */
    void dropLru(LruPage p) {
        lruTrack[lruList(p)].changed();
        lruByPfn[(int) p.pfn] = null;
        ledgerPage(p.pfn, -1);
        ledgerLru--;
        if (p.anon) {
            nrAnon[p.zone]--;
        } else {
            nrFile[p.zone]--;
            if (p.state == FileState.CLEAN) {
                nrFileClean[p.zone]--;
            }
        }
        allocator.freePages(p.pfn, 0, 0);
    }

    private String sysctl(Op.Sysctl s) {
        var t = allocator.tunables();
        t = switch (s.name()) {
            case "min_free_kbytes" -> t.withMinFreeKbytes(s.value());
            case "watermark_scale_factor" -> t.withWatermarkScaleFactor(s.value());
            case "watermark_boost_factor" -> t.withWatermarkBoostFactor(s.value());
            case "zone_reclaim_mode" -> t.withZoneReclaimMode(s.value());
            default -> throw new IllegalStateException(s.name());
        };
        allocator.setTunables(t);
        return "done";
    }

    /** Frees a task's anonymous pages and swap entries (exit, or the OOM reaper). Returns pages freed. */
    long releaseTask(Task t) {
        // one pass to find the task's pages, one bulk removal, then free them in LRU order (removing each from the
        // middle of the deque would move the rest every time)
        int id = t.spec.id();
        List<LruPage> gone = new ArrayList<>();
        for (LruPage p : anonLru) {
            if (p.task == id) {
                gone.add(p);
            }
        }
        if (!gone.isEmpty()) {
            lruTrack[2].changed();
            anonLru.removeIf(p -> p.task == id);
        }
        for (LruPage p : gone) {
            dropLru(p);
        }
        long freed = gone.size();
        swapUsed -= t.swapEntries;
        t.swapEntries = 0;
        t.rss = 0;
        return freed;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // allocation

    /** Builds the allocation context of a request (gfp_zone, gfp_migratetype, caller state). */
    public AllocContext context(GfpMask gfp, int order, Context ctx, int cpu, TaskSpec task) {
        int highest = config.highestZoneAtMost(config.gfpZone(gfp));
        MigrateType mt = mobilityDisabled ? MigrateType.UNMOVABLE : gfp.migratetype();
        boolean rt = task != null && task.rt();
        boolean victim = task != null && tasks.containsKey(task.id()) && tasks.get(task.id()).oomVictim;
        return new AllocContext(gfp, order, mt, highest, ctx, cpu, rt, victim);
    }

    /** The task on whose behalf the current allocation runs, or null (kernel context, interrupts). */
    Task current;

    /**
     * {@code __alloc_pages}: the fast path at the low watermark, then the slow path (§3.2, §7.1). Returns the pfn (or
     * -1) and leaves the attempt's zone, path and flags in the {@code attempt*} fields, for {@link #publishAttempt} at
     * the end of the step.
     */
    private long allocate(AllocContext ac) {
        if (ac.order() >= config.maxOrder() || ac.highestZone() < 0) {
            return attempted(-1, false, 0); // order above MAX_ORDER, or no zone the request may use
        }
        int flags = AllocFlagRules.fastPathFlags(policy, ac.gfp());
        if (policy.noFragment() && preferredIsNormalWithDma32(ac)) {
            flags |= AllocFlags.NOFRAGMENT; // alloc_flags_nofragment, 5.1+
        }
        long pfn = getPage(ac, flags);
        if (pfn >= 0) {
            return attempted(pfn, false, flags);
        }
        return slowPath.run(ac);
    }

    /** Records the outcome of the request in progress (its zone looked up from the pfn) and returns the pfn. */
    long attempted(long pfn, boolean slow, int flags) {
        attemptPfn = pfn;
        attemptZone = pfn >= 0 ? zoneOf(pfn) : -1;
        attemptSlowPath = slow;
        attemptFlags = flags;
        attemptPending = true;
        return pfn;
    }

    /** The step's last request, if it made one, becomes {@link #lastAttempt()}. */
    private void publishAttempt() {
        if (attemptPending) {
            lastAttempt = new AllocAttempt(attemptPfn, attemptZone, attemptSlowPath, attemptFlags);
            attemptPending = false;
        }
    }

    /**
     * get_page_from_freelist, with node reclaim (zone_reclaim_mode, §8.3): walking the zonelist, a zone that fails
     * its watermark gets a node reclaim before the walk moves on to the next (lower) zone, and is used if it then
     * passes. So with zone_reclaim_mode=1 a blocking request reclaims clean page cache rather than spill into DMA
     * (the real 6.1 kernel does: issue 4's seed-003 conformance check).
     */
    long getPage(AllocContext ac, int flags) {
        int mode = allocator.tunables().zoneReclaimMode();
        if (mode == 0 || (flags & AllocFlags.NO_WATERMARKS) != 0 || !ac.gfp().canDirectReclaim()) {
            // noscan for requests that cannot block (§8.3)
            return allocator.getPageFromFreelist(ac, flags);
        }
        int wmark = AllocFlags.wmarkIndex(flags);
        for (int z = ac.highestZone(); z >= 0; z--) {
            if (allocator.zones().get(z).managedPages() == 0) {
                continue;
            }
            long mark = allocator.watermarks(z).mark(wmark);
            if (allocator.zoneWatermarkOk(z, ac.order(), mark, ac.highestZone(), flags)) {
                break; // the allocator's own walk reaches this zone first: the zones above it failed and stay so
            }
            if (nodeReclaimFull(mode)) {
                continue;
            }
            // at least max(2^order, SWAP_CLUSTER_MAX) pages; bit 2 lets it write dirty pages, bit 4 unmap (swap)
            long target = Math.max(1L << ac.order(), SWAP_CLUSTER_MAX);
            long got = Reclaim.shrink(this, ac.highestZone(), target, false, (mode & 2) != 0, (mode & 4) != 0);
            if (got > 0 && allocator.zoneWatermarkOk(z, ac.order(), mark, ac.highestZone(), flags)) {
                break;
            }
        }
        return allocator.getPageFromFreelist(ac, flags);
    }

    /**
     * node_reclaim's "full" answer (§8.3): the reclaimable page cache (unmapped file pages; dirty ones only when bit 2
     * allows writing) is at most min_unmapped_ratio (1 %) of the node's pages. The model has no slab.
     */
    private boolean nodeReclaimFull(int mode) {
        long managed = 0;
        for (var z : allocator.zones()) {
            managed += z.managedPages();
        }
        long reclaimable = fileClean.size() + ((mode & 2) != 0 ? fileDirty.size() : 0);
        return reclaimable <= managed * MIN_UNMAPPED_RATIO / 100;
    }

    /** vm.min_unmapped_ratio, default 1 (percent of the node's pages). */
    static final int MIN_UNMAPPED_RATIO = 1;

    private boolean preferredIsNormalWithDma32(AllocContext ac) {
        List<ZoneSpec> zones = config.zones();
        if (zones.get(ac.highestZone()).type() != ZoneType.NORMAL) {
            return false;
        }
        if (hasDma32 == 0) { // the zones never change: looked up once (a stream per request showed in profiles)
            hasDma32 = zones.stream().anyMatch(z -> z.type() == ZoneType.DMA32 && z.managedPages() > 0) ? 1 : -1;
        }
        return hasDma32 > 0;
    }

    /** The number of pages in {@link #ledgerPages()} (its set bits), when that is not null. */
    public long ledgerPageCount() {
        return ledgerSet;
    }

    /** Whether the node has a populated DMA32 zone: 0 not known yet, 1 yes, -1 no. */
    private int hasDma32;

    /** Moves an LRU page to a new pfn (compaction's migration); the old page is freed by the caller. */
    void migrateLruPage(long from, long to) {
        LruPage p = lruByPfn[(int) from];
        lruTrack[lruList(p)].changed();
        lruByPfn[(int) from] = null;
        p.pfn = to;
        cover(to);
        lruByPfn[(int) to] = p;
        ledgerPage(from, -1);
        ledgerPage(to, 1);
    }

    boolean isLruPage(long pfn) {
        return pfn >= 0 && pfn < lruByPfn.length && lruByPfn[(int) pfn] != null;
    }

    /** Whether the LRU page at pfn may be migrated by compaction (pages under writeback may not). */
    boolean isMigratable(long pfn, boolean async) {
        LruPage p = isLruPage(pfn) ? lruByPfn[(int) pfn] : null;
        if (p == null) {
            return false;
        }
        if (p.state == FileState.WRITEBACK) {
            return false;
        }
        return !(async && p.state == FileState.DIRTY && !p.anon); // async migration skips dirty file pages
    }

    // ---------------------------------------------------------------------------------------------------------------
    // state capture for properties

    /** LRU pages reclaim could take from a zone: file pages, plus anon while swap has room (§7.2). */
    long reclaimable(int zone) {
        return nrFile[zone] + (swapUsed < swapTotal ? nrAnon[zone] : 0);
    }

    long cleanFile(int zone) {
        return nrFileClean[zone];
    }

    long anonPages(int zone) {
        return nrAnon[zone];
    }

    long writePending(int zone) {
        return nrFile[zone] - nrFileClean[zone];
    }

    /** Every zone's state at a decision, for an event (an immutable list; a failed request takes one). */
    List<MmEvent.ZoneState> zoneStates(int classzone) {
        int nz = config.zones().size();
        if (nz == 1) {
            return List.of(zoneState(0, classzone));
        }
        MmEvent.ZoneState[] out = new MmEvent.ZoneState[nz];
        for (int z = 0; z < nz; z++) {
            out[z] = zoneState(z, classzone);
        }
        return List.of(out);
    }

    private MmEvent.ZoneState zoneState(int z, int classzone) {
        // largest order on a U/M/E list (2.6.32's MIGRATE_RESERVE is a last-resort list anyone may use), and on any
        int[] largestOrders = allocator.largestFreeOrders(z);
        int largest = largestOrders[0];
        int largestAny = largestOrders[1];
        var w = allocator.watermarks(z);
        long clean = cleanFile(z);
        long anon = swapUsed < swapTotal ? anonPages(z) : 0;
        return new MmEvent.ZoneState(z, allocator.nrFreePages(z), w.min(), w.high(),
            w.lowmemReserve(Math.max(classzone, 0)), allocator.nrFreeHighatomic(z), allocator.nrReservedHighatomic(z),
            clean, reclaimable(z), clean + Math.min(anon, swapTotal - swapUsed), largest, largestAny);
    }

    // ---------------------------------------------------------------------------------------------------------------

    /** Handles that still hold blocks, and how many. */
    public Map<String, Integer> liveHandles() {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (Entry<String, Held> e : handles.entrySet()) {
            if (e.getValue().size > 0) {
                m.put(e.getKey(), e.getValue().size);
            }
        }
        return m;
    }

    // ---- state copy and fingerprint, for the bounded model checker (properties.explore) --------------------------

    /**
     * The names of the handles that still hold blocks, in {@link #liveHandles()} order, into {@code out} (grown when
     * too small); returns the array, the count in {@code count[0]}. The model checker's free moves, without a map.
     */
    public String[] liveHandleNames(String[] out, int[] count) {
        String[] names = out.length < handles.size() ? new String[handles.size()] : out;
        int n = 0;
        for (Entry<String, Held> e : handles.entrySet()) {
            if (e.getValue().size > 0) {
                names[n++] = e.getKey();
            }
        }
        count[0] = n;
        return names;
    }

    /**
     * A deep copy of the memory system and its allocator (the reference or the optimized one): handles, LRU lists in
     * LRU order, per-zone counters, swap, tasks, kswapd and compaction state, statistics. The copy evolves
     * independently; applying the same ops to both gives the same results.
     */
    public MemorySystem copy() {
        return new MemorySystem(this, allocator.copy());
    }

    /** The copy constructor of {@link #copy()}: fields copied directly, nothing recomputed from the config. */
    private MemorySystem(MemorySystem o, PageAllocator ra) {
        this.allocator = ra;
        this.policy = o.policy;
        this.config = o.config;
        for (Task from : o.tasks.values()) {
            Task to = new Task(from.spec);
            to.rss = from.rss;
            to.swapEntries = from.swapEntries;
            to.dead = from.dead;
            to.oomVictim = from.oomVictim;
            tasks.put(from.spec.id(), to);
        }
        indexTasks();
        this.swapTotal = o.swapTotal;
        this.nrFile = o.nrFile.clone();
        this.nrFileClean = o.nrFileClean.clone();
        this.nrAnon = o.nrAnon.clone();
        this.nrDirtyState = o.nrDirtyState == null ? null : o.nrDirtyState.clone();
        this.mobilityDisabled = o.mobilityDisabled;
        this.hasDma32 = o.hasDma32;
        for (Entry<String, Held> e : o.handles.entrySet()) {
            Held h = new Held(e.getValue().size);
            h.copyFrom(e.getValue());
            handles.put(e.getKey(), h);
        }
        this.byPfn = o.byPfn.clone(); // allocations are immutable records
        this.maxHeldOrder = o.maxHeldOrder;
        this.heldHash = o.heldHash;
        this.heldHashCount = o.heldHashCount;
        this.heldHashVersion = o.heldHashVersion == o.heldVersion ? 0 : -1;
        // the pfn index is rebuilt from the lists (between steps it holds exactly their pages)
        this.lruByPfn = new LruPage[o.lruByPfn.length];
        copyLru(o.fileClean, fileClean);
        copyLru(o.fileDirty, fileDirty);
        copyLru(o.anonLru, anonLru);
        for (int i = 0; i < lruTrack.length; i++) {
            lruTrack[i].takeHash(o.lruTrack[i]);
        }
        this.swapUsed = o.swapUsed;
        this.lastAttempt = o.lastAttempt;
        this.current = o.current == null ? null : taskList[o.current.index];
        this.oomKills = o.oomKills;
        this.kswapdRuns = o.kswapdRuns;
        this.compactions = o.compactions;
        this.reclaimedPages = o.reclaimedPages;
        ra.setMovablePageOracle(this::isMovableAllocatedPage);
        this.kswapd = new Kswapd(this);
        this.compaction = new Compaction(this);
        this.oomKiller = new OomKiller(this);
        this.slowPath = new SlowPath(this);
        this.repeat = new FailureRepeat(slowPath.fastForward);
        copyDaemonState(o);
        copyLedgerMap(o);
    }

    /** kswapd's pending wakeup, failures and counters, and compaction's last result, from {@code src}. */
    private void copyDaemonState(MemorySystem src) {
        kswapd.pendingOrder = src.kswapd.pendingOrder;
        kswapd.pendingClasszone = src.kswapd.pendingClasszone;
        kswapd.failures = src.kswapd.failures;
        kswapd.kcompactdOrder = src.kswapd.kcompactdOrder;
        kswapd.wakeups = src.kswapd.wakeups;
        compaction.lastResult = src.compaction.lastResult;
    }

    /**
     * Makes this memory system's state equal to {@code src}'s, as {@link #copy()} would, reusing this one's arrays and
     * objects (the model checker's per-transition copy; the step-local event lists are cleared). Both must run the
     * same allocator implementation (reference or optimized) with the same policy, node config and tasks.
     */
    public void copyFrom(MemorySystem src) {
        if (src == this) {
            return;
        }
        if (taskList.length != src.taskList.length || swapTotal != src.swapTotal) {
            throw new IllegalArgumentException("copyFrom needs the same tasks and swap");
        }
        allocator.copyStateFrom(src.allocator);
        for (int i = 0; i < taskList.length; i++) {
            Task t = src.taskList[i];
            Task to = taskList[i];
            if (to.spec.id() != t.spec.id()) {
                throw new IllegalArgumentException("copyFrom needs the same tasks");
            }
            to.rss = t.rss;
            to.swapEntries = t.swapEntries;
            to.dead = t.dead;
            to.oomVictim = t.oomVictim;
        }
        for (int z = 0; z < nrFile.length; z++) { // a zone or few: a loop, not an arraycopy call per array
            nrFile[z] = src.nrFile[z];
            nrFileClean[z] = src.nrFileClean[z];
            nrAnon[z] = src.nrAnon[z];
        }
        if (src.nrDirtyState == null) {
            nrDirtyState = null;
        } else if (nrDirtyState == null) {
            nrDirtyState = src.nrDirtyState.clone();
        } else {
            for (int z = 0; z < nrDirtyState.length; z++) {
                nrDirtyState[z] = src.nrDirtyState[z];
            }
        }
        hasDma32 = src.hasDma32;
        if (byPfn.length != src.byPfn.length || lruByPfn.length != src.lruByPfn.length) {
            byPfn = new Allocation[src.byPfn.length];
            lruByPfn = new LruPage[src.lruByPfn.length];
            fileClean.clear(); // rebuilt below, with the new index
            fileDirty.clear();
            anonLru.clear();
            heldChanged();
            for (LruTrack t : lruTrack) {
                t.changed();
            }
        }
        // the handle ledger and the LRU lists: skipped when this one was last copied from src and neither changed
        boolean sameSource = heldFrom == src && heldFromVersion == src.heldVersion;
        if (!sameSource || heldVersion != heldVersionAfterCopy) {
            if (sameSource && heldAppendOnly) {
                // only a new handle was added since the copy: take it back
                if (appendedHandle != null) {
                    Held h = handles.remove(appendedHandle);
                    for (int i = 0; i < h.size; i++) {
                        Allocation al = h.blocks[i];
                        if (byPfn[(int) al.pfn()] == al) {
                            byPfn[(int) al.pfn()] = null;
                        }
                    }
                    h.clear();
                    spareHeld = h;
                }
            } else {
                copyHandles(src);
                copyRefs(src.byPfn, byPfn, byPfn.length);
            }
            maxHeldOrder = src.maxHeldOrder;
            boolean hashed = src.heldHashVersion == src.heldVersion;
            heldVersion++;
            heldHash = src.heldHash;
            heldHashCount = src.heldHashCount;
            heldHashVersion = hashed ? heldVersion : -1;
            heldFrom = src;
            heldFromVersion = src.heldVersion;
            heldVersionAfterCopy = heldVersion;
        }
        heldAppendOnly = true;
        appendedHandle = null;
        copyLru(src, 0, src.fileClean, fileClean);
        copyLru(src, 1, src.fileDirty, fileDirty);
        copyLru(src, 2, src.anonLru, anonLru);
        swapUsed = src.swapUsed;
        lastAttempt = src.lastAttempt;
        current = src.current == null ? null : taskList[src.current.index];
        events.clear();
        killedThisStep.clear();
        panicThisStep = false;
        loopThisStep = false;
        oomKills = src.oomKills;
        kswapdRuns = src.kswapdRuns;
        compactions = src.compactions;
        reclaimedPages = src.reclaimedPages;
        copyDaemonState(src);
        copyLedgerMap(src); // last: the take-back and rebuild above write byPfn and the lists, not the map
    }

    /**
     * Change counters of the handle ledger (with {@link #byPfn}) and of the LRU lists (with {@link #lruByPfn}): bumped
     * by every change, so that two moments of one memory system with the same counter hold the same ledger or lists.
     * {@link #copyFrom} skips a part that neither side changed since it last copied it from the same source.
     */
    private long heldVersion;
    /** Whether the ledger changed since the last copy only by {@link #appendedHandle}, a handle new to it (or null). */
    private boolean heldAppendOnly;
    private String appendedHandle;
    /** The last handle taken back by {@link #copyFrom}, reused by the next new handle. */
    private Held spareHeld;
    /** {@link #fingerprint}'s hash of the handle-held blocks and the number of non-empty handles in it. */
    private long heldHash;
    private int heldHashCount;
    private long heldHashVersion = -1;

    /** A change of the ledger that copyFrom cannot take back by removing a new handle. */
    private void heldChanged() {
        heldVersion++;
        heldAppendOnly = false;
    }
    private MemorySystem heldFrom;
    private long heldFromVersion;
    private long heldVersionAfterCopy = -1;

    /**
     * The copy and hash bookkeeping of one LRU list: its change counter, the memory system it was last copied from with
     * that one's counter then and this one's right after, {@link #fingerprint}'s hash of the list (valid while
     * {@code hashVersion == version}) and the hash chain it was finished from, and the page objects {@link #copyFrom}
     * reuses for it.
     */
    private static final class LruTrack {
        long version;
        /**
         * The list's pages folded in LRU order ({@link #lruChain}): the first {@code chainCount} pages of the list, as
         * long as {@code chainOk} (cleared by every change but an append), so that appended pages extend it.
         */
        long chain;
        int chainCount;
        boolean chainOk;
        /** Whether the list changed since the last copy only by pages appended at its young end, and its size then. */
        boolean appendOnly;
        int sizeAtCopy;
        MemorySystem from;
        long fromVersion;
        long afterCopy = -1;
        long hash;
        long hashVersion = -1;
        LruPage[] pool = new LruPage[0];

        /** A change that copyFrom cannot take back by dropping appended pages (nor the hash chain extend over). */
        void changed() {
            version++;
            appendOnly = false;
            chainOk = false;
        }

        /** The hash bookkeeping of {@code o}, whose list this one's now equals. */
        void takeHash(LruTrack o) {
            hash = o.hash;
            hashVersion = o.hashVersion == o.version ? version : -1;
            chain = o.chain;
            chainCount = o.chainCount;
            chainOk = o.chainOk;
        }
    }

    /** Bookkeeping of {@link #fileClean}, {@link #fileDirty} and {@link #anonLru}, in that order. */
    private final LruTrack[] lruTrack = {new LruTrack(), new LruTrack(), new LruTrack()};

    /** The index in {@link #lruTrack} of the list a page is on. */
    private static int lruList(LruPage p) {
        return p.anon ? 2 : p.state == FileState.CLEAN ? 0 : 1;
    }

    /**
     * LRU list {@code i} of {@code src} into {@code mine}: nothing to do when this one was last copied from src and
     * neither changed since; else the pages are rebuilt from the list's pool unless they are equal already.
     */
    private void copyLru(MemorySystem src, int i, Deque<LruPage> theirs, Deque<LruPage> mine) {
        LruTrack t = lruTrack[i];
        LruTrack st = src.lruTrack[i];
        boolean sameSource = t.from == src && t.fromVersion == st.version;
        if (sameSource && t.version == t.afterCopy) {
            return;
        }
        if (sameSource && t.appendOnly) {
            while (mine.size() > t.sizeAtCopy) {
                LruPage p = mine.pollLast();
                if (lruByPfn[(int) p.pfn] == p) {
                    lruByPfn[(int) p.pfn] = null;
                }
            }
        } else if (!sameLru(theirs, mine)) {
            for (LruPage p : mine) {
                if (lruByPfn[(int) p.pfn] == p) {
                    lruByPfn[(int) p.pfn] = null;
                }
            }
            mine.clear();
            reuseLru(theirs, mine, t);
        }
        t.version++;
        t.takeHash(st);
        t.from = src;
        t.fromVersion = st.version;
        t.afterCopy = t.version;
        t.appendOnly = true;
        t.sizeAtCopy = mine.size();
    }

    /**
     * The handle ledger of {@code src}, in its order: the block arrays of the leading handles whose names line up are
     * reused (a sibling state usually differs by a handle at the end), the rest rebuilt.
     */
    private void copyHandles(MemorySystem src) {
        var mine = handles.entrySet().iterator();
        var theirs = src.handles.entrySet().iterator();
        Entry<String, Held> e = null;
        while (theirs.hasNext()) {
            e = theirs.next();
            if (!mine.hasNext()) {
                break;
            }
            Entry<String, Held> m = mine.next();
            if (!m.getKey().equals(e.getKey())) {
                mine.remove();
                break;
            }
            m.getValue().copyFrom(e.getValue());
            e = null;
        }
        while (mine.hasNext()) {
            mine.next();
            mine.remove();
        }
        while (e != null) {
            Held h = new Held(e.getValue().size);
            h.copyFrom(e.getValue());
            handles.put(e.getKey(), h);
            e = theirs.hasNext() ? theirs.next() : null;
        }
    }

    /**
     * Copies {@code n} references, storing only those that differ: a sibling state shares most of them, and a store
     * costs a GC write barrier that a load does not.
     */
    private static <T> void copyRefs(T[] from, T[] to, int n) {
        for (int i = 0; i < n; i++) {
            T v = from[i];
            if (to[i] != v) {
                to[i] = v;
            }
        }
    }

    /** Whether two LRU lists hold equal pages in the same order (then {@link #copyFrom} keeps this one's). */
    private static boolean sameLru(Deque<LruPage> from, Deque<LruPage> mine) {
        if (from.size() != mine.size()) {
            return false;
        }
        var it = mine.iterator();
        for (LruPage p : from) {
            LruPage q = it.next();
            if (p.pfn != q.pfn || p.zone != q.zone || p.anon != q.anon || p.task != q.task || p.state != q.state) {
                return false;
            }
        }
        return true;
    }

    private void reuseLru(Deque<LruPage> from, Deque<LruPage> to, LruTrack t) {
        if (t.pool.length < from.size()) {
            t.pool = java.util.Arrays.copyOf(t.pool, Math.max(from.size(), t.pool.length * 2));
        }
        LruPage[] pool = t.pool;
        int used = 0;
        for (LruPage p : from) {
            LruPage q = pool[used];
            if (q == null) {
                q = new LruPage(p.pfn, p.zone, p.anon, p.task, p.state);
                pool[used] = q;
            } else {
                q.pfn = p.pfn;
                q.zone = p.zone;
                q.anon = p.anon;
                q.task = p.task;
                q.state = p.state;
            }
            used++;
            to.addLast(q);
            lruByPfn[(int) q.pfn] = q;
        }
    }

    private void copyLru(Deque<LruPage> from, Deque<LruPage> to) {
        for (LruPage p : from) {
            LruPage q = new LruPage(p.pfn, p.zone, p.anon, p.task, p.state);
            to.addLast(q);
            lruByPfn[(int) q.pfn] = q;
        }
    }

    /**
     * A 64-bit fingerprint of the state that decides future behaviour: the allocator's
     * ({@link ReferenceAllocator#fingerprint()}), the LRU lists in LRU order, swap, tasks, kswapd's pending wakeup
     * and failure count, compaction's last result, and the handle-held blocks as a multiset of per-handle block lists
     * (handle names are not part of the state: two states that differ only in which name holds which blocks are
     * one state up to renaming). Statistics (OOM kills, kswapd runs) are left out.
     */
    public long fingerprint() {
        if (!(allocator instanceof ReferenceAllocator ra)) {
            throw new UnsupportedOperationException("fingerprint() needs the reference allocator, got " + allocator);
        }
        long h = ra.fingerprint();
        h = ReferenceAllocator.mix(h, lruHash(0, fileClean));
        h = ReferenceAllocator.mix(h, lruHash(1, fileDirty));
        h = ReferenceAllocator.mix(h, lruHash(2, anonLru));
        h = ReferenceAllocator.mix(h, swapUsed);
        for (Task t : taskList) {
            h = ReferenceAllocator.mix(h, t.spec.id());
            h = ReferenceAllocator.mix(h, t.rss);
            h = ReferenceAllocator.mix(h, t.swapEntries);
            h = ReferenceAllocator.mix(h, (t.dead ? 1 : 0) | (t.oomVictim ? 2 : 0));
        }
        h = ReferenceAllocator.mix(h, (long) kswapd.pendingOrder << 32 | (kswapd.pendingClasszone & 0xffffffffL));
        h = ReferenceAllocator.mix(h, kswapd.failures);
        h = ReferenceAllocator.mix(h, (long) kswapd.kcompactdOrder << 32 | compaction.lastResult.ordinal());
        if (heldHashVersion != heldVersion) {
            // a multiset of per-handle hashes: their sum (finished hashes, so a sum collides as rarely as a list)
            long sum = 0;
            int n = 0;
            for (Held d : handles.values()) {
                if (d.size == 0) {
                    continue;
                }
                if (d.hashSize != d.size) {
                    d.hash = handleHash(d);
                    d.hashSize = d.size;
                }
                sum += d.hash;
                n++;
            }
            heldHash = sum;
            heldHashCount = n;
            heldHashVersion = heldVersion;
        }
        h = ReferenceAllocator.mix(h, heldHashCount);
        h = ReferenceAllocator.mix(h, heldHash);
        return ReferenceAllocator.finish(h);
    }

    private static long handleHash(Held d) {
        long hh = 0x5851F42D4C957F2DL;
        for (int i = 0; i < d.size; i++) {
            Allocation a = d.blocks[i];
            // pfn < 2^31, order < 32, zone < 8, migratetype < 16, task below 2^19 or escaped (bit 19) apart
            boolean small = (a.task() >>> 19) == 0;
            hh = ReferenceAllocator.mix(hh, a.pfn() << 32 | (long) a.order() << 27 | (long) a.zone() << 24
                | (long) a.migratetype().ordinal() << 20 | (small ? a.task() : 1 << 19));
            if (!small) {
                hh = ReferenceAllocator.mix(hh, a.task());
            }
        }
        return ReferenceAllocator.finish(hh);
    }

    /**
     * The hash of LRU list {@code i}: its pages folded in LRU order, then its tag and size. Cached until the list
     * changes; when it only had pages appended since, the fold goes on from where it stopped.
     */
    private long lruHash(int i, Deque<LruPage> list) {
        LruTrack t = lruTrack[i];
        if (t.hashVersion != t.version) {
            int n = list.size();
            if (t.chainOk && t.chainCount <= n) {
                t.chain = lruChainTail(t.chain, list, n - t.chainCount);
            } else {
                t.chain = 0x6A09E667F3BCC909L;
                for (LruPage p : list) {
                    t.chain = lruChain(t.chain, p);
                }
            }
            t.chainCount = n;
            t.chainOk = true;
            t.hash = ReferenceAllocator.mix(t.chain, (long) (i + 1) << 32 | n);
            t.hashVersion = t.version;
        }
        return t.hash;
    }

    /** {@link #lruChainTail}'s buffer. */
    private LruPage[] tailScratch = new LruPage[0];

    /** {@code h} extended by the last {@code k} pages of {@code list}, in LRU order. */
    private long lruChainTail(long h, Deque<LruPage> list, int k) {
        if (tailScratch.length < k) {
            tailScratch = new LruPage[Math.max(k, 2 * tailScratch.length)];
        }
        LruPage[] tail = tailScratch;
        var it = list.descendingIterator();
        for (int j = k - 1; j >= 0; j--) {
            tail[j] = it.next();
        }
        for (int j = 0; j < k; j++) {
            h = lruChain(h, tail[j]);
            tail[j] = null;
        }
        return h;
    }

    private static long lruChain(long h, LruPage p) {
        // pfn < 2^31, zone < 16, state < 4, task below 2^25 or escaped (bit 25) apart
        boolean small = (p.task >>> 25) == 0;
        h = ReferenceAllocator.mix(h, p.pfn << 32 | (long) p.zone << 28 | (long) p.state.ordinal() << 26
            | (small ? p.task : 1 << 25));
        if (!small) {
            h = ReferenceAllocator.mix(h, p.task);
        }
        return h;
    }

}
