package io.daxrmap.format;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The geometry {@code xfs_info} (and {@code mkfs.xfs}) prints, as far as {@code xfs_io -c 'fsmap -v'} uses it: the
 * allocation groups, the block size and the data section's stripe.
 * <pre>
 * meta-data=/dev/pmem0             isize=512    agcount=4, agsize=4096 blks
 *          =                       sectsz=512   attr=2, projid32bit=1
 * data     =                       bsize=4096   blocks=16384, imaxpct=25
 *          =                       sunit=0      swidth=0 blks
 * log      =internal log           bsize=4096   blocks=3075, version=2
 *          =                       sectsz=512   sunit=0 blks, lazy-count=1
 * </pre>
 * A line that starts with a name and {@code =} opens a section, a line that starts with blanks and {@code =} goes
 * on with it; each section's {@code name=value} pairs are read (a value ends at a blank or a comma). Other sections'
 * pairs (the log's own {@code sunit}) are not the data section's.
 *
 * @param agCount           allocation groups ({@code agcount}).
 * @param agBlocks          blocks per allocation group ({@code agsize}).
 * @param blockSize         bytes per block (the data section's {@code bsize}).
 * @param dataBlocks        blocks of the data section ({@code blocks}).
 * @param stripeUnitBlocks  the data section's {@code sunit}, in blocks.
 * @param stripeWidthBlocks the data section's {@code swidth}, in blocks.
 */
public record XfsInfo(
    long agCount, long agBlocks, int blockSize, long dataBlocks, long stripeUnitBlocks, long stripeWidthBlocks)
{
    private static final Pattern SECTION = Pattern.compile("^([A-Za-z][A-Za-z-]*)\\s*=");
    private static final Pattern CONTINUATION = Pattern.compile("^\\s+=");
    private static final Pattern PAIR = Pattern.compile("([A-Za-z][A-Za-z0-9_-]*)=([^\\s,]+)");
    private static final String END = "";

    /**
     * Read xfs_info's output.
     *
     * @param file the file.
     * @return the geometry.
     * @throws FormatException naming the file (and line) if it is not xfs_info output or lacks a field.
     * @throws IOException     if it cannot be read.
     */
    public static XfsInfo read(final Path file) throws IOException
    {
        final String name = file.toString();
        final Map<String, String> fields = new HashMap<>();
        final Map<String, Long> lines = new HashMap<>();
        long number = 0;
        try (BufferedReader in = new BufferedReader(Utf8LineReader.open(file)))
        {
            String section = null;
            for (String line = in.readLine(); line != null; line = in.readLine())
            {
                number++;
                final Matcher opened = SECTION.matcher(line);
                final int from;
                if (opened.find())
                {
                    section = opened.group(1);
                    from = opened.end();
                }
                else if (CONTINUATION.matcher(line).find())
                {
                    from = line.indexOf('=') + 1;
                }
                else
                {
                    section = null; // a line of something else: its pairs are no section's
                    continue;
                }
                if (section == null)
                {
                    continue;
                }
                final Matcher pair = PAIR.matcher(line);
                pair.region(from, line.length());
                while (pair.find())
                {
                    final String key = section + "." + pair.group(1);
                    fields.putIfAbsent(key, pair.group(2));
                    lines.putIfAbsent(key, number);
                }
            }
        }
        // a field missing is told at the end of the file
        lines.put(END, number);
        final long agCount = number(name, fields, lines, "meta-data.agcount");
        final long agBlocks = number(name, fields, lines, "meta-data.agsize");
        final long blockSize = number(name, fields, lines, "data.bsize");
        final long dataBlocks = number(name, fields, lines, "data.blocks");
        final long sunit = number(name, fields, lines, "data.sunit");
        final long swidth = number(name, fields, lines, "data.swidth");
        if (blockSize < XfsIo.SECTOR || blockSize > 1 << 16 || Long.bitCount(blockSize) != 1)
        {
            throw new FormatException(name, lines.get("data.bsize"), "bsize",
                "not a block size (a power of two, 512 to 65536): " + blockSize);
        }
        if (agCount == 0 || agBlocks == 0 || agBlocks > Long.MAX_VALUE / blockSize / agCount)
        {
            throw new FormatException(name, lines.get("meta-data.agsize"), "agsize",
                "not allocation groups: agcount=" + agCount + " agsize=" + agBlocks);
        }
        if (dataBlocks > agCount * agBlocks || dataBlocks <= (agCount - 1) * agBlocks)
        {
            // every AG but the last is whole: a data section of another size is not this geometry's (and one past
            // 2^63 bytes would overflow)
            throw new FormatException(name, lines.get("data.blocks"), "blocks", "not the data section of agcount=" +
                agCount + " agsize=" + agBlocks + ": " + dataBlocks);
        }
        if (sunit > 0 && swidth == 0)
        {
            throw new FormatException(name, lines.get("data.swidth"), "swidth", "0 with sunit=" + sunit);
        }
        return new XfsInfo(agCount, agBlocks, (int)blockSize, dataBlocks, sunit, swidth);
    }

    private static long number(final String file, final Map<String, String> fields, final Map<String, Long> lines,
        final String key) throws FormatException
    {
        final String value = fields.get(key);
        final String field = key.substring(key.indexOf('.') + 1);
        if (value == null)
        {
            throw new FormatException(file, lines.get(END), null, "not xfs_info output: no " + field + "= in its " +
                key.substring(0, key.indexOf('.')) + " section");
        }
        try
        {
            final long parsed = Long.parseLong(value);
            if (parsed < 0 || !value.chars().allMatch(c -> c >= '0' && c <= '9'))
            {
                throw new NumberFormatException(value);
            }
            return parsed;
        }
        catch (final NumberFormatException ex)
        {
            throw new FormatException(file, lines.get(key), field, "not a number: \"" + value + "\"", ex);
        }
    }
}
