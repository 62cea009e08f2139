package io.daxrmap.index;

import io.daxrmap.model.DeviceGeometry;

/**
 * How to build a reverse index.
 *
 * @param geometry        the device the index covers.
 * @param expectedRecords how many mapping records the index is expected to hold; sizes the stripe table, which is
 *                        cut for pieces of device space, so records that cover the same bytes as another (the
 *                        sharers of an extent) may be counted once, as {@code FilesystemIndexBuilder} counts them.
 */
public record IndexConfig(DeviceGeometry geometry, long expectedRecords)
{
    /**
     * Validates every field.
     */
    public IndexConfig
    {
        if (geometry == null)
        {
            throw new IllegalArgumentException("geometry=null");
        }
        if (expectedRecords < 0)
        {
            throw new IllegalArgumentException("expectedRecords must not be negative: expectedRecords=" + expectedRecords);
        }
    }

    /**
     * A configuration for a device of this geometry expecting about one record per 64 blocks.
     *
     * @param geometry the device the index covers.
     * @return the configuration.
     */
    public static IndexConfig of(final DeviceGeometry geometry)
    {
        return new IndexConfig(geometry, Math.max(1, geometry.size() / geometry.blockSize() / 64));
    }
}
