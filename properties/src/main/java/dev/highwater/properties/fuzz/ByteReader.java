package dev.highwater.properties.fuzz;

/**
 * Reads small integers from a byte string, deterministically; past the end it reads zeros, so every byte string
 * (including the empty one) decodes to something valid.
 */
public final class ByteReader {
    private final byte[] data;
    private int pos;

    public ByteReader(byte[] data) {
        this.data = data;
    }

    public boolean exhausted() {
        return pos >= data.length;
    }

    public int u8() {
        return pos < data.length ? data[pos++] & 0xff : 0;
    }

    public int u16() {
        return (u8() << 8) | u8();
    }

    /** A value in [0, bound). */
    public int below(int bound) {
        if (bound <= 1) {
            return 0;
        }
        int v = bound <= 256 ? u8() : u16();
        return v % bound;
    }

    /** A value in [lo, hi]. */
    public int range(int lo, int hi) {
        return lo + below(hi - lo + 1);
    }

    public <T> T pick(T[] options) {
        return options[below(options.length)];
    }

    /** Picks an index with the given weights (all &gt;= 0, at least one &gt; 0). */
    public int weighted(int[] weights) {
        int total = 0;
        for (int w : weights) {
            total += w;
        }
        if (total == 0) {
            return 0;
        }
        int r = below(total);
        for (int i = 0; i < weights.length; i++) {
            r -= weights[i];
            if (r < 0) {
                return i;
            }
        }
        return weights.length - 1;
    }
}
