package io.daxrmap.source;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import io.daxrmap.format.DeviceNumber;
import io.daxrmap.format.FsmapRecordHandler;
import io.daxrmap.model.MappingFlags;
import io.daxrmap.model.Owner;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The kernel's reverse map of a mounted filesystem, read with {@code FS_IOC_GETFSMAP} and delivered record by
 * record, in bytes, to a {@link FsmapRecordHandler}.
 * <p>
 * One native buffer holds the request and the answer ({@code include/uapi/linux/fsmap.h}):
 * <pre>
 *  struct fsmap_head (192 bytes)                      struct fsmap (64 bytes)
 *    0  u32 fmh_iflags    (0)                           0  u32 fmr_device  (dev_t, new_encode_dev)
 *    4  u32 fmh_oflags    (out: FMH_OF_DEV_T)           4  u32 fmr_flags   (FMR_OF_*)
 *    8  u32 fmh_count     (records the buffer holds)    8  u64 fmr_physical (bytes)
 *   12  u32 fmh_entries   (out: records filled in)     16  u64 fmr_owner   (inode or FMR_OWNER(type, code))
 *   16  u64 fmh_reserved[6] (0)                         24  u64 fmr_offset  (bytes into the fork)
 *   64  struct fsmap fmh_keys[2] (low, high key)        32  u64 fmr_length  (bytes)
 *  192  struct fsmap fmh_recs[fmh_count]                40  u64 fmr_reserved[3] (0)
 * </pre>
 * A whole filesystem is read in batches: the low key starts all zero and the high key all ones (device, physical,
 * owner, offset and flags), so every device of the filesystem is covered in one key space ordered by device;
 * after each batch the last record is copied into the low key ({@code fsmap_advance()}) until a batch is empty
 * or its last record carries {@code FMR_OF_LAST}. The records arrive in the kernel's order, the order
 * {@code xfs_io -c 'fsmap -m'} prints them in.
 * <p>
 * What is delivered: {@code major}/{@code minor} decoded from {@code fmr_device} as {@link DeviceNumber} does
 * (XFS and ext4 report {@code dev_t} values, {@code FMH_OF_DEV_T}); the owner from
 * {@link Owner#fromFsmap(long, int)}; {@code fmr_offset} as the file offset (0 for owners without one); and
 * {@code fmr_flags} less {@link MappingFlags#LAST}, which marks the end of a query rather than a property of the
 * mapping.
 * <p>
 * The kernel decides how much it tells: XFS names owners only with {@code rmapbt=1} and for callers with
 * {@code CAP_SYS_ADMIN}, otherwise it reports free space and {@code FMR_OWN_UNKNOWN}; ext4 reports its metadata
 * and free space but all file data as {@code FMR_OWN_UNKNOWN}. Other filesystems fail with {@code ENOTTY} or
 * {@code EOPNOTSUPP}.
 * <p>
 * Not thread-safe: one instance owns one buffer; {@link #close()} frees it.
 */
public final class GetFsmap implements AutoCloseable
{
    /** Records per ioctl unless told otherwise: 64 KiB of records. */
    public static final int DEFAULT_BATCH = 1024;
    /** The largest batch accepted: 64 MiB of records. */
    public static final int MAX_BATCH = 1 << 20;

    /** {@code FMH_OF_DEV_T}: {@code fmr_device} values are {@code dev_t}. */
    public static final int FMH_OF_DEV_T = 0x1;

    static final int HEAD_IFLAGS_OFFSET = 0;
    static final int HEAD_OFLAGS_OFFSET = HEAD_IFLAGS_OFFSET + Integer.BYTES;
    static final int HEAD_COUNT_OFFSET = HEAD_OFLAGS_OFFSET + Integer.BYTES;
    static final int HEAD_ENTRIES_OFFSET = HEAD_COUNT_OFFSET + Integer.BYTES;
    static final int HEAD_RESERVED_OFFSET = HEAD_ENTRIES_OFFSET + Integer.BYTES;
    static final int HEAD_KEYS_OFFSET = HEAD_RESERVED_OFFSET + 6 * Long.BYTES;

    static final int FMR_DEVICE_OFFSET = 0;
    static final int FMR_FLAGS_OFFSET = FMR_DEVICE_OFFSET + Integer.BYTES;
    static final int FMR_PHYSICAL_OFFSET = FMR_FLAGS_OFFSET + Integer.BYTES;
    static final int FMR_OWNER_OFFSET = FMR_PHYSICAL_OFFSET + Long.BYTES;
    static final int FMR_OFFSET_OFFSET = FMR_OWNER_OFFSET + Long.BYTES;
    static final int FMR_LENGTH_OFFSET = FMR_OFFSET_OFFSET + Long.BYTES;
    static final int FMR_RESERVED_OFFSET = FMR_LENGTH_OFFSET + Long.BYTES;
    /** {@code sizeof(struct fsmap)}. */
    static final int FSMAP_LENGTH = FMR_RESERVED_OFFSET + 3 * Long.BYTES;

    static final int HEAD_RECS_OFFSET = HEAD_KEYS_OFFSET + 2 * FSMAP_LENGTH;
    /** {@code sizeof(struct fsmap_head)}. */
    static final int HEAD_LENGTH = HEAD_RECS_OFFSET;

    private static final int LOW_KEY_OFFSET = HEAD_KEYS_OFFSET;
    private static final int HIGH_KEY_OFFSET = HEAD_KEYS_OFFSET + FSMAP_LENGTH;

    private final int batch;
    private final Memory buffer;
    private long calls;

    /**
     * A reader with {@link #DEFAULT_BATCH} records per ioctl.
     */
    public GetFsmap()
    {
        this(DEFAULT_BATCH);
    }

    /**
     * A reader with a batch size of its own.
     *
     * @param batch records per ioctl, 1..{@link #MAX_BATCH}.
     */
    public GetFsmap(final int batch)
    {
        if (batch < 1 || batch > MAX_BATCH)
        {
            throw new IllegalArgumentException("batch out of range: batch=" + batch + " max=" + MAX_BATCH);
        }
        this.batch = batch;
        this.buffer = new Memory(HEAD_LENGTH + (long)batch * FSMAP_LENGTH);
    }

    /**
     * Records per ioctl.
     *
     * @return the batch size.
     */
    public int batch()
    {
        return batch;
    }

    /**
     * GETFSMAP calls made so far by this reader, counting the final empty or {@code FMR_OF_LAST} one.
     *
     * @return the number of ioctls.
     */
    public long calls()
    {
        return calls;
    }

    /**
     * Read every record of the filesystem mounted at (or holding) a path.
     *
     * @param path    the mount point, or any file or directory of the filesystem.
     * @param handler receives the records in the kernel's order.
     * @return the number of records delivered.
     * @throws IOException if the path cannot be opened, GETFSMAP fails (the message names the path and errno), or
     *                     the handler fails.
     */
    public long readAll(final Path path, final FsmapRecordHandler handler) throws IOException
    {
        return read(path, 0, 0, -1, -1, handler);
    }

    /**
     * Read the records of one device of the filesystem that overlap a range of device bytes, whole (not clipped),
     * as {@code xfs_io -c 'fsmap -d lo hi'} does for the data device.
     *
     * @param path           the mount point, or any file or directory of the filesystem.
     * @param device         the device as GETFSMAP names it, {@link DeviceNumber#encode(int, int)}.
     * @param firstByte      first device byte of the range.
     * @param lastByte       last device byte of the range (inclusive), at least {@code firstByte}.
     * @param handler        receives the records in the kernel's order.
     * @return the number of records delivered.
     * @throws IOException if the path cannot be opened, GETFSMAP fails, or the handler fails.
     */
    public long readRange(
        final Path path, final int device, final long firstByte, final long lastByte, final FsmapRecordHandler handler)
        throws IOException
    {
        checkRange(firstByte, lastByte);
        return read(path, device, firstByte, device, lastByte, handler);
    }

    /**
     * Open the filesystem once for many range reads, as a daemon asking per event would.
     *
     * @param path the mount point, or any file or directory of the filesystem.
     * @return the open filesystem; close it.
     * @throws IOException if the path cannot be opened.
     */
    public Opened open(final Path path) throws IOException
    {
        return new Opened(openPath(path), path);
    }

    /**
     * A filesystem held open for {@link #readRange(int, long, long, FsmapRecordHandler)} calls, or to be synced and
     * then read, the same filesystem both times.
     */
    public final class Opened implements AutoCloseable
    {
        private final int fd;
        private final Path path;

        private Opened(final int fd, final Path path)
        {
            this.fd = fd;
            this.path = path;
        }

        /**
         * As {@link GetFsmap#readRange(Path, int, long, long, FsmapRecordHandler)}, on the open filesystem.
         *
         * @param device    the device as GETFSMAP names it.
         * @param firstByte first device byte of the range.
         * @param lastByte  last device byte of the range (inclusive), at least {@code firstByte}.
         * @param handler   receives the records in the kernel's order.
         * @return the number of records delivered.
         * @throws IOException if GETFSMAP fails or the handler fails.
         */
        public long readRange(final int device, final long firstByte, final long lastByte,
            final FsmapRecordHandler handler) throws IOException
        {
            checkRange(firstByte, lastByte);
            return read(fd, path, device, firstByte, device, lastByte, handler);
        }

        /**
         * As {@link GetFsmap#readAll(Path, FsmapRecordHandler)}, on the open filesystem.
         *
         * @param handler receives the records in the kernel's order.
         * @return the number of records delivered.
         * @throws IOException if GETFSMAP fails or the handler fails.
         */
        public long readAll(final FsmapRecordHandler handler) throws IOException
        {
            return read(fd, path, 0, 0, -1, -1, handler);
        }

        /**
         * Write the filesystem's dirty data and metadata ({@code syncfs(2)}): data written and not yet written back
         * (a delayed allocation) has no place on the device, and no record in GETFSMAP, until then.
         *
         * @throws LiveSourceException if syncfs fails.
         */
        public void sync() throws LiveSourceException
        {
            LibC.syncfs(fd, path);
        }

        @Override
        public void close()
        {
            LibC.closeQuietly(fd);
        }
    }

    /**
     * Count the records of the whole filesystem without reading them ({@code fmh_count = 0}).
     *
     * @param path the mount point, or any file or directory of the filesystem.
     * @return the number of records the kernel would return now.
     * @throws IOException if the path cannot be opened or GETFSMAP fails.
     */
    public long count(final Path path) throws IOException
    {
        final int fd = openPath(path);
        try
        {
            prepareKeys(0, 0, -1, -1);
            buffer.setInt(HEAD_COUNT_OFFSET, 0);
            getfsmap(fd, path);
            return Integer.toUnsignedLong(buffer.getInt(HEAD_ENTRIES_OFFSET));
        }
        finally
        {
            LibC.closeQuietly(fd);
        }
    }

    /**
     * Whether the filesystem holding a path answers GETFSMAP at all (it may still report unknown owners).
     *
     * @param path the mount point, or any file or directory of the filesystem.
     * @return false if the filesystem fails GETFSMAP with {@code ENOTTY}, {@code EOPNOTSUPP} or {@code EINVAL}.
     * @throws IOException if the path cannot be opened or GETFSMAP fails for another reason.
     */
    public static boolean isSupported(final Path path) throws IOException
    {
        try (GetFsmap probe = new GetFsmap(1))
        {
            probe.count(path);
            return true;
        }
        catch (final LiveSourceException ex)
        {
            final int errno = ex.errno();
            if (errno == LibC.ENOTTY || errno == LibC.EOPNOTSUPP || errno == LibC.EINVAL)
            {
                return false;
            }
            throw ex;
        }
    }

    /**
     * Free the native buffer. The reader cannot be used afterwards.
     */
    @Override
    public void close()
    {
        buffer.close();
    }

    private long read(
        final Path path,
        final int lowDevice,
        final long lowPhysical,
        final int highDevice,
        final long highPhysical,
        final FsmapRecordHandler handler) throws IOException
    {
        final int fd = openPath(path);
        try
        {
            return read(fd, path, lowDevice, lowPhysical, highDevice, highPhysical, handler);
        }
        finally
        {
            LibC.closeQuietly(fd);
        }
    }

    private long read(
        final int fd,
        final Path path,
        final int lowDevice,
        final long lowPhysical,
        final int highDevice,
        final long highPhysical,
        final FsmapRecordHandler handler) throws IOException
    {
        prepareKeys(lowDevice, lowPhysical, highDevice, highPhysical);
        long records = 0;
        while (true)
        {
            buffer.setInt(HEAD_COUNT_OFFSET, batch);
            buffer.setInt(HEAD_ENTRIES_OFFSET, 0);
            getfsmap(fd, path);
            final int entries = buffer.getInt(HEAD_ENTRIES_OFFSET);
            if (entries <= 0)
            {
                return records;
            }
            if (entries > batch)
            {
                throw new IOException("GETFSMAP returned more records than asked for: path=" + path +
                    " entries=" + Integer.toUnsignedString(entries) + " count=" + batch);
            }
            boolean last = false;
            for (int i = 0; i < entries; i++)
            {
                final long rec = HEAD_RECS_OFFSET + (long)i * FSMAP_LENGTH;
                final int device = buffer.getInt(rec + FMR_DEVICE_OFFSET);
                final int flags = buffer.getInt(rec + FMR_FLAGS_OFFSET);
                final long owner = Owner.fromFsmap(buffer.getLong(rec + FMR_OWNER_OFFSET), flags);
                handler.onRecord(
                    DeviceNumber.major(device),
                    DeviceNumber.minor(device),
                    buffer.getLong(rec + FMR_PHYSICAL_OFFSET),
                    buffer.getLong(rec + FMR_LENGTH_OFFSET),
                    owner,
                    Owner.hasFileOffset(owner) ? buffer.getLong(rec + FMR_OFFSET_OFFSET) : 0,
                    flags & ~MappingFlags.LAST);
                last = (flags & MappingFlags.LAST) != 0;
            }
            records += entries;
            if (last)
            {
                return records;
            }
            final long lastRec = HEAD_RECS_OFFSET + (long)(entries - 1) * FSMAP_LENGTH;
            buffer.write(LOW_KEY_OFFSET, buffer.getByteArray(lastRec, FSMAP_LENGTH), 0, FSMAP_LENGTH);
        }
    }

    private static void checkRange(final long firstByte, final long lastByte)
    {
        if (firstByte < 0 || lastByte < firstByte)
        {
            throw new IllegalArgumentException("bad range: firstByte=" + firstByte + " lastByte=" + lastByte);
        }
    }

    private void prepareKeys(final int lowDevice, final long lowPhysical, final int highDevice, final long highPhysical)
    {
        buffer.clear(HEAD_LENGTH);
        buffer.setInt(LOW_KEY_OFFSET + FMR_DEVICE_OFFSET, lowDevice);
        buffer.setLong(LOW_KEY_OFFSET + FMR_PHYSICAL_OFFSET, lowPhysical);
        buffer.setInt(HIGH_KEY_OFFSET + FMR_DEVICE_OFFSET, highDevice);
        buffer.setInt(HIGH_KEY_OFFSET + FMR_FLAGS_OFFSET, -1);
        buffer.setLong(HIGH_KEY_OFFSET + FMR_PHYSICAL_OFFSET, highPhysical);
        buffer.setLong(HIGH_KEY_OFFSET + FMR_OWNER_OFFSET, -1L);
        buffer.setLong(HIGH_KEY_OFFSET + FMR_OFFSET_OFFSET, -1L);
    }

    private void getfsmap(final int fd, final Path path) throws LiveSourceException
    {
        calls++;
        try
        {
            LibC.ioctl(fd, LibC.FS_IOC_GETFSMAP, buffer);
        }
        catch (final LastErrorException ex)
        {
            final int errno = LibC.errno(ex);
            throw new LiveSourceException("GETFSMAP failed: path=" + path + " " + LibC.describe(errno) + hint(errno),
                errno, ex);
        }
    }

    private static int openPath(final Path path) throws LiveSourceException
    {
        try
        {
            return LibC.open(LibC.pathBytes(path), LibC.O_RDONLY | LibC.O_CLOEXEC | LibC.O_NONBLOCK | LibC.O_NOCTTY);
        }
        catch (final LastErrorException ex)
        {
            final int errno = LibC.errno(ex);
            throw new LiveSourceException("cannot open for GETFSMAP: path=" + path + " " + LibC.describe(errno),
                errno, ex);
        }
    }

    private static String hint(final int errno)
    {
        if (errno == LibC.ENOTTY || errno == LibC.EOPNOTSUPP)
        {
            return ": the filesystem does not support GETFSMAP (XFS and ext4 do)";
        }
        if (errno == LibC.EINVAL)
        {
            return ": the kernel rejected the request keys";
        }
        return "";
    }
}
