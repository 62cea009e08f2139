package io.daxrmap.index;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * {@link RecordBuffer}'s order by owner then start, below and above the count where it sorts by radix, against a
 * sort of the same (owner, start) pairs by {@link Arrays#sort}.
 */
class RecordBufferTest
{
    @Test
    void shouldOrderByOwnerThenStartAsAComparisonSortDoes()
    {
        final SplittableRandom random = new SplittableRandom(3);
        final RecordBuffer records = new RecordBuffer();
        for (final int n : new int[]{0, 1, 2, 17, RecordBuffer.RADIX_SORT_FROM - 1, RecordBuffer.RADIX_SORT_FROM,
            1000, 50_000})
        {
            for (int shape = 0; shape < 4; shape++)
            {
                records.clear();
                final long[][] pairs = new long[n][];
                for (int i = 0; i < n; i++)
                {
                    final long owner = switch (shape)
                    {
                        case 0 -> random.nextInt(8);                         // few owners, many records each
                        case 1 -> random.nextLong(1L << 40);                 // inode numbers
                        case 2 -> random.nextLong();                         // negative ones too
                        default -> 1L << 62 | random.nextInt(3);            // differing only in the low bits
                    };
                    final long start = shape == 2 ? random.nextLong() : random.nextLong(1 << 20);
                    records.add(start, 1, owner, 0, 0);
                    pairs[i] = new long[]{owner, start};
                }
                records.sortByOwnerThenStart();
                final long[][] expected = pairs.clone();
                Arrays.sort(expected, Comparator.<long[]>comparingLong(p -> p[0]).thenComparingLong(p -> p[1]));
                final long[][] got = new long[n][];
                for (int i = 0; i < n; i++)
                {
                    final int r = records.order[i];
                    got[i] = new long[]{records.owner[r], records.start[r]};
                }
                for (int i = 0; i < n; i++)
                {
                    assertArrayEquals(expected[i], got[i], "n=" + n + " shape=" + shape + " at " + i);
                }
            }
        }
    }
}
