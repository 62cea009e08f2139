package io.daxrmap.failure;

/**
 * In-place heapsort of rows kept in parallel primitive arrays: no boxing, no scratch arrays, no garbage, and
 * {@code O(n log n)} whatever the input (10,000 sharers of a page included).
 */
abstract class ParallelSort
{
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
        for (int i = count / 2 - 1; i >= 0; i--)
        {
            siftDown(i, count);
        }
        for (int end = count - 1; end > 0; end--)
        {
            swap(0, end);
            siftDown(0, end);
        }
    }

    private void siftDown(final int start, final int end)
    {
        int root = start;
        while (true)
        {
            int child = 2 * root + 1;
            if (child >= end)
            {
                return;
            }
            if (child + 1 < end && compare(child, child + 1) < 0)
            {
                child++;
            }
            if (compare(root, child) >= 0)
            {
                return;
            }
            swap(root, child);
            root = child;
        }
    }
}
