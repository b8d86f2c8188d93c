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

    void lock() {
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
        return STATE.compareAndSet(this, 0, 1);
    }

    void unlock() {
        STATE.setRelease(this, 0);
    }

    /** For assertions and tests: whether some thread holds the lock right now. */
    boolean isLocked() {
        return (int) STATE.getOpaque(this) != 0;
    }
}
