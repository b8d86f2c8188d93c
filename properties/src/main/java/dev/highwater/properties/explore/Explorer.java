package dev.highwater.properties.explore;

import dev.highwater.model.mm.MemorySystem;
import dev.highwater.model.trace.Op;
import dev.highwater.properties.Conjunction;
import dev.highwater.properties.Property;
import dev.highwater.properties.StepView;
import dev.highwater.properties.run.AllocatorKind;
import dev.highwater.properties.run.TraceRunner;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bounded model checker: breadth-first search over {@link Alphabet} moves from a booted memory system, with
 * the chosen property checked after every step (every transition, not only new states: a violation is a property
 * of the step, e.g. an OOM kill during it) and states deduplicated by their 64-bit fingerprint
 * ({@link MemorySystem#fingerprint()}, which treats handle names as interchangeable). The first violation found at
 * level d is a shortest one, since every trace of length d-1 was checked before.
 *
 * <p>Integrity properties are state invariants (what they read, the lists, counters, pageblock types, handles and LRU
 * lists, is all in the fingerprint): a transition into a state that its worker has already checked (its parent's,
 * or one in the worker's cache of checked fingerprints) checks only the step's properties, the policy family. A
 * state's first transition always checks everything, so the first violation, the counts and the counterexamples are
 * those of checking every property on every transition.
 *
 * <p>Memory: a state is not kept; each level stores only (parent index, move) per new state, 8 bytes, and the
 * fingerprint set 8-16 bytes. A state is rebuilt from its parent when expanded: the frontier is in lexicographic
 * order of paths, so a stack of the states along the current path is shared by neighbours and a rebuild usually
 * costs one copy and one step. Deterministic: moves are tried in alphabet order, then frees in handle order.
 *
 * <p>Workers (TLC's {@code -workers}): a level's frontier is cut into chunks of consecutive parents; each of
 * {@code jobs} threads expands whole chunks with its own states (its own copy of the root, path stack and scratch
 * state), recording for every transition that leaves its parent the successor's fingerprint, and stopping a chunk at
 * its first violation. The calling thread alone adds the successors to the fingerprint set, chunk by chunk in
 * frontier order, which is the order a single thread adds them in: the new states, their numbering, the next
 * frontier, the counterexample and the counts are the same for any number of jobs (ExplorerTest checks it). Every
 * transition runs whatever the set holds (a step is checked even when it leads to a known state; only the state
 * invariants are skipped, as above, and only for a state that worker checked itself), so expanding chunks ahead of
 * the merge changes nothing but the work thrown away once the search stops.
 *
 * <p>What a clean result proves: no trace of at most {@code depth} moves of this alphabet, from this machine, under
 * this preset, violates the property, up to fingerprint collisions (two different states merged; probability about
 * n²/2⁶⁵ for n states, as in TLC) and the state the fingerprint leaves out (statistics, per-step scratch).
 */
public final class Explorer {

    /** Progress reports: called at most about once a second, and at the end of each level. */
    public interface Progress {
        void report(int depth, long frontier, long states, long transitions, double statesPerSecond);
    }

    /** Most parents in a chunk: a chunk is a few milliseconds of work, and its path stack is reused across it. */
    static final int CHUNK = 256;
    /** Slots of a worker's cache of checked fingerprints (2 MB a worker). */
    static final int CHECKED_SLOTS = 1 << 18;
    /** Chunks expanded ahead of the merge, per worker (bounds the successors held in memory). */
    static final int AHEAD_PER_JOB = 4;
    /**
     * A level with fewer parents is expanded on the calling thread: the search's first levels, and all of a small
     * one, are over before the workers' code has been compiled, and the workers would compete with the compiler.
     */
    static final int PARALLEL_MIN_PARENTS = 1024;

    private final CheckSpec spec;
    private final Progress progress;
    private final int jobs;
    private int parallelMinParents = PARALLEL_MIN_PARENTS;

    /** Levels of at least {@code parents} parents go to the workers (tests: 1, so that every level does). */
    Explorer parallelFrom(int parents) {
        parallelMinParents = Math.max(1, parents);
        return this;
    }

    public Explorer(CheckSpec spec, Progress progress) {
        this(spec, progress, 1);
    }

    /**
     * @param jobs threads expanding the frontier, 1..256; 1 expands on the calling thread. The result does not depend
     *             on it, only the time does
     */
    public Explorer(CheckSpec spec, Progress progress, int jobs) {
        if (jobs < 1 || jobs > 256) {
            throw new IllegalArgumentException("jobs must be 1..256, got " + jobs);
        }
        this.spec = spec;
        this.progress = progress == null ? (d, f, s, t, r) -> { } : progress;
        this.jobs = jobs;
    }

    /** Growable int array. */
    private static final class Ints {
        int[] a = new int[16];
        int n;

        void add(int v) {
            if (n == a.length) {
                a = Arrays.copyOf(a, n * 2);
            }
            a[n++] = v;
        }
    }

    /** Per level: the parent index (in the level above) and the move of each state. Read by the workers. */
    private final List<Ints> parents = new ArrayList<>();
    private final List<Ints> moves = new ArrayList<>();

    /**
     * What a worker made of a chunk of parents: the successors that did not repeat their parent, in transition order,
     * and how the chunk ended (expanded whole, or at a violation or model error).
     */
    private static final class Chunk {
        final int from;
        final int to;
        long[] fp = new long[64];
        int[] parent = new int[64];
        int[] move = new int[64];
        /** Transitions run in the chunk when each successor was found (its own included). */
        int[] at = new int[64];
        int n;
        /** Transitions run (and checked) in the chunk. */
        int transitions;
        /** The chunk's first violation or model error, when it had one: the parent index and move, and the message. */
        int badParent = -1;
        int badMove;
        String badMessage;
        CheckResult.Kind badKind;
        /** Set when the search stopped before the chunk was expanded whole (nothing of it is used). */
        boolean abandoned;

        Chunk(int from, int to) {
            this.from = from;
            this.to = to;
        }

        /** Chunk {@code c} of a level of {@code n} parents cut into chunks of {@code size}. */
        static Chunk of(int c, int size, int n) {
            return new Chunk(c * size, Math.min(n, (c + 1) * size));
        }

        void add(long f, int p, int m) {
            if (n == fp.length) {
                int c = n * 2;
                fp = Arrays.copyOf(fp, c);
                parent = Arrays.copyOf(parent, c);
                move = Arrays.copyOf(move, c);
                at = Arrays.copyOf(at, c);
            }
            fp[n] = f;
            parent[n] = p;
            move[n] = m;
            at[n] = transitions;
            n++;
        }
    }

    private volatile boolean stopped;

    public CheckResult run() {
        long t0 = System.nanoTime();
        long mainCpu0 = cpuNow();
        workerCpu.set(0);
        stopped = false;
        TraceRunner runner = new TraceRunner(List.of(spec.property()), AllocatorKind.REFERENCE);
        MemorySystem root = runner.boot(spec.machine(), spec.preset());
        List<Op> prefix = spec.machine().ops();
        for (int i = 0; i < prefix.size(); i++) {
            // the setup prefix is part of the initial configuration: it must hold the property itself
            String res = root.apply(prefix.get(i));
            Optional<String> bad = spec.property().check(new StepView(root, i + 1, prefix.get(i), res));
            if (bad.isPresent()) {
                throw new IllegalArgumentException("the setup prefix violates " + spec.property().id() + " at its step "
                    + (i + 1) + ": " + bad.get());
            }
        }
        FingerprintSet seen = new FingerprintSet((int) Math.min(spec.maxStates(), 1 << 20));
        seen.add(root.fingerprint());
        parents.clear();
        moves.clear();
        Ints p0 = new Ints();
        p0.add(-1);
        Ints m0 = new Ints();
        m0.add(-1);
        parents.add(p0);
        moves.add(m0);
        // the first worker expands from the root itself, the others each from a copy of their own
        Worker[] workers = new Worker[jobs];
        workers[0] = new Worker(root);
        for (int w = 1; w < jobs; w++) {
            workers[w] = new Worker(root.copy());
        }
        ExecutorService pool = jobs == 1 ? null : Executors.newFixedThreadPool(jobs, r -> {
            Thread t = new Thread(r, "highwater-check");
            t.setDaemon(true);
            return t;
        });
        Search search = new Search(seen, t0, mainCpu0);
        seen = null;
        try {
            return search.levels(workers, pool);
        } catch (OutOfMemoryError e) {
            // the heap ran out before --max-states: end as the state bound does, once the search's arrays are dropped
            long states = search.seen.size();
            search.seen = null;
            parents.clear();
            moves.clear();
            return new CheckResult(spec.preset().name(), spec.property().id(), search.level - 1, states,
                search.transitions, Optional.empty(), "heap full at depth " + search.level + ": the heap ("
                + Runtime.getRuntime().maxMemory() / (1 << 20) + " MB) is full at " + states + " states; give the JVM"
                + " more (-Xmx) or lower the state bound", CheckResult.Kind.HEAP_FULL, System.nanoTime() - t0,
                search.cpuSpent());
        } finally {
            stopped = true;
            if (pool != null) {
                pool.shutdownNow();
                try {
                    pool.awaitTermination(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /** CPU time the workers spent, summed (the calling thread's own is measured apart). */
    private final AtomicLong workerCpu = new AtomicLong();

    /** One search: the merge of chunks into the fingerprint set and the next level, on the calling thread. */
    private final class Search {
        FingerprintSet seen;
        /** The level being expanded. */
        int level;
        final long t0;
        final long mainCpu0;
        long transitions;
        long lastReport;

        Search(FingerprintSet seen, long t0, long mainCpu0) {
            this.seen = seen;
            this.t0 = t0;
            this.mainCpu0 = mainCpu0;
            this.lastReport = t0;
        }

        CheckResult levels(Worker[] workers, ExecutorService pool) {
            int depth = spec.depth();
            for (int d = 1; d <= depth; d++) {
                level = d;
                int n = parents.get(d - 1).n;
                Ints nextP = new Ints();
                Ints nextM = new Ints();
                parents.add(nextP);
                moves.add(nextM);
                int size = Math.max(1, Math.min(CHUNK, n / (jobs * AHEAD_PER_JOB)));
                int chunks = (n + size - 1) / size;
                CheckResult end = pool == null || n < parallelMinParents
                    ? inline(workers[0], d, n, size, chunks, nextP, nextM)
                    : parallel(workers, pool, d, n, size, chunks, nextP, nextM);
                if (end != null) {
                    return end;
                }
                long now = System.nanoTime();
                progress.report(d, nextP.n, seen.size(), transitions, rate(seen.size(), now - t0));
                if (nextP.n == 0) {
                    return new CheckResult(spec.preset().name(), spec.property().id(), d, seen.size(), transitions,
                        Optional.empty(), "every reachable state explored at depth " + d, CheckResult.Kind.EXHAUSTED,
                        now - t0, cpuSpent());
                }
            }
            return new CheckResult(spec.preset().name(), spec.property().id(), depth, seen.size(), transitions,
                Optional.empty(), "no violation up to depth " + depth, CheckResult.Kind.CLEAN, System.nanoTime() - t0,
                cpuSpent());
        }

        /** One worker on this thread: each chunk expanded, then merged. */
        private CheckResult inline(Worker w, int d, int n, int size, int chunks, Ints nextP, Ints nextM) {
            for (int c = 0; c < chunks; c++) {
                Chunk chunk = Chunk.of(c, size, n);
                w.expand(d, chunk);
                CheckResult end = merge(d, chunk, nextP, nextM);
                if (end != null) {
                    return end;
                }
            }
            return null;
        }

        /**
         * Workers claim chunks in order and expand them, at most {@code AHEAD_PER_JOB x jobs} chunks ahead of the
         * merge; this thread merges them in order.
         */
        private CheckResult parallel(Worker[] workers, ExecutorService pool, int d, int n, int size, int chunks,
                                     Ints nextP, Ints nextM) {
            List<CompletableFuture<Chunk>> done = new ArrayList<>(chunks);
            for (int c = 0; c < chunks; c++) {
                done.add(new CompletableFuture<>());
            }
            AtomicInteger next = new AtomicInteger();
            Semaphore ahead = new Semaphore(AHEAD_PER_JOB * jobs);
            // the first chunk index not worth expanding: after a chunk with a violation, later chunks are not merged
            AtomicInteger firstBad = new AtomicInteger(Integer.MAX_VALUE);
            List<Future<?>> running = new ArrayList<>(jobs);
            for (Worker w : workers) {
                running.add(pool.submit(() -> {
                    long cpu0 = cpuNow();
                    try {
                        while (!stopped) {
                            ahead.acquire();
                            int c = next.getAndIncrement();
                            if (c >= chunks) {
                                ahead.release();
                                break;
                            }
                            try {
                                Chunk chunk = Chunk.of(c, size, n);
                                if (c > firstBad.get()) {
                                    chunk.abandoned = true;
                                } else {
                                    w.expand(d, chunk);
                                    if (chunk.badParent >= 0) {
                                        firstBad.accumulateAndGet(c, Math::min);
                                    }
                                }
                                done.get(c).complete(chunk);
                            } catch (Throwable e) {
                                // the merge waits for this chunk: it gets the failure (a model bug, or the heap full)
                                done.get(c).completeExceptionally(e);
                                throw e;
                            }
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } finally {
                        long cpu = cpuNow();
                        if (cpu >= 0 && cpu0 >= 0) {
                            workerCpu.addAndGet(cpu - cpu0);
                        }
                    }
                    return null;
                }));
            }
            CheckResult end = null;
            for (int c = 0; c < chunks && end == null; c++) {
                Chunk chunk;
                try {
                    chunk = done.get(c).get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while checking", e);
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof RuntimeException re) {
                        throw re;
                    }
                    if (cause instanceof Error err) {
                        throw err;
                    }
                    throw new IllegalStateException(cause);
                }
                end = merge(d, chunk, nextP, nextM);
                ahead.release();
            }
            if (end != null) {
                stopped = true;
                ahead.release(chunks + jobs); // no worker waits for a chunk that will not be merged
            }
            for (Future<?> f : running) {
                try {
                    f.get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while checking", e);
                } catch (ExecutionException e) {
                    // a failed chunk was rethrown by the merge above when it was needed; a later one is not
                }
            }
            if (end != null) {
                // the workers' CPU time is counted when they stop: the result's is taken once they have
                end = new CheckResult(end.preset(), end.property(), end.depth(), end.states(), end.transitions(),
                    end.counterexample(), end.message(), end.kind(), end.nanos(), cpuSpent());
            }
            return end;
        }

        /**
         * Adds a chunk's successors to the set in order, as a single thread adds them after each transition. Returns
         * the result when the state bound is reached or the chunk ended at a violation, else null.
         */
        private CheckResult merge(int d, Chunk chunk, Ints nextP, Ints nextM) {
            if (chunk.abandoned) {
                throw new IllegalStateException("chunk " + chunk.from + ".." + chunk.to + " was not expanded");
            }
            int n = chunk.n;
            seen.prefetch(chunk.fp, n);
            for (int j = 0; j < n; j++) {
                if (seen.add(chunk.fp[j])) {
                    nextP.add(chunk.parent[j]);
                    nextM.add(chunk.move[j]);
                    if (seen.size() >= spec.maxStates()) {
                        long now = System.nanoTime();
                        long at = transitions + chunk.at[j];
                        progress.report(d, nextP.n, seen.size(), at, rate(seen.size(), now - t0));
                        return new CheckResult(spec.preset().name(), spec.property().id(), d - 1, seen.size(), at,
                            Optional.empty(), "bound reached at depth " + d, CheckResult.Kind.BOUND, now - t0,
                            cpuSpent());
                    }
                }
            }
            transitions += chunk.transitions;
            if (chunk.badParent >= 0) {
                return found(d - 1, chunk.badParent, chunk.badMove, chunk.badMessage, chunk.badKind, seen,
                    transitions, t0);
            }
            long now = System.nanoTime();
            if (now - lastReport > 1_000_000_000L) {
                lastReport = now;
                progress.report(d, nextP.n, seen.size(), transitions, rate(seen.size(), now - t0));
            }
            return null;
        }

        private long cpuSpent() {
            long now = cpuNow();
            return now < 0 || mainCpu0 < 0 ? -1 : now - mainCpu0 + workerCpu.get();
        }

        private CheckResult found(int level, int index, int move, String message, CheckResult.Kind kind,
                                  FingerprintSet seen, long transitions, long t0) {
            List<Op> ops = new ArrayList<>();
            ops.add(spec.alphabet().op(move, level + 1));
            int idx = index;
            for (int j = level; j >= 1; j--) {
                ops.add(spec.alphabet().op(moves.get(j).a[idx], j));
                idx = parents.get(j).a[idx];
            }
            Collections.reverse(ops);
            return new CheckResult(spec.preset().name(), spec.property().id(), level + 1, seen.size(), transitions,
                Optional.of(List.copyOf(ops)), message, kind, System.nanoTime() - t0, cpuSpent());
        }
    }

    /**
     * A thread's states: the path stack (the states along the path of the node last rebuilt, shared by its
     * neighbours), the successor being tried, the property's per-step memo and the op and handle buffers.
     */
    private final class Worker {
        private final MemorySystem[] stack;
        private final int[] cur;
        private final int[] anc;
        /** The successor being tried: overwritten by every transition (the search keeps no state object). */
        private MemorySystem scratch;
        /** The property's memo of a step, one for every step (no view outlives its step). */
        private final StepView.Lists lists = new StepView.Lists();
        /** The optimized allocator's replay of each transition, in a differential search; else null. */
        private final OptimizedTwin twin;
        /** The ops of the path being checked by the twin, step 1 first. */
        private final Op[] path;
        /**
         * The property without its integrity parts, for a transition into a state already checked (null when every
         * part is integrity); {@code invariants} whether there are integrity parts to skip at all.
         */
        private final Property stepOnly;
        private final boolean invariants;
        /**
         * Fingerprints of states this worker checked in full, direct-mapped by their low bits (a slot is overwritten
         * by the next state that maps to it; 0 is never stored, so an empty slot matches nothing).
         */
        private final long[] checked = new long[CHECKED_SLOTS];

        Worker(MemorySystem root) {
            int depth = spec.depth();
            stack = new MemorySystem[depth + 1];
            stack[0] = root;
            cur = new int[depth + 1];
            Arrays.fill(cur, -1);
            cur[0] = 0;
            anc = new int[depth + 1];
            opCache = new Op[depth + 1][];
            twin = spec.differential() ? new OptimizedTwin(spec) : null;
            path = new Op[depth + 1];
            List<Property> steps = new ArrayList<>();
            for (Property p : Conjunction.parts(spec.property())) {
                if (p.family() != Property.Family.INTEGRITY) {
                    steps.add(p);
                }
            }
            invariants = steps.size() < Conjunction.parts(spec.property()).size();
            stepOnly = steps.isEmpty() ? null : Conjunction.of(steps);
        }

        /** Runs every move from each parent of the chunk (level d-1), up to the chunk's first violation. */
        void expand(int d, Chunk chunk) {
            Alphabet alphabet = spec.alphabet();
            int fixed = alphabet.fixed().size();
            for (int i = chunk.from; i < chunk.to; i++) {
                if (stopped) {
                    chunk.abandoned = true;
                    return;
                }
                MemorySystem parent = materialize(d - 1, i);
                if (scratch == null) {
                    scratch = parent.copy();
                }
                // the parent's fingerprint is in the set (it was added when the parent was found): a move that leaves
                // the state as it was is no new state, and need not be looked up
                long parentFp = parent.fingerprint();
                if (twin != null) {
                    for (int j = 1; j < d; j++) { // the parent's path, as materialize left it in anc
                        path[j - 1] = op(moves.get(j).a[anc[j]], j);
                    }
                }
                int total = fixed + (alphabet.frees() ? liveHandleSteps(parent) : 0);
                int[] frees = steps;
                for (int k = 0; k < total; k++) {
                    int move = k < fixed ? k : alphabet.freeMove(frees[k - fixed]);
                    Op op = op(move, d);
                    MemorySystem child = scratch;
                    child.copyFrom(parent);
                    String result;
                    try {
                        result = child.apply(op);
                    } catch (RuntimeException e) {
                        bad(chunk, i, move, e.toString(), CheckResult.Kind.MODEL_ERROR);
                        return;
                    }
                    chunk.transitions++;
                    long fp = child.fingerprint();
                    // the root (level 0) was never checked as a step's result; every later parent was, when found
                    int slot = (int) fp & (CHECKED_SLOTS - 1);
                    boolean known = invariants && fp != 0 && ((fp == parentFp && d > 1) || checked[slot] == fp);
                    Property p = known ? stepOnly : spec.property();
                    if (p != null) {
                        Optional<String> msg = p.check(new StepView(child, d, op, result, lists.reset()));
                        if (msg.isPresent()) {
                            bad(chunk, i, move, msg.get(), CheckResult.Kind.VIOLATION);
                            return;
                        }
                    }
                    if (invariants && !known && fp != 0) {
                        checked[slot] = fp;
                    }
                    if (twin != null) {
                        path[d - 1] = op;
                        Optional<String> differs = twin.check(path, d, result, child);
                        if (differs.isPresent()) {
                            bad(chunk, i, move, differs.get(), CheckResult.Kind.MISMATCH);
                            return;
                        }
                    }
                    if (fp != parentFp) {
                        chunk.add(fp, i, move);
                    }
                }
            }
        }

        private void bad(Chunk chunk, int parent, int move, String message, CheckResult.Kind kind) {
            chunk.badParent = parent;
            chunk.badMove = move;
            chunk.badMessage = message;
            chunk.badKind = kind;
        }

        /** {@link Alphabet#op} memoized: fixed moves by step, frees by move (ops are immutable). */
        private final Op[][] opCache;
        private Op[] freeOps = new Op[64];

        private Op op(int move, int step) {
            Alphabet a = spec.alphabet();
            int fixed = a.fixed().size();
            if (move < fixed) {
                Op[] row = opCache[step];
                if (row == null) {
                    row = new Op[fixed];
                    opCache[step] = row;
                }
                Op o = row[move];
                if (o == null) {
                    o = a.op(move, step);
                    row[move] = o;
                }
                return o;
            }
            int f = move - fixed;
            if (f >= freeOps.length) {
                if (f >= 1 << 16) {
                    return a.op(move, step);
                }
                freeOps = Arrays.copyOf(freeOps, Math.max(f + 1, freeOps.length * 2));
            }
            Op o = freeOps[f];
            if (o == null) {
                o = a.op(move, step);
                freeOps[f] = o;
            }
            return o;
        }

        /** Puts the steps whose handles still hold blocks in {@link #steps}, ascending; returns how many. */
        private int liveHandleSteps(MemorySystem ms) {
            names = ms.liveHandleNames(names, count);
            int n = count[0];
            if (steps.length < n) {
                steps = new int[Math.max(n, 2 * steps.length)];
            }
            for (int i = 0; i < n; i++) {
                steps[i] = Integer.parseInt(names[i]);
            }
            Arrays.sort(steps, 0, n);
            return n;
        }

        /** {@link #liveHandleSteps}'s buffers. */
        private String[] names = new String[0];
        private final int[] count = new int[1];
        private int[] steps = new int[16];

        /** The state of node {@code index} at {@code level}, rebuilt from the deepest shared ancestor on the stack. */
        private MemorySystem materialize(int level, int index) {
            anc[level] = index;
            for (int j = level; j >= 1; j--) {
                anc[j - 1] = parents.get(j).a[anc[j]];
            }
            int from = 1;
            while (from <= level && cur[from] == anc[from]) {
                from++;
            }
            for (int j = from; j <= level; j++) {
                if (stack[j] == null) {
                    stack[j] = stack[j - 1].copy();
                } else {
                    stack[j].copyFrom(stack[j - 1]);
                }
                stack[j].apply(op(moves.get(j).a[anc[j]], j));
                cur[j] = anc[j];
            }
            for (int j = Math.max(from, level + 1); j < cur.length; j++) {
                cur[j] = -1;
            }
            return stack[level];
        }
    }

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** CPU time of this thread, or -1 when the JVM cannot tell. */
    private static long cpuNow() {
        return THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : -1;
    }

    private static double rate(long states, long nanos) {
        return nanos <= 0 ? 0 : states * 1e9 / nanos;
    }
}
