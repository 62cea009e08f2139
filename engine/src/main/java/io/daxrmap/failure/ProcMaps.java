package io.daxrmap.failure;

import io.daxrmap.format.DeviceNumber;
import io.daxrmap.model.NativePaths;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The file mappings of every process, from {@code /proc/PID/maps}: which processes to signal for a kill list, as
 * {@code collect_procs_fsdax()} finds them through the address_space's VMA tree.
 * <p>
 * A maps line is {@code start-end perms offset major:minor inode path}, numbers in hex except the inode; the device
 * is the inode's superblock's {@code s_dev}, the device GETFSMAP names as {@code fmr_device} for an XFS data device.
 * Processes that exit or deny access while being read are skipped.
 */
public final class ProcMaps
{
    private static final long PAGE_SIZE = 1L << FailureEvent.PAGE_SHIFT;

    private final List<Line> lines;

    private ProcMaps(final List<Line> lines)
    {
        this.lines = lines;
    }

    /**
     * One file mapping line.
     *
     * @param pid        process id.
     * @param start      first address.
     * @param end        end address (exclusive).
     * @param perms      permissions.
     * @param fileOffset file offset of {@code start}.
     * @param device     device number ({@code new_encode_dev}).
     * @param inode      inode number.
     * @param path       the path as printed, or empty.
     */
    public record Line(long pid, long start, long end, String perms, long fileOffset, int device, long inode,
        String path)
    {
    }

    /**
     * Read the maps of every process under a proc root.
     *
     * @param procRoot normally {@code /proc}.
     * @return the file mappings (lines with inode 0 are left out).
     * @throws IOException if the root cannot be listed.
     */
    public static ProcMaps read(final Path procRoot) throws IOException
    {
        final List<Line> lines = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(procRoot, "[0-9]*"))
        {
            for (final Path entry : entries)
            {
                final long pid;
                try
                {
                    pid = Long.parseLong(entry.getFileName().toString());
                }
                catch (final NumberFormatException ex)
                {
                    continue;
                }
                final byte[] text;
                try
                {
                    text = Files.readAllBytes(entry.resolve("maps"));
                }
                catch (final IOException | UncheckedIOException ex)
                {
                    // Gone (ENOENT, ESRCH) or not ours to read: a process that exits meanwhile is not an error.
                    continue;
                }
                // Paths are bytes, not necessarily UTF-8: one name that is not must not hide the process. Each byte
                // is one ISO-8859-1 char for parsing fields 1-5; the path is then decoded on its own (fromBytes).
                for (final String line : new String(text, StandardCharsets.ISO_8859_1).split("\n"))
                {
                    final Line parsed = parse(pid, line);
                    if (parsed != null && parsed.inode() != 0)
                    {
                        lines.add(new Line(parsed.pid(), parsed.start(), parsed.end(), parsed.perms(),
                            parsed.fileOffset(), parsed.device(), parsed.inode(), fromBytes(parsed.path())));
                    }
                }
            }
        }
        return new ProcMaps(lines);
    }

    /**
     * Text whose chars are bytes (ISO-8859-1) as a name: its UTF-8 decoded, and each byte that is not part of valid
     * UTF-8 as the char U+DC00 + the byte (a surrogate escape, as Python's), so that nothing is lost or replaced and a
     * text report can print the byte back as {@code ls -b} does.
     *
     * @param bytes the bytes, one char each.
     * @return the name.
     */
    public static String fromBytes(final String bytes)
    {
        final byte[] raw = bytes.getBytes(StandardCharsets.ISO_8859_1);
        return NativePaths.decode(raw, 0, raw.length);
    }

    /**
     * Maps built from lines already parsed.
     *
     * @param lines the lines.
     * @return the maps.
     */
    public static ProcMaps of(final List<Line> lines)
    {
        return new ProcMaps(List.copyOf(lines));
    }

    /**
     * Parse one maps line.
     *
     * @param pid  the process.
     * @param line the text.
     * @return the line, or null if it is not a maps line.
     */
    public static Line parse(final long pid, final String line)
    {
        final String[] fields = line.trim().split("\\s+", 6);
        if (fields.length < 5)
        {
            return null;
        }
        try
        {
            final int dash = fields[0].indexOf('-');
            final int colon = fields[3].indexOf(':');
            if (dash < 0 || colon < 0)
            {
                return null;
            }
            return new Line(pid, Long.parseUnsignedLong(fields[0].substring(0, dash), 16),
                Long.parseUnsignedLong(fields[0].substring(dash + 1), 16), fields[1],
                Long.parseUnsignedLong(fields[2], 16),
                DeviceNumber.encode(Integer.parseInt(fields[3].substring(0, colon), 16),
                    Integer.parseInt(fields[3].substring(colon + 1), 16)),
                Long.parseLong(fields[4]), fields.length > 5 ? fields[5] : "");
        }
        catch (final IllegalArgumentException ex)
        {
            return null;
        }
    }

    /**
     * The lines read.
     *
     * @return the file mappings.
     */
    public List<Line> lines()
    {
        return lines;
    }

    /**
     * Add to a report the processes that map its kill list's pages, in pid then address order.
     *
     * @param report   a report; nothing is added unless it has kill rows.
     * @param procRoot where to read each process's {@code comm}, or null not to.
     */
    public void match(final FailureReport report, final Path procRoot)
    {
        final List<ProcessMapping> found = report.processes();
        for (int row = 0; row < report.killCount(); row++)
        {
            final long inode = report.killInode(row);
            final long first = report.killPgoff(row) * PAGE_SIZE;
            final long end = first + report.killPgcnt(row) * PAGE_SIZE;
            for (final Line line : lines)
            {
                // maps name a file by its superblock's device, the data device, even where a realtime device
                // holds its bytes
                if (line.device() != report.filesystemDevice() || line.inode() != inode)
                {
                    continue;
                }
                final long mapFirst = line.fileOffset();
                final long mapEnd = mapFirst + (line.end() - line.start());
                final long from = Math.max(first, mapFirst);
                final long to = Math.min(end, mapEnd);
                if (from < to)
                {
                    found.add(new ProcessMapping(line.pid(), command(procRoot, line.pid()), inode,
                        from / PAGE_SIZE, (to - from + PAGE_SIZE - 1) / PAGE_SIZE, line.start() + (from - mapFirst),
                        line.start(), line.end(), line.perms()));
                }
            }
        }
        found.sort(Comparator.comparingLong(ProcessMapping::pid).thenComparingLong(ProcessMapping::address));
    }

    private static String command(final Path procRoot, final long pid)
    {
        if (procRoot == null)
        {
            return null;
        }
        try
        {
            return fromBytes(new String(Files.readAllBytes(procRoot.resolve(Long.toString(pid)).resolve("comm")),
                StandardCharsets.ISO_8859_1)).strip();
        }
        catch (final IOException ex)
        {
            return null;
        }
    }
}
