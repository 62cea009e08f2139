package io.daxrmap.index;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@link RadixSort} against a stable comparison sort of (key, payload) pairs: sizes on both sides of the insertion
 * limit and of the wide-digit threshold, keys that differ in low, high, scattered or no bits, many equal keys.
 */
class RadixSortTest
{
    private static final int[] SIZES = {0, 1, 2, 31, 32, 33, 1000, (1 << 16) - 1, 1 << 16, 200_000};

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void shouldSortLikeAStableComparisonSort(final long seed)
    {
        final SplittableRandom rnd = new SplittableRandom(seed);
        for (final int n : SIZES)
        {
            for (int shape = 0; shape < 6; shape++)
            {
                final long[] keys = new long[n];
                for (int i = 0; i < n; i++)
                {
                    keys[i] = key(rnd, shape);
                }
                check(keys, rnd.nextInt(4), "seed=" + seed + " n=" + n + " shape=" + shape);
            }
        }
    }

    @Test
    void shouldRefuseNegativeKeys()
    {
        final long[] keys = new long[100];
        keys[57] = -1;
        assertThrows(IllegalArgumentException.class, () -> RadixSort.sort(keys, new int[100], 0, 100));
        final long[] few = {3, -5, 1};
        assertThrows(IllegalArgumentException.class, () -> RadixSort.sort(few, new int[3], 0, 3));
    }

    private static long key(final SplittableRandom rnd, final int shape)
    {
        return switch (shape)
        {
            // owners: a kind in the top bits, small inode numbers
            case 0 -> (2L << 60) | (128 + rnd.nextInt(5000));
            // device offsets: block-aligned, up to 2^40
            case 1 -> rnd.nextLong(1L << 28) << 12;
            // any non-negative long
            case 2 -> rnd.nextLong() >>> 1;
            // few distinct keys: long runs of equal keys, stability shows
            case 3 -> rnd.nextInt(3) * (1L << 50);
            // one bit somewhere
            case 4 -> 1L << rnd.nextInt(63);
            // all equal
            default -> 777;
        };
    }

    /**
     * Sort {@code keys} with payload slots starting at {@code from}, and compare keys and payload with the oracle.
     */
    private static void check(final long[] keys, final int from, final String context)
    {
        final int n = keys.length;
        final int[] payload = new int[from + n];
        Arrays.fill(payload, -9);
        final Integer[] expected = new Integer[n];
        for (int i = 0; i < n; i++)
        {
            payload[from + i] = i;
            expected[i] = i;
        }
        final long[] original = keys.clone();
        Arrays.sort(expected, Comparator.comparingLong(i -> original[i]));
        RadixSort.sort(keys, payload, from, from + n);
        final int[] expectedPayload = new int[from + n];
        Arrays.fill(expectedPayload, 0, from, -9);
        final long[] expectedKeys = new long[n];
        for (int i = 0; i < n; i++)
        {
            expectedPayload[from + i] = expected[i];
            expectedKeys[i] = original[expected[i]];
        }
        assertArrayEquals(expectedKeys, keys, context + ": keys");
        assertArrayEquals(expectedPayload, payload, context + ": payload, equal keys in their first order");
    }

    static LongStream seeds()
    {
        return LongStream.of(1, 2, 3);
    }
}
