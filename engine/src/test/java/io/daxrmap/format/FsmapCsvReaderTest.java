package io.daxrmap.format;

import io.daxrmap.model.MappingFlags;
import io.daxrmap.model.Owner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FsmapCsvReaderTest
{
    private static final String HEADER = FsmapCsv.HEADER + "\n";
    private static final long DEVICE_SIZE = 64L << 20;

    @ParameterizedTest
    @CsvSource({"xfs-small, fsmap-m.csv, 1296", "xfs-small, fsmap-m-cow.csv, 1296", "xfs-batch, fsmap-m.csv.gz, 2050"})
    void shouldWriteIdenticalTextWhenRealCaptureIsReadBack(final String capture, final String name, final int count)
        throws IOException
    {
        final String expected = Captures.text(capture, name);
        final StringBuilder out = new StringBuilder();
        final long read = new FsmapCsvReader().read(new BufferedReader(new StringReader(expected)), name,
            new FsmapCsvWriter(out));

        assertEquals(count, read);
        assertEquals(expected, out.toString());
    }

    @Test
    void shouldSeeEveryOwnerKindWhenRealCaptureIsRead() throws IOException
    {
        final List<FsmapRecord> records = readCapture("fsmap-m.csv");
        final Map<String, Integer> kinds = new HashMap<>();
        for (final FsmapRecord record : records)
        {
            final String name = Owner.isInode(record.owner()) ?
                Owner.toString(record.owner()).replaceFirst("inode_[0-9]+_", "inode_N_") :
                Owner.toString(record.owner());
            kinds.merge(name, 1, Integer::sum);
        }

        assertEquals(1296, records.size());
        assertEquals(Map.ofEntries(
            Map.entry("inode_N_data", 792),
            Map.entry("inode_N_attr", 34),
            Map.entry("inode_N_data_bmbt", 4),
            Map.entry("inode_N_attr_bmbt", 1),
            Map.entry("special_0:1", 430),
            Map.entry("special_88:1", 4),
            Map.entry("special_88:2", 1),
            Map.entry("special_88:3", 16),
            Map.entry("special_88:4", 4),
            Map.entry("special_88:5", 6),
            Map.entry("special_88:6", 4)), kinds);
    }

    @Test
    void shouldCoverWholeDeviceWithoutGapsWhenRealCaptureIsRead() throws IOException
    {
        final List<FsmapRecord> records = new ArrayList<>(readCapture("fsmap-m.csv"));
        records.sort(Comparator.comparingLong(FsmapRecord::deviceOffset));
        long covered = 0;
        for (final FsmapRecord record : records)
        {
            assertTrue(record.deviceOffset() <= covered, () -> "gap before " + record);
            covered = Math.max(covered, record.deviceOffset() + record.length());
            assertEquals(0, record.deviceOffset() % 4096, record::toString);
            assertEquals(0, record.length() % 4096, record::toString);
            assertEquals(Owner.fmrFlags(record.owner()), record.flags(), record::toString);
        }
        assertEquals(DEVICE_SIZE, covered);
    }

    @Test
    void shouldFindCowStagingExtentsWhenCaptureIsTakenBeforePreallocIsCleared() throws IOException
    {
        final long cow = readCapture("fsmap-m-cow.csv").stream()
            .filter((record) -> record.owner() == Owner.XFS_COW)
            .mapToLong(FsmapRecord::length)
            .sum();

        assertTrue(cow > 0, "cow=" + cow);
    }

    @Test
    void shouldDeliverBytesWhenHandWrittenRecordsAreRead() throws IOException
    {
        final String text = HEADER +
            "0,7,0,0,7,special_88:1,,,8\n" +
            "1,7,0,8,23,inode_131_data,16,31,16\n" +
            "2,7,0,24,31,inode_131_attr,0,7,8\n" +
            "3,7,0,32,39,inode_131_data_bmbt,,,8\n" +
            "4,7,0,40,47,inode_132_attr_bmbt,,,8\n" +
            "5,259,1048575,48,1048575,special_0:1,,,1048528\n";

        assertEquals(List.of(
            new FsmapRecord(7, 0, 0, 4096, Owner.XFS_FS, 0, MappingFlags.SPECIAL_OWNER),
            new FsmapRecord(7, 0, 4096, 8192, Owner.data(131), 8192, 0),
            new FsmapRecord(7, 0, 12288, 4096, Owner.attr(131), 0, MappingFlags.ATTR_FORK),
            new FsmapRecord(7, 0, 16384, 4096, Owner.dataBmbt(131), 0, MappingFlags.EXTENT_MAP),
            new FsmapRecord(7, 0, 20480, 4096, Owner.attrBmbt(132), 0,
                MappingFlags.ATTR_FORK | MappingFlags.EXTENT_MAP),
            new FsmapRecord(259, 1048575, 24576, 536846336L, Owner.FREE, 0, MappingFlags.SPECIAL_OWNER)),
            read(text));
    }

    @Test
    void shouldUseGivenUnitWhenReadingBytes() throws IOException
    {
        final String text = HEADER + "0,7,0,100,199,inode_5_data,1000,1099,100\n";
        final List<FsmapRecord> records = new ArrayList<>();
        new FsmapCsvReader(1).read(new BufferedReader(new StringReader(text)), "bytes.csv",
            FsmapRecord.collector(records));

        assertEquals(List.of(new FsmapRecord(7, 0, 100, 100, Owner.data(5), 1000, 0)), records);
    }

    @Test
    void shouldReadNothingWhenTextIsEmpty() throws IOException
    {
        assertEquals(List.of(), read(""));
    }

    @Test
    void shouldAcceptRepeatedHeaderWhenXfsIoStartsAnotherBatch() throws IOException
    {
        final String text = HEADER + "0,7,0,0,7,special_88:1,,,8\n" + HEADER + "1,7,0,8,15,special_0:1,,,8\n";

        assertEquals(2, read(text).size());
    }

    static Stream<Arguments> malformed()
    {
        return Stream.of(
            Arguments.of("EXT,MAJOR,MINOR\n",
                "t.csv:1: bad header: expected \"" + FsmapCsv.HEADER + "\" but found \"EXT,MAJOR,MINOR\""),
            Arguments.of(HEADER + "0,7,0,0,7,special_88:1,,8\n",
                "t.csv:2: expected 9 fields but found 8: \"0,7,0,0,7,special_88:1,,8\""),
            Arguments.of(HEADER + "0,7,0,0,7,special_88:1,,,,8\n",
                "t.csv:2: expected 9 fields but found 10: \"0,7,0,0,7,special_88:1,,,,8\""),
            Arguments.of(HEADER + "\n", "t.csv:2: expected 9 fields but found 1: \"\""),
            Arguments.of(HEADER + "0,7,0,x,7,special_88:1,,,8\n", "t.csv:2: field PSTART: not a number: \"x\""),
            Arguments.of(HEADER + "0,7,0,,7,special_88:1,,,8\n", "t.csv:2: field PSTART: not a number: \"\""),
            Arguments.of(HEADER + "0,7,0,+0,7,special_88:1,,,8\n", "t.csv:2: field PSTART: not a number: \"+0\""),
            Arguments.of(HEADER + "0,7,0,0,7,special_88:1,,,8 \n", "t.csv:2: field LENGTH: not a number: \"8 \""),
            Arguments.of(HEADER + "0,7,0,-8,7,special_88:1,,,16\n", "t.csv:2: field PSTART: negative: \"-8\""),
            Arguments.of(HEADER + "0,-7,0,0,7,special_88:1,,,8\n", "t.csv:2: field MAJOR: negative: \"-7\""),
            Arguments.of(HEADER + "0,4096,0,0,7,special_88:1,,,8\n",
                "t.csv:2: field MAJOR: out of range: \"4096\" max=4095"),
            Arguments.of(HEADER + "0,7,1048576,0,7,special_88:1,,,8\n",
                "t.csv:2: field MINOR: out of range: \"1048576\" max=1048575"),
            Arguments.of(HEADER + "0,7,0,0,99999999999999999999,special_88:1,,,8\n",
                "t.csv:2: field PEND: out of range: \"99999999999999999999\""),
            Arguments.of(HEADER + "1,7,0,0,7,special_88:1,,,8\n",
                "t.csv:2: field EXT: out of sequence: expected 0 but found 1"),
            Arguments.of(HEADER + "0,7,0,8,7,special_88:1,,,0\n",
                "t.csv:2: field PEND: before PSTART: PSTART=8 PEND=7"),
            Arguments.of(HEADER + "0,7,0,0,7,special_88:1,,,9\n",
                "t.csv:2: field LENGTH: does not match PSTART..PEND: PSTART=0 PEND=7 LENGTH=9"),
            Arguments.of(HEADER + "0,7,0,0,7,inode_131_dat,0,7,8\n",
                "t.csv:2: field OWNER: unknown owner: \"inode_131_dat\""),
            Arguments.of(HEADER + "0,7,0,0,7,special_88,,,8\n", "t.csv:2: field OWNER: unknown owner: \"special_88\""),
            Arguments.of(HEADER + "0,7,0,0,7,inode_0131_data,0,7,8\n",
                "t.csv:2: field OWNER: unknown owner: \"inode_0131_data\""),
            Arguments.of(HEADER + "0,7,0,0,7,inode_131_data,,,8\n", "t.csv:2: field OSTART: not a number: \"\""),
            Arguments.of(HEADER + "0,7,0,0,7,inode_131_data,8,7,8\n",
                "t.csv:2: field OEND: before OSTART: OSTART=8 OEND=7"),
            Arguments.of(HEADER + "0,7,0,0,7,inode_131_data,0,8,8\n",
                "t.csv:2: field OEND: does not match LENGTH: OSTART=0 OEND=8 LENGTH=8"),
            Arguments.of(HEADER + "0,7,0,0,7,special_88:1,0,7,8\n",
                "t.csv:2: field OSTART: must be empty for owner special_88:1: \"0\""),
            Arguments.of(HEADER + "0,7,0,0,7,inode_131_data_bmbt,,7,8\n",
                "t.csv:2: field OEND: must be empty for owner inode_131_data_bmbt: \"7\""),
            Arguments.of(HEADER + "0,7,0,18014398509481984,18014398509481991,special_0:1,,,8\n",
                "t.csv:2: field PSTART: overflow converting to bytes: PSTART=18014398509481984 unit=512"),
            Arguments.of(HEADER + "0,7,0,0,18014398509481983,special_0:1,,,18014398509481984\n",
                "t.csv:2: field PEND: overflow converting to bytes: PEND=18014398509481983 unit=512"),
            Arguments.of(HEADER + "0,7,0,0,7,inode_9_data,18014398509481980,18014398509481987,8\n",
                "t.csv:2: field OEND: overflow converting to bytes: OEND=18014398509481987 unit=512"),
            Arguments.of(HEADER + "0,7,0,0,7,special_88:1,,,8\n1,7,0,8,15\n",
                "t.csv:3: expected 9 fields but found 5: \"1,7,0,8,15\""));
    }

    @ParameterizedTest
    @MethodSource("malformed")
    void shouldNameFileLineAndFieldWhenInputIsMalformed(final String text, final String message)
    {
        final FormatException ex = assertThrows(FormatException.class, () -> read(text));

        assertEquals(message, ex.getMessage());
        assertEquals("t.csv", ex.file());
    }

    @Test
    void shouldKeepRecordsBeforeFaultWhenInputIsMalformed()
    {
        final List<FsmapRecord> records = new ArrayList<>();
        final String text = HEADER + "0,7,0,0,7,special_88:1,,,8\n1,7,0,8,15,special_0:1,,,x\n";

        final FormatException ex = assertThrows(FormatException.class, () -> new FsmapCsvReader()
            .read(new BufferedReader(new StringReader(text)), "t.csv", FsmapRecord.collector(records)));

        assertEquals(1, records.size());
        assertEquals(3, ex.line());
        assertEquals(FsmapCsv.LENGTH, ex.field());
    }

    static List<FsmapRecord> readCapture(final String name) throws IOException
    {
        final List<FsmapRecord> records = new ArrayList<>();
        new FsmapCsvReader().read(Captures.xfsSmall(name), FsmapRecord.collector(records));
        return records;
    }

    private static List<FsmapRecord> read(final String text) throws IOException
    {
        final List<FsmapRecord> records = new ArrayList<>();
        new FsmapCsvReader().read(new BufferedReader(new StringReader(text)), "t.csv", FsmapRecord.collector(records));
        return records;
    }
}
