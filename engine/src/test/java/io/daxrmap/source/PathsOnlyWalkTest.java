package io.daxrmap.source;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A {@linkplain FiemapWalker#pathsOnly() paths-only} walk names the same inodes under the same paths as a full walk,
 * with the same counts, but opens no regular file and calls FIEMAP on nothing: only the directories it lists are
 * opened, each once. On whatever filesystem holds the temporary directory (no root needed).
 */
class PathsOnlyWalkTest
{
    private static final int DIRECTORIES = 3;
    private static final int FILES_PER_DIRECTORY = 20;

    @TempDir
    Path root;

    private void tree() throws IOException
    {
        for (int d = 0; d < DIRECTORIES; d++)
        {
            final Path dir = Files.createDirectories(root.resolve("d" + d));
            for (int f = 0; f < FILES_PER_DIRECTORY; f++)
            {
                Files.writeString(dir.resolve("f" + f), "x".repeat(5000 * (f + 1)));
            }
        }
        Files.createLink(root.resolve("link-to-d0-f0"), root.resolve("d0/f0"));
        Files.createSymbolicLink(root.resolve("symlink"), root.resolve("d1/f1"));
        // skipped as a mount point would be: neither it nor what it holds is named or opened
        Files.writeString(Files.createDirectories(root.resolve("skipped")).resolve("inside"), "x");
    }

    private static FiemapHandler recorder(final List<String> inodes, final List<String> extents)
    {
        return new FiemapHandler()
        {
            @Override
            public void onInode(final long inode, final String path, final FileKind kind)
            {
                inodes.add(inode + " " + path + " " + kind);
            }

            @Override
            public void onExtent(final long inode, final String path, final long fileOffset, final long physical,
                final long length, final int flags)
            {
                extents.add(path);
            }
        };
    }

    @Test
    void shouldNameEveryInodeAsAFullWalkDoesWithoutOpeningOrMappingAnyFileWhenPathsOnly() throws IOException
    {
        tree();
        final List<String> fullInodes = new ArrayList<>();
        final List<String> fullExtents = new ArrayList<>();
        final WalkStats full;
        final long fullOpens;
        final long fullFiemaps;
        try (FiemapWalker walker = new FiemapWalker())
        {
            assertFalse(walker.isPathsOnly());
            full = walker.walk(root, recorder(fullInodes, fullExtents), Set.of("skipped"));
            fullOpens = walker.opens();
            fullFiemaps = walker.fiemapCalls();
        }

        final List<String> inodes = new ArrayList<>();
        final List<String> extents = new ArrayList<>();
        final WalkStats pathsOnly;
        try (FiemapWalker walker = FiemapWalker.pathsOnly())
        {
            assertTrue(walker.isPathsOnly());
            pathsOnly = walker.walk(root, recorder(inodes, extents), Set.of("skipped"));
            // the root and the directories below it, each opened once to check it is the one listed
            assertEquals(1 + DIRECTORIES, walker.opens(), pathsOnly.toString());
            assertEquals(0, walker.fiemapCalls(), pathsOnly.toString());
        }

        final int files = DIRECTORIES * FILES_PER_DIRECTORY;
        assertEquals(fullInodes, inodes);
        assertEquals(List.of(), extents);
        assertEquals(1 + DIRECTORIES + files + 1, inodes.size(), inodes.toString());
        assertTrue(inodes.stream().noneMatch(inode -> inode.contains("skipped") || inode.contains("inside")), inodes::toString);
        assertEquals(new WalkStats(full.files(), full.directories(), full.symlinks(), full.others(), full.hardLinks(),
            full.mountPoints(), 0, 0, 0, 0, full.vanished(), full.failed(), full.failures()), pathsOnly);
        assertEquals(files, pathsOnly.files());
        assertEquals(1, pathsOnly.hardLinks());
        assertEquals(1, pathsOnly.mountPoints());
        assertEquals(1, pathsOnly.symlinks());

        // what the full walk costs, for contrast: every file and directory opened, every file mapped
        assertEquals(1 + DIRECTORIES + files, fullOpens, full.toString());
        assertTrue(fullFiemaps >= files, () -> "fiemapCalls=" + fullFiemaps + " " + full);
        assertFalse(fullExtents.isEmpty(), full.toString());
    }

    @Test
    void shouldNotEnterADirectoryThatIsReplacedByAFileWhenPathsOnly() throws IOException
    {
        Files.writeString(Files.createDirectories(root.resolve("a")).resolve("inside"), "x");
        Files.writeString(root.resolve("b"), "b");
        final List<String> inodes = new ArrayList<>();
        final WalkStats stats;
        try (FiemapWalker walker = FiemapWalker.pathsOnly())
        {
            stats = walker.walk(root, new FiemapHandler()
            {
                @Override
                public void onInode(final long inode, final String path, final FileKind kind) throws IOException
                {
                    inodes.add(path);
                    if ("a".equals(path))
                    {
                        // after the root is listed, before "a" is checked and entered
                        Files.delete(root.resolve("a/inside"));
                        Files.delete(root.resolve("a"));
                        Files.writeString(root.resolve("a"), "now a file");
                    }
                }

                @Override
                public void onExtent(final long inode, final String path, final long fileOffset,
                    final long physical, final long length, final int flags)
                {
                }
            });
        }
        assertEquals(List.of("", "a", "b"), inodes);
        assertEquals(1, stats.vanished(), stats.toString());
    }

    @Test
    void shouldRefuseToMapAFileWhenPathsOnly() throws IOException
    {
        final Path file = Files.writeString(root.resolve("f"), "x");
        try (FiemapWalker walker = FiemapWalker.pathsOnly())
        {
            assertThrows(IllegalStateException.class, () -> walker.mapFile(file, (i, p, o, ph, l, f) -> { }));
            assertEquals(0, walker.opens());
        }
    }
}
