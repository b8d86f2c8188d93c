package dev.highwater.model.fast;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A non-reentrant mutual-exclusion lock in the manner of the kernel's {@code spinlock_t}: one CAS to take it when
 * free, a release store to drop it. Java threads can be preempted while holding it (the kernel disables preemption),
 * so a waiter spins briefly and then yields instead of burning its time slice.
 *
 * <p>Acquiring is a volatile CAS and releasing a release store, so everything written while holding the lock
 * happens-before everything read by the next holder.
 *
 * <p>A uniprocessor lock (an allocator built for one thread, as a kernel without {@code CONFIG_SMP} compiles
 * {@code spin_lock} down to disabling preemption) takes no atomic instruction: it only records that it is held, so a
 * second acquisition by its own thread, the deadlock the SMP lock would spin on for ever, still fails loudly.
 */
final class SpinLock {
    private static final VarHandle STATE;
    private static final int SPINS_BEFORE_YIELD = 64;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(SpinLock.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // accessed through STATE
    private volatile int state;
    /** False for a uniprocessor lock: {@link #held} instead of atomics. */
    private final boolean smp;
    /** A uniprocessor lock's state (one thread reads and writes it). */
    private boolean held;

    /** An SMP lock, for an allocator that several threads share. */
    SpinLock() {
        this(true);
    }

    SpinLock(boolean smp) {
        this.smp = smp;
    }

    void lock() {
        if (!smp) {
            if (held) {
                throw new IllegalStateException("uniprocessor lock taken twice (a recursive lock, or a second thread)");
            }
            held = true;
            return;
        }
        if (!STATE.compareAndSet(this, 0, 1)) {
            contended();
        }
    }

    private void contended() {
        int spins = 0;
        while (true) {
            if ((int) STATE.getOpaque(this) == 0 && STATE.compareAndSet(this, 0, 1)) {
                return;
            }
            if (++spins < SPINS_BEFORE_YIELD) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }

    boolean tryLock() {
        if (!smp) {
            if (held) {
                return false;
            }
            held = true;
            return true;
        }
        return STATE.compareAndSet(this, 0, 1);
    }

    void unlock() {
        if (!smp) {
            held = false;
            return;
        }
        STATE.setRelease(this, 0);
    }

    /** For assertions and tests: whether some thread holds the lock right now. */
    boolean isLocked() {
        return smp ? (int) STATE.getOpaque(this) != 0 : held;
    }
}
