package io.daxrmap.failure;

import io.daxrmap.format.DeviceNumber;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * {@code /proc/PID/maps} lines and their match with kill rows (device, inode, file page range), against a fake proc
 * tree with hand-computed answers.
 */
class ProcMapsTest
{
    private static final int LOOP3 = DeviceNumber.encode(7, 3);

    @TempDir
    Path proc;

    @Test
    void shouldParseAMapsLineWithAndWithoutAPath()
    {
        assertEquals(new ProcMaps.Line(42, 0x7f00_0000_0000L, 0x7f00_0001_0000L, "r--s", 0x2000, LOOP3, 131,
            "/mnt/dir with space/a"), ProcMaps.parse(42,
                "7f0000000000-7f0000010000 r--s 00002000 07:03 131                        /mnt/dir with space/a"));
        assertEquals(new ProcMaps.Line(1, 0x1000, 0x2000, "rw-p", 0, DeviceNumber.encode(0x103, 0x1a), 0, ""),
            ProcMaps.parse(1, "1000-2000 rw-p 00000000 103:1a 0"));
        assertNull(ProcMaps.parse(1, "garbage"));
    }

    @Test
    void shouldFindTheProcessesThatMapAKillRowAndWhere() throws IOException
    {
        maps(100, "comm-a",
            "7f0000000000-7f0000010000 r--s 00002000 07:03 131                        /mnt/a",
            "7f1000000000-7f1000004000 rw-s 00000000 07:04 131                        /other/a",
            "7f2000000000-7f2000004000 r--p 00000000 07:03 132                        /mnt/b",
            "7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0                          [stack]");
        maps(7, "comm-b", "7e0000000000-7e0000008000 rw-s 00004000 07:03 131 /mnt/a");
        final FailureReport report = new FailureReport();
        report.reset(FailureEvent.physical(0, 12), FailureService.PAGE_MAPPING_SHIFT);
        report.locate(Verdict.MAPPED, null, LOOP3, 0, 0, 4096);
        report.addKill(131, 4, 2, 0);
        report.addKill(131, 40, 1, 0);
        report.addKill(133, 0, 1, 0);
        report.finish(false);

        ProcMaps.read(proc).match(report, proc);

        // pid 100 maps file bytes [0x2000, 0x12000): pages 2..17, so pgoff 4..5 at 0x7f0000000000 + 0x2000.
        // pid 7 maps [0x4000, 0xc000): pages 4..11, pgoff 4..5 at its start.
        assertEquals(List.of(
            new ProcessMapping(7, "comm-b", 131, 4, 2, 0x7e00_0000_0000L, 0x7e00_0000_0000L, 0x7e00_0000_8000L, "rw-s"),
            new ProcessMapping(100, "comm-a", 131, 4, 2, 0x7f00_0000_2000L, 0x7f00_0000_0000L, 0x7f00_0001_0000L, "r--s")),
            report.processes());
    }

    @Test
    void shouldFindAProcessWhoseMapsNameAPathThatIsNotUtf8() throws IOException
    {
        final Path dir = Files.createDirectories(proc.resolve("300"));
        final ByteArrayOutputStream maps = new ByteArrayOutputStream();
        maps.writeBytes("7d0000000000-7d0000001000 r--s 00000000 07:03 9 /mnt/bad".getBytes(StandardCharsets.US_ASCII));
        maps.write(0xff);
        maps.writeBytes("name\n7d1000000000-7d1000001000 r--s 00000000 07:03 10 /mnt/caf\u00e9\n".getBytes(StandardCharsets.UTF_8));
        Files.write(dir.resolve("maps"), maps.toByteArray());
        Files.write(dir.resolve("comm"), new byte[]{'x', (byte)0xfe, '\n'});
        final ProcMaps read = ProcMaps.read(proc);
        assertEquals(List.of("/mnt/bad\udcffname", "/mnt/caf\u00e9"), read.lines().stream().map(ProcMaps.Line::path).toList());
        final FailureReport report = new FailureReport();
        report.reset(FailureEvent.physical(0, 12), FailureService.PAGE_MAPPING_SHIFT);
        report.locate(Verdict.MAPPED, null, LOOP3, 0, 0, 4096);
        report.addKill(9, 0, 1, 0);
        report.finish(false);
        read.match(report, proc);
        assertEquals(List.of(new ProcessMapping(300, "x\udcfe", 9, 0, 1, 0x7d00_0000_0000L, 0x7d00_0000_0000L,
            0x7d00_0000_1000L, "r--s")), report.processes());
    }

    private void maps(final long pid, final String comm, final String... lines) throws IOException
    {
        final Path dir = Files.createDirectories(proc.resolve(Long.toString(pid)));
        Files.writeString(dir.resolve("maps"), String.join("\n", lines) + "\n");
        Files.writeString(dir.resolve("comm"), comm + "\n");
    }
}
