package io.daxrmap.source;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import io.daxrmap.model.NativePaths;
import org.agrona.collections.LongHashSet;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.BasicFileAttributeView;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Forward maps of every file of a tree, read with {@code FS_IOC_FIEMAP} and delivered extent by extent to a
 * {@link FiemapHandler}: the source for filesystems without a usable GETFSMAP, and the inode -> path catalog for
 * all of them.
 * <p>
 * The walk stays on the root's filesystem (entries whose {@code st_dev} differs are mount points and are not
 * entered, nor are the entries the caller names as mount points, such as bind mounts of the same filesystem) and is deterministic: inodes are met in C-locale (code point) order of their paths relative to the
 * root, so a hard-linked file is reported once, under the first of its paths in that order. Each regular file and
 * directory is opened {@code O_RDONLY|O_NOFOLLOW|O_NONBLOCK}, checked with {@code fstat} to be the inode that was
 * listed, and mapped with FIEMAP ({@code FIEMAP_FLAG_SYNC} on the first call, so that delayed allocations are
 * written and have addresses), paging with {@code fm_start} until an extent carries {@code FIEMAP_EXTENT_LAST}.
 * Symlinks and special files are reported as inodes but not opened.
 * <p>
 * A {@linkplain #pathsOnly() paths-only} walker names the inodes and maps nothing, for a caller that has the extents
 * from elsewhere (GETFSMAP, which also holds the directories' blocks): it never opens a regular file and never calls
 * FIEMAP. It still opens each directory it enters, as the listing must, checking as above that it is the one listed;
 * it skips the same mount points, reports a hard-linked file once and counts the same inodes, with no extents, no
 * bytes and nothing unsupported.
 * <p>
 * Nothing about one file is fatal: a file that vanishes or is replaced while the walk runs, a directory that
 * cannot be read, a FIEMAP the filesystem refuses ({@code EOPNOTSUPP}, as XFS answers for directories) are
 * counted in {@link WalkStats}, with example messages. Only a root that cannot be read and a failing handler end a
 * walk.
 * <p>
 * One native buffer of {@code struct fiemap} ({@code include/uapi/linux/fiemap.h}) is reused for every call:
 * <pre>
 *  struct fiemap (32 bytes)                          struct fiemap_extent (56 bytes)
 *    0  u64 fm_start          (in)                     0  u64 fe_logical
 *    8  u64 fm_length         (in: ~0 = to the end)    8  u64 fe_physical
 *   16  u32 fm_flags          (in: FIEMAP_FLAG_*)     16  u64 fe_length
 *   20  u32 fm_mapped_extents (out)                   24  u64 fe_reserved64[2]
 *   24  u32 fm_extent_count   (in)                    40  u32 fe_flags
 *   28  u32 fm_reserved                               44  u32 fe_reserved[3]
 *   32  struct fiemap_extent fm_extents[fm_extent_count]
 * </pre>
 * Not thread-safe; {@link #close()} frees the buffer.
 */
public final class FiemapWalker implements AutoCloseable
{
    /** Extents per FIEMAP call unless told otherwise. */
    public static final int DEFAULT_EXTENTS_PER_CALL = 512;
    /** The most extents per call accepted. */
    public static final int MAX_EXTENTS_PER_CALL = 1 << 16;
    /** How many failure messages {@link WalkStats#failures()} keeps. */
    public static final int MAX_FAILURE_EXAMPLES = 10;

    /** {@code FIEMAP_FLAG_SYNC}: write dirty data before mapping. */
    public static final int FIEMAP_FLAG_SYNC = 0x1;
    /** {@code FIEMAP_EXTENT_LAST}: the last extent of the file. */
    public static final int FIEMAP_EXTENT_LAST = 0x1;
    /** {@code FIEMAP_EXTENT_UNKNOWN}: the extent has no address yet. */
    public static final int FIEMAP_EXTENT_UNKNOWN = 0x2;
    /** {@code FIEMAP_EXTENT_DELALLOC}: delayed allocation (sets UNKNOWN). */
    public static final int FIEMAP_EXTENT_DELALLOC = 0x4;
    /** {@code FIEMAP_EXTENT_DATA_INLINE}: data stored with metadata, not in blocks of its own. */
    public static final int FIEMAP_EXTENT_DATA_INLINE = 0x200;
    /** {@code FIEMAP_EXTENT_UNWRITTEN}: allocated but unwritten (reads return zeroes). */
    public static final int FIEMAP_EXTENT_UNWRITTEN = 0x800;
    /** {@code FIEMAP_EXTENT_SHARED}: the space is shared with other files. */
    public static final int FIEMAP_EXTENT_SHARED = 0x2000;

    static final int FM_START_OFFSET = 0;
    static final int FM_LENGTH_OFFSET = FM_START_OFFSET + Long.BYTES;
    static final int FM_FLAGS_OFFSET = FM_LENGTH_OFFSET + Long.BYTES;
    static final int FM_MAPPED_EXTENTS_OFFSET = FM_FLAGS_OFFSET + Integer.BYTES;
    static final int FM_EXTENT_COUNT_OFFSET = FM_MAPPED_EXTENTS_OFFSET + Integer.BYTES;
    static final int FM_RESERVED_OFFSET = FM_EXTENT_COUNT_OFFSET + Integer.BYTES;
    /** {@code sizeof(struct fiemap)}. */
    static final int FIEMAP_LENGTH = FM_RESERVED_OFFSET + Integer.BYTES;

    static final int FE_LOGICAL_OFFSET = 0;
    static final int FE_PHYSICAL_OFFSET = FE_LOGICAL_OFFSET + Long.BYTES;
    static final int FE_LENGTH_OFFSET = FE_PHYSICAL_OFFSET + Long.BYTES;
    static final int FE_RESERVED64_OFFSET = FE_LENGTH_OFFSET + Long.BYTES;
    static final int FE_FLAGS_OFFSET = FE_RESERVED64_OFFSET + 2 * Long.BYTES;
    static final int FE_RESERVED_OFFSET = FE_FLAGS_OFFSET + Integer.BYTES;
    /** {@code sizeof(struct fiemap_extent)}. */
    static final int FIEMAP_EXTENT_LENGTH = FE_RESERVED_OFFSET + 3 * Integer.BYTES;

    private static final String ATTRIBUTES = "unix:dev,ino,mode,nlink";
    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFLNK = 0120000;

    private static final Comparator<Entry> ORDER = (a, b) -> compareCodePoints(a.sortKey, b.sortKey);

    private final int extentsPerCall;
    private final boolean sync;
    /** The FIEMAP buffer; null in a paths-only walker. */
    private final Memory buffer;
    private final Memory stat = new Memory(LibC.STAT_BUFFER_LENGTH);

    private Counters counters;
    private long rootDevice;
    /** Calls of {@code open} and of FIEMAP over the walker's life, for tests of what a walk touches. */
    private long opens;
    private long fiemapCalls;

    /**
     * A walker with {@link #DEFAULT_EXTENTS_PER_CALL} extents per call and {@code FIEMAP_FLAG_SYNC}.
     */
    public FiemapWalker()
    {
        this(DEFAULT_EXTENTS_PER_CALL, true);
    }

    /**
     * A walker of its own batch size.
     *
     * @param extentsPerCall extents per FIEMAP call, 1..{@link #MAX_EXTENTS_PER_CALL}.
     * @param sync           whether to ask FIEMAP to write dirty data first ({@code FIEMAP_FLAG_SYNC}).
     */
    public FiemapWalker(final int extentsPerCall, final boolean sync)
    {
        this(false, checkExtentsPerCall(extentsPerCall), sync);
    }

    private FiemapWalker(final boolean pathsOnly, final int extentsPerCall, final boolean sync)
    {
        this.extentsPerCall = extentsPerCall;
        this.sync = sync;
        this.buffer = pathsOnly ? null : new Memory(FIEMAP_LENGTH + (long)extentsPerCall * FIEMAP_EXTENT_LENGTH);
    }

    private static int checkExtentsPerCall(final int extentsPerCall)
    {
        if (extentsPerCall < 1 || extentsPerCall > MAX_EXTENTS_PER_CALL)
        {
            throw new IllegalArgumentException("extentsPerCall out of range: extentsPerCall=" + extentsPerCall +
                " max=" + MAX_EXTENTS_PER_CALL);
        }
        return extentsPerCall;
    }

    /**
     * A walker that names inodes without mapping them: every inode reaches {@link FiemapHandler#onInode} as in a
     * full walk, {@link FiemapHandler#onExtent} is never called, and no regular file is opened. For an index whose
     * extents, directories' included, come from GETFSMAP: the walk then costs a listing of the tree, not a FIEMAP of
     * every file. {@link #mapFile} refuses.
     *
     * @return a paths-only walker.
     */
    public static FiemapWalker pathsOnly()
    {
        return new FiemapWalker(true, 0, false);
    }

    /**
     * Whether this walker names inodes without mapping them ({@link #pathsOnly()}).
     *
     * @return true for a paths-only walker.
     */
    public boolean isPathsOnly()
    {
        return buffer == null;
    }

    /**
     * Walk a tree and map every file in it.
     *
     * @param root    a directory; the walk does not leave its filesystem.
     * @param handler receives the inodes and extents.
     * @return what the walk met and what it could not map.
     * @throws IOException if the root is not a readable directory or the handler fails.
     */
    public WalkStats walk(final Path root, final FiemapHandler handler) throws IOException
    {
        return walk(root, handler, Set.of());
    }

    /**
     * Walk a tree and map every file in it, leaving out some of its entries: the mount points below the root,
     * where a bind mount of the same filesystem has the root's {@code st_dev} and would show its files twice.
     *
     * @param root    a directory; the walk does not leave its filesystem.
     * @param handler receives the inodes and extents.
     * @param skip    paths relative to the root ({@code a/b}) not to report or enter; counted as mount points.
     * @return what the walk met and what it could not map.
     * @throws IOException if the root is not a readable directory or the handler fails.
     */
    public WalkStats walk(final Path root, final FiemapHandler handler, final Set<String> skip) throws IOException
    {
        final Map<String, Object> rootAttributes = Files.readAttributes(root, ATTRIBUTES);
        if (((Integer)rootAttributes.get("mode") & S_IFMT) != S_IFDIR)
        {
            throw new NotDirectoryException(root.toString());
        }
        counters = new Counters();
        rootDevice = (Long)rootAttributes.get("dev");
        final long rootInode = (Long)rootAttributes.get("ino");
        // every file and directory met, so that one moved while the walk runs (renamed into a directory not listed
        // yet, or a directory renamed with all it holds) is mapped, named and entered once, under its first path: met
        // twice, its extents would contradict each other in the index
        final LongHashSet seenInodes = new LongHashSet();
        seenInodes.add(rootInode);

        counters.directories++;
        handler.onInode(rootInode, "", FileKind.DIRECTORY);
        mapInode(root, "", rootInode, true, handler);

        final Deque<Level> stack = new ArrayDeque<>();
        final List<Entry> rootEntries = list(root, "", null);
        stack.push(new Level(root, "", rootEntries));
        while (!stack.isEmpty())
        {
            final Level level = stack.peek();
            if (level.next == level.entries.size())
            {
                stack.pop();
                continue;
            }
            final Entry entry = level.entries.get(level.next++);
            // the listing's own path, not one resolved from the name: a name that is not UTF-8 keeps its bytes only
            // there (its String has U+FFFD for them, and would name no file)
            final Path path = entry.path;
            final String relative = join(level.relative, entry.name);
            if (entry.visited != null)
            {
                if (!entry.visited.gone)
                {
                    final List<Entry> children = list(path, relative, entry.visited);
                    if (children != null)
                    {
                        stack.push(new Level(path, relative, children));
                    }
                }
                continue;
            }
            if (entry.device != rootDevice || skip.contains(relative))
            {
                counters.mountPoints++;
                entry.gone = true;
                continue;
            }
            switch (entry.kind)
            {
                case REGULAR:
                    if (!seenInodes.add(entry.inode))
                    {
                        if (entry.links > 1)
                        {
                            counters.hardLinks++;
                        }
                        else
                        {
                            counters.vanished("moved while walking, mapped under its first path: path=" + relative);
                        }
                        break;
                    }
                    counters.files++;
                    handler.onInode(entry.inode, relative, FileKind.REGULAR);
                    if (!isPathsOnly())
                    {
                        mapInode(path, relative, entry.inode, false, handler);
                    }
                    break;
                case DIRECTORY:
                    if (!seenInodes.add(entry.inode))
                    {
                        counters.vanished("moved while walking, entered under its first path: path=" + relative);
                        entry.gone = true;
                        break;
                    }
                    counters.directories++;
                    handler.onInode(entry.inode, relative, FileKind.DIRECTORY);
                    entry.gone = !mapInode(path, relative, entry.inode, true, handler);
                    break;
                case SYMLINK:
                    counters.symlinks++;
                    handler.onInode(entry.inode, relative, FileKind.SYMLINK);
                    break;
                default:
                    counters.others++;
                    handler.onInode(entry.inode, relative, FileKind.OTHER);
                    break;
            }
        }
        final WalkStats stats = counters.toStats();
        counters = null;
        return stats;
    }

    /**
     * Map one file, outside a walk: every extent of its data fork, in file order.
     *
     * @param file    a regular file (or a directory, where the filesystem maps those).
     * @param handler receives the extents, with the file's inode and the path as given.
     * @return the number of extents delivered.
     * @throws IOException if the file cannot be opened or mapped (the message names the path and errno), or the
     *                     handler fails.
     */
    public long mapFile(final Path file, final FiemapHandler handler) throws IOException
    {
        if (isPathsOnly())
        {
            throw new IllegalStateException("a paths-only walker maps no file: file=" + file);
        }
        final String name = file.toString();
        final int fd = open(file, name, false);
        try
        {
            final long inode = inodeOf(fd, name);
            final long extents = map(fd, inode, name, handler);
            if (extents < 0)
            {
                throw new LiveSourceException("FIEMAP failed: path=" + name + " " + LibC.describe((int)-extents),
                    (int)-extents, null);
            }
            return extents;
        }
        finally
        {
            LibC.closeQuietly(fd);
        }
    }

    /**
     * Free the native buffers. The walker cannot be used afterwards.
     */
    @Override
    public void close()
    {
        if (buffer != null)
        {
            buffer.close();
        }
        stat.close();
    }

    /** Calls of {@code open} this walker made (files and directories it checked or mapped); only called from tests. */
    long opens()
    {
        return opens;
    }

    /** FIEMAP ioctls this walker made; only called from tests. */
    long fiemapCalls()
    {
        return fiemapCalls;
    }

    /**
     * Map an inode met in the walk, counting what goes wrong; in a paths-only walk (only directories come here) just
     * check that it is still the inode listed.
     *
     * @return false if the inode vanished or was replaced (a directory then is not entered).
     */
    private boolean mapInode(
        final Path path, final String relative, final long inode, final boolean directory, final FiemapHandler handler)
        throws IOException
    {
        final int fd;
        try
        {
            fd = open(path, relative, directory);
        }
        catch (final LiveSourceException ex)
        {
            if (ex.errno() == LibC.ENOENT || ex.errno() == LibC.ELOOP || ex.errno() == LibC.ENOTDIR)
            {
                counters.vanished(ex.getMessage());
                return false;
            }
            counters.failed(ex.getMessage());
            return true;
        }
        try
        {
            final long opened;
            try
            {
                opened = inodeOf(fd, relative);
            }
            catch (final LiveSourceException ex)
            {
                counters.failed(ex.getMessage());
                return true;
            }
            if (opened != inode || stat.getLong(LibC.STAT_DEV_OFFSET) != rootDevice)
            {
                counters.vanished("replaced while walking: path=" + relative + " listedInode=" + inode +
                    " openedInode=" + opened);
                return false;
            }
            if (isPathsOnly())
            {
                return true;
            }
            final long result = map(fd, inode, relative, handler);
            if (result < 0)
            {
                final int errno = (int)-result;
                if (errno == LibC.EOPNOTSUPP || errno == LibC.ENOTTY)
                {
                    counters.unsupported++;
                    if (!directory)
                    {
                        counters.unsupportedFiles++;
                    }
                }
                else
                {
                    counters.failed("FIEMAP failed: path=" + relative + " " + LibC.describe(errno));
                }
            }
            return true;
        }
        finally
        {
            LibC.closeQuietly(fd);
        }
    }

    /**
     * FIEMAP the whole file behind a descriptor.
     *
     * @return the number of extents delivered, or {@code -errno} if the first call failed.
     */
    private long map(final int fd, final long inode, final String path, final FiemapHandler handler)
        throws IOException
    {
        long start = 0;
        long extents = 0;
        boolean first = true;
        while (true)
        {
            buffer.clear(FIEMAP_LENGTH);
            buffer.setLong(FM_START_OFFSET, start);
            buffer.setLong(FM_LENGTH_OFFSET, -1L);
            buffer.setInt(FM_FLAGS_OFFSET, sync && first ? FIEMAP_FLAG_SYNC : 0);
            buffer.setInt(FM_EXTENT_COUNT_OFFSET, extentsPerCall);
            try
            {
                fiemapCalls++;
                LibC.ioctl(fd, LibC.FS_IOC_FIEMAP, buffer);
            }
            catch (final LastErrorException ex)
            {
                final int errno = LibC.errno(ex);
                if (first)
                {
                    return -errno;
                }
                throw new LiveSourceException("FIEMAP failed after " + extents + " extents: path=" + path + " " +
                    LibC.describe(errno), errno, ex);
            }
            first = false;
            final int mapped = buffer.getInt(FM_MAPPED_EXTENTS_OFFSET);
            if (mapped <= 0 || mapped > extentsPerCall)
            {
                return extents;
            }
            long end = start;
            for (int i = 0; i < mapped; i++)
            {
                final long extent = FIEMAP_LENGTH + (long)i * FIEMAP_EXTENT_LENGTH;
                final long logical = buffer.getLong(extent + FE_LOGICAL_OFFSET);
                final long length = buffer.getLong(extent + FE_LENGTH_OFFSET);
                final int flags = buffer.getInt(extent + FE_FLAGS_OFFSET);
                handler.onExtent(inode, path, logical, buffer.getLong(extent + FE_PHYSICAL_OFFSET), length, flags);
                extents++;
                if (counters != null)
                {
                    counters.extents++;
                    counters.bytes += length;
                }
                end = logical + length;
                if ((flags & FIEMAP_EXTENT_LAST) != 0)
                {
                    return extents;
                }
            }
            if (Long.compareUnsigned(end, start) <= 0)
            {
                return extents;
            }
            start = end;
        }
    }

    private int open(final Path path, final String name, final boolean directory) throws LiveSourceException
    {
        final int flags = LibC.O_RDONLY | LibC.O_NOFOLLOW | LibC.O_NONBLOCK | LibC.O_CLOEXEC | LibC.O_NOCTTY |
            (directory ? LibC.O_DIRECTORY : 0);
        try
        {
            opens++;
            return LibC.open(LibC.pathBytes(path), flags);
        }
        catch (final LastErrorException ex)
        {
            final int errno = LibC.errno(ex);
            throw new LiveSourceException("cannot open: path=" + name + " " + LibC.describe(errno), errno, ex);
        }
    }

    private long inodeOf(final int fd, final String name) throws LiveSourceException
    {
        try
        {
            LibC.fstat(fd, stat);
            return stat.getLong(LibC.STAT_INO_OFFSET);
        }
        catch (final LastErrorException ex)
        {
            final int errno = LibC.errno(ex);
            throw new LiveSourceException("fstat failed: path=" + name + " " + LibC.describe(errno), errno, ex);
        }
    }

    /**
     * The entries of a directory with their attributes, in walk order; null (and counted) if it cannot be read,
     * unless it is the root.
     */
    /**
     * The entries of a directory, or null if it cannot be listed (counted).
     *
     * @param listed the directory's own entry, as its parent's listing gave it; null for the root of the walk.
     */
    private List<Entry> list(final Path dir, final String relative, final Entry listed) throws IOException
    {
        final boolean root = listed == null;
        final List<Entry> entries = new ArrayList<>();
        // the directory as its path names it now, not followed: the inode listed and mapped, or another put there
        final Object listedKey;
        if (!root)
        {
            try
            {
                final Map<String, Object> now =
                    Files.readAttributes(dir, "unix:dev,ino,fileKey", LinkOption.NOFOLLOW_LINKS);
                if ((Long)now.get("dev") != listed.device || (Long)now.get("ino") != listed.inode)
                {
                    counters.vanished("replaced while walking: path=" + relative + " listedInode=" + listed.inode +
                        " inode=" + now.get("ino"));
                    return null;
                }
                listedKey = now.get("fileKey");
            }
            catch (final NoSuchFileException ex)
            {
                counters.vanished("vanished while walking: path=" + relative);
                return null;
            }
        }
        else
        {
            listedKey = null;
        }
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir))
        {
            // opening follows a symbolic link: a directory swapped for one since the check above would be listed
            // through it, its files named by this path. The stream's own directory must be the one checked.
            if (listedKey != null && stream instanceof SecureDirectoryStream && !listedKey.equals(
                ((SecureDirectoryStream<Path>)stream).getFileAttributeView(BasicFileAttributeView.class)
                    .readAttributes().fileKey()))
            {
                counters.vanished("replaced while walking: path=" + relative);
                return null;
            }
            for (final Path child : stream)
            {
                // bytes that are not UTF-8 as surrogate escapes, not U+FFFD: the catalog names the file, and a report
                // prints its bytes
                final String name = NativePaths.name(child);
                final Map<String, Object> attributes;
                try
                {
                    attributes = Files.readAttributes(child, ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                }
                catch (final NoSuchFileException ex)
                {
                    counters.vanished("vanished while walking: path=" + join(relative, name));
                    continue;
                }
                catch (final IOException ex)
                {
                    counters.failed("cannot stat: path=" + join(relative, name) + " error=" + ex);
                    continue;
                }
                final Entry entry = new Entry(child, name, attributes);
                entries.add(entry);
                if (entry.kind == FileKind.DIRECTORY)
                {
                    entries.add(new Entry(entry));
                }
            }
        }
        catch (final NoSuchFileException | NotDirectoryException ex)
        {
            if (root)
            {
                throw ex;
            }
            counters.vanished("vanished while walking: path=" + relative);
            return null;
        }
        catch (final IOException ex)
        {
            if (root)
            {
                throw new IOException("cannot list the root of a walk: root=" + dir + " error=" + ex, ex);
            }
            counters.failed("cannot list: path=" + relative + " error=" + ex);
            return null;
        }
        entries.sort(ORDER);
        return entries;
    }

    private static String join(final String relative, final String name)
    {
        return relative.isEmpty() ? name : relative + "/" + name;
    }

    /**
     * Code point order, which is the byte order of the names' UTF-8 (C-locale order): the order in which a walk meets
     * paths, and so the path it names an inode of several by.
     *
     * @param a a name or path.
     * @param b another.
     * @return negative, zero or positive as {@code a} comes before, with or after {@code b}.
     */
    public static int compareCodePoints(final String a, final String b)
    {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length())
        {
            final int ca = a.codePointAt(i);
            final int cb = b.codePointAt(j);
            if (ca != cb)
            {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    /**
     * A directory entry as listed, or the step that enters a directory. Entries sort by name, the entering step
     * by {@code name/}: so inodes are met in sorted full-path order (a directory {@code a} before {@code a-}, its
     * contents after {@code a.b}).
     */
    private static final class Entry
    {
        /** The entry as the directory listing gave it, which keeps the name's bytes. */
        private final Path path;
        private final String name;
        private final String sortKey;
        private final long device;
        private final long inode;
        private final int links;
        private final FileKind kind;
        /** For the entering step: the directory's own entry. */
        private final Entry visited;
        /** The directory vanished or is a mount point: do not enter it. */
        private boolean gone;

        private Entry(final Path path, final String name, final Map<String, Object> attributes)
        {
            this.path = path;
            this.name = name;
            this.sortKey = name;
            this.device = (Long)attributes.get("dev");
            this.inode = (Long)attributes.get("ino");
            this.links = (Integer)attributes.get("nlink");
            this.visited = null;
            switch ((Integer)attributes.get("mode") & S_IFMT)
            {
                case S_IFREG: kind = FileKind.REGULAR; break;
                case S_IFDIR: kind = FileKind.DIRECTORY; break;
                case S_IFLNK: kind = FileKind.SYMLINK; break;
                default: kind = FileKind.OTHER; break;
            }
        }

        private Entry(final Entry directory)
        {
            this.path = directory.path;
            this.name = directory.name;
            this.sortKey = directory.name + "/";
            this.device = directory.device;
            this.inode = directory.inode;
            this.links = directory.links;
            this.kind = directory.kind;
            this.visited = directory;
        }
    }

    /** A directory being walked: its entries and the next one to visit. */
    private static final class Level
    {
        private final Path dir;
        private final String relative;
        private final List<Entry> entries;
        private int next;

        private Level(final Path dir, final String relative, final List<Entry> entries)
        {
            this.dir = dir;
            this.relative = relative;
            this.entries = entries;
        }
    }

    /** The counts of one walk. */
    private static final class Counters
    {
        private long files;
        private long directories;
        private long symlinks;
        private long others;
        private long hardLinks;
        private long mountPoints;
        private long extents;
        private long bytes;
        private long unsupported;
        private long unsupportedFiles;
        private long vanished;
        private long failed;
        private final List<String> failures = new ArrayList<>();

        private void vanished(final String message)
        {
            vanished++;
            example(message);
        }

        private void failed(final String message)
        {
            failed++;
            example(message);
        }

        private void example(final String message)
        {
            if (failures.size() < MAX_FAILURE_EXAMPLES)
            {
                failures.add(message);
            }
        }

        private WalkStats toStats()
        {
            return new WalkStats(files, directories, symlinks, others, hardLinks, mountPoints, extents, bytes,
                unsupported, unsupportedFiles, vanished, failed, failures);
        }
    }
}
