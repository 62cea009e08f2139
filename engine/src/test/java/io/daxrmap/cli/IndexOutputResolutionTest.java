package io.daxrmap.cli;

import io.daxrmap.index.ChildJvm;
import io.daxrmap.source.LoopFilesystem;
import io.daxrmap.store.FilesystemIndexBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Where {@code -o} names, as the kernel resolves it, is where the index goes, is checked and is reopened: a symlink
 * followed by {@code ..} leads to the parent of the link's target, not to the directory that holds the link; a
 * working directory the new index would take the place of (and delete) is refused before any work; a dangling symlink
 * among the directories to make is refused up front, not found at the end; a bind mount, a mount point on the very
 * filesystem of its parent, is refused as one, while a btrfs subvolume, its own {@code st_dev} but no mount, is not.
 */
class IndexOutputResolutionTest
{
    private static final String HEADER = "EXT,MAJOR,MINOR,PSTART,PEND,OWNER,OSTART,OEND,LENGTH\n";
    private static final String MOUNT_POINT = "a mount point; the index takes its place by a rename, which cannot " +
        "replace a mount point: name a directory in it";

    @TempDir
    Path temp;

    private Path dump(final String name, final long inode) throws IOException
    {
        return Files.writeString(temp.resolve(name), HEADER + "0,7,0,0,7,inode_" + inode + "_data,0,7,8\n");
    }

    private static String expected(final long inode)
    {
        return HEADER + "0,7,0,0,7,inode_" + inode + "_data,0,7,8\n";
    }

    private static List<String> list(final Path directory) throws IOException
    {
        try (Stream<Path> entries = Files.list(directory))
        {
            return entries.map(path -> path.getFileName().toString()).sorted().toList();
        }
    }

    /** {@code index} and {@code import} both refuse {@code output} with {@code message}, before reading anything. */
    private void assertRefused(final Path output, final String message)
    {
        final CliRun indexed = CliRun.run("index", temp.toString(), "-o", output.toString());
        assertEquals(2, indexed.status(), indexed.err());
        assertEquals("daxrmap index: " + output + ": " + message + "\n", indexed.err());
        final CliRun imported = CliRun.run("import", temp.resolve("no-such-dump.csv").toString(), "-o",
            output.toString());
        assertEquals(2, imported.status(), imported.err());
        assertEquals("daxrmap import: " + output + ": " + message + "\n", imported.err());
    }

    @Test
    void shouldPutTheIndexWhereTheKernelResolvesDotDotAfterASymlink() throws IOException
    {
        final Path sub = Files.createDirectories(temp.resolve("elsewhere/sub"));
        final Path link = Files.createSymbolicLink(temp.resolve("link"), Path.of("elsewhere/sub"));
        final Path output = temp.resolve("link/../idx"); // as typed: not normalized
        assertEquals(temp + "/link/../idx", output.toString());

        for (final long inode : new long[] {131, 132})
        {
            // the first run makes the index, the second replaces it
            final CliRun imported = CliRun.run("import", dump("d" + inode + ".csv", inode).toString(), "-o",
                output.toString());
            assertEquals(0, imported.status(), imported.err());
            assertEquals("", imported.err());
            assertEquals(expected(inode), CliRun.run("dump", output.toString()).out());
            assertEquals(expected(inode), CliRun.run("dump", sub.resolveSibling("idx").toString()).out(),
                "the index is where the kernel resolves link/../idx");
            assertFalse(Files.exists(temp.resolve("idx")), "not where the path, normalized as text, points");
            assertEquals(List.of("idx", "sub"), list(temp.resolve("elsewhere")), "nothing left beside it");
        }
        assertTrue(Files.isSymbolicLink(link));
    }

    @Test
    void shouldRefuseTheWorkingDirectoryOrADirectoryThatHoldsItBeforeAnyWork() throws Exception
    {
        final Path dump = dump("one.csv", 131);
        final Path empty = Files.createDirectories(temp.resolve("e2"));
        final String working = "the working directory is in it; the index takes its place by a rename, which " +
            "would leave the working directory deleted: name it from outside";
        for (final String output : List.of(".", "./", "../e2"))
        {
            final Child child = runIn(empty, "import", dump.toString(), "-o", output);
            assertEquals(2, child.status, child.err);
            // picocli's Path.of drops the trailing slash
            assertEquals("daxrmap import: " + Path.of(output) + ": " + working + "\n", child.err);
            assertEquals(List.of(), list(empty), "nothing written");
            assertTrue(Files.isDirectory(empty));
        }
        final Child indexed = runIn(empty, "index", temp.toString(), "-o", ".");
        assertEquals(2, indexed.status, indexed.err);
        assertEquals("daxrmap index: .: " + working + "\n", indexed.err, "checked before the mount point");

        // an index there, made from outside, is kept when -o names it from within it or from below
        assertEquals(0, CliRun.run("import", dump.toString(), "-o", empty.toString()).status());
        final Object key = Files.readAttributes(empty, "unix:ino").get("ino");
        final Path device = empty.resolve("device-7-0");
        for (final Child child : List.of(runIn(empty, "import", dump("two.csv", 132).toString(), "-o", "."),
            runIn(device, "import", temp.resolve("two.csv").toString(), "-o", "..")))
        {
            assertEquals(2, child.status, child.err);
            assertTrue(child.err.endsWith(": " + working + "\n"), child.err);
        }
        assertEquals(key, Files.readAttributes(empty, "unix:ino").get("ino"), "not replaced");
        assertEquals(expected(131), CliRun.run("dump", empty.toString()).out());
        assertEquals(List.of("e2", "one.csv", "two.csv"), list(temp), "nothing made beside it");
    }

    @Test
    void shouldRefuseAnOutputBelowADanglingSymlinkBeforeAnyWork() throws IOException
    {
        final Path nowhere = temp.resolve("nowhere/x");
        final Path dangling = Files.createSymbolicLink(temp.resolve("dang"), nowhere);
        assertRefused(dangling.resolve("idx"), "cannot be made: " + dangling + " is a symbolic link to nothing");
        assertRefused(dangling.resolve("sub/idx"), "cannot be made: " + dangling + " is a symbolic link to nothing");
        final Path loop = Files.createSymbolicLink(temp.resolve("loop"), Path.of("loop"));
        assertRefused(loop.resolve("idx"), "cannot be made: " + loop + " is a symbolic link in a loop");
        // a link to a link to nothing, named through a link to a real directory
        final Path real = Files.createDirectories(temp.resolve("real"));
        Files.createSymbolicLink(real.resolve("inner"), Path.of("../dang"));
        final Path outer = Files.createSymbolicLink(temp.resolve("outer"), real);
        assertRefused(outer.resolve("inner/idx"), "cannot be made: " + real.resolve("inner") +
            " is a symbolic link to nothing");
        assertFalse(Files.exists(temp.resolve("nowhere")), "nothing made where the link points");
        assertTrue(Files.isSymbolicLink(dangling));
        assertEquals(List.of("dang", "loop", "outer", "real"), list(temp));
        assertEquals(List.of("inner"), list(real));
    }

    @Test
    void shouldRefuseABindMountOfTheSameFilesystemAsAMountPoint() throws Exception
    {
        LoopFilesystem.requireEnvironment("mount", "umount");
        final Path source = Files.createDirectories(temp.resolve("bsrc"));
        final Path target = Files.createDirectories(temp.resolve("bdst"));
        final Path link = Files.createSymbolicLink(temp.resolve("link"), target);
        run("mount", "--bind", source.toString(), target.toString());
        try
        {
            assertEquals(Files.getAttribute(target, "unix:dev"), Files.getAttribute(temp, "unix:dev"),
                "a bind mount of the same filesystem: st_dev tells nothing");
            assertRefused(target, MOUNT_POINT);
            assertRefused(link, MOUNT_POINT);
            assertRefused(temp.resolve("bsrc/../bdst"), MOUNT_POINT);
            // should it become one after the check, the exchange's EBUSY at the end says so too
            final IOException late = assertThrows(IOException.class,
                () -> IndexCommand.createIndex(new FilesystemIndexBuilder(4096), target));
            assertEquals(target + ": " + MOUNT_POINT, late.getMessage());
            assertEquals(List.of("bdst", "bsrc", "link"), list(temp), "the new index built beside it is gone");
            // a directory in it is fine (in a child JVM, which leaves no index mapped to keep the mount busy)
            final Child imported = runIn(temp, "import", dump("one.csv", 131).toString(), "-o",
                target.resolve("idx").toString());
            assertEquals(0, imported.status, imported.err);
            assertEquals(List.of("idx"), list(source));
        }
        finally
        {
            run("umount", target.toString());
        }
        assertEquals(List.of(), list(target));
    }

    @Test
    void shouldReplaceABtrfsSubvolumeRootThatIsNoMountPoint() throws Exception
    {
        LoopFilesystem.requireEnvironment("mkfs.btrfs", "btrfs");
        try (LoopFilesystem btrfs = LoopFilesystem.btrfs(128L << 20))
        {
            btrfs.run("btrfs subvolume create sub >/dev/null");
            final Path sub = btrfs.mountPoint().resolve("sub");
            assertFalse(Files.getAttribute(sub, "unix:dev").equals(Files.getAttribute(btrfs.mountPoint(), "unix:dev")),
                "a subvolume has its own st_dev");
            final CliRun imported = CliRun.run("import", dump("one.csv", 131).toString(), "-o", sub.toString());
            assertEquals(0, imported.status(), imported.err());
            assertEquals(expected(131), CliRun.run("dump", sub.toString()).out());
            final CliRun replaced = CliRun.run("import", dump("two.csv", 132).toString(), "-o", sub.toString());
            assertEquals(0, replaced.status(), replaced.err());
            assertEquals(expected(132), CliRun.run("dump", sub.toString()).out());
            assertEquals(List.of("sub"), list(btrfs.mountPoint()), "no old index left beside it");
        }
    }

    /** What a child JVM's {@code daxrmap} printed on standard error, and its status. */
    private record Child(int status, String err)
    {
    }

    private static Child runIn(final Path directory, final String... args) throws Exception
    {
        final List<String> command = new ArrayList<>(ChildJvm.command(List.of(), Main.class, args));
        final Process process = new ProcessBuilder(command).directory(directory.toFile())
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        final String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), String.join(" ", command));
        return new Child(process.exitValue(), err);
    }

    private static void run(final String... command) throws Exception
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), String.join(" ", command));
        assertEquals(0, process.exitValue(), new String(process.getInputStream().readAllBytes()));
    }
}
