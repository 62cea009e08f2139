package io.daxrmap.failure;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * The report's in-place sort against {@link Arrays#sort(long[])}: random, sorted, reversed, few distinct keys, and
 * sizes around the insertion-sort cut-off; the second array must travel with the first.
 */
class ParallelSortTest
{
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
    void shouldSortLikeArraysSortAndKeepRowsTogether(final long seed)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final int count = new int[]{0, 1, 2, 15, 16, 17, 100, 5000}[(int)(seed % 8)] + random.nextInt(3);
        final int shape = (int)(seed % 4);
        final long[] keys = new long[count];
        for (int i = 0; i < count; i++)
        {
            keys[i] = shape == 0 ? random.nextLong() : shape == 1 ? i : shape == 2 ? count - i : random.nextInt(3);
        }
        final long[] partner = new long[count];
        for (int i = 0; i < count; i++)
        {
            partner[i] = ~keys[i];
        }
        final long[] expected = keys.clone();
        Arrays.sort(expected);
        new ParallelSort()
        {
            @Override
            int compare(final int i, final int j)
            {
                return Long.compare(keys[i], keys[j]);
            }

            @Override
            void swap(final int i, final int j)
            {
                long t = keys[i];
                keys[i] = keys[j];
                keys[j] = t;
                t = partner[i];
                partner[i] = partner[j];
                partner[j] = t;
            }
        }.sort(count);
        assertArrayEquals(expected, keys, "seed=" + seed);
        for (int i = 0; i < count; i++)
        {
            expected[i] = ~expected[i];
        }
        assertArrayEquals(expected, partner, "seed=" + seed);
    }
}
