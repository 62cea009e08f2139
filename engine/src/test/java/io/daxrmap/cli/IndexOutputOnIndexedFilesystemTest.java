package io.daxrmap.cli;

import io.daxrmap.index.ChildJvm;
import io.daxrmap.source.LoopFilesystem;
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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code daxrmap index MOUNT -o INDEX} with INDEX on the filesystem being indexed would write a map that names the
 * files of the directory it is built in, or of the old index the replacement deletes, and not its own files: refused
 * before anything is read, by any path (through a symlink from elsewhere, below directories still to make, through a
 * bind mount of the same filesystem), the old index there kept. An INDEX on another filesystem mounted below MOUNT
 * is not walked and is fine. On loop-mounted ext4 and XFS; needs root and the tools: skipped with the reason outside
 * CI, failed under CI=true.
 */
class IndexOutputOnIndexedFilesystemTest
{
    private static final long IMAGE_SIZE = 32L << 20;
    private static final String FILES = "mkdir -p data/sub && " +
        "xfs_io -f -c 'pwrite -S 0x61 0 256k' -c fsync data/a >/dev/null && " +
        "xfs_io -f -c 'pwrite -S 0x62 0 64k' -c fsync data/sub/b >/dev/null";
    private static final String HEADER = "EXT,MAJOR,MINOR,PSTART,PEND,OWNER,OSTART,OEND,LENGTH\n";
    private static final String RECORD = "0,7,0,0,7,inode_131_data,0,7,8\n";

    @TempDir
    Path tempDir;

    @Test
    void shouldRefuseAnIndexOnTheFilesystemBeingIndexedOnExt4() throws Exception
    {
        LoopFilesystem.requireEnvironment("mkfs.ext4", "xfs_io");
        try (LoopFilesystem ext4 = LoopFilesystem.ext4(IMAGE_SIZE))
        {
            assertRefusedInside(ext4, List.of("auto", "fiemap"));
        }
    }

    @Test
    void shouldRefuseAnIndexOnTheFilesystemBeingIndexedOnXfs() throws Exception
    {
        LoopFilesystem.requireEnvironment("mkfs.xfs", "xfs_io", "xfs_spaceman");
        try (LoopFilesystem xfs = LoopFilesystem.xfs(IMAGE_SIZE))
        {
            assertRefusedInside(xfs, List.of("fsmap", "fiemap"));
        }
    }

    @Test
    void shouldWriteAnIndexOnAnotherFilesystemMountedBelowTheMountPoint() throws Exception
    {
        LoopFilesystem.requireEnvironment("mkfs.ext4", "xfs_io");
        try (LoopFilesystem ext4 = LoopFilesystem.ext4(IMAGE_SIZE))
        {
            ext4.run(FILES);
            ext4.settle();
            ext4.mountTmpfs("out");
            final Path output = ext4.mountPoint().resolve("out/idx");
            // twice: a new index, then one that replaces it; in a child JVM, which leaves nothing mapped on the tmpfs
            for (int run = 0; run < 2; run++)
            {
                final Child indexed = runIn(tempDir, "index", ext4.mountPoint().toString(), "-o", output.toString());
                assertEquals(0, indexed.status, indexed.err);
                final Child dumped = runIn(tempDir, "dump", output.toString(), "--format", "json");
                assertEquals(0, dumped.status, dumped.err);
                assertTrue(dumped.out.contains("data/a") && dumped.out.contains("data/sub/b"), dumped.out);
                assertFalse(dumped.out.contains("out/"), "nothing of the index in its own map: " + dumped.out);
            }
            assertEquals(List.of("idx"), list(ext4.mountPoint().resolve("out")), "nothing left beside it");
        }
    }

    /**
     * Every way to name a directory on the filesystem is refused with the one message, and nothing is made or
     * changed there; an index outside it is written.
     */
    private void assertRefusedInside(final LoopFilesystem fs, final List<String> sources) throws Exception
    {
        fs.run(FILES);
        fs.settle();
        final Path mnt = fs.mountPoint();
        final Path temp = tempDir.toRealPath();
        final String device = fs.run("stat -c %d . | awk '{printf \"%d:%d\", $1/256, $1%256}'").trim();
        final String why = ": on the filesystem being indexed (" + mnt + ", device " + device + "): the index's " +
            "own files would be in the map it writes, stale the moment it is written; put the index on another " +
            "filesystem\n";
        // an index there already, made by import (no filesystem is read): kept as it is; in a child JVM, which
        // leaves nothing mapped on the filesystem
        final Path dump = Files.writeString(temp.resolve("one.csv"), HEADER + RECORD);
        final Child imported = runIn(temp, "import", dump.toString(), "-o", mnt.resolve("old").toString());
        assertEquals(0, imported.status, imported.err);
        final Object oldInode = Files.getAttribute(mnt.resolve("old"), "unix:ino");
        final Path link = Files.createSymbolicLink(temp.resolve("link"), mnt.resolve("data"));
        fs.bindMount("data/sub", "view");
        try
        {
            final List<String> before = list(mnt);
            for (final String source : sources)
            {
                for (final Path output : List.of(mnt.resolve("idx"), mnt.resolve("new/deeper/idx"), mnt.resolve("old"),
                    mnt.resolve("data/../idx"), link.resolve("idx"), mnt.resolve("view/idx")))
                {
                    final CliRun run = CliRun.run("index", mnt.toString(), "-o", output.toString(), "--source", source);
                    assertEquals(2, run.status(), "source=" + source + " -o " + output + ": " + run.out());
                    assertEquals("daxrmap index: " + output + why, run.err(), "source=" + source);
                    assertEquals("", run.out());
                }
                assertEquals(before, list(mnt), "nothing made");
                assertEquals(List.of("b"), list(mnt.resolve("view")), "nothing made");
                assertEquals(List.of("a", "sub"), list(mnt.resolve("data")), "nothing made");
                assertEquals(oldInode, Files.getAttribute(mnt.resolve("old"), "unix:ino"), "the old index kept");
                assertEquals(HEADER + RECORD, runIn(temp, "dump", mnt.resolve("old").toString()).out);

                final Path outside = temp.resolve("idx-" + source);
                final CliRun indexed = CliRun.run("index", mnt.toString(), "-o", outside.toString(), "--source",
                    source);
                assertEquals(0, indexed.status(), indexed.err());
            }
        }
        finally
        {
            fs.run("umount \"$MNT/view\"");
        }
    }

    private static List<String> list(final Path directory) throws IOException
    {
        try (Stream<Path> entries = Files.list(directory))
        {
            return entries.map(path -> path.getFileName().toString()).sorted().toList();
        }
    }

    /** What a child JVM's {@code daxrmap} printed, and its status. */
    private record Child(int status, String out, String err)
    {
    }

    private static Child runIn(final Path directory, final String... args) throws Exception
    {
        final List<String> command = new ArrayList<>(ChildJvm.command(List.of(), Main.class, args));
        final Path errFile = Files.createTempFile("daxrmap-child-", ".err");
        try
        {
            final Process process = new ProcessBuilder(command).directory(directory.toFile())
                .redirectError(errFile.toFile()).start();
            process.getOutputStream().close();
            final String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(process.waitFor(120, TimeUnit.SECONDS), String.join(" ", command));
            return new Child(process.exitValue(), out, Files.readString(errFile));
        }
        finally
        {
            Files.deleteIfExists(errFile);
        }
    }
}
