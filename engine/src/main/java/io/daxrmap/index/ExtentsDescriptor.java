package io.daxrmap.index;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * Layout of one chunk of an owner's forward map (see {@link ForwardRootDescriptor}): extents in file offset order,
 * stored in an {@link Arena} block.
 * <pre>
 *   0                   4                   8
 *  +-------------------+-------------------+
 *  | extent count      | checksum          |  header, {@link #HEADER_LENGTH} bytes
 *  +-------------------+-------------------+
 *  | file offset                           |  extent 0, {@link #EXTENT_LENGTH} bytes
 *  +---------------------------------------+
 *  | device offset                         |
 *  +---------------------------------------+
 *  | flags (8 bits) | length (56 bits)     |
 *  +---------------------------------------+
 *  | ... extent 1 .. count-1               |
 * </pre>
 * Extents do not overlap in the file and are canonical across the owner's chunks: two neighbours contiguous in file
 * and device with the same flags are one extent.
 */
final class ExtentsDescriptor
{
    static final ByteOrder BYTE_ORDER = ByteOrder.LITTLE_ENDIAN;

    static final int COUNT_OFFSET = 0;
    static final int CHECKSUM_OFFSET = COUNT_OFFSET + Integer.BYTES;
    static final int HEADER_LENGTH = CHECKSUM_OFFSET + Integer.BYTES;

    static final int FILE_OFFSET_OFFSET = 0;
    static final int DEVICE_OFFSET_OFFSET = FILE_OFFSET_OFFSET + Long.BYTES;
    static final int LENGTH_FLAGS_OFFSET = DEVICE_OFFSET_OFFSET + Long.BYTES;
    static final int EXTENT_LENGTH = LENGTH_FLAGS_OFFSET + Long.BYTES;

    static final int FLAGS_SHIFT = 56;
    static final long LENGTH_MASK = (1L << FLAGS_SHIFT) - 1;

    private ExtentsDescriptor()
    {
    }

    static int length(final int count)
    {
        return HEADER_LENGTH + count * EXTENT_LENGTH;
    }

    static int count(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + COUNT_OFFSET, BYTE_ORDER);
    }

    static long fileOffset(final DirectBuffer buffer, final int offset, final int extent)
    {
        return buffer.getLong(offset + HEADER_LENGTH + extent * EXTENT_LENGTH + FILE_OFFSET_OFFSET, BYTE_ORDER);
    }

    static long deviceOffset(final DirectBuffer buffer, final int offset, final int extent)
    {
        return buffer.getLong(offset + HEADER_LENGTH + extent * EXTENT_LENGTH + DEVICE_OFFSET_OFFSET, BYTE_ORDER);
    }

    static long length(final DirectBuffer buffer, final int offset, final int extent)
    {
        return lengthAndFlags(buffer, offset, extent) & LENGTH_MASK;
    }

    static int flags(final DirectBuffer buffer, final int offset, final int extent)
    {
        return (int)(lengthAndFlags(buffer, offset, extent) >>> FLAGS_SHIFT);
    }

    static void count(final MutableDirectBuffer buffer, final int offset, final int count)
    {
        buffer.putInt(offset + COUNT_OFFSET, count, BYTE_ORDER);
        buffer.putInt(offset + CHECKSUM_OFFSET, 0, BYTE_ORDER);
    }

    static void extent(
        final MutableDirectBuffer buffer, final int offset, final int extent, final long fileOffset,
        final long deviceOffset, final long length, final int flags)
    {
        final int at = offset + HEADER_LENGTH + extent * EXTENT_LENGTH;
        buffer.putLong(at + FILE_OFFSET_OFFSET, fileOffset, BYTE_ORDER);
        buffer.putLong(at + DEVICE_OFFSET_OFFSET, deviceOffset, BYTE_ORDER);
        buffer.putLong(at + LENGTH_FLAGS_OFFSET, length | (long)flags << FLAGS_SHIFT, BYTE_ORDER);
    }

    /**
     * The first extent that ends after a file offset, or {@code count} if none.
     *
     * @param buffer     slab buffer.
     * @param offset     block offset in the slab.
     * @param fileOffset file offset.
     * @return the extent index.
     */
    static int firstEndingAfter(final DirectBuffer buffer, final int offset, final long fileOffset)
    {
        int low = 0;
        int high = count(buffer, offset);
        while (low < high)
        {
            final int mid = (low + high) >>> 1;
            if (fileOffset(buffer, offset, mid) + length(buffer, offset, mid) <= fileOffset)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }
        return low;
    }

    private static long lengthAndFlags(final DirectBuffer buffer, final int offset, final int extent)
    {
        return buffer.getLong(offset + HEADER_LENGTH + extent * EXTENT_LENGTH + LENGTH_FLAGS_OFFSET, BYTE_ORDER);
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
