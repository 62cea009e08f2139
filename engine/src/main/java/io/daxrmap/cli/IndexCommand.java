package io.daxrmap.cli;

import com.sun.jna.LastErrorException;
import io.daxrmap.format.DeviceNumber;
import io.daxrmap.format.FsmapRecordHandler;
import io.daxrmap.format.FsmapVerboseGeometry;
import io.daxrmap.index.InvalidMutationException;
import io.daxrmap.model.MappingFlags;
import io.daxrmap.model.Owner;
import io.daxrmap.source.Capabilities;
import io.daxrmap.source.FiemapHandler;
import io.daxrmap.source.FiemapWalker;
import io.daxrmap.source.FileKind;
import io.daxrmap.source.GetFsmap;
import io.daxrmap.source.MountRoot;
import io.daxrmap.source.WalkStats;
import io.daxrmap.source.XfsGeometry;
import io.daxrmap.store.FilesystemIndex;
import io.daxrmap.store.FilesystemIndexBuilder;
import io.daxrmap.store.IndexStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileStore;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code daxrmap index MOUNTPOINT -o INDEX [--source auto|fsmap|fiemap]}: the reverse map of a mounted filesystem,
 * from the kernel's own (GETFSMAP) or built from every file's forward map (FIEMAP), with inode paths.
 * <p>
 * MOUNTPOINT is resolved through symlinks and must be the root of a mount on a block device ({@link MountRoot});
 * mounts below it are not walked. GETFSMAP names file owners only on XFS with the reverse-mapping btree and only
 * to a caller with {@code CAP_SYS_ADMIN}: {@code auto} takes it there and FIEMAP everywhere else, and
 * {@code --source fsmap} elsewhere exits 2 with the reason. Before GETFSMAP the filesystem is synced, so that
 * delayed allocations are in the reverse map. INDEX must be on another filesystem ({@link #checkOutputOutside}): on
 * this one its own files would be in the map it writes.
 * <p>
 * GETFSMAP reads the map in batches, and the filesystem goes on changing between them: a file rewritten by
 * copy-on-write after its old blocks were read and before its new ones are shows the same file range at two places,
 * which the index refuses. Such a read is no fault of the input: the filesystem is read again, up to
 * {@value #FSMAP_READS} times in all, each new read said on standard error; a map refused every time is an error
 * naming the mount and the last refusal.
 */
@Command(name = "index", mixinStandardHelpOptions = true,
    description = "Index a mounted filesystem from its mount root (a block device's; not btrfs): GETFSMAP where " +
        "the kernel keeps a reverse map and tells it (XFS with rmapbt, a caller with CAP_SYS_ADMIN), else a FIEMAP " +
        "walk of every file (file data only: bytes no file maps are unknown, never free).")
final class IndexCommand implements Callable<Integer>
{
    /** What the progress line counts in the catalog pass after GETFSMAP. */
    static final String PATHS_WALKED = "paths walked";
    /** Why {@code -o} cannot be a mount point. */
    private static final String MOUNT_POINT = "a mount point; the index takes its place by a rename, which cannot " +
        "replace a mount point: name a directory in it";
    /** {@code rename} of a mount point, {@code EBUSY}. */
    private static final int EBUSY = 16;
    /** {@code rename} across mounts, {@code EXDEV}. */
    private static final int EXDEV = 18;
    /** {@code strerror(ELOOP)}. */
    private static final String ELOOP = "Too many levels of symbolic links";
    /** The unit of a block device's size in sysfs. */
    private static final long SECTOR_BYTES = 512;
    /** The most reads of a filesystem whose GETFSMAP records the index refuses, the first included. */
    static final int FSMAP_READS = 3;

    /**
     * Reads every GETFSMAP record of a mounted filesystem: the kernel's, or a test's stand-in that changes the map
     * between reads as a filesystem being written does.
     */
    @FunctionalInterface
    interface FsmapReader
    {
        /**
         * @param path    the mount root.
         * @param handler receives the records in the kernel's order.
         * @return the number of records delivered.
         * @throws IOException if GETFSMAP fails.
         */
        long readAll(Path path, FsmapRecordHandler handler) throws IOException;
    }

    /** The kernel's GETFSMAP, in batches of {@link GetFsmap#DEFAULT_BATCH} records. */
    static final FsmapReader KERNEL = (path, handler) ->
    {
        try (GetFsmap fsmap = new GetFsmap())
        {
            return fsmap.readAll(path, handler);
        }
    };

    enum Source
    {
        auto, fsmap, fiemap
    }

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MOUNTPOINT", description = "the filesystem's mount point")
    private Path mountPoint;

    @Option(names = "-o", required = true, paramLabel = "INDEX",
        description = "index directory to write: new, empty or an index to replace, not on the filesystem being " +
            "indexed; checked before anything is read")
    private Path output;

    @Option(names = "--source", defaultValue = "auto", paramLabel = "SOURCE",
        description = "auto, fsmap or fiemap; default ${DEFAULT-VALUE}")
    private Source source;

    private final FsmapReader fsmapReader;

    IndexCommand()
    {
        this(KERNEL);
    }

    /**
     * @param fsmapReader where GETFSMAP records come from.
     */
    IndexCommand(final FsmapReader fsmapReader)
    {
        this.fsmapReader = fsmapReader;
    }

    @Override
    public Integer call() throws Exception
    {
        checkOutput(output);
        try (MountRoot root = MountRoot.open(mountPoint))
        {
            checkOutputOutside(output, root);
            final Path path = root.path();
            final boolean xfs = "xfs".equals(root.typeName());
            final XfsGeometry geometry = xfs ? XfsGeometry.read(path) : null;
            final String refusal = fsmapRefusal(root, geometry);
            final Source chosen;
            if (source == Source.auto)
            {
                chosen = refusal == null && GetFsmap.isSupported(path) ? Source.fsmap : Source.fiemap;
            }
            else if (source == Source.fsmap && refusal != null)
            {
                throw new IOException(mountPoint + ": " + refusal);
            }
            else
            {
                chosen = source;
            }
            Built built = build(root, geometry, chosen, 1);
            if (built.fileOwners == 0 && chosen == Source.fsmap && built.stats.bytes() > 0)
            {
                // the checks above passed, yet the kernel named no file: it cannot, for reasons not checked
                final String unsupported = "GETFSMAP named no file owner although files hold " +
                    built.stats.bytes() + " bytes";
                if (source != Source.auto)
                {
                    throw new IOException(mountPoint + ": " + unsupported + "; use --source fiemap");
                }
                built = build(root, geometry, Source.fiemap, 1);
            }
            String firstRefusal = null;
            boolean sameRefusal = true;
            for (int read = 1; ; read++)
            {
                try
                {
                    write(built);
                    break;
                }
                catch (final InvalidMutationException ex)
                {
                    if (built.source != Source.fsmap)
                    {
                        throw ex;
                    }
                    firstRefusal = firstRefusal == null ? ex.getMessage() : firstRefusal;
                    sameRefusal &= firstRefusal.equals(ex.getMessage());
                    if (read == FSMAP_READS)
                    {
                        // a filesystem that changes between batches contradicts itself differently from read to read;
                        // a map refused the same way every time is not one of those, and is not said to be
                        throw new IOException(mountPoint + (sameRefusal ? ": GETFSMAP's records were refused the " +
                            "same way in " + read + " reads, so not for changes between its batches: " :
                            ": the filesystem kept changing while GETFSMAP read it: its records were refused in " +
                            read + " reads, the last: ") + ex.getMessage(), ex);
                    }
                    final PrintWriter err = spec.commandLine().getErr();
                    err.println(Main.oneLine("daxrmap index: warning: " + mountPoint + " changed while GETFSMAP " +
                        "read it (" + ex.getMessage() + "); reading it again, read " + (read + 1) + " of " +
                        FSMAP_READS));
                    err.flush();
                    built = null; // the refused read's records are garbage before the next read holds as many
                    built = build(root, geometry, Source.fsmap, read + 1);
                }
            }
        }
        return Main.EXIT_OK;
    }

    /**
     * Why GETFSMAP cannot give this filesystem's file owners, or null if it can: it must be XFS with the reverse
     * mapping btree, read by a process with {@code CAP_SYS_ADMIN}; otherwise the kernel answers with free space and
     * {@code FMR_OWN_UNKNOWN} only, an index with no file in it.
     */
    private static String fsmapRefusal(final MountRoot root, final XfsGeometry geometry)
    {
        if (geometry == null)
        {
            return "GETFSMAP on " + root.typeName() + " reports no file owners; use --source fiemap";
        }
        if (!geometry.hasReverseMap())
        {
            return "GETFSMAP on this XFS reports no file owners: it has no reverse-mapping btree (made with " +
                "rmapbt=0); use --source fiemap";
        }
        if (!Capabilities.hasSysAdmin())
        {
            return "GETFSMAP reports file owners only to a process with CAP_SYS_ADMIN; run as root or use " +
                "--source fiemap";
        }
        return null;
    }

    /**
     * Why a FIEMAP walk cannot index this filesystem, or null if it can. An XFS with a realtime device keeps the
     * extents of its realtime files there, and FIEMAP gives their offsets on that device with nothing to tell them
     * from the data device's: an index would put them at wrong data-device addresses. (Such a filesystem has no
     * reverse-mapping btree on the xfsprogs this runs with, so GETFSMAP names no file either.)
     */
    static String fiemapRefusal(final XfsGeometry geometry)
    {
        if (geometry != null && geometry.rtBlocks() > 0)
        {
            return "an XFS with a realtime device (" + geometry.rtBlocks() + " blocks): FIEMAP gives a realtime " +
                "file's extents on that device, which a forward-map index cannot tell from the data device's";
        }
        return null;
    }

    /**
     * The size of a block device, from sysfs: statfs's total leaves out what the filesystem keeps for itself (ext4's
     * group descriptors, inode tables, journal), so an index sized by it would leave the device's last bytes outside
     * the filesystem. {@code fallback} if sysfs does not say.
     */
    private static long blockDeviceBytes(final int major, final int minor, final long fallback)
    {
        try
        {
            return Long.parseLong(Files.readString(Path.of("/sys/dev/block/" + major + ":" + minor + "/size")).trim()) *
                SECTOR_BYTES;
        }
        catch (final IOException | NumberFormatException ex)
        {
            return fallback;
        }
    }

    /**
     * Read the filesystem with one source into a new builder.
     *
     * @param read which read of the filesystem this is, from 1: named on the progress line after the first.
     */
    private Built build(final MountRoot root, final XfsGeometry geometry, final Source chosen, final int read)
        throws IOException
    {
        final String fiemapRefusal = chosen == Source.fiemap ? fiemapRefusal(geometry) : null;
        if (fiemapRefusal != null)
        {
            throw new IOException(mountPoint + ": " + fiemapRefusal);
        }
        final Path path = root.path();
        final FileStore store = Files.getFileStore(path);
        final int blockSize = geometry != null ? geometry.blockSize() : (int)store.getBlockSize();
        final int dataDevice = DeviceNumber.encode(root.major(), root.minor());
        // free is what the kernel calls free: the bytes no record lists (no file maps, with FIEMAP) are unknown
        final FilesystemIndexBuilder builder = new FilesystemIndexBuilder(blockSize).unlistedUnknown();
        builder.device(dataDevice, geometry != null ? geometry.dataBytes() :
            blockDeviceBytes(root.major(), root.minor(), store.getTotalSpace()));
        builder.dataDevice(dataDevice);
        final FilesystemIndex target = builder.target();
        if (geometry != null)
        {
            target.xfsGeometry(new FsmapVerboseGeometry(DeviceNumber.major(dataDevice), DeviceNumber.minor(dataDevice),
                geometry.agBlocks(), geometry.blockSize(), geometry.agCount(), geometry.stripeUnit(),
                geometry.stripeWidth()));
        }
        final Progress progress = Progress.onTerminal((chosen == Source.fsmap ? "GETFSMAP records" : "FIEMAP extents") +
            (read > 1 ? " (read " + read + " of " + FSMAP_READS + ")" : ""));
        final long[] skipped = new long[1];
        final long[] fileOwners = new long[1];
        final WalkStats stats;
        try
        {
            if (chosen == Source.fsmap)
            {
                root.sync();
                fsmapReader.readAll(path, (major, minor, deviceOffset, length, owner, fileOffset, flags) ->
                {
                    builder.onRecord(major, minor, deviceOffset, length, owner, fileOffset, flags);
                    if (Owner.isInode(owner))
                    {
                        fileOwners[0]++;
                    }
                    progress.add(1);
                });
                progress.done();
                // the files' bytes are measured only where they decide whether GETFSMAP can be used (see call)
                stats = namePaths(path, root.nestedMounts(), target, fileOwners[0] == 0,
                    Progress.onTerminal(PATHS_WALKED));
            }
            else
            {
                final int major = DeviceNumber.major(dataDevice);
                final int minor = DeviceNumber.minor(dataDevice);
                try (FiemapWalker walker = new FiemapWalker())
                {
                    stats = walker.walk(path, new FiemapHandler()
                    {
                        @Override
                        public void onInode(final long inode, final String name, final FileKind kind)
                        {
                            target.path(inode, name);
                        }

                        @Override
                        public void onExtent(final long inode, final String name, final long fileOffset,
                            final long physical, final long length, final int flags)
                        {
                            if ((flags & (FiemapWalker.FIEMAP_EXTENT_UNKNOWN | FiemapWalker.FIEMAP_EXTENT_DELALLOC |
                                FiemapWalker.FIEMAP_EXTENT_DATA_INLINE)) != 0)
                            {
                                skipped[0]++;
                                return;
                            }
                            fileOwners[0]++;
                            builder.onRecord(major, minor, physical, length, Owner.data(inode), fileOffset,
                                (flags & FiemapWalker.FIEMAP_EXTENT_UNWRITTEN) != 0 ? MappingFlags.UNWRITTEN : 0);
                            progress.add(1);
                        }
                    }, root.nestedMounts());
                }
            }
        }
        finally
        {
            progress.done();
        }
        return new Built(chosen, builder, stats, progress.count(), fileOwners[0], skipped[0]);
    }

    private void write(final Built built) throws IOException
    {
        final WalkStats stats = built.stats;
        try (FilesystemIndex index = createIndex(built.builder, output))
        {
            final PrintWriter out = spec.commandLine().getOut();
            out.printf("indexed %s with %s: %d %s, %d files, %d directories, %d inodes with paths into %s%n",
                mountPoint, built.source == Source.fsmap ? "GETFSMAP" : "FIEMAP", built.records,
                built.source == Source.fsmap ? "records" : "extents", stats.files(), stats.directories(),
                index.paths().size(), output);
            if (stats.vanished() > 0 || stats.failed() > 0 || built.skipped > 0)
            {
                out.printf("  %d vanished or moved during the walk, %d failed, %d extents without a device location " +
                    "skipped%n",
                    stats.vanished(), stats.failed(), built.skipped);
                // paths as ls -b prints them: a name's newline or bytes that are not UTF-8 do not garble the report
                stats.failures().forEach(failure -> out.println("  " + Main.oneLine(failure)));
            }
            if (stats.unsupportedFiles() > 0)
            {
                out.printf("  %d files the filesystem does not map with FIEMAP (EOPNOTSUPP): their blocks are unknown%n",
                    stats.unsupportedFiles());
            }
            if (built.builder.recordsPastFileOffsets() > 0)
            {
                out.printf("  %d %s reach file byte 2^63 - 1, past what an index holds: the last byte of their " +
                    "blocks, past any file's end, is held as unknown%n", built.builder.recordsPastFileOffsets(),
                    built.source == Source.fsmap ? "records" : "extents");
            }
            out.flush();
        }
    }

    /**
     * Refuse, before any long work, an {@code -o} that {@link IndexStore#create} would refuse or fail on only at the
     * end, each error naming the path as the user gave it. {@code create} builds the index in a new directory beside
     * the target ({@code .NAME.tmp-*} in its parent, made with the parent's missing directories) and renames it into
     * place, the target being {@code -o} resolved as the kernel resolves it ({@link IndexStore#resolveTarget}: links
     * followed, {@code ..} after them, a symlink {@code -o} kept and the directory it names replaced): the target must
     * be no file (nor a dangling symlink); a directory there must be empty or an index, not a mount point (a rename
     * cannot replace one; told by {@code /proc/self/mountinfo}, so that a bind mount of the same filesystem is one
     * and a btrfs subvolume, its own {@code st_dev}, is not) and not hold the working directory (which the replacement
     * would delete); of the directories to make, none may be a symlink that leads nowhere; the nearest ancestor that
     * exists must be a directory this process may write in.
     *
     * @param output {@code -o}, as given.
     * @throws IOException naming {@code output} if the index could not be put there.
     */
    static void checkOutput(final Path output) throws IOException
    {
        final Path target;
        try
        {
            target = IndexStore.resolveTarget(output);
        }
        catch (final FileSystemException ex)
        {
            throw new IOException(output + ": cannot be resolved: " + reason(ex), ex);
        }
        final Path parent = target.getParent();
        IndexStore.checkName(output, target);
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS))
        {
            if (!isIndex(output, target) && !isEmpty(output, target))
            {
                throw new IOException(output + ": exists and is not an index; not replacing it");
            }
            if (parent == null || MountRoot.isMountPoint(target))
            {
                throw new IOException(output + ": " + MOUNT_POINT);
            }
            if (IndexStore.holdsWorkingDirectory(target))
            {
                throw new IOException(output + ": " + IndexStore.HOLDS_WORKING_DIRECTORY);
            }
            // the replacement deletes the old index whole: refused at the end if something is mounted in it, so now
            IndexStore.checkNothingMountedInside(output, target);
        }
        else if (Files.exists(target, LinkOption.NOFOLLOW_LINKS))
        {
            throw new IOException(output + ": not a directory");
        }
        // the nearest ancestor that exists, links followed; below it the directories create makes
        Path existing = parent;
        Path below = target;
        while (!Files.exists(existing))
        {
            below = existing;
            existing = existing.getParent();
        }
        if (below != target && Files.exists(below, LinkOption.NOFOLLOW_LINKS))
        {
            // there, but not when followed: a link to nothing or in a loop, where create's mkdir would fail
            throw new IOException(output + ": cannot be made: " + below + " is a symbolic link " + unfollowable(below));
        }
        if (!Files.isDirectory(existing))
        {
            throw new IOException(output + ": cannot be made: " + existing + " is not a directory");
        }
        if (!Files.isWritable(existing) || !Files.isExecutable(existing))
        {
            throw new IOException(output + ": cannot be made: " + (Files.getFileStore(existing).isReadOnly() ?
                existing + " is on a read-only filesystem" : "no permission to write in " + existing));
        }
    }

    /**
     * Refuse an {@code -o} on the filesystem being indexed, before it is read: the index's own files would be in the
     * map it writes, and the map stale the moment it is written. GETFSMAP and the walk see the old index, which the
     * replacement deletes right after, and not the files the new one is written to after the reading: a failure on
     * those blocks would name the wrong owners and paths. Told by {@code st_dev}: the nearest existing ancestor of the
     * target's parent (where {@link IndexStore#create} makes the missing directories and the temporary one) on the
     * root's device, by whatever path (a symbolic link from elsewhere, a bind mount of the same filesystem below the
     * mount point or anywhere). Another filesystem mounted below the mount point is not walked, and is fine.
     *
     * @param output {@code -o}, as given.
     * @param root   the filesystem being indexed.
     * @throws IOException naming {@code output} if the index would be on that filesystem.
     */
    static void checkOutputOutside(final Path output, final MountRoot root) throws IOException
    {
        final Path target;
        try
        {
            target = IndexStore.resolveTarget(output);
        }
        catch (final FileSystemException ex)
        {
            throw new IOException(output + ": cannot be resolved: " + reason(ex), ex);
        }
        Path existing = target.getParent() != null ? target.getParent() : target;
        while (!Files.exists(existing) && existing.getParent() != null)
        {
            existing = existing.getParent();
        }
        final long device = ((Number)Files.getAttribute(existing, "unix:dev")).longValue();
        if (device == root.device())
        {
            throw new IOException(output + ": on the filesystem being indexed (" + root.path() + ", device " +
                root.major() + ":" + root.minor() + "): the index's own files would be in the map it writes, stale " +
                "the moment it is written; put the index on another filesystem");
        }
    }

    /**
     * Why a symbolic link cannot be followed: "to nothing", "in a loop", or the kernel's reason.
     */
    private static String unfollowable(final Path link)
    {
        try
        {
            Files.readAttributes(link, BasicFileAttributes.class);
            return "that cannot be followed";
        }
        catch (final NoSuchFileException ex)
        {
            return "to nothing";
        }
        catch (final FileSystemException ex)
        {
            // ELOOP, which the JDK words as "Too many levels of symbolic links or unable to access attributes..."
            return reason(ex).startsWith(ELOOP) ? "in a loop" : "that cannot be followed: " + reason(ex);
        }
        catch (final IOException ex)
        {
            return "that cannot be followed: " + ex.getMessage();
        }
    }

    private static boolean isIndex(final Path output, final Path directory) throws IOException
    {
        try
        {
            return IndexStore.isIndex(directory);
        }
        catch (final FileSystemException ex)
        {
            throw new IOException(output + ": cannot be read: " + reason(ex), ex);
        }
    }

    private static boolean isEmpty(final Path output, final Path directory) throws IOException
    {
        try (Stream<Path> entries = Files.list(directory))
        {
            return entries.findAny().isEmpty();
        }
        catch (final FileSystemException ex)
        {
            throw new IOException(output + ": cannot be listed: " + reason(ex), ex);
        }
    }

    /**
     * {@link IndexStore#create}, with an error of the file system in its last steps (the disk full, {@code -o} changed
     * since {@link #checkOutput}) named by {@code -o} as given rather than by the temporary directory it was building.
     */
    static FilesystemIndex createIndex(final FilesystemIndexBuilder builder, final Path output) throws IOException
    {
        try
        {
            return IndexStore.create(builder, output);
        }
        catch (final FileSystemException ex)
        {
            throw new IOException(output + ": cannot write the index: " + reason(ex), ex);
        }
        catch (final LastErrorException ex)
        {
            if (ex.getErrorCode() == EBUSY || ex.getErrorCode() == EXDEV)
            {
                // became a mount point after checkOutput: the exchange cannot replace it
                throw new IOException(output + ": " + MOUNT_POINT, ex);
            }
            throw new IOException(output + ": cannot put the index in place: " + ex.getMessage(), ex);
        }
    }

    /**
     * What went wrong, without the file, as {@code strerror} says it: the JDK leaves the reason out of the commonest
     * errors.
     */
    private static String reason(final FileSystemException ex)
    {
        if (ex.getReason() != null)
        {
            return ex.getReason();
        }
        if (ex instanceof AccessDeniedException)
        {
            return "Permission denied";
        }
        if (ex instanceof NoSuchFileException)
        {
            return "No such file or directory";
        }
        if (ex instanceof FileAlreadyExistsException)
        {
            return "File exists";
        }
        if (ex instanceof NotDirectoryException)
        {
            return "Not a directory";
        }
        if (ex instanceof DirectoryNotEmptyException)
        {
            return "Directory not empty";
        }
        return ex.getClass().getSimpleName();
    }

    /**
     * The catalog pass of a GETFSMAP index: walk the tree for inode paths only (GETFSMAP gave the extents, the
     * directories' included), opening no file, counting the paths on the progress line.
     *
     * @param root         the mount root.
     * @param nestedMounts mount points below it, not walked.
     * @param target       the catalog to fill.
     * @param progress     the progress line; done when the walk is.
     * @return the walk's counts, with no extents and no bytes.
     */
    static WalkStats namePaths(final Path root, final Set<String> nestedMounts, final FilesystemIndex target,
        final Progress progress) throws IOException
    {
        return namePaths(root, nestedMounts, target, false, progress);
    }

    /**
     * The catalog pass of a GETFSMAP index, mapping the files as well if asked: where GETFSMAP named no file, the
     * bytes the files hold ({@link WalkStats#bytes()}) tell an empty filesystem from a kernel that names none. The
     * extents are dropped either way.
     *
     * @param root         the mount root.
     * @param nestedMounts mount points below it, not walked.
     * @param target       the catalog to fill.
     * @param measureFiles whether to map every file with FIEMAP, for the counts; otherwise no file is opened.
     * @param progress     the progress line; done when the walk is.
     * @return the walk's counts; no extents and no bytes unless {@code measureFiles}.
     */
    static WalkStats namePaths(final Path root, final Set<String> nestedMounts, final FilesystemIndex target,
        final boolean measureFiles, final Progress progress) throws IOException
    {
        try (FiemapWalker walker = measureFiles ?
            new FiemapWalker(FiemapWalker.DEFAULT_EXTENTS_PER_CALL, false) : FiemapWalker.pathsOnly())
        {
            return walker.walk(root, pathsOnly(target, progress), nestedMounts);
        }
        finally
        {
            progress.done();
        }
    }

    private static FiemapHandler pathsOnly(final FilesystemIndex target, final Progress progress)
    {
        return new FiemapHandler()
        {
            @Override
            public void onInode(final long inode, final String path, final FileKind kind)
            {
                target.path(inode, path);
                progress.add(1);
            }

            @Override
            public void onExtent(final long inode, final String path, final long fileOffset, final long physical,
                final long length, final int flags)
            {
            }
        };
    }

    /**
     * What one source read: the builder, the walk's counts, the records or extents, how many of them name a file,
     * and the extents without a device location.
     */
    private record Built(Source source, FilesystemIndexBuilder builder, WalkStats stats, long records,
        long fileOwners, long skipped)
    {
    }
}
