package io.daxrmap.index;

import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * CRC32C of an arena block, its own 4-byte checksum field left out: written with every stripe and forward-map
 * block, checked for every block a reopened index names, so a flipped byte in a slab file is refused, not answered.
 */
final class BlockChecksum
{
    private BlockChecksum()
    {
    }

    /** Where every block keeps its checksum: after its 4-byte count, little-endian. */
    static final int CHECKSUM_OFFSET = Integer.BYTES;

    /**
     * Store a block's checksum; call once every other byte is written.
     */
    static void seal(final UnsafeBuffer buffer, final int offset, final int length)
    {
        buffer.putInt(offset + CHECKSUM_OFFSET, compute(buffer, offset, length, CHECKSUM_OFFSET), ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Whether a block's checksum matches its bytes.
     */
    static boolean intact(final UnsafeBuffer buffer, final int offset, final int length)
    {
        return buffer.getInt(offset + CHECKSUM_OFFSET, ByteOrder.LITTLE_ENDIAN) ==
            compute(buffer, offset, length, CHECKSUM_OFFSET);
    }

    static int compute(final UnsafeBuffer buffer, final int offset, final int length, final int checksumOffset)
    {
        final ByteBuffer bytes = buffer.byteBuffer().duplicate();
        final int base = buffer.wrapAdjustment() + offset;
        final CRC32C crc = new CRC32C();
        bytes.limit(base + checksumOffset).position(base);
        crc.update(bytes);
        bytes.limit(base + length).position(base + checksumOffset + Integer.BYTES);
        crc.update(bytes);
        return (int)crc.getValue();
    }
}
