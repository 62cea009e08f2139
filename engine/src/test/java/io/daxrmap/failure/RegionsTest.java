package io.daxrmap.failure;

import io.daxrmap.format.DeviceNumber;
import io.daxrmap.format.FormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The regions file and the arithmetic from physical addresses to device offsets.
 */
class RegionsTest
{
    private static final String FILE = """
        {"regions":[
          {"name":"pmem0","physBase":"0x100000000","size":1073741824,"startPad":0,"dataOffset":0,"partitionOffset":0},
          {"name":"pmem1","physBase":"0x140000000","size":"0x40000000","startPad":"0x1000","dataOffset":2097152,
           "partitionOffset":"0x100000","device":"259:1","regionBase":"0x13f000000"},
          {"name":"pmem2","physBase":6442450944,"size":1073741824,"dataOffset":"0x200000"}
        ]}
        """;

    @Test
    void shouldReadNumbersAndHexStringsWithOptionalFields() throws FormatException
    {
        final Regions regions = Regions.parse(FILE, "regions.json");
        assertEquals(3, regions.list().size());
        final Region pmem1 = regions.byName("pmem1");
        assertEquals(new Region("pmem1", 0x1_4000_0000L, 1L << 30, 0x1000, 2L << 20, 1L << 20,
            DeviceNumber.encode(259, 1), 0x1_3F00_0000L), pmem1);
        assertEquals(Region.of("pmem2", 0x1_8000_0000L, 1L << 30, 0, 2L << 20, 0), regions.byName("pmem2"));
        assertEquals(Region.of("pmem0", 0x1_0000_0000L, 1L << 30, 0, 0, 0), regions.byName("pmem0"));
    }

    @ParameterizedTest
    @CsvSource({
        // phys, region, device offset (hand-computed: phys - physBase - startPad - dataOffset - partitionOffset)
        "0x0ffffffff, -, 0",
        "0x100000000, pmem0, 0",
        "0x13fffffff, pmem0, 0x3fffffff",
        "0x140000000, pmem1, -0x301000",
        "0x140301000, pmem1, 0",
        "0x140302abc, pmem1, 0x1abc",
        "0x17fffffff, pmem1, 0x3fcfefff",
        "0x180200000, pmem2, 0",
        "0x1c0000000, -, 0",
    })
    void shouldLocateAddressesAsTheContractComputes(final String phys, final String region, final String offset)
        throws FormatException
    {
        final Regions regions = Regions.parse(FILE, "regions.json");
        final long address = Long.decode(phys);
        final Region found = regions.find(address);
        if ("-".equals(region))
        {
            assertNull(found);
            return;
        }
        assertSame(regions.byName(region), found);
        assertEquals(Long.decode(offset), found.deviceOffset(address));
        assertEquals(address, found.phys(found.deviceOffset(address)));
    }

    @Test
    void shouldNameTheFileLineAndFieldOfAnError()
    {
        assertEquals("regions.json:3: field regions[1].size: not a hex number: \"0x4000000z\"",
            error(FILE.replace("\"0x40000000\"", "\"0x4000000z\"")));
        assertEquals("regions.json:2: field regions[0].physBase: must not be negative: -5",
            error(FILE.replace("\"0x100000000\"", "-5")));
        assertEquals("regions.json:5: field regions[2].dataOffset: missing",
            error(FILE.replace(",\"dataOffset\":\"0x200000\"", "")));
        assertEquals("regions.json:2: field regions[0].sise: unknown field; expected one of dataOffset, device, name, " +
            "partitionOffset, physBase, regionBase, size, startPad", error(FILE.replace("\"size\":1073741824,\"startPad\":0,",
                "\"sise\":1073741824,\"startPad\":0,")));
        assertEquals("regions.json:2: only integers are accepted here at column 89",
            error(FILE.replace("\"dataOffset\":0,", "\"dataOffset\":0.5,")));
        assertEquals("regions.json:3: field regions[1]: regions overlap: pmem0=[0x100000000, 0x140000000) " +
            "pmem1=[0x13ffff000, 0x17ffff000) (regions[0] on line 2)", error(FILE.replace("\"physBase\":\"0x140000000\"",
                "\"physBase\":\"0x13ffff000\"").replace("\"startPad\":\"0x1000\"", "\"startPad\":\"0x2000\"")));
        assertEquals("regions.json:3: field regions[1]: filesystem start not page aligned: name=pmem1 start=0x140301200",
            error(FILE.replace("\"partitionOffset\":\"0x100000\"", "\"partitionOffset\":\"0x100200\"")));
    }

    @Test
    void shouldRefuseOffsetsWhoseSumWrapsNamingTheField()
    {
        final String big = "{\"regions\":[\n{\"name\":\"pmem0\",\"physBase\":\"0x100000000\",\"size\":1073741824," +
            "\"startPad\":%s,\"dataOffset\":%s,\"partitionOffset\":%s}]}";
        final long max = Long.MAX_VALUE;
        assertEquals("regions.json:2: field regions[0].startPad: ends past the window: startPad=" + max +
            " after 0 bytes of offsets, size=1073741824", error(String.format(big, max, max, 2)));
        assertEquals("regions.json:2: field regions[0].dataOffset: ends past the window: dataOffset=" + max +
            " after 0 bytes of offsets, size=1073741824", error(String.format(big, 0, max, 2)));
        assertEquals("regions.json:2: field regions[0].partitionOffset: ends past the window: partitionOffset=" + max +
            " after 4096 bytes of offsets, size=1073741824", error(String.format(big, 4096, 0, max)));
        assertEquals("regions.json:2: field regions[0].size: window past 2^63: physBase=4294967296 size=" + max,
            error(String.format(big, 0, 0, 0).replace("1073741824", Long.toString(max))));
        assertThrows(IllegalArgumentException.class, () -> Region.of("pmem0", 0, 1L << 30, max, max, 2));
    }

    @Test
    void shouldNameTheLineOfTheEntryAtFault(@TempDir final Path temp) throws IOException
    {
        assertEquals("regions.json:6: field regions[2]: not an object", error(FILE.replace(
            "{\"name\":\"pmem2\",\"physBase\":6442450944,\"size\":1073741824,\"dataOffset\":\"0x200000\"}", "\n 7")));
        assertEquals("regions.json:5: field regions[2].name: duplicate region name: name=pmem0 (also regions[0] on line 2)",
            error(FILE.replace("\"pmem2\"", "\"pmem0\"")));
        assertEquals("regions.json:5: field regions[2]: regions overlap: pmem0=[0x100000000, 0x140000000) " +
            "pmem2=[0x100000000, 0x140000000) (regions[0] on line 2)", error(FILE.replace("6442450944", "4294967296")));
        final Path bad = temp.resolve("latin1.json");
        Files.write(bad, FILE.replace("pmem2", "pm\u00e9m2").getBytes(StandardCharsets.ISO_8859_1));
        assertEquals(bad + ":5: not UTF-8 at byte offset " + (FILE.indexOf("pmem2") + 2),
            assertThrows(FormatException.class, () -> Regions.read(bad)).getMessage());
        assertEquals(temp + ": cannot read: Is a directory",
            assertThrows(IOException.class, () -> Regions.read(temp)).getMessage());
    }

    @Test
    void shouldRefuseMalformedJsonWithItsLine()
    {
        assertEquals("r.json:2: unexpected end of input, expected '}' at column 4", message("{\"regions\":[]\n   ", "r.json"));
        assertEquals("r.json:1: duplicate key \"regions\" at column 15", message("{\"regions\":[],\"regions\":[]}", "r.json"));
        assertEquals("r.json:1: expected an object {\"regions\":[...]}", message("[]", "r.json"));
    }

    private static String error(final String text)
    {
        return message(text, "regions.json");
    }

    private static String message(final String text, final String name)
    {
        return assertThrows(FormatException.class, () -> Regions.parse(text, name)).getMessage();
    }
}
