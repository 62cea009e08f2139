package io.daxrmap.cli;

import io.daxrmap.source.LoopFilesystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An import onto a filesystem that fills up fails with one line naming the file it could not write, and leaves
 * nothing behind. Slab files are sparse and written through their mappings: without space reserved ahead of the
 * writes, a full tmpfs answered a write with SIGBUS, which the JVM threw as an InternalError out of the command
 * (exit status 1, a stack trace). The same import runs onto tmpfs mounts of several sizes, each full at another
 * step: the log, the slabs' first blocks, later blocks of a slab, the catalog. The directories the import made for
 * the index go too. Needs root: skipped with the reason
 * outside CI, failed under CI=true.
 */
class DiskFullImportTest
{
    private static final String HEADER = "EXT,MAJOR,MINOR,PSTART,PEND,OWNER,OSTART,OEND,LENGTH\n";
    private static final int RECORDS = 200_000;

    @TempDir
    Path tempDir;

    @Test
    void shouldRefuseAnImportOntoAFullFilesystemWithOneLineAndLeaveNothing() throws Exception
    {
        LoopFilesystem.requireEnvironment("mount", "umount");
        final Path temp = tempDir.toRealPath();
        final Path dump = temp.resolve("records.csv");
        writeRecords(dump);
        final Path mount = Files.createDirectory(temp.resolve("full"));
        final List<String> failures = new ArrayList<>();
        for (final String size : List.of("4k", "8k", "64k", "96k", "1m", "3m", "6m", "64m"))
        {
            LoopFilesystem.runCommand("mount", "-t", "tmpfs", "-o", "size=" + size, "daxrmap-test", mount.toString());
            try
            {
                // in directories the import makes: they go too when it fails
                final Path index = mount.resolve("made/for/idx");
                final CliRun imported = CliRun.run("import", dump.toString(), "-o", index.toString());
                if (imported.status() == 0)
                {
                    final CliRun verified = CliRun.run("verify", index.toString());
                    assertEquals(0, verified.status(), size + ": " + verified.err());
                    continue;
                }
                assertEquals(2, imported.status(), size + ": " + imported.err());
                final String err = imported.err();
                assertTrue(err.startsWith("daxrmap import: cannot write ") || err.startsWith("daxrmap import: cannot create ") ||
                    err.startsWith("daxrmap import: cannot append "), size + ": " + err);
                assertTrue(err.contains("No space left on device") || err.contains("Not enough space"), size + ": " + err);
                assertTrue(err.contains(mount.toString()), size + ": the file is named: " + err);
                assertEquals(1, err.lines().count(), size + ": " + err);
                try (Stream<Path> left = Files.list(mount))
                {
                    assertEquals(List.of(), left.toList(), size + ": nothing is left behind");
                }
                failures.add(err.substring("daxrmap import: ".length(), err.indexOf(err.contains(": file=") ? ": file=" :
                    " " + mount)));
            }
            finally
            {
                LoopFilesystem.unmount(mount);
            }
        }
        assertTrue(failures.contains("cannot write slab"), "a slab filled up after its first blocks: " + failures);
        assertTrue(failures.contains("cannot write the index log") && failures.contains("cannot write"),
            "files failed at their start (the log, CURRENT): " + failures);
        assertFalse(failures.size() == 8, "the largest mount holds the index");
    }

    @Test
    void shouldRefuseAnImportOntoANearlyFullExt4WithOneLine() throws Exception
    {
        // ext4 close to full can refuse a write through a mapping to a page whose block it holds (SIGBUS, which the
        // JVM throws as an InternalError): the command says so in one line, status 2, and leaves nothing
        LoopFilesystem.requireEnvironment("mkfs.ext4", "fallocate", "df");
        final Path dump = tempDir.toRealPath().resolve("records.csv");
        writeRecords(dump);
        try (LoopFilesystem ext4 = LoopFilesystem.ext4(64L << 20))
        {
            int refused = 0;
            for (final long freeKib : new long[] {500, 1500, 2500, 3000})
            {
                ext4.run("rm -rf -- * .[!.]* 2>/dev/null; avail=$(df -k . | tail -1 | awk '{print $4}'); " +
                    "fallocate -l $((avail - " + freeKib + "))K filler");
                final CliRun imported = CliRun.run("import", dump.toString(), "-o",
                    ext4.mountPoint().resolve("made/idx").toString());
                if (imported.status() == 0)
                {
                    // root's reserved blocks can hold it
                    assertEquals(0, CliRun.run("verify", ext4.mountPoint().resolve("made/idx").toString()).status());
                    continue;
                }
                refused++;
                assertEquals(2, imported.status(), freeKib + " KiB free: " + imported.err());
                final String err = imported.err();
                assertEquals(1, err.lines().count(), err);
                assertTrue(err.startsWith("daxrmap import: "), err);
                assertTrue(err.contains("No space left on device") || err.contains(Main.MAPPED_WRITE_FAILED), err);
                try (Stream<Path> left = Files.list(ext4.mountPoint()))
                {
                    assertEquals(List.of("filler"), left.map(p -> p.getFileName().toString()).sorted()
                        .toList(), freeKib + " KiB free: nothing is left behind");
                }
            }
            assertTrue(refused > 0, "500 KiB is too little for the index");
        }
    }

    private static void writeRecords(final Path dump) throws IOException
    {
        try (BufferedWriter out = Files.newBufferedWriter(dump))
        {
            out.write(HEADER);
            for (int i = 0; i < RECORDS; i++)
            {
                // 8 blocks of 512 bytes every 16 blocks, 5,000 files
                final long start = i * 16L;
                final long fileStart = (i / 5000) * 8L;
                out.write(i + ",7,0," + start + "," + (start + 7) + ",inode_" + (1000 + i % 5000) + "_data," +
                    fileStart + "," + (fileStart + 7) + ",8\n");
            }
        }
    }

}
