package io.daxrmap.cli;

import io.daxrmap.source.FiemapHandler;
import io.daxrmap.source.FiemapWalker;
import io.daxrmap.source.FileKind;
import io.daxrmap.source.LoopFilesystem;
import io.daxrmap.source.WalkStats;
import io.daxrmap.source.Workloads;
import io.daxrmap.store.FilesystemIndex;
import io.daxrmap.store.IndexStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The catalog pass of {@code daxrmap index} with GETFSMAP names inodes without mapping them (GETFSMAP gave the
 * extents): no FIEMAP extent is read, and the catalog is the one a full FIEMAP walk would name. Only where GETFSMAP
 * named no file does the pass map the files, to tell an empty filesystem from a kernel that names none.
 */
class PathsOnlyCatalogTest
{
    private static final int FILES = 30;

    @TempDir
    Path temp;

    private Path tree() throws IOException
    {
        final Path root = Files.createDirectories(temp.resolve("tree"));
        for (int i = 0; i < FILES; i++)
        {
            Files.writeString(Files.createDirectories(root.resolve("d" + i % 3)).resolve("f" + i), "x".repeat(8192));
        }
        return root;
    }

    @Test
    void shouldReadNoExtentWhenNamingPathsAfterGetfsmap() throws IOException
    {
        final Path root = tree();
        final FilesystemIndex catalog = new FilesystemIndex();
        final WalkStats stats = IndexCommand.namePaths(root, Set.of(), catalog, Progress.onTerminal("test"));
        assertEquals(FILES, stats.files(), stats.toString());
        assertEquals(1 + 3 + FILES, catalog.paths().size());
        assertEquals(0, stats.extents(), "the files were mapped: " + stats);
        assertEquals(0, stats.bytes(), "the files were mapped: " + stats);
    }

    @Test
    void shouldMeasureWhatFilesHoldWhenGetfsmapNamedNoFile() throws IOException
    {
        final Path root = tree();
        final FilesystemIndex catalog = new FilesystemIndex();
        final WalkStats stats = IndexCommand.namePaths(root, Set.of(), catalog, true, Progress.onTerminal("test"));
        assertEquals(1 + 3 + FILES, catalog.paths().size());
        assertTrue(stats.bytes() >= FILES * 8192L, stats.toString());
    }

    @Test
    void shouldCatalogWhatAFullWalkNamesWhenIndexingAnXfsWithGetfsmap() throws IOException
    {
        LoopFilesystem.requireEnvironment("mkfs.xfs", "xfs_io", "xfs_spaceman", "setfattr", "mount", "umount");
        try (LoopFilesystem xfs = LoopFilesystem.xfs(64L << 20))
        {
            xfs.run(Workloads.XFS);
            xfs.mountTmpfs("tree/mounted");
            xfs.run("echo hidden > tree/mounted/hidden");
            xfs.settle();
            final Path index = temp.resolve("index");
            final CliRun indexed = CliRun.run("index", xfs.mountPoint().toString(), "-o", index.toString(),
                "--source", "fsmap");
            assertEquals(0, indexed.status(), indexed.err());

            final Map<Long, String> walked = new HashMap<>();
            final WalkStats stats;
            try (FiemapWalker walker = new FiemapWalker())
            {
                stats = walker.walk(xfs.mountPoint(), new FiemapHandler()
                {
                    @Override
                    public void onInode(final long inode, final String path, final FileKind kind)
                    {
                        walked.put(inode, path);
                    }

                    @Override
                    public void onExtent(final long inode, final String path, final long fileOffset,
                        final long physical, final long length, final int flags)
                    {
                    }
                }, Set.of());
            }
            try (FilesystemIndex loaded = IndexStore.load(index))
            {
                assertEquals(walked, loaded.paths());
            }
            assertTrue(indexed.out().contains(stats.files() + " files, " + stats.directories() + " directories, " +
                walked.size() + " inodes with paths"), indexed.out());
            assertEquals(xfs.run("xfs_io -c 'fsmap -m' \"$MNT\""), CliRun.run("dump", index.toString()).out());
        }
    }
}
