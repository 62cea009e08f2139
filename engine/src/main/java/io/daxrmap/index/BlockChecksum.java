package io.daxrmap.index;

import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
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
