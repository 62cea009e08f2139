package io.daxrmap.source;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The geometry of a mounted XFS, read with {@code XFS_IOC_FSGEOMETRY_V1} ({@code fs/xfs/libxfs/xfs_fs.h}):
 * what {@code xfs_io -c 'fsmap -v'} needs for its AG columns, and the exact size of the data device.
 * <pre>
 *  struct xfs_fsop_geom_v1 (112 bytes)
 *    0 u32 blocksize   4 u32 rtextsize   8 u32 agblocks   12 u32 agcount   16 u32 logblocks   20 u32 sectsize
 *   24 u32 inodesize  28 u32 imaxpct    32 u64 datablocks 40 u64 rtblocks  48 u64 rtextents   56 u64 logstart
 *   64 u8 uuid[16]    80 u32 sunit      84 u32 swidth     88 s32 version   92 u32 flags       96 u32 logsectsize
 *  100 u32 rtsectsize 104 u32 dirblocksize
 * </pre>
 *
 * @param blockSize       filesystem block size in bytes.
 * @param agBlocks        blocks per allocation group.
 * @param agCount         allocation groups.
 * @param dataBlocks      blocks in the data device.
 * @param logBlocks       blocks in the log.
 * @param logStart        first block of an internal log, 0 for an external one.
 * @param rtBlocks        blocks in the realtime device.
 * @param stripeUnit      stripe unit in blocks, 0 if none.
 * @param stripeWidth     stripe width in blocks, 0 if none.
 * @param flags           the feature flags, {@code XFS_FSOP_GEOM_FLAGS_*}.
 */
public record XfsGeometry(
    int blockSize, long agBlocks, long agCount, long dataBlocks, long logBlocks, long logStart, long rtBlocks,
    long stripeUnit, long stripeWidth, int flags)
{
    /** {@code XFS_FSOP_GEOM_FLAGS_RMAPBT}: the filesystem keeps a reverse-mapping btree, so GETFSMAP names owners. */
    public static final int XFS_FSOP_GEOM_FLAGS_RMAPBT = 0x80000;
    /** {@code XFS_FSOP_GEOM_FLAGS_REFLINK}: the filesystem can share blocks between files. */
    public static final int XFS_FSOP_GEOM_FLAGS_REFLINK = 0x100000;

    /** {@code sizeof(struct xfs_fsop_geom_v1)}. */
    static final int GEOMETRY_V1_LENGTH = 112;
    /** {@code XFS_IOC_FSGEOMETRY_V1 = _IOR('X', 100, struct xfs_fsop_geom_v1)}. */
    static final long XFS_IOC_FSGEOMETRY_V1 = (2L << 30) | ((long)GEOMETRY_V1_LENGTH << 16) | ('X' << 8) | 100;

    /**
     * Bytes in the data device.
     *
     * @return {@code dataBlocks * blockSize}.
     */
    public long dataBytes()
    {
        return dataBlocks * blockSize;
    }

    /**
     * Whether the filesystem has the reverse-mapping btree ({@code mkfs.xfs -m rmapbt=1}): without it GETFSMAP
     * reports every used block as {@code FMR_OWN_UNKNOWN}, names no file.
     *
     * @return whether {@link #XFS_FSOP_GEOM_FLAGS_RMAPBT} is set.
     */
    public boolean hasReverseMap()
    {
        return (flags & XFS_FSOP_GEOM_FLAGS_RMAPBT) != 0;
    }

    /**
     * Read the geometry of the XFS that holds a path.
     *
     * @param path the mount point or any file on the filesystem.
     * @return the geometry.
     * @throws LiveSourceException if the filesystem is not XFS or the ioctl fails.
     */
    public static XfsGeometry read(final Path path) throws IOException
    {
        final int fd;
        try
        {
            fd = LibC.open(LibC.pathBytes(path), LibC.O_RDONLY | LibC.O_CLOEXEC | LibC.O_NONBLOCK | LibC.O_NOCTTY);
        }
        catch (final LastErrorException ex)
        {
            final int errno = LibC.errno(ex);
            throw new LiveSourceException("cannot open: path=" + path + " " + LibC.describe(errno), errno, ex);
        }
        try (Memory geometry = new Memory(GEOMETRY_V1_LENGTH))
        {
            geometry.clear();
            LibC.ioctl(fd, XFS_IOC_FSGEOMETRY_V1, geometry);
            return new XfsGeometry(
                geometry.getInt(0), Integer.toUnsignedLong(geometry.getInt(8)),
                Integer.toUnsignedLong(geometry.getInt(12)), geometry.getLong(32),
                Integer.toUnsignedLong(geometry.getInt(16)), geometry.getLong(56), geometry.getLong(40),
                Integer.toUnsignedLong(geometry.getInt(80)), Integer.toUnsignedLong(geometry.getInt(84)),
                geometry.getInt(92));
        }
        catch (final LastErrorException ex)
        {
            final int errno = LibC.errno(ex);
            throw new LiveSourceException("XFS_IOC_FSGEOMETRY failed (not an XFS?): path=" + path + " " +
                LibC.describe(errno), errno, ex);
        }
        finally
        {
            LibC.closeQuietly(fd);
        }
    }
}
