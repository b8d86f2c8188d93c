package dev.highwater.properties.explore;

/**
 * An open-addressing set of 64-bit state fingerprints (TLC's fingerprint set, in one array): 8 bytes a slot, load at
 * most 1/2. Fingerprint 0 is stored apart, since 0 marks an empty slot.
 */
final class FingerprintSet {
    private long[] slots;
    private int mask;
    private int size;
    private boolean hasZero;

    FingerprintSet(int expected) {
        int cap = Integer.highestOneBit(Math.max(16, expected) * 2 - 1) << 1;
        slots = new long[cap];
        mask = cap - 1;
    }

    int size() {
        return size;
    }

    /** Adds {@code fp}; returns false when it was already there. */
    boolean add(long fp) {
        if (fp == 0) {
            if (hasZero) {
                return false;
            }
            hasZero = true;
            size++;
            return true;
        }
        int i = spread(fp) & mask;
        while (true) {
            long s = slots[i];
            if (s == 0) {
                slots[i] = fp;
                if (++size * 2 > slots.length) {
                    grow();
                }
                return true;
            }
            if (s == fp) {
                return false;
            }
            i = (i + 1) & mask;
        }
    }

    /**
     * Touches the first slot of each of {@code n} fingerprints, so that the cache misses of a batch of {@link #add}s
     * overlap instead of following one another.
     */
    void prefetch(long[] fps, int n) {
        long[] t = slots;
        int m = mask;
        long x = 0;
        for (int j = 0; j < n; j++) {
            x += t[spread(fps[j]) & m];
        }
        sink = x;
    }

    /** Keeps {@link #prefetch}'s loads from being optimized away. */
    private long sink;

    boolean contains(long fp) {
        if (fp == 0) {
            return hasZero;
        }
        int i = spread(fp) & mask;
        while (true) {
            long s = slots[i];
            if (s == 0) {
                return false;
            }
            if (s == fp) {
                return true;
            }
            i = (i + 1) & mask;
        }
    }

    private static int spread(long fp) {
        return (int) (fp ^ (fp >>> 32));
    }

    /** Below this many slots the set grows fourfold (a large search rehashes fewer times), then twofold. */
    private static final int GROW_FOURFOLD_BELOW = 1 << 24;

    private void grow() {
        long[] old = slots;
        slots = new long[old.length < GROW_FOURFOLD_BELOW ? old.length * 4 : old.length * 2];
        mask = slots.length - 1;
        for (long s : old) {
            if (s != 0) {
                int i = spread(s) & mask;
                while (slots[i] != 0) {
                    i = (i + 1) & mask;
                }
                slots[i] = s;
            }
        }
    }
}
