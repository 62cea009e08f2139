package io.daxrmap.store;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import io.daxrmap.model.NativePaths;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The temporary directory an index is built in beside its target ({@code .NAME.tmp-*}), locked while its builder
 * runs, so that a build that never finished (its process killed) can be told from one under way and removed.
 * <p>
 * The lock is {@code flock(2)} on the directory itself: it lasts as long as the builder's descriptor, and ends with
 * its process however that ends. The directory is made under another name ({@code .NAME.new-*}) and renamed to its
 * {@code .tmp-} name only once locked, so a directory of that name is never seen unlocked while its builder builds in
 * it. {@link #sweep} removes the unlocked ones, and {@code .new-} ones left unlocked for over a minute; only names of
 * the form this class makes (a random decimal number after the prefix). After the build, the {@code .tmp-} name may
 * hold the replaced index on its way out (exchanged with the new one, which keeps the lock): a sweep and the builder
 * may then both delete it, which {@link IndexStore#deleteTree} allows. Where {@code flock} is not available (not
 * Linux) or not on the filesystem (NFS, for a directory), nothing is locked and nothing is swept.
 */
final class BuildDirectory implements AutoCloseable
{
    private static final int O_RDONLY = 0;
    private static final int O_DIRECTORY = 0x10000;
    private static final int O_NOFOLLOW = 0x20000;
    private static final int O_CLOEXEC = 0x80000;
    private static final int LOCK_EX = 2;
    private static final int LOCK_NB = 4;
    private static final int EINTR = 4;
    private static final boolean BOUND = bind();
    /** How old a {@code .new-} directory must be to be taken for a leftover rather than one about to be locked. */
    private static final long NEW_LEFTOVER_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final Path path;
    private int fd;

    private BuildDirectory(final Path path, final int fd)
    {
        this.path = path;
        this.fd = fd;
    }

    /**
     * Make and lock a new build directory for a target.
     *
     * @param parent the target's parent directory.
     * @param name   the target's file name.
     * @return the directory, locked until {@link #close()}.
     * @throws IOException if it cannot be made.
     */
    static BuildDirectory create(final Path parent, final String name) throws IOException
    {
        final Path fresh = Files.createTempDirectory(parent, "." + name + ".new-",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        final int fd = BOUND ? lockedOrNone(fresh) : -1;
        try
        {
            return new BuildDirectory(renameFresh(fresh, parent, name), fd);
        }
        catch (final IOException | RuntimeException ex)
        {
            closeQuietly(fd);
            Files.deleteIfExists(fresh);
            throw ex;
        }
    }

    /**
     * A descriptor of a directory holding its lock, or -1 where the filesystem cannot lock one (NFS emulates
     * {@code flock} with a write lock, which a directory cannot take): the build then goes on unlocked, as where
     * {@code flock} is not available, and {@link #sweep} leaves it, as it cannot lock it either.
     */
    private static int lockedOrNone(final Path directory)
    {
        final int fd;
        try
        {
            fd = openDirectory(directory);
        }
        catch (final LastErrorException ex)
        {
            return -1;
        }
        try
        {
            lock(fd, 0);
            return fd;
        }
        catch (final LastErrorException ex)
        {
            closeQuietly(fd);
            return -1;
        }
    }

    /**
     * Remove the build directories of a target that no builder holds: those of imports killed before they finished.
     * Best effort: a directory that cannot be opened, or not deleted whole (a mount inside it, an entry of another
     * user), is left as it is.
     *
     * @param parent the target's parent directory.
     * @param name   the target's file name.
     * @return how many were removed.
     * @throws IOException if the parent cannot be listed.
     */
    static int sweep(final Path parent, final String name) throws IOException
    {
        if (!BOUND || !Files.isDirectory(parent))
        {
            return 0;
        }
        final String building = "." + name + ".tmp-";
        final String made = "." + name + ".new-";
        int removed = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(parent,
            entry -> isOurs(entry.getFileName().toString(), building) || isOurs(entry.getFileName().toString(), made)))
        {
            for (final Path entry : entries)
            {
                // a .new- directory is unlocked for a moment after it is made: only an old one is a leftover
                if ((entry.getFileName().toString().startsWith(building) || olderThan(entry, NEW_LEFTOVER_NANOS)) &&
                    removeIfUnlocked(entry))
                {
                    removed++;
                }
            }
        }
        return removed;
    }

    /**
     * Whether a name is one this class makes: the prefix, then the decimal digits of a random number. A directory the
     * user named {@code .idx.tmp-notes} is not.
     */
    private static boolean isOurs(final String fileName, final String prefix)
    {
        if (!fileName.startsWith(prefix) || fileName.length() == prefix.length() ||
            fileName.length() > prefix.length() + 20)
        {
            return false;
        }
        for (int i = prefix.length(); i < fileName.length(); i++)
        {
            if (fileName.charAt(i) < '0' || fileName.charAt(i) > '9')
            {
                return false;
            }
        }
        return true;
    }

    private static boolean olderThan(final Path entry, final long nanos)
    {
        try
        {
            final long modified = Files.getLastModifiedTime(entry, LinkOption.NOFOLLOW_LINKS).toMillis();
            return System.currentTimeMillis() - modified > TimeUnit.NANOSECONDS.toMillis(nanos);
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    /**
     * The directory.
     *
     * @return its path.
     */
    Path path()
    {
        return path;
    }

    /**
     * Release the lock; the directory stays (renamed into place, or deleted, by the caller).
     */
    @Override
    public void close()
    {
        closeQuietly(fd);
        fd = -1;
    }

    private static boolean removeIfUnlocked(final Path entry)
    {
        try
        {
            if (!Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isDirectory())
            {
                return false;
            }
            final int fd = openDirectory(entry);
            try
            {
                if (!lock(fd, LOCK_NB))
                {
                    return false; // a builder holds it
                }
                return IndexStore.deleteTree(entry).isEmpty();
            }
            finally
            {
                closeQuietly(fd);
            }
        }
        catch (final IOException | LastErrorException ex)
        {
            return false; // gone meanwhile, another user's, or not all deletable: left as it is
        }
    }

    private static Path renameFresh(final Path fresh, final Path parent, final String name) throws IOException
    {
        final String suffix = fresh.getFileName().toString().substring(("." + name + ".new-").length());
        for (int tries = 0; ; tries++)
        {
            final Path temp = parent.resolve("." + name + ".tmp-" +
                (tries == 0 ? suffix : Long.toUnsignedString(ThreadLocalRandom.current().nextLong())));
            try
            {
                // rename(2) fails on a directory of that name that holds anything (ENOTEMPTY), so a leftover is
                // never replaced; names are random, so there is hardly ever one
                Files.move(fresh, temp, StandardCopyOption.ATOMIC_MOVE);
                return temp;
            }
            catch (final FileSystemException ex)
            {
                if (tries >= 8 || !Files.exists(temp, LinkOption.NOFOLLOW_LINKS))
                {
                    throw ex;
                }
            }
        }
    }

    private static int openDirectory(final Path directory)
    {
        return open(NativePaths.bytes(directory), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    }

    /**
     * @return false if {@code LOCK_NB} was asked and another descriptor holds the lock.
     */
    private static boolean lock(final int fd, final int flags)
    {
        while (true)
        {
            try
            {
                flock(fd, LOCK_EX | flags);
                return true;
            }
            catch (final LastErrorException ex)
            {
                if (ex.getErrorCode() == 11 && (flags & LOCK_NB) != 0) // EWOULDBLOCK
                {
                    return false;
                }
                if (ex.getErrorCode() != EINTR)
                {
                    throw ex;
                }
            }
        }
    }

    private static void closeQuietly(final int fd)
    {
        if (fd >= 0)
        {
            try
            {
                close(fd);
            }
            catch (final LastErrorException ignore)
            {
                // close(2) releases the descriptor (and with it the lock) even when it reports an error
            }
        }
    }

    private static boolean bind()
    {
        if (!Platform.isLinux() || !Platform.is64Bit())
        {
            return false;
        }
        try
        {
            Native.register(BuildDirectory.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
            return true;
        }
        catch (final UnsatisfiedLinkError | RuntimeException ex)
        {
            return false;
        }
    }

    private static native int open(byte[] path, int flags) throws LastErrorException;

    private static native int flock(int fd, int operation) throws LastErrorException;

    private static native int close(int fd) throws LastErrorException;
}
