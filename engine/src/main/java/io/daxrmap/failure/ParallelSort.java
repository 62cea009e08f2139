package io.daxrmap.failure;

/**
 * In-place sort of rows kept in parallel primitive arrays: no boxing, no scratch arrays, no garbage.
 * <p>
 * Rows often arrive sorted already (index answers come in device and owner order), so a linear check comes first;
 * then a quicksort with a median-of-three pivot and insertion sort for short runs, which falls back to heapsort past
 * {@code 2 log2 n} levels, so a page shared by 10,000 files costs {@code O(n log n)} whatever the input.
 */
abstract class ParallelSort
{
    private static final int INSERTION_SORT_ROWS = 16;

    /**
     * Compare two rows.
     *
     * @param i a row.
     * @param j another row.
     * @return negative, zero or positive as row i sorts before, with, or after row j.
     */
    abstract int compare(int i, int j);

    /**
     * Swap two rows in every array.
     *
     * @param i a row.
     * @param j another row.
     */
    abstract void swap(int i, int j);

    /**
     * Sort rows {@code [0, count)}.
     *
     * @param count number of rows.
     */
    final void sort(final int count)
    {
        if (isSorted(count))
        {
            return;
        }
        quicksort(0, count, 2 * (32 - Integer.numberOfLeadingZeros(count)));
    }

    private boolean isSorted(final int count)
    {
        for (int i = 1; i < count; i++)
        {
            if (compare(i - 1, i) > 0)
            {
                return false;
            }
        }
        return true;
    }

    private void quicksort(final int from, final int to, final int depth)
    {
        int low = from;
        int high = to;
        int levels = depth;
        while (high - low > INSERTION_SORT_ROWS)
        {
            if (levels-- == 0)
            {
                heapsort(low, high);
                return;
            }
            final int middle = (low + high) >>> 1;
            if (compare(middle, low) < 0)
            {
                swap(middle, low);
            }
            if (compare(high - 1, middle) < 0)
            {
                swap(high - 1, middle);
                if (compare(middle, low) < 0)
                {
                    swap(middle, low);
                }
            }
            // Pivot at low: Lomuto partition around it, then put it in place.
            swap(low, middle);
            int store = low;
            for (int i = low + 1; i < high; i++)
            {
                if (compare(i, low) < 0)
                {
                    swap(++store, i);
                }
            }
            swap(low, store);
            // Recurse into the smaller side, loop on the larger: stack depth stays logarithmic.
            if (store - low < high - store - 1)
            {
                quicksort(low, store, levels);
                low = store + 1;
            }
            else
            {
                quicksort(store + 1, high, levels);
                high = store;
            }
        }
        for (int i = low + 1; i < high; i++)
        {
            for (int j = i; j > low && compare(j - 1, j) > 0; j--)
            {
                swap(j - 1, j);
            }
        }
    }

    private void heapsort(final int from, final int to)
    {
        final int count = to - from;
        for (int i = count / 2 - 1; i >= 0; i--)
        {
            siftDown(from, i, count);
        }
        for (int end = count - 1; end > 0; end--)
        {
            swap(from, from + end);
            siftDown(from, 0, end);
        }
    }

    private void siftDown(final int base, final int start, final int end)
    {
        int root = start;
        while (true)
        {
            int child = 2 * root + 1;
            if (child >= end)
            {
                return;
            }
            if (child + 1 < end && compare(base + child, base + child + 1) < 0)
            {
                child++;
            }
            if (compare(base + root, base + child) >= 0)
            {
                return;
            }
            swap(base + root, base + child);
            root = child;
        }
    }
}
