package io.daxrmap.index;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * A flyweight over the pieces of one snapshot, in device order, crossing stripes. Not thread-safe; no allocation.
 */
final class PieceCursor
{
    private Snapshot snapshot;
    private int stripe;
    private UnsafeBuffer buffer;
    private int offset;
    private int count;
    private int header;
    private int piece;
    private long stripeStart;
    private long stripeEnd;
    /** What {@link StripePlacement#touch} read, kept so that its loads are not dropped (and for tests). */
    int touched;

    void snapshot(final Snapshot snapshot)
    {
        this.snapshot = snapshot;
        this.buffer = null;
    }

    /**
     * Position on the piece that contains a device offset.
     */
    void seek(final long position)
    {
        // the lines where the stripe is predicted, loaded before its directory entry: the two misses overlap
        touched = snapshot.placement.touch(snapshot.slabs, (int)(position >>> snapshot.stripeShift));
        seekLoaded(position);
    }

    /**
     * {@link #seek} for a caller that has loaded the stripe's lines itself: no prediction.
     */
    void seekLoaded(final long position)
    {
        load((int)(position >>> snapshot.stripeShift));
        piece = StripeDescriptor.find(buffer, offset, (int)(position - stripeStart));
    }

    void copyFrom(final PieceCursor other)
    {
        snapshot = other.snapshot;
        stripe = other.stripe;
        buffer = other.buffer;
        offset = other.offset;
        count = other.count;
        header = other.header;
        piece = other.piece;
        stripeStart = other.stripeStart;
        stripeEnd = other.stripeEnd;
    }

    long start()
    {
        return stripeStart + StripeDescriptor.relStart(buffer, offset, piece);
    }

    long end()
    {
        return piece + 1 < count ? stripeStart + StripeDescriptor.relStart(buffer, offset, piece + 1) : stripeEnd;
    }

    int value()
    {
        return StripeDescriptor.value(buffer, offset, piece);
    }

    long delta()
    {
        return StripeDescriptor.delta(buffer, offset, piece);
    }

    /**
     * Whether the stripe holds the inode numbers of its single owners ({@link StripeDescriptor#KEYED}): each is a
     * data fork's, and {@link #inode} tells it.
     */
    boolean keyed()
    {
        return StripeDescriptor.keyed(header);
    }

    /**
     * The inode number of the piece's single owner, in a {@link #keyed} stripe.
     */
    long inode()
    {
        return StripeDescriptor.inode(buffer, offset, header, piece);
    }

    /**
     * Move to the next piece.
     *
     * @return false at the device's end (the cursor stays on the last piece).
     */
    boolean next()
    {
        if (piece + 1 < count)
        {
            piece++;
            return true;
        }
        if (stripe + 1 < snapshot.stripeCount())
        {
            load(stripe + 1);
            piece = 0;
            return true;
        }
        return false;
    }

    /**
     * Move to the previous piece.
     *
     * @return false at the device's start (the cursor stays on the first piece).
     */
    boolean previous()
    {
        if (piece > 0)
        {
            piece--;
            return true;
        }
        if (stripe > 0)
        {
            load(stripe - 1);
            piece = count - 1;
            return true;
        }
        return false;
    }

    private void load(final int stripeIndex)
    {
        final long address = snapshot.stripeAddress(stripeIndex);
        stripe = stripeIndex;
        buffer = snapshot.buffer(address);
        offset = Arena.offset(address);
        count = StripeDescriptor.count(buffer, offset);
        header = StripeDescriptor.header(buffer, offset);
        stripeStart = snapshot.stripeStart(stripeIndex);
        stripeEnd = snapshot.stripeEnd(stripeIndex);
    }
}
