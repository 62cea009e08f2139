package io.daxrmap.format;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FiemapTextReaderTest
{
    private static final String XFS_IO = String.join("\n",
        "a/b:",
        " EXT: FILE-OFFSET      BLOCK-RANGE      TOTAL FLAGS",
        "   0: [0..15]:         4160..4175          16   0x0",
        "   1: [16..23]:        hole                 8",
        "   2: [24..1023]:      4184..5183        1000 0x2001",
        "empty:",
        "u:",
        " EXT: FILE-OFFSET      BLOCK-RANGE      TOTAL FLAGS",
        "   0: [0..127]:        33728..33855       128 0x801",
        "   1: [128..585]:      hole               458",
        "inline:",
        " EXT: FILE-OFFSET               BLOCK-RANGE      TOTAL FLAGS",
        "   0: [0..18446744073709551615]: 301..300             0 0x301",
        "");

    private static final String FILEFRAG = String.join("\n",
        "Filesystem type is: 58465342",
        "File size of a/b is 524288 (128 blocks of 4096 bytes)",
        " ext:     logical_offset:        physical_offset: length:   expected: flags:",
        "   0:        0..       1:       4184..      4185:      2:            ",
        "   1:        2..     127:        522..       647:    126:       4186: last,shared,eof",
        "a/b: 2 extents found",
        "File size of empty is 0 (0 blocks of 4096 bytes)",
        "empty: 0 extents found",
        "Filesystem type is: ef53",
        "Filesystem cylinder groups approximately 1",
        "File size of k is 65536 (16 blocks of 4096 bytes)",
        " ext:     logical_offset:        physical_offset: length:   expected: flags:",
        "   0:        0..      15:       4216..      4231:     16:            ,eof",
        "   1:       16..      79:       4536..      4599:     64:       4232: last,unwritten,eof",
        "k: 2 extents found",
        "File size of i is 60 (1 block of 4096 bytes)",
        " ext:     logical_offset:        physical_offset: length:   expected: flags:",
        "   0:        0..      59:  135266432.. 135266491:     60:             last,not_aligned,inline,eof",
        "i: 1 extent found",
        "");

    @Test
    void shouldReadXfsIoTableInBytesWhenHolesEmptyFilesAndSubSectorExtents() throws IOException
    {
        final Recorder recorder = new Recorder();
        final long extents = read(XFS_IO, recorder);

        assertEquals(3, extents);
        assertEquals(List.of("a/b:-1", "empty:-1", "u:-1", "inline:-1"), recorder.files);
        assertEquals(List.of(
            "a/b 0 2129920 8192 0x0",
            "a/b 12288 2142208 512000 0x2001",
            "u 0 17268736 65536 0x801"), recorder.extents);
    }

    @Test
    void shouldReadAnXfsIoFileWhoseNameBeginsWithASpace() throws IOException
    {
        // what xfs_io -c 'fiemap -v' prints for the file ' lead  sp' (found by a review): a header line is the one
        // ending in ':', whatever it begins with; an extent row never ends so
        final Recorder recorder = new Recorder();
        assertEquals(1, read(String.join("\n",
            " lead  sp:",
            " EXT: FILE-OFFSET      BLOCK-RANGE      TOTAL FLAGS",
            "   0: [0..15]:         4160..4175          16   0x1",
            ""), recorder));
        assertEquals(List.of(" lead  sp:-1"), recorder.files);
        assertEquals(List.of(" lead  sp 0 2129920 8192 0x1"), recorder.extents);
    }

    @Test
    void shouldReadFilefragTableInBytesWhenFlagWordsExpectedColumnAndInlineData() throws IOException
    {
        final Recorder recorder = new Recorder();
        final long extents = read(FILEFRAG, recorder);

        assertEquals(5, extents);
        assertEquals(List.of("a/b:524288", "empty:0", "k:65536", "i:60"), recorder.files);
        assertEquals(List.of(
            "a/b 0 17137664 8192 0x0",
            "a/b 8192 2138112 516096 0x2001",
            "k 0 17268736 65536 0x0",
            "k 65536 18579456 262144 0x801",
            "i 0 135266432 60 0x301"), recorder.extents);
    }

    @Test
    void shouldReadNothingWhenTextIsEmpty() throws IOException
    {
        assertEquals(0, read("", new Recorder()));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "'   0: [0..15]:  8..23  16 0x0'|t:1: neither xfs_io fiemap -v nor filefrag -v output: \"   0: [0..15]:  8..23  16 0x0\"",
        "'f:\n   0: [0..15]:  8..23  16 0x0'|t:2: expected \"PATH:\" or a table header",
        "'f:\n EXT: FILE-OFFSET BLOCK-RANGE TOTAL FLAGS\n   1: [0..15]:  8..23  16 0x0'|t:3: field EXT: out of sequence: expected 0 but found 1",
        "'f:\n EXT: FILE-OFFSET BLOCK-RANGE TOTAL FLAGS\n   0: [0..15]:  8..23  16 0x80000000'|t:3: field FLAGS: unknown flags 0x80000000 in \"0x80000000\"",
        "'f:\n EXT: FILE-OFFSET BLOCK-RANGE TOTAL FLAGS\n   0: [0..15]:  8..23  16 0xffffffff'|t:3: field FLAGS: unknown flags 0xffffc070 in \"0xffffffff\"",
        "'f:\n EXT: FILE-OFFSET BLOCK-RANGE TOTAL FLAGS\n   0: [0..15]:  8..22  16 0x0'|t:3: field BLOCK-RANGE: does not match TOTAL: start=8 end=22 TOTAL=16",
        "'f:\n EXT: FILE-OFFSET BLOCK-RANGE TOTAL FLAGS\n   0: [0..14]:  8..23  16 0x0'|t:3: field FILE-OFFSET: does not match TOTAL: start=0 end=14 TOTAL=16",
        "'f:\n EXT: FILE-OFFSET BLOCK-RANGE TOTAL FLAGS\n   0: [0..15]:  8..23  1x 0x0'|t:3: field TOTAL: not a number: \"1x\"",
        "'f:\n EXT: FILE-OFFSET BLOCK-RANGE TOTAL FLAGS\n   0: [0..15]:  8..23  16 2001'|t:3: field FLAGS: not a hex number: \"2001\"",
        "'f:\n EXT: FILE-OFFSET BLOCK-RANGE TOTAL FLAGS\n   0: [0..15]:  8..23  16'|t:3: expected BLOCK-RANGE TOTAL FLAGS or hole TOTAL but found \"8..23  16\"",
        "'f:\n EXT: FILE-OFFSET BLOCK-RANGE TOTAL FLAGS\n   0: 0..15:  8..23  16 0x0'|t:3: field FILE-OFFSET: expected [START..END]: but found \"0..15:  8..23  16 0x0\"",
        "'f:\n EXT: FILE-OFFSET BLOCK-RANGE TOTAL FLAGS\n   0: [0..-15]:  8..23  16 0x0'|t:3: field FILE-OFFSET: negative: \"-15\"",
        "'f:\n EXT: FILE-OFFSET BLOCK-RANGE TOTAL FLAGS\n   0: [0..15]:  hole 15'|t:3: field FILE-OFFSET: does not match TOTAL: start=0 end=15 TOTAL=15",
        "'f:\n EXT: FILE-OFFSET BLOCK-RANGE TOTAL FLAGS\n   0: [0..15]:  99999999999999999..100000000000000014 16 0x0'|t:3: field BLOCK-RANGE: overflow converting to bytes: BLOCK-RANGE=99999999999999999 unit=512",
        "'f:\n EXT: FILE-OFFSET BLOCK-RANGE TOTAL FLAGS\n EXT: FILE-OFFSET BLOCK-RANGE TOTAL FLAGS'|t:3: unexpected table header: \" EXT: FILE-OFFSET BLOCK-RANGE TOTAL FLAGS\"",
        "'something else'|t:1: neither xfs_io fiemap -v nor filefrag -v output: \"something else\"",
    })
    void shouldNameLineAndFieldWhenXfsIoTextIsMalformed(final String text, final String message)
    {
        final FormatException ex = assertThrows(FormatException.class, () -> read(text, new Recorder()));
        assertTrue(ex.getMessage().startsWith(message), () -> "message: " + ex.getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "'File size of f is 8192 (2 blocks of 4096 bytes)\n   0:  0..  1:  8..  9:  2: last'|f:2: expected a table header or \"f: N extents found\"",
        "'File size of f is 8192 (2 blocks of 4096 bytes)'|f:1: missing \"f: N extents found\" at the end of the text",
        "'File size of f is 8192 (2 blocks of 4000 bytes)'|f:1: field block size: not a power of two: 4000",
        "'File size of f is 8x92 (2 blocks of 4096 bytes)'|f:1: field size: not a number: \"8x92\"",
        "'File size of f is 8192 (2 bloks of 4096 bytes)'|f:1: field blocks: expected \"B blocks\" but found \"2 bloks\"",
        "'Filesystem type is: xfs'|f:1: field filesystem type: not a hex number: \"xfs\"",
        "'File size of f is 8192 (2 blocks of 4096 bytes)\n ext: logical_offset: physical_offset: length: expected: flags:\n   0:  0..  1:  8..  9:  2: lost'|f:3: field flags: unknown flag: \"lost\" in \"lost\"",
        "'File size of f is 8192 (2 blocks of 4096 bytes)\n ext: logical_offset: physical_offset: length: expected: flags:\n   0:  0..  1:  8..  10:  2: last'|f:3: field physical_offset: does not span the logical range: logical=0..1 physical=8..10",
        "'File size of f is 8192 (2 blocks of 4096 bytes)\n ext: logical_offset: physical_offset: length: expected: flags:\n   0:  0..  1:  8..  9:  3: last'|f:3: field length: does not match the ranges: logical=0..1 length=3",
        "'File size of f is 8192 (2 blocks of 4096 bytes)\n ext: logical_offset: physical_offset: length: expected: flags:\n   0:  0..  1:  8..  9:  2:  x7: last'|f:3: field expected: not a number: \"x7\"",
        "'File size of f is 8192 (2 blocks of 4096 bytes)\n ext: logical_offset: physical_offset: length: expected: flags:\n   2:  0..  1:  8..  9:  2: last'|f:3: field ext: out of sequence: expected 0 but found 2",
        "'File size of f is 8192 (2 blocks of 4096 bytes)\n ext: logical_offset: physical_offset: length: expected: flags:\n   0:  0..  1:  8..  9:  2: last\ng: 1 extent found'|f:4: not a table row: \"g: 1 extent found\"",
        "'File size of f is 8192 (2 blocks of 4096 bytes)\n ext: logical_offset: physical_offset: length: expected: flags:\nDiscontinuity: Block 3 is at 7 (was 5)'|f:3: not a table row",
    })
    void shouldNameLineAndFieldWhenFilefragTextIsMalformed(final String text, final String message)
    {
        final FormatException ex = assertThrows(FormatException.class,
            () -> new FiemapTextReader().read(new BufferedReader(new StringReader(text)), "f", new Recorder()));
        assertTrue(ex.getMessage().startsWith(message), () -> "message: " + ex.getMessage());
    }

    @Test
    void shouldKeepExtentsDeliveredBeforeAFault()
    {
        final Recorder recorder = new Recorder();
        final String text = XFS_IO.replace("   2: [24..1023]", "   3: [24..1023]");
        assertThrows(FormatException.class, () -> read(text, recorder));
        assertEquals(List.of("a/b 0 2129920 8192 0x0"), recorder.extents);
    }

    @Test
    void shouldAgreeWithFilefragWhenReadingTheRealXfsCaptures() throws IOException
    {
        final Map<String, List<long[]>> xfsIo = perFile(Captures.xfsSmall("fiemap-v.txt").toString());
        final Map<String, List<long[]>> filefrag = perFile(Captures.xfsSmall("filefrag-v.txt").toString());

        assertEquals(xfsIo.keySet().stream().toList(), filefrag.keySet().stream().toList());
        assertEquals(115, xfsIo.size());
        int extents = 0;
        for (final Map.Entry<String, List<long[]>> file : xfsIo.entrySet())
        {
            final List<String> expected = merged(file.getValue());
            final List<String> actual = merged(filefrag.get(file.getKey()));
            assertEquals(expected, actual, file.getKey());
            extents += file.getValue().size();
        }
        assertEquals(List.of(), merged(xfsIo.get("links/empty")));
        assertEquals("0 50384896 4096 0x0", merged(xfsIo.get("frag/f")).get(0));
        assertEquals(640, xfsIo.get("frag/f").size());
        assertEquals(789, extents);
    }

    private static Map<String, List<long[]>> perFile(final String file) throws IOException
    {
        final Map<String, List<long[]>> files = new LinkedHashMap<>();
        new FiemapTextReader().read(java.nio.file.Path.of(file), new FiemapTextHandler()
        {
            @Override
            public void onFile(final String path, final long size)
            {
                files.put(path, new ArrayList<>());
            }

            @Override
            public void onExtent(
                final String path, final long fileOffset, final long physical, final long length, final int flags)
            {
                files.get(path).add(new long[]{fileOffset, physical, length, flags});
            }
        });
        return files;
    }

    /** Extents joined where contiguous in the file and on the device with the same flags (LAST ignored). */
    private static List<String> merged(final List<long[]> extents)
    {
        final List<long[]> out = new ArrayList<>();
        for (final long[] e : extents)
        {
            final long flags = e[3] & ~FiemapText.LAST;
            final long[] last = out.isEmpty() ? null : out.get(out.size() - 1);
            if (last != null && last[0] + last[2] == e[0] && last[1] + last[2] == e[1] && last[3] == flags)
            {
                last[2] += e[2];
            }
            else
            {
                out.add(new long[]{e[0], e[1], e[2], flags});
            }
        }
        return out.stream().map(e -> e[0] + " " + e[1] + " " + e[2] + " 0x" + Long.toHexString(e[3])).toList();
    }

    private static long read(final String text, final Recorder recorder) throws IOException
    {
        return new FiemapTextReader().read(new BufferedReader(new StringReader(text)), "t", recorder);
    }

    private static final class Recorder implements FiemapTextHandler
    {
        private final List<String> files = new ArrayList<>();
        private final List<String> extents = new ArrayList<>();

        @Override
        public void onFile(final String path, final long size)
        {
            files.add(path + ":" + size);
        }

        @Override
        public void onExtent(
            final String path, final long fileOffset, final long physical, final long length, final int flags)
        {
            extents.add(path + " " + fileOffset + " " + physical + " " + length + " 0x" + Integer.toHexString(flags));
        }
    }
}
