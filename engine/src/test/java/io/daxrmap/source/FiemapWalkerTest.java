package io.daxrmap.source;

import io.daxrmap.model.NativePaths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The walk's order and its handling of files that change under it, on whatever filesystem holds the temporary
 * directory (no root needed); its extents are checked on real filesystems by {@link XfsSourceTest} and
 * {@link Ext4FiemapWalkerTest}.
 */
class FiemapWalkerTest
{
    @Test
    void shouldVisitInSortedPathOrderWhenNamesArePrefixesOfEachOther(@TempDir final Path root) throws IOException
    {
        Files.createDirectories(root.resolve("a/b"));
        Files.writeString(root.resolve("a/b/c"), "c");
        Files.writeString(root.resolve("a.b"), "x");
        Files.writeString(root.resolve("a-"), "x");
        Files.writeString(root.resolve("a0"), "x");
        Files.writeString(root.resolve("B"), "x");
        Files.createLink(root.resolve("z"), root.resolve("a.b"));
        Files.createLink(root.resolve("a/b/d"), root.resolve("a0"));
        Files.createSymbolicLink(root.resolve("s"), root.resolve("a0"));

        final Recorder recorder = new Recorder();
        final WalkStats stats;
        try (FiemapWalker walker = new FiemapWalker())
        {
            stats = walker.walk(root, recorder);
        }
        final List<String> paths = recorder.inodes;

        assertEquals(List.of(" DIRECTORY", "B REGULAR", "a DIRECTORY", "a- REGULAR",
            "a.b REGULAR", "a/b DIRECTORY", "a/b/c REGULAR", "a/b/d REGULAR", "s SYMLINK"), paths);
        assertEquals(5, stats.files(), stats.toString());
        assertEquals(2, stats.hardLinks(), stats.toString());
        assertEquals(3, stats.directories(), stats.toString());
        assertEquals(1, stats.symlinks(), stats.toString());
        assertEquals(0, stats.vanished() + stats.failed(), stats.toString());
    }

    @Test
    void shouldCountFilesThatVanishOrAreReplacedWhenTheTreeChangesDuringTheWalk(@TempDir final Path root)
        throws IOException
    {
        for (final String name : List.of("a", "b", "c", "d", "e"))
        {
            Files.writeString(root.resolve(name), name.repeat(5000));
        }
        Files.createDirectory(root.resolve("f"));
        Files.writeString(root.resolve("f/g"), "g");

        final List<String> mapped = new ArrayList<>();
        final WalkStats stats;
        try (FiemapWalker walker = new FiemapWalker())
        {
            stats = walker.walk(root, new FiemapHandler()
            {
                @Override
                public void onInode(final long inode, final String path, final FileKind kind) throws IOException
                {
                    mapped.add(path);
                    if ("b".equals(path))
                    {
                        Files.delete(root.resolve("c"));
                        Files.delete(root.resolve("d"));
                        Files.writeString(root.resolve("d"), "new d");
                        Files.delete(root.resolve("f/g"));
                        Files.delete(root.resolve("f"));
                    }
                }

                @Override
                public void onExtent(
                    final long inode,
                    final String path,
                    final long fileOffset,
                    final long physical,
                    final long length,
                    final int flags)
                {
                }
            });
        }

        assertEquals(List.of("", "a", "b", "c", "d", "e", "f"), mapped);
        assertEquals(3, stats.vanished(), stats.toString());
        assertEquals(0, stats.failed(), stats.toString());
        assertEquals(3, stats.failures().size(), stats.toString());
        assertTrue(stats.failures().get(0).startsWith("cannot open: path=c errno=2 (No such file or directory)"),
            stats::toString);
        assertTrue(stats.failures().get(1).startsWith("replaced while walking: path=d listedInode="), stats::toString);
        assertTrue(stats.failures().get(2).startsWith("cannot open: path=f errno=2"), stats::toString);
    }

    @Test
    void shouldTakeAFileOrDirectoryMovedDuringTheWalkOnceUnderItsFirstPath(@TempDir final Path root)
        throws IOException
    {
        // a/inner and a/sub are met, then moved into b as b is met, before it is listed: met again there, they are
        // taken once
        Files.createDirectories(root.resolve("a/sub"));
        Files.writeString(root.resolve("a/inner"), "i".repeat(5000));
        Files.writeString(root.resolve("a/sub/deep"), "d".repeat(5000));
        Files.createDirectory(root.resolve("b"));
        final List<String> inodes = new ArrayList<>();
        final List<String> extents = new ArrayList<>();
        final WalkStats stats = walkChanging(root, inodes, extents, "b", () ->
        {
            Files.move(root.resolve("a/inner"), root.resolve("b/inner"));
            Files.move(root.resolve("a/sub"), root.resolve("b/sub"));
        });
        assertEquals(List.of("", "a", "a/inner", "a/sub", "a/sub/deep", "b"), inodes, "b/inner and b/sub not again");
        assertEquals(2, stats.vanished(), stats.toString());
        assertEquals(List.of("moved while walking, mapped under its first path: path=b/inner",
            "moved while walking, entered under its first path: path=b/sub"), stats.failures());
        assertEquals(2, stats.files(), stats.toString());
        if (!extents.isEmpty())
        {
            // where the filesystem maps files (not tmpfs): each extent once
            assertEquals(extents.stream().distinct().toList(), extents);
        }
    }

    @Test
    void shouldNotListADirectorySwappedForASymbolicLinkThroughTheLink(@TempDir final Path root) throws IOException
    {
        // p is met and mapped, then (as p-x, which sorts between p and p's entries, is met) swapped for a link to t
        // before it is listed: t's files are not p's
        Files.createDirectories(root.resolve("p"));
        Files.writeString(root.resolve("p-x"), "x");
        Files.writeString(root.resolve("p/mine"), "m".repeat(5000));
        Files.createDirectories(root.resolve("t"));
        Files.writeString(root.resolve("t/theirs"), "t".repeat(5000));
        final List<String> inodes = new ArrayList<>();
        final WalkStats stats = walkChanging(root, inodes, new ArrayList<>(), "p-x", () ->
        {
            Files.move(root.resolve("p"), root.resolve("p_old"));
            Files.createSymbolicLink(root.resolve("p"), root.resolve("t"));
        });
        assertEquals(List.of("", "p", "p-x", "t", "t/theirs"), inodes, "no p/theirs");
        assertEquals(1, stats.vanished(), stats.toString());
        assertTrue(stats.failures().get(0).startsWith("replaced while walking: path=p "), stats::toString);
    }

    @Test
    void shouldCountTheFilesAFilesystemDoesNotMap(@TempDir final Path temp) throws Exception
    {
        // tmpfs has no FIEMAP: every file's data is unsupported, and the index says so (IndexCommand)
        LoopFilesystem.requireEnvironment("mount", "umount");
        final Path root = Files.createDirectory(temp.resolve("tmpfs"));
        LoopFilesystem.runCommand("mount", "-t", "tmpfs", "-o", "size=1m", "daxrmap-test", root.toString());
        try
        {
            Files.writeString(root.resolve("a"), "a");
            Files.createDirectory(root.resolve("d"));
            Files.writeString(root.resolve("d/b"), "b");
            final WalkStats stats;
            try (FiemapWalker walker = new FiemapWalker())
            {
                stats = walker.walk(root, (inode, path, fileOffset, physical, length, flags) -> { });
            }
            assertEquals(2, stats.files(), stats.toString());
            assertEquals(2, stats.unsupportedFiles(), stats.toString());
            assertEquals(0, stats.extents(), stats.toString());
        }
        finally
        {
            LoopFilesystem.unmount(root);
        }
    }

    @Test
    void shouldMapFilesAndEnterDirectoriesWhoseNamesAreNotUtf8(@TempDir final Path root) throws Exception
    {
        // names of bytes that are not UTF-8, as any user may make them: Java cannot, so the shell does
        final Process shell = new ProcessBuilder("sh", "-c", "printf data > \"$(printf 'bad\\377\\376name')\" && " +
            "mkdir \"$(printf 'dir\\376')\" && printf more > \"$(printf 'dir\\376')/f1\"").directory(root.toFile())
            .inheritIO().start();
        assertEquals(0, shell.waitFor());
        final Recorder recorder = new Recorder();
        final WalkStats stats;
        try (FiemapWalker walker = new FiemapWalker())
        {
            stats = walker.walk(root, recorder);
        }
        final List<String> inodes = recorder.inodes;
        final List<String> extents = recorder.extents;
        assertEquals(0, stats.vanished() + stats.failed(), stats.toString());
        // the bytes that are not UTF-8 are named by surrogate escapes (U+DC00 + the byte), not U+FFFD as Java decodes
        // them: the name keeps them, and names the file again (NativePaths.resolve)
        assertEquals(List.of(" DIRECTORY", "bad\udcff\udcfename REGULAR", "dir\udcfe DIRECTORY",
            "dir\udcfe/f1 REGULAR"), inodes);
        assertTrue(extents.contains("bad\udcff\udcfename") && extents.contains("dir\udcfe/f1"), extents::toString);
        assertEquals("data", Files.readString(NativePaths.resolve(root, "bad\udcff\udcfename")));
        assertEquals("more", Files.readString(NativePaths.resolve(root, "dir\udcfe/f1")));
    }

    @Test
    void shouldFailWhenTheRootIsNotADirectory(@TempDir final Path root) throws IOException
    {
        final Path file = Files.writeString(root.resolve("file"), "x");
        try (FiemapWalker walker = new FiemapWalker())
        {
            assertThrows(NotDirectoryException.class, () -> walker.walk(file, (a, b, c, d, e, f) -> { }));
            assertThrows(IOException.class, () -> walker.walk(root.resolve("missing"), (a, b, c, d, e, f) -> { }));
        }
    }

    @Test
    void shouldNamePathAndErrnoWhenMappingOneMissingFile(@TempDir final Path root)
    {
        final Path missing = root.resolve("missing");
        try (FiemapWalker walker = new FiemapWalker())
        {
            final LiveSourceException ex = assertThrows(LiveSourceException.class,
                () -> walker.mapFile(missing, (a, b, c, d, e, f) -> { }));
            assertEquals("cannot open: path=" + missing + " errno=2 (No such file or directory)", ex.getMessage());
        }
    }

    /** Every inode met, as {@code PATH KIND}, and the path of every extent. */
    private static final class Recorder implements FiemapHandler
    {
        final List<String> inodes = new ArrayList<>();
        final List<String> extents = new ArrayList<>();

        @Override
        public void onInode(final long inode, final String path, final FileKind kind)
        {
            inodes.add(path + " " + kind);
        }

        @Override
        public void onExtent(
            final long inode, final String path, final long fileOffset, final long physical, final long length,
            final int flags)
        {
            extents.add(path);
        }
    }

    /** A change to the tree, made by the walk's handler. */
    @FunctionalInterface
    private interface Change
    {
        void make() throws IOException;
    }

    /**
     * Walk a tree, recording the paths of the inodes and extents met, and change it as the inode at {@code at} is met.
     */
    private static WalkStats walkChanging(final Path root, final List<String> inodes, final List<String> extents,
        final String at, final Change change) throws IOException
    {
        try (FiemapWalker walker = new FiemapWalker())
        {
            return walker.walk(root, new FiemapHandler()
            {
                @Override
                public void onInode(final long inode, final String path, final FileKind kind) throws IOException
                {
                    inodes.add(path);
                    if (at.equals(path))
                    {
                        change.make();
                    }
                }

                @Override
                public void onExtent(final long inode, final String path, final long fileOffset, final long physical,
                    final long length, final int flags)
                {
                    extents.add(path);
                }
            });
        }
    }
}
