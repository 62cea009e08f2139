package io.daxrmap.index;

import com.sun.jna.LastErrorException;
import io.daxrmap.model.NativePaths;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Disk space for the bytes of a memory-mapped file before they are written through the mapping.
 * <p>
 * Slab files are sparse: a write through the mapping into a hole asks the filesystem for a block then and there, and
 * on a full filesystem (or past a quota) the kernel can only answer with {@code SIGBUS}, which the JVM turns into an
 * {@link InternalError} ("a fault occurred in a recent unsafe memory access operation") thrown from wherever the
 * write happened to be. {@code fallocate(2)} asks for the blocks ahead of the writes and fails with {@code ENOSPC} as
 * an ordinary error. A filesystem that cannot preallocate ({@code EOPNOTSUPP}), or a platform without the call, keeps
 * the files sparse, as they were.
 */
final class FileSpace
{
    private static final int O_WRONLY = 0x1;
    private static final int O_CLOEXEC = 0x80000;
    private static final int EINTR = 4;
    private static final int EOPNOTSUPP = 95;
    private static final int ENOSYS = 38;
    private static final boolean AVAILABLE = AnonymousMemory.bindLibc(FileSpace.class);

    private FileSpace()
    {
    }

    /**
     * Allocate the disk blocks of a range of a file, leaving its size and bytes as they are.
     *
     * @param file   the file.
     * @param offset the range's first byte.
     * @param length its bytes.
     * @throws IOException if the filesystem has not the space (or the file cannot be opened); its message does not name
     *                     the file.
     */
    static void reserve(final Path file, final long offset, final long length) throws IOException
    {
        if (!AVAILABLE || length <= 0)
        {
            return;
        }
        final int fd;
        try
        {
            fd = open(NativePaths.bytes(file), O_WRONLY | O_CLOEXEC);
        }
        catch (final LastErrorException ex)
        {
            throw new IOException("cannot open to reserve space: " + describe(ex.getErrorCode()), ex);
        }
        try
        {
            while (true)
            {
                try
                {
                    fallocate(fd, 0, offset, length);
                    return;
                }
                catch (final LastErrorException ex)
                {
                    final int errno = ex.getErrorCode();
                    if (errno == EOPNOTSUPP || errno == ENOSYS)
                    {
                        return; // the filesystem cannot preallocate: the file stays sparse
                    }
                    if (errno != EINTR)
                    {
                        throw new IOException("cannot reserve " + length + " bytes at offset " + offset + ": " +
                            describe(errno), ex);
                    }
                }
            }
        }
        finally
        {
            try
            {
                close(fd);
            }
            catch (final LastErrorException ignore)
            {
                // close(2) releases the descriptor even when it reports an error
            }
        }
    }

    private static String describe(final int errno)
    {
        return strerror(errno) + " (errno=" + errno + ")";
    }

    private static native int open(byte[] path, int flags) throws LastErrorException;

    private static native int fallocate(int fd, int mode, long offset, long length) throws LastErrorException;

    private static native int close(int fd) throws LastErrorException;

    private static native String strerror(int errno);
}
