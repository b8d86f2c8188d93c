package dev.highwater.properties.fuzz;

/**
 * Reads small integers from a byte string, deterministically; past the end it reads zeros, so every byte string
 * (including the empty one) decodes to something valid. An {@linkplain #extending extending} reader continues past
 * the end with pseudo-random bytes seeded by a hash of the whole input instead: a short input then still decodes to
 * a full trace (its bytes choose the machine and the first ops, the rest follows from them), which matters for a
 * coverage-guided fuzzer, whose inputs start a few bytes long.
 */
public final class ByteReader {
    private final byte[] data;
    private final java.util.SplittableRandom tail;
    private int pos;

    public ByteReader(byte[] data) {
        this.data = data;
        this.tail = null;
    }

    private ByteReader(byte[] data, long seed) {
        this.data = data;
        this.tail = new java.util.SplittableRandom(seed);
    }

    /** A reader that never runs dry: past the end, bytes from a generator seeded by the input's FNV-1a hash. */
    public static ByteReader extending(byte[] data) {
        long h = 0xcbf29ce484222325L;
        for (byte b : data) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        return new ByteReader(data, h ^ data.length);
    }

    /** Whether the input is used up (never, for an extending reader). */
    public boolean exhausted() {
        return tail == null && pos >= data.length;
    }

    public int u8() {
        if (pos < data.length) {
            return data[pos++] & 0xff;
        }
        return tail == null ? 0 : tail.nextInt(256);
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
