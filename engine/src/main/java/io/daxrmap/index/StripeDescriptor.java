package io.daxrmap.index;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * Layout of a stripe: the pieces of one fixed, power-of-two span of the device, stored in an {@link Arena} block.
 * <p>
 * The device is cut into disjoint pieces (elementary segments) where the set of owners is constant; a stripe
 * holds the pieces that start in its span, in device order, and its first piece always starts at the stripe's
 * first byte (a piece crossing a stripe boundary is stored once per stripe). A piece ends where the next one
 * starts, or at the stripe's end. Adjacent pieces of one stripe never hold the same value.
 * <pre>
 *   0                   4                   8
 *  +-------------------+-------------------+
 *  | piece count       | checksum          |  header, {@link #HEADER_LENGTH} bytes
 *  +-------------------+-------------------+
 *  | relative start    | value             |  piece 0, {@link #PIECE_LENGTH} bytes
 *  +-------------------+-------------------+
 *  | delta (file offset - device offset)   |
 *  +---------------------------------------+
 *  | ... piece 1 .. count-1                |
 * </pre>
 * Relative starts are bytes from the stripe's first byte (stripes span at most 2^30 bytes); values are
 * {@link PieceValue}s. Little-endian, native to the machines we run on.
 */
final class StripeDescriptor
{
    static final ByteOrder BYTE_ORDER = ByteOrder.LITTLE_ENDIAN;

    static final int COUNT_OFFSET = 0;
    static final int CHECKSUM_OFFSET = COUNT_OFFSET + Integer.BYTES;
    static final int HEADER_LENGTH = CHECKSUM_OFFSET + Integer.BYTES;

    static final int PIECE_START_OFFSET = 0;
    static final int PIECE_VALUE_OFFSET = PIECE_START_OFFSET + Integer.BYTES;
    static final int PIECE_DELTA_OFFSET = PIECE_VALUE_OFFSET + Integer.BYTES;
    static final int PIECE_LENGTH = PIECE_DELTA_OFFSET + Long.BYTES;

    /** The widest stripe span, so relative starts fit in an int. */
    static final int MAX_SPAN_SHIFT = 30;

    private StripeDescriptor()
    {
    }

    static int length(final int count)
    {
        return HEADER_LENGTH + count * PIECE_LENGTH;
    }

    static int count(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + COUNT_OFFSET, BYTE_ORDER);
    }

    static int relStart(final DirectBuffer buffer, final int offset, final int piece)
    {
        return buffer.getInt(offset + HEADER_LENGTH + piece * PIECE_LENGTH + PIECE_START_OFFSET, BYTE_ORDER);
    }

    static int value(final DirectBuffer buffer, final int offset, final int piece)
    {
        return buffer.getInt(offset + HEADER_LENGTH + piece * PIECE_LENGTH + PIECE_VALUE_OFFSET, BYTE_ORDER);
    }

    static long delta(final DirectBuffer buffer, final int offset, final int piece)
    {
        return buffer.getLong(offset + HEADER_LENGTH + piece * PIECE_LENGTH + PIECE_DELTA_OFFSET, BYTE_ORDER);
    }

    static void count(final MutableDirectBuffer buffer, final int offset, final int count)
    {
        buffer.putInt(offset + COUNT_OFFSET, count, BYTE_ORDER);
        buffer.putInt(offset + CHECKSUM_OFFSET, 0, BYTE_ORDER);
    }

    static void piece(
        final MutableDirectBuffer buffer, final int offset, final int piece, final int relStart, final int value,
        final long delta)
    {
        final int at = offset + HEADER_LENGTH + piece * PIECE_LENGTH;
        buffer.putInt(at + PIECE_START_OFFSET, relStart, BYTE_ORDER);
        buffer.putInt(at + PIECE_VALUE_OFFSET, value, BYTE_ORDER);
        buffer.putLong(at + PIECE_DELTA_OFFSET, delta, BYTE_ORDER);
    }

    /**
     * The piece containing a relative position: the last piece whose relative start is at most {@code rel}.
     *
     * @param buffer slab buffer.
     * @param offset stripe offset in the slab.
     * @param rel    position relative to the stripe's first byte.
     * @return the piece index.
     */
    static int find(final DirectBuffer buffer, final int offset, final int rel)
    {
        final int count = count(buffer, offset);
        if (count <= 8)
        {
            int piece = 0;
            while (piece + 1 < count && relStart(buffer, offset, piece + 1) <= rel)
            {
                piece++;
            }
            return piece;
        }
        int low = 0;
        int high = count - 1;
        while (low < high)
        {
            final int mid = (low + high + 1) >>> 1;
            if (relStart(buffer, offset, mid) <= rel)
            {
                low = mid;
            }
            else
            {
                high = mid - 1;
            }
        }
        return low;
    }

    /**
     * Store the block's checksum; call once every field is written.
     */
    static void seal(final UnsafeBuffer buffer, final int offset)
    {
        BlockChecksum.seal(buffer, offset, length(count(buffer, offset)));
    }

    /**
     * Whether the block's checksum matches its bytes.
     */
    static boolean intact(final UnsafeBuffer buffer, final int offset)
    {
        return BlockChecksum.intact(buffer, offset, length(count(buffer, offset)));
    }
}
