package dev.highwater.model.mm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The word-folding search for an aligned run of set bits agrees with the page-by-page one. */
class AlignedRunTest {

    /** The plain definition: some aligned block of 2^order pages inside the zone with every bit set. */
    private static boolean slow(long[] bits, long start, int pages, int order) {
        long size = 1L << order;
        for (long head = (start + size - 1) & -size; head + size <= start + pages; head += size) {
            boolean full = true;
            for (long p = head; p < head + size && full; p++) {
                int i = (int) (p - start);
                full = (bits[i >>> 6] & (1L << i)) != 0;
            }
            if (full) {
                return true;
            }
        }
        return false;
    }

    @Test
    void foldedSearchMatchesThePlainDefinition() {
        SplittableRandom rnd = new SplittableRandom(7);
        int found = 0;
        for (int round = 0; round < 20_000; round++) {
            int pages = 16 + rnd.nextInt(400);
            long start = rnd.nextBoolean() ? 0 : 64L * rnd.nextInt(8);
            long[] bits = new long[(pages + 63) >>> 6];
            double density = 0.5 + rnd.nextDouble() * 0.5;
            for (int i = 0; i < pages; i++) {
                if (rnd.nextDouble() < density) {
                    bits[i >>> 6] |= 1L << i;
                }
            }
            int order = rnd.nextInt(7);
            boolean expected = slow(bits, start, pages, order);
            found += expected ? 1 : 0;
            assertThat(MemorySystem.hasAlignedRun(bits, start, pages, order))
                .as("pages %d start %d order %d", pages, start, order).isEqualTo(expected);
        }
        // both answers occur often enough to mean something
        assertThat(found).isBetween(2_000, 18_000);
    }

    @Test
    void aRunCrossingTheZoneEndDoesNotCount() {
        long[] bits = {-1L, 0xFL};
        // 68 pages: pages 64..67 form an aligned order-2 block; order 3 would need 64..71, past the end
        assertThat(MemorySystem.hasAlignedRun(bits, 0, 68, 2)).isTrue();
        bits[0] = 0;
        assertThat(MemorySystem.hasAlignedRun(bits, 0, 68, 3)).isFalse();
        assertThat(MemorySystem.hasAlignedRun(bits, 0, 66, 2)).isFalse();
    }
}
