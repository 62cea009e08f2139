package io.daxrmap.format;

/**
 * What {@code xfs_io -c 'fsmap -v'} takes from the filesystem geometry ({@code XFS_IOC_FSGEOMETRY}) to print
 * the AG columns and the stripe flags.
 *
 * @param dataMajor         major number of the data device: only its records get AG columns.
 * @param dataMinor         minor number of the data device.
 * @param agBlocks          blocks per allocation group ({@code agsize} of xfs_info).
 * @param blockSize         filesystem block size in bytes.
 * @param agCount           number of allocation groups.
 * @param stripeUnitBlocks  stripe unit in blocks ({@code sunit}), 0 if none.
 * @param stripeWidthBlocks stripe width in blocks ({@code swidth}), 0 if none.
 */
public record FsmapVerboseGeometry(
    int dataMajor, int dataMinor, long agBlocks, int blockSize, long agCount, long stripeUnitBlocks,
    long stripeWidthBlocks)
{
    /**
     * Validates every field.
     */
    public FsmapVerboseGeometry
    {
        DeviceNumber.encode(dataMajor, dataMinor);
        if (blockSize < XfsIo.SECTOR || Integer.bitCount(blockSize) != 1)
        {
            throw new IllegalArgumentException("block size must be a power of two >= 512: blockSize=" + blockSize);
        }
        if (agBlocks <= 0 || agBlocks > Long.MAX_VALUE / blockSize || agCount <= 0)
        {
            throw new IllegalArgumentException("bad allocation groups: agBlocks=" + agBlocks + " agCount=" + agCount);
        }
        if (stripeUnitBlocks < 0 || stripeWidthBlocks < 0 || (stripeUnitBlocks > 0 && stripeWidthBlocks == 0))
        {
            throw new IllegalArgumentException("bad stripe: stripeUnitBlocks=" + stripeUnitBlocks +
                " stripeWidthBlocks=" + stripeWidthBlocks);
        }
    }

    /**
     * A geometry without stripes.
     *
     * @param dataMajor major number of the data device.
     * @param dataMinor minor number of the data device.
     * @param agBlocks  blocks per allocation group.
     * @param blockSize filesystem block size in bytes.
     * @param agCount   number of allocation groups.
     */
    public FsmapVerboseGeometry(
        final int dataMajor, final int dataMinor, final long agBlocks, final int blockSize, final long agCount)
    {
        this(dataMajor, dataMinor, agBlocks, blockSize, agCount, 0, 0);
    }

    /**
     * Bytes per allocation group.
     *
     * @return {@code agBlocks * blockSize}.
     */
    public long agBytes()
    {
        return agBlocks * blockSize;
    }
}
