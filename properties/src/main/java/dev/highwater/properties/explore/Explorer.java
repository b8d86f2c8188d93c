package dev.highwater.properties.explore;

import dev.highwater.model.mm.MemorySystem;
import dev.highwater.model.trace.Op;
import dev.highwater.properties.StepView;
import dev.highwater.properties.run.AllocatorKind;
import dev.highwater.properties.run.TraceRunner;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The bounded model checker: breadth-first search over {@link Alphabet} moves from a booted memory system, with
 * the chosen property checked after every step (every transition, not only new states: a violation is a property
 * of the step, e.g. an OOM kill during it) and states deduplicated by their 64-bit fingerprint
 * ({@link MemorySystem#fingerprint()}, which treats handle names as interchangeable). The first violation found at
 * level d is a shortest one, since every trace of length d-1 was checked before.
 *
 * <p>Memory: a state is not kept; each level stores only (parent index, move) per new state, 8 bytes, and the
 * fingerprint set 8-16 bytes. A state is rebuilt from its parent when expanded: the frontier is in lexicographic
 * order of paths, so a stack of the states along the current path is shared by neighbours and a rebuild usually
 * costs one copy and one step. Deterministic: moves are tried in alphabet order, then frees in handle order.
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

    private final CheckSpec spec;
    private final Progress progress;

    public Explorer(CheckSpec spec, Progress progress) {
        this.spec = spec;
        this.progress = progress == null ? (d, f, s, t, r) -> { } : progress;
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

    private final List<Ints> parents = new ArrayList<>();
    private final List<Ints> moves = new ArrayList<>();
    private MemorySystem[] stack;
    /** The property's memo of a step, one for every step (no view outlives its step). */
    private final StepView.Lists lists = new StepView.Lists();
    /** The successor being tried: overwritten by every transition (the search keeps no state object). */
    private MemorySystem scratch;
    private int[] cur;
    private int[] anc;

    public CheckResult run() {
        long t0 = System.nanoTime();
        cpu0 = cpuNow();
        scratch = null;
        opCache = new Op[spec.depth() + 1][];
        freeOps = new Op[64];
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
        int depth = spec.depth();
        stack = new MemorySystem[depth + 1];
        stack[0] = root;
        cur = new int[depth + 1];
        Arrays.fill(cur, -1);
        cur[0] = 0;
        anc = new int[depth + 1];
        Alphabet alphabet = spec.alphabet();
        int fixed = alphabet.fixed().size();
        long transitions = 0;
        long lastReport = t0;
        for (int d = 1; d <= depth; d++) {
            Ints prevP = parents.get(d - 1);
            Ints nextP = new Ints();
            Ints nextM = new Ints();
            parents.add(nextP);
            moves.add(nextM);
            for (int i = 0; i < prevP.n; i++) {
                MemorySystem parent = materialize(d - 1, i);
                if (scratch == null) {
                    scratch = parent.copy();
                }
                // the parent's fingerprint is in the set (it was added when the parent was found): a move that leaves
                // the state as it was is no new state, and need not be looked up
                long parentFp = parent.fingerprint();
                int total = fixed + (alphabet.frees() ? liveHandleSteps(parent) : 0);
                int[] frees = steps;
                if (pendingFp.length < total) {
                    pendingFp = new long[total];
                    pendingMove = new int[total];
                    pendingTransitions = new long[total];
                }
                pending = 0;
                for (int k = 0; k < total; k++) {
                    int move = k < fixed ? k : alphabet.freeMove(frees[k - fixed]);
                    Op op = op(move, d);
                    MemorySystem child = scratch;
                    child.copyFrom(parent);
                    String result;
                    try {
                        result = child.apply(op);
                    } catch (RuntimeException e) {
                        CheckResult bound = addPending(seen, d, i, nextP, nextM, t0);
                        if (bound != null) {
                            return bound;
                        }
                        return found(d - 1, i, move, e.toString(), CheckResult.Kind.MODEL_ERROR, seen, transitions, t0);
                    }
                    transitions++;
                    Optional<String> msg = spec.property().check(new StepView(child, d, op, result, lists.reset()));
                    if (msg.isPresent()) {
                        CheckResult bound = addPending(seen, d, i, nextP, nextM, t0);
                        if (bound != null) {
                            return bound;
                        }
                        return found(d - 1, i, move, msg.get(), CheckResult.Kind.VIOLATION, seen, transitions, t0);
                    }
                    long fp = child.fingerprint();
                    if (fp != parentFp) {
                        pendingFp[pending] = fp;
                        pendingMove[pending] = move;
                        pendingTransitions[pending] = transitions;
                        pending++;
                    }
                    if ((transitions & 0x3FF) == 0) {
                        long now = System.nanoTime();
                        if (now - lastReport > 1_000_000_000L) {
                            lastReport = now;
                            progress.report(d, nextP.n, seen.size(), transitions, rate(seen.size(), now - t0));
                        }
                    }
                }
                CheckResult bound = addPending(seen, d, i, nextP, nextM, t0);
                if (bound != null) {
                    return bound;
                }
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

    /** The successors of the parent being expanded that are not known to repeat it: fingerprint, move, transitions. */
    private long[] pendingFp = new long[0];
    private int[] pendingMove = new int[0];
    private long[] pendingTransitions = new long[0];
    private int pending;

    /**
     * Adds the pending successors of node {@code index} to the set, in move order, as if each had been added right
     * after its transition (their slots are touched first, so that the cache misses of a batch overlap). Returns the
     * result when the state bound is reached, else null.
     */
    private CheckResult addPending(FingerprintSet seen, int d, int index, Ints nextP, Ints nextM, long t0) {
        int n = pending;
        pending = 0;
        seen.prefetch(pendingFp, n);
        for (int j = 0; j < n; j++) {
            if (seen.add(pendingFp[j])) {
                nextP.add(index);
                nextM.add(pendingMove[j]);
                if (seen.size() >= spec.maxStates()) {
                    long now = System.nanoTime();
                    long transitions = pendingTransitions[j];
                    progress.report(d, nextP.n, seen.size(), transitions, rate(seen.size(), now - t0));
                    return new CheckResult(spec.preset().name(), spec.property().id(), d - 1, seen.size(),
                        transitions, Optional.empty(), "bound reached at depth " + d, CheckResult.Kind.BOUND,
                        now - t0, cpuSpent());
                }
            }
        }
        return null;
    }

    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    /** CPU time of this thread, or -1 when the JVM cannot tell. */
    private static long cpuNow() {
        return THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : -1;
    }

    private long cpu0;

    private long cpuSpent() {
        long now = cpuNow();
        return now < 0 || cpu0 < 0 ? -1 : now - cpu0;
    }

    private static double rate(long states, long nanos) {
        return nanos <= 0 ? 0 : states * 1e9 / nanos;
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

    /** {@link Alphabet#op} memoized: fixed moves by step, frees by move (ops are immutable). */
    private Op[][] opCache;
    private Op[] freeOps;

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
