package io.daxrmap.store;

import io.daxrmap.cli.Main;
import io.daxrmap.format.DeviceNumber;
import io.daxrmap.model.Owner;
import io.daxrmap.source.LoopFilesystem;
import io.daxrmap.source.MountRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Replacing an index deletes the old one, and that deletion never reaches into something mounted in it: an index
 * directory that holds a mount point (a filesystem of its own, or a bind mount of the same filesystem, which has the
 * same {@code st_dev}) is refused before any work, naming the mount, and its files and the old index stay; the deletion
 * itself, should a mount appear after that check, stops at every mount point and at every other device, keeps the
 * directories above, and follows no symbolic link. {@code /} is refused with a message of its own.
 */
class IndexReplaceMountTest
{
    @TempDir
    Path tempDir;

    private Path temp;

    @BeforeEach
    void realPath() throws IOException
    {
        temp = tempDir.toRealPath(); // the mount points mountinfo shows, and the messages name, are real paths
    }

    private static FilesystemIndexBuilder builder(final long inode)
    {
        final FilesystemIndexBuilder builder = new FilesystemIndexBuilder(4096);
        builder.onRecord(259, 0, 8192, 4096, Owner.data(inode), 0, 0);
        builder.device(DeviceNumber.encode(259, 0), 1 << 20);
        builder.target().path(inode, "file" + inode);
        return builder;
    }

    private static long inodeOf(final Path index) throws IOException
    {
        try (FilesystemIndex loaded = IndexStore.load(index))
        {
            assertEquals(1, loaded.paths().size(), loaded.paths().toString());
            return loaded.paths().keySet().iterator().next();
        }
    }

    private static List<String> list(final Path directory) throws IOException
    {
        try (Stream<Path> entries = Files.list(directory))
        {
            return entries.map(path -> path.getFileName().toString()).sorted().toList();
        }
    }

    /**
     * Unmount whatever is still mounted below the test's directory, deepest first: a mount moved by a failed
     * replacement (into a {@code .idx.tmp-*}) is not where the test mounted it, and the temporary directory's own
     * cleanup would otherwise delete through it.
     */
    @AfterEach
    void unmountLeftovers() throws Exception
    {
        final String prefix = temp + "/";
        final List<String> points = new ArrayList<>();
        for (final String line : Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.ISO_8859_1))
        {
            final String[] fields = line.split(" ");
            final String point = fields.length > 4 ? unescape(fields[4]) : "";
            if (point.startsWith(prefix))
            {
                points.add(point);
            }
        }
        points.sort(Comparator.comparingInt(String::length).reversed());
        for (final String point : points)
        {
            unmount(Path.of(point));
        }
        assertEquals(List.of(), points, "left mounted by the test");
    }

    private static String unescape(final String field)
    {
        final StringBuilder text = new StringBuilder();
        for (int i = 0; i < field.length(); i++)
        {
            if (field.charAt(i) == '\\' && i + 3 < field.length())
            {
                text.append((char)Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            }
            else
            {
                text.append(field.charAt(i));
            }
        }
        return text.toString();
    }

    /** Unmount without asserting, so that a failure in the test itself is the one reported. */
    private static void unmount(final Path point) throws Exception
    {
        final Process process = new ProcessBuilder("umount", point.toString()).redirectErrorStream(true).start();
        process.getInputStream().readAllBytes();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    private static void run(final String... command) throws Exception
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), String.join(" ", command));
        assertEquals(0, process.exitValue(), String.join(" ", command) + ": " + output);
    }

    private static String refusal(final Path directory, final Path mount)
    {
        return directory + ": " + mount + " is a mount point" + IndexStore.MOUNTED_INSIDE;
    }

    @Test
    void shouldRefuseToReplaceAnIndexWithATmpfsMountedInsideAndKeepItsFiles() throws Exception
    {
        LoopFilesystem.requireEnvironment("mount", "umount");
        final Path index = temp.resolve("idx");
        IndexStore.create(builder(131), index).close();
        final Path mount = Files.createDirectory(index.resolve("mnt"));
        run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mount.toString());
        try
        {
            final Path precious = Files.writeString(mount.resolve("precious"), "not the index's");
            Files.createDirectories(mount.resolve("deep/er"));

            final IOException refused = assertThrows(IOException.class,
                () -> IndexStore.create(builder(132), index).close());
            assertEquals(refusal(index, mount), refused.getMessage());

            assertEquals("not the index's", Files.readString(precious));
            assertEquals(List.of("deep", "precious"), list(mount));
            assertEquals(131, inodeOf(index), "the old index stays");
            assertEquals(List.of("idx"), list(temp), "nothing built beside it");
        }
        finally
        {
            unmount(mount);
        }
        // unmounted, the directory is the index's again and the index is replaced
        IndexStore.create(builder(132), index).close();
        assertEquals(132, inodeOf(index));
        assertEquals(List.of("idx"), list(temp));
    }

    @Test
    void shouldRefuseAnIndexWithAMountInsideBeforeReadingAnyInput() throws Exception
    {
        // the command's check comes before any work: the input named here does not even exist
        LoopFilesystem.requireEnvironment("mount", "umount");
        final Path index = temp.resolve("idx");
        IndexStore.create(builder(131), index).close();
        final Path mount = Files.createDirectory(index.resolve("mnt"));
        run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mount.toString());
        try
        {
            final ByteArrayOutputStream err = new ByteArrayOutputStream();
            final int status = Main.run(new String[] {"import", temp.resolve("no-such-input.csv").toString(), "-o",
                index.toString()}, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
            assertEquals(2, status, err.toString(StandardCharsets.UTF_8));
            assertEquals("daxrmap import: " + refusal(index, mount) + "\n", err.toString(StandardCharsets.UTF_8));
            assertEquals(131, inodeOf(index), "the old index stays");
        }
        finally
        {
            unmount(mount);
        }
    }

    @Test
    void shouldRefuseToReplaceAnIndexWithABindMountOfTheSameFilesystemInside() throws Exception
    {
        LoopFilesystem.requireEnvironment("mount", "umount");
        final Path source = Files.createDirectories(temp.resolve("src"));
        final Path precious = Files.writeString(source.resolve("precious"), "the user's");
        final Path fileSource = Files.writeString(temp.resolve("file-src"), "bound file");
        final Path index = temp.resolve("idx");
        IndexStore.create(builder(131), index).close();
        final Path bind = Files.createDirectories(index.resolve("device-259-0/bind"));
        run("mount", "--bind", source.toString(), bind.toString());
        try
        {
            assertEquals(Files.getAttribute(bind, "unix:dev"), Files.getAttribute(index, "unix:dev"),
                "a bind mount of the same filesystem: st_dev tells nothing");
            final IOException refused = assertThrows(IOException.class,
                () -> IndexStore.create(builder(132), index).close());
            assertEquals(refusal(index, bind), refused.getMessage());

            // a file bind-mounted on a file counts too; the message names each, in order
            final Path boundFile = Files.writeString(index.resolve("zz-file"), "");
            run("mount", "--bind", fileSource.toString(), boundFile.toString());
            try
            {
                final IOException both = assertThrows(IOException.class,
                    () -> IndexStore.create(builder(132), index).close());
                assertEquals(index + ": " + bind + " is a mount point, " + boundFile + " is a mount point" +
                    IndexStore.MOUNTED_INSIDE, both.getMessage());
            }
            finally
            {
                unmount(boundFile);
            }

            // through the command, named as -o gives it, before anything is written
            final Path dump = Files.writeString(temp.resolve("two.csv"),
                "EXT,MAJOR,MINOR,PSTART,PEND,OWNER,OSTART,OEND,LENGTH\n0,259,0,16,23,inode_132_data,0,7,8\n");
            final Path output = temp.resolve("src/../idx"); // as typed
            final ByteArrayOutputStream err = new ByteArrayOutputStream();
            final int status = Main.run(new String[] {"import", dump.toString(), "-o", output.toString()},
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
            assertEquals(2, status, err.toString(StandardCharsets.UTF_8));
            assertEquals("daxrmap import: " + refusal(output, bind) + "\n", err.toString(StandardCharsets.UTF_8));

            assertEquals("the user's", Files.readString(precious));
            assertEquals(List.of("precious"), list(bind));
            assertEquals(131, inodeOf(index), "the old index stays");
            assertEquals(List.of("file-src", "idx", "src", "two.csv"), list(temp), "nothing built beside it");
        }
        finally
        {
            unmount(bind);
        }
        assertEquals(List.of("precious"), list(source));
        assertEquals("bound file", Files.readString(fileSource));
    }

    @Test
    void shouldDeleteATreeButNothingMountedInItAndNothingALinkNames() throws Exception
    {
        LoopFilesystem.requireEnvironment("mount", "umount");
        final Path outside = Files.createDirectories(temp.resolve("outside"));
        final Path kept = Files.writeString(outside.resolve("kept"), "outside the tree");
        final Path fileSource = Files.writeString(temp.resolve("file-src"), "bound file");
        final Path root = Files.createDirectories(temp.resolve("old"));
        final Path mount = Files.createDirectories(root.resolve("a/b/mnt"));
        Files.writeString(root.resolve("a/sibling"), "");
        Files.writeString(Files.createDirectories(root.resolve("c/d")).resolve("file"), "");
        final Path boundFile = Files.writeString(root.resolve("a/file-mount"), "");
        Files.createSymbolicLink(root.resolve("link"), outside);
        Files.createSymbolicLink(root.resolve("a/b/link-to-file"), kept);
        run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mount.toString());
        try
        {
            Files.writeString(mount.resolve("precious"), "mounted");
            run("mount", "--bind", fileSource.toString(), boundFile.toString());
            try
            {
                assertEquals(List.of(new IndexStore.Kept(mount, "a mount point"),
                    new IndexStore.Kept(boundFile, "a mount point")), IndexStore.deleteTree(root));
                assertEquals(List.of("a"), list(root));
                assertEquals(List.of("b", "file-mount"), list(root.resolve("a")), "the sibling is deleted");
                assertEquals(List.of("mnt"), list(root.resolve("a/b")), "the link in it is deleted");
                assertEquals("mounted", Files.readString(mount.resolve("precious")));
                assertEquals("bound file", Files.readString(boundFile));
            }
            finally
            {
                unmount(boundFile);
            }
        }
        finally
        {
            unmount(mount);
        }
        assertEquals("outside the tree", Files.readString(kept), "a symbolic link is removed, not followed");
        assertEquals(List.of("kept"), list(outside));
        assertEquals("bound file", Files.readString(fileSource));
        // nothing mounted any more: the rest goes, and a missing tree is no error
        assertEquals(List.of(), IndexStore.deleteTree(root));
        assertFalse(Files.exists(root));
        assertEquals(List.of(), IndexStore.deleteTree(root));
        assertEquals(List.of("file-src", "outside"), list(temp));
    }

    @Test
    void shouldRefuseToReplaceAnIndexWithABtrfsSubvolumeInsideThatIsNoMount() throws Exception
    {
        LoopFilesystem.requireEnvironment("mkfs.btrfs", "btrfs");
        try (LoopFilesystem btrfs = LoopFilesystem.btrfs(128L << 20))
        {
            final Path index = btrfs.mountPoint().toRealPath().resolve("idx");
            IndexStore.create(builder(131), index).close();
            btrfs.run("btrfs subvolume create idx/sub >/dev/null && echo kept > idx/sub/precious");
            final Path sub = index.resolve("sub");
            final long indexDevice = (Long)Files.getAttribute(index, "unix:dev");
            final long subDevice = (Long)Files.getAttribute(sub, "unix:dev");
            assertFalse(subDevice == indexDevice, "a subvolume has its own st_dev; mountinfo shows no mount there");

            final IOException refused = assertThrows(IOException.class,
                () -> IndexStore.create(builder(132), index).close());
            assertEquals(index + ": " + sub + " is on another filesystem (st_dev " + MountRoot.major(subDevice) + ":" +
                MountRoot.minor(subDevice) + ", not " + MountRoot.major(indexDevice) + ":" +
                MountRoot.minor(indexDevice) + ")" + IndexStore.MOUNTED_INSIDE, refused.getMessage());
            assertEquals("kept\n", Files.readString(sub.resolve("precious")));
            assertEquals(131, inodeOf(index), "the old index stays");
            assertEquals(List.of("idx"), list(btrfs.mountPoint()), "nothing built beside it");
        }
    }

    @Test
    void shouldRefuseTheRootDirectoryAsAnIndexDirectory() throws IOException
    {
        for (final Path root : List.of(Path.of("/"), temp.resolve("../".repeat(temp.getNameCount()) + "..")))
        {
            final IOException refused = assertThrows(IOException.class,
                () -> IndexStore.create(builder(131), root).close());
            assertEquals(root + ": " + IndexStore.ROOT_DIRECTORY, refused.getMessage());
        }
        assertFalse(Files.exists(Path.of("/" + IndexStore.FILE_NAME)));
    }
}
