package dev.highwater.properties.fuzz;

/**
 * Reads small integers from a byte string, deterministically; past the end it reads zeros, so every byte string
 * (including the empty one) decodes to something valid. An {@linkplain #extending extending} reader continues past
 * the end with pseudo-random bytes instead: a short input then still decodes to a full trace, which matters for a
 * coverage-guided fuzzer, whose inputs start a few bytes long.
 *
 * <p>The extension is stable under mutation: the byte read at position {@code p} (from {@link #SEED_BYTES} on) is the
 * input's byte there (0 past the end) XORed onto a hash of {@code p} and of the input's first {@link #SEED_BYTES}
 * bytes only (never of the whole input). Changing or appending a later byte changes what is read at that position
 * and nothing else; together with the decoder's fixed layout (a header, then a fixed-size chunk of bytes per op, see
 * {@link TraceDecoder}) a mutation of a late byte changes a late op, which is the locality a coverage-guided fuzzer
 * needs. Changing one of the first bytes (the header) redraws every other position, short input or long: a random
 * restart, so that about one mutation in nine (the header's share of a full-length input) explores like random
 * search while the rest work locally.
 *
 * <p>Values are drawn by scaling, not by remainder ({@code below(n)} is {@code u8 * n / 256}), so a byte that grows a
 * little moves a value (an op kind under the swarm weights, a count, an order) to a neighbouring one.
 */
public final class ByteReader {
    private final byte[] data;
    private final boolean extend;
    private final long seed;
    private int pos;

    public ByteReader(byte[] data) {
        this(data, false, 0, 0);
    }

    private ByteReader(byte[] data, boolean extend, long seed, int pos) {
        this.data = data;
        this.extend = extend;
        this.seed = seed;
        this.pos = pos;
    }

    /**
     * Input bytes that seed the extension: the decoder's header (machine, tasks, length, swarm weights), the global
     * part of an input, whose change reinterprets every op anyway; changing one of them redraws the trace.
     */
    public static final int SEED_BYTES = TraceDecoder.HEADER;

    /**
     * A reader that never runs dry: past the end, bytes hashed from their position and the input's first
     * {@link #SEED_BYTES} bytes (FNV-1a; fewer when the input is shorter).
     */
    public static ByteReader extending(byte[] data) {
        long h = 0xcbf29ce484222325L;
        int n = Math.min(SEED_BYTES, data.length);
        for (int i = 0; i < n; i++) {
            h = (h ^ (data[i] & 0xff)) * 0x100000001b3L;
        }
        return new ByteReader(data, true, h ^ n, 0);
    }

    /** A reader over the same input (and extension) starting at absolute position {@code at}. */
    public ByteReader at(int at) {
        return new ByteReader(data, extend, seed, at);
    }

    /** The absolute position of the next byte. */
    public int position() {
        return pos;
    }

    /** Whether the input is used up (never, for an extending reader). */
    public boolean exhausted() {
        return !extend && pos >= data.length;
    }

    public int u8() {
        int p = pos++;
        int b = p < data.length ? data[p] & 0xff : 0;
        if (!extend) {
            return b;
        }
        if (p < SEED_BYTES) {
            return p < data.length ? b : extension(seed, p);
        }
        // past the seed bytes an input byte is XORed onto the extension (a missing one counts as 0): changing it
        // changes this position only, and changing a seed byte redraws every position, however long the input
        return b ^ extension(seed, p);
    }

    /** The byte an extending reader reads at position p past the end (SplitMix64's finalizer over seed and p). */
    static int extension(long seed, int p) {
        long z = seed * 0x9E3779B97F4A7C15L + (p + 1L) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        return (int) (z >>> 56);
    }

    public int u16() {
        return (u8() << 8) | u8();
    }

    /** A value in [0, bound), by scaling one byte (two bytes for bounds above 256). */
    public int below(int bound) {
        if (bound <= 1) {
            return 0;
        }
        if (bound <= 256) {
            return (u8() * bound) >>> 8;
        }
        return (int) (((long) u16() * bound) >>> 16);
    }

    /** A value in [lo, hi]. */
    public int range(int lo, int hi) {
        return lo + below(hi - lo + 1);
    }

    public <T> T pick(T[] options) {
        return options[below(options.length)];
    }

    /**
     * Picks an index with the given weights (all &gt;= 0, at least one &gt; 0): the byte's range is cut into
     * consecutive slices in proportion to the weights, so neighbouring bytes pick the same or a neighbouring index.
     */
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
