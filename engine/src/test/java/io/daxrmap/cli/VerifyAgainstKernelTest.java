package io.daxrmap.cli;

import io.daxrmap.source.LoopFilesystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code verify --against} and fsmap imports against what the kernel says, on loop-mounted images: bytes ext4's
 * GETFSMAP leaves out, data not yet written back, a file a forward-map index never heard of, another filesystem than
 * the one indexed. Needs root and the tools: skipped with the reason outside CI, failed under CI=true.
 */
class VerifyAgainstKernelTest
{
    /** A 24 MiB file with every other 4 KiB punched out: thousands of extents, free space between them. */
    private static final String PUNCHED = "args=(); for i in $(seq 1 2 5999); do args+=(-c \"fpunch $((i*4096)) 4096\"); " +
        "done; xfs_io -f -c 'pwrite 0 24m' -c fsync \"${args[@]}\" -c fsync frag >/dev/null";

    private static final long XFS_SIZE = 32L << 20;
    private static final String FILES = "mkdir -p data && " +
        "xfs_io -f -c 'pwrite -S 0x61 0 256k' -c fsync data/a >/dev/null && " +
        "xfs_io -f -c 'pwrite -S 0x62 0 64k' -c fsync data/b >/dev/null";

    @TempDir
    static Path temp;

    @Test
    void shouldHoldTheBytesExt4sGetfsmapLeavesOutAsUnknownNotFree() throws IOException
    {
        LoopFilesystem.requireEnvironment("mkfs.ext4", "xfs_io", "debugfs");
        try (LoopFilesystem ext4 = LoopFilesystem.ext4(128L << 20, 1024))
        {
            ext4.run(PUNCHED);
            ext4.settle();
            // the oracle: GETFSMAP's own records, in 512-byte sectors, leave a range out that the block bitmap says
            // is in use (ext4 with 1 KiB blocks leaves some out just before a group's last free extent)
            final Path dump = temp.resolve("ext4-fsmap.csv");
            Files.writeString(dump, ext4.run("xfs_io -c 'fsmap -m' \"$MNT\""));
            final long[] gap = firstGap(Files.readAllLines(dump));
            assertNotNull(gap, "GETFSMAP on this ext4 leaves no byte out: nothing to test");
            assertTrue(ext4.run("debugfs -R 'testb " + gap[0] / 2 + "' \"$IMG\" 2>/dev/null").contains("marked in use"),
                "the bytes the kernel left out are in use");

            // an unchanged filesystem passes, the FIEMAP-built index's file data on bytes the kernel said nothing of
            final Path fiemap = temp.resolve("ext4-fiemap");
            assertEquals(0, CliRun.run("index", ext4.mountPoint().toString(), "-o", fiemap.toString()).status());
            final CliRun unchanged = CliRun.run("verify", fiemap.toString(), "--against", ext4.mountPoint().toString());
            assertEquals(0, unchanged.status(), unchanged.out());

            // an import of the kernel's dump holds them as unknown: no free space where xfs_io printed none
            final Path imported = temp.resolve("ext4-import");
            final CliRun importRun = CliRun.run("import", "--format", "fsmap-csv", "--block-size", "1024",
                dump.toString(), "-o", imported.toString());
            assertEquals(0, importRun.status(), importRun.err());
            final CliRun query = CliRun.run("query", imported.toString(), "--range", gap[0] + ":" + (gap[1] - 1));
            assertEquals(0, query.status(), query.err());
            final List<String> records = query.out().lines().skip(1).toList();
            assertFalse(records.isEmpty(), query.out());
            for (final String record : records)
            {
                assertEquals("special_0:2", record.split(",")[5], query.out());
            }
            final CliRun importedAgainst = CliRun.run("verify", imported.toString(), "--against",
                ext4.mountPoint().toString());
            assertEquals(0, importedAgainst.status(), importedAgainst.out());

            // an index that calls them free (as imports did) differs from the kernel only where it said nothing
            final Path asFree = temp.resolve("ext4-fsmap-as-free.csv");
            final List<String> lines = Files.readAllLines(dump);
            final String[] device = lines.get(1).split(",");
            Files.writeString(asFree, Files.readString(dump) + (lines.size() - 1) + "," + device[1] + "," + device[2] +
                "," + gap[0] + "," + (gap[1] - 1) + ",special_0:1,,," + (gap[1] - gap[0]) + "\n");
            final Path freeIndex = temp.resolve("ext4-import-as-free");
            final CliRun freeImport = CliRun.run("import", "--format", "fsmap-csv", "--block-size", "1024",
                asFree.toString(), "-o", freeIndex.toString());
            assertEquals(0, freeImport.status(), freeImport.err());
            final CliRun freeAgainst = CliRun.run("verify", freeIndex.toString(), "--against",
                ext4.mountPoint().toString());
            assertEquals(0, freeAgainst.status(), freeAgainst.out());
        }
    }

    @Test
    void shouldSyncBeforeReadingTheKernelsMapAndSeeAFileNotYetWrittenBack() throws IOException
    {
        LoopFilesystem.requireEnvironment("mkfs.xfs", "xfs_io", "xfs_spaceman");
        try (LoopFilesystem xfs = LoopFilesystem.xfs(XFS_SIZE))
        {
            xfs.run(FILES);
            xfs.settle();
            final Path index = temp.resolve("xfs-before-unsynced");
            assertEquals(0, CliRun.run("index", xfs.mountPoint().toString(), "-o", index.toString()).status());
            // written, not synced: a delayed allocation, in no GETFSMAP record yet
            xfs.run("xfs_io -f -c 'pwrite -S 0x11 0 256k' unsynced >/dev/null");
            final String owner = "inode_" + xfs.run("stat -c %i unsynced").trim() + "_data";
            assertFalse(xfs.run("xfs_io -c 'fsmap -m' \"$MNT\"").contains("," + owner + ","),
                "the kernel's map has the unsynced file already: nothing to test");

            // a directory in the mount is not the root the catalog's paths are relative to
            xfs.run("mkdir -p sub");
            final String sub = xfs.mountPoint().resolve("sub").toString();
            final CliRun below = CliRun.run("verify", index.toString(), "--against", sub);
            assertEquals(2, below.status(), below.out());
            assertEquals("daxrmap verify: --against " + sub + ": not the root of a mounted filesystem (give the " +
                "mount point that was indexed)\n", below.err());

            final CliRun verify = CliRun.run("verify", index.toString(), "--against", xfs.mountPoint().toString());
            assertEquals(1, verify.status(), verify.out());
            assertTrue(verify.out().contains(": only in the kernel: " + owner + " "), verify.out());
            assertTrue(xfs.run("xfs_io -c 'fsmap -m' \"$MNT\"").contains("," + owner + ","),
                "once synced, the kernel names the file");
        }
    }

    @Test
    void shouldReportAFileTheForwardMapIndexNeverHeardOfWhereTheKernelNamesIt() throws IOException
    {
        LoopFilesystem.requireEnvironment("mkfs.xfs", "xfs_io", "xfs_spaceman");
        try (LoopFilesystem xfs = LoopFilesystem.xfs(XFS_SIZE))
        {
            // a directory big enough for data blocks, which GETFSMAP names and FIEMAP cannot map on XFS
            xfs.run(FILES + " && mkdir big && for i in $(seq 1 400); do : > big/entry_with_a_long_name_$i; done" +
                " && : > empty");
            xfs.settle();
            final String directory = "inode_" + xfs.run("stat -c %i big").trim() + "_data";
            assertTrue(xfs.run("xfs_io -c 'fsmap -m' \"$MNT\"").contains("," + directory + ","),
                "the kernel names the directory's blocks");
            final Path index = temp.resolve("xfs-fiemap");
            assertEquals(0, CliRun.run("index", xfs.mountPoint().toString(), "-o", index.toString(), "--source",
                "fiemap").status());
            assertFalse(CliRun.run("dump", index.toString()).out().contains("," + directory + ","),
                "FIEMAP maps no directory on XFS");
            final CliRun unchanged = CliRun.run("verify", index.toString(), "--against", xfs.mountPoint().toString());
            assertEquals(0, unchanged.status(), unchanged.out());
            // the same from an import of xfs_io's forward maps and find's inode list, which names the directory too
            final Path maps = temp.resolve("fiemap-v.txt");
            final Path inodes = temp.resolve("inodes.txt");
            xfs.run("find . -type f -printf '%P\\0' | sort -z | xargs -0 -r -n1 xfs_io -r -c 'fiemap -v' > \"" + maps +
                "\" && find . -printf '%i %P\\n' > \"" + inodes + "\"");
            final String device = xfs.run("stat -c %d . | awk '{printf \"%d:%d\", $1/256, $1%256}'").trim();
            final Path imported = temp.resolve("xfs-fiemap-import");
            final CliRun importing = CliRun.run("import", "--format", "fiemap", maps.toString(), "--inodes",
                inodes.toString(), "--device", device, "-o", imported.toString());
            assertEquals(0, importing.status(), importing.err());
            final CliRun importUnchanged = CliRun.run("verify", imported.toString(), "--against",
                xfs.mountPoint().toString());
            assertEquals(0, importUnchanged.status(), importUnchanged.out());

            xfs.run("xfs_io -f -c 'pwrite -S 0x22 0 1m' -c fsync created >/dev/null");
            // and a file the index catalogued when it had no data
            xfs.run("xfs_io -c 'pwrite -S 0x33 0 64k' -c fsync empty >/dev/null");
            xfs.settle();
            final String owner = "inode_" + xfs.run("stat -c %i created").trim() + "_data";
            final String written = "inode_" + xfs.run("stat -c %i empty").trim() + "_data";
            assertTrue(xfs.run("xfs_io -c 'fsmap -m' \"$MNT\"").contains("," + owner + ","),
                "the kernel names the new file");
            final CliRun changed = CliRun.run("verify", index.toString(), "--against", xfs.mountPoint().toString());
            assertEquals(1, changed.status(), changed.out());
            assertTrue(changed.out().contains(": only in the kernel: " + owner + " "), changed.out());
            assertTrue(changed.out().contains(": only in the kernel: " + written + " "), changed.out());
            assertFalse(changed.out().contains(directory), "the directory's blocks are still not compared");
        }
    }

    @Test
    void shouldSayInOneLineThatTheMountIsAnotherFilesystemThanTheOneIndexed() throws IOException
    {
        LoopFilesystem.requireEnvironment("mkfs.xfs", "xfs_io", "xfs_spaceman");
        try (LoopFilesystem indexed = LoopFilesystem.xfs(XFS_SIZE); LoopFilesystem other = LoopFilesystem.xfs(XFS_SIZE))
        {
            indexed.run(FILES);
            indexed.settle();
            other.run(FILES);
            other.settle();
            final Path index = temp.resolve("xfs-indexed");
            assertEquals(0, CliRun.run("index", indexed.mountPoint().toString(), "-o", index.toString()).status());
            final CliRun verify = CliRun.run("verify", index.toString(), "--against", other.mountPoint().toString());
            assertEquals(1, verify.status(), verify.out());
            assertEquals(index + ": FAILED, first differences:\n  the mount's device(s) " + device(other) +
                " are not the index's (" + device(indexed) + "): " + other.mountPoint() +
                " is not the filesystem indexed\n", verify.out());

            // an index of no device at all (an empty dump imports as one) is no filesystem the mount is either
            final Path empty = temp.resolve("empty-dump.txt");
            Files.writeString(empty, "");
            final Path none = temp.resolve("no-device");
            assertEquals(0, CliRun.run("import", "--format", "fsmap-verbose", empty.toString(), "-o", none.toString())
                .status());
            final CliRun noDevice = CliRun.run("verify", none.toString(), "--against", other.mountPoint().toString());
            assertEquals(1, noDevice.status(), noDevice.out() + noDevice.err());
            assertEquals(none + ": FAILED, first differences:\n  the mount's device(s) " + device(other) +
                " are not the index's (none): " + other.mountPoint() + " is not the filesystem indexed\n",
                noDevice.out());
        }
    }

    /**
     * The device of a mounted filesystem as {@code MAJOR:MINOR}, from {@code stat}.
     */
    private static String device(final LoopFilesystem fs) throws IOException
    {
        return fs.run("stat -c %Hd:%Ld .").trim();
    }

    /**
     * The first range of sectors no record of an {@code fsmap -m} dump covers, {@code [start, end)}, or null.
     */
    private static long[] firstGap(final List<String> dump)
    {
        final List<long[]> ranges = new ArrayList<>();
        for (final String line : dump.subList(1, dump.size()))
        {
            final String[] fields = line.split(",");
            ranges.add(new long[]{Long.parseLong(fields[3]), Long.parseLong(fields[4]) + 1});
        }
        ranges.sort(Comparator.comparingLong(range -> range[0]));
        long covered = 0;
        for (final long[] range : ranges)
        {
            if (range[0] > covered)
            {
                return new long[]{covered, range[0]};
            }
            covered = Math.max(covered, range[1]);
        }
        return null;
    }
}
