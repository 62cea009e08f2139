package io.daxrmap.cli;

import io.daxrmap.format.Captures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code daxrmap import --format fiemap --device-size BYTES}: forward maps do not say how big the device is, so the
 * bytes past the last extent exist only if the user says so, and then as unknown, as every byte no file maps.
 */
class ImportDeviceSizeTest
{
    private static final String TABLE = "\n EXT: FILE-OFFSET      BLOCK-RANGE      TOTAL FLAGS\n";
    private static final String HEADER = "EXT,MAJOR,MINOR,PSTART,PEND,OWNER,OSTART,OEND,LENGTH\n";

    @TempDir
    Path temp;

    private Path forwardMaps() throws IOException
    {
        final Path fiemap = temp.resolve("two.fiemap");
        Files.writeString(fiemap, "a:" + TABLE + "   0: [0..7]:           64..71              8 0x1\n" +
            "b:" + TABLE + "   0: [0..7]:           96..103             8 0x0\n" +
            "   1: [8..15]:          200..207            8 0x1\n");
        return fiemap;
    }

    @Test
    void shouldHoldTheBytesPastTheLastExtentAsUnknownWhenGivenTheDeviceSize() throws IOException
    {
        final Path index = temp.resolve("sized");
        final CliRun result = CliRun.run("import", "--format", "fiemap", "--device-size", "131072",
            forwardMaps().toString(), "-o", index.toString());
        assertEquals(0, result.status(), result.err());
        assertEquals(HEADER +
            "0,0,0,0,63,special_0:2,,,64\n" +
            "1,0,0,64,71,inode_1_data,0,7,8\n" +
            "2,0,0,72,95,special_0:2,,,24\n" +
            "3,0,0,96,103,inode_2_data,0,7,8\n" +
            "4,0,0,104,199,special_0:2,,,96\n" +
            "5,0,0,200,207,inode_2_data,8,15,8\n" +
            "6,0,0,208,255,special_0:2,,,48\n", CliRun.run("dump", index.toString()).out());

        // past the last extent up to the device's end: unknown, as GETFSMAP's FMR_OWN_UNKNOWN, never free; clipped to
        // the range, as the kernel's missing owner is
        final CliRun tail = CliRun.run("query", index.toString(), "--range", "250:255");
        assertEquals(0, tail.status(), tail.err());
        assertEquals(HEADER + "0,0,0,250,255,special_0:2,,,6\n", tail.out());
        final CliRun json = CliRun.run("query", index.toString(), "--range", "250:255", "--format", "json");
        assertTrue(json.out().contains("\"owner\":\"special_0:2\""), json.out());

        final CliRun inspect = CliRun.run("inspect", index.toString(), "--json");
        assertEquals(0, inspect.status(), inspect.err());
        assertTrue(inspect.out().contains("\"size\":131072,"), inspect.out());
        assertTrue(inspect.out().contains("\"free\":0,\"unknown\":118784,"), inspect.out());
        assertTrue(inspect.out().contains("\"private data\":12288,"), inspect.out());

        // a device page past the last extent is no file's and no free space's: nothing to kill, an unknown owner
        final CliRun page = CliRun.run("query", index.toString(), "--pfn", "0x10001f", "--pagemap",
            "0x100000000:0x20000", "--format", "json");
        assertEquals(0, page.status(), page.err());
        assertTrue(page.out().contains("\"deviceOffset\":126976,\"kill\":[]"), page.out());
        assertTrue(page.out().contains("special_0:2"), page.out());

        // a poisoned cacheline there is in the filesystem, of an unknown owner: nothing to re-zero as free space
        final Path regions = temp.resolve("regions.json");
        Files.writeString(regions, "{\"regions\":[{\"name\":\"pmem0\",\"physBase\":\"0x100000000\"," +
            "\"size\":131072,\"dataOffset\":0}]}");
        final CliRun failure = CliRun.run("failure", index.toString(), "--regions", regions.toString(), "--phys",
            "0x10001f040", "--lsb", "6", "--json");
        assertEquals(0, failure.status(), failure.err());
        assertTrue(failure.out().contains("\"verdict\":\"mapped\""), failure.out());
        assertTrue(failure.out().contains("\"repair\":[{\"deviceOffset\":127040,\"length\":64,\"kind\":" +
            "\"metadata\",\"owner\":\"special_0:2\""), failure.out());
    }

    @Test
    void shouldEndTheDeviceAtTheLastExtentWithoutTheDeviceSize() throws IOException
    {
        final Path index = temp.resolve("unsized");
        assertEquals(0, CliRun.run("import", "--format", "fiemap", forwardMaps().toString(), "-o",
            index.toString()).status());
        assertTrue(CliRun.run("inspect", index.toString(), "--json").out().contains("\"size\":106496,"));
        // as xfs_io prints nothing, not even the header, for a range past the device's end
        final CliRun past = CliRun.run("query", index.toString(), "--range", "250:255");
        assertEquals(0, past.status(), past.err());
        assertEquals("", past.out());
    }

    @Test
    void shouldMatchTheKernelsDeviceEndWhenGivenTheCapturedDeviceSize() throws IOException
    {
        final String size = Files.readAllLines(Captures.xfsSmall("geometry.txt")).stream()
            .filter(line -> line.startsWith("device-size-bytes=")).findFirst().orElseThrow().substring(18);
        final Path index = temp.resolve("capture");
        final CliRun result = CliRun.run("import", "--format", "fiemap", "--inodes",
            Captures.xfsSmall("inodes.txt").toString(), "--device", "7:0", "--device-size", size,
            Captures.xfsSmall("fiemap-v.txt").toString(), "-o", index.toString());
        assertEquals(0, result.status(), result.err());
        // the kernel's last record: free space from sector 107960 to the end of the device, 131071
        final String kernel = Files.readAllLines(Captures.xfsSmall("fsmap-m.csv")).stream()
            .reduce((first, second) -> second).orElseThrow();
        assertEquals("1295,7,0,107960,131071,special_0:1,,,23112", kernel);
        final String dump = CliRun.run("dump", index.toString()).out();
        assertTrue(dump.endsWith(",7,0,107960,131071,special_0:2,,,23112\n"), dump);
    }

    @Test
    void shouldTakeTheDeviceSizeInHexAsTheOtherNumbers() throws IOException
    {
        final Path index = temp.resolve("hex");
        final CliRun result = CliRun.run("import", "--format", "fiemap", "--device-size", "0x20000",
            forwardMaps().toString(), "-o", index.toString());
        assertEquals(0, result.status(), result.err());
        assertTrue(CliRun.run("inspect", index.toString(), "--json").out().contains("\"size\":131072,"));
    }

    @Test
    void shouldTakeADeviceSizeThatEndsWhereTheLastExtentEnds() throws IOException
    {
        final Path index = temp.resolve("exact");
        final CliRun result = CliRun.run("import", "--format", "fiemap", "--device-size", "106496",
            forwardMaps().toString(), "-o", index.toString());
        assertEquals(0, result.status(), result.err());
        assertTrue(CliRun.run("inspect", index.toString(), "--json").out().contains("\"size\":106496,"));
    }

    @Test
    void shouldRefuseADeviceSizeBelowTheEndOfAnExtentNamingItsLine() throws IOException
    {
        final Path fiemap = forwardMaps();
        final Path index = temp.resolve("short");
        // 102400: one block short of the end of b's second extent, line 7
        final CliRun result = CliRun.run("import", "--format", "fiemap", "--device-size", "102400",
            fiemap.toString(), "-o", index.toString());
        assertEquals(2, result.status());
        assertEquals("daxrmap import: " + fiemap + ":7: extent at device bytes [102400, 106496) ends past " +
            "--device-size 102400\n", result.err());
        assertFalse(Files.exists(index), "nothing written");
    }

    @Test
    void shouldRefuseADeviceSizeBelowTheEndOfAFilefragExtentNamingItsLine() throws IOException
    {
        final Path filefrag = temp.resolve("one.filefrag");
        Files.writeString(filefrag, "Filesystem type is: 58465342\n" +
            "File size of a is 8192 (2 blocks of 4096 bytes)\n" +
            " ext:     logical_offset:        physical_offset: length:   expected: flags:\n" +
            "   0:        0..       1:         24..        25:      2:             last,eof\n" +
            "a: 1 extent found\n");
        final CliRun result = CliRun.run("import", "--format", "fiemap", "--device-size", "65536",
            filefrag.toString(), "-o", temp.resolve("never").toString());
        assertEquals(2, result.status());
        assertEquals("daxrmap import: " + filefrag + ":4: extent at device bytes [98304, 106496) ends past " +
            "--device-size 65536\n", result.err());
    }

    @Test
    void shouldRefuseADeviceSizeThatIsNoPositiveNumber() throws IOException
    {
        final String fiemap = forwardMaps().toString();
        final String index = temp.resolve("never").toString();
        final CliRun words = CliRun.run("import", "--format", "fiemap", "--device-size", "64k", fiemap, "-o", index);
        assertEquals(2, words.status());
        assertEquals("daxrmap import: --device-size is not a number: --device-size=64k\n", words.err());
        final CliRun zero = CliRun.run("import", "--format", "fiemap", "--device-size", "0", fiemap, "-o", index);
        assertEquals(2, zero.status());
        assertEquals("daxrmap import: --device-size must be positive: --device-size=0\n", zero.err());
        final CliRun wrapped = CliRun.run("import", "--format", "fiemap", "--device-size", "0xffffffffffffffff", fiemap,
            "-o", index);
        assertEquals(2, wrapped.status());
        assertEquals("daxrmap import: --device-size is out of range: --device-size=0xffffffffffffffff\n",
            wrapped.err(), "2^64 - 1 in hex, as in decimal: never taken as -1");
    }

    @Test
    void shouldRefuseTheDeviceSizeForAnFsmapDumpThatListsItsDevicesWhole() throws IOException
    {
        final Path csv = temp.resolve("one.csv");
        Files.writeString(csv, HEADER + "0,7,0,0,7,inode_131_data,0,7,8\n");
        for (final String format : new String[]{"fsmap-csv", "fsmap-verbose"})
        {
            final Path index = temp.resolve("never-" + format);
            final CliRun result = CliRun.run("import", "--format", format, "--device-size", "131072", csv.toString(),
                "-o", index.toString());
            assertEquals(2, result.status(), format);
            assertTrue(result.err().startsWith("daxrmap import: --device-size is for --format fiemap only"), result.err());
            assertFalse(Files.exists(index), format);
        }
        assertTrue(CliRun.run("import", "--help").out().contains("--device-size"));
    }

    @Test
    void shouldRefuseEveryFiemapOptionForAnFsmapDumpRatherThanIgnoreIt() throws IOException
    {
        final Path csv = temp.resolve("other.csv");
        Files.writeString(csv, HEADER + "0,7,0,0,7,inode_131_data,0,7,8\n");
        final Path inodes = temp.resolve("inodes.txt");
        Files.writeString(inodes, "131 a\n");
        final String[][] options = {{"--inodes", inodes.toString()}, {"--device", "7:0"}, {"--device", "0:0"}};
        for (final String[] option : options)
        {
            final Path index = temp.resolve("never-other");
            final CliRun result = CliRun.run("import", "--format", "fsmap-csv", option[0], option[1], csv.toString(),
                "-o", index.toString());
            assertEquals(2, result.status(), option[0]);
            assertTrue(result.err().startsWith("daxrmap import: " + option[0] + " is for --format fiemap only"), result.err());
            assertFalse(Files.exists(index), option[0]);
        }
        assertEquals(0, CliRun.run("import", "--format", "fsmap-csv", csv.toString(), "-o",
            temp.resolve("plain").toString()).status());
    }

    // --device-size past what an index holds, or not a whole number of blocks: refused before anything is read,
    // naming the option, never blamed on a line of the input

    /** The largest device an index holds, in whole 4096-byte blocks: 2^56 - 4096 bytes. */
    private static final long LARGEST = (1L << 56) - 4096;

    @Test
    void shouldRefuseADeviceSizePastWhatAnIndexHoldsNamingTheOptionAndTheLimit() throws IOException
    {
        final String fiemap = forwardMaps().toString();
        for (final String size : new String[]{"0x7fffffffffffffff", "0x7ffffffffffff000", "0x100000000000000",
            Long.toString(LARGEST + 4096), "9223372036854775807"})
        {
            final Path index = temp.resolve("never");
            final CliRun result = CliRun.run("import", "--format", "fiemap", "--device-size", size, fiemap, "-o",
                index.toString());
            assertEquals(2, result.status(), size);
            assertEquals("daxrmap import: --device-size is larger than an index holds: at most " + LARGEST +
                " bytes with --block-size 4096: --device-size=" + size + "\n", result.err(), size);
            assertFalse(Files.exists(index), size);
        }
    }

    @Test
    void shouldTakeTheLargestDeviceSizeAnIndexHolds() throws IOException
    {
        // the option only: an index of a device that large takes gigabytes of stripe directory to write
        assertEquals(LARGEST, new FiemapImport(null, "0:0", Long.toString(LARGEST), 4096,
            new ImportCommand.Unaligned()).deviceSize());
        assertEquals(LARGEST, new FiemapImport(null, "0:0", "0x" + Long.toHexString(LARGEST), 4096,
            new ImportCommand.Unaligned()).deviceSize());
    }

    @Test
    void shouldRefuseADeviceSizeThatIsNoWholeNumberOfBlocks() throws IOException
    {
        final String fiemap = forwardMaps().toString();
        for (final String size : new String[]{"5000", "106497", "131071", "0x20001"})
        {
            final Path index = temp.resolve("never");
            final CliRun result = CliRun.run("import", "--format", "fiemap", "--device-size", size, fiemap, "-o",
                index.toString());
            assertEquals(2, result.status(), size);
            assertEquals("daxrmap import: --device-size is not a whole number of 4096-byte blocks (--block-size): " +
                "--device-size=" + size + "\n", result.err(), size);
            assertFalse(Files.exists(index), size);
        }
        // with another block size, a whole number of its blocks
        final Path small = temp.resolve("small-blocks");
        final CliRun result = CliRun.run("import", "--format", "fiemap", "--block-size", "512", "--device-size",
            "106496", fiemap, "-o", small.toString());
        assertEquals(0, result.status(), result.err());
        assertTrue(CliRun.run("import", "--help").out().contains("a whole number of blocks"),
            "the help says the rule");
    }

    @Test
    void shouldRefuseAnExtentPastWhatAnIndexHoldsWithoutADeviceSizeNamingItsLine() throws IOException
    {
        final Path fiemap = temp.resolve("far.fiemap");
        // 2^47 sectors: the extent starts at byte 2^56
        Files.writeString(fiemap, "a:" + TABLE + "   0: [0..7]:           140737488355328..140737488355335   8 0x1\n");
        final Path index = temp.resolve("never");
        final CliRun result = CliRun.run("import", "--format", "fiemap", fiemap.toString(), "-o", index.toString());
        assertEquals(2, result.status());
        assertEquals("daxrmap import: device 0:0 refused: " + fiemap + ":3: ends at device byte " +
            ((1L << 56) + 4096) + ", past the largest device an index holds: " + LARGEST + " bytes\n", result.err());
        assertFalse(Files.exists(index));
    }
}
