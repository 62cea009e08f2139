package io.daxrmap.index;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * Layout of the root of one owner's forward map: its chunks in file offset order, each chunk an
 * {@link ExtentsDescriptor} block of at most {@link #CHUNK_EXTENTS} extents, stored in an {@link Arena} block.
 * <pre>
 *   0                   4                   8
 *  +-------------------+-------------------+
 *  | chunk count       | checksum          |  header, {@link #HEADER_LENGTH} bytes
 *  +-------------------+-------------------+
 *  | file offset of the chunk's first extent |  chunk 0, {@link #ENTRY_LENGTH} bytes
 *  +---------------------------------------+
 *  | chunk block address                   |
 *  +---------------------------------------+
 *  | ... chunk 1 .. count-1                |
 * </pre>
 * A chunk is never empty, and the chunks' extents taken in order are the owner's canonical extent list: a mutation
 * copies the root and the chunks it touches, not the whole map.
 * <p>
 * Where a chunk ends depends on its extents' content ({@link #endsChunk}), not on their position in the list, so two
 * clones of one file cut their maps at the same extents, apart from a few near their own writes: a bulk load stores
 * each distinct chunk once and the clones' roots share it ({@link SharedChunks}).
 */
final class ForwardRootDescriptor
{
    /** The most extents a chunk holds when written. */
    static final int CHUNK_EXTENTS = 32;
    /** Chunks end where {@link #endsChunk} says, one extent in this many on average. */
    static final int AVERAGE_CHUNK_EXTENTS = 16;

    static final ByteOrder BYTE_ORDER = ByteOrder.LITTLE_ENDIAN;

    static final int COUNT_OFFSET = 0;
    static final int CHECKSUM_OFFSET = COUNT_OFFSET + Integer.BYTES;
    static final int HEADER_LENGTH = CHECKSUM_OFFSET + Integer.BYTES;

    static final int FIRST_OFFSET = 0;
    static final int ADDRESS_OFFSET = FIRST_OFFSET + Long.BYTES;
    static final int ENTRY_LENGTH = ADDRESS_OFFSET + Long.BYTES;

    private ForwardRootDescriptor()
    {
    }

    /**
     * Whether a chunk that holds this extent ends after it: a hash of the extent's file and device offsets, true
     * for one extent in {@link #AVERAGE_CHUNK_EXTENTS}.
     *
     * @param fileOffset   the extent's first file byte.
     * @param deviceOffset the extent's first device byte.
     * @return whether the chunk ends here (or earlier, at {@link #CHUNK_EXTENTS}).
     */
    static boolean endsChunk(final long fileOffset, final long deviceOffset)
    {
        final long h = (fileOffset ^ deviceOffset * 0xC2B2AE3D27D4EB4FL) * 0x9E3779B97F4A7C15L;
        return (h >>> (Long.SIZE - Integer.numberOfTrailingZeros(AVERAGE_CHUNK_EXTENTS))) == 0;
    }

    static int length(final int count)
    {
        return HEADER_LENGTH + count * ENTRY_LENGTH;
    }

    static int count(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + COUNT_OFFSET, BYTE_ORDER);
    }

    static long first(final DirectBuffer buffer, final int offset, final int chunk)
    {
        return buffer.getLong(offset + HEADER_LENGTH + chunk * ENTRY_LENGTH + FIRST_OFFSET, BYTE_ORDER);
    }

    static long address(final DirectBuffer buffer, final int offset, final int chunk)
    {
        return buffer.getLong(offset + HEADER_LENGTH + chunk * ENTRY_LENGTH + ADDRESS_OFFSET, BYTE_ORDER);
    }

    static void count(final MutableDirectBuffer buffer, final int offset, final int count)
    {
        buffer.putInt(offset + COUNT_OFFSET, count, BYTE_ORDER);
        buffer.putInt(offset + CHECKSUM_OFFSET, 0, BYTE_ORDER);
    }

    static void entry(
        final MutableDirectBuffer buffer, final int offset, final int chunk, final long first, final long address)
    {
        final int at = offset + HEADER_LENGTH + chunk * ENTRY_LENGTH;
        buffer.putLong(at + FIRST_OFFSET, first, BYTE_ORDER);
        buffer.putLong(at + ADDRESS_OFFSET, address, BYTE_ORDER);
    }

    /**
     * The chunk that holds a file offset's extent if any: the last chunk whose first extent starts at or before it,
     * or chunk 0.
     *
     * @param buffer     slab buffer.
     * @param offset     root block offset in the slab.
     * @param fileOffset file offset.
     * @return the chunk index.
     */
    static int chunkFor(final DirectBuffer buffer, final int offset, final long fileOffset)
    {
        int low = 0;
        int high = count(buffer, offset) - 1;
        while (low < high)
        {
            final int mid = (low + high + 1) >>> 1;
            if (first(buffer, offset, mid) <= fileOffset)
            {
                low = mid;
            }
            else
            {
                high = mid - 1;
            }
        }
        return Math.max(low, 0);
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
