package io.daxrmap.cli;

import io.daxrmap.format.Captures;
import io.daxrmap.format.DeviceNumber;
import io.daxrmap.index.ChildJvm;
import io.daxrmap.index.ReverseIndex;
import io.daxrmap.model.Owner;
import io.daxrmap.store.Catalog;
import io.daxrmap.store.IndexStore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CliTest
{
    @TempDir
    static Path temp;

    private static Path index;


    @BeforeAll
    static void importCapture()
    {
        index = temp.resolve("index");
        final CliRun result = CliRun.run("import", "--format", "fsmap-verbose",
            Captures.xfsSmall("fsmap-v.txt").toString(), "-o", index.toString());
        assertEquals(0, result.status(), result.err());
        assertTrue(result.out().startsWith("imported 1296 records from 1 file(s)"), result.out());
    }

    @Test
    void shouldDumpWhatTheKernelPrintedWhenImportedFromTheVerboseCapture() throws IOException
    {
        final CliRun result = CliRun.run("dump", index.toString());
        assertEquals(0, result.status(), result.err());
        final List<String> expected = Files.readAllLines(Captures.xfsSmall("fsmap-m.csv"));
        final List<String> actual = Arrays.asList(result.out().split("\n"));
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++)
        {
            // fsmap -v prints attr-fork bmbt blocks like data-fork ones: the only information the verbose text lacks.
            final String want = expected.get(i).replace("_attr_bmbt", "_data_bmbt");
            assertEquals(want, actual.get(i), "line " + (i + 1));
        }
    }

    @Test
    void shouldAnswerRangeQueriesWithWholeOverlappingRecordsAndClippedFreeSpace()
    {
        final CliRun result = CliRun.run("query", index.toString(), "--range", "34000:34300");
        assertEquals(0, result.status(), result.err());
        assertEquals(String.join("\n",
            "EXT,MAJOR,MINOR,PSTART,PEND,OWNER,OSTART,OEND,LENGTH",
            "0,7,0,34000,34231,special_0:1,,,232",
            "1,7,0,34232,34239,inode_32900_data,2040,2047,8",
            "2,7,0,34240,34751,inode_32902_data,0,511,512",
            ""), result.out());
    }

    @Test
    void shouldListEverySharerOfAPageWithItsPgoff()
    {
        final CliRun result = CliRun.run("query", index.toString(), "--pfn", "0x100018", "--pagemap", "0x100000000:0x4000000");
        assertEquals(0, result.status(), result.err());
        assertEquals(String.join("\n",
            "pfn 0x100018: mapped at device offset 98304",
            "kill  inode 134 pgoff 0 pgcnt 1 shared",
            "kill  inode 32899 pgoff 0 pgcnt 1 shared",
            "kill  inode 32900 pgoff 0 pgcnt 1 shared",
            "kill  inode 90244 pgoff 512 pgcnt 1 shared",
            ""), result.out());
        final CliRun metadata = CliRun.run("query", index.toString(), "--pfn", "0x100000", "--pagemap",
            "0x100000000:0x4000000:0x1000", "--format", "json");
        assertEquals("{\"pfn\":1048576,\"verdict\":\"device-metadata-area\",\"deviceOffset\":null,\"kill\":[]," +
            "\"owners\":[]}\n", metadata.out());
    }

    @Test
    void shouldReadThePfnInKernelPagesWhateverThePageSize()
    {
        // 0x100200 is 2 MiB into the window, and so is 0x1003ff: one 2 MiB page, answered in 4 KiB pgoffs
        final CliRun first = CliRun.run("query", index.toString(), "--pfn", "0x100200", "--pagemap",
            "0x100000000:0x4000000", "--page-size", "2097152");
        assertEquals(0, first.status(), first.err());
        final String[] lines = first.out().split("\n");
        assertEquals("pfn 0x100200: mapped at device offset 2097152", lines[0]);
        assertTrue(lines.length > 1, first.out());
        for (int i = 1; i < lines.length; i++)
        {
            final String[] words = lines[i].trim().split(" +");
            if (words[0].equals("kill"))
            {
                assertEquals(0, Long.parseLong(words[4]) % 512, lines[i]);
                assertEquals(0, Long.parseLong(words[6]) % 512, lines[i]);
            }
        }
        final CliRun last = CliRun.run("query", index.toString(), "--pfn", "0x1003ff", "--pagemap",
            "0x100000000:0x4000000", "--page-size", "2097152");
        assertEquals(first.out().substring(first.out().indexOf('\n')), last.out().substring(last.out().indexOf('\n')));
        assertEquals(2, CliRun.run("query", index.toString(), "--pfn", "0x100200", "--pagemap",
            "0x100000000:0x4000000", "--page-size", "3000").status());
        // a 2 MiB page of a device whose data does not start on 2 MiB: no such page, said rather than judged by the
        // bytes before the window (outside-devices) or the metadata area, though the pfn is the device's first page
        assertRefused("query", index, "--page-size 2097152 needs the data start BASE_PHYS + DATA_OFFSET aligned to " +
            "it: 0x100001000 is not", "--pfn", "0x100001", "--pagemap", "0x100001000:0x20000000", "--page-size",
            "2097152");
        assertRefused("query", index, "--page-size 2097152 needs the data start BASE_PHYS + DATA_OFFSET aligned to " +
            "it: 0x100201000 is not", "--pfn", "0x100201", "--pagemap", "0x100000000:0x20200000:0x201000",
            "--page-size", "2097152");
    }

    @Test
    void shouldRefuseOptionsOfTheOtherQueryAndAnEmptyFieldAndReadAHexPageSize()
    {
        assertRefused("query", index, "--units goes with --range", "--pfn", "0x100018", "--pagemap",
            "0x100000000:0x4000000", "--units", "bytes");
        assertRefused("query", index, "--pagemap and --page-size go with --pfn", "--range", "0:7", "--pagemap",
            "0x100000000:0x4000000");
        assertRefused("query", index, "--pagemap and --page-size go with --pfn", "--range", "0:7", "--page-size",
            "2097152");
        assertRefused("query", index, "DATA_OFFSET is not a number: DATA_OFFSET=", "--pfn", "0x100018", "--pagemap",
            "0x100000000:0x4000000:");
        assertRefused("query", index, "--page-size must be a power of two from 4096 to 2^30: pageSize=0x3000",
            "--pfn", "0x100018", "--pagemap", "0x100000000:0x4000000", "--page-size", "0x3000");
        final CliRun hex = CliRun.run("query", index.toString(), "--pfn", "0x100200", "--pagemap",
            "0x100000000:0x4000000", "--page-size", "0x200000");
        assertEquals(CliRun.run("query", index.toString(), "--pfn", "0x100200", "--pagemap", "0x100000000:0x4000000",
            "--page-size", "2097152").out(), hex.out(), hex.err());
    }

    @Test
    void shouldJudgeThePfnsOwnPageAgainstTheWindowWhateverThePageSize()
    {
        // 960 MiB past a 64 MiB window, in a 1 GiB page that starts at the window's base
        assertEquals("pfn 0x13ffff: outside-devices\n", CliRun.run("query", index.toString(), "--pfn", "0x13ffff",
            "--pagemap", "0x100000000:0x4000000", "--page-size", "1073741824").out());
        // the window's last 4 KiB page is not there: one short of 64 MiB, in a 2 MiB page that starts inside
        assertEquals("pfn 0x103fff: outside-devices\n", CliRun.run("query", index.toString(), "--pfn", "0x103fff",
            "--pagemap", "0x100000000:0x3fff000", "--page-size", "2097152").out());
        assertEquals("pfn 0x103ffe: mapped", CliRun.run("query", index.toString(), "--pfn", "0x103ffe",
            "--pagemap", "0x100000000:0x3fff000", "--page-size", "2097152").out().substring(0, 20));
        // in the metadata area of a window whose 2 MiB page holding it starts before the window
        assertEquals("pfn 0x100001: device-metadata-area\n", CliRun.run("query", index.toString(), "--pfn", "0x100001",
            "--pagemap", "0x100001000:0x4000000:0x1ff000", "--page-size", "2097152").out());
    }

    @Test
    void shouldPassVerificationAndInspectWithJsonAndSvg() throws IOException
    {
        assertEquals(0, CliRun.run("verify", index.toString()).status());
        final Path svg = temp.resolve("device.svg");
        final CliRun json = CliRun.run("inspect", index.toString(), "--json", "--svg", svg.toString());
        assertEquals(0, json.status(), json.err());
        assertTrue(json.out().contains("\"records\":866"), json.out());
        assertTrue(json.out().contains("\"sharingHistogram\":{\"1\":6483968,\"2\":573440,\"3-10\":1384448,"),
            json.out());
        final String picture = Files.readString(svg);
        assertTrue(picture.startsWith("<svg") && picture.contains("shared by 3-10") && picture.contains("+4 MiB"));
    }

    @Test
    void shouldImportForwardMapsAsTheSameFileDataTheKernelReports()
    {
        final Path fromXfsIo = temp.resolve("fiemap-index");
        final Path fromFilefrag = temp.resolve("filefrag-index");
        final String inodes = Captures.xfsSmall("inodes.txt").toString();
        assertEquals(0, CliRun.run("import", "--format", "fiemap", "--inodes", inodes, "--device", "7:0",
            Captures.xfsSmall("fiemap-v.txt").toString(), "-o", fromXfsIo.toString()).status());
        assertEquals(0, CliRun.run("import", "--format", "fiemap", "--inodes", inodes, "--device", "7:0",
            Captures.xfsSmall("filefrag-v.txt").toString(), "-o", fromFilefrag.toString()).status());
        final String xfsIoDump = CliRun.run("dump", fromXfsIo.toString(), "--format", "json").out();
        assertEquals(xfsIoDump, CliRun.run("dump", fromFilefrag.toString(), "--format", "json").out());

        // Every file-data record built from forward maps is one the kernel's reverse map holds, flags included;
        // the kernel's only other data records are directories' and symlinks' blocks, which FIEMAP cannot map. The bytes
        // between the files' extents are unknown (special_0:2), not free: forward maps do not say what holds them.
        final List<String> kernel = Arrays.asList(CliRun.run("dump", index.toString(), "--format", "json").out().split("\n"));
        long records = 0;
        for (final String line : xfsIoDump.split("\n"))
        {
            assertFalse(line.contains("special_0:1"), line);
            if (!line.contains("special_0:2"))
            {
                final String withoutPath = line.replaceFirst(",\"path\":\".*\"}$", "}");
                assertTrue(kernel.contains(withoutPath), line);
                records++;
            }
        }
        // The capture's 792 data-fork records less bigdir's 4 (a directory with leaf blocks at 32 GiB) and
        // links/longlink's 1 (a remote symlink).
        assertEquals(792 - 4 - 1, records);
    }

    @Test
    void shouldRecordTheBytesNoFileMapsAsUnknownNotFreeWhenImportingForwardMaps() throws IOException
    {
        // Forward maps list file data only: the superblock, the log, the btrees, directories lie between the
        // extents. Taken as free, a failure report would advise zeroing them, and destroy the filesystem.
        final Path fromForwardMaps = temp.resolve("fiemap-gaps");
        assertEquals(0, CliRun.run("import", "--format", "fiemap", "--inodes", Captures.xfsSmall("inodes.txt").toString(),
            "--device", "7:0", Captures.xfsSmall("fiemap-v.txt").toString(), "-o", fromForwardMaps.toString()).status());
        final String dump = CliRun.run("dump", fromForwardMaps.toString()).out();
        assertFalse(dump.contains("special_0:1"), "nothing is known to be free: " + dump);
        assertTrue(dump.contains(",7,0,0,") && dump.lines().filter(line -> line.contains(",7,0,0,"))
            .allMatch(line -> line.contains("special_0:2")), "the superblock's bytes are unknown: " + dump);

        final Path regions = temp.resolve("gaps-regions.json");
        Files.writeString(regions, "{\"regions\":[{\"name\":\"pmem0\",\"physBase\":\"0x100000000\"," +
            "\"size\":\"0x4000000\",\"dataOffset\":0,\"partitionOffset\":0}]}");
        // device offset 0: the XFS superblock, which no file maps
        final CliRun failure = CliRun.run("failure", fromForwardMaps.toString(), "--regions", regions.toString(),
            "--phys", "0x100000000", "--lsb", "6", "--json", "--no-processes");
        assertEquals(0, failure.status(), failure.err());
        assertFalse(failure.out().contains("\"kind\":\"free\""), failure.out());
        assertTrue(failure.out().contains("\"repair\":[{\"deviceOffset\":0,\"length\":64,\"kind\":\"metadata\"," +
            "\"owner\":\"special_0:2\""), failure.out());
        final String text = CliRun.run("failure", fromForwardMaps.toString(), "--regions", regions.toString(),
            "--phys", "0x100000000", "--lsb", "6", "--no-processes").out();
        assertTrue(text.contains("  fatal   special_0:2 device bytes [0, 4096): unknown owner, metadata or free space: " +
            "fatal if metadata\n"), "an unknown owner is not said to shut XFS down: " + text);
        final CliRun inspect = CliRun.run("inspect", fromForwardMaps.toString(), "--json");
        assertEquals(0, inspect.status(), inspect.err());
        assertTrue(inspect.out().contains("\"free\":0,\"unknown\":"), "no byte is known to be free: " + inspect.out());
        assertTrue(CliRun.run("inspect", fromForwardMaps.toString()).out().contains("    unknown "),
            "unknown bytes are shown as unknown");
    }

        @Test
    void shouldRefuseMalformedInputWithFileLineAndField() throws IOException
    {
        final Path bad = temp.resolve("bad.csv");
        Files.writeString(bad, "EXT,MAJOR,MINOR,PSTART,PEND,OWNER,OSTART,OEND,LENGTH\n0,7,0,x,7,special_88:1,,,8\n");
        final CliRun result = CliRun.run("import", bad.toString(), "-o", temp.resolve("never").toString());
        assertEquals(2, result.status());
        assertTrue(result.err().startsWith("daxrmap import: " + bad + ":2: field PSTART"), result.err());
        assertFalse(Files.exists(temp.resolve("never").resolve(IndexStore.FILE_NAME)));
    }

    @Test
    void shouldRefuseOverlappingPrivateRecordsNamingTheirFileAndLine() throws IOException
    {
        final Path bad = temp.resolve("overlap.csv");
        Files.writeString(bad, "EXT,MAJOR,MINOR,PSTART,PEND,OWNER,OSTART,OEND,LENGTH\n" +
            "0,7,0,0,7,special_88:1,,,8\n1,7,0,4,11,inode_131_data,0,7,8\n");
        final CliRun result = CliRun.run("import", bad.toString(), "-o", temp.resolve("never2").toString());
        assertEquals(2, result.status());
        assertEquals("daxrmap import: device 7:0 refused: " + bad + ":2: only file data can share bytes: " +
            "owner=special_88:1 deviceOffset=0 length=4096 sharesAt=2048 with " + bad + ":3 owner=inode_131_data\n",
            result.err());
    }

    @Test
    void shouldNameTheFileAndLineOfEachOfTwoOverlappingRecordsFromDifferentFiles() throws IOException
    {
        final String header = "EXT,MAJOR,MINOR,PSTART,PEND,OWNER,OSTART,OEND,LENGTH\n";
        final Path first = temp.resolve("origin-a.csv");
        Files.writeString(first, header + "0,7,0,0,7,inode_131_data,0,7,8\n1,7,0,100,107,inode_132_data,0,7,8\n");
        final Path second = temp.resolve("origin-b.csv");
        Files.writeString(second, header + "0,7,0,200,207,inode_133_data,0,7,8\n1,7,0,4,11,special_88:1,,,8\n");
        final CliRun shared = CliRun.run("import", first.toString(), second.toString(), "-o",
            temp.resolve("never5").toString());
        assertEquals(2, shared.status());
        assertEquals("daxrmap import: device 7:0 refused: " + second + ":3: only file data can share bytes: " +
            "owner=special_88:1 deviceOffset=2048 length=4096 sharesAt=2048 with " + first + ":2 " +
            "owner=inode_131_data\n", shared.err());

        // one file range of an inode mapped twice, the second time in another file
        final Path twice = temp.resolve("origin-c.csv");
        Files.writeString(twice, header + "0,7,0,300,307,inode_133_data,0,7,8\n1,7,0,400,403,inode_132_data,4,7,4\n");
        final CliRun mapped = CliRun.run("import", first.toString(), twice.toString(), "-o",
            temp.resolve("never5").toString());
        assertEquals(2, mapped.status());
        assertEquals("daxrmap import: device 7:0 refused: " + twice + ":3: file range already mapped: " +
            "owner=inode_132_data fileOffset=2048 length=2048 by " + first + ":3\n", mapped.err());

        // and from a forward map: a file listed twice maps its range twice
        final Path fiemap = temp.resolve("origin.fiemap");
        Files.writeString(fiemap, "a:\n EXT: FILE-OFFSET      BLOCK-RANGE      TOTAL FLAGS\n" +
            "   0: [0..7]:           64..71              8 0x1\n" +
            "b:\n EXT: FILE-OFFSET      BLOCK-RANGE      TOTAL FLAGS\n" +
            "   0: [0..7]:           72..79              8 0x1\n" +
            "a:\n EXT: FILE-OFFSET      BLOCK-RANGE      TOTAL FLAGS\n" +
            "   0: [0..7]:           80..87              8 0x1\n");
        final CliRun listed = CliRun.run("import", "--format", "fiemap", fiemap.toString(), "-o",
            temp.resolve("never5").toString());
        assertEquals(2, listed.status());
        assertEquals("daxrmap import: device 0:0 refused: " + fiemap + ":9: file range already mapped: " +
            "owner=inode_1_data fileOffset=0 length=4096 by " + fiemap + ":3\n", listed.err());

        // and from xfs_io's table
        final Path verbose = temp.resolve("origin-v.txt");
        Files.writeString(verbose, " EXT: DEV BLOCK-RANGE       OWNER              FILE-OFFSET        AG AG-OFFSET" +
            "        TOTAL\n" +
            "   0: 7:0 [0..7]:           static fs metadata                    0  (0..7)               8\n" +
            "   1: 7:0 [4..19]:          per-AG metadata                       0  (4..19)             16\n");
        final CliRun table = CliRun.run("import", "--format", "fsmap-verbose", verbose.toString(), "-o",
            temp.resolve("never5").toString());
        assertEquals(2, table.status());
        assertEquals("daxrmap import: device 7:0 refused: " + verbose + ":2: only file data can share bytes: " +
            "owner=special_88:1 deviceOffset=0 length=4096 sharesAt=2048 with " + verbose + ":3 owner=special_88:3\n",
            table.err());
    }

    @Test
    void shouldRefuseFreeSpaceThatAnOwnerHoldsAndLeaveNoFileOpen() throws IOException
    {
        final Path bad = temp.resolve("free.csv");
        Files.writeString(bad, "EXT,MAJOR,MINOR,PSTART,PEND,OWNER,OSTART,OEND,LENGTH\n" +
            "0,7,0,0,15,special_0:1,,,16\n1,7,0,0,7,special_88:1,,,8\n2,7,0,8,15,inode_5_data,0,7,8\n");
        final Path output = temp.resolve("never3");
        final CliRun result = CliRun.run("import", bad.toString(), "-o", output.toString());
        assertEquals(2, result.status());
        assertEquals("daxrmap import: device 7:0 refused: " + bad + ":2: free space that an owner holds: " +
            "deviceOffset=0 length=8192 held by " + bad + ":3 owner=special_88:1\n", result.err());
        // the import builds beside the output, in a hidden directory named after it
        assertEquals(List.of(), openFilesNamed("never3"), "the refused import's index files are closed");

        // the same free record beside the owned ones, not over them, is taken
        final Path good = temp.resolve("free-ok.csv");
        Files.writeString(good, "EXT,MAJOR,MINOR,PSTART,PEND,OWNER,OSTART,OEND,LENGTH\n" +
            "0,7,0,16,31,special_0:1,,,16\n1,7,0,0,7,special_88:1,,,8\n2,7,0,8,15,inode_5_data,0,7,8\n");
        assertEquals(0, CliRun.run("import", good.toString(), "-o", temp.resolve("free-ok").toString()).status());

        // free space listed twice over the same bytes is refused; free records that only touch are taken
        final Path twice = temp.resolve("free-twice.csv");
        Files.writeString(twice, "EXT,MAJOR,MINOR,PSTART,PEND,OWNER,OSTART,OEND,LENGTH\n" +
            "0,7,0,0,15,special_0:1,,,16\n1,7,0,8,23,special_0:1,,,16\n");
        final CliRun overlapping = CliRun.run("import", twice.toString(), "-o", temp.resolve("never4").toString());
        assertEquals(2, overlapping.status());
        assertEquals("daxrmap import: device 7:0 refused: " + twice + ":3: free space listed twice: " +
            "deviceOffset=4096 length=8192 overlaps " + twice + ":2\n", overlapping.err());
        final Path touching = temp.resolve("free-touching.csv");
        Files.writeString(touching, "EXT,MAJOR,MINOR,PSTART,PEND,OWNER,OSTART,OEND,LENGTH\n" +
            "0,7,0,0,15,special_0:1,,,16\n1,7,0,16,23,special_0:1,,,8\n");
        assertEquals(0, CliRun.run("import", touching.toString(), "-o", temp.resolve("touching").toString()).status());
    }

    /**
     * This process's open files whose path holds a name (/proc/self/fd).
     */
    private static List<String> openFilesNamed(final String name) throws IOException
    {
        final List<String> open = new java.util.ArrayList<>();
        try (java.util.stream.Stream<Path> fds = Files.list(Path.of("/proc/self/fd")))
        {
            for (final Path fd : (Iterable<Path>)fds::iterator)
            {
                try
                {
                    final String target = Files.readSymbolicLink(fd).toString();
                    if (target.contains(name))
                    {
                        open.add(target);
                    }
                }
                catch (final IOException gone)
                {
                    // closed while listed
                }
            }
        }
        return open;
    }

    @Test
    void shouldRefuseADeviceNumberOutOfRangeRatherThanNarrowIt() throws IOException
    {
        final Path dump = temp.resolve("one.fiemap");
        Files.writeString(dump, "");
        final CliRun result = CliRun.run("import", "--format", "fiemap", "--device", "4294967303:0", dump.toString(),
            "-o", temp.resolve("never4").toString());
        assertEquals(2, result.status());
        assertTrue(result.err().contains("--device MAJOR out of range 0.." + DeviceNumber.MAX_MAJOR +
            ": device=4294967303:0"), result.err());
    }

    @Test
    void shouldRefuseAnInodesFileThatContradictsItselfOrTheForwardMapsNamingFileAndLine() throws IOException
    {
        final Path fiemap = temp.resolve("inodes-check.fiemap");
        Files.writeString(fiemap, "a:\n EXT: FILE-OFFSET      BLOCK-RANGE      TOTAL FLAGS\n" +
            "   0: [0..7]:           64..71              8 0x1\n" +
            "b:\n EXT: FILE-OFFSET      BLOCK-RANGE      TOTAL FLAGS\n" +
            "   0: [0..7]:           72..79              8 0x1\n");
        final Path inodes = temp.resolve("inodes-check.txt");

        // a path listed twice with two inodes: which one is the file's?
        Files.writeString(inodes, "128 \n131 a\n132 b\n133 a\n");
        final CliRun twice = importFiemap(inodes, fiemap);
        assertEquals(2, twice.status());
        assertEquals("daxrmap import: " + inodes + ":4: field PATH: listed before with inode 131 (line 2): \"a\"\n",
            twice.err());

        // the same path with the same inode twice says nothing new
        Files.writeString(inodes, "128 \n131 a\n132 b\n131 a\n");
        assertEquals(0, importFiemap(inodes, fiemap).status());

        // inode numbers out of range, and a path of the forward maps the inodes file lacks
        Files.writeString(inodes, "128 \n-131 a\n132 b\n");
        assertEquals("daxrmap import: " + inodes + ":2: field INODE: negative: \"-131\"\n",
            importFiemap(inodes, fiemap).err());
        Files.writeString(inodes, "128 \n131 a\n" + (Owner.MAX_INODE + 1) + " b\n");
        assertEquals("daxrmap import: " + inodes + ":3: field INODE: out of range 0.." + Owner.MAX_INODE + ": \"" +
            (Owner.MAX_INODE + 1) + "\"\n", importFiemap(inodes, fiemap).err());
        Files.writeString(inodes, "128 \n131 a\n");
        final CliRun missing = importFiemap(inodes, fiemap);
        assertEquals(2, missing.status());
        assertEquals("daxrmap import: " + fiemap + ":4: field PATH: not in the --inodes file " + inodes + ": \"b\"\n",
            missing.err());
    }

    @Test
    void shouldTakeHardLinksOfAnInodeListedUnderEachPathOnce() throws IOException
    {
        final String table = "\n EXT: FILE-OFFSET      BLOCK-RANGE      TOTAL FLAGS\n";
        final Path fiemap = temp.resolve("links.fiemap");
        Files.writeString(fiemap, "orig/a:" + table + "   0: [0..7]:           64..71              8 0x0\n" +
            "   1: [8..15]:          96..103             8 0x801\n" +
            "b:" + table + "   0: [0..7]:           72..79              8 0x1\n" +
            "links/a.hard:" + table + "   0: [0..7]:           64..71              8 0x0\n" +
            "   1: [8..15]:          96..103             8 0x801\n");
        final Path inodes = temp.resolve("links.txt");
        Files.writeString(inodes, "128 \n134 orig/a\n135 b\n134 links/a.hard\n");
        final Path output = temp.resolve("links-index");
        final CliRun result = CliRun.run("import", "--format", "fiemap", "--inodes", inodes.toString(),
            fiemap.toString(), "-o", output.toString());
        assertEquals(0, result.status(), result.err());
        assertEquals(String.join("\n",
            "EXT,MAJOR,MINOR,PSTART,PEND,OWNER,OSTART,OEND,LENGTH",
            "0,0,0,0,63,special_0:2,,,64",
            "1,0,0,64,71,inode_134_data,0,7,8",
            "2,0,0,72,79,inode_135_data,0,7,8",
            "3,0,0,80,95,special_0:2,,,16",
            "4,0,0,96,103,inode_134_data,8,15,8",
            ""), CliRun.run("dump", output.toString()).out());
        assertTrue(CliRun.run("dump", output.toString(), "--format", "json").out().contains("\"path\":\"orig/a\""));

        // a link listed with other extents than the first path: the forward maps were taken at different times
        Files.writeString(fiemap, "orig/a:" + table + "   0: [0..7]:           64..71              8 0x1\n" +
            "links/a.hard:" + table + "   0: [0..7]:           64..71              8 0x0\n" +
            "   1: [8..15]:          96..103             8 0x1\n");
        final CliRun differ = CliRun.run("import", "--format", "fiemap", "--inodes", inodes.toString(),
            fiemap.toString(), "-o", temp.resolve("never6").toString());
        assertEquals(2, differ.status());
        assertEquals("daxrmap import: " + fiemap + ":4: field PATH: a hard link of inode 134 with other extents " +
            "than at " + fiemap + ":1: \"links/a.hard\"\n", differ.err());
    }

    private static CliRun importFiemap(final Path inodes, final Path fiemap)
    {
        return CliRun.run("import", "--format", "fiemap", "--inodes", inodes.toString(), fiemap.toString(), "-o",
            temp.resolve("inodes-check-index").toString());
    }

    @Test
    void shouldReplaceAnIndexByImportingOverItAndLeaveNothingBeside() throws IOException
    {
        final String header = "EXT,MAJOR,MINOR,PSTART,PEND,OWNER,OSTART,OEND,LENGTH\n";
        final Path first = temp.resolve("first.csv");
        Files.writeString(first, header + "0,7,0,0,7,inode_131_data,0,7,8\n");
        final Path second = temp.resolve("second.csv");
        Files.writeString(second, header + "0,7,0,0,15,inode_132_data,0,15,16\n");
        final Path parent = Files.createDirectories(temp.resolve("replaced"));
        final Path output = parent.resolve("index");
        assertEquals(0, CliRun.run("import", first.toString(), "-o", output.toString()).status());
        assertTrue(CliRun.run("dump", output.toString()).out().contains("inode_131_data"));

        assertEquals(0, CliRun.run("import", second.toString(), "-o", output.toString()).status());
        final String dump = CliRun.run("dump", output.toString()).out();
        assertTrue(dump.contains("inode_132_data") && !dump.contains("inode_131_data"), dump);
        try (java.util.stream.Stream<Path> beside = Files.list(parent))
        {
            assertEquals(List.of(output), beside.toList(), "no temporary or old directory left");
        }
    }

    @Test
    void shouldRefuseCorruptIndexesWithOneLine() throws IOException
    {
        final Path copy = temp.resolve("corrupt");
        copyTree(index, copy);
        final Path file = copy.resolve(IndexStore.FILE_NAME);
        final byte[] original = Files.readAllBytes(file);

        final byte[] flipped = original.clone();
        flipped[original.length / 2] ^= 0x40;
        Files.write(file, flipped);
        assertRefused("dump", copy, file + ": checksum mismatch: ");
        assertVerifyFailed(copy, file + ": checksum mismatch: ");

        final ByteBuffer future = ByteBuffer.wrap(original.clone());
        future.putInt(8, IndexStore.VERSION_CURRENT + 1);
        final CRC32C crc = new CRC32C();
        crc.update(future.array(), 0, original.length - 4);
        future.putInt(original.length - 4, (int)crc.getValue());
        Files.write(file, future.array());
        assertRefused("dump", copy, file + ": unsupported format version: version=" +
            (IndexStore.VERSION_CURRENT + 1));
        Files.write(file, original);

        final Path catalog = copy.resolve(Catalog.FILE_NAME);
        final byte[] catalogBytes = Files.readAllBytes(catalog);
        Files.writeString(catalog, "x".repeat(5000));
        assertRefused("query", copy, catalog + ": not a catalog: ", "--range", "0:7");
        Files.write(catalog, catalogBytes);
        assertEquals(0, CliRun.run("dump", copy.toString()).status());

        final Path log = copy.resolve("device-7-0").resolve("log-1.dat");
        final byte[] logBytes = Files.readAllBytes(log);
        final byte[] flippedLog = logBytes.clone();
        flippedLog[logBytes.length / 3] ^= 0x01;
        Files.write(log, flippedLog);
        assertRefused("inspect", copy, log + ": record checksum mismatch at byte ");
        Files.write(log, logBytes);

        final Path slab = copy.resolve("device-7-0").resolve("slab-1-0.dat");
        final byte[] slabBytes = Files.readAllBytes(slab);
        int lastBlockByte = slabBytes.length - 1;
        while (slabBytes[lastBlockByte] == 0)
        {
            lastBlockByte--;
        }
        final byte[] flippedSlab = slabBytes.clone();
        flippedSlab[lastBlockByte - 3] ^= 0x08; // inside the last block the import wrote
        Files.write(slab, flippedSlab);
        assertEquals(0, CliRun.run("inspect", copy.toString()).status(), "opening does not read every block");
        assertVerifyFailed(copy, slab + ": block checksum mismatch: ");
        Files.write(slab, slabBytes);
        assertEquals(0, CliRun.run("verify", copy.toString()).status());

        try (FileChannel channel = FileChannel.open(slab, StandardOpenOption.WRITE))
        {
            channel.truncate(100);
        }
        assertVerifyFailed(copy, slab + ": header names another slab: ");

        Files.write(file, Arrays.copyOf(original, 10));
        assertRefused("dump", copy, file + ": truncated: size=10");

        assertRefused("inspect", temp, temp + ": not an index directory: no " + IndexStore.FILE_NAME);
        assertRefused("dump", temp.resolve("nothing"), temp.resolve("nothing") + ": no such index directory");
        // verify of what is no index at all is bad input, not a failed verification
        assertRefused("verify", temp, temp + ": not an index directory: no " + IndexStore.FILE_NAME);
        assertRefused("verify", temp.resolve("nothing"), temp.resolve("nothing") + ": no such index directory");
    }

    @Test
    void shouldReportADamagedCatalogAsDamageAndLeaveItAsItWas() throws IOException
    {
        final Path directory = temp.resolve("catalog-damage");
        assertEquals(0, CliRun.run("import", "--format", "fiemap", "--inodes",
            Captures.xfsSmall("inodes.txt").toString(), "--device", "7:0", Captures.xfsSmall("fiemap-v.txt").toString(),
            "-o", directory.toString()).status());
        assertTrue(CliRun.run("dump", directory.toString(), "--format", "json").out().contains("\"path\":\""),
            "the catalog names the files");
        final Path catalog = directory.resolve(Catalog.FILE_NAME);
        final byte[] original = Files.readAllBytes(catalog);

        // emptied: reading must not make a new, empty map of it and pass
        Files.write(catalog, new byte[0]);
        assertVerifyFailed(directory, catalog + ": empty");
        assertEquals(0, Files.size(catalog), "verify left the catalog as it was");
        assertRefused("dump", directory, catalog + ": empty", "--format", "json");
        assertEquals(0, Files.size(catalog), "dump left the catalog as it was");

        // one byte short of what was written: Chronicle Map would grow it back to its size and pass
        final byte[] short1 = Arrays.copyOf(original, original.length - 1);
        Files.write(catalog, short1);
        assertVerifyFailed(directory, catalog + ": mis-sized: size=" + short1.length);
        assertArrayEquals(short1, Files.readAllBytes(catalog), "left as it was");

        // cut short at a page boundary, with the header intact
        final byte[] half = Arrays.copyOf(original, 4096);
        Files.write(catalog, half);
        assertVerifyFailed(directory, catalog + ": truncated: size=4096");
        assertArrayEquals(half, Files.readAllBytes(catalog), "left as it was");

        // cut inside the first bytes: refused at once, not after waiting for a writer to finish the header
        Files.write(catalog, Arrays.copyOf(original, 10));
        assertVerifyFailed(directory, catalog + ": truncated: size=10");
        assertEquals(10, Files.size(catalog));

        // every index has a catalog, if only an empty one: none is damage, and none is made
        Files.delete(catalog);
        assertVerifyFailed(directory, catalog + ": missing");
        assertRefused("query", directory, catalog + ": missing", "--range", "0:7");
        assertFalse(Files.exists(catalog), "no catalog made");

        Files.write(catalog, original);
        assertEquals(0, CliRun.run("verify", directory.toString()).status());
        assertTrue(CliRun.run("dump", directory.toString(), "--format", "json").out().contains("\"path\":\""));
    }

    /**
     * Verify found the index damaged: exit 1, the damage in one line on stderr and the verdict on stdout.
     */
    private static void assertVerifyFailed(final Path directory, final String messageStart)
    {
        final CliRun result = CliRun.run("verify", directory.toString());
        assertEquals(1, result.status(), result.err());
        final String prefix = "daxrmap verify: ";
        assertTrue(result.err().startsWith(prefix + messageStart), result.err());
        assertEquals(1, result.err().split("\n").length, "one line: " + result.err());
        assertEquals(directory + ": FAILED, damaged: " + result.err().substring(prefix.length()), result.out());
    }

    @Test
    void shouldCreateIndexFilesReadableByTheOwnerOnly() throws IOException
    {
        try (Stream<Path> files = Files.walk(index))
        {
            for (final Path file : (Iterable<Path>)files::iterator)
            {
                assertEquals(Files.isDirectory(file) ? "rwx------" : "rw-------",
                    PosixFilePermissions.toString(Files.getPosixFilePermissions(file)), file.toString());
            }
        }
    }

    @Test
    void shouldLeaveNoHalfIndexWhenAnImportFails() throws IOException
    {
        final Path target = temp.resolve("kept");
        assertEquals(0, CliRun.run("import", Captures.xfsSmall("fsmap-m.csv").toString(), "-o", target.toString())
            .status());
        final String before = CliRun.run("dump", target.toString()).out();
        final Path bad = temp.resolve("late-error.csv");
        Files.writeString(bad, "EXT,MAJOR,MINOR,PSTART,PEND,OWNER,OSTART,OEND,LENGTH\n" +
            "0,7,0,0,7,special_88:1,,,8\n1,7,0,4,11,inode_131_data,0,7,8\n");
        assertEquals(2, CliRun.run("import", bad.toString(), "-o", target.toString()).status());
        assertEquals(before, CliRun.run("dump", target.toString()).out(), "the previous index is intact");
        try (Stream<Path> siblings = Files.list(temp))
        {
            assertTrue(siblings.noneMatch(p -> p.getFileName().toString().startsWith(".kept.")),
                "no temporary directory left behind");
        }
    }

    @Test
    void shouldDumpConsistentSnapshotsWhileAWriterUpdatesTheIndex() throws Exception
    {
        final Path live = temp.resolve("live");
        copyTree(index, live);
        final Path device = live.resolve("device-7-0");
        final String before = CliRun.run("dump", live.toString()).out();
        final String after;
        try (ReverseIndex writer = ReverseIndex.open(device))
        {
            // Toggle a 64 KiB file in and out of free space found in the capture: sectors 37248.. are free.
            final long free = 37248L * 512;
            writer.newBatch().map(Owner.data(999_999), 0, free, 65536, 0).commit();
            after = CliRun.run("dump", live.toString()).out();
            writer.newBatch().unmap(Owner.data(999_999), 0, 65536).commit();
            assertEquals(before, CliRun.run("dump", live.toString()).out());
            final AtomicBoolean stop = new AtomicBoolean();
            final AtomicLong batches = new AtomicLong();
            final Thread toggler = new Thread(() ->
            {
                while (!stop.get())
                {
                    writer.newBatch().map(Owner.data(999_999), 0, free, 65536, 0).commit();
                    writer.newBatch().unmap(Owner.data(999_999), 0, 65536).commit();
                    batches.addAndGet(2);
                }
            });
            toggler.start();
            try
            {
                for (int i = 0; i < 40; i++)
                {
                    final String dump = CliRun.run("dump", live.toString()).out();
                    assertTrue(dump.equals(before) || dump.equals(after), "a dump mixed two snapshots");
                }
            }
            finally
            {
                stop.set(true);
                toggler.join();
            }
            assertTrue(batches.get() > 0);
        }
        assertTrue(after.contains("inode_999999_data,0,127,128"), after);
        assertEquals(before, CliRun.run("dump", live.toString()).out());
    }

    @Test
    void shouldWarnThatACsvImportJoinedRecordsTheKernelKeptApart() throws IOException
    {
        // the capture's fsmap -m lists three records of files that touch the next one of the same file in device and
        // file offsets: kept apart by the unwritten flag (fsmap -v shows it), which the CSV does not carry
        final CliRun csv = CliRun.run("import", "--format", "fsmap-csv", Captures.xfsSmall("fsmap-m.csv").toString(),
            "-o", temp.resolve("from-csv").toString());
        assertEquals(0, csv.status(), csv.err());
        assertTrue(csv.out().startsWith("imported 1296 records from 1 file(s)"), csv.out());
        assertTrue(csv.err().startsWith("daxrmap import: warning: 1296 records read are 1293 in the index (unknown " +
            "ones not counted): records of one owner that touch in device and file offsets were joined (fsmap -m has " +
            "no flags column"), csv.err());
        assertEquals(1, csv.err().split("\n").length, csv.err());
        assertEquals(1293, CliRun.run("dump", temp.resolve("from-csv").toString()).out().split("\n").length - 1);

        final CliRun verbose = CliRun.run("import", "--format", "fsmap-verbose",
            Captures.xfsSmall("fsmap-v.txt").toString(), "-o", temp.resolve("from-verbose").toString());
        assertEquals(0, verbose.status(), verbose.err());
        assertEquals("", verbose.err(), "the flags kept every record apart");

        // a gap no record lists becomes an unknown record of the index's own: it must not hide the join
        final Path gap = temp.resolve("gap.csv");
        Files.writeString(gap, "EXT,MAJOR,MINOR,PSTART,PEND,OWNER,OSTART,OEND,LENGTH\n0,7,0,0,7,special_0:1,,,8\n" +
            "1,7,0,8,15,inode_131_data,0,7,8\n2,7,0,16,23,inode_131_data,8,15,8\n3,7,0,32,39,special_0:1,,,8\n");
        final CliRun masked = CliRun.run("import", gap.toString(), "-o", temp.resolve("from-gap").toString());
        assertEquals(0, masked.status(), masked.err());
        assertTrue(masked.err().startsWith("daxrmap import: warning: 4 records read are 3 in the index (unknown ones " +
            "not counted)"), masked.err());
    }

    @Test
    void shouldRefuseJsonInUnitsTheRecordsAreNotWholeIn() throws IOException
    {
        final Path csv = temp.resolve("sectors.csv");
        Files.writeString(csv, "EXT,MAJOR,MINOR,PSTART,PEND,OWNER,OSTART,OEND,LENGTH\n" +
            "0,7,0,0,3,special_0:1,,,4\n1,7,0,4,5,inode_131_data,0,1,2\n2,7,0,6,7,special_0:1,,,2\n");
        final Path imported = temp.resolve("sectors");
        assertEquals(0, CliRun.run("import", csv.toString(), "-o", imported.toString()).status());
        final CliRun sectors = CliRun.run("dump", imported.toString(), "--format", "json");
        assertEquals(0, sectors.status(), sectors.err());
        assertTrue(sectors.out().contains("\"start\":4,\"length\":2,\"units\":\"sectors\",\"owner\":\"inode_131_data\"," +
            "\"fileOffset\":0"), sectors.out());
        assertRefused("dump", imported, "record not in whole units: deviceOffset=0 length=2048 fileOffset=0 " +
            "unit=4096", "--format", "json", "--units", "blocks");
    }

    @Test
    void shouldSayThatAnIndexWithoutDevicesHasNothingToDraw() throws IOException
    {
        final Path csv = temp.resolve("empty.csv");
        Files.writeString(csv, "EXT,MAJOR,MINOR,PSTART,PEND,OWNER,OSTART,OEND,LENGTH\n");
        final Path imported = temp.resolve("empty");
        assertEquals(0, CliRun.run("import", csv.toString(), "-o", imported.toString()).status());
        final Path svg = temp.resolve("empty.svg");
        assertRefused("inspect", imported, "--svg draws the data device, and this index has none: index=" + imported,
            "--svg", svg.toString());
        assertFalse(Files.exists(svg));
        assertEquals(0, CliRun.run("inspect", imported.toString()).status(), "inspect without --svg still works");
    }

    @Test
    void shouldVerifyFileDataAtTheTopOfTheFileOffsets() throws IOException
    {
        // XFS files reach 2^63 - 1 bytes: blocks ending at 2^62, past it, and at the last whole block
        final Path csv = temp.resolve("top.csv");
        final long top = Long.MAX_VALUE / 512 / 8 * 8; // the last whole 4 KiB block's end, in sectors
        Files.writeString(csv, "EXT,MAJOR,MINOR,PSTART,PEND,OWNER,OSTART,OEND,LENGTH\n" +
            "0,7,0,0,7,inode_131_data," + ((1L << 53) - 8) + "," + ((1L << 53) - 1) + ",8\n" +
            "1,7,0,8,15,inode_132_data," + (1L << 53) + "," + ((1L << 53) + 7) + ",8\n" +
            "2,7,0,16,23,inode_133_data," + (top - 8) + "," + (top - 1) + ",8\n");
        final Path imported = temp.resolve("top");
        assertEquals(0, CliRun.run("import", csv.toString(), "-o", imported.toString()).status());
        final CliRun verified = CliRun.run("verify", imported.toString());
        assertEquals(0, verified.status(), verified.out() + verified.err());
    }

    @Test
    void shouldRefuseAnIndexFileNamingADeviceTwiceBeforeOpeningAnyDevice() throws IOException
    {
        final Path copy = temp.resolve("twice");
        copyTree(index, copy);
        final Path file = copy.resolve(IndexStore.FILE_NAME);
        final ByteBuffer original = ByteBuffer.wrap(Files.readAllBytes(file));
        assertEquals(1, original.getInt(12), "the capture's index has one device");
        // magic, version, count, the device: the same device listed once more, the count and checksum made to agree
        final ByteBuffer twice = ByteBuffer.allocate(original.capacity() + Integer.BYTES);
        twice.put(original.array(), 0, 16).putInt(original.getInt(16))
            .put(original.array(), 16, original.capacity() - 16 - Integer.BYTES);
        twice.putInt(12, 2);
        final CRC32C crc = new CRC32C();
        crc.update(twice.array(), 0, twice.capacity() - Integer.BYTES);
        twice.putInt(twice.capacity() - Integer.BYTES, (int)crc.getValue());
        Files.write(file, twice.array());
        assertRefused("dump", copy, file + ": inconsistent: device named twice: device=7:0");
    }

    private static void assertRefused(
        final String command, final Path directory, final String messageStart, final String... options)
    {
        final String[] args = new String[2 + options.length];
        args[0] = command;
        args[1] = directory.toString();
        System.arraycopy(options, 0, args, 2, options.length);
        final CliRun result = CliRun.run(args);
        assertEquals(2, result.status(), result.err());
        final String prefix = "daxrmap " + command + ": ";
        assertTrue(result.err().startsWith(prefix + messageStart), result.err());
        assertEquals(1, result.err().split("\n").length, "one line: " + result.err());
    }

    private static void copyTree(final Path from, final Path to) throws IOException
    {
        try (Stream<Path> files = Files.walk(from))
        {
            for (final Path file : (Iterable<Path>)files::iterator)
            {
                Files.copy(file, to.resolve(from.relativize(file).toString()));
            }
        }
    }

    @Test
    void shouldSayInOneLineThatAnImportOutgrewTheHeapAndExitTwo() throws Exception
    {
        // 300,000 records; 16 MiB of heap holds some 20,000 to 50,000 while they are collected
        final Path big = temp.resolve("too-big-for-the-heap.csv");
        try (BufferedWriter writer = Files.newBufferedWriter(big, StandardCharsets.UTF_8))
        {
            writer.write("EXT,MAJOR,MINOR,PSTART,PEND,OWNER,OSTART,OEND,LENGTH\n");
            for (long i = 0; i < 300_000; i++)
            {
                writer.write(i + ",7,0," + 8 * i + "," + (8 * i + 7) + ",inode_" + (128 + i) + "_data,0,7,8\n");
            }
        }
        final Path output = temp.resolve("too-big");
        final List<String> command = ChildJvm.command(List.of("-Xmx16m"), Main.class, "import", big.toString(), "-o",
            output.toString());
        assertTrue(command.contains("-Dchronicle.analytics.disable=true"), "every JVM we start disables analytics");
        final Process child = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        final String err = new String(child.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, child.exitValue(), "too big for the heap given is bad input, not a failed verification: " + err);
        assertTrue(err.startsWith("daxrmap import: out of memory: Java heap space"), err);
        assertTrue(err.contains("DAXRMAP_JAVA_OPTS=-Xmx"), "names what the launcher passes to java: " + err);
        assertEquals(1, err.split("\n").length, "one line, no stack trace: " + err);
        assertFalse(Files.exists(output), "no index left");
    }

    @Test
    void shouldWriteAMessageOfSeveralLinesAsOne()
    {
        assertEquals("map: Attempt to allocate #2 extra segment tier.\\nPossible reasons include:\\r\\n  - the map " +
            "is too small", Main.oneLine("map: Attempt to allocate #2 extra segment tier.\nPossible reasons include:" +
            "\r\n  - the map is too small\n"));
        assertEquals("cannot open /tmp/no\\nsuch", Main.oneLine("cannot open /tmp/no\nsuch"), "a path stays readable");
        assertEquals("one line", Main.oneLine("one line"));
        final CliRun run = CliRun.run("dump", index.toString(), "--units", "a\nb");
        assertEquals(2, run.status());
        assertEquals(1, run.err().split("\n").length, "one line, the hint in it: " + run.err());
        assertTrue(run.err().startsWith("daxrmap dump: ") && run.err().endsWith(" (see 'daxrmap dump --help')\n"),
            run.err());
        final CliRun unknown = CliRun.run("frob");
        assertEquals(2, unknown.status());
        assertTrue(unknown.err().startsWith("daxrmap: ") && unknown.err().endsWith(" (see 'daxrmap --help')\n"),
            unknown.err());
        assertEquals(1, unknown.err().split("\n").length, unknown.err());
    }

    @Test
    void shouldAdviseALargerHeapOnlyWhereTheHeapRanOut()
    {
        assertTrue(Main.outOfMemory(new OutOfMemoryError("GC overhead limit exceeded")).contains("-Xmx"));
        assertTrue(Main.outOfMemory(new OutOfMemoryError("Direct buffer memory")).contains("MaxDirectMemorySize"));
        for (final String other : List.of("unable to create native thread: possibly out of memory or process/resource " +
            "limits reached", "Requested array size exceeds VM limit", "mmap of 1073741824 bytes failed: errno=12"))
        {
            assertEquals("out of memory: " + other, Main.outOfMemory(new OutOfMemoryError(other)));
        }
    }

    @Test
    void shouldTakeARangeToTheEndOfEverythingAsXfsIoDoes()
    {
        // the device ends at sector 131071; xfs_io's fsmap -d takes any END past it, up to 2^64 - 1
        final String toDeviceEnd = CliRun.run("query", index.toString(), "--range", "107000:131071").out();
        assertTrue(toDeviceEnd.endsWith(",7,0,107960,131071,special_0:1,,,23112\n"), toDeviceEnd);
        for (final String end : List.of("18014398509481983", "9223372036854775807", "18446744073709551615",
            "0x8000000000000000", "0xFFFFFFFFFFFFFFFF", "0x1FFFFFFFFFFFFFFFF"))
        {
            final CliRun run = CliRun.run("query", index.toString(), "--range", "107000:" + end);
            assertEquals(0, run.status(), run.err());
            assertEquals(toDeviceEnd, run.out(), "free space clipped at the device's end, not at the range's: " + end);
        }
        assertEquals(CliRun.run("query", index.toString(), "--units", "bytes", "--range", "54784000:67108863").out(),
            CliRun.run("query", index.toString(), "--units", "bytes", "--range", "54784000:9223372036854775807").out());
        for (final String bad : List.of("+5:10", "5:\u0661\u0662", "-1:5", "0x:5"))
        {
            assertEquals(2, CliRun.run("query", index.toString(), "--range", bad).status(), bad);
        }
        for (final String past : List.of("18446744073709551615:18446744073709551615", "0xFFFFFFFFFFFFFFFF:0xFFFFFFFFFFFFFFFF"))
        {
            final CliRun run = CliRun.run("query", index.toString(), "--range", past);
            assertEquals(0, run.status(), run.err());
            assertEquals("", run.out(), "nothing past the device, as xfs_io prints nothing: " + past);
            assertEquals("daxrmap query: no records: the range starts past the data device's end (67108864 bytes)\n",
                run.err(), past);
        }
        final CliRun dumpPast = CliRun.run("dump", index.toString(), "--range", "131072:131072");
        assertEquals("", dumpPast.out());
        assertEquals("daxrmap dump: no records: the range starts past the data device's end (67108864 bytes)\n",
            dumpPast.err());
        final CliRun lastSector = CliRun.run("query", index.toString(), "--range", "131071:131071");
        assertEquals("", lastSector.err(), "the last sector is in the device");
        assertTrue(lastSector.out().endsWith("\n0,7,0,131071,131071,special_0:1,,,1\n"), "free space clipped: " +
            lastSector.out());
        // a pfn is a number, never a hex one taken negative
        final CliRun pfn = CliRun.run("query", index.toString(), "--pfn", "0xFFFFFFFFFFFFFFFF", "--pagemap",
            "0x100000000:0x4000000");
        assertEquals(2, pfn.status(), pfn.out());
        assertTrue(pfn.err().startsWith("daxrmap query: pfn is out of range: pfn=0xFFFFFFFFFFFFFFFF"), pfn.err());
    }

    @Test
    void shouldSayWhyARangeOfAnIndexWithoutDevicesHasNoRecords() throws IOException
    {
        final Path empty = temp.resolve("header-only.csv");
        Files.writeString(empty, "EXT,MAJOR,MINOR,PSTART,PEND,OWNER,OSTART,OEND,LENGTH\n");
        final Path directory = temp.resolve("no-devices");
        assertEquals(0, CliRun.run("import", "--format", "fsmap-csv", empty.toString(), "-o", directory.toString())
            .status());
        final CliRun run = CliRun.run("query", directory.toString(), "--range", "0:7");
        assertEquals(0, run.status(), run.err());
        assertEquals("", run.out());
        assertEquals("daxrmap query: no records: the index has no data device\n", run.err());
    }

    @Test
    void shouldExitTwoOnBadUsage()
    {
        assertEquals(2, CliRun.run("query", index.toString()).status());
        assertEquals(2, CliRun.run("dump", index.toString(), "--units", "furlongs").status());
        assertEquals(2, CliRun.run("nosuchcommand").status());
        assertEquals(2, CliRun.run("query", index.toString(), "--range", "9:3").status());
    }
}
