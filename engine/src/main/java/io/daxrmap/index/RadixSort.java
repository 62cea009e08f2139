package io.daxrmap.index;

/**
 * A stable least-significant-digit radix sort of non-negative long keys that carries an int payload: linear in the
 * number of keys, for the bulk loader's hundreds of millions of records.
 */
final class RadixSort
{
    /** Below this many keys an insertion sort is cheaper than any counting pass. */
    private static final int INSERTION_LIMIT = 32;
    /**
     * From this many keys on, 11-bit digits (6 passes, 2 K buckets); below, 8-bit digits (8 passes, 256 buckets).
     * Digits every key shares are skipped, so real keys (owners, offsets) take two or three passes. Wider digits
     * would take fewer, but 64 K buckets scatter each pass's stores over more lines than the cache holds.
     */
    private static final int WIDE_DIGITS_FROM = 1 << 16;

    private RadixSort()
    {
    }

    /**
     * Sort {@code payload[from, to)} by key, where {@code keys[i - from]} is the key of {@code payload[i]}; equal keys
     * keep their order. {@code keys} is reordered along.
     *
     * @param keys    non-negative keys, one per payload slot.
     * @param payload the values to order.
     * @param from    first payload slot.
     * @param to      end of the payload slots.
     */
    static void sort(final long[] keys, final int[] payload, final int from, final int to)
    {
        final int n = to - from;
        if (n < 2)
        {
            return;
        }
        for (int i = 0; i < n; i++)
        {
            if (keys[i] < 0)
            {
                throw new IllegalArgumentException("negative key: " + keys[i]);
            }
        }
        if (n <= INSERTION_LIMIT)
        {
            insertionSort(keys, payload, from, n);
            return;
        }
        final int digitBits = n >= WIDE_DIGITS_FROM ? 11 : 8;
        final int digits = (Long.SIZE + digitBits - 1) / digitBits;
        final int radix = 1 << digitBits;
        final int mask = radix - 1;
        final int[][] counts = new int[digits][radix + 1];
        for (int i = 0; i < n; i++)
        {
            final long key = keys[i];
            for (int d = 0; d < digits; d++)
            {
                counts[d][(int)(key >>> (d * digitBits) & mask) + 1]++;
            }
        }
        long[] keysIn = keys;
        long[] keysOut = new long[n];
        int[] payloadIn = new int[n];
        System.arraycopy(payload, from, payloadIn, 0, n);
        int[] payloadOut = new int[n];
        for (int d = 0; d < digits; d++)
        {
            final int[] count = counts[d];
            if (count[(int)(keysIn[0] >>> (d * digitBits) & mask) + 1] == n)
            {
                continue;
            }
            for (int b = 0; b < radix; b++)
            {
                count[b + 1] += count[b];
            }
            final int shift = d * digitBits;
            for (int i = 0; i < n; i++)
            {
                final long key = keysIn[i];
                final int at = count[(int)(key >>> shift & mask)]++;
                keysOut[at] = key;
                payloadOut[at] = payloadIn[i];
            }
            final long[] k = keysIn;
            keysIn = keysOut;
            keysOut = k;
            final int[] p = payloadIn;
            payloadIn = payloadOut;
            payloadOut = p;
        }
        if (keysIn != keys)
        {
            System.arraycopy(keysIn, 0, keys, 0, n);
        }
        System.arraycopy(payloadIn, 0, payload, from, n);
    }

    private static void insertionSort(final long[] keys, final int[] payload, final int from, final int n)
    {
        for (int i = 1; i < n; i++)
        {
            final long key = keys[i];
            final int value = payload[from + i];
            int j = i - 1;
            while (j >= 0 && keys[j] > key)
            {
                keys[j + 1] = keys[j];
                payload[from + j + 1] = payload[from + j];
                j--;
            }
            keys[j + 1] = key;
            payload[from + j + 1] = value;
        }
    }
}
