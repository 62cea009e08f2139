package io.daxrmap.source;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import io.daxrmap.model.NativePaths;

import java.nio.charset.Charset;
import java.nio.file.Path;

/**
 * The few libc calls the live sources need, bound with JNA direct mapping (a static native method per call, no
 * proxy), with the Linux constants of {@code <fcntl.h>}, {@code <errno.h>} and the ioctl numbers of
 * {@code <linux/fsmap.h>} and {@code <linux/fs.h>} for 64-bit Linux (checked with gcc against the headers).
 * <p>
 * Paths are passed as bytes in the encoding the JDK uses for file names ({@code sun.jnu.encoding}), so that the
 * kernel sees the name the JDK listed.
 */
final class LibC
{
    /** {@code O_RDONLY}. */
    static final int O_RDONLY = 0;
    /** {@code O_NONBLOCK}: a FIFO or device node that slipped past the type check does not block the walk. */
    static final int O_NONBLOCK = 0x800;
    /** {@code O_DIRECTORY}. */
    static final int O_DIRECTORY = 0x10000;
    /** {@code O_NOFOLLOW}: a path that became a symlink fails with {@code ELOOP} instead of being followed. */
    static final int O_NOFOLLOW = 0x20000;
    /** {@code O_CLOEXEC}. */
    static final int O_CLOEXEC = 0x80000;
    /** {@code O_NOCTTY}. */
    static final int O_NOCTTY = 0x100;

    /** {@code ENOENT}. */
    static final int ENOENT = 2;
    /** {@code ENOTTY}: the file's driver or filesystem does not know the ioctl. */
    static final int ENOTTY = 25;
    /** {@code EINVAL}. */
    static final int EINVAL = 22;
    /** {@code ENOTDIR}. */
    static final int ENOTDIR = 20;
    /** {@code ELOOP}: {@code O_NOFOLLOW} met a symlink. */
    static final int ELOOP = 40;
    /** {@code EOPNOTSUPP}: the filesystem has the ioctl but not for this file or not at all. */
    static final int EOPNOTSUPP = 95;

    /** {@code FS_IOC_GETFSMAP = _IOWR('X', 59, struct fsmap_head)}, {@code sizeof(struct fsmap_head) = 192}. */
    static final long FS_IOC_GETFSMAP = ioWR('X', 59, 192);
    /** {@code FS_IOC_FIEMAP = _IOWR('f', 11, struct fiemap)}, {@code sizeof(struct fiemap) = 32}. */
    static final long FS_IOC_FIEMAP = ioWR('f', 11, 32);

    /** Bytes of {@code struct stat} to reserve for {@link #fstat}: more than any 64-bit Linux ABI uses. */
    static final int STAT_BUFFER_LENGTH = 256;
    /** Offset of {@code st_dev} (u64) in {@code struct stat} on the 64-bit Linux ABIs (x86_64, generic). */
    static final int STAT_DEV_OFFSET = 0;
    /** Offset of {@code st_ino} (u64) in {@code struct stat} on the 64-bit Linux ABIs (x86_64, generic). */
    static final int STAT_INO_OFFSET = 8;
    /** Bytes of {@code struct statfs} to reserve for {@link #fstatfs}: more than the 120 of 64-bit Linux. */
    static final int STATFS_BUFFER_LENGTH = 256;
    /** Offset of {@code f_type} (a long) in {@code struct statfs} on 64-bit Linux. */
    static final int STATFS_TYPE_OFFSET = 0;

    static
    {
        if (!Platform.isLinux() || !Platform.is64Bit())
        {
            throw new UnsupportedOperationException("live sources need 64-bit Linux: os.name=" +
                System.getProperty("os.name") + " os.arch=" + System.getProperty("os.arch"));
        }
        Native.register(LibC.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
    }

    private LibC()
    {
    }

    static native int open(byte[] path, int flags) throws LastErrorException;

    static native int close(int fd) throws LastErrorException;

    static native int ioctl(int fd, long request, Pointer arg) throws LastErrorException;

    static native int fstat(int fd, Pointer stat) throws LastErrorException;

    static native int fstatfs(int fd, Pointer statfs) throws LastErrorException;

    static native int syncfs(int fd) throws LastErrorException;

    /**
     * {@code syncfs(2)} on an open file of a filesystem: its dirty data and metadata written, so that delayed
     * allocations have addresses before GETFSMAP reads the reverse map.
     *
     * @param fd   an open file of the filesystem.
     * @param path its path, for the message.
     * @throws LiveSourceException if syncfs fails.
     */
    static void syncfs(final int fd, final Path path) throws LiveSourceException
    {
        try
        {
            syncfs(fd);
        }
        catch (final LastErrorException ex)
        {
            final int errno = errno(ex);
            throw new LiveSourceException("syncfs failed: path=" + path + " " + describe(errno), errno, ex);
        }
    }

    static native String strerror(int errno);

    /**
     * A path as the NUL-terminated bytes {@code open(2)} takes.
     *
     * @param path the path.
     * @return its bytes with a trailing NUL.
     */
    static byte[] pathBytes(final Path path)
    {
        return NativePaths.bytes(path);
    }

    /**
     * The charset the JVM decodes file names with ({@code sun.jnu.encoding}), so that bytes decoded with it give the
     * same strings as {@link Path#toString()} of the names a directory listing returns.
     *
     * @return the charset.
     */
    static Charset pathCharset()
    {
        return NativePaths.charset();
    }

    /**
     * The errno of a failed call.
     *
     * @param ex what JNA threw.
     * @return the errno value.
     */
    static int errno(final LastErrorException ex)
    {
        return ex.getErrorCode();
    }

    /**
     * {@code errno=N (text)} for messages.
     *
     * @param errno an errno value.
     * @return the description.
     */
    static String describe(final int errno)
    {
        return "errno=" + errno + " (" + strerror(errno) + ")";
    }

    /**
     * Close a descriptor, ignoring errors (used on paths that already report one).
     *
     * @param fd descriptor, or negative for none.
     */
    static void closeQuietly(final int fd)
    {
        if (fd >= 0)
        {
            try
            {
                close(fd);
            }
            catch (final LastErrorException ignore)
            {
                // close(2) releases the descriptor even when it reports an error: nothing left to do.
            }
        }
    }

    /** {@code _IOWR(type, nr, size)}: direction read|write (3) in bits 30-31, size in bits 16-29. */
    private static long ioWR(final char type, final int nr, final int size)
    {
        return (3L << 30) | ((long)size << 16) | ((long)type << 8) | nr;
    }
}
