package io.daxrmap.store;

import io.daxrmap.format.DeviceNumber;
import io.daxrmap.format.FsmapVerboseGeometry;
import io.daxrmap.index.CorruptIndexException;
import io.daxrmap.index.ReverseIndex;
import io.daxrmap.model.NativePaths;
import io.daxrmap.source.MountRoot;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * An index directory as the command line keeps it: one persistent {@link ReverseIndex} per device in
 * {@code device-MAJOR-MINOR/}, the {@link Catalog} of inode paths in {@value Catalog#FILE_NAME} (a Chronicle Map), and
 * {@value #FILE_NAME} naming the devices, the data device and the XFS geometry.
 * <pre>
 *   {@value #FILE_NAME}: magic "DAXRMAP\0" | version int | device count int | device int... | data device int
 *                       | has geometry byte [| data major int | data minor int | agBlocks long | block size int
 *                       | agCount long | sunit long | swidth long] | CRC32C of everything before, int
 * </pre>
 * Big-endian. {@link #create} builds the whole directory beside the target and renames it into place, so an
 * interrupted import or index leaves the previous index (or none), never half of one; a symlink to an index directory
 * is kept and the directory it names replaced ({@link #resolveTarget}). The old index is then deleted, but never
 * through a mount point or into another filesystem, and an index with a mount inside is not replaced at all
 * ({@link #checkNothingMountedInside}). {@link #load} opens the
 * device indexes read-only: mapped, not rebuilt, and readable while another process writes them.
 */
public final class IndexStore
{
    /** The file that makes a directory an index. */
    public static final String FILE_NAME = "filesystem.daxrmap";
    /** First eight bytes of the file. */
    public static final long MAGIC = 0x4441_5852_4D41_5000L;
    /** Records in one file, rebuilt on every open (no longer written). */
    public static final int VERSION_RECORDS = 1;
    /** Memory-mapped device indexes beside a catalog. */
    public static final int VERSION_MAPPED = 2;
    /** The version this code writes. */
    public static final int VERSION_CURRENT = VERSION_MAPPED;

    private static final int MAX_DEVICES = 16;
    /** How far up from the working directory {@link #holdsWorkingDirectory} looks: PATH_MAX / 2 levels. */
    private static final int MAX_DEPTH = 2048;
    /** Why an index cannot be put in place of the working directory or a directory that holds it. */
    public static final String HOLDS_WORKING_DIRECTORY = "the working directory is in it; the index takes its place " +
        "by a rename, which would leave the working directory deleted: name it from outside";
    /** Why an index cannot be put in place of {@code /}. */
    public static final String ROOT_DIRECTORY = "the root directory; the index takes its place by a rename in the " +
        "directory above it, and / has none: name a directory in it";
    /** Why an index directory with a mount inside is not replaced, after the entries found. */
    public static final String MOUNTED_INSIDE = "; replacing the index deletes the old one with everything in it, " +
        "which would delete the mounted files too: unmount it or name another directory";
    /** After the index is in place, the old one only partly deleted: the start of the message. */
    public static final String REPLACED_BUT = "the new index is in place, but the old one was not deleted whole: ";
    /**
     * The longest name in bytes of an index directory: its build directory beside it takes the name and
     * {@code .}, {@code .tmp-} and up to 20 digits more ({@link BuildDirectory}), within the 255 bytes of a file name.
     */
    public static final int LONGEST_NAME = 255 - 26;
    private static final String MOUNT_POINT = "a mount point";

    private IndexStore()
    {
    }

    /**
     * The subdirectory of a device's index.
     *
     * @param device device number ({@code new_encode_dev}).
     * @return its name.
     */
    public static String deviceDirectory(final int device)
    {
        return "device-" + DeviceNumber.major(device) + "-" + DeviceNumber.minor(device);
    }

    /**
     * The directory an index named {@code directory} takes the place of, resolved as the kernel resolves the path:
     * the real path of its nearest ancestor that exists (or of the path itself), every symbolic link on the way
     * followed and each {@code ..} taken after the link before it, then the components that do not exist yet. So
     * {@code link/../idx} names {@code idx} beside the directory {@code link} points to, not beside {@code link};
     * {@code .} names the working directory by its real path; and a symbolic link to a directory, through any chain of
     * links, names that directory, which the index is exchanged with, so that the link is kept and keeps naming the
     * index. A last component that is a link to nothing or in a loop is returned as it is: not a directory, which
     * {@link #create} refuses (a rename would replace the link itself). Check, create and reopen all use this one path.
     *
     * @param directory the index directory as given.
     * @return where the index goes: absolute, normalized, no symbolic link in it but perhaps the last component.
     * @throws NoSuchFileException  if a {@code ..} follows a component that does not exist (the kernel's ENOENT).
     * @throws NotDirectoryException if a {@code ..} follows a file.
     * @throws IOException          if an existing ancestor cannot be resolved.
     */
    public static Path resolveTarget(final Path directory) throws IOException
    {
        final Path absolute = directory.toAbsolutePath();
        final Deque<Path> missing = new ArrayDeque<>();
        Path existing = absolute;
        while (existing.getParent() != null && !Files.exists(existing))
        {
            missing.push(existing.getFileName());
            existing = existing.getParent();
        }
        Path target = existing.toRealPath();
        boolean made = false;
        while (!missing.isEmpty())
        {
            final String name = missing.pop().toString();
            if (".".equals(name))
            {
                continue;
            }
            if ("..".equals(name))
            {
                if (!made && Files.exists(target, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(target))
                {
                    throw new NotDirectoryException(target.toString());
                }
                throw new NoSuchFileException(target.toString());
            }
            target = target.resolve(name);
            made = true;
        }
        return target;
    }

    /**
     * Whether the working directory of this process is {@code target} or below it, compared by device and inode (a
     * bind mount shows a directory under two paths). An index put in place of {@code target} exchanges it with the
     * new directory and deletes the old one: the working directory would be the deleted one, empty, and {@code .} in
     * it no longer the index.
     * <p>
     * The working directory's ancestors are taken by the path the kernel gives for it ({@code readlink
     * /proc/self/cwd}) and, where that path cannot be read (a directory above it that this process may not search),
     * by {@code ..} from the working directory itself; where neither can be read, by the path alone, against the
     * target's real path. A directory this process cannot look at never makes the answer an error: the working
     * directory's ancestors are not the user's choice, and most often have nothing to do with {@code -o}.
     *
     * @param target a resolved target ({@link #resolveTarget}).
     * @return true if the working directory is in it.
     * @throws IOException if the target itself cannot be read.
     */
    public static boolean holdsWorkingDirectory(final Path target) throws IOException
    {
        if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS))
        {
            return false;
        }
        final Object key = Files.readAttributes(target, BasicFileAttributes.class).fileKey();
        if (key == null)
        {
            return false; // no file keys on this platform
        }
        final Path proc = Path.of("/proc/self/cwd");
        final boolean hasProc = Files.isDirectory(proc);
        // the kernel's working directory itself, whatever its path; else the path the JVM started in
        final Path cwd = hasProc ? proc : Path.of("").toAbsolutePath();
        if (key.equals(fileKey(cwd)))
        {
            return true;
        }
        Path byName = hasProc ? workingDirectoryName(proc) : cwd;
        Path byDots = cwd;
        Object previous = fileKey(cwd);
        for (int depth = 1; depth < MAX_DEPTH; depth++)
        {
            byName = byName == null ? null : byName.getParent();
            byDots = byDots == null ? null : byDots.resolve("..");
            Object current = byName == null ? null : fileKey(byName);
            if (current == null && byDots != null)
            {
                current = fileKey(byDots);
            }
            if (current == null)
            {
                byDots = null; // unreadable from here up that way
                if (byName == null)
                {
                    return false;
                }
                if (byName.equals(target))
                {
                    return true; // cannot be looked at, but has the target's very path
                }
                continue;
            }
            if (current.equals(key))
            {
                return true;
            }
            if (current.equals(previous) && (byName == null || byName.getParent() == null))
            {
                return false; // at the root: its .. is itself
            }
            previous = current;
        }
        return false;
    }

    /**
     * The working directory's path as the kernel gives it, or null if it gives none that names a directory this
     * process can reach: deleted ({@code " (deleted)"} after it), outside this process's root ({@code
     * "(unreachable)"} before it), or unreadable.
     */
    private static Path workingDirectoryName(final Path proc)
    {
        final Path name;
        try
        {
            name = Files.readSymbolicLink(proc);
        }
        catch (final IOException | UnsupportedOperationException ex)
        {
            return null;
        }
        if (!name.isAbsolute())
        {
            return null;
        }
        if (name.toString().endsWith(" (deleted)"))
        {
            // a directory may have that name; a deleted one is in no tree: keep the name only if it leads here
            final Object here = fileKey(proc);
            return here != null && here.equals(fileKey(name)) ? name : null;
        }
        return name;
    }

    /** A directory's device and inode, following links; null if it cannot be read. */
    private static Object fileKey(final Path path)
    {
        try
        {
            return Files.readAttributes(path, BasicFileAttributes.class).fileKey();
        }
        catch (final IOException | SecurityException ex)
        {
            return null;
        }
    }

    /**
     * Build an index directory from collected records and put it in place of {@code directory} at once.
     *
     * @param builder   the records, catalog and geometry.
     * @param directory the index directory; an existing index there is replaced, anything else is refused, and so is
     *                  an index that something is mounted in ({@link #checkNothingMountedInside}), before any work,
     *                  and {@code /}; a symbolic link to a directory stands for that directory ({@link #resolveTarget}).
     *                  The index is built in a locked directory beside it ({@link BuildDirectory}); those that
     *                  imports killed before they finished left there are removed first.
     * @return the new index, open read-only.
     * @throws IOException if it cannot be written; or, naming what was kept, if the new index is in place but the old
     *                     one could not be deleted whole because a mount appeared in it meanwhile ({@link #deleteTree}
     *                     never deletes through one).
     */
    public static FilesystemIndex create(final FilesystemIndexBuilder builder, final Path directory) throws IOException
    {
        final Path target = resolveTarget(directory);
        final Path parent = target.getParent();
        if (parent == null)
        {
            throw new IOException(directory + ": " + ROOT_DIRECTORY);
        }
        checkName(directory, target);
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS))
        {
            throw new IOException(directory + ": not a directory");
        }
        if (Files.isDirectory(target) && !isIndex(target) && !isEmpty(target))
        {
            throw new IOException(directory + ": exists and is not an index; not replacing it");
        }
        checkNothingMountedInside(directory, target);
        if (holdsWorkingDirectory(target))
        {
            throw new IOException(directory + ": " + HOLDS_WORKING_DIRECTORY);
        }
        final List<Path> made = makeDirectories(parent);
        final String name = target.getFileName().toString();
        try
        {
            // what imports killed before they finished left here: nothing holds their directories any more
            BuildDirectory.sweep(parent, name);
            try (BuildDirectory build = BuildDirectory.create(parent, name))
            {
                replace(builder, directory, target, parent, build.path());
            }
        }
        catch (final IOException | RuntimeException | Error ex)
        {
            // no index took the name: the directories made for it go too, if nothing else came into them
            for (int i = made.size() - 1; i >= 0; i--)
            {
                try
                {
                    Files.deleteIfExists(made.get(i));
                }
                catch (final IOException | RuntimeException left)
                {
                    break; // not empty (or not ours to delete): it and those above it stay
                }
            }
            throw ex;
        }
        // the directory just put in place, not the path as given: its links and .. may lead elsewhere by now
        return load(target);
    }

    /**
     * Refuse an index directory whose name is too long for its build directory ({@link #LONGEST_NAME}).
     *
     * @param directory the index directory as the user named it, for the message.
     * @param target    where the index goes ({@link #resolveTarget}).
     * @throws IOException naming {@code directory}.
     */
    public static void checkName(final Path directory, final Path target) throws IOException
    {
        final Path name = target.getFileName();
        final int bytes = name == null ? 0 : NativePaths.bytes(name).length - 1;
        if (bytes > LONGEST_NAME)
        {
            throw new IOException(directory + ": name too long: " + bytes + " bytes; an index directory's name may " +
                "have " + LONGEST_NAME + " (the directory it is built in beside it takes the name and 26 more)");
        }
    }

    /**
     * {@link Files#createDirectories}, saying which directories it made, outermost first.
     */
    private static List<Path> makeDirectories(final Path directory) throws IOException
    {
        final List<Path> missing = new ArrayList<>();
        for (Path at = directory; at != null && !Files.exists(at); at = at.getParent())
        {
            missing.add(0, at);
        }
        Files.createDirectories(directory);
        return missing;
    }

    /**
     * Build the new index in {@code temp}, put it in place of {@code target}, and delete what {@code temp} then holds.
     */
    private static void replace(
        final FilesystemIndexBuilder builder, final Path directory, final Path target, final Path parent,
        final Path temp) throws IOException
    {
        try
        {
            try (FilesystemIndex index = builder.build(temp))
            {
                Catalog.write(temp.resolve(Catalog.FILE_NAME), index.paths(), index.dataDevice());
                writeFile(index, temp.resolve(FILE_NAME));
            }
            // the new directory's entries (catalog, index file, device directories) before it takes the name
            forceDirectory(temp);
            if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS))
            {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
                forceDirectory(parent);
            }
            else if (DirectoryExchange.exchange(temp, target))
            {
                // one step: the target is never missing; temp now holds the old index, deleted below
                forceDirectory(parent);
            }
            else
            {
                replaceInTwoSteps(directory, temp, target, parent);
            }
        }
        catch (final IOException | RuntimeException | Error ex)
        {
            // temp holds the new index that never took the name (or the old one, if only the last fsync failed)
            try
            {
                final List<Kept> kept = deleteTree(temp);
                if (!kept.isEmpty())
                {
                    ex.addSuppressed(new IOException(temp + ": " + left(kept, temp)));
                }
            }
            catch (final IOException | RuntimeException cleanup)
            {
                ex.addSuppressed(cleanup);
            }
            throw ex;
        }
        // temp holds the old index after an exchange; after a move (or two) it is gone
        final List<Kept> kept;
        try
        {
            kept = deleteTree(temp);
        }
        catch (final IOException ex)
        {
            // the new index is in place: a failure to delete the old one must not read as a failure to write it
            throw new IOException(directory + ": " + REPLACED_BUT + temp + " is left (" + ex + ")", ex);
        }
        if (!kept.isEmpty())
        {
            throw new IOException(directory + ": " + REPLACED_BUT + left(kept, temp));
        }
    }

    /**
     * Refuse to replace an index directory that something is mounted in. The replacement deletes the old index
     * directory with everything in it; a filesystem mounted inside (by hand, or a bind mount a tool made there) holds
     * files that are not the index's. Every entry of the tree is looked at without following symbolic links: one that
     * is a mount point by {@code /proc/self/mountinfo} (a bind mount of the same filesystem has the directory's own
     * {@code st_dev}) or on a device other than the directory's ({@code st_dev}: another filesystem, a btrfs subvolume)
     * is refused, naming it. The directory itself being a mount point is not looked at here: the rename that puts the
     * index in place refuses that ({@code EBUSY}).
     *
     * @param directory the index directory as the user named it, for the message.
     * @param target    where the index goes ({@link #resolveTarget}); nothing to check if it is no directory.
     * @throws IOException naming {@code directory} and what is mounted in it, or if the tree cannot be read.
     */
    public static void checkNothingMountedInside(final Path directory, final Path target) throws IOException
    {
        if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS))
        {
            return;
        }
        final List<Kept> found = new ArrayList<>();
        deleteContents(target, device(target), found, false);
        if (!found.isEmpty())
        {
            throw new IOException(directory + ": " + describe(found) + MOUNTED_INSIDE);
        }
    }

    /**
     * Open an index directory read-only.
     *
     * @param directory the index directory.
     * @return the index; its device indexes follow a writer on {@code refresh()}.
     * @throws CorruptIndexException if the directory is not an index or its files are damaged.
     * @throws IOException           if it cannot be read.
     */
    public static FilesystemIndex load(final Path directory) throws IOException
    {
        return load(directory, () -> { }, () -> { });
    }

    /**
     * What {@link #load(Path, LoadStep, LoadStep)} runs at a point of each look: where tests replace the directory.
     */
    @FunctionalInterface
    interface LoadStep
    {
        void run() throws IOException;
    }

    /**
     * As {@link #load(Path)}, running {@code afterLook} after each look at the catalog's identity and
     * {@code beforeCatalog} after the device indexes are opened, before the catalog is.
     */
    static FilesystemIndex load(final Path directory, final LoadStep afterLook, final LoadStep beforeCatalog)
        throws IOException
    {
        // the device indexes follow only the import they were opened from: a catalog of the import put in place
        // while they were opened would never be refreshed away from them; the load is then done again. A catalog
        // missing at the look (between the two renames of a replacement) proves nothing: only the same identity
        // before and after does, or none at either (an index without a catalog file)
        final Path catalog = directory.resolve(Catalog.FILE_NAME);
        for (int looks = 1; ; looks++)
        {
            final Object before = fileKeyOrNull(catalog);
            afterLook.run();
            final FilesystemIndex index = loadOnce(directory, beforeCatalog);
            final Object after = index.followedKey();
            if (java.util.Objects.equals(before, after))
            {
                return index;
            }
            index.close();
            if (looks >= LOAD_LOOKS)
            {
                throw new CorruptIndexException(directory.resolve(FILE_NAME),
                    "replaced while it was loaded, " + looks + " times");
            }
        }
    }

    /** How many times {@link #load} opens an index directory that keeps being replaced meanwhile. */
    private static final int LOAD_LOOKS = 4;

    private static Object fileKeyOrNull(final Path file) throws IOException
    {
        try
        {
            return Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        }
        catch (final java.nio.file.NoSuchFileException ex)
        {
            return null;
        }
    }

    private static FilesystemIndex loadOnce(final Path directory, final LoadStep beforeCatalog) throws IOException
    {
        final IndexFile stored = readIndexFile(directory);
        final FilesystemIndex index = new FilesystemIndex();
        try
        {
            for (final int device : stored.devices())
            {
                index.addDevice(openDevice(directory, device));
            }
            if (stored.dataDevice() != -1 && index.device(stored.dataDevice()) != null)
            {
                index.dataDevice(stored.dataDevice());
            }
            index.xfsGeometry(stored.geometry());
            beforeCatalog.run();
            index.followCatalog(directory.resolve(Catalog.FILE_NAME));
            return index;
        }
        catch (final IllegalArgumentException ex)
        {
            index.close();
            throw new CorruptIndexException(directory.resolve(FILE_NAME), "inconsistent: " + ex.getMessage(), ex);
        }
        catch (final IOException | RuntimeException ex)
        {
            // a device index or the catalog refused: the device indexes opened before it are closed
            index.close();
            throw ex;
        }
    }

    /**
     * What {@value #FILE_NAME} says.
     *
     * @param devices    the device numbers, in the order stored.
     * @param dataDevice the data device as stored, -1 if none.
     * @param geometry   the XFS geometry, or null.
     */
    record IndexFile(int[] devices, int dataDevice, FsmapVerboseGeometry geometry)
    {
    }

    /**
     * Read and check the {@value #FILE_NAME} of an index directory.
     *
     * @throws CorruptIndexException if the directory is not an index or the file is damaged.
     */
    /**
     * Whether a directory holds an index, of this build's format or an older one: its index file begins with
     * {@link #MAGIC}. A file of that name that does not (one a user made) does not make the directory an index, which
     * a replacement would delete whole.
     *
     * @param directory a directory.
     * @return true if its index file is there and begins with the magic number.
     * @throws IOException if the index file is there but cannot be read.
     */
    public static boolean isIndex(final Path directory) throws IOException
    {
        final Path file = directory.resolve(FILE_NAME);
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS))
        {
            return false;
        }
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS))
        {
            final byte[] head = in.readNBytes(Long.BYTES);
            return head.length == Long.BYTES && ByteBuffer.wrap(head).getLong() == MAGIC;
        }
    }

    static IndexFile readIndexFile(final Path directory) throws IOException
    {
        if (!Files.isDirectory(directory))
        {
            throw new CorruptIndexException(directory, Files.exists(directory) ?
                "not an index directory" : "no such index directory");
        }
        final Path file = directory.resolve(FILE_NAME);
        if (!Files.isRegularFile(file))
        {
            throw new CorruptIndexException(directory, "not an index directory: no " + FILE_NAME);
        }
        final byte[] bytes = Files.readAllBytes(file);
        if (bytes.length < Long.BYTES + Integer.BYTES * 2)
        {
            throw new CorruptIndexException(file, "truncated: size=" + bytes.length);
        }
        final int stored = ByteBuffer.wrap(bytes, bytes.length - Integer.BYTES, Integer.BYTES).getInt();
        final CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - Integer.BYTES);
        final ByteBuffer head = ByteBuffer.wrap(bytes);
        if (head.getLong(0) != MAGIC)
        {
            throw new CorruptIndexException(file, "not a daxrmap index: magic=0x" + Long.toHexString(head.getLong(0)));
        }
        if ((int)crc.getValue() != stored)
        {
            throw new CorruptIndexException(file, "checksum mismatch: stored=0x" + Integer.toHexString(stored) +
                " computed=0x" + Integer.toHexString((int)crc.getValue()));
        }
        if (head.getInt(Long.BYTES) != VERSION_CURRENT)
        {
            throw new CorruptIndexException(file, "unsupported format version: version=" + head.getInt(Long.BYTES) +
                " supported=" + VERSION_CURRENT);
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, 12,
            bytes.length - 12 - Integer.BYTES)))
        {
            final int deviceCount = in.readInt();
            if (deviceCount < 0 || deviceCount > MAX_DEVICES)
            {
                throw new CorruptIndexException(file, "bad device count: deviceCount=" + deviceCount);
            }
            final int[] devices = new int[deviceCount];
            for (int d = 0; d < deviceCount; d++)
            {
                devices[d] = in.readInt();
                for (int e = 0; e < d; e++)
                {
                    if (devices[e] == devices[d])
                    {
                        // refused before any device index is opened: none is left open behind the refusal
                        throw new CorruptIndexException(file, "inconsistent: device named twice: device=" +
                            DeviceNumber.major(devices[d]) + ":" + DeviceNumber.minor(devices[d]));
                    }
                }
            }
            final int dataDevice = in.readInt();
            FsmapVerboseGeometry geometry = null;
            if (in.readByte() != 0)
            {
                geometry = new FsmapVerboseGeometry(in.readInt(), in.readInt(), in.readLong(), in.readInt(),
                    in.readLong(), in.readLong(), in.readLong());
            }
            return new IndexFile(devices, dataDevice, geometry);
        }
        catch (final EOFException ex)
        {
            throw new CorruptIndexException(file, "truncated", ex);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CorruptIndexException(file, "inconsistent: " + ex.getMessage(), ex);
        }
    }

    /**
     * Open the index of one device of an index directory, read-only.
     *
     * @throws CorruptIndexException if it is damaged or the index of another device.
     */
    static ReverseIndex openDevice(final Path directory, final int device) throws IOException
    {
        // tied to this import: a device index follows its writer, never another import put in place of its directory
        // (FilesystemIndex#refresh opens that one's devices with its catalog)
        final ReverseIndex deviceIndex = ReverseIndex.openReadOnly(directory.resolve(deviceDirectory(device)),
            ReverseIndex.Follow.OWN_INDEX);
        if (deviceIndex.geometry().device() != device)
        {
            deviceIndex.close();
            throw new CorruptIndexException(directory.resolve(FILE_NAME),
                "device index of another device: device=" + device);
        }
        return deviceIndex;
    }

    private static void writeFile(final FilesystemIndex index, final Path file) throws IOException
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes))
        {
            out.writeLong(MAGIC);
            out.writeInt(VERSION_CURRENT);
            out.writeInt(index.devices().size());
            for (final Integer device : index.devices().keySet())
            {
                out.writeInt(device);
            }
            out.writeInt(index.dataDevice());
            final FsmapVerboseGeometry geometry = index.xfsGeometry().orElse(null);
            out.writeByte(geometry == null ? 0 : 1);
            if (geometry != null)
            {
                out.writeInt(geometry.dataMajor());
                out.writeInt(geometry.dataMinor());
                out.writeLong(geometry.agBlocks());
                out.writeInt(geometry.blockSize());
                out.writeLong(geometry.agCount());
                out.writeLong(geometry.stripeUnitBlocks());
                out.writeLong(geometry.stripeWidthBlocks());
            }
        }
        final CRC32C crc = new CRC32C();
        crc.update(bytes.toByteArray());
        final byte[] body = bytes.toByteArray();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))
        {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            final ByteBuffer buffer = ByteBuffer.allocate(body.length + Integer.BYTES);
            buffer.put(body).putInt((int)crc.getValue()).flip();
            while (buffer.hasRemaining())
            {
                channel.write(buffer);
            }
            channel.force(true);
        }
    }

    private static boolean isEmpty(final Path directory) throws IOException
    {
        try (Stream<Path> entries = Files.list(directory))
        {
            return entries.findAny().isEmpty();
        }
    }

    /**
     * Where directories cannot be exchanged: move the old index aside, the new one in, and the old one back if that
     * fails. A crash between the two moves leaves the old index in a hidden {@code .NAME.old-*} beside the target.
     */
    private static void replaceInTwoSteps(final Path directory, final Path temp, final Path target, final Path parent)
        throws IOException
    {
        final Path old = Files.createTempDirectory(parent, "." + target.getFileName() + ".old-");
        Files.delete(old);
        Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
        try
        {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        }
        catch (final IOException | RuntimeException ex)
        {
            try
            {
                Files.move(old, target, StandardCopyOption.ATOMIC_MOVE);
            }
            catch (final IOException back)
            {
                ex.addSuppressed(back);
            }
            throw ex;
        }
        forceDirectory(parent);
        final List<Kept> kept = deleteTree(old);
        if (!kept.isEmpty())
        {
            throw new IOException(directory + ": " + REPLACED_BUT + left(kept, old));
        }
    }

    private static void forceDirectory(final Path directory) throws IOException
    {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ))
        {
            channel.force(true);
        }
    }

    /**
     * What {@link #deleteTree} did not delete, or {@link #checkNothingMountedInside} found: a path and why.
     *
     * @param path the mount point or the entry on another device.
     * @param why  "a mount point", or "on another filesystem (st_dev ...)".
     */
    record Kept(Path path, String why)
    {
    }

    /**
     * Delete a directory tree without leaving its filesystem and without following a symbolic link (a link is
     * removed, never what it names). An entry that is a mount point ({@code /proc/self/mountinfo}, which tells a
     * bind mount of the same filesystem) or whose {@code st_dev} is not the root's is neither entered nor removed:
     * it stays, with the directories above it, and is returned. {@link #create} refuses such a tree before any work;
     * this is the defence should a mount appear meanwhile (a mount made after the check of an entry is not seen).
     *
     * @param root the tree; nothing happens if it does not exist, and entries another process deletes meanwhile
     *             are taken as deleted.
     * @return what was kept, empty if the tree is gone.
     * @throws IOException if an entry cannot be read or removed.
     */
    static List<Kept> deleteTree(final Path root) throws IOException
    {
        final BasicFileAttributes attributes;
        try
        {
            attributes = Files.readAttributes(root, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        }
        catch (final NoSuchFileException ex)
        {
            return List.of();
        }
        final List<Kept> kept = new ArrayList<>();
        try
        {
            if (!attributes.isDirectory())
            {
                Files.deleteIfExists(root);
            }
            else if (MountRoot.isMountPoint(root))
            {
                kept.add(new Kept(root, MOUNT_POINT));
            }
            else if (deleteContents(root, device(root), kept, true))
            {
                Files.deleteIfExists(root);
            }
        }
        catch (final NoSuchFileException ex)
        {
            // deleted by another meanwhile (a sweep of build directories, BuildDirectory): gone is what was asked
        }
        return kept;
    }

    /**
     * Delete what a directory holds, entry by entry, as {@link #deleteTree} says; or, with {@code delete} false, only
     * collect what it would keep.
     *
     * @return true if the directory is empty now (with {@code delete}); false if something below it was kept.
     */
    private static boolean deleteContents(
        final Path directory, final long device, final List<Kept> kept, final boolean delete) throws IOException
    {
        boolean emptied = true;
        for (final Path entry : entries(directory))
        {
            final Map<String, Object> attributes;
            try
            {
                attributes = Files.readAttributes(entry, "unix:dev,isDirectory", LinkOption.NOFOLLOW_LINKS);
            }
            catch (final NoSuchFileException ex)
            {
                continue;
            }
            final Kept boundary = boundary(entry, attributes, device);
            if (boundary != null)
            {
                kept.add(boundary);
                emptied = false;
            }
            else if ((Boolean)attributes.get("isDirectory") && !deleteContents(entry, device, kept, delete))
            {
                emptied = false;
            }
            else if (delete)
            {
                Files.deleteIfExists(entry); // rmdir or unlink: a symbolic link itself, never what it names
            }
        }
        return emptied;
    }

    /**
     * Whether an entry of a tree on {@code device} is where a deletion must stop: a mount point (a directory, or a
     * file bind-mounted on a file) or an entry on another device.
     *
     * @return why, or null if it may be deleted (entered, if a directory).
     */
    private static Kept boundary(final Path entry, final Map<String, Object> attributes, final long device)
        throws IOException
    {
        if (MountRoot.isMountPoint(entry))
        {
            return new Kept(entry, MOUNT_POINT);
        }
        final long entryDevice = ((Number)attributes.get("dev")).longValue();
        if (entryDevice != device)
        {
            // no mount, yet another device: a btrfs subvolume, or a mount mountinfo does not show
            return new Kept(entry, "on another filesystem (st_dev " + MountRoot.major(entryDevice) + ":" +
                MountRoot.minor(entryDevice) + ", not " + MountRoot.major(device) + ":" + MountRoot.minor(device) + ")");
        }
        return null;
    }

    /** The entries of a directory, sorted, so that what is found or kept is told in one order. */
    private static List<Path> entries(final Path directory) throws IOException
    {
        try (Stream<Path> entries = Files.list(directory))
        {
            return entries.sorted().toList();
        }
        catch (final NoSuchFileException ex)
        {
            return List.of(); // deleted meanwhile
        }
    }

    private static long device(final Path path) throws IOException
    {
        return ((Number)Files.getAttribute(path, "unix:dev", LinkOption.NOFOLLOW_LINKS)).longValue();
    }

    /** "P is a mount point", "P is a mount point, Q is on another filesystem (...)" */
    private static String describe(final List<Kept> kept)
    {
        final StringBuilder text = new StringBuilder();
        for (final Kept one : kept)
        {
            text.append(text.length() == 0 ? "" : ", ").append(one.path()).append(" is ").append(one.why());
        }
        return text.toString();
    }

    private static String left(final List<Kept> kept, final Path directory)
    {
        return describe(kept) + ", kept with the directories above it in " + directory +
            ": nothing was deleted through it; unmount it, then delete " + directory;
    }
}
