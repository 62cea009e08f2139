package io.daxrmap.cli;

import io.daxrmap.source.LoopFilesystem;
import io.daxrmap.source.Workloads;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The command against the kernel on a real loop-mounted XFS after the capture workload (clones with CoW, partial
 * and self reflinks, dedupe, punch, truncate, unwritten extents, attr-fork and bmbt blocks, many small files), and
 * on ext4 through FIEMAP. Needs root and xfsprogs: skipped with the reason outside CI, failed under CI=true.
 */
class CliRealFilesystemTest
{
    private static final long IMAGE_SIZE = 64L << 20;

    @TempDir
    static Path temp;

    private static LoopFilesystem xfs;
    private static Path fsmapIndex;


    @BeforeAll
    static void createFilesystem() throws IOException
    {
        LoopFilesystem.requireEnvironment(
            "mkfs.xfs", "xfs_io", "xfs_spaceman", "setfattr", "mkfs.ext4", "filefrag", "losetup");
        xfs = LoopFilesystem.xfs(IMAGE_SIZE);
        xfs.run(Workloads.XFS);
        xfs.settle();
        fsmapIndex = temp.resolve("fsmap-index");
        final CliRun indexed = CliRun.run(
            "index", xfs.mountPoint().toString(), "-o", fsmapIndex.toString(), "--source", "fsmap");
        assertEquals(0, indexed.status(), indexed.err());
    }

    @AfterAll
    static void removeFilesystem()
    {
        if (xfs != null)
        {
            xfs.close();
        }
    }

    @Test
    void shouldDumpExactlyWhatXfsIoPrintsWhenIndexedWithGetfsmap() throws IOException
    {
        assertEquals(xfs.run("xfs_io -c 'fsmap -m' \"$MNT\""), CliRun.run("dump", fsmapIndex.toString()).out());
        assertEquals(xfs.run("xfs_io -c 'fsmap -v' \"$MNT\""),
            CliRun.run("dump", fsmapIndex.toString(), "--format", "fsmap-verbose").out());
    }

    @Test
    void shouldAnswerRangeQueriesAsXfsIoFsmapD() throws IOException
    {
        final long seed = System.nanoTime();
        final SplittableRandom random = new SplittableRandom(seed);
        final long sectors = IMAGE_SIZE / 512;
        for (int i = 0; i < 24; i++)
        {
            final long start = random.nextLong(sectors);
            final long end = Math.min(sectors - 1, start + (i % 3 == 0 ? random.nextLong(16) : random.nextLong(20_000)));
            final String expected = xfs.run("xfs_io -c 'fsmap -m -d " + start + " " + end + "' \"$MNT\"");
            final CliRun actual = CliRun.run("query", fsmapIndex.toString(), "--range", start + ":" + end);
            assertEquals(0, actual.status(), actual.err());
            assertEquals(expected, actual.out(), "seed=" + seed + " range=" + start + ":" + end);
        }
    }

    @Test
    void shouldVerifyAgainstTheKernelAndNoticeAChange() throws IOException
    {
        final CliRun own = CliRun.run("verify", fsmapIndex.toString(), "--against", xfs.mountPoint().toString());
        assertEquals(0, own.status(), own.out());

        final Path fiemapIndex = temp.resolve("fiemap-index");
        final CliRun indexed = CliRun.run("index", xfs.mountPoint().toString(), "-o", fiemapIndex.toString(),
            "--source", "fiemap");
        assertEquals(0, indexed.status(), indexed.err());
        final CliRun fiemap = CliRun.run("verify", fiemapIndex.toString(), "--against", xfs.mountPoint().toString());
        assertEquals(0, fiemap.status(), fiemap.out());

        // the same file data with the bytes between called free, as forward-map indexes once did: the superblock,
        // the log and the btrees are not free, and verify must say so rather than pass it over
        final Path dump = temp.resolve("fiemap-as-free.txt");
        Files.writeString(dump, CliRun.run("dump", fiemapIndex.toString(), "--format", "fsmap-verbose").out()
            .replace("unknown", "free space"));
        final Path asFree = temp.resolve("fiemap-as-free");
        assertEquals(0, CliRun.run("import", "--format", "fsmap-verbose", dump.toString(), "-o", asFree.toString())
            .status());
        final CliRun freeOverMetadata = CliRun.run("verify", asFree.toString(), "--against", xfs.mountPoint().toString());
        assertEquals(1, freeOverMetadata.status(), freeOverMetadata.out());
        assertTrue(freeOverMetadata.out().contains("free in the index where the kernel says special_88:1"),
            freeOverMetadata.out());

        final Path before = temp.resolve("before-cow");
        assertEquals(0, CliRun.run("index", xfs.mountPoint().toString(), "-o", before.toString()).status());
        xfs.run("xfs_io -c 'pwrite -S 0x7a 256k 4k' -c fsync clones/a.2 >/dev/null");
        xfs.settle();
        final CliRun changed = CliRun.run("verify", before.toString(), "--against", xfs.mountPoint().toString());
        assertEquals(1, changed.status(), changed.out());
        assertTrue(changed.out().contains("only in the kernel"), changed.out());
    }

    @Test
    void shouldFindEverySharerOfAClonedPage() throws IOException
    {
        final String[] inodes = xfs.run("stat -c %i orig/a clones/a.1 clones/a.2 reflink/r2").trim().split("\\s+");
        final String fiemap = xfs.run("xfs_io -c 'fiemap' orig/a | sed -n 2p");
        final long firstSector = Long.parseLong(fiemap.trim().split("\\s+")[2].split("\\.\\.")[0]);
        final long pfn = (0x100000000L + firstSector * 512) / 4096;
        final CliRun page = CliRun.run("query", fsmapIndex.toString(), "--pfn", Long.toString(pfn), "--pagemap",
            "0x100000000:" + IMAGE_SIZE);
        assertEquals(0, page.status(), page.err());
        // orig/a's first block: shared by its two full clones and by reflink/r2 at 2 MiB ('reflink orig/a 0 2m 4k');
        // orig/a is catalogued under its first path in C order, its hard link links/a.hard.
        assertEquals(String.join("\n",
            "pfn 0x" + Long.toHexString(pfn) + ": mapped at device offset " + firstSector * 512,
            "kill  inode " + inodes[0] + " pgoff 0 pgcnt 1 shared links/a.hard",
            "kill  inode " + inodes[1] + " pgoff 0 pgcnt 1 shared clones/a.1",
            "kill  inode " + inodes[2] + " pgoff 0 pgcnt 1 shared clones/a.2",
            "kill  inode " + inodes[3] + " pgoff 512 pgcnt 1 shared reflink/r2",
            ""), page.out());
    }

    @Test
    void shouldIndexAFileWhoseLastBlockEndsAtFileByteTwoToTheSixtyThree() throws IOException
    {
        try (LoopFilesystem far = LoopFilesystem.xfs(IMAGE_SIZE))
        {
            // any user can write the last block a file can have, which ends at file byte 2^63, one past the largest
            // offset, and reflink it into another file
            far.run("xfs_io -f -c 'pwrite -S 0x61 9223372036854771712 4095' -c fsync far >/dev/null && " +
                "xfs_io -f -c 'reflink far 9223372036854771712 0 0' -c fsync near >/dev/null && " +
                "xfs_io -f -c 'pwrite -S 0x62 9223372036854771712 4095' -c fsync alone >/dev/null");
            far.settle();
            final String inode = far.run("stat -c %i far").trim();
            final String near = far.run("stat -c %i near").trim();
            final String alone = far.run("stat -c %i alone").trim();
            final long aloneSector = Long.parseLong(far.run("xfs_io -c 'fsmap -m' \"$MNT\" | grep ',inode_" + alone +
                "_data,'").split(",")[3]);
            final String record = far.run("xfs_io -c 'fsmap -m' \"$MNT\" | grep ',inode_" + inode + "_data,'");
            final long sector = Long.parseLong(record.split(",")[3]);
            final String kernelCsv = far.run("xfs_io -c 'fsmap -m' \"$MNT\"");
            final String kernelVerbose = far.run("xfs_io -c 'fsmap -v' \"$MNT\"");
            for (final String source : new String[]{"fsmap", "fiemap"})
            {
                final Path index = temp.resolve("far-" + source);
                final CliRun indexed = CliRun.run("index", far.mountPoint().toString(), "-o", index.toString(),
                    "--source", source);
                assertEquals(0, indexed.status(), source + ": " + indexed.err());
                assertTrue(indexed.out().contains("  2 " + (source.equals("fsmap") ? "records" : "extents") +
                    " reach file byte 2^63 - 1, past what an index holds"), indexed.out());
                assertEquals(0, CliRun.run("verify", index.toString()).status(), source);
                // the kill path names both files (the block's last byte, past far's end, is near's)
                final long pfn = 0x100000 + sector / 8;
                final CliRun page = CliRun.run("query", index.toString(), "--pfn", Long.toString(pfn), "--pagemap",
                    "0x100000000:" + IMAGE_SIZE);
                assertEquals("pfn 0x" + Long.toHexString(pfn) + ": mapped at device offset " + sector * 512 +
                    "\nkill  inode " + inode + " pgoff " + ((1L << 51) - 1) + " pgcnt 1 shared far" +
                    "\nkill  inode " + near + " pgoff 0 pgcnt 1 shared near\n", page.out(), source);
                // a block no other file shares: its last byte, past the file's end, is unknown, never free
                final long alonePfn = 0x100000 + aloneSector / 8;
                assertEquals("pfn 0x" + Long.toHexString(alonePfn) + ": mapped at device offset " + aloneSector * 512 +
                    "\nkill  inode " + alone + " pgoff " + ((1L << 51) - 1) + " pgcnt 1 alone\nowner special_0:2 device " +
                    "bytes [" + (aloneSector * 512 + 4095) + ", " + (aloneSector * 512 + 4096) + ")\n",
                    CliRun.run("query", index.toString(), "--pfn", Long.toString(alonePfn), "--pagemap",
                    "0x100000000:" + IMAGE_SIZE).out(), source);
                assertEquals(far.run("xfs_io -c 'fsmap -m -d " + aloneSector + " " + (aloneSector + 7) + "' \"$MNT\""),
                    CliRun.run("query", index.toString(), "--range", aloneSector + ":" + (aloneSector + 7)).out(), source);
                // a range of the block's last byte alone names the file, as the kernel's record covers it
                final long tail = aloneSector * 512 + 4095;
                final String lastByte = CliRun.run("query", index.toString(), "--units", "bytes", "--range",
                    tail + ":" + tail).out();
                assertEquals(List.of((tail - 4095) + "," + tail + ",inode_" + alone + "_data," + (Long.MAX_VALUE - 4095) +
                    "," + Long.MAX_VALUE + ",4096"), lastByte.lines().skip(1).map(line -> line.split(",", 4)[3]).toList(),
                    source);
                // and a range after the block starts on its own sector, whatever holds it
                final CliRun after = CliRun.run("query", index.toString(), "--range", (aloneSector + 8) + ":" +
                    (aloneSector + 8));
                assertEquals(0, after.status(), source + ": " + after.err());
                if (source.equals("fsmap"))
                {
                    assertEquals(far.run("xfs_io -c 'fsmap -m -d " + (aloneSector + 8) + " " + (aloneSector + 8) +
                        "' \"$MNT\""), after.out());
                }
                else
                {
                    assertTrue(after.out().lines().skip(1).allMatch(line -> Long.parseLong(line.split(",")[3]) >=
                        aloneSector + 8), after.out());
                }
                // printed in whole units, each record as the kernel prints it
                final String range = CliRun.run("query", index.toString(), "--range", sector + ":" + (sector + 7)).out();
                assertEquals(far.run("xfs_io -c 'fsmap -m -d " + sector + " " + (sector + 7) + "' \"$MNT\""), range,
                    source);
                assertEquals(0, CliRun.run("dump", index.toString(), "--units", "blocks").status(), source);
            }
            assertEquals(kernelCsv, CliRun.run("dump", temp.resolve("far-fsmap").toString()).out());
            assertEquals(kernelVerbose, CliRun.run("dump", temp.resolve("far-fsmap").toString(), "--format",
                "fsmap-verbose").out());
            assertEquals(0, CliRun.run("verify", temp.resolve("far-fsmap").toString(), "--against",
                far.mountPoint().toString()).status());
            // the kernel's own dumps of it import, and dump as the kernel printed them
            final Path csv = temp.resolve("far.csv");
            Files.writeString(csv, kernelCsv);
            final Path verbose = temp.resolve("far-v.txt");
            Files.writeString(verbose, kernelVerbose);
            for (final String[] dump : new String[][]{{"fsmap-csv", csv.toString()}, {"fsmap-verbose", verbose.toString()}})
            {
                final Path imported = temp.resolve("far-import-" + dump[0]);
                final CliRun run = CliRun.run("import", "--format", dump[0], dump[1], "-o", imported.toString());
                assertEquals(0, run.status(), run.err());
                assertTrue(run.out().contains("  2 records reach file byte 2^63 - 1"), run.out()); // far's and alone's
                assertEquals(kernelCsv, CliRun.run("dump", imported.toString()).out(), dump[0]);
            }
            // and so do its forward maps, as xfs_io and filefrag print them
            final Path inodes = temp.resolve("far-inodes.txt");
            Files.writeString(inodes, inode + " far\n");
            for (final String command : new String[]{"xfs_io -c 'fiemap -v' far", "filefrag -v far"})
            {
                final Path text = temp.resolve("far-fiemap.txt");
                Files.writeString(text, far.run(command));
                final Path imported = temp.resolve("far-import-" + command.split(" ")[0]);
                final CliRun run = CliRun.run("import", "--format", "fiemap", "--inodes", inodes.toString(), "--device",
                    "7:0", text.toString(), "-o", imported.toString());
                assertEquals(0, run.status(), command + ": " + run.err());
                final String dumped = CliRun.run("query", imported.toString(), "--range", sector + ":" + (sector + 7)).out();
                assertTrue(dumped.contains("," + sector + "," + (sector + 7) + ",inode_" + inode + "_data," +
                    ((1L << 54) - 8) + "," + ((1L << 54) - 1) + ",8\n"), command + ": " + dumped);
            }
        }
    }

    @Test
    void shouldIndexEveryDeviceOfAnXfsWithAnExternalLog() throws IOException
    {
        try (LoopFilesystem twoDevices = LoopFilesystem.xfsWithExternalLog(IMAGE_SIZE, 16L << 20))
        {
            twoDevices.run("xfs_io -f -c 'pwrite -S 0x61 0 1m' -c fsync a >/dev/null && cp --reflink=always a b");
            twoDevices.settle();
            final Path index = temp.resolve("two-device-index");
            assertEquals(0, CliRun.run("index", twoDevices.mountPoint().toString(), "-o", index.toString()).status());
            final String kernel = twoDevices.run("xfs_io -c 'fsmap -m' \"$MNT\"");
            assertEquals(kernel, CliRun.run("dump", index.toString()).out());
            assertEquals(twoDevices.run("xfs_io -c 'fsmap -v' \"$MNT\""),
                CliRun.run("dump", index.toString(), "--format", "fsmap-verbose").out());
            assertEquals(2, kernel.lines().skip(1).map(line -> line.split(",")[1] + ":" + line.split(",")[2])
                .distinct().count(), "records on two devices");
            assertEquals(0, CliRun.run("verify", index.toString(), "--against",
                twoDevices.mountPoint().toString()).status());

            // a forward-map index holds the files' device only: the log's device is no difference
            final Path fiemap = temp.resolve("two-device-fiemap-index");
            assertEquals(0, CliRun.run("index", twoDevices.mountPoint().toString(), "-o", fiemap.toString(),
                "--source", "fiemap").status());
            final CliRun verified = CliRun.run("verify", fiemap.toString(), "--against",
                twoDevices.mountPoint().toString());
            assertEquals(0, verified.status(), verified.out());
        }
    }

    @Test
    void shouldNameAFileWhoseNameIsNotUtf8ByItsBytes() throws IOException
    {
        // the catalog keeps the bytes (as surrogate escapes), a text report prints them as ls -b does, and verify
        // --against finds the file by them: a FIEMAP index missing its data would fail. A filesystem of its own, so
        // that the shared one stays as the class's index saw it.
        try (LoopFilesystem own = LoopFilesystem.xfs(IMAGE_SIZE))
        {
            own.run("mkdir utf && printf 'data%.0s' $(seq 2000) > \"utf/$(printf 'bad\\377\\376name')\"");
            own.settle();
            final Path index = temp.resolve("not-utf8-index");
            final CliRun indexed = CliRun.run("index", own.mountPoint().toString(), "-o", index.toString(), "--source",
                "fiemap");
            assertEquals(0, indexed.status(), indexed.err());
            final String fiemap = own.run("xfs_io -c 'fiemap' \"utf/$(printf 'bad\\377\\376name')\" | sed -n 2p");
            final long firstSector = Long.parseLong(fiemap.trim().split("\\s+")[2].split("\\.\\.")[0]);
            final long pfn = (0x100000000L + firstSector * 512) / 4096;
            final CliRun page = CliRun.run("query", index.toString(), "--pfn", Long.toString(pfn), "--pagemap",
                "0x100000000:" + IMAGE_SIZE);
            assertTrue(page.out().endsWith(" pgoff 0 pgcnt 1 utf/bad\\377\\376name\n"), page.out());
            final CliRun kernel = CliRun.run("verify", index.toString(), "--against", own.mountPoint().toString());
            assertEquals(0, kernel.status(), kernel.out());
        }
    }

    @Test
    void shouldIndexExt4ThroughFiemap() throws IOException
    {
        try (LoopFilesystem ext4 = LoopFilesystem.ext4(IMAGE_SIZE))
        {
            ext4.run(Workloads.EXT4);
            ext4.settle();
            final Path index = temp.resolve("ext4-index");
            final CliRun indexed = CliRun.run("index", ext4.mountPoint().toString(), "-o", index.toString());
            assertEquals(0, indexed.status(), indexed.err());
            assertTrue(indexed.out().contains("with FIEMAP"), indexed.out());
            assertEquals(0, CliRun.run("verify", index.toString()).status());

            final String filefrag = ext4.run("filefrag -v -b4096 data/sub/b | awk '$1 == \"0:\" {print $4}'");
            final long block = Long.parseLong(filefrag.trim().replace("..", " ").split("\\s+")[0]);
            final String inode = ext4.run("stat -c %i data/sub/b").trim();
            final CliRun page = CliRun.run("query", index.toString(), "--pfn", Long.toString(0x100000 + block), "--pagemap",
                "0x100000000:" + IMAGE_SIZE);
            assertEquals("pfn 0x" + Long.toHexString(0x100000 + block) + ": mapped at device offset " + block * 4096 +
                "\nkill  inode " + inode + " pgoff 0 pgcnt 1 data/sub/b\n", page.out());

            // FIEMAP lists file data only: the superblock and the journal are unknown, never free to re-zero
            final Path regions = temp.resolve("ext4-regions.json");
            Files.writeString(regions, "{\"regions\":[{\"name\":\"pmem0\",\"physBase\":\"0x100000000\"," +
                "\"size\":" + IMAGE_SIZE + ",\"dataOffset\":0,\"partitionOffset\":0}]}");
            final long journal = Long.parseLong(ext4.run("debugfs -R 'bmap <8> 0' \"$IMG\" 2>/dev/null").trim());
            for (final long deviceOffset : new long[]{1024, journal * 4096})
            {
                final CliRun failure = CliRun.run("failure", index.toString(), "--regions", regions.toString(), "--phys",
                    "0x" + Long.toHexString(0x100000000L + deviceOffset), "--lsb", "6", "--json", "--no-processes");
                assertEquals(0, failure.status(), failure.err());
                assertTrue(failure.out().contains("\"repair\":[{\"deviceOffset\":" + deviceOffset +
                    ",\"length\":64,\"kind\":\"metadata\",\"owner\":\"special_0:2\""), failure.out());
                assertFalse(failure.out().contains("\"kind\":\"free\""), failure.out());
            }
            final CliRun inspect = CliRun.run("inspect", index.toString(), "--json");
            assertTrue(inspect.out().contains("\"free\":0,"), inspect.out());
            // the kernel names no ext4 file (GETFSMAP says unknown for file data): the data is compared by place
            final CliRun kernel = CliRun.run("verify", index.toString(), "--against", ext4.mountPoint().toString());
            assertEquals(0, kernel.status(), kernel.out());
        }
    }
}
