package io.daxrmap.source;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The root of a mounted filesystem, held open, as {@code daxrmap index} needs it: the given path resolved through
 * symlinks to its real path, which must be a mount point of {@code /proc/self/mountinfo}; the device and the
 * filesystem type taken from the opened directory ({@code fstat}, {@code fstatfs}), so that a symlink or a path
 * that changes under us cannot name another filesystem; and the mount points below the root, which a walk must not
 * enter (another filesystem, or a bind mount of this one that would show its files twice).
 * <p>
 * Refused with a one-line {@link IOException}: a path that is not a directory, a directory that is not a mount
 * root, a filesystem on no block device (tmpfs, NFS, overlay: an anonymous {@code st_dev}), and btrfs, whose
 * FIEMAP addresses are logical, not device offsets.
 */
public final class MountRoot implements AutoCloseable
{
    /** {@code BTRFS_SUPER_MAGIC}, the {@code f_type} of btrfs. */
    public static final long BTRFS_SUPER_MAGIC = 0x9123683EL;

    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");
    private static final Path SYS_DEV_BLOCK = Path.of("/sys/dev/block");
    private static final byte[] SEPARATOR = {'-'};
    /** The root of a filesystem, as the root field of mountinfo names it. */
    private static final byte[] ROOT = {'/'};

    private final Path path;
    private final int fd;
    private final long device;
    private final long type;
    private final String typeName;
    private final Set<String> nestedMounts;

    private MountRoot(final Path path, final int fd, final long device, final long type, final String typeName,
        final Set<String> nestedMounts)
    {
        this.path = path;
        this.fd = fd;
        this.device = device;
        this.type = type;
        this.typeName = typeName;
        this.nestedMounts = nestedMounts;
    }

    /**
     * Open the root of a mounted filesystem.
     *
     * @param given the mount point as the user named it, possibly through symlinks.
     * @return the open root; close it.
     * @throws IOException with a one-line message naming what is wrong, if the path is missing, is not a directory,
     *                     is not a mount root, or holds a filesystem that cannot be indexed.
     */
    public static MountRoot open(final Path given) throws IOException
    {
        final Path real;
        try
        {
            real = given.toRealPath();
        }
        catch (final NoSuchFileException ex)
        {
            throw new IOException(given + ": no such directory", ex);
        }
        if (!Files.isDirectory(real))
        {
            throw new IOException(given + ": not a directory");
        }
        final Charset charset = LibC.pathCharset();
        final byte[] realBytes = real.toString().getBytes(charset);
        final List<Mount> mounts = parseMountInfo(Files.readAllBytes(MOUNTINFO));
        final Mount rootMount = mountAt(mounts, realBytes);
        if (rootMount == null)
        {
            throw new IOException(given + ": not a mount point (" + real + " is inside the filesystem mounted at " +
                new String(enclosingMount(realBytes, mounts), charset) + "); index a filesystem at its mount point");
        }
        final String typeName = rootMount.type();
        final int fd = openDirectory(real, given);
        try
        {
            final long device;
            final long type;
            try (Memory stat = new Memory(LibC.STAT_BUFFER_LENGTH); Memory statfs = new Memory(LibC.STATFS_BUFFER_LENGTH))
            {
                stat.clear();
                statfs.clear();
                LibC.fstat(fd, stat);
                LibC.fstatfs(fd, statfs);
                device = stat.getLong(LibC.STAT_DEV_OFFSET);
                type = statfs.getLong(LibC.STATFS_TYPE_OFFSET);
            }
            catch (final LastErrorException ex)
            {
                throw new LiveSourceException("cannot stat the mount point: path=" + real + " " +
                    LibC.describe(LibC.errno(ex)), LibC.errno(ex), ex);
            }
            if (type == BTRFS_SUPER_MAGIC)
            {
                throw new IOException(given + ": btrfs cannot be indexed: its FIEMAP addresses are logical, not " +
                    "offsets on a device");
            }
            if (!isBlockDevice(device))
            {
                throw new IOException(given + ": " + typeName + " is on no block device (st_dev " + major(device) +
                    ":" + minor(device) + "); only filesystems on a block device can be indexed");
            }
            if (!Arrays.equals(rootMount.root(), ROOT))
            {
                // only a part of the filesystem is there: a walk would name the rest's files nowhere (their blocks
                // unknown, as none mapped them) and name the part's files by paths that are not theirs
                throw new IOException(given + ": a bind mount of " + new String(rootMount.root(), charset) +
                    " inside the " + typeName + " filesystem on " + major(device) + ":" + minor(device) +
                    ", not of its root; index the filesystem at a mount of its root");
            }
            final Set<String> nested = nestedMounts(mounts, rootMount, charset);
            return new MountRoot(real, fd, device, type, typeName, nested);
        }
        catch (final IOException | RuntimeException ex)
        {
            LibC.closeQuietly(fd);
            throw ex;
        }
    }

    /**
     * Whether a directory is the root of a mount, by {@code /proc/self/mountinfo}: the one answer that holds for a bind
     * mount of the filesystem it is in (the same {@code st_dev} as its parent) and for a btrfs subvolume, which has a
     * {@code st_dev} of its own but is no mount. Only a visible mount counts ({@link #mountAt}): one mountinfo lists at
     * the path but hidden under another is not what the path names. Where mountinfo cannot be read, a {@code st_dev}
     * other than the parent's.
     *
     * @param real the directory's real path ({@link Path#toRealPath}).
     * @return true if a mount is mounted there.
     * @throws IOException if mountinfo or, without it, the directory cannot be read.
     */
    public static boolean isMountPoint(final Path real) throws IOException
    {
        final byte[] text;
        try
        {
            text = Files.readAllBytes(MOUNTINFO);
        }
        catch (final NoSuchFileException ex)
        {
            return real.getParent() == null ||
                !Files.getAttribute(real, "unix:dev").equals(Files.getAttribute(real.getParent(), "unix:dev"));
        }
        return mountAt(parseMountInfo(text), real.toString().getBytes(LibC.pathCharset())) != null;
    }

    /**
     * The real path of the mount point.
     *
     * @return the path, free of symlinks.
     */
    public Path path()
    {
        return path;
    }

    /**
     * The device of the open root, glibc's {@code st_dev}.
     *
     * @return the device number as {@code fstat} gives it.
     */
    public long device()
    {
        return device;
    }

    /**
     * The major number of {@link #device()}.
     *
     * @return the major number.
     */
    public int major()
    {
        return major(device);
    }

    /**
     * The minor number of {@link #device()}.
     *
     * @return the minor number.
     */
    public int minor()
    {
        return minor(device);
    }

    /**
     * The filesystem's magic number, {@code statfs f_type}.
     *
     * @return the type.
     */
    public long type()
    {
        return type;
    }

    /**
     * The filesystem type as mountinfo names it ({@code xfs}, {@code ext4}).
     *
     * @return the type name.
     */
    public String typeName()
    {
        return typeName;
    }

    /**
     * The mount points below the root, relative to it: a walk of this filesystem must not enter them.
     *
     * @return the relative paths, sorted.
     */
    public Set<String> nestedMounts()
    {
        return nestedMounts;
    }

    /**
     * Write the filesystem's dirty data and metadata ({@code syncfs(2)}), so that delayed allocations have
     * addresses before GETFSMAP reads the reverse map.
     *
     * @throws LiveSourceException if syncfs fails.
     */
    public void sync() throws LiveSourceException
    {
        LibC.syncfs(fd, path);
    }

    /**
     * Close the root.
     */
    @Override
    public void close()
    {
        LibC.closeQuietly(fd);
    }

    /**
     * The major number of a glibc {@code dev_t}.
     *
     * @param dev the device number.
     * @return its major number.
     */
    public static int major(final long dev)
    {
        return (int)(((dev >>> 8) & 0xFFF) | ((dev >>> 32) & ~0xFFFL));
    }

    /**
     * The minor number of a glibc {@code dev_t}.
     *
     * @param dev the device number.
     * @return its minor number.
     */
    public static int minor(final long dev)
    {
        return (int)((dev & 0xFF) | ((dev >>> 12) & ~0xFFL));
    }

    /**
     * The mounts of {@code /proc/self/mountinfo}, parsed as bytes: the kernel escapes space, tab, newline and
     * backslash as {@code \ooo} but passes every other byte through, so a mount point anywhere on the system may hold
     * bytes that are not valid in any charset. Lines too short to be mountinfo are left out.
     *
     * @param text the file's bytes.
     * @return the mounts, in file order (a mount comes after the one it covers).
     */
    static List<Mount> parseMountInfo(final byte[] text)
    {
        final List<Mount> mounts = new ArrayList<>();
        int start = 0;
        while (start < text.length)
        {
            int end = start;
            while (end < text.length && text[end] != '\n')
            {
                end++;
            }
            final List<byte[]> fields = split(text, start, end);
            start = end + 1;
            if (fields.size() < 7)
            {
                continue;
            }
            final int id;
            final int parentId;
            try
            {
                id = Integer.parseInt(new String(fields.get(0), StandardCharsets.US_ASCII));
                parentId = Integer.parseInt(new String(fields.get(1), StandardCharsets.US_ASCII));
            }
            catch (final NumberFormatException ex)
            {
                continue;
            }
            int separator = 6;
            while (separator < fields.size() && !Arrays.equals(fields.get(separator), SEPARATOR))
            {
                separator++;
            }
            final String fsType = separator + 1 < fields.size() ?
                new String(unescape(fields.get(separator + 1)), StandardCharsets.UTF_8) : "";
            mounts.add(new Mount(id, parentId, unescape(fields.get(3)), unescape(fields.get(4)), fsType));
        }
        return mounts;
    }

    /**
     * The mount whose root a path is: the visible mount at that mount point, the one path resolution ends in. A mount
     * at the path is not visible if a mount is stacked on it there, or if it hangs below a mount that is itself hidden
     * or covered ({@link #isVisible}): tmpfs on {@code x}, tmpfs on {@code x/y}, then a tmpfs over {@code x} leaves
     * {@code x/y} a plain directory of the last tmpfs (or no entry), whatever mountinfo still lists at that path.
     *
     * @param mounts the mounts, in mountinfo order.
     * @param path   the real path, as bytes.
     * @return the visible mount at the path, or null if none is mounted there.
     */
    static Mount mountAt(final List<Mount> mounts, final byte[] path)
    {
        Tree tree = null;
        Mount found = null;
        for (final Mount mount : mounts)
        {
            if (Arrays.equals(mount.point(), path))
            {
                tree = tree == null ? new Tree(mounts) : tree;
                if (isVisible(mount, tree))
                {
                    found = mount;
                }
            }
        }
        return found;
    }

    /**
     * Whether path resolution reaches a mount's root at its mount point: no mount is stacked on it at the same point
     * (a child of it whose mount point is its own), and every mount on its chain of parents is reached through its
     * parent, none hidden by a sibling mounted at or above its mount point (a child of the same parent on a directory
     * on the way; at the same point, the later one in mountinfo is on top). A mount whose parent is not listed (the
     * namespace's root, or a mount outside a chroot) counts as reached.
     */
    static boolean isVisible(final Mount mount, final Tree tree)
    {
        for (final Mount child : tree.children(mount.id()))
        {
            if (child != mount && Arrays.equals(child.point(), mount.point()))
            {
                return false; // stacked on it
            }
        }
        Mount current = mount;
        for (int steps = 0; steps <= tree.size(); steps++)
        {
            final Mount parent = tree.byId(current.parentId());
            if (parent == null || parent == current)
            {
                return true;
            }
            boolean after = false;
            for (final Mount sibling : tree.children(parent.id()))
            {
                if (sibling == current)
                {
                    after = true;
                }
                else if (isBelow(current.point(), sibling.point()) ||
                    after && Arrays.equals(current.point(), sibling.point()))
                {
                    return false; // resolution enters the sibling on the way to the mount point
                }
            }
            current = parent;
        }
        return false; // a cycle: mountinfo changed while read
    }

    /** The mounts of mountinfo by ID and by parent ID, children in mountinfo order. */
    static final class Tree
    {
        private final Map<Integer, Mount> byId = new HashMap<>();
        private final Map<Integer, List<Mount>> children = new HashMap<>();

        Tree(final List<Mount> mounts)
        {
            for (final Mount mount : mounts)
            {
                byId.put(mount.id(), mount);
                children.computeIfAbsent(mount.parentId(), id -> new ArrayList<>()).add(mount);
            }
        }

        Mount byId(final int id)
        {
            return byId.get(id);
        }

        List<Mount> children(final int id)
        {
            return children.getOrDefault(id, List.of());
        }

        int size()
        {
            return byId.size();
        }
    }

    /**
     * The mount points a walk of the root's mount meets, relative to its mount point: the visible mount at each
     * point whose chain of parent mounts reaches the root's mount. A mount that only shares a path prefix is left
     * out: one hidden under the root's mount (mounted on a directory before the root was mounted over it, its
     * parent is the mount below) is not in the tree the walk sees, and skipping its path would skip a real
     * directory of the root's filesystem.
     *
     * @param mounts  the mounts, in mountinfo order.
     * @param root    the root's mount, one of {@code mounts}.
     * @param charset how the JVM decodes file names, so that the relative paths match a walk's.
     * @return the relative paths ({@code a/b}), sorted.
     */
    static Set<String> nestedMounts(final List<Mount> mounts, final Mount root, final Charset charset)
    {
        final Map<Integer, Mount> byId = new HashMap<>();
        final Map<String, Mount> visibleByPoint = new LinkedHashMap<>();
        for (final Mount mount : mounts)
        {
            byId.put(mount.id(), mount);
            visibleByPoint.put(new String(mount.point(), StandardCharsets.ISO_8859_1), mount);
        }
        final Set<String> nested = new TreeSet<>();
        for (final Mount mount : visibleByPoint.values())
        {
            if (mount.id() != root.id() && reaches(mount, root.id(), byId) && isBelow(mount.point(), root.point()))
            {
                final int from = root.point().length == 1 ? 1 : root.point().length + 1;
                nested.add(new String(mount.point(), from, mount.point().length - from, charset));
            }
        }
        return Collections.unmodifiableSet(nested);
    }

    private static boolean reaches(final Mount mount, final int rootId, final Map<Integer, Mount> byId)
    {
        Mount current = mount;
        for (int steps = 0; current != null && steps <= byId.size(); steps++)
        {
            if (current.parentId() == rootId)
            {
                return true;
            }
            if (current.parentId() == current.id())
            {
                return false;
            }
            current = byId.get(current.parentId());
        }
        return false;
    }

    private static boolean isBelow(final byte[] path, final byte[] root)
    {
        if (path.length <= root.length || !Arrays.equals(path, 0, root.length, root, 0, root.length))
        {
            return false;
        }
        return root.length == 1 && root[0] == '/' || path[root.length] == '/';
    }

    private static byte[] enclosingMount(final byte[] real, final List<Mount> mounts)
    {
        final Tree tree = new Tree(mounts);
        byte[] best = {'/'};
        for (final Mount mount : mounts)
        {
            if (isBelow(real, mount.point()) && mount.point().length > best.length && isVisible(mount, tree))
            {
                best = mount.point();
            }
        }
        return best;
    }

    private static List<byte[]> split(final byte[] text, final int from, final int to)
    {
        final List<byte[]> fields = new ArrayList<>();
        int start = from;
        for (int i = from; i <= to; i++)
        {
            if (i == to || text[i] == ' ')
            {
                fields.add(Arrays.copyOfRange(text, start, i));
                start = i + 1;
            }
        }
        return fields;
    }

    private static byte[] unescape(final byte[] field)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(field.length);
        for (int i = 0; i < field.length; i++)
        {
            if (field[i] == '\\' && isOctal(field, i + 1))
            {
                out.write((field[i + 1] - '0') << 6 | (field[i + 2] - '0') << 3 | (field[i + 3] - '0'));
                i += 3;
            }
            else
            {
                out.write(field[i]);
            }
        }
        return out.toByteArray();
    }

    private static boolean isOctal(final byte[] field, final int from)
    {
        if (from + 3 > field.length || field[from] < '0' || field[from] > '3')
        {
            return false;
        }
        for (int i = from + 1; i < from + 3; i++)
        {
            if (field[i] < '0' || field[i] > '7')
            {
                return false;
            }
        }
        return true;
    }

    /**
     * One line of mountinfo.
     *
     * @param id       the mount ID (field 1).
     * @param parentId the ID of the mount it is mounted on (field 2); its own ID for the namespace's root.
     * @param point    the mount point (field 5), unescaped, as the kernel's bytes.
     * @param type     the filesystem type (the field after {@code -}).
     */
    /**
     * One line of mountinfo.
     *
     * @param id       mount id.
     * @param parentId the parent's mount id.
     * @param root     the directory of the filesystem mounted here: {@code /}, or a directory inside it for a bind
     *                 mount of one (and a btrfs subvolume).
     * @param point    the mount point.
     * @param type     the filesystem type.
     */
    record Mount(int id, int parentId, byte[] root, byte[] point, String type)
    {
    }

    private static boolean isBlockDevice(final long dev)
    {
        if (major(dev) == 0)
        {
            return false;
        }
        return !Files.isDirectory(SYS_DEV_BLOCK) ||
            Files.exists(SYS_DEV_BLOCK.resolve(major(dev) + ":" + minor(dev)));
    }

    private static int openDirectory(final Path real, final Path given) throws LiveSourceException
    {
        try
        {
            return LibC.open(LibC.pathBytes(real), LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_CLOEXEC);
        }
        catch (final LastErrorException ex)
        {
            final int errno = LibC.errno(ex);
            throw new LiveSourceException("cannot open the mount point: path=" + given + " " + LibC.describe(errno),
                errno, ex);
        }
    }
}
