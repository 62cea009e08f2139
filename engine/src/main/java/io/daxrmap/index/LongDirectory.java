package io.daxrmap.index;

import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * An immutable array of {@code long}s, stored as a three-level trie (a top array of mid nodes, each of leaves), changed
 * by copying only the path to each entry that changes.
 * <p>
 * It maps stripe numbers to stripe addresses and owner ids to forward map addresses. A snapshot holds one; the writer
 * derives the next one through an {@link Editor}, which copies the top array once and each touched mid node and leaf
 * once. A batch of one operation changes a few entries, so what it copies is about the sum of the three levels' sizes,
 * and the shape is chosen from the length the directory is created with ({@link #leafShift(int)}, {@link #midShift(int)}):
 * <ul>
 *     <li>Leaves are small (16 entries, 152 bytes) unless that would put more than 2^14 leaves under the mid nodes
 *     (counted for the power of two above the length, so a length of exactly 2^20 already gets leaves of 128).
 *     Page queries load the top and mid nodes and then the leaf, the one miss; the references to the leaves must stay
 *     in the cache, so the stripes of 10^8 records (7.4 million) keep leaves of 256 entries (29,000 references;
 *     leaves of 128 made their page queries slower). A batch of one operation allocates little else: with leaves of
 *     64 entries the path copies were 83% of the 4.4 KB that a commit of a one-cycle CoW remap at 10^6 records
 *     allocated, and each kilobyte a commit allocates costs it about 60 ns (the allocation streams through the cache
 *     that holds the writer's working copies).</li>
 *     <li>Mid nodes hold 32 to 1,024 leaves, the fewest that keep the top array no larger than one mid node: at 10^8
 *     records the top array over mid nodes of 64 leaves was 1.8 KB, copied by every batch.</li>
 * </ul>
 * An editor recognises the nodes it copied by a mark in each, instead of keeping a table of them: a leaf holds the
 * generation of the editor that made it in one slot past its entries (a directory's generation is one more than that
 * of the directory its editor started from, and an editor reaches only nodes of earlier generations and its own), and
 * a mid node holds its editor's own marker object in one slot past its leaves. Readers never index either slot.
 * A directory that grows takes the shape of one created at its new length, its entries laid out again when the shape
 * changes: the forward maps' directory starts empty (leaves of 16, mid nodes of 32) and reaches leaves of 128 at 10^8
 * records (1.6 million owners).
 */
final class LongDirectory
{
    static final int MIN_LEAF_SHIFT = 4;
    static final int MAX_LEAF_SHIFT = 8;
    static final int MIN_MID_SHIFT = 5;
    static final int MAX_MID_SHIFT = 10;
    /** log2 of the most leaves a directory's mid nodes may hold together before its leaves grow. */
    static final int LEAF_REFERENCES_SHIFT = 14;
    /** The most entries under one mid node of any shape: lengths are rounded up to a node's span. */
    static final int MAX_SPAN = 1 << (MAX_LEAF_SHIFT + MAX_MID_SHIFT);
    private static final int ARRAY_HEADER = 16;
    private static final int REFERENCE = 4;

    private final long[][][] top;
    private final int length;
    /** One more than the generation of the directory this one's editor started from; 0 for a filled directory. */
    private final long generation;
    private final int leafShift;
    private final int leafMask;
    private final int midMask;
    /** log2 of the entries under one mid node. */
    private final int spanShift;

    private LongDirectory(
        final long[][][] top, final int length, final long generation, final int leafShift, final int midShift)
    {
        this.top = top;
        this.length = length;
        this.generation = generation;
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
        Arrays.fill(top, filledMid(fill, leafShift, midShift, null));
        return new LongDirectory(top, length, 0, leafShift, midShift);
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

    /**
     * A mid node whose leaves are one leaf of the fill, of generation 0 (no editor's): the leaf is copied on the first
     * write under it, and the mid node too unless it carries the writing editor's mark.
     */
    private static long[][] filledMid(final long fill, final int leafShift, final int midShift, final long[] mark)
    {
        final int leafSize = 1 << leafShift;
        final long[] leaf = new long[leafSize + 1];
        Arrays.fill(leaf, 0, leafSize, fill);
        final int midSize = 1 << midShift;
        final long[][] mid = new long[midSize + 1][];
        Arrays.fill(mid, 0, midSize, leaf);
        mid[midSize] = mark;
        return mid;
    }

    /**
     * The heap bytes of this directory's nodes, each counted once (a filled directory's shared ones too), with 16-byte
     * array headers, 4-byte references and 8-byte alignment: for reports, it walks every mid node.
     *
     * @return bytes.
     */
    long bytes()
    {
        final int leafSize = 1 << leafShift;
        final int midSize = midMask + 1;
        final long leafBytes = arrayBytes(Long.BYTES, leafSize + 1);
        final long midBytes = arrayBytes(REFERENCE, midSize + 1);
        long bytes = arrayBytes(REFERENCE, top.length);
        // only nodes no editor made are shared within a directory: a filled directory's one mid node, and the one
        // leaf of the fill under each mid node filled for it (generation 0)
        final Set<Object> shared = Collections.newSetFromMap(new IdentityHashMap<>());
        for (final long[][] mid : top)
        {
            if (mid[midSize] != null || shared.add(mid))
            {
                bytes += midBytes;
                for (int m = 0; m < midSize; m++)
                {
                    if (mid[m][leafSize] != 0 || shared.add(mid[m]))
                    {
                        bytes += leafBytes;
                    }
                }
            }
        }
        return bytes;
    }

    private static long arrayBytes(final int elementBytes, final int elements)
    {
        return ARRAY_HEADER + (long)elementBytes * elements + 7 & -8;
    }

    /**
     * Derives a new directory; the one it started from is never changed.
     */
    static final class Editor
    {
        private final long fill;
        private int leafShift;
        private int midShift;
        private int leafMask;
        private int midMask;
        private int spanShift;
        private int leafSize;
        private int midSize;
        /** The mark of the leaves this editor copied: they are its own to change. */
        private final long generation;
        /** The mark of the mid nodes this editor copied, by identity. */
        private final long[] mark = new long[0];
        private long[][][] top;
        private int length;
        private boolean built;

        private Editor(final LongDirectory from, final long fill)
        {
            this.fill = fill;
            this.generation = from.generation + 1;
            this.top = from.top.clone();
            this.length = from.length;
            shape(from.leafShift, from.spanShift - from.leafShift);
        }

        private void shape(final int leafShift, final int midShift)
        {
            this.leafShift = leafShift;
            this.midShift = midShift;
            this.leafMask = (1 << leafShift) - 1;
            this.midMask = (1 << midShift) - 1;
            this.spanShift = leafShift + midShift;
            this.leafSize = 1 << leafShift;
            this.midSize = 1 << midShift;
        }

        long get(final int index)
        {
            return index < length ? top[index >>> spanShift][(index >>> leafShift) & midMask][index & leafMask] : fill;
        }

        int length()
        {
            return length;
        }

        /**
         * @throws IllegalStateException once {@link #build} gave the nodes to a directory, which must never change.
         */
        void set(final int index, final long value)
        {
            if (built)
            {
                throw new IllegalStateException("directory editor already built");
            }
            if (index >= length)
            {
                grow(index + 1);
            }
            final int t = index >>> spanShift;
            long[][] mid = top[t];
            if (mid[midSize] != mark)
            {
                mid = mid.clone();
                mid[midSize] = mark;
                top[t] = mid;
            }
            final int m = (index >>> leafShift) & midMask;
            long[] leaf = mid[m];
            if (leaf[leafSize] != generation)
            {
                leaf = leaf.clone();
                leaf[leafSize] = generation;
                mid[m] = leaf;
            }
            leaf[index & leafMask] = value;
        }

        /**
         * The directory of this editor's entries; the editor takes no more sets.
         */
        LongDirectory build()
        {
            built = true;
            return new LongDirectory(top, length, generation, leafShift, midShift);
        }

        private void grow(final int minLength)
        {
            if (minLength > Integer.MAX_VALUE - MAX_SPAN)
            {
                throw new IllegalArgumentException("directory index out of range: index=" + (minLength - 1));
            }
            final int newLength =
                (int)Math.min(Integer.MAX_VALUE - MAX_SPAN, Math.max(minLength, length + (length >>> 1)));
            if (leafShift(newLength) != leafShift || midShift(newLength) != midShift)
            {
                reshape(newLength);
                return;
            }
            final int topCount = (int)((newLength + (1L << spanShift) - 1) >>> spanShift);
            if (topCount > top.length)
            {
                final int oldCount = top.length;
                top = Arrays.copyOf(top, topCount);
                for (int t = oldCount; t < topCount; t++)
                {
                    // this editor's; its one leaf is shared, so copied on first write
                    top[t] = filledMid(fill, leafShift, midShift, mark);
                }
            }
            length = newLength;
        }

        /**
         * Lay the entries out again in the shape of a directory created with the new length: one that grows from
         * empty (the forward maps') would otherwise keep the small leaves and mid nodes of its start, and every batch
         * would copy a top array of thousands of mid nodes. Growth is geometric, so the copies add up to a few times
         * the entries.
         */
        private void reshape(final int newLength)
        {
            final long[][][] oldTop = top;
            final int oldLength = length;
            final int oldLeafShift = leafShift;
            final int oldLeafMask = leafMask;
            final int oldMidMask = midMask;
            final int oldSpanShift = spanShift;
            shape(leafShift(newLength), midShift(newLength));
            top = new long[(int)((newLength + (1L << spanShift) - 1) >>> spanShift)][][];
            for (int t = 0; t < top.length; t++)
            {
                top[t] = filledMid(fill, leafShift, midShift, mark);
            }
            length = newLength;
            for (int i = 0; i < oldLength; i++)
            {
                final long value = oldTop[i >>> oldSpanShift][(i >>> oldLeafShift) & oldMidMask][i & oldLeafMask];
                if (value != fill)
                {
                    set(i, value);
                }
            }
        }
    }
}
