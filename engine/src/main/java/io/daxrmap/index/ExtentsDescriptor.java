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
 *  | format and count  | checksum          |  header, {@link #HEADER_LENGTH} bytes
 *  +-------------------+-------------------+
 *  wide extents ({@link #WIDE_EXTENT_LENGTH} bytes each):
 *  +---------------------------------------+
 *  | file offset                           |
 *  +---------------------------------------+
 *  | device offset                         |
 *  +---------------------------------------+
 *  | flags (8 bits) | length (56 bits)     |
 *  +---------------------------------------+
 *  or narrow extents ({@link #NARROW_EXTENT_LENGTH} bytes each, unaligned), in units of 2^shift bytes, as one
 *  104-bit little-endian number from the low bits up:
 *  +---------------------------------------+
 *  | file offset (32 bits) | device offset (40 bits) | length (24 bits) | flags (8 bits) |
 *  +---------------------------------------+
 *  or packed extents, bit fields of the chunk's own widths, after a header of their own:
 *  +-------------------+-------------------+-------------------+
 *  | shift and widths  | file base (units)                     |
 *  +-------------------+-------------------+-------------------+
 *  | device base (units)                   | extent 0 | extent 1 | ... (W bits each, from the low bits up)
 *  +---------------------------------------+
 *  an extent: file offset - file base (wf bits) | device offset - device base (wd) | length (wl) | flags (wg)
 * </pre>
 * The header's first word is the extent count, with {@link #NARROW} set when the extents are narrow; bits 24-29 then
 * hold {@code shift}, the trailing zero bits every offset and length of the chunk has. A chunk is written narrow
 * whenever its extents fit: block-aligned extents shorter than 2^24 blocks, at file offsets below 2^32 blocks, on a
 * device below 2^40 blocks (64 GiB, 16 TiB and 4 PiB of 4 KiB blocks). That is 13 bytes per extent instead of 24.
 * <p>
 * A packed chunk ({@link #PACKED} set, {@link #NARROW} clear: no wide chunk counts 2^29 extents) stores each extent in
 * {@code W = wf + wd + wl + wg} bits (header bits 23-28; at most {@value #MAX_PACKED_WIDTH}, so that one unaligned
 * 8-byte load holds a whole extent), the fields measured from the chunk's first file offset and lowest device offset.
 * The extents of one file chunk lie close together in the file (about ten bits for 32 extents of up to 16 blocks)
 * and often on the device, so a packed extent takes 6 to 8 bytes where a narrow one takes 13. It costs
 * {@value #PACKED_HEADER_LENGTH} bytes of header and a load's slack of up to 7 bytes at the end, so a chunk is packed
 * only where that makes it shorter, and only in indexes whose format has packed chunks ({@code packable}: slab
 * format 8 on, and memory-only indexes).
 * <p>
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
    static final int WIDE_EXTENT_LENGTH = LENGTH_FLAGS_OFFSET + Long.BYTES;

    /** Narrow field widths in bits, in units of 2^shift bytes; the fields follow each other in this order. */
    static final int NARROW_FILE_BITS = 32;
    static final int NARROW_DEVICE_BITS = 40;
    static final int NARROW_LENGTH_BITS = 24;
    static final int NARROW_FLAGS_BITS = 8;
    static final int NARROW_EXTENT_LENGTH =
        (NARROW_FILE_BITS + NARROW_DEVICE_BITS + NARROW_LENGTH_BITS + NARROW_FLAGS_BITS) / Byte.SIZE;
    /** The extent's high word: the last 8 bytes end where the extent does, and hold its bits 40-103. */
    private static final int NARROW_HIGH_OFFSET = NARROW_EXTENT_LENGTH - Long.BYTES;
    private static final int NARROW_HIGH_SHIFT = NARROW_HIGH_OFFSET * Byte.SIZE;

    static final int FLAGS_SHIFT = 56;
    static final long LENGTH_MASK = (1L << FLAGS_SHIFT) - 1;

    /** Header flag: the extents are narrow. */
    static final int NARROW = 1 << 30;
    /** Header flag, with {@link #NARROW} clear: the extents are packed. */
    static final int PACKED = 1 << 29;
    /** The widest packed extent, in bits: read with one 8-byte load from the byte it starts in. */
    static final int MAX_PACKED_WIDTH = Long.SIZE - (Byte.SIZE - 1);
    private static final int PACKED_COUNT_BITS = 23;
    /** The most extents a packed chunk holds. */
    static final int MAX_PACKED_COUNT = (1 << PACKED_COUNT_BITS) - 1;
    private static final int PACKED_WIDTH_AT = PACKED_COUNT_BITS;
    /** Offset of the packed header's word of shift and field widths (6 bits each, from the low bits up). */
    static final int PACKED_LAYOUT_OFFSET = HEADER_LENGTH;
    static final int PACKED_FILE_BASE_OFFSET = PACKED_LAYOUT_OFFSET + Integer.BYTES;
    static final int PACKED_DEVICE_BASE_OFFSET = PACKED_FILE_BASE_OFFSET + Long.BYTES;
    /** Bytes before a packed chunk's first extent. */
    static final int PACKED_HEADER_LENGTH = PACKED_DEVICE_BASE_OFFSET + Long.BYTES;
    private static final int SIX_BITS = 63;
    private static final int NARROW_COUNT_BITS = 24;
    /** The most extents a narrow chunk holds; a chunk of more is wide. */
    static final int MAX_NARROW_COUNT = (1 << NARROW_COUNT_BITS) - 1;
    /** The most extents a wide chunk holds: below {@link #PACKED}, the bit that tells a packed header. */
    static final int MAX_WIDE_COUNT = PACKED - 1;
    private static final int SHIFT_AT = NARROW_COUNT_BITS;
    private static final long NARROW_FILE_MASK = (1L << NARROW_FILE_BITS) - 1;
    private static final long NARROW_LENGTH_MASK = (1L << NARROW_LENGTH_BITS) - 1;
    private static final long NARROW_FLAGS_MASK = (1L << NARROW_FLAGS_BITS) - 1;

    private ExtentsDescriptor()
    {
    }

    /**
     * The header word for a chunk of extents {@code [from, to)}: the shortest of packed (if {@code packable}), narrow
     * and wide that the extents fit, narrow where packed would be no shorter.
     */
    static int header(
        final long[] file, final long[] device, final long[] length, final int[] flags, final int from, final int to,
        final boolean packable)
    {
        return scan(file, device, length, flags, from, to, packable, false);
    }

    /**
     * The packed layout word of extents {@code [from, to)}: shift, then the widths of file, device, length and flags in
     * 6 bits each; -1 if they do not pack (a negative field, an extent before the first in the file, or wider than
     * {@link #MAX_PACKED_WIDTH}).
     */
    static int packedLayout(
        final long[] file, final long[] device, final long[] length, final int[] flags, final int from, final int to)
    {
        return scan(file, device, length, flags, from, to, true, true);
    }

    /**
     * One pass over extents {@code [from, to)} for the bounds of every layout: their {@link #header}, or with
     * {@code layoutOnly} their {@link #packedLayout}.
     */
    private static int scan(
        final long[] file, final long[] device, final long[] length, final int[] flags, final int from, final int to,
        final boolean packable, final boolean layoutOnly)
    {
        final int count = to - from;
        if (count < 1 || count > MAX_WIDE_COUNT)
        {
            throw new IllegalArgumentException("bad extent count: count=" + count);
        }
        long bits = 0;
        int flagBits = 0;
        long minFile = Long.MAX_VALUE;
        long maxFile = 0;
        long minDevice = Long.MAX_VALUE;
        long maxDevice = 0;
        long maxLength = 0;
        for (int i = from; i < to; i++)
        {
            bits |= file[i] | device[i] | length[i];
            flagBits |= flags[i];
            minFile = Math.min(minFile, file[i]);
            maxFile = Math.max(maxFile, file[i]);
            minDevice = Math.min(minDevice, device[i]);
            maxDevice = Math.max(maxDevice, device[i]);
            maxLength = Math.max(maxLength, length[i]);
        }
        final int shift = bits == 0 ? 0 : Long.numberOfTrailingZeros(bits);
        final int layout = packable && count <= MAX_PACKED_COUNT ?
            layout(bits, flagBits, shift, file[from], minFile, maxFile, minDevice, maxDevice, maxLength) : -1;
        if (layoutOnly)
        {
            return layout;
        }
        final int unpacked = count > MAX_NARROW_COUNT || bits < 0 || maxFile >>> shift >>> NARROW_FILE_BITS != 0 ||
            maxDevice >>> shift >>> NARROW_DEVICE_BITS != 0 || maxLength >>> shift >>> NARROW_LENGTH_BITS != 0 ||
            flagBits >>> NARROW_FLAGS_BITS != 0 ? count : NARROW | shift << SHIFT_AT | count;
        if (layout != -1)
        {
            final int packed = PACKED | width(layout) << PACKED_WIDTH_AT | count;
            if (lengthOfHeader(packed) < lengthOfHeader(unpacked))
            {
                return packed;
            }
        }
        return unpacked;
    }

    /**
     * The packed layout of extents with these bounds (a field's width is its largest value's: the bits of an OR of
     * non-negative values), the first extent's file offset the file base; -1 if they do not pack.
     */
    private static int layout(
        final long bits, final int flagBits, final int shift, final long firstFile, final long minFile,
        final long maxFile, final long minDevice, final long maxDevice, final long maxLength)
    {
        if (bits < 0 || flagBits < 0 || minFile != firstFile)
        {
            return -1;
        }
        final int wf = Long.SIZE - Long.numberOfLeadingZeros((maxFile >>> shift) - (firstFile >>> shift));
        final int wd = Long.SIZE - Long.numberOfLeadingZeros((maxDevice >>> shift) - (minDevice >>> shift));
        final int wl = Long.SIZE - Long.numberOfLeadingZeros(maxLength >>> shift);
        final int wg = Integer.SIZE - Integer.numberOfLeadingZeros(flagBits);
        if (wf + wd + wl + wg > MAX_PACKED_WIDTH || wf + wd + wl + wg == 0)
        {
            return -1;
        }
        return shift | wf << 6 | wd << 12 | wl << 18 | wg << 24;
    }

    private static int width(final int layout)
    {
        return (layout >>> 6 & SIX_BITS) + (layout >>> 12 & SIX_BITS) + (layout >>> 18 & SIX_BITS) +
            (layout >>> 24 & SIX_BITS);
    }

    /**
     * Bytes of a chunk with this header word, or -1 if no chunk has it (no extents, or longer than an int counts).
     */
    static int lengthOfHeader(final int header)
    {
        if ((header & (NARROW | PACKED)) == PACKED)
        {
            final int count = header & MAX_PACKED_COUNT;
            final int width = header >>> PACKED_WIDTH_AT & SIX_BITS;
            return count < 1 || width < 1 || width > MAX_PACKED_WIDTH ? -1 :
                PACKED_HEADER_LENGTH + (int)((long)(count - 1) * width >>> 3) + Long.BYTES;
        }
        final long count = (header & NARROW) != 0 ? header & MAX_NARROW_COUNT : header;
        final long length = HEADER_LENGTH + count * ((header & NARROW) != 0 ? NARROW_EXTENT_LENGTH : WIDE_EXTENT_LENGTH);
        return header < 0 || count < 1 || length > Integer.MAX_VALUE ? -1 : (int)length;
    }

    /**
     * Bytes of the chunk at {@code offset}.
     */
    static int blockLength(final DirectBuffer buffer, final int offset)
    {
        return lengthOfHeader(buffer.getInt(offset + COUNT_OFFSET, BYTE_ORDER));
    }

    /**
     * Bytes of a chunk of {@code count} extents written wide: the most such a chunk takes.
     */
    static int maxLength(final int count)
    {
        return HEADER_LENGTH + count * WIDE_EXTENT_LENGTH;
    }

    static int count(final DirectBuffer buffer, final int offset)
    {
        final int header = buffer.getInt(offset + COUNT_OFFSET, BYTE_ORDER);
        if ((header & NARROW) != 0)
        {
            return header & MAX_NARROW_COUNT;
        }
        return isPacked(header) ? header & MAX_PACKED_COUNT : header;
    }

    static long fileOffset(final DirectBuffer buffer, final int offset, final int extent)
    {
        final int header = buffer.getInt(offset + COUNT_OFFSET, BYTE_ORDER);
        if (isPacked(header))
        {
            final int layout = buffer.getInt(offset + PACKED_LAYOUT_OFFSET, BYTE_ORDER);
            final long bits = packedBits(buffer, offset, header, extent);
            return buffer.getLong(offset + PACKED_FILE_BASE_OFFSET, BYTE_ORDER) + (bits & mask(layout >>> 6)) <<
                (layout & SIX_BITS);
        }
        if ((header & NARROW) != 0)
        {
            return narrowFile(buffer.getLong(narrowAt(offset, extent), BYTE_ORDER)) << shift(header);
        }
        return buffer.getLong(offset + HEADER_LENGTH + extent * WIDE_EXTENT_LENGTH + FILE_OFFSET_OFFSET, BYTE_ORDER);
    }

    static long deviceOffset(final DirectBuffer buffer, final int offset, final int extent)
    {
        final int header = buffer.getInt(offset + COUNT_OFFSET, BYTE_ORDER);
        if (isPacked(header))
        {
            final int layout = buffer.getInt(offset + PACKED_LAYOUT_OFFSET, BYTE_ORDER);
            final long bits = packedBits(buffer, offset, header, extent);
            return buffer.getLong(offset + PACKED_DEVICE_BASE_OFFSET, BYTE_ORDER) +
                (bits >>> fileWidth(layout) & mask(layout >>> 12)) << (layout & SIX_BITS);
        }
        if ((header & NARROW) != 0)
        {
            final int at = narrowAt(offset, extent);
            return narrowDevice(buffer.getLong(at, BYTE_ORDER), narrowHigh(buffer, at)) << shift(header);
        }
        return buffer.getLong(offset + HEADER_LENGTH + extent * WIDE_EXTENT_LENGTH + DEVICE_OFFSET_OFFSET, BYTE_ORDER);
    }

    static long length(final DirectBuffer buffer, final int offset, final int extent)
    {
        final int header = buffer.getInt(offset + COUNT_OFFSET, BYTE_ORDER);
        if (isPacked(header))
        {
            final int layout = buffer.getInt(offset + PACKED_LAYOUT_OFFSET, BYTE_ORDER);
            final long bits = packedBits(buffer, offset, header, extent);
            return (bits >>> lengthAt(layout) & mask(layout >>> 18)) << (layout & SIX_BITS);
        }
        if ((header & NARROW) != 0)
        {
            return narrowLength(narrowHigh(buffer, narrowAt(offset, extent))) << shift(header);
        }
        return buffer.getLong(offset + HEADER_LENGTH + extent * WIDE_EXTENT_LENGTH + LENGTH_FLAGS_OFFSET, BYTE_ORDER) &
            LENGTH_MASK;
    }

    static int flags(final DirectBuffer buffer, final int offset, final int extent)
    {
        final int header = buffer.getInt(offset + COUNT_OFFSET, BYTE_ORDER);
        if (isPacked(header))
        {
            final int layout = buffer.getInt(offset + PACKED_LAYOUT_OFFSET, BYTE_ORDER);
            return (int)(packedBits(buffer, offset, header, extent) >>> flagsAt(layout) & mask(layout >>> 24));
        }
        if ((header & NARROW) != 0)
        {
            return narrowFlags(narrowHigh(buffer, narrowAt(offset, extent)));
        }
        return (int)(buffer.getLong(offset + HEADER_LENGTH + extent * WIDE_EXTENT_LENGTH + LENGTH_FLAGS_OFFSET,
            BYTE_ORDER) >>> FLAGS_SHIFT);
    }

    private static int shift(final int header)
    {
        return header >>> SHIFT_AT & 63;
    }

    private static boolean isPacked(final int header)
    {
        return (header & (NARROW | PACKED)) == PACKED;
    }

    /**
     * Packed extent {@code extent} in the low bits, with whatever follows it above: one 8-byte load from the byte it
     * starts in (the chunk's length leaves room for the last extent's).
     */
    private static long packedBits(final DirectBuffer buffer, final int offset, final int header, final int extent)
    {
        final long bit = (long)extent * (header >>> PACKED_WIDTH_AT & SIX_BITS);
        return buffer.getLong(offset + PACKED_HEADER_LENGTH + (int)(bit >>> 3), BYTE_ORDER) >>> (bit & 7);
    }

    /** The low {@code width & 63} bits set; none for 0 (packed widths are at most {@link #MAX_PACKED_WIDTH}). */
    private static long mask(final int width)
    {
        return (1L << (width & SIX_BITS)) - 1;
    }

    private static int fileWidth(final int layout)
    {
        return layout >>> 6 & SIX_BITS;
    }

    private static int lengthAt(final int layout)
    {
        return fileWidth(layout) + (layout >>> 12 & SIX_BITS);
    }

    private static int flagsAt(final int layout)
    {
        return lengthAt(layout) + (layout >>> 18 & SIX_BITS);
    }

    private static int narrowAt(final int offset, final int extent)
    {
        return offset + HEADER_LENGTH + extent * NARROW_EXTENT_LENGTH;
    }

    /** Bits 40-103 of the narrow extent at {@code at}. */
    private static long narrowHigh(final DirectBuffer buffer, final int at)
    {
        return buffer.getLong(at + NARROW_HIGH_OFFSET, BYTE_ORDER);
    }

    private static long narrowFile(final long low)
    {
        return low & NARROW_FILE_MASK;
    }

    private static long narrowDevice(final long low, final long high)
    {
        // the device offset's low 32 bits end the low word; its top 8 are the extent's bits 64-71
        return low >>> NARROW_FILE_BITS | (high >>> (Long.SIZE - NARROW_HIGH_SHIFT) &
            (1L << (NARROW_FILE_BITS + NARROW_DEVICE_BITS - Long.SIZE)) - 1) << (Long.SIZE - NARROW_FILE_BITS);
    }

    private static long narrowLength(final long high)
    {
        return high >>> (NARROW_FILE_BITS + NARROW_DEVICE_BITS - NARROW_HIGH_SHIFT) & NARROW_LENGTH_MASK;
    }

    private static int narrowFlags(final long high)
    {
        return (int)(high >>> (NARROW_FILE_BITS + NARROW_DEVICE_BITS + NARROW_LENGTH_BITS - NARROW_HIGH_SHIFT) &
            NARROW_FLAGS_MASK);
    }

    /**
     * Read extents into arrays: {@code n} extents of the chunk from its first, into slots {@code to ..}.
     */
    static void read(
        final DirectBuffer buffer, final int offset, final int n, final long[] file, final long[] device,
        final long[] length, final int[] flags, final int to)
    {
        final int header = buffer.getInt(offset + COUNT_OFFSET, BYTE_ORDER);
        if (isPacked(header))
        {
            readPacked(buffer, offset, header, n, file, device, length, flags, to);
            return;
        }
        if ((header & NARROW) != 0)
        {
            final int shift = shift(header);
            int at = offset + HEADER_LENGTH;
            for (int i = to; i < to + n; i++, at += NARROW_EXTENT_LENGTH)
            {
                final long low = buffer.getLong(at, BYTE_ORDER);
                final long high = narrowHigh(buffer, at);
                file[i] = narrowFile(low) << shift;
                device[i] = narrowDevice(low, high) << shift;
                length[i] = narrowLength(high) << shift;
                flags[i] = narrowFlags(high);
            }
            return;
        }
        int at = offset + HEADER_LENGTH;
        for (int i = to; i < to + n; i++, at += WIDE_EXTENT_LENGTH)
        {
            file[i] = buffer.getLong(at + FILE_OFFSET_OFFSET, BYTE_ORDER);
            device[i] = buffer.getLong(at + DEVICE_OFFSET_OFFSET, BYTE_ORDER);
            final long lengthAndFlags = buffer.getLong(at + LENGTH_FLAGS_OFFSET, BYTE_ORDER);
            length[i] = lengthAndFlags & LENGTH_MASK;
            flags[i] = (int)(lengthAndFlags >>> FLAGS_SHIFT);
        }
    }

    /**
     * Write a chunk's header and extents {@code [from, to)}, not its checksum.
     *
     * @param header from {@link #header} for the same extents.
     */
    static void write(
        final MutableDirectBuffer buffer, final int offset, final int header, final long[] file, final long[] device,
        final long[] length, final int[] flags, final int from, final int to)
    {
        buffer.putInt(offset + COUNT_OFFSET, header, BYTE_ORDER);
        buffer.putInt(offset + CHECKSUM_OFFSET, 0, BYTE_ORDER);
        if (isPacked(header))
        {
            writePacked(buffer, offset, header, file, device, length, flags, from, to);
            return;
        }
        if ((header & NARROW) != 0)
        {
            final int shift = shift(header);
            int at = offset + HEADER_LENGTH;
            for (int i = from; i < to; i++, at += NARROW_EXTENT_LENGTH)
            {
                buffer.putLong(at, narrowLowWord(file[i], device[i], shift), BYTE_ORDER);
                final long top = narrowTopBits(device[i], length[i], flags[i], shift);
                buffer.putInt(at + Long.BYTES, (int)top, BYTE_ORDER);
                buffer.putByte(at + Long.BYTES + Integer.BYTES, (byte)(top >>> Integer.SIZE));
            }
            return;
        }
        int at = offset + HEADER_LENGTH;
        for (int i = from; i < to; i++, at += WIDE_EXTENT_LENGTH)
        {
            buffer.putLong(at + FILE_OFFSET_OFFSET, file[i], BYTE_ORDER);
            buffer.putLong(at + DEVICE_OFFSET_OFFSET, device[i], BYTE_ORDER);
            buffer.putLong(at + LENGTH_FLAGS_OFFSET, length[i] | (long)flags[i] << FLAGS_SHIFT, BYTE_ORDER);
        }
    }

    private static void readPacked(
        final DirectBuffer buffer, final int offset, final int header, final int n, final long[] file,
        final long[] device, final long[] length, final int[] flags, final int to)
    {
        final int layout = buffer.getInt(offset + PACKED_LAYOUT_OFFSET, BYTE_ORDER);
        final long fileBase = buffer.getLong(offset + PACKED_FILE_BASE_OFFSET, BYTE_ORDER);
        final long deviceBase = buffer.getLong(offset + PACKED_DEVICE_BASE_OFFSET, BYTE_ORDER);
        final int width = header >>> PACKED_WIDTH_AT & SIX_BITS;
        final int deviceAt = fileWidth(layout);
        final int lengthAt = lengthAt(layout);
        final int flagsAt = flagsAt(layout);
        final long fileMask = mask(layout >>> 6);
        final long deviceMask = mask(layout >>> 12);
        final long lengthMask = mask(layout >>> 18);
        final long flagsMask = mask(layout >>> 24);
        final int at = offset + PACKED_HEADER_LENGTH;
        long bit = 0;
        for (int i = to; i < to + n; i++, bit += width)
        {
            final long bits = buffer.getLong(at + (int)(bit >>> 3), BYTE_ORDER) >>> (bit & 7);
            file[i] = fileBase + (bits & fileMask) << (layout & SIX_BITS);
            device[i] = deviceBase + (bits >>> deviceAt & deviceMask) << (layout & SIX_BITS);
            length[i] = (bits >>> lengthAt & lengthMask) << (layout & SIX_BITS);
            flags[i] = (int)(bits >>> flagsAt & flagsMask);
        }
    }

    private static void writePacked(
        final MutableDirectBuffer buffer, final int offset, final int header, final long[] file, final long[] device,
        final long[] length, final int[] flags, final int from, final int to)
    {
        final int layout = packedLayout(file, device, length, flags, from, to);
        final int width = header >>> PACKED_WIDTH_AT & SIX_BITS;
        if (layout == -1 || width(layout) != width)
        {
            throw new IllegalArgumentException("header not of these extents: header=0x" + Integer.toHexString(header));
        }
        final int shift = layout & SIX_BITS;
        final long fileBase = file[from] >>> shift;
        long minDevice = Long.MAX_VALUE;
        for (int i = from; i < to; i++)
        {
            minDevice = Math.min(minDevice, device[i]);
        }
        final long deviceBase = minDevice >>> shift;
        buffer.putInt(offset + PACKED_LAYOUT_OFFSET, layout, BYTE_ORDER);
        buffer.putLong(offset + PACKED_FILE_BASE_OFFSET, fileBase, BYTE_ORDER);
        buffer.putLong(offset + PACKED_DEVICE_BASE_OFFSET, deviceBase, BYTE_ORDER);
        final int at = offset + PACKED_HEADER_LENGTH;
        buffer.setMemory(at, lengthOfHeader(header) - PACKED_HEADER_LENGTH, (byte)0);
        final int deviceAt = fileWidth(layout);
        final int lengthAt = lengthAt(layout);
        final int flagsAt = flagsAt(layout);
        long bit = 0;
        for (int i = from; i < to; i++, bit += width)
        {
            final long bits = (file[i] >>> shift) - fileBase | (device[i] >>> shift) - deviceBase << deviceAt |
                (length[i] >>> shift) << lengthAt | (long)flags[i] << flagsAt;
            final int word = at + (int)(bit >>> 3);
            buffer.putLong(word, buffer.getLong(word, BYTE_ORDER) | bits << (bit & 7), BYTE_ORDER);
        }
    }

    private static boolean matchesPacked(
        final DirectBuffer buffer, final int offset, final int header, final long[] file, final long[] device,
        final long[] length, final int[] flags, final int from, final int to)
    {
        final int layout = buffer.getInt(offset + PACKED_LAYOUT_OFFSET, BYTE_ORDER);
        final long fileBase = buffer.getLong(offset + PACKED_FILE_BASE_OFFSET, BYTE_ORDER);
        final long deviceBase = buffer.getLong(offset + PACKED_DEVICE_BASE_OFFSET, BYTE_ORDER);
        final int width = header >>> PACKED_WIDTH_AT & SIX_BITS;
        final int shift = layout & SIX_BITS;
        final int deviceAt = fileWidth(layout);
        final int lengthAt = lengthAt(layout);
        final int flagsAt = flagsAt(layout);
        final long extentMask = mask(width);
        final long fileMask = mask(layout >>> 6);
        final long deviceMask = mask(layout >>> 12);
        final long lengthMask = mask(layout >>> 18);
        final int at = offset + PACKED_HEADER_LENGTH;
        long bit = 0;
        for (int i = from; i < to; i++, bit += width)
        {
            final long bits = buffer.getLong(at + (int)(bit >>> 3), BYTE_ORDER) >>> (bit & 7) & extentMask;
            if (file[i] != fileBase + (bits & fileMask) << shift ||
                device[i] != deviceBase + (bits >>> deviceAt & deviceMask) << shift ||
                length[i] != (bits >>> lengthAt & lengthMask) << shift || flags[i] != (int)(bits >>> flagsAt))
            {
                return false;
            }
        }
        return true;
    }

    /** Bits 0-63 of a narrow extent: the file offset and the device offset's low 32 bits, in units. */
    private static long narrowLowWord(final long fileOffset, final long deviceOffset, final int shift)
    {
        return fileOffset >>> shift | (deviceOffset >>> shift) << NARROW_FILE_BITS;
    }

    /** Bits 64-103 of a narrow extent: the device offset's top 8 bits, the length, the flags. */
    private static long narrowTopBits(final long deviceOffset, final long length, final int flags, final int shift)
    {
        return (deviceOffset >>> shift) >>> (Long.SIZE - NARROW_FILE_BITS) |
            (length >>> shift) << (NARROW_FILE_BITS + NARROW_DEVICE_BITS - Long.SIZE) |
            (long)flags << (NARROW_FILE_BITS + NARROW_DEVICE_BITS + NARROW_LENGTH_BITS - Long.SIZE);
    }

    /**
     * Whether the chunk at {@code offset} holds exactly extents {@code [from, to)}: compared in their encoded form,
     * word by word, as {@link #write} would store them; a packed chunk's extent by extent, as read (extents that read
     * back the same have the same header, layout and bits).
     *
     * @param header from {@link #header} for the same extents.
     */
    static boolean matches(
        final DirectBuffer buffer, final int offset, final int header, final long[] file, final long[] device,
        final long[] length, final int[] flags, final int from, final int to)
    {
        if (buffer.getInt(offset + COUNT_OFFSET, BYTE_ORDER) != header)
        {
            return false;
        }
        if (isPacked(header))
        {
            return matchesPacked(buffer, offset, header, file, device, length, flags, from, to);
        }
        if ((header & NARROW) != 0)
        {
            final int shift = shift(header);
            int at = offset + HEADER_LENGTH;
            for (int i = from; i < to; i++, at += NARROW_EXTENT_LENGTH)
            {
                final long top = narrowTopBits(device[i], length[i], flags[i], shift);
                if (buffer.getLong(at, BYTE_ORDER) != narrowLowWord(file[i], device[i], shift) ||
                    buffer.getInt(at + Long.BYTES, BYTE_ORDER) != (int)top ||
                    buffer.getByte(at + Long.BYTES + Integer.BYTES) != (byte)(top >>> Integer.SIZE))
                {
                    return false;
                }
            }
            return true;
        }
        int at = offset + HEADER_LENGTH;
        for (int i = from; i < to; i++, at += WIDE_EXTENT_LENGTH)
        {
            if (buffer.getLong(at + FILE_OFFSET_OFFSET, BYTE_ORDER) != file[i] ||
                buffer.getLong(at + DEVICE_OFFSET_OFFSET, BYTE_ORDER) != device[i] ||
                buffer.getLong(at + LENGTH_FLAGS_OFFSET, BYTE_ORDER) != (length[i] | (long)flags[i] << FLAGS_SHIFT))
            {
                return false;
            }
        }
        return true;
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
