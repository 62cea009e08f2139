package io.daxrmap.cli;

import io.daxrmap.source.LoopFilesystem;
import io.daxrmap.store.FilesystemIndexBuilder;
import io.daxrmap.store.IndexStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code daxrmap index -o INDEX} (and {@code import}) refuse an {@code -o} the index could not be put in before they
 * read anything, naming the path as the user gave it. The MOUNTPOINT here is a directory that is no mount root: had
 * the command looked at it first, it would have refused that instead.
 */
class IndexOutputTest
{
    @TempDir
    Path temp;

    /** A path relative to the working directory, as a user would type it: errors must name it so, not absolute. */
    private Path relative(final Path path)
    {
        return Path.of("").toAbsolutePath().relativize(path);
    }

    private CliRun index(final Path output)
    {
        return CliRun.run("index", temp.toString(), "-o", output.toString());
    }

    private void assertRefused(final Path output, final String message)
    {
        final CliRun result = index(output);
        assertEquals(2, result.status(), result.err());
        assertEquals("daxrmap index: " + output + ": " + message + "\n", result.err());
        final CliRun imported = CliRun.run("import", temp.resolve("no-such-dump.csv").toString(), "-o",
            output.toString());
        assertEquals(2, imported.status(), imported.err());
        assertEquals("daxrmap import: " + output + ": " + message + "\n", imported.err(),
            "import checks -o before it reads the dumps");
    }

    @Test
    void shouldRefuseAnOutputThatIsAFileBeforeLookingAtTheMountPoint() throws IOException
    {
        final Path file = Files.writeString(temp.resolve("a-file"), "x");
        assertRefused(relative(file), "not a directory");
        assertEquals("x", Files.readString(file));
    }

    @Test
    void shouldRefuseADanglingSymlinkAsOutput() throws IOException
    {
        final Path link = Files.createSymbolicLink(temp.resolve("dangling"), temp.resolve("nowhere"));
        assertRefused(relative(link), "not a directory");
        assertFalse(Files.exists(temp.resolve("nowhere")));
    }

    @Test
    void shouldRefuseADirectoryThatHoldsSomethingElseThanAnIndex() throws IOException
    {
        final Path directory = Files.createDirectories(temp.resolve("photos"));
        Files.writeString(directory.resolve("keep.jpg"), "x");
        assertRefused(relative(directory), "exists and is not an index; not replacing it");
        assertEquals(List.of(directory.resolve("keep.jpg")), list(directory));
    }

    @Test
    void shouldRefuseADirectoryThatHoldsAFileNamedAsTheIndexFileButIsNoIndex() throws IOException
    {
        // a name is not an index: the replacement would have deleted the thesis and the photos
        final Path directory = Files.createDirectories(temp.resolve("docs"));
        Files.createDirectories(directory.resolve("photos"));
        Files.writeString(directory.resolve("thesis.txt"), "x");
        Files.writeString(directory.resolve("filesystem.daxrmap"), "");
        assertRefused(relative(directory), "exists and is not an index; not replacing it");
        assertEquals(List.of(directory.resolve("filesystem.daxrmap"), directory.resolve("photos"),
            directory.resolve("thesis.txt")), list(directory).stream().sorted().toList());
        // and the library's own check, which the command's runs before
        assertEquals(directory + ": exists and is not an index; not replacing it", assertThrows(IOException.class,
            () -> IndexStore.create(new FilesystemIndexBuilder(4096), directory)).getMessage());
        assertTrue(Files.exists(directory.resolve("thesis.txt")));
    }

    @Test
    void shouldRefuseAnOutputBelowAFileNamingWhatIsNoDirectory() throws IOException
    {
        final Path file = Files.writeString(temp.resolve("plain"), "x");
        final Path output = relative(file.resolve("sub/index"));
        assertRefused(output, "cannot be made: " + file + " is not a directory");
    }

    @Test
    void shouldRefuseAnOutputInADirectoryItMayNotWriteIn() throws Exception
    {
        final Path locked = Files.createDirectories(temp.resolve("locked"));
        final boolean root = "root".equals(System.getProperty("user.name"));
        // root may write in any directory its mode forbids, not in an immutable one
        lock(locked, root, true);
        try
        {
            assertRefused(relative(locked.resolve("index")), "cannot be made: no permission to write in " + locked);
            assertRefused(relative(locked.resolve("missing/index")),
                "cannot be made: no permission to write in " + locked);
            assertEquals(List.of(), list(locked));
        }
        finally
        {
            lock(locked, root, false);
        }
    }

    @Test
    void shouldAcceptAnOutputThatIsMissingEmptyOrAnIndexAndGoOnToTheMountPoint() throws IOException
    {
        final Path header = temp.resolve("one.csv");
        Files.writeString(header, "EXT,MAJOR,MINOR,PSTART,PEND,OWNER,OSTART,OEND,LENGTH\n0,7,0,0,7,inode_131_data,0,7,8\n");
        final Path existing = temp.resolve("existing-index");
        assertEquals(0, CliRun.run("import", header.toString(), "-o", existing.toString()).status());
        final Path empty = Files.createDirectories(temp.resolve("empty"));
        for (final Path output : List.of(temp.resolve("new"), temp.resolve("new-parent/new"), empty, existing))
        {
            final CliRun result = index(output);
            assertEquals(2, result.status());
            assertTrue(result.err().startsWith("daxrmap index: " + temp), result.err());
            assertFalse(result.err().contains(output.toString()), "-o " + output + " passed: " + result.err());
        }
        assertFalse(Files.exists(temp.resolve("new-parent")), "nothing made before the walk");
    }

    @Test
    void shouldNameTheOutputAsGivenWhenTheIndexCannotBeWrittenAtTheEnd() throws Exception
    {
        final Path parent = Files.createDirectories(temp.resolve("late"));
        final Path output = relative(parent.resolve("index"));
        final boolean root = "root".equals(System.getProperty("user.name"));
        lock(parent, root, true);
        try
        {
            // as if the directory were locked during the walk, after -o was checked
            final IOException refused = assertThrows(IOException.class,
                () -> IndexCommand.createIndex(new FilesystemIndexBuilder(4096), output));
            // EACCES by the mode, EPERM for root by the immutable attribute
            assertEquals(output + ": cannot write the index: " + (root ? "Operation not permitted" : "Permission denied"),
                refused.getMessage());
        }
        finally
        {
            lock(parent, root, false);
        }
        assertEquals(List.of(), list(parent));
    }

    private static List<Path> list(final Path directory) throws IOException
    {
        try (Stream<Path> entries = Files.list(directory))
        {
            return entries.toList();
        }
    }

    /**
     * Take write permission on a directory away (or give it back): by its mode, or for root, who is above modes, by
     * the immutable attribute.
     */
    private static void lock(final Path directory, final boolean root, final boolean locked) throws Exception
    {
        if (root)
        {
            run("chattr", locked ? "+i" : "-i", directory.toString());
        }
        else
        {
            Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString(
                locked ? "r-xr-xr-x" : "rwxr-xr-x"));
        }
    }

    @Test
    void shouldRefuseAMountPointAndAReadOnlyFilesystemAsOutput() throws Exception
    {
        LoopFilesystem.requireEnvironment("mount", "umount");
        final Path mounted = Files.createDirectories(temp.resolve("mounted"));
        final Path readOnly = Files.createDirectories(temp.resolve("read-only"));
        mount(mounted, "size=1m");
        try
        {
            mount(readOnly, "size=1m,ro");
            try
            {
                // empty, so no index is in the way: the rename that puts the new one there cannot replace a mount
                assertRefused(relative(mounted), "a mount point; the index takes its place by a rename, which " +
                    "cannot replace a mount point: name a directory in it");
                assertRefused(relative(readOnly.resolve("index")), "cannot be made: " + readOnly +
                    " is on a read-only filesystem");
            }
            finally
            {
                run("umount", readOnly.toString());
            }
        }
        finally
        {
            run("umount", mounted.toString());
        }
    }

    private static void mount(final Path directory, final String options) throws Exception
    {
        run("mount", "-t", "tmpfs", "-o", options, "daxrmap-test", directory.toString());
    }

    private static void run(final String... command) throws Exception
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), String.join(" ", command));
        assertEquals(0, process.exitValue(), new String(process.getInputStream().readAllBytes()));
    }
}
