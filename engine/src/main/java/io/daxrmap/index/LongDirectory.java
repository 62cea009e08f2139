package io.daxrmap.index;

import java.util.Arrays;

/**
 * An immutable array of {@code long}s, stored as a three-level trie (a top array of mid nodes, each of leaves), changed
 * by copying only the path to each entry that changes.
 * <p>
 * It maps stripe numbers to stripe addresses and owner ids to forward map addresses. A snapshot holds one; the writer
 * derives the next one through an {@link Editor}, which copies the top array once and each touched mid node and leaf
 * once. A batch of one operation changes a few entries, so what it copies is about the sum of the three levels' sizes,
 * and the shape is chosen from the length the directory is created with ({@link #leafShift(int)}, {@link #midShift(int)}):
 * <ul>
 *     <li>Leaves are small (64 entries, 512 bytes) unless that would put more than 2^14 leaves under the mid nodes
 *     (counted for the power of two above the length, so a length of exactly 2^20 already gets leaves of 128).
 *     Page queries load the top and mid nodes and then the leaf, the one miss; the references to the leaves must stay
 *     in the cache, so the stripes of 10^8 records (7.4 million) keep leaves of 256 entries (29,000 references;
 *     leaves of 128 made their page queries slower).</li>
 *     <li>Mid nodes hold 128 to 1,024 leaves, the fewest that keep the top array no larger than one mid node: at 10^8
 *     records the top array over mid nodes of 64 leaves was 1.8 KB, copied by every batch.</li>
 * </ul>
 * A directory keeps its shape as it grows (the forward maps' directory starts empty: small leaves, mid nodes of 128).
 */
final class LongDirectory
{
    static final int MIN_LEAF_SHIFT = 6;
    static final int MAX_LEAF_SHIFT = 8;
    static final int MIN_MID_SHIFT = 7;
    static final int MAX_MID_SHIFT = 10;
    /** log2 of the most leaves a directory's mid nodes may hold together before its leaves grow. */
    static final int LEAF_REFERENCES_SHIFT = 14;
    /** The most entries under one mid node of any shape: lengths are rounded up to a node's span. */
    static final int MAX_SPAN = 1 << (MAX_LEAF_SHIFT + MAX_MID_SHIFT);

    private final long[][][] top;
    private final int length;
    private final int leafShift;
    private final int leafMask;
    private final int midMask;
    /** log2 of the entries under one mid node. */
    private final int spanShift;

    private LongDirectory(final long[][][] top, final int length, final int leafShift, final int midShift)
    {
        this.top = top;
        this.length = length;
        this.leafShift = leafShift;
        this.leafMask = (1 << leafShift) - 1;
        this.midMask = (1 << midShift) - 1;
        this.spanShift = leafShift + midShift;
    }

    /**
     * log2 of the leaf size of a directory created with this length.
     */
    static int leafShift(final int length)
    {
        final int bits = 32 - Integer.numberOfLeadingZeros(length);
        return Math.max(MIN_LEAF_SHIFT, Math.min(MAX_LEAF_SHIFT, bits - LEAF_REFERENCES_SHIFT));
    }

    /**
     * log2 of the leaves under one mid node of a directory created with this length.
     */
    static int midShift(final int length)
    {
        final int bits = 32 - Integer.numberOfLeadingZeros(length);
        return Math.max(MIN_MID_SHIFT, Math.min(MAX_MID_SHIFT, (bits - leafShift(length) + 1) / 2));
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
        final int leafShift = leafShift(length);
        final int midShift = midShift(length);
        final int spanShift = leafShift + midShift;
        final long[][][] top = new long[(int)((length + (1L << spanShift) - 1) >>> spanShift)][][];
        Arrays.fill(top, filledMid(fill, leafShift, midShift));
        return new LongDirectory(top, length, leafShift, midShift);
    }

    int length()
    {
        return length;
    }

    long get(final int index)
    {
        return top[index >>> spanShift][(index >>> leafShift) & midMask][index & leafMask];
    }

    /**
     * log2 of the entries of one leaf.
     */
    int leafShift()
    {
        return leafShift;
    }

    /**
     * log2 of the leaves under one mid node.
     */
    int midShift()
    {
        return spanShift - leafShift;
    }

    Editor edit(final long fill)
    {
        return new Editor(this, fill);
    }

    private static long[][] filledMid(final long fill, final int leafShift, final int midShift)
    {
        final long[] leaf = new long[1 << leafShift];
        Arrays.fill(leaf, fill);
        final long[][] mid = new long[1 << midShift][];
        Arrays.fill(mid, leaf);
        return mid;
    }

    /**
     * Derives a new directory; the one it started from is never changed.
     */
    static final class Editor
    {
        private final long fill;
        private final int leafShift;
        private final int midShift;
        private final int leafMask;
        private final int midMask;
        private final int spanShift;
        private long[][][] top;
        /** Per top entry: null while its mid node is shared, else which of that node's leaves are this editor's. */
        private boolean[][] copiedLeaves;
        private int length;

        private Editor(final LongDirectory from, final long fill)
        {
            this.fill = fill;
            this.leafShift = from.leafShift;
            this.midShift = from.spanShift - from.leafShift;
            this.leafMask = from.leafMask;
            this.midMask = from.midMask;
            this.spanShift = from.spanShift;
            this.top = from.top.clone();
            this.copiedLeaves = new boolean[top.length][];
            this.length = from.length;
        }

        long get(final int index)
        {
            return index < length ? top[index >>> spanShift][(index >>> leafShift) & midMask][index & leafMask] : fill;
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
            final int t = index >>> spanShift;
            boolean[] copied = copiedLeaves[t];
            if (copied == null)
            {
                top[t] = top[t].clone();
                copied = new boolean[1 << midShift];
                copiedLeaves[t] = copied;
            }
            final long[][] mid = top[t];
            final int m = (index >>> leafShift) & midMask;
            if (!copied[m])
            {
                mid[m] = mid[m].clone();
                copied[m] = true;
            }
            mid[m][index & leafMask] = value;
        }

        LongDirectory build()
        {
            return new LongDirectory(top, length, leafShift, midShift);
        }

        private void grow(final int minLength)
        {
            if (minLength > Integer.MAX_VALUE - MAX_SPAN)
            {
                throw new IllegalArgumentException("directory index out of range: index=" + (minLength - 1));
            }
            final int newLength =
                (int)Math.min(Integer.MAX_VALUE - MAX_SPAN, Math.max(minLength, length + (length >>> 1)));
            final int topCount = (int)((newLength + (1L << spanShift) - 1) >>> spanShift);
            if (topCount > top.length)
            {
                final int oldCount = top.length;
                top = Arrays.copyOf(top, topCount);
                copiedLeaves = Arrays.copyOf(copiedLeaves, topCount);
                for (int t = oldCount; t < topCount; t++)
                {
                    // this editor's; its one leaf is shared, so copied on first write
                    top[t] = filledMid(fill, leafShift, midShift);
                    copiedLeaves[t] = new boolean[1 << midShift];
                }
            }
            length = newLength;
        }
    }
}
