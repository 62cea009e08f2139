package io.daxrmap.index;

import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * CRC32C of an arena block, its own 4-byte checksum field left out: written with every stripe and forward-map
 * block in slab files ({@link Arena#sealsBlocks}), checked for every block a reopened index names, so a flipped byte in
 * a slab file is refused, not answered.
 */
final class BlockChecksum
{
    private BlockChecksum()
    {
    }

    /** Where every block keeps its checksum: after its 4-byte header word (format and count), little-endian. */
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
        final Scratch scratch = SCRATCH.get();
        final CRC32C crc = scratch.crc;
        crc.reset();
        update(crc, scratch.bytes, buffer, offset, checksumOffset);
        final int rest = checksumOffset + Integer.BYTES;
        update(crc, scratch.bytes, buffer, offset + rest, length - rest);
        return (int)crc.getValue();
    }

    /**
     * Through a copy in the thread's scratch array: CRC32C takes a byte array or a ByteBuffer's position and limit,
     * and a slab's ByteBuffer is shared between threads, so it would need a duplicate (an allocation) per block.
     */
    private static void update(
        final CRC32C crc, final byte[] bytes, final UnsafeBuffer buffer, final int from, final int length)
    {
        for (int done = 0; done < length; )
        {
            final int n = Math.min(bytes.length, length - done);
            buffer.getBytes(from + done, bytes, 0, n);
            crc.update(bytes, 0, n);
            done += n;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private static final class Scratch
    {
        final CRC32C crc = new CRC32C();
        final byte[] bytes = new byte[4096];
    }
}
