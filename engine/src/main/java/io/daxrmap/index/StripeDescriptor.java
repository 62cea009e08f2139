package io.daxrmap.index;

import io.daxrmap.model.Owner;
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
 *  | format and count  | checksum          |  header, {@link #HEADER_LENGTH} bytes
 *  +-------------------+-------------------+
 *  wide pieces ({@link #PIECE_LENGTH} bytes each):
 *  +-------------------+-------------------+
 *  | relative start    | value             |
 *  +-------------------+-------------------+
 *  | delta (file offset - device offset)   |
 *  +---------------------------------------+
 *  or narrow pieces, field by field (10 bytes a piece):
 *  +---------------------------------------+
 *  | relative start >>> relShift, 16 bits, for each piece; then padding to 4 bytes |
 *  | value, 32 bits, for each piece                                                  |
 *  | delta >> deltaShift, 32 bits, for each piece                                    |
 *  +---------------------------------------+
 *  or keyed narrow pieces: the starts as above, then
 *  +---------------------------------------+
 *  | inode base, 64 bits                                                             |
 *  | for each piece: value, 32 bits | delta >> deltaShift, 32 bits | inode - inode base, inodeBytes bytes |
 *  +---------------------------------------+
 * </pre>
 * Relative starts are bytes from the stripe's first byte (stripes span at most 2^30 bytes); values are
 * {@link PieceValue}s. Little-endian, native to the machines we run on.
 * <p>
 * The header's first word is the piece count, with {@link #NARROW} set when the pieces are narrow; then bits 17-22
 * hold relShift and bits 23-28 deltaShift, the trailing zero bits all relative starts and all deltas share. A stripe
 * is written narrow whenever its pieces fit: block-aligned pieces in stripes of at most 2^16 blocks, deltas below
 * 2^31 blocks (8 TiB of 4 KiB blocks). The relative starts then sit side by side at the block's start, where the
 * search for a position reads them.
 * <p>
 * A narrow stripe is {@link #KEYED} (slab format 8 on) when every piece with a single reference names a file's data
 * fork: it then holds each such piece's inode number too, so that a page query answers from the stripe without
 * loading the owner's key from the owner table, a cache miss of its own on a large index. The inodes are stored as
 * their difference from the lowest (the base), in the fewest whole bytes that hold the largest (bits 14-16 of the
 * header hold that count less one, and bits 0-13 the piece count); pieces of no single reference store 0. A piece's
 * value, delta and inode lie side by side, so that the query that found the piece by its start reads one more cache
 * line at most; the inode is read with one 8-byte load that ends where it does.
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

    static final int NARROW_START_LENGTH = Short.BYTES;
    static final int NARROW_VALUE_LENGTH = Integer.BYTES;
    static final int NARROW_DELTA_LENGTH = Integer.BYTES;

    /** The widest stripe span, so relative starts fit in an int. */
    static final int MAX_SPAN_SHIFT = 30;

    /** Header flag: the pieces are narrow. */
    static final int NARROW = 1 << 30;
    private static final int NARROW_COUNT_BITS = 17;
    /** The most pieces a narrow stripe holds; a stripe of more is wide. */
    static final int MAX_NARROW_COUNT = (1 << NARROW_COUNT_BITS) - 1;
    private static final int REL_SHIFT_AT = NARROW_COUNT_BITS;
    private static final int DELTA_SHIFT_AT = REL_SHIFT_AT + 6;
    /** Header flag, with {@link #NARROW}: the pieces carry their single owners' inode numbers. */
    static final int KEYED = 1 << (DELTA_SHIFT_AT + 6);
    private static final int KEYED_COUNT_BITS = 14;
    /** The most pieces a keyed stripe holds; a narrow stripe of more is not keyed. */
    static final int MAX_KEYED_COUNT = (1 << KEYED_COUNT_BITS) - 1;
    private static final int INODE_BYTES_AT = KEYED_COUNT_BITS;
    private static final int UNSIGNED_SHORT = 0xFFFF;
    /** Narrow starts in a cache line of 64 bytes. */
    private static final int LINE_STARTS = 64 / NARROW_START_LENGTH;
    /** The most lines of narrow starts whose samples {@link #find} loads at once. */
    private static final int SAMPLED_LINES = 16;

    private StripeDescriptor()
    {
    }

    /**
     * The header word for a stripe of these pieces: narrow if every piece fits narrow, else wide; narrow and
     * {@link #KEYED} with inodes of {@code inodeBytes} bytes (1 to 8; 0 for none) if it is narrow and not too long.
     */
    static int header(final int count, final int[] rel, final long[] deltas, final int inodeBytes)
    {
        final int header = unkeyedHeader(count, rel, deltas);
        if (inodeBytes < 0 || inodeBytes > Long.BYTES)
        {
            throw new IllegalArgumentException("bad inode width: inodeBytes=" + inodeBytes);
        }
        if (inodeBytes == 0 || (header & NARROW) == 0 || count > MAX_KEYED_COUNT)
        {
            return header;
        }
        return header & ~MAX_NARROW_COUNT | KEYED | inodeBytes - 1 << INODE_BYTES_AT | count;
    }

    private static int unkeyedHeader(final int count, final int[] rel, final long[] deltas)
    {
        if (count < 1 || count >= NARROW)
        {
            throw new IllegalArgumentException("bad piece count: count=" + count);
        }
        if (count > MAX_NARROW_COUNT)
        {
            return count;
        }
        int relBits = 0;
        int maxRel = 0;
        long deltaBits = 0;
        long minDelta = 0;
        long maxDelta = 0;
        for (int i = 0; i < count; i++)
        {
            relBits |= rel[i];
            maxRel = Math.max(maxRel, rel[i]);
            deltaBits |= deltas[i];
            minDelta = Math.min(minDelta, deltas[i]);
            maxDelta = Math.max(maxDelta, deltas[i]);
        }
        final int relShift = relBits == 0 ? 0 : Integer.numberOfTrailingZeros(relBits);
        final int deltaShift = deltaBits == 0 ? 0 : Long.numberOfTrailingZeros(deltaBits);
        if (relBits < 0 || (maxRel >>> relShift) > UNSIGNED_SHORT || (minDelta >> deltaShift) < Integer.MIN_VALUE ||
            (maxDelta >> deltaShift) > Integer.MAX_VALUE)
        {
            return count;
        }
        return NARROW | deltaShift << DELTA_SHIFT_AT | relShift << REL_SHIFT_AT | count;
    }

    /**
     * Bytes of a stripe with this header word, or -1 if no stripe has it (no pieces, keyed but not narrow, or longer
     * than an int counts).
     */
    static int lengthOfHeader(final int header)
    {
        if (header < 0 || (header & (KEYED | NARROW)) == KEYED)
        {
            return -1;
        }
        if ((header & NARROW) != 0)
        {
            final int count = narrowCount(header);
            final int pieces = (header & KEYED) == 0 ? valuesAt(count) : recordsAt(count);
            return count < 1 ? -1 : pieces + count * (NARROW_VALUE_LENGTH + NARROW_DELTA_LENGTH + inodeBytes(header));
        }
        final long length = HEADER_LENGTH + (long)header * PIECE_LENGTH;
        return header < 1 || length > Integer.MAX_VALUE ? -1 : (int)length;
    }

    /**
     * Bytes of the stripe at {@code offset}.
     */
    static int blockLength(final DirectBuffer buffer, final int offset)
    {
        return lengthOfHeader(buffer.getInt(offset + COUNT_OFFSET, BYTE_ORDER));
    }

    /**
     * Bytes of a stripe of {@code count} pieces written wide: the most such a stripe takes.
     */
    static int maxLength(final int count)
    {
        return HEADER_LENGTH + count * PIECE_LENGTH;
    }

    static int count(final DirectBuffer buffer, final int offset)
    {
        final int header = buffer.getInt(offset + COUNT_OFFSET, BYTE_ORDER);
        return (header & NARROW) != 0 ? narrowCount(header) : header;
    }

    /**
     * The piece count of a narrow header: 14 bits when keyed, 17 when not.
     */
    private static int narrowCount(final int header)
    {
        return header & ((header & KEYED) != 0 ? MAX_KEYED_COUNT : MAX_NARROW_COUNT);
    }

    /**
     * Bytes of each piece's inode: those of a keyed header, none for another narrow one.
     */
    private static int inodeBytes(final int header)
    {
        return (header & KEYED) == 0 ? 0 : (header >>> INODE_BYTES_AT & 7) + 1;
    }

    /**
     * Offset from a keyed block's start of its first piece record: after the starts and the inode base.
     */
    private static int recordsAt(final int count)
    {
        return valuesAt(count) + Long.BYTES;
    }

    private static int recordLength(final int header)
    {
        return NARROW_VALUE_LENGTH + NARROW_DELTA_LENGTH + inodeBytes(header);
    }

    /**
     * Whether the stripe with this header word carries its single owners' inode numbers.
     */
    static boolean keyed(final int header)
    {
        return (header & (KEYED | NARROW)) == (KEYED | NARROW);
    }

    static int header(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + COUNT_OFFSET, BYTE_ORDER);
    }

    /**
     * The inode number of a keyed stripe's piece (one whose value is a single reference: a data fork's).
     *
     * @param header the stripe's header word, {@link #keyed}.
     */
    static long inode(final DirectBuffer buffer, final int offset, final int header, final int piece)
    {
        final int count = header & MAX_KEYED_COUNT;
        final int bytes = inodeBytes(header);
        final long base = buffer.getLong(offset + valuesAt(count), BYTE_ORDER);
        // the 8 bytes that end with the inode: its record's value and delta come first
        final int inodeEnd = offset + recordsAt(count) + (piece + 1) * recordLength(header);
        return base + (buffer.getLong(inodeEnd - Long.BYTES, BYTE_ORDER) >>> (Long.BYTES - bytes) * Byte.SIZE);
    }

    static int relStart(final DirectBuffer buffer, final int offset, final int piece)
    {
        final int header = buffer.getInt(offset + COUNT_OFFSET, BYTE_ORDER);
        final boolean narrow = (header & NARROW) != 0;
        return startUnits(buffer, offset, narrow, piece) << (narrow ? header >>> REL_SHIFT_AT & 63 : 0);
    }

    static int value(final DirectBuffer buffer, final int offset, final int piece)
    {
        return buffer.getInt(valueAt(buffer.getInt(offset + COUNT_OFFSET, BYTE_ORDER), offset, piece), BYTE_ORDER);
    }

    static long delta(final DirectBuffer buffer, final int offset, final int piece)
    {
        final int header = buffer.getInt(offset + COUNT_OFFSET, BYTE_ORDER);
        if ((header & NARROW) != 0)
        {
            final int count = narrowCount(header);
            final int at = (header & KEYED) != 0 ? valueAt(header, offset, piece) + NARROW_VALUE_LENGTH :
                offset + valuesAt(count) + count * NARROW_VALUE_LENGTH + piece * NARROW_DELTA_LENGTH;
            return (long)buffer.getInt(at, BYTE_ORDER) << (header >>> DELTA_SHIFT_AT & 63);
        }
        return buffer.getLong(offset + HEADER_LENGTH + piece * PIECE_LENGTH + PIECE_DELTA_OFFSET, BYTE_ORDER);
    }

    /**
     * Read every piece's relative start, value and delta into arrays, from slot 0.
     */
    static void read(final DirectBuffer buffer, final int offset, final int count, final int[] rel, final int[] values,
        final long[] deltas)
    {
        final int header = buffer.getInt(offset + COUNT_OFFSET, BYTE_ORDER);
        if ((header & NARROW) == 0)
        {
            for (int i = 0; i < count; i++)
            {
                final int at = offset + HEADER_LENGTH + i * PIECE_LENGTH;
                rel[i] = buffer.getInt(at + PIECE_START_OFFSET, BYTE_ORDER);
                values[i] = buffer.getInt(at + PIECE_VALUE_OFFSET, BYTE_ORDER);
                deltas[i] = buffer.getLong(at + PIECE_DELTA_OFFSET, BYTE_ORDER);
            }
            return;
        }
        final int relShift = header >>> REL_SHIFT_AT & 63;
        final int deltaShift = header >>> DELTA_SHIFT_AT & 63;
        final boolean keyed = (header & KEYED) != 0;
        // keyed: records of value, delta and inode; else all values, then all deltas
        final int valueStep = keyed ? recordLength(header) : NARROW_VALUE_LENGTH;
        final int deltaStep = keyed ? valueStep : NARROW_DELTA_LENGTH;
        final int valuesAt = offset + (keyed ? recordsAt(count) : valuesAt(count));
        final int deltasAt = keyed ? valuesAt + NARROW_VALUE_LENGTH : valuesAt + count * NARROW_VALUE_LENGTH;
        for (int i = 0; i < count; i++)
        {
            rel[i] = (buffer.getShort(offset + HEADER_LENGTH + i * NARROW_START_LENGTH, BYTE_ORDER) & UNSIGNED_SHORT) <<
                relShift;
            values[i] = buffer.getInt(valuesAt + i * valueStep, BYTE_ORDER);
            deltas[i] = (long)buffer.getInt(deltasAt + i * deltaStep, BYTE_ORDER) << deltaShift;
        }
    }

    /**
     * Change one piece's value in place (compaction renumbering share groups); the caller seals the block again where
     * the arena seals blocks.
     */
    static void value(final MutableDirectBuffer buffer, final int offset, final int piece, final int value)
    {
        buffer.putInt(valueAt(buffer.getInt(offset + COUNT_OFFSET, BYTE_ORDER), offset, piece), value, BYTE_ORDER);
    }

    /**
     * Write a stripe's header and pieces, not its checksum; a {@link #keyed} one with the inode numbers of its single
     * owners.
     *
     * @param header    from {@link #header} for the same pieces.
     * @param keys      for a keyed header, the owner key of each piece whose value is a single reference (a data
     *                  fork's); what the others hold is not read.
     * @param inodeBase the lowest of their inode numbers, for a keyed header.
     */
    static void write(
        final MutableDirectBuffer buffer, final int offset, final int header, final int[] rel, final int[] values,
        final long[] deltas, final long[] keys, final long inodeBase)
    {
        buffer.putInt(offset + COUNT_OFFSET, header, BYTE_ORDER);
        buffer.putInt(offset + CHECKSUM_OFFSET, 0, BYTE_ORDER);
        if ((header & NARROW) != 0)
        {
            final int count = narrowCount(header);
            final int relShift = header >>> REL_SHIFT_AT & 63;
            final int deltaShift = header >>> DELTA_SHIFT_AT & 63;
            for (int i = 0; i < count; i++)
            {
                buffer.putShort(offset + HEADER_LENGTH + i * NARROW_START_LENGTH, (short)(rel[i] >>> relShift),
                    BYTE_ORDER);
            }
            if ((count & 1) != 0)
            {
                // the padding before the values: written, so the checksum covers known bytes
                buffer.putShort(offset + HEADER_LENGTH + count * NARROW_START_LENGTH, (short)0, BYTE_ORDER);
            }
            if ((header & KEYED) != 0)
            {
                writeKeyed(buffer, offset, header, values, deltas, keys, inodeBase);
                return;
            }
            final int valuesAt = offset + valuesAt(count);
            final int deltasAt = valuesAt + count * NARROW_VALUE_LENGTH;
            for (int i = 0; i < count; i++)
            {
                buffer.putInt(valuesAt + i * NARROW_VALUE_LENGTH, values[i], BYTE_ORDER);
                buffer.putInt(deltasAt + i * NARROW_DELTA_LENGTH, (int)(deltas[i] >> deltaShift), BYTE_ORDER);
            }
            return;
        }
        for (int i = 0; i < header; i++)
        {
            final int at = offset + HEADER_LENGTH + i * PIECE_LENGTH;
            buffer.putInt(at + PIECE_START_OFFSET, rel[i], BYTE_ORDER);
            buffer.putInt(at + PIECE_VALUE_OFFSET, values[i], BYTE_ORDER);
            buffer.putLong(at + PIECE_DELTA_OFFSET, deltas[i], BYTE_ORDER);
        }
    }

    /**
     * A keyed stripe's inode base and piece records.
     */
    private static void writeKeyed(
        final MutableDirectBuffer buffer, final int offset, final int header, final int[] values, final long[] deltas,
        final long[] keys, final long inodeBase)
    {
        final int count = header & MAX_KEYED_COUNT;
        final int bytes = inodeBytes(header);
        final int record = recordLength(header);
        final int deltaShift = header >>> DELTA_SHIFT_AT & 63;
        buffer.putLong(offset + valuesAt(count), inodeBase, BYTE_ORDER);
        int at = offset + recordsAt(count);
        for (int i = 0; i < count; i++, at += record)
        {
            final long inode = PieceValue.isSingle(values[i]) ? Owner.inode(keys[i]) - inodeBase : 0;
            assert inode >= 0 && (bytes == Long.BYTES || inode >>> bytes * Byte.SIZE == 0) : "inode=" + inode;
            final long valueAndDelta = values[i] & 0xFFFF_FFFFL | (long)(int)(deltas[i] >> deltaShift) << Integer.SIZE;
            buffer.putLong(at, valueAndDelta, BYTE_ORDER);
            // the inode as the last bytes of the 8 that end with it, the record's own bytes before it kept
            buffer.putLong(at + bytes, bytes == Long.BYTES ? inode :
                valueAndDelta >>> bytes * Byte.SIZE | inode << (Long.BYTES - bytes) * Byte.SIZE, BYTE_ORDER);
        }
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
        final int header = buffer.getInt(offset + COUNT_OFFSET, BYTE_ORDER);
        final boolean narrow = (header & NARROW) != 0;
        final int count = narrow ? narrowCount(header) : header;
        final int key = narrow ? rel >>> (header >>> REL_SHIFT_AT & 63) : rel;
        // a branch-free search: the steps' loads and compares depend on the key, so a branch on them would be
        // mispredicted about half the time; a conditional move costs a cycle. The step count follows the count only.
        int low = 0;
        int n = count;
        if (narrow && n > LINE_STARTS)
        {
            // Halving alone makes each step's load wait for the step before: on a stripe out of the cache, one miss
            // for each cache line of starts it reaches. Instead, once at most SAMPLED_LINES lines' worth of starts
            // remain, read a start every LINE_STARTS (one a line's worth; the lines themselves begin wherever the
            // block does): those loads do not depend on each other and miss together. Counting the ones at most the
            // key names a line's worth of starts, which lies in the lines of its sample and the next one's, both then
            // cached for the halving that finishes the search.
            while (n > LINE_STARTS * SAMPLED_LINES)
            {
                final int half = n >>> 1;
                low = startUnits(buffer, offset, true, low + half) <= key ? low + half : low;
                n -= half;
            }
            int lines = 0;
            for (int sample = LINE_STARTS; sample < n; sample += LINE_STARTS)
            {
                // 1 when the sample's start is at most the key (starts are below 2^16 and the key below 2^30, so
                // the difference cannot overflow)
                lines += startUnits(buffer, offset, true, low + sample) - key - 1 >>> 31;
            }
            low += lines * LINE_STARTS;
            n = Math.min(LINE_STARTS, n - lines * LINE_STARTS);
        }
        while (n > 1)
        {
            final int half = n >>> 1;
            low = startUnits(buffer, offset, narrow, low + half) <= key ? low + half : low;
            n -= half;
        }
        return low;
    }

    /**
     * A piece's relative start as stored: in units of 2^relShift when narrow, in bytes when wide.
     */
    private static int startUnits(final DirectBuffer buffer, final int offset, final boolean narrow, final int piece)
    {
        return narrow ?
            buffer.getShort(offset + HEADER_LENGTH + piece * NARROW_START_LENGTH, BYTE_ORDER) & UNSIGNED_SHORT :
            buffer.getInt(offset + HEADER_LENGTH + piece * PIECE_LENGTH + PIECE_START_OFFSET, BYTE_ORDER);
    }

    /**
     * Offset from the block's start of the first narrow value: after the starts, rounded up to 4 bytes.
     */
    private static int valuesAt(final int count)
    {
        return HEADER_LENGTH + (count * NARROW_START_LENGTH + Integer.BYTES - 1 & -Integer.BYTES);
    }

    private static int valueAt(final int header, final int offset, final int piece)
    {
        return (header & NARROW) != 0 ?
            (header & KEYED) != 0 ? offset + recordsAt(header & MAX_KEYED_COUNT) + piece * recordLength(header) :
            offset + valuesAt(narrowCount(header)) + piece * NARROW_VALUE_LENGTH :
            offset + HEADER_LENGTH + piece * PIECE_LENGTH + PIECE_VALUE_OFFSET;
    }

    /**
     * Store the block's checksum; call once every field is written.
     */
    static void seal(final UnsafeBuffer buffer, final int offset)
    {
        BlockChecksum.seal(buffer, offset, blockLength(buffer, offset));
    }

    /**
     * Whether the block's checksum matches its bytes.
     */
    static boolean intact(final UnsafeBuffer buffer, final int offset)
    {
        return BlockChecksum.intact(buffer, offset, blockLength(buffer, offset));
    }
}
