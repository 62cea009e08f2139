package io.daxrmap.store;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import io.daxrmap.model.NativePaths;

import java.nio.file.Path;

/**
 * Swap two directories in one step: {@code renameat2(..., RENAME_EXCHANGE)} (Linux 3.15, glibc 2.28), so that a
 * replaced index directory is never missing, as it is between the two renames that move the old one aside and the
 * new one in.
 */
final class DirectoryExchange
{
    private static final int AT_FDCWD = -100;
    private static final int RENAME_EXCHANGE = 2;
    private static final boolean BOUND = bind();

    private DirectoryExchange()
    {
    }

    private static boolean bind()
    {
        if (!Platform.isLinux())
        {
            return false;
        }
        try
        {
            Native.register(DirectoryExchange.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
            return true;
        }
        catch (final UnsatisfiedLinkError ex)
        {
            return false; // a C library without renameat2
        }
    }

    private static native int renameat2(int oldDirectory, byte[] oldPath, int newDirectory, byte[] newPath, int flags)
        throws LastErrorException;

    /**
     * Exchange two paths of one filesystem.
     *
     * @return false if this system or filesystem cannot (nothing changed); true once they are exchanged.
     * @throws LastErrorException for any other failure (nothing changed).
     */
    static boolean exchange(final Path a, final Path b)
    {
        if (!BOUND)
        {
            return false;
        }
        try
        {
            renameat2(AT_FDCWD, NativePaths.bytes(a), AT_FDCWD, NativePaths.bytes(b), RENAME_EXCHANGE);
            return true;
        }
        catch (final LastErrorException ex)
        {
            final int errno = ex.getErrorCode();
            if (errno == 22 || errno == 38 || errno == 95) // EINVAL, ENOSYS, EOPNOTSUPP: not here
            {
                return false;
            }
            throw ex;
        }
        catch (final UnsatisfiedLinkError ex)
        {
            return false;
        }
    }
}
