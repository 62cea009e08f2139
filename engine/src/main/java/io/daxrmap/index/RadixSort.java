package io.daxrmap.index;

/**
 * A stable least-significant-digit radix sort of non-negative long keys that carries an int payload: linear in the
 * number of keys, for the bulk loader's hundreds of millions of records.
 */
final class RadixSort
{
    private static final int DIGIT_BITS = 16;
    private static final int DIGITS = Long.SIZE / DIGIT_BITS;
    private static final int RADIX = 1 << DIGIT_BITS;
    private static final int MASK = RADIX - 1;

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
        final int[][] counts = new int[DIGITS][RADIX + 1];
        for (int i = 0; i < n; i++)
        {
            final long key = keys[i];
            if (key < 0)
            {
                throw new IllegalArgumentException("negative key: " + key);
            }
            for (int d = 0; d < DIGITS; d++)
            {
                counts[d][(int)(key >>> (d * DIGIT_BITS) & MASK) + 1]++;
            }
        }
        long[] keysIn = keys;
        long[] keysOut = new long[n];
        int[] payloadIn = new int[n];
        System.arraycopy(payload, from, payloadIn, 0, n);
        int[] payloadOut = new int[n];
        for (int d = 0; d < DIGITS; d++)
        {
            final int[] count = counts[d];
            if (count[(int)(keysIn[0] >>> (d * DIGIT_BITS) & MASK) + 1] == n)
            {
                continue;
            }
            for (int b = 0; b < RADIX; b++)
            {
                count[b + 1] += count[b];
            }
            final int shift = d * DIGIT_BITS;
            for (int i = 0; i < n; i++)
            {
                final long key = keysIn[i];
                final int at = count[(int)(key >>> shift & MASK)]++;
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
}
