package io.daxrmap.index;

import java.util.Arrays;

/**
 * An immutable array of {@code long}s, stored as a three-level trie (a top array of mid nodes, each of
 * {@link #MID_SIZE} leaves of {@link #LEAF_SIZE} entries), changed by copying only the path to each entry that changes.
 * <p>
 * It maps stripe numbers to stripe addresses and owner ids to forward map addresses. A snapshot holds one; the writer
 * derives the next one through an {@link Editor}, which copies the top array once and each touched mid node and leaf
 * once. Leaves are small (2 KB, where a flat directory had 8 KB groups) because every batch copies one per entry it
 * changes, and a batch of one operation changes a few; the mid level keeps the top array small (a few KB at 10^8
 * records) because every batch copies it whole. A lookup makes three dependent loads: the top and mid nodes (232 KB
 * of references at 10^8 stripes) stay in the cache, the leaf is the one miss. Leaves of 128 entries made one-operation
 * batches no faster than these and page queries at 10^8 records slower (twice the references to keep in the cache).
 */
final class LongDirectory
{
    static final int LEAF_SHIFT = 8;
    static final int LEAF_SIZE = 1 << LEAF_SHIFT;
    static final int LEAF_MASK = LEAF_SIZE - 1;
    static final int MID_SHIFT = 6;
    static final int MID_SIZE = 1 << MID_SHIFT;
    static final int MID_MASK = MID_SIZE - 1;
    /** log2 of the entries under one mid node. */
    static final int SPAN_SHIFT = LEAF_SHIFT + MID_SHIFT;
    /** Entries under one mid node: lengths are rounded up to it. */
    static final int SPAN = 1 << SPAN_SHIFT;

    private final long[][][] top;
    private final int length;

    private LongDirectory(final long[][][] top, final int length)
    {
        this.top = top;
        this.length = length;
    }

    /**
     * A directory whose entries all hold one value.
     *
     * @param length entries.
     * @param fill   the value of every entry.
     * @return the directory.
     */
    static LongDirectory filled(final int length, final long fill)
    {
        final long[][][] top = new long[(length + SPAN - 1) >>> SPAN_SHIFT][][];
        Arrays.fill(top, filledMid(fill));
        return new LongDirectory(top, length);
    }

    int length()
    {
        return length;
    }

    long get(final int index)
    {
        return top[index >>> SPAN_SHIFT][(index >>> LEAF_SHIFT) & MID_MASK][index & LEAF_MASK];
    }

    Editor edit(final long fill)
    {
        return new Editor(this, fill);
    }

    private static long[][] filledMid(final long fill)
    {
        final long[] leaf = new long[LEAF_SIZE];
        Arrays.fill(leaf, fill);
        final long[][] mid = new long[MID_SIZE][];
        Arrays.fill(mid, leaf);
        return mid;
    }

    /**
     * Derives a new directory; the one it started from is never changed.
     */
    static final class Editor
    {
        private final long fill;
        private long[][][] top;
        /** Per top entry: null while its mid node is shared, else which of that node's leaves are this editor's. */
        private boolean[][] copiedLeaves;
        private int length;

        private Editor(final LongDirectory from, final long fill)
        {
            this.fill = fill;
            this.top = from.top.clone();
            this.copiedLeaves = new boolean[top.length][];
            this.length = from.length;
        }

        long get(final int index)
        {
            return index < length ? top[index >>> SPAN_SHIFT][(index >>> LEAF_SHIFT) & MID_MASK][index & LEAF_MASK] :
                fill;
        }

        int length()
        {
            return length;
        }

        void set(final int index, final long value)
        {
            if (index >= length)
            {
                grow(index + 1);
            }
            final int t = index >>> SPAN_SHIFT;
            boolean[] copied = copiedLeaves[t];
            if (copied == null)
            {
                top[t] = top[t].clone();
                copied = new boolean[MID_SIZE];
                copiedLeaves[t] = copied;
            }
            final long[][] mid = top[t];
            final int m = (index >>> LEAF_SHIFT) & MID_MASK;
            if (!copied[m])
            {
                mid[m] = mid[m].clone();
                copied[m] = true;
            }
            mid[m][index & LEAF_MASK] = value;
        }

        LongDirectory build()
        {
            return new LongDirectory(top, length);
        }

        private void grow(final int minLength)
        {
            if (minLength > Integer.MAX_VALUE - SPAN)
            {
                throw new IllegalArgumentException("directory index out of range: index=" + (minLength - 1));
            }
            final int newLength = (int)Math.min(Integer.MAX_VALUE - SPAN, Math.max(minLength, length + (length >>> 1)));
            final int topCount = (newLength + SPAN - 1) >>> SPAN_SHIFT;
            if (topCount > top.length)
            {
                final int oldCount = top.length;
                top = Arrays.copyOf(top, topCount);
                copiedLeaves = Arrays.copyOf(copiedLeaves, topCount);
                for (int t = oldCount; t < topCount; t++)
                {
                    top[t] = filledMid(fill); // this editor's; its one leaf is shared, so copied on first write
                    copiedLeaves[t] = new boolean[MID_SIZE];
                }
            }
            length = newLength;
        }
    }
}
