package io.daxrmap.index;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * Where a stripe is expected to lie, worked out from its number alone, so that a query can start loading the stripe
 * while it still waits for the stripe's directory entry: two misses in parallel instead of one after the other.
 * <p>
 * The prediction is only ever a hint. Queries read the stripe at the address the directory gives, and a wrong
 * prediction costs a few loads of lines nobody reads. It is right where the stripes were written in number order with
 * {@link Writer}: bulk loads and compactions. A batch writes the stripes it changes elsewhere, and those stay
 * mispredicted until the next compaction; where it moved or emptied a region's first stripe, the next derivation (a
 * reopen, a reader in another process opening) finds no marker there, and the whole region goes unpredicted until
 * the next compaction. Runs of empty stripes inside a region take slots too, which free space is not yet in the
 * stride for: the stripes after a run longer than the padding allowed so far lie behind their slots, mispredicted,
 * until the allowance, which grows with the region's bytes, covers the gap again (or, for a run longer than the
 * whole region allows, to the region's end).
 * <p>
 * The writer lays each region of {@value #REGION_STRIPES} consecutive stripes out from its first stripe (the anchor) at
 * a fixed stride: stripe {@code i} goes at {@code anchor + (i - first) * stride} unless the stripes before it already
 * reach past there, in which case it follows them. The stride is the previous region's mean footprint plus a sixteenth,
 * so most stripes start on their predicted address or a little after it. The padding costs about a sixteenth of the
 * stripes' bytes where they take a few hundred bytes each (unshared devices), about an eighth where they take 25-30
 * (the clone datasets: the stride's rounding to 4 bytes and the empty stripes' slots besides), and never more than a
 * quarter of a region's bytes and two strides ({@link Writer}). The stride is written in the 4 bytes before the anchor
 * ({@link #MARKER}), which no block covers; {@link #derive} reads it back after a bulk load, a compaction, or a reopen.
 * Bytes that only look like a marker (before an anchor some batch moved) give a wrong prediction, nothing worse.
 * <p>
 * Immutable once built; a snapshot holds one and readers share it.
 */
final class StripePlacement
{
    /** log2 of the stripes of one region, all placed from one anchor at one stride. */
    static final int REGION_SHIFT = 10;
    static final int REGION_STRIPES = 1 << REGION_SHIFT;
    private static final int REGION_MASK = REGION_STRIPES - 1;
    /** Lines loaded from a predicted address: the header and the piece starts, and the records a search lands on. */
    static final int WINDOW_LINES = 5;
    private static final int LINE = 64;
    private static final int WINDOW = WINDOW_LINES * LINE;
    /** The largest stride an entry holds; a region of larger stripes gets it, and is mostly mispredicted. */
    private static final int MAX_STRIDE = 0xFFFF;
    /** The upper half of the int before a region's anchor: its lower half is the region's stride. */
    static final int MARKER = 0xD5A7;
    static final int MARKER_LENGTH = Integer.BYTES;
    /** The largest slab an entry names; stripes in slabs past it are not predicted. */
    private static final int MAX_SLAB = 0xFFFF;

    /** No stripe predicted: an index too small to need it. */
    static final StripePlacement NONE = new StripePlacement(new long[0], true);
    /** No stripe predicted, for every stripe is empty: a bulk load may still lay them out. */
    private static final StripePlacement EMPTY = new StripePlacement(new long[0], false);

    /**
     * Per region: the slab (bits 48-63), the stride (bits 32-47, zero for a region not predicted) and the slab offset
     * where the region's stripe 0 would lie (bits 0-31, signed: before the anchor when the region's first stripes are
     * empty).
     */
    private final long[] regions;
    private final boolean settled;

    private StripePlacement(final long[] regions, final boolean settled)
    {
        this.regions = regions;
        this.settled = settled;
    }

    /**
     * Whether the placement of the index's stripes stays what this says until the next compaction: true once any
     * stripe is not empty, for only a bulk load lays stripes out and only into an empty index. A reader following
     * another process's batches derives the placement anew only while this is false. (An index that batches emptied
     * and a bulk load refilled keeps its first placement there, mispredicted until a compaction.)
     *
     * @return whether it is settled.
     */
    boolean settled()
    {
        return settled;
    }

    /**
     * Read the placement back from a directory of stripes.
     *
     * @param stripes     the stripe directory.
     * @param count       stripes in it.
     * @param emptyStripe the block every empty stripe names, placed by no writer.
     * @param slabs       the slabs the directory's addresses lie in.
     * @return the placement: {@link #NONE} for an index of fewer stripes than one region, one that is not
     * {@link #settled} if every stripe is empty.
     */
    static StripePlacement derive(
        final LongDirectory stripes, final int count, final long emptyStripe, final UnsafeBuffer[] slabs)
    {
        if (count < REGION_STRIPES)
        {
            return NONE; // a small index stays in the caches: nothing to hide
        }
        final long[] regions = new long[(count + REGION_MASK) >>> REGION_SHIFT];
        boolean any = false;
        for (int r = 0; r < regions.length; r++)
        {
            final int from = r << REGION_SHIFT;
            final int to = Math.min(count, (r + 1) << REGION_SHIFT);
            int first = from;
            while (first < to && stripes.get(first) == emptyStripe)
            {
                first++;
            }
            if (first < to)
            {
                any = true;
                regions[r] = deriveRegion(stripes.get(first), first - from, slabs);
            }
        }
        return any ? new StripePlacement(regions, true) : EMPTY;
    }

    /**
     * A region's entry from its anchor, the first stripe that is not empty, {@code first} stripes into the region.
     */
    private static long deriveRegion(final long anchor, final int first, final UnsafeBuffer[] slabs)
    {
        final int slab = Arena.slab(anchor);
        final int anchorOffset = Arena.offset(anchor);
        // a reopened directory is read before its blocks are checked: an address outside the slabs (a negative one
        // too) predicts nothing
        if (anchor < 0 || slab >= slabs.length || slab > MAX_SLAB || slabs[slab] == null ||
            anchorOffset < MARKER_LENGTH || anchorOffset > slabs[slab].capacity())
        {
            return 0;
        }
        final int marker = slabs[slab].getInt(anchorOffset - MARKER_LENGTH);
        final long stride = marker & MAX_STRIDE;
        if (marker >>> 16 != MARKER || stride == 0)
        {
            return 0;
        }
        // at least -67 M (a region's first stripes empty): an int, and so is every prediction or it wraps negative
        final long zero = anchorOffset - first * stride;
        return (long)slab << 48 | stride << 32 | (zero & 0xFFFF_FFFFL);
    }

    /**
     * Load the lines where a stripe is predicted to lie, and fold them into a value the caller keeps (a load whose
     * value nobody keeps may be dropped by the compiler).
     *
     * @param slabs  the snapshot's slabs.
     * @param stripe the stripe's number.
     * @return a value of the lines, or 0 for a stripe not predicted.
     */
    int touch(final UnsafeBuffer[] slabs, final int stripe)
    {
        final int region = stripe >>> REGION_SHIFT;
        if (region >= regions.length)
        {
            return 0;
        }
        final long entry = regions[region];
        if ((entry >>> 32 & MAX_STRIDE) == 0)
        {
            return 0;
        }
        final UnsafeBuffer slab = slabs[(int)(entry >>> 48)];
        final int at = offset(entry, stripe);
        if (at < 0 || at > slab.capacity() - WINDOW)
        {
            return 0;
        }
        return slab.getByte(at) + slab.getByte(at + LINE) + slab.getByte(at + 2 * LINE) + slab.getByte(at + 3 * LINE) +
            slab.getByte(at + 4 * LINE);
    }

    /**
     * Whether a block lies where a query loads its stripe from the prediction: its first line among those
     * {@link #touch} loads, which loads none where they would cross the slab's end.
     *
     * @param slabs   the snapshot's slabs.
     * @param stripe  the stripe's number.
     * @param address the block the directory names for it.
     * @return whether the prediction finds it.
     */
    boolean holds(final UnsafeBuffer[] slabs, final int stripe, final long address)
    {
        final long predicted = predicted(stripe);
        if (predicted < 0 || Arena.slab(address) != Arena.slab(predicted) || Arena.slab(predicted) >= slabs.length)
        {
            return false;
        }
        final UnsafeBuffer slab = slabs[Arena.slab(predicted)];
        if (slab == null || Arena.offset(predicted) > slab.capacity() - WINDOW)
        {
            return false;
        }
        final int line = Arena.offset(predicted) & -LINE;
        final int offset = Arena.offset(address);
        return offset >= line && offset + LINE <= line + WINDOW;
    }

    /**
     * How many stripes of a directory lie where this predicts them ({@link #holds}): the empty ones are not counted.
     *
     * @param stripes     the stripe directory.
     * @param count       stripes in it.
     * @param emptyStripe the block every empty stripe names.
     * @param slabs       the slabs the directory's blocks lie in.
     * @return the stripes placed.
     */
    int placed(final LongDirectory stripes, final int count, final long emptyStripe, final UnsafeBuffer[] slabs)
    {
        if (regions.length == 0)
        {
            return 0;
        }
        int placed = 0;
        for (int s = 0; s < count; s++)
        {
            final long address = stripes.get(s);
            if (address != emptyStripe && holds(slabs, s, address))
            {
                placed++;
            }
        }
        return placed;
    }

    /**
     * The predicted address of a stripe: what {@link #holds} measures against, and for tests.
     *
     * @param stripe the stripe's number.
     * @return the address (its offset may lie past the slab's end), or -1 if it is not predicted.
     */
    long predicted(final int stripe)
    {
        final int region = stripe >>> REGION_SHIFT;
        if (region >= regions.length || (regions[region] >>> 32 & MAX_STRIDE) == 0)
        {
            return -1;
        }
        final long entry = regions[region];
        final int at = offset(entry, stripe);
        return at < 0 ? -1 : (entry >>> 48) << 32 | at;
    }

    /**
     * A stripe's predicted slab offset from its region's entry; negative where it lies before the slab or wraps past
     * {@link Integer#MAX_VALUE}.
     */
    private static int offset(final long entry, final int stripe)
    {
        return (int)entry + (stripe & REGION_MASK) * ((int)(entry >>> 32) & MAX_STRIDE);
    }

    /**
     * Lays stripes out region by region as {@link StripePlacement} predicts them, in an arena that nothing else
     * allocates from meanwhile. Stripes must come in increasing number.
     */
    static final class Writer
    {
        /**
         * Padding allowed, in sixteenths of the bytes a region's stripes take (and eight strides, so that its first
         * stripes may be padded too): a region of stripes much smaller than the region before it, whose stride is too
         * large for them, is laid out mostly unpadded and mispredicted, not blown up. A quarter, not an eighth: small
         * stripes that vary much (25 bytes, give or take 7, on clones100-1e6) need the stride's rounding to 4 bytes
         * and their empty stripes' slots besides the sixteenth, and with an eighth 64% of them lay before their
         * prediction; with a quarter none do, and the unshared datasets, which never reach the bound, take no more.
         */
        private static final int PAD_SIXTEENTHS = 4;

        private final Arena arena;
        private int region = -1;
        private int slab;
        private int first;
        private int anchorOffset;
        private int stride;
        private long regionBytes;
        private long regionPadding;
        private int regionStripes;
        private long padding;

        Writer(final Arena arena)
        {
            this.arena = arena;
        }

        /**
         * Allocate a stripe's block where its region's layout wants it.
         *
         * @param stripe the stripe's number, above those allocated before.
         * @param length the block's bytes.
         * @return the block's address.
         */
        long allocate(final int stripe, final int length)
        {
            final int footprint = Arena.footprint(length);
            if (stripe >>> REGION_SHIFT != region)
            {
                // the stride of the region before, its mean and a sixteenth: about a sixteenth of padding, and most
                // stripes start where they are predicted or a little after
                stride = regionStripes == 0 ? 0 :
                    (int)Math.min(MAX_STRIDE, (regionBytes + regionBytes / 16) / regionStripes + Arena.ALIGNMENT - 1) &
                        -Arena.ALIGNMENT;
                region = stripe >>> REGION_SHIFT;
                regionBytes = 0;
                regionPadding = 0;
                regionStripes = 0;
                count(footprint);
                if (stride == 0)
                {
                    slab = -1; // not predicted: no padding either
                    return arena.allocate(length);
                }
                // the marker and the anchor in one block, so that they lie side by side in one slab
                final long block = arena.allocate(MARKER_LENGTH + length);
                arena.buffer(block).putInt(Arena.offset(block), MARKER << 16 | stride);
                slab = Arena.slab(block);
                first = stripe;
                anchorOffset = Arena.offset(block) + MARKER_LENGTH;
                padding += MARKER_LENGTH;
                return block + MARKER_LENGTH;
            }
            final long gap = anchorOffset + (long)(stripe - first) * stride - arena.position();
            if (gap > 0 && arena.currentSlab() == slab &&
                (regionPadding + gap) * 16 <= (regionBytes + 8L * stride) * PAD_SIXTEENTHS &&
                arena.skip((int)gap, footprint))
            {
                regionPadding += gap;
                padding += gap;
            }
            count(footprint);
            return arena.allocate(length);
        }

        private void count(final int footprint)
        {
            regionBytes += footprint;
            regionStripes++;
        }

        /**
         * Bytes skipped to place stripes where they are predicted, and the markers: live bytes of the layout, which
         * the index counts as its own until a compaction lays the stripes out anew (a batch that moves a stripe
         * leaves the padding before it counted).
         *
         * @return padding bytes.
         */
        long padding()
        {
            return padding;
        }
    }
}
