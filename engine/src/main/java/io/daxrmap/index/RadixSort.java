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
     * From this many keys on, digits of at most 9 bits (512 buckets); below, at most 8 bits (256 buckets). Only the
     * bits where keys differ are sorted: owners take two passes, device offsets three or four. Wider digits take
     * fewer passes but each pass costs more: 10^7 keys with 28 differing bits sort in 400 ms with four 7-bit
     * passes and 560 ms with three 10-bit ones (likely the TLB: a 10-bit pass stores to 2,048 places at once, keys
     * and payloads, each on its own page).
     */
    private static final int WIDE_DIGITS_FROM = 1 << 16;
    private static final int MAX_WIDE_DIGIT_BITS = 9;

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
        // one sequential pass finds the bits that differ between keys: only digits holding such bits are counted
        // and moved, so the counting pass makes two or three increments per key, not six
        long anyBits = 0;
        long allBits = -1;
        for (int i = 0; i < n; i++)
        {
            final long key = keys[i];
            if (key < 0)
            {
                throw new IllegalArgumentException("negative key: " + key);
            }
            anyBits |= key;
            allBits &= key;
        }
        final long differing = anyBits ^ allBits;
        if (differing == 0)
        {
            return;
        }
        if (n <= INSERTION_LIMIT)
        {
            insertionSort(keys, payload, from, n);
            return;
        }
        // as few passes as the differing bits need, each as narrow as those passes allow: fewer buckets means fewer
        // pages written at once in a pass
        final int maxDigitBits = n >= WIDE_DIGITS_FROM ? MAX_WIDE_DIGIT_BITS : 8;
        final int low = Long.numberOfTrailingZeros(differing);
        final int span = Long.SIZE - Long.numberOfLeadingZeros(differing) - low;
        final int passes = (span + maxDigitBits - 1) / maxDigitBits;
        final int digitBits = (span + passes - 1) / passes;
        final int radix = 1 << digitBits;
        final int mask = radix - 1;
        final int[] shifts = new int[passes];
        int digits = 0;
        for (int shift = low; shift < low + span; shift += digitBits)
        {
            if ((differing >>> shift & mask) != 0)
            {
                shifts[digits++] = shift;
            }
        }
        final int[][] counts = new int[digits][radix + 1];
        for (int i = 0; i < n; i++)
        {
            final long key = keys[i];
            for (int d = 0; d < digits; d++)
            {
                counts[d][(int)(key >>> shifts[d] & mask) + 1]++;
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
            for (int b = 0; b < radix; b++)
            {
                count[b + 1] += count[b];
            }
            final int shift = shifts[d];
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
