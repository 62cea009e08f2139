package io.daxrmap.index;

import io.daxrmap.model.Owner;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Arrays;

/**
 * The writer's working copy of one stripe during a batch: on-heap arrays, written back to the arena at commit.
 */
final class MutableStripe
{
    private static final long[] NO_KEYS = new long[0];

    final int index;
    final long start;
    final long end;
    int count;
    /**
     * The block whose pieces the arrays hold: the one read, or the one {@link #write} wrote; only while no batch owns
     * the copy ({@link #batch}), for a batch changes the arrays.
     */
    long block;
    /**
     * The number of the batch that owns this copy ({@link WriterCache#takeStripe}), or {@link WriterCache#FREE} once
     * a batch committed it.
     */
    long batch;
    /**
     * The arena bytes of the block the arrays were read from or written to, kept while a batch owns the copy: the
     * batch that commits a change releases them without reading that block again. Stale where {@link #block} is
     * the index's empty stripe, whose bytes no batch releases.
     */
    int blockFootprint;
    int[] rel;
    int[] values;
    long[] deltas;
    /** Scratch of {@link #write(Arena, long[])}: each piece's single owner's key. */
    private long[] keys = NO_KEYS;

    MutableStripe(
        final int index, final long start, final long end, final long block, final DirectBuffer buffer, final int offset)
    {
        this.index = index;
        this.block = block;
        this.start = start;
        this.end = end;
        count = StripeDescriptor.count(buffer, offset);
        blockFootprint = Arena.footprint(StripeDescriptor.blockLength(buffer, offset));
        final int capacity = Math.max(4, count + 4);
        rel = new int[capacity];
        values = new int[capacity];
        deltas = new long[capacity];
        StripeDescriptor.read(buffer, offset, count, rel, values, deltas);
    }

    long pieceStart(final int piece)
    {
        return start + rel[piece];
    }

    long pieceEnd(final int piece)
    {
        return piece + 1 < count ? start + rel[piece + 1] : end;
    }

    /**
     * The piece containing a device offset of this stripe.
     */
    int find(final long position)
    {
        // the last piece starting at or before r (the first starts at 0); halving a window whose one data-dependent
        // choice is a conditional move, where the branch of a classic binary search was mispredicted about every
        // other step: 11% of a one-cycle CoW remap's samples were this search
        final int r = (int)(position - start);
        int low = 0;
        int n = count;
        while (n > 1)
        {
            final int half = n >>> 1;
            low = rel[low + half] <= r ? low + half : low;
            n -= half;
        }
        return low;
    }

    /**
     * Make a piece boundary at a device offset.
     *
     * @param position a device offset in {@code [start, end]}.
     * @return the index of the piece starting at {@code position}, or {@code count} if it is the stripe's end.
     */
    int splitAt(final long position)
    {
        if (position >= end)
        {
            return count;
        }
        final int piece = find(position);
        final int r = (int)(position - start);
        if (rel[piece] == r)
        {
            return piece;
        }
        ensureCapacity(count + 1);
        final int at = piece + 1;
        System.arraycopy(rel, at, rel, at + 1, count - at);
        System.arraycopy(values, at, values, at + 1, count - at);
        System.arraycopy(deltas, at, deltas, at + 1, count - at);
        rel[at] = r;
        values[at] = values[piece];
        deltas[at] = deltas[piece];
        count++;
        return at;
    }

    /**
     * Merge neighbouring pieces that hold the same value.
     */
    void normalize()
    {
        int out = 0;
        for (int i = 1; i < count; i++)
        {
            if (values[i] == values[out] && deltas[i] == deltas[out])
            {
                continue;
            }
            out++;
            rel[out] = rel[i];
            values[out] = values[i];
            deltas[out] = deltas[i];
        }
        count = out + 1;
    }

    /**
     * Write this stripe's pieces into the arena as a new block.
     *
     * @param ownerKeys owner keys by id: those the values name.
     * @return the block's address.
     */
    long write(final Arena arena, final long[] ownerKeys)
    {
        if (!arena.denseBlocks())
        {
            block = write(arena, null, 0, count, rel, values, deltas, null, 0, -1);
        }
        else
        {
            if (keys.length < count)
            {
                keys = new long[rel.length];
            }
            long lowest = Long.MAX_VALUE;
            long highest = -1;
            for (int i = 0; i < count; i++)
            {
                if (PieceValue.isSingle(values[i]))
                {
                    final long owner = ownerKeys[PieceValue.ownerId(values[i])];
                    keys[i] = owner;
                    // a data fork's key is its inode number: kind 0
                    lowest = Math.min(lowest, owner);
                    highest = Math.max(highest, Owner.isFileData(owner) ? owner : Long.MAX_VALUE);
                }
            }
            block = write(arena, null, 0, count, rel, values, deltas, keys, lowest, highest);
        }
        blockFootprint = Arena.footprint(StripeDescriptor.blockLength(arena.buffer(block), Arena.offset(block)));
        return block;
    }

    /**
     * Write a stripe block of {@code count} pieces into the arena, narrow where its pieces fit, and keyed (the single
     * owners' inode numbers inline) where the arena's format has keyed stripes, the stripe is narrow and every single
     * owner is a data fork; sealed if the arena {@link Arena#sealsBlocks seals blocks}.
     *
     * @param placer where stripes written in number order go ({@link StripePlacement.Writer}), or null for the
     *               arena's next bytes.
     * @param stripe the stripe's number, for the placer.
     * @param keys   the owner key of each piece whose value is a single reference; what the others hold is not read.
     * @return the block's address.
     */
    static long write(
        final Arena arena, final StripePlacement.Writer placer, final int stripe, final int count, final int[] rel,
        final int[] values, final long[] deltas, final long[] keys)
    {
        long lowest = Long.MAX_VALUE;
        long highest = -1;
        if (arena.denseBlocks())
        {
            for (int i = 0; i < count; i++)
            {
                if (PieceValue.isSingle(values[i]))
                {
                    final long owner = keys[i];
                    lowest = Math.min(lowest, owner);
                    highest = Math.max(highest, Owner.isFileData(owner) ? owner : Long.MAX_VALUE);
                }
            }
        }
        return write(arena, placer, stripe, count, rel, values, deltas, keys, lowest, highest);
    }

    /**
     * {@link #write(Arena, StripePlacement.Writer, int, int, int[], int[], long[], long[])} with the bounds of the
     * single owners' keys found: keyed if {@code highest} is a data fork's key (no single owner is another kind:
     * theirs are larger, and make it {@link Long#MAX_VALUE}), unkeyed if it is -1 (no single owner, or not keyed in
     * this arena).
     */
    private static long write(
        final Arena arena, final StripePlacement.Writer placer, final int stripe, final int count, final int[] rel,
        final int[] values, final long[] deltas, final long[] keys, final long lowest, final long highest)
    {
        final int inodeBytes = highest < 0 || !Owner.isFileData(highest) ? 0 :
            Math.max(1, (Long.SIZE - Long.numberOfLeadingZeros(highest - lowest) + Byte.SIZE - 1) / Byte.SIZE);
        final int header = StripeDescriptor.header(count, rel, deltas, inodeBytes);
        final int length = StripeDescriptor.lengthOfHeader(header);
        final long address = placer == null ? arena.allocate(length) : placer.allocate(stripe, length);
        final UnsafeBuffer buffer = arena.buffer(address);
        final int offset = Arena.offset(address);
        StripeDescriptor.write(buffer, offset, header, rel, values, deltas, keys, lowest);
        if (arena.sealsBlocks())
        {
            StripeDescriptor.seal(buffer, offset);
        }
        return address;
    }

    private void ensureCapacity(final int capacity)
    {
        if (capacity > rel.length)
        {
            final int newCapacity = Math.max(capacity, rel.length * 2);
            rel = Arrays.copyOf(rel, newCapacity);
            values = Arrays.copyOf(values, newCapacity);
            deltas = Arrays.copyOf(deltas, newCapacity);
        }
    }
}
