package io.daxrmap.format;

import io.daxrmap.model.MappingFlags;
import io.daxrmap.model.Owner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FsmapVerboseTest
{
    private static final FsmapVerboseGeometry SMALL = new FsmapVerboseGeometry(7, 0, 4096, 4096, 4);
    private static final String HEADER =
        " EXT: DEV BLOCK-RANGE      OWNER              FILE-OFFSET      AG AG-OFFSET        TOTAL\n";
    private static final String LEGEND = String.join("\n", FsmapVerbose.LEGEND) + "\n";

    @ParameterizedTest
    @CsvSource({"xfs-small, fsmap-v.txt, 1296", "xfs-batch, fsmap-v.txt.gz, 2050"})
    void shouldWriteIdenticalTextWhenRealCaptureIsReadBack(final String capture, final String name, final int count)
        throws IOException
    {
        final String expected = Captures.text(capture, name);
        final List<FsmapRecord> records = new ArrayList<>();
        new FsmapVerboseReader().read(new BufferedReader(new StringReader(expected)), name,
            FsmapRecord.collector(records));

        final StringBuilder out = new StringBuilder();
        new FsmapVerboseWriter(geometry(capture, records.get(0))).write(out, FsmapRecord.source(records), -1);

        assertEquals(count, records.size());
        assertEquals(expected, out.toString());
    }

    @Test
    void shouldSeeNarrowerLastBatchWhenRealMapHas2050Records() throws IOException
    {
        final List<String> lines = Captures.text(Captures.BATCH, "fsmap-v.txt.gz").lines().toList();

        assertEquals(2051, lines.size());
        assertEquals(lines.get(2047).indexOf(" 3 "), lines.get(2048).indexOf(" 3 "));
        assertTrue(lines.get(2049).indexOf(" 3 ") < lines.get(2048).indexOf(" 3 "), lines.get(2049));
    }

    @Test
    void shouldAgreeWithCsvCaptureWhenBothAreRead() throws IOException
    {
        final List<FsmapRecord> verbose = new ArrayList<>();
        new FsmapVerboseReader().read(Captures.xfsSmall("fsmap-v.txt"), FsmapRecord.collector(verbose));
        final List<FsmapRecord> csv = FsmapCsvReaderTest.readCapture("fsmap-m.csv");

        assertEquals(csv.size(), verbose.size());
        int shared = 0;
        int unwritten = 0;
        for (int i = 0; i < csv.size(); i++)
        {
            final FsmapRecord c = csv.get(i);
            final FsmapRecord v = verbose.get(i);
            final long expectedOwner = Owner.kind(c.owner()) == Owner.KIND_ATTR_BMBT ?
                Owner.dataBmbt(Owner.inode(c.owner())) : c.owner();
            assertEquals(new FsmapRecord(c.major(), c.minor(), c.deviceOffset(), c.length(), expectedOwner,
                c.fileOffset(), v.flags()), v);
            assertEquals(Owner.fmrFlags(expectedOwner), v.flags() & ~(MappingFlags.SHARED | MappingFlags.UNWRITTEN));
            shared += (v.flags() & MappingFlags.SHARED) != 0 ? 1 : 0;
            unwritten += (v.flags() & MappingFlags.UNWRITTEN) != 0 ? 1 : 0;
        }
        assertEquals(17, shared);
        assertEquals(4, unwritten);
    }

    @Test
    void shouldDeliverBytesWhenHandWrittenRowsAreRead() throws IOException
    {
        final String text = " EXT: DEV   BLOCK-RANGE      OWNER              FILE-OFFSET      AG AG-OFFSET        TOTAL FLAGS\n" +
            "   0: 7:0   [0..7]:          static fs metadata                  0  (0..7)               8\n" +
            "   1: 7:0   [8..23]:         131                16..31           0  (8..23)             16 0110000\n" +
            "   2: 7:0   [24..31]:        131                0..7             0  (24..31)             8 1000000\n" +
            "   3: 7:0   [32..39]:        132                extent map       0  (32..39)             8\n" +
            "   4: 7:0   [32768..32775]:  special 0:3                         1  (0..7)               8\n" +
            "   5: 259:2 [0..7]:          unknown                                                     8\n" +
            "   6: 259:2 [8..15]:         133                0..7                                     8 0100000\n" +
            LEGEND;

        assertEquals(List.of(
            new FsmapRecord(7, 0, 0, 4096, Owner.XFS_FS, 0, MappingFlags.SPECIAL_OWNER),
            new FsmapRecord(7, 0, 4096, 8192, Owner.data(131), 8192, MappingFlags.SHARED | MappingFlags.UNWRITTEN),
            new FsmapRecord(7, 0, 12288, 4096, Owner.attr(131), 0, MappingFlags.ATTR_FORK),
            new FsmapRecord(7, 0, 16384, 4096, Owner.dataBmbt(132), 0, MappingFlags.EXTENT_MAP),
            new FsmapRecord(7, 0, 16L << 20, 4096, Owner.METADATA, 0, MappingFlags.SPECIAL_OWNER),
            new FsmapRecord(259, 2, 0, 4096, Owner.UNKNOWN, 0, MappingFlags.SPECIAL_OWNER),
            new FsmapRecord(259, 2, 4096, 4096, Owner.data(133), 0, MappingFlags.SHARED)),
            read(text));
    }

    @Test
    void shouldWriteXfsIoTableWhenRecordsAreHandMade() throws IOException
    {
        final List<FsmapRecord> records = List.of(
            new FsmapRecord(7, 0, 0, 4096, Owner.XFS_FS, 0, MappingFlags.SPECIAL_OWNER),
            new FsmapRecord(7, 0, 4096, 8192, Owner.data(131), 8192, MappingFlags.SHARED | MappingFlags.UNWRITTEN),
            new FsmapRecord(7, 0, 12288, 4096, Owner.attr(131), 0, MappingFlags.ATTR_FORK),
            new FsmapRecord(7, 0, 16384, 4096, Owner.attrBmbt(132), 0, 0),
            new FsmapRecord(7, 0, 16L << 20, 4096, Owner.METADATA, 0, MappingFlags.SPECIAL_OWNER),
            new FsmapRecord(259, 2, 0, 4096, Owner.UNKNOWN, 0, MappingFlags.SPECIAL_OWNER),
            new FsmapRecord(259, 2, 4096, 4096, Owner.data(133), 0, MappingFlags.SHARED));

        assertEquals(" EXT: DEV   BLOCK-RANGE      OWNER              FILE-OFFSET      AG AG-OFFSET        TOTAL FLAGS\n" +
            "   0: 7:0   [0..7]:          static fs metadata                  0  (0..7)               8\n" +
            "   1: 7:0   [8..23]:         131                16..31           0  (8..23)             16 0110000\n" +
            "   2: 7:0   [24..31]:        131                0..7             0  (24..31)             8 1000000\n" +
            "   3: 7:0   [32..39]:        132                extent map       0  (32..39)             8\n" +
            "   4: 7:0   [32768..32775]:  special 0:3                         1  (0..7)               8\n" +
            "   5: 259:2 [0..7]:          unknown                                                     8\n" +
            "   6: 259:2 [8..15]:         133                0..7                                     8 0100000\n" +
            LEGEND, write(SMALL, records));
    }

    @Test
    void shouldPrintFlagsHeaderAndLegendWhenOnlyAnAttrBmbtBlockIsFlagged() throws IOException
    {
        final List<FsmapRecord> records = List.of(new FsmapRecord(7, 0, 0, 4096, Owner.attrBmbt(9), 0, 0));

        assertEquals(
            " EXT: DEV BLOCK-RANGE      OWNER            FILE-OFFSET      AG AG-OFFSET        TOTAL FLAGS\n" +
            "   0: 7:0 [0..7]:          9                extent map       0  (0..7)               8\n" +
            LEGEND, write(SMALL, records));
    }

    @Test
    void shouldPrintStripeFlagsWhenGeometryHasStripes() throws IOException
    {
        final FsmapVerboseGeometry striped = new FsmapVerboseGeometry(7, 0, 4096, 4096, 4, 4, 8);
        final List<FsmapRecord> records = List.of(
            new FsmapRecord(7, 0, 0, 32768, Owner.data(9), 0, 0),
            new FsmapRecord(7, 0, 32768, 4096, Owner.FREE, 0, MappingFlags.SPECIAL_OWNER));

        final String text = write(striped, records);

        assertEquals(
            " EXT: DEV BLOCK-RANGE      OWNER            FILE-OFFSET      AG AG-OFFSET        TOTAL FLAGS\n" +
            "   0: 7:0 [0..63]:         9                0..63            0  (0..63)             64\n" +
            "   1: 7:0 [64..71]:        free space                        0  (64..71)             8 0000101\n" +
            LEGEND, text);
        assertEquals(records, read(text));
    }

    @Test
    void shouldPrintNothingWhenThereAreNoRecords() throws IOException
    {
        assertEquals("", write(SMALL, List.of()));
        assertEquals(List.of(), read(""));
    }

    @Test
    void shouldSizeColumnsPerBatchWhenMapHas2050Records() throws IOException
    {
        final List<FsmapRecord> records = new ArrayList<>();
        for (int i = 0; i < 2050; i++)
        {
            final long owner = i < 2048 ? Owner.XFS_FS : Owner.FREE;
            records.add(new FsmapRecord(7, 0, i * 4096L, 4096, owner, 0, MappingFlags.SPECIAL_OWNER));
        }

        final List<String> lines = write(SMALL, records).lines().toList();

        assertEquals(" EXT: DEV BLOCK-RANGE      OWNER              FILE-OFFSET      AG AG-OFFSET        TOTAL",
            lines.get(0));
        assertEquals("2047: 7:0 [16376..16383]:  static fs metadata                  0  (16376..16383)       8",
            lines.get(2048));
        assertEquals("2048: 7:0 [16384..16391]:  free space                        0  (16384..16391)       8",
            lines.get(2049));
        assertEquals(records, read(String.join("\n", lines) + "\n"));
    }

    @Test
    void shouldSizeColumnsPerBatchOf2048WhenMapHasMoreThan4096Records() throws IOException
    {
        // xfsprogs 6.1.0 reads 2048 records a call whatever the size of the map, and sizes each batch's columns:
        // only the second batch (records 2048..4095) holds an 18-digit owner, so only its OWNER column is wider
        final long wide = 123456789012345678L;
        final List<FsmapRecord> records = new ArrayList<>();
        for (int i = 0; i < 4097; i++)
        {
            records.add(i == 3000 ? new FsmapRecord(7, 0, i * 4096L, 4096, Owner.data(wide), 0, 0) :
                new FsmapRecord(7, 0, i * 4096L, 4096, Owner.FREE, 0, MappingFlags.SPECIAL_OWNER));
        }

        final String text = write(SMALL, records);
        final List<String> lines = text.lines().toList();

        assertEquals(4098, lines.size());
        assertEquals(" EXT: DEV BLOCK-RANGE      OWNER            FILE-OFFSET      AG AG-OFFSET        TOTAL",
            lines.get(0));
        assertEquals("2047: 7:0 [16376..16383]:  free space                        0  (16376..16383)       8",
            lines.get(2048));
        assertEquals("2048: 7:0 [16384..16391]:  free space                          0  (16384..16391)       8",
            lines.get(2049));
        assertEquals("3000: 7:0 [24000..24007]:  123456789012345678 0..7             0  (24000..24007)       8",
            lines.get(3001));
        assertEquals("4095: 7:0 [32760..32767]:  free space                          0  (32760..32767)       8",
            lines.get(4096));
        assertEquals("4096: 7:0 [32768..32775]:  free space                        1  (0..7)               8",
            lines.get(4097));
        assertEquals(records, read(text));
    }

    static Stream<Arguments> malformed()
    {
        final String row = "   0: 7:0 [0..7]:          131                0..7             0  (0..7)               8";
        return Stream.of(
            Arguments.of("EXT: DEV\n", "t.txt:1: bad header: \"EXT: DEV\""),
            Arguments.of(HEADER + row.replace("   0:", "   1:") + "\n",
                "t.txt:2: field EXT: out of sequence: expected 0 but found 1"),
            Arguments.of(HEADER + row.replace("   0:", "   x:") + "\n", "t.txt:2: field EXT: not a number: \"x\""),
            Arguments.of(HEADER + row.replace("7:0", "7-0") + "\n",
                "t.txt:2: field DEV: expected \"major:minor\" but found \"7-0\""),
            Arguments.of(HEADER + row.replace("[0..7]:", "[0..7]") + "\n",
                "t.txt:2: field BLOCK-RANGE: expected \"[first..last]:\" but found \"[0..7]\""),
            Arguments.of(HEADER + row.replace("[0..7]:", "[7..0]:") + "\n",
                "t.txt:2: field BLOCK-RANGE: last before first: first=7 last=0"),
            Arguments.of(HEADER + row.replace("[0..7]:", "[0..8]:") + "\n",
                "t.txt:2: field BLOCK-RANGE: does not match TOTAL: first=0 last=8 TOTAL=8"),
            Arguments.of(HEADER + row.replace(" 0..7 ", " 0..9 ") + "\n",
                "t.txt:2: field FILE-OFFSET: does not match TOTAL: first=0 last=9 TOTAL=8"),
            Arguments.of(HEADER + row.replace("(0..7)", "(0..6)") + "\n",
                "t.txt:2: field AG-OFFSET: does not match TOTAL: first=0 last=6 TOTAL=8"),

            Arguments.of(HEADER + row.replace("131               ", "free spice        ").replace(" 0..7 ", "      ") +
                "\n", "t.txt:2: field OWNER: unknown owner in \"free spice                          0  (0..7)" +
                "               8\""),
            Arguments.of(HEADER + row + " 0200000\n", "t.txt:2: field FLAGS: unknown flags: \"0200000\""),
            Arguments.of(HEADER + row + " 100000\n", "t.txt:2: field FLAGS: not 7 octal digits: \"100000\""),
            Arguments.of(HEADER + row + " 0100000 x\n", "t.txt:2: unexpected text after the record: \"x\""),
            Arguments.of(HEADER + row.replace(" 8", " -8") + "\n", "t.txt:2: field TOTAL: negative: \"-8\""),
            Arguments.of(HEADER + "   0: 7:0 [0..7]:          inodes                              0  (0..7)       " +
                "        8 0100000\n", "t.txt:2: field FLAGS: attr fork, shared or unwritten flag on a special " +
                "owner: \"0100000\""),
            Arguments.of(HEADER + "   0: 7:0 [36028797018963968..36028797018963975]: inodes 0 (0..7) 8\n",
                "t.txt:2: field BLOCK-RANGE: overflow converting to bytes: BLOCK-RANGE=36028797018963968 unit=512"),
            Arguments.of(HEADER + row + "\n" + FsmapVerbose.LEGEND.get(0) + "\n" + FsmapVerbose.LEGEND.get(1) + "\n",
                "t.txt:4: flag legend cut short after 2 lines"),
            Arguments.of(HEADER + row + "\n" + LEGEND + row + "\n", "t.txt:11: not the flag legend: \"" + row + "\""),
            Arguments.of(HEADER.replace("TOTAL\n", "TOTAL FLAGS\n") + row + " 0100000\n" + row.replace("   0:", "   1:") +
                "\n", "t.txt:3: no flag legend after the records, though the header has FLAGS: the text is cut short"));
    }

    @Test
    void shouldTellPerDeviceWhereTheAgColumnsContradictTheBlockRanges() throws IOException
    {
        // the AG columns are the geometry: AG 0 starts at the device's start, and every AG is as large. A realtime
        // device's groups (xfsprogs 6.13 on) are another size: told per device, for the import to judge the data
        // device's
        final FsmapVerboseReader reader = new FsmapVerboseReader();
        reader.read(new BufferedReader(new StringReader(HEADER +
            "   0: 7:0 [0..7]: inodes 0 (0..7) 8\n" +
            "   1: 7:0 [32768..32775]: inodes 1 (0..7) 8\n" +
            "   2: 7:0 [70000..70007]: inodes 2 (0..7) 8\n" +
            "   3: 7:1 [8..15]: inodes 0 (0..7) 8\n" +
            "   4: 7:2 [262144..262151]: free space 1 (0..7) 8\n" +
            "   5: 7:3 [32768..32775]: inodes 3 (0..7) 8\n")), "t.txt", (a, b, c, d, e, f, g) -> { });
        assertEquals(32768, reader.agSectors(DeviceNumber.encode(7, 0)));
        assertEquals("t.txt:3", reader.agSeenAt(DeviceNumber.encode(7, 0)));
        assertEquals("t.txt:4: field AG-OFFSET: puts AG 2 at AGs of 35000 sectors, where t.txt:3 put them at 32768",
            reader.agContradiction(DeviceNumber.encode(7, 0)));
        assertEquals("t.txt:5: field AG-OFFSET: in AG 0 the offset is the block range's start: offset=0 start=8",
            reader.agContradiction(DeviceNumber.encode(7, 1)));
        assertEquals(262144, reader.agSectors(DeviceNumber.encode(7, 2)));
        assertNull(reader.agContradiction(DeviceNumber.encode(7, 2)));
        assertEquals("t.txt:7: field AG-OFFSET: not an offset into AG 3 of equal AGs: offset=0 start=32768",
            reader.agContradiction(DeviceNumber.encode(7, 3)));
        assertEquals(-1, reader.agSectors(DeviceNumber.encode(8, 0)));
    }

    @ParameterizedTest
    @MethodSource("malformed")
    void shouldNameFileLineAndFieldWhenInputIsMalformed(final String text, final String message)
    {
        final FormatException ex = assertThrows(FormatException.class, () -> read(text));

        assertEquals(message, ex.getMessage());
    }

    /** A capture's geometry, from xfs_info's text in geometry.txt and the data device of its first record. */
    private static FsmapVerboseGeometry geometry(final String capture, final FsmapRecord first) throws IOException
    {
        final String info = Captures.text(capture, "geometry.txt");
        return new FsmapVerboseGeometry(first.major(), first.minor(), number(info, "agsize=(\\d+)"),
            (int)number(info, "data\\s+=\\s+bsize=(\\d+)"), number(info, "agcount=(\\d+)"),
            number(info, "sunit=(\\d+)"), number(info, "swidth=(\\d+)"));
    }

    private static long number(final String text, final String regex)
    {
        final Matcher matcher = Pattern.compile(regex).matcher(text);
        if (!matcher.find())
        {
            throw new IllegalStateException("not in geometry.txt: regex=" + regex);
        }
        return Long.parseLong(matcher.group(1));
    }

    private static String write(final FsmapVerboseGeometry geometry, final List<FsmapRecord> records)
        throws IOException
    {
        final StringBuilder out = new StringBuilder();
        new FsmapVerboseWriter(geometry).write(out, FsmapRecord.source(records), -1);
        return out.toString();
    }

    private static List<FsmapRecord> read(final String text) throws IOException
    {
        final List<FsmapRecord> records = new ArrayList<>();
        new FsmapVerboseReader().read(new BufferedReader(new StringReader(text)), "t.txt",
            FsmapRecord.collector(records));
        return records;
    }
}
