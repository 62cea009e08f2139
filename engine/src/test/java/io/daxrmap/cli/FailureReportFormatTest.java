package io.daxrmap.cli;

import io.daxrmap.failure.FailureEvent;
import io.daxrmap.failure.FailureReport;
import io.daxrmap.failure.FailureService;
import io.daxrmap.failure.ProcMaps;
import io.daxrmap.failure.ProcessMapping;
import io.daxrmap.failure.Region;
import io.daxrmap.failure.Regions;
import io.daxrmap.format.DeviceNumber;
import io.daxrmap.index.IndexConfig;
import io.daxrmap.index.ReverseIndex;
import io.daxrmap.model.DeviceGeometry;
import io.daxrmap.model.Owner;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Text reports print names from the filesystem, from processes and from input escaped as {@code ls -b} does: no name
 * can forge a line of the report or reach the terminal as an escape sequence.
 */
class FailureReportFormatTest
{
    private static final int DEVICE = DeviceNumber.encode(259, 0);
    private static final long PHYS_BASE = 0x1_0000_0000L;

    @Test
    void shouldEscapeControlCharactersAndBackslashReversibly()
    {
        assertSame("plain/café", FailureReportFormat.escape("plain/café"));
        assertEquals("a\\ lost", FailureReportFormat.escape("a lost"));
        assertEquals("{\"type\": 1}", FailureReportFormat.escape("{\"type\": 1}", false));
        assertEquals("nl\\nkill\\tinode\\ 9", FailureReportFormat.escape("nl\nkill\tinode 9"));
        assertEquals("\\033[31mred\\\\n", FailureReportFormat.escape("\u001b[31mred\\n"));
        assertEquals("\\a\\b\\v\\f\\r\\000\\177\\302\\233", FailureReportFormat.escape("\u0007\b\u000b\f\r\u0000\u007f\u009b"));
    }

    @Test
    void shouldPrintTheBytesOfANameThatIsNotUtf8AsLsDoes()
    {
        // comm bytes x 0x85 y 0xff z, then a valid UTF-8 y-diaeresis (0xc3 0xbf)
        final String name = ProcMaps.fromBytes(new String(new byte[] {'x', (byte)0x85, 'y', (byte)0xff, 'z',
            (byte)0xc3, (byte)0xbf}, StandardCharsets.ISO_8859_1));
        assertEquals("x\udc85y\udcffz\u00ff", name);
        assertEquals("x\\205y\\377z\u00ff", FailureReportFormat.escape(name));
        assertEquals("\"x\\udc85y\\udcffz\u00ff\"", Json.quote(name));
        assertEquals("\"\ud83d\ude00\"", Json.quote("\ud83d\ude00"), "a valid pair stays as it is");
    }

    @Test
    void shouldNotLetAPathForgeAKillLineOrAnEscapeSequence()
    {
        final List<String> texts = new ArrayList<>();
        try (ReverseIndex index = ReverseIndex.create(new IndexConfig(new DeviceGeometry(DEVICE, 1L << 20, 4096), 64)))
        {
            index.newBatch().map(Owner.data(9), 0, 0, 4096, 0).commit();
            final FailureService service = new FailureService(
                new Regions(List.of(Region.of("pmem\n0", PHYS_BASE, 1L << 20, 0, 0, 0))), Map.of(DEVICE, index), DEVICE);
            service.report(FailureEvent.physical(PHYS_BASE, 12, "{\"type\":\"phys\",\"address\":\"0x100000000\"}"),
                new FailureReport(), report ->
                {
                    report.processes().add(new ProcessMapping(77, "evil\u001b]0;x\u0007", 9, 0, 1, 0x7f0000000000L,
                        0x7f0000000000L, 0x7f0000001000L, "rw-s"));
                    texts.add(FailureReportFormat.text(report, inode -> "nl\nkill    inode 9 fake\u001b[31m"));
                });
        }
        assertEquals(1, texts.size());
        final String text = texts.get(0);
        assertFalse(text.contains("\u001b"), text);
        assertTrue(text.contains("  kill    inode 9 pgoff 0 pgcnt 1 nl\\nkill\\ \\ \\ \\ inode\\ 9\\ fake\\033[31m\n"), text);
        assertEquals(1, text.lines().filter(line -> line.startsWith("  kill")).count(), text);
        assertTrue(text.contains(" inode 9 file bytes [0, 4096) nl\\nkill\\ \\ \\ \\ inode\\ 9\\ fake\\033[31m lost\n"), text);
        assertTrue(text.contains("  mapped: pmem\\n0 device "), text);
        assertTrue(text.contains("  process pid 77 (evil\\033]0;x\\a) maps inode 9"), text);
    }
}
