package io.daxrmap.model;

/**
 * The shape of one device of a filesystem: what an index covers.
 *
 * @param device    device number as GETFSMAP's {@code fmr_device} ({@code new_encode_dev(major, minor)}).
 * @param size      size in bytes of the device's data area; every mapping lies in {@code [0, size)}.
 * @param blockSize filesystem block size in bytes, a power of two.
 */
public record DeviceGeometry(int device, long size, int blockSize)
{
    /**
     * Validates every field.
     */
    public DeviceGeometry
    {
        if (size <= 0)
        {
            throw new IllegalArgumentException("device size must be positive: size=" + size);
        }
        if (blockSize <= 0 || Integer.bitCount(blockSize) != 1)
        {
            throw new IllegalArgumentException("block size must be a power of two: blockSize=" + blockSize);
        }
    }
}
