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
 *  | format and count  | checksum          |  header, {@link #HEADER_LENGTH} bytes
 *  +-------------------+-------------------+
 *  wide entries ({@link #WIDE_ENTRY_LENGTH} bytes each):
 *  +---------------------------------------+
 *  | file offset of the chunk's first extent |
 *  +---------------------------------------+
 *  | chunk block address                   |
 *  +---------------------------------------+
 *  or narrow entries ({@link #NARROW_ENTRY_LENGTH} bytes each):
 *  +-------------------+-------------------+
 *  | first >>> shift   | packed address    |
 *  +-------------------+-------------------+
 * </pre>
 * The header's first word is the chunk count, with {@link #NARROW} set when the entries are narrow: then bits 19-24
 * hold {@code shift} and bits 25-29 {@code k}, and a packed address is the chunk's slab number shifted left by
 * {@code k}, or'ed with its slab offset divided by {@link Arena#ALIGNMENT}. A root is written narrow whenever its
 * entries fit (file offsets of block-aligned extents below 16 TiB, slabs few enough): half the bytes, which is most
 * of the memory of a clone, whose chunks are shared and whose root is its own.
 * <p>
 * A chunk is never empty, and the chunks' extents taken in order are the owner's canonical extent list: a mutation
 * copies the root and the chunks it touches, not the whole map.
 * <p>
 * Where a chunk ends depends on its extents' content ({@link #endsChunk}), not on their position in the list, so two
 * clones of one file cut their maps at the same extents, apart from a few near their own writes: a bulk load stores
 * each distinct chunk once and the clones' roots share it ({@link SharedChunks}).
 * <p>
 * A map of one chunk has no root where the index's formats allow it (log format 5, slab format 9 on, and memory-only
 * indexes: {@link Arena#loneChunks}): the forward directory's entry is then the chunk's own address with {@link #LONE}
 * set, a bit no block address has (blocks are 4-byte aligned). In the xfs-small capture replayed, 130,533 of 135,135
 * maps are one chunk, and their roots took 2.1 bytes a record. The {@code entry} methods below read either kind of
 * entry.
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
    static final int WIDE_ENTRY_LENGTH = ADDRESS_OFFSET + Long.BYTES;

    static final int NARROW_FIRST_OFFSET = 0;
    static final int NARROW_ADDRESS_OFFSET = NARROW_FIRST_OFFSET + Integer.BYTES;
    static final int NARROW_ENTRY_LENGTH = NARROW_ADDRESS_OFFSET + Integer.BYTES;

    /** Header flag: the entries are narrow. */
    static final int NARROW = 1 << 30;
    /** The most chunks a wide root names. */
    static final int MAX_WIDE_COUNT = NARROW - 1;
    private static final int NARROW_COUNT_BITS = 19;
    /** The most chunks a narrow root names; a root of more is wide. */
    static final int MAX_NARROW_COUNT = (1 << NARROW_COUNT_BITS) - 1;
    private static final int SHIFT_AT = NARROW_COUNT_BITS;
    private static final int OFFSET_BITS_AT = SHIFT_AT + 6;
    private static final int ALIGNMENT_SHIFT = Integer.numberOfTrailingZeros(Arena.ALIGNMENT);
    private static final long UNSIGNED_INT = 0xFFFF_FFFFL;

    /** Set in a forward directory entry that names the owner's one chunk instead of a root. */
    static final long LONE = 1;

    private ForwardRootDescriptor()
    {
    }

    /**
     * Whether a forward directory entry names a lone chunk (not {@link Snapshot#NO_EXTENTS}, which has every bit set).
     */
    static boolean isLone(final long entry)
    {
        return (entry & LONE) != 0 && entry != Snapshot.NO_EXTENTS;
    }

    /**
     * The directory entry that names a chunk as an owner's whole map.
     */
    static long lone(final long chunk)
    {
        if ((chunk & LONE) != 0 || chunk < 0)
        {
            throw new IllegalArgumentException("not a block address: chunk=0x" + Long.toHexString(chunk));
        }
        return chunk | LONE;
    }

    /**
     * The address of the chunk a lone entry names.
     */
    static long loneChunk(final long entry)
    {
        return entry & ~LONE;
    }

    /**
     * How many chunks a forward directory entry (a root or a lone chunk, not {@link Snapshot#NO_EXTENTS}) names.
     */
    static int entryChunks(final UnsafeBuffer[] slabs, final long entry)
    {
        return isLone(entry) ? 1 : count(slabs[Arena.slab(entry)], Arena.offset(entry));
    }

    /**
     * The address of chunk {@code chunk} of the map a forward directory entry names.
     */
    static long entryChunk(final UnsafeBuffer[] slabs, final long entry, final int chunk)
    {
        return isLone(entry) ? loneChunk(entry) : address(slabs[Arena.slab(entry)], Arena.offset(entry), chunk);
    }

    /**
     * The file offset of the first extent of chunk {@code chunk} of the map a forward directory entry names.
     */
    static long entryFirst(final UnsafeBuffer[] slabs, final long entry, final int chunk)
    {
        if (isLone(entry))
        {
            final long address = loneChunk(entry);
            return ExtentsDescriptor.fileOffset(slabs[Arena.slab(address)], Arena.offset(address), 0);
        }
        return first(slabs[Arena.slab(entry)], Arena.offset(entry), chunk);
    }

    /**
     * The bytes the root of a forward directory entry takes: none for a lone chunk.
     */
    static int entryRootFootprint(final UnsafeBuffer[] slabs, final long entry)
    {
        return isLone(entry) ? 0 : Arena.footprint(length(slabs[Arena.slab(entry)], Arena.offset(entry)));
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

    /**
     * The header word for a root naming these chunks: narrow if every entry fits narrow, else wide.
     *
     * @param firsts    file offset of each chunk's first extent, ascending.
     * @param addresses each chunk's block address.
     * @param count     chunks, at least 1.
     * @return the header word.
     */
    static int header(final long[] firsts, final long[] addresses, final int count)
    {
        if (count < 1 || count > MAX_WIDE_COUNT)
        {
            throw new IllegalArgumentException("bad chunk count: count=" + count);
        }
        long firstBits = 0;
        long maxFirst = 0;
        long maxSlab = 0;
        long maxUnits = 0;
        boolean fits = count <= MAX_NARROW_COUNT;
        for (int c = 0; c < count && fits; c++)
        {
            final long first = firsts[c];
            final int offset = Arena.offset(addresses[c]);
            fits = first >= 0 && addresses[c] >= 0 && offset >= 0 && (offset & (Arena.ALIGNMENT - 1)) == 0;
            firstBits |= first;
            maxFirst = Math.max(maxFirst, first);
            maxSlab = Math.max(maxSlab, addresses[c] >>> 32);
            maxUnits = Math.max(maxUnits, offset >>> ALIGNMENT_SHIFT);
        }
        final int shift = firstBits == 0 ? 0 : Long.numberOfTrailingZeros(firstBits);
        final int offsetBits = Long.SIZE - Long.numberOfLeadingZeros(maxUnits);
        if (!fits || (maxFirst >>> shift) > UNSIGNED_INT || offsetBits > 31 || (maxSlab << offsetBits) > UNSIGNED_INT)
        {
            return count;
        }
        return NARROW | offsetBits << OFFSET_BITS_AT | shift << SHIFT_AT | count;
    }

    /**
     * Bytes of a root with this header word.
     *
     * @param header the header word.
     * @return bytes, or -1 if no root has this header (no chunks, or longer than an int counts).
     */
    static int lengthOfHeader(final int header)
    {
        final long count = (header & NARROW) != 0 ? header & MAX_NARROW_COUNT : header;
        final long length = HEADER_LENGTH + count * ((header & NARROW) != 0 ? NARROW_ENTRY_LENGTH : WIDE_ENTRY_LENGTH);
        return header < 0 || count < 1 || length > Integer.MAX_VALUE ? -1 : (int)length;
    }

    /**
     * Bytes of the root at {@code offset}.
     */
    static int length(final DirectBuffer buffer, final int offset)
    {
        return lengthOfHeader(buffer.getInt(offset + COUNT_OFFSET, BYTE_ORDER));
    }

    /**
     * Bytes of the root a wide header would take: the most a root of {@code count} chunks takes.
     */
    static int maxLength(final int count)
    {
        return HEADER_LENGTH + count * WIDE_ENTRY_LENGTH;
    }

    static int count(final DirectBuffer buffer, final int offset)
    {
        final int header = buffer.getInt(offset + COUNT_OFFSET, BYTE_ORDER);
        return (header & NARROW) != 0 ? header & MAX_NARROW_COUNT : header;
    }

    static long first(final DirectBuffer buffer, final int offset, final int chunk)
    {
        final int header = buffer.getInt(offset + COUNT_OFFSET, BYTE_ORDER);
        if ((header & NARROW) != 0)
        {
            final int at = offset + HEADER_LENGTH + chunk * NARROW_ENTRY_LENGTH + NARROW_FIRST_OFFSET;
            return (buffer.getInt(at, BYTE_ORDER) & UNSIGNED_INT) << (header >>> SHIFT_AT & 63);
        }
        return buffer.getLong(offset + HEADER_LENGTH + chunk * WIDE_ENTRY_LENGTH + FIRST_OFFSET, BYTE_ORDER);
    }

    static long address(final DirectBuffer buffer, final int offset, final int chunk)
    {
        final int header = buffer.getInt(offset + COUNT_OFFSET, BYTE_ORDER);
        if ((header & NARROW) != 0)
        {
            final int at = offset + HEADER_LENGTH + chunk * NARROW_ENTRY_LENGTH + NARROW_ADDRESS_OFFSET;
            final long packed = buffer.getInt(at, BYTE_ORDER) & UNSIGNED_INT;
            final int offsetBits = header >>> OFFSET_BITS_AT & 31;
            return (packed >>> offsetBits) << 32 | (packed & (1L << offsetBits) - 1) << ALIGNMENT_SHIFT;
        }
        return buffer.getLong(offset + HEADER_LENGTH + chunk * WIDE_ENTRY_LENGTH + ADDRESS_OFFSET, BYTE_ORDER);
    }

    /**
     * Write a root's header and entries, not its checksum.
     *
     * @param header    from {@link #header} for the same entries.
     * @param firsts    file offset of each chunk's first extent.
     * @param addresses each chunk's block address.
     */
    static void write(
        final MutableDirectBuffer buffer, final int offset, final int header, final long[] firsts, final long[] addresses)
    {
        buffer.putInt(offset + COUNT_OFFSET, header, BYTE_ORDER);
        buffer.putInt(offset + CHECKSUM_OFFSET, 0, BYTE_ORDER);
        if ((header & NARROW) != 0)
        {
            final int count = header & MAX_NARROW_COUNT;
            final int shift = header >>> SHIFT_AT & 63;
            final int offsetBits = header >>> OFFSET_BITS_AT & 31;
            for (int c = 0; c < count; c++)
            {
                final int at = offset + HEADER_LENGTH + c * NARROW_ENTRY_LENGTH;
                final long address = addresses[c];
                buffer.putInt(at + NARROW_FIRST_OFFSET, (int)(firsts[c] >>> shift), BYTE_ORDER);
                buffer.putInt(at + NARROW_ADDRESS_OFFSET,
                    (int)((address >>> 32) << offsetBits | Arena.offset(address) >>> ALIGNMENT_SHIFT), BYTE_ORDER);
            }
        }
        else
        {
            for (int c = 0; c < header; c++)
            {
                final int at = offset + HEADER_LENGTH + c * WIDE_ENTRY_LENGTH;
                buffer.putLong(at + FIRST_OFFSET, firsts[c], BYTE_ORDER);
                buffer.putLong(at + ADDRESS_OFFSET, addresses[c], BYTE_ORDER);
            }
        }
    }

    /**
     * Write a root naming {@code count} chunks into the arena, narrow where its entries fit; sealed if the arena
     * {@link Arena#sealsBlocks seals blocks}.
     *
     * @return the root's address.
     */
    static long write(final Arena arena, final long[] firsts, final long[] addresses, final int count)
    {
        final int header = header(firsts, addresses, count);
        final long root = arena.allocate(lengthOfHeader(header));
        final UnsafeBuffer buffer = arena.buffer(root);
        final int offset = Arena.offset(root);
        write(buffer, offset, header, firsts, addresses);
        if (arena.sealsBlocks())
        {
            seal(buffer, offset);
        }
        return root;
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
        BlockChecksum.seal(buffer, offset, length(buffer, offset));
    }

    /**
     * Whether the block's checksum matches its bytes.
     */
    static boolean intact(final UnsafeBuffer buffer, final int offset)
    {
        return BlockChecksum.intact(buffer, offset, length(buffer, offset));
    }
}
