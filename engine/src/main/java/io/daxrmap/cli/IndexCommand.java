package io.daxrmap.cli;

import io.daxrmap.format.DeviceNumber;
import io.daxrmap.format.FsmapVerboseGeometry;
import io.daxrmap.model.MappingFlags;
import io.daxrmap.model.Owner;
import io.daxrmap.source.FiemapHandler;
import io.daxrmap.source.FiemapWalker;
import io.daxrmap.source.FileKind;
import io.daxrmap.source.GetFsmap;
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
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code daxrmap index MOUNTPOINT -o INDEX [--source auto|fsmap|fiemap]}: the reverse map of a mounted filesystem,
 * from the kernel's own (GETFSMAP) or built from every file's forward map (FIEMAP), with inode paths.
 */
@Command(name = "index", mixinStandardHelpOptions = true,
    description = "Index a mounted filesystem: GETFSMAP where the kernel keeps a reverse map (XFS with rmapbt), " +
        "else a FIEMAP walk of every file (file data only).")
final class IndexCommand implements Callable<Integer>
{
    enum Source
    {
        auto, fsmap, fiemap
    }

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MOUNTPOINT", description = "the filesystem's mount point")
    private Path mountPoint;

    @Option(names = "-o", required = true, paramLabel = "INDEX", description = "index directory to write")
    private Path output;

    @Option(names = "--source", defaultValue = "auto", paramLabel = "SOURCE",
        description = "auto, fsmap or fiemap; default ${DEFAULT-VALUE}")
    private Source source;

    @Override
    public Integer call() throws Exception
    {
        if (!Files.isDirectory(mountPoint))
        {
            throw new IOException(mountPoint + ": not a directory");
        }
        final FileStore store = Files.getFileStore(mountPoint);
        final boolean xfs = "xfs".equals(store.type());
        final XfsGeometry geometry = xfs ? XfsGeometry.read(mountPoint) : null;
        final int blockSize = geometry != null ? geometry.blockSize() : (int)store.getBlockSize();
        final int dataDevice = deviceOf(mountPoint);
        final Source chosen = source != Source.auto ? source :
            xfs && GetFsmap.isSupported(mountPoint) ? Source.fsmap : Source.fiemap;

        final FilesystemIndexBuilder builder = new FilesystemIndexBuilder(blockSize);
        builder.device(dataDevice, geometry != null ? geometry.dataBytes() : store.getTotalSpace());
        builder.dataDevice(dataDevice);
        final FilesystemIndex target = builder.target();
        if (geometry != null)
        {
            target.xfsGeometry(new FsmapVerboseGeometry(DeviceNumber.major(dataDevice), DeviceNumber.minor(dataDevice),
                geometry.agBlocks(), geometry.blockSize(), geometry.agCount(), geometry.stripeUnit(),
                geometry.stripeWidth()));
        }
        final Progress progress = Progress.onTerminal(chosen == Source.fsmap ? "GETFSMAP records" : "FIEMAP extents");
        final long[] skipped = new long[1];
        final WalkStats stats;
        try
        {
            if (chosen == Source.fsmap)
            {
                try (GetFsmap fsmap = new GetFsmap())
                {
                    fsmap.readAll(mountPoint, (major, minor, deviceOffset, length, owner, fileOffset, flags) ->
                    {
                        builder.onRecord(major, minor, deviceOffset, length, owner, fileOffset, flags);
                        progress.add(1);
                    });
                }
                try (FiemapWalker walker = new FiemapWalker(FiemapWalker.DEFAULT_EXTENTS_PER_CALL, false))
                {
                    stats = walker.walk(mountPoint, pathsOnly(target));
                }
            }
            else
            {
                final int major = DeviceNumber.major(dataDevice);
                final int minor = DeviceNumber.minor(dataDevice);
                try (FiemapWalker walker = new FiemapWalker())
                {
                    stats = walker.walk(mountPoint, new FiemapHandler()
                    {
                        @Override
                        public void onInode(final long inode, final String path, final FileKind kind)
                        {
                            target.path(inode, path);
                        }

                        @Override
                        public void onExtent(final long inode, final String path, final long fileOffset,
                            final long physical, final long length, final int flags)
                        {
                            if ((flags & (FiemapWalker.FIEMAP_EXTENT_UNKNOWN | FiemapWalker.FIEMAP_EXTENT_DELALLOC |
                                FiemapWalker.FIEMAP_EXTENT_DATA_INLINE)) != 0)
                            {
                                skipped[0]++;
                                return;
                            }
                            builder.onRecord(major, minor, physical, length, Owner.data(inode), fileOffset,
                                (flags & FiemapWalker.FIEMAP_EXTENT_UNWRITTEN) != 0 ? MappingFlags.UNWRITTEN : 0);
                            progress.add(1);
                        }
                    });
                }
            }
        }
        finally
        {
            progress.done();
        }
        try (FilesystemIndex index = IndexStore.create(builder, output))
        {
            final PrintWriter out = spec.commandLine().getOut();
            out.printf("indexed %s with %s: %d %s, %d files, %d directories, %d inodes with paths into %s%n",
                mountPoint, chosen == Source.fsmap ? "GETFSMAP" : "FIEMAP", progress.count(),
                chosen == Source.fsmap ? "records" : "extents", stats.files(), stats.directories(),
                index.paths().size(), output);
            if (stats.vanished() > 0 || stats.failed() > 0 || skipped[0] > 0)
            {
                out.printf("  %d vanished during the walk, %d failed, %d extents without a device location skipped%n",
                    stats.vanished(), stats.failed(), skipped[0]);
                stats.failures().forEach(failure -> out.println("  " + failure));
            }
            out.flush();
        }
        return Main.EXIT_OK;
    }

    private static FiemapHandler pathsOnly(final FilesystemIndex target)
    {
        return new FiemapHandler()
        {
            @Override
            public void onInode(final long inode, final String path, final FileKind kind)
            {
                target.path(inode, path);
            }

            @Override
            public void onExtent(final long inode, final String path, final long fileOffset, final long physical,
                final long length, final int flags)
            {
            }
        };
    }

    /**
     * The device of a mount point as GETFSMAP numbers it ({@code new_encode_dev}), from glibc's {@code st_dev}.
     */
    static int deviceOf(final Path mountPoint) throws IOException
    {
        final long dev = (Long)Files.getAttribute(mountPoint, "unix:dev", LinkOption.NOFOLLOW_LINKS);
        final int major = (int)(((dev >>> 8) & 0xFFF) | ((dev >>> 32) & ~0xFFFL));
        final int minor = (int)((dev & 0xFF) | ((dev >>> 12) & ~0xFFL));
        return DeviceNumber.encode(major, minor);
    }
}
