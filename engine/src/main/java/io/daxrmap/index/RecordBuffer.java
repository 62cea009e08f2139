package io.daxrmap.index;

import java.util.Arrays;

/**
 * Reusable scratch of records as parallel primitive arrays, with an index sort: what a scan or a page query must
 * order before it reports. Grows and then stays; no allocation once warm.
 */
final class RecordBuffer
{
    private static final int INSERTION_SORT_THRESHOLD = 16;
    /**
     * From this many records on, {@link #sortByOwnerThenStart} sorts by radix: a walked 2 MiB page of a clone-heavy
     * device buffers tens of thousands, where the comparison sort's indirect compares cost milliseconds.
     */
    static final int RADIX_SORT_FROM = 256;
    private static final int DIGIT_BITS = 8;
    private static final int RADIX = 1 << DIGIT_BITS;
    private static final int BY_KEY = 0;
    private static final int BY_OWNER_THEN_START = 1;

    long[] start = new long[16];
    long[] length = new long[16];
    long[] owner = new long[16];
    long[] file = new long[16];
    int[] flags = new int[16];
    int[] order = new int[16];
    /** The radix sort's other order array, swapped with {@link #order} after each pass; as long as order. */
    private int[] orderScratch = new int[16];
    private final int[] digitCounts = new int[RADIX + 1];
    int count;
    private int sortMode;

    void clear()
    {
        count = 0;
    }

    void add(final long recordStart, final long recordLength, final long recordOwner, final long fileOffset, final int recordFlags)
    {
        if (count == start.length)
        {
            final int capacity = count * 2;
            start = Arrays.copyOf(start, capacity);
            length = Arrays.copyOf(length, capacity);
            owner = Arrays.copyOf(owner, capacity);
            file = Arrays.copyOf(file, capacity);
            flags = Arrays.copyOf(flags, capacity);
            order = Arrays.copyOf(order, capacity);
            orderScratch = new int[capacity];
        }
        start[count] = recordStart;
        length[count] = recordLength;
        owner[count] = recordOwner;
        file[count] = fileOffset;
        flags[count] = recordFlags;
        count++;
    }

    /**
     * Order by GETFSMAP key: device offset, owner (unsigned), file offset (unsigned).
     */
    void sortByKey()
    {
        sort(BY_KEY);
    }

    /**
     * Order by owner, then start.
     */
    void sortByOwnerThenStart()
    {
        if (count < RADIX_SORT_FROM)
        {
            sort(BY_OWNER_THEN_START);
            return;
        }
        for (int i = 0; i < count; i++)
        {
            order[i] = i;
        }
        // least significant key first, each stably: the order by start survives among records of one owner
        radixSortBy(start);
        radixSortBy(owner);
    }

    /**
     * Stably reorder {@link #order} by one key array, a byte at a time from the lowest, over the bytes where the keys
     * differ; the sign bit is flipped so that the bytes' order is the keys' signed order.
     */
    private void radixSortBy(final long[] keys)
    {
        long anyBits = 0;
        long allBits = -1;
        for (int i = 0; i < count; i++)
        {
            final long key = keys[i] ^ Long.MIN_VALUE;
            anyBits |= key;
            allBits &= key;
        }
        final long differing = anyBits ^ allBits;
        for (int shift = 0; shift < Long.SIZE; shift += DIGIT_BITS)
        {
            if ((differing >>> shift & (RADIX - 1)) == 0)
            {
                continue;
            }
            final int[] counts = digitCounts;
            Arrays.fill(counts, 0);
            for (int i = 0; i < count; i++)
            {
                counts[(int)((keys[i] ^ Long.MIN_VALUE) >>> shift & (RADIX - 1)) + 1]++;
            }
            for (int b = 0; b < RADIX; b++)
            {
                counts[b + 1] += counts[b];
            }
            final int[] in = order;
            final int[] out = orderScratch;
            for (int i = 0; i < count; i++)
            {
                final int record = in[i];
                out[counts[(int)((keys[record] ^ Long.MIN_VALUE) >>> shift & (RADIX - 1))]++] = record;
            }
            order = out;
            orderScratch = in;
        }
    }

    /**
     * Compare two GETFSMAP keys as XFS compares rmap keys ({@code xfs_rmapbt_key_diff()}): start block, then owner and
     * offset as the {@code u64} values they are. A caller resuming after a record may pass GETFSMAP's all-ones high key
     * fields (owner or file offset -1): they must compare above every stored value, not below.
     *
     * @return negative, zero or positive as key A is below, equal to or above key B.
     */
    static int compareKey(
        final long startA, final long ownerA, final long fileA, final long startB, final long ownerB, final long fileB)
    {
        if (startA != startB)
        {
            return Long.compare(startA, startB);
        }
        if (ownerA != ownerB)
        {
            return Long.compareUnsigned(ownerA, ownerB);
        }
        return Long.compareUnsigned(fileA, fileB);
    }

    private void sort(final int mode)
    {
        sortMode = mode;
        for (int i = 0; i < count; i++)
        {
            order[i] = i;
        }
        quickSort(0, count - 1);
    }

    private int compare(final int a, final int b)
    {
        if (sortMode == BY_KEY)
        {
            return compareKey(start[a], owner[a], file[a], start[b], owner[b], file[b]);
        }
        if (owner[a] != owner[b])
        {
            return Long.compare(owner[a], owner[b]);
        }
        return Long.compare(start[a], start[b]);
    }

    private void quickSort(final int low, final int high)
    {
        int lo = low;
        int hi = high;
        while (hi - lo >= INSERTION_SORT_THRESHOLD)
        {
            final int pivot = order[(lo + hi) >>> 1];
            int i = lo;
            int j = hi;
            while (i <= j)
            {
                while (compare(order[i], pivot) < 0)
                {
                    i++;
                }
                while (compare(order[j], pivot) > 0)
                {
                    j--;
                }
                if (i <= j)
                {
                    final int t = order[i];
                    order[i] = order[j];
                    order[j] = t;
                    i++;
                    j--;
                }
            }
            if (j - lo < hi - i)
            {
                quickSort(lo, j);
                lo = i;
            }
            else
            {
                quickSort(i, hi);
                hi = j;
            }
        }
        for (int i = lo + 1; i <= hi; i++)
        {
            final int item = order[i];
            int j = i - 1;
            while (j >= lo && compare(order[j], item) > 0)
            {
                order[j + 1] = order[j];
                j--;
            }
            order[j + 1] = item;
        }
    }
}
