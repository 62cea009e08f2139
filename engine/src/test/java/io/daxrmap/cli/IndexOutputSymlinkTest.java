package io.daxrmap.cli;

import io.daxrmap.source.LoopFilesystem;
import io.daxrmap.store.FilesystemIndexBuilder;
import io.daxrmap.store.IndexStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An {@code -o} that is a symbolic link to an index directory: the index the link names is replaced and the link
 * kept, as a user who points {@code -o} at a link expects (not the link replaced by a directory, the old index left
 * where it pointed). A link to nothing is refused, by the command before it reads anything and by
 * {@link IndexStore#create} itself, and stays as it was.
 */
class IndexOutputSymlinkTest
{
    private static final String HEADER = "EXT,MAJOR,MINOR,PSTART,PEND,OWNER,OSTART,OEND,LENGTH\n";

    @TempDir
    Path temp;

    private Path dump(final String name, final long inode) throws IOException
    {
        return Files.writeString(temp.resolve(name), HEADER + "0,7,0,0,7,inode_" + inode + "_data,0,7,8\n");
    }

    private static CliRun importTo(final Path dump, final Path output)
    {
        return CliRun.run("import", dump.toString(), "-o", output.toString());
    }

    private static List<String> list(final Path directory) throws IOException
    {
        try (Stream<Path> entries = Files.list(directory))
        {
            return entries.map(path -> path.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void shouldReplaceTheIndexALinkNamesAndKeepTheLinkWhenOutputIsASymlink() throws IOException
    {
        final Path indexes = Files.createDirectories(temp.resolve("indexes"));
        final Path real = indexes.resolve("real");
        assertEquals(0, importTo(dump("old.csv", 131), real).status());
        final Path links = Files.createDirectories(temp.resolve("links"));
        // a relative link, and a link to that link: both name the index
        final Path link = Files.createSymbolicLink(links.resolve("current"), Path.of("../indexes/real"));
        final Path chained = Files.createSymbolicLink(links.resolve("chained"), Path.of("current"));

        for (final Path output : List.of(link, chained))
        {
            final long inode = output == link ? 132 : 133;
            final CliRun imported = importTo(dump("new-" + inode + ".csv", inode), output);
            assertEquals(0, imported.status(), imported.err());

            assertTrue(Files.isSymbolicLink(link), "the link was replaced");
            assertTrue(Files.isSymbolicLink(chained), "the link was replaced");
            assertEquals(Path.of("../indexes/real"), Files.readSymbolicLink(link));
            assertEquals(Path.of("current"), Files.readSymbolicLink(chained));
            final String expected = HEADER + "0,7,0,0,7,inode_" + inode + "_data,0,7,8\n";
            assertEquals(expected, CliRun.run("dump", real.toString()).out(), "the index the link names");
            assertEquals(expected, CliRun.run("dump", output.toString()).out());
            // nothing left behind beside the link nor beside the index: no new directory, no old index
            assertEquals(List.of("chained", "current"), list(links));
            assertEquals(List.of("real"), list(indexes));
        }
    }

    @Test
    void shouldRefuseADirectoryALinkNamesThatHoldsSomethingElseThanAnIndex() throws IOException
    {
        final Path photos = Files.createDirectories(temp.resolve("photos"));
        Files.writeString(photos.resolve("keep.jpg"), "x");
        final Path link = Files.createSymbolicLink(temp.resolve("link"), photos);
        final CliRun imported = importTo(dump("one.csv", 131), link);
        assertEquals(2, imported.status(), imported.err());
        assertEquals("daxrmap import: " + link + ": exists and is not an index; not replacing it\n", imported.err());
        assertEquals(List.of("keep.jpg"), list(photos));
        assertTrue(Files.isSymbolicLink(link));
    }

    @Test
    void shouldRefuseADanglingSymlinkAndLeaveItDangling() throws IOException
    {
        final Path nowhere = temp.resolve("nowhere");
        final Path link = Files.createSymbolicLink(temp.resolve("dangling"), nowhere);
        final CliRun imported = importTo(dump("one.csv", 131), link);
        assertEquals(2, imported.status(), imported.err());
        assertEquals("daxrmap import: " + link + ": not a directory\n", imported.err());

        // the library refuses it too, should -o have changed after the command checked it
        final IOException refused = assertThrows(IOException.class,
            () -> IndexStore.create(new FilesystemIndexBuilder(4096), link));
        assertEquals(link + ": not a directory", refused.getMessage());
        assertTrue(Files.isSymbolicLink(link), "the link was replaced");
        assertEquals(nowhere, Files.readSymbolicLink(link));
        assertFalse(Files.exists(nowhere));
        assertEquals(List.of("dangling", "one.csv"), list(temp));
    }

    @Test
    void shouldRefuseALinkToAMountPointAsAMountPoint() throws Exception
    {
        LoopFilesystem.requireEnvironment("mount", "umount");
        final Path mounted = Files.createDirectories(temp.resolve("mounted"));
        final Path link = Files.createSymbolicLink(temp.resolve("link"), mounted);
        run("mount", "-t", "tmpfs", "-o", "size=1m", "daxrmap-test", mounted.toString());
        try
        {
            final CliRun imported = importTo(dump("one.csv", 131), link);
            assertEquals(2, imported.status(), imported.err());
            assertEquals("daxrmap import: " + link + ": a mount point; the index takes its place by a rename, which " +
                "cannot replace a mount point: name a directory in it\n", imported.err());
            assertEquals(List.of(), list(mounted));
        }
        finally
        {
            run("umount", mounted.toString());
        }
        assertTrue(Files.isSymbolicLink(link));
    }

    private static void run(final String... command) throws Exception
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), String.join(" ", command));
        assertEquals(0, process.exitValue(), new String(process.getInputStream().readAllBytes()));
    }
}
