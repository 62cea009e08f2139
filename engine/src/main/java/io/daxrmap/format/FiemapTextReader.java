package io.daxrmap.format;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;

import static io.daxrmap.format.FiemapText.BLOCK_RANGE;
import static io.daxrmap.format.FiemapText.EXT;
import static io.daxrmap.format.FiemapText.FF_BLOCKS;
import static io.daxrmap.format.FiemapText.FF_BLOCK_SIZE;
import static io.daxrmap.format.FiemapText.FF_EXPECTED;
import static io.daxrmap.format.FiemapText.FF_EXT;
import static io.daxrmap.format.FiemapText.FF_FLAGS;
import static io.daxrmap.format.FiemapText.FF_FS_TYPE;
import static io.daxrmap.format.FiemapText.FF_LENGTH;
import static io.daxrmap.format.FiemapText.FF_LOGICAL;
import static io.daxrmap.format.FiemapText.FF_PHYSICAL;
import static io.daxrmap.format.FiemapText.FF_SIZE;
import static io.daxrmap.format.FiemapText.FILE_OFFSET;
import static io.daxrmap.format.FiemapText.FLAGS;
import static io.daxrmap.format.FiemapText.TOTAL;

/**
 * Reads {@link FiemapText} texts, either style, and delivers each extent in bytes to a {@link FiemapTextHandler}.
 * <p>
 * The style is taken from the first line. Every line is checked: the framing (a table only inside a file, a
 * header before the rows, filefrag's closing line naming the file it opened), row numbers in sequence, unsigned
 * numbers, ranges whose ends agree with the length column, known flags, and byte values that fit in a
 * {@code long}. The first fault ends the read with a {@link FormatException} naming the file, line and field;
 * extents delivered before it stay delivered.
 */
public final class FiemapTextReader
{
    private static final String FILE_SIZE_PREFIX = "File size of ";
    private static final String FS_TYPE_PREFIX = "Filesystem type is: ";
    private static final String CYLINDER_GROUPS_PREFIX = "Filesystem cylinder groups approximately ";
    /** The fields of the text being read, which know its line. */
    private TextFields current;
    /** The parser of the text being read: filefrag's knows the block size its listings count in. */
    private LineParser parser;

    /**
     * The line the reader is at, for a handler that wants to know where an extent came from: while the handler takes
     * a file or an extent, the line that tells it. A reader reads one text at a time.
     *
     * @return the 1-based line number of the current (or last) read, 0 before the first.
     */
    public long line()
    {
        final TextFields fields = current;
        return fields == null ? 0 : fields.line();
    }

    /**
     * The block size the file being listed counts in, as {@code filefrag -v} states it: "File size of PATH is N (B
     * blocks of S bytes)". That is the filesystem's block size unless filefrag was given {@code -b}. While the handler
     * takes a file or an extent, the file's.
     *
     * @return S in bytes, or 0 for {@code xfs_io fiemap -v} output (which counts in 512-byte units and does not say
     * the block size) or before a file.
     */
    public long statedBlockSize()
    {
        return parser instanceof FilefragParser filefrag ? filefrag.unit : 0;
    }

    /**
     * Read a file.
     *
     * @param file    the file; its name as given appears in error messages.
     * @param handler receives the files and extents.
     * @return the number of extents delivered.
     * @throws FormatException if the text is malformed.
     * @throws IOException     if the file cannot be read or the handler fails.
     */
    public long read(final Path file, final FiemapTextHandler handler) throws IOException
    {
        // line by line: a line that is not UTF-8 is named exactly
        try (BufferedReader in = new BufferedReader(Utf8LineReader.open(file)))
        {
            return read(in, file.toString(), handler);
        }
    }

    /**
     * Read a text.
     *
     * @param in      the text.
     * @param name    the name of the input for error messages.
     * @param handler receives the files and extents.
     * @return the number of extents delivered.
     * @throws FormatException if the text is malformed.
     * @throws IOException     if the text cannot be read or the handler fails.
     */
    public long read(final BufferedReader in, final String name, final FiemapTextHandler handler) throws IOException
    {
        final String first = in.readLine();
        if (first == null)
        {
            return 0;
        }
        final TextFields fields = new TextFields(name);
        current = fields;
        fields.line(1);
        final FiemapText.Style style = FiemapText.detect(first);
        if (style == null)
        {
            throw fields.error(null, "neither xfs_io fiemap -v nor filefrag -v output: \"" + first + "\"");
        }
        parser = style == FiemapText.Style.XFS_IO ?
            new XfsIoParser(fields, handler) : new FilefragParser(fields, handler);
        return parser.read(first, in);
    }

    /**
     * Feeds a text line by line to a parser, numbering the lines for error messages.
     */
    private abstract static class LineParser
    {
        final TextFields fields;
        final FiemapTextHandler handler;
        long extents;

        LineParser(final TextFields fields, final FiemapTextHandler handler)
        {
            this.fields = fields;
            this.handler = handler;
        }

        final long read(final String first, final BufferedReader in) throws IOException
        {
            long lineNumber = 1;
            String line = first;
            while (line != null)
            {
                fields.line(lineNumber);
                parseLine(line);
                line = in.readLine();
                lineNumber++;
            }
            finish(lineNumber - 1);
            return extents;
        }

        abstract void parseLine(String line) throws IOException;

        /**
         * Called after the last line; the default accepts any ending.
         */
        void finish(final long lastLine) throws IOException
        {
        }
    }

    /** {@code xfs_io -c 'fiemap -v'}. */
    private static final class XfsIoParser extends LineParser
    {
        private String path;
        private boolean header;
        private long nextExt;

        private XfsIoParser(final TextFields fields, final FiemapTextHandler handler)
        {
            super(fields, handler);
        }

        @Override
        void parseLine(final String line) throws IOException
        {
            // 'PATH:' starts a file, whatever its name begins with (a space too): no extent row or table header ends
            // with a colon
            if (line.endsWith(":") && line.length() > 1)
            {
                path = line.substring(0, line.length() - 1);
                header = false;
                nextExt = 0;
                handler.onFile(path, -1);
                return;
            }
            if (line.trim().startsWith(EXT + ":"))
            {
                if (path == null || header)
                {
                    throw fields.error(null, "unexpected table header: \"" + line + "\"");
                }
                if (!line.contains(FILE_OFFSET) || !line.contains(BLOCK_RANGE) || !line.contains(TOTAL))
                {
                    throw fields.error(null, "bad table header: \"" + line + "\"");
                }
                header = true;
                return;
            }
            if (!header)
            {
                throw fields.error(null, "expected \"PATH:\" or a table header but found \"" + line + "\"");
            }
            parseRow(line);
        }

        private void parseRow(final String line) throws IOException
        {
            final int colon = line.indexOf(':');
            if (colon < 0)
            {
                throw fields.error(null, "not a table row: \"" + line + "\"");
            }
            final long ext = fields.number(EXT, line.substring(0, colon).trim());
            if (ext != nextExt)
            {
                throw fields.error(EXT, "out of sequence: expected " + nextExt + " but found " + ext);
            }
            nextExt++;
            final String rest = line.substring(colon + 1).trim();
            final int close = rest.indexOf("]:");
            if (!rest.startsWith("[") || close < 0)
            {
                throw fields.error(FILE_OFFSET, "expected [START..END]: but found \"" + rest + "\"");
            }
            final String fileRange = rest.substring(1, close);
            final String[] columns = rest.substring(close + 2).trim().split("\\s+");
            if (columns.length == 2 && "hole".equals(columns[0]))
            {
                final long total = fields.number(TOTAL, columns[1]);
                if (total != 0)
                {
                    final long start = rangeStart(FILE_OFFSET, fileRange);
                    checkRange(FILE_OFFSET, start, rangeEnd(FILE_OFFSET, fileRange), total);
                }
                return;
            }
            if (columns.length != 3)
            {
                throw fields.error(null, "expected BLOCK-RANGE TOTAL FLAGS or hole TOTAL but found \"" +
                    rest.substring(close + 2).trim() + "\"");
            }
            final long total = fields.number(TOTAL, columns[1]);
            final int flags = parseHexFlags(columns[2]);
            if (total == 0)
            {
                return;
            }
            final long fileStart = rangeStart(FILE_OFFSET, fileRange);
            checkRange(FILE_OFFSET, fileStart, rangeEnd(FILE_OFFSET, fileRange), total);
            final long blockStart = rangeStart(BLOCK_RANGE, columns[0]);
            checkRange(BLOCK_RANGE, blockStart, rangeEnd(BLOCK_RANGE, columns[0]), total);
            final long unit = FiemapText.XFS_IO_UNIT;
            final long fileOffset = fields.bytes(FILE_OFFSET, fileStart, unit);
            final long physical = fields.bytes(BLOCK_RANGE, blockStart, unit);
            final long length = fields.bytes(TOTAL, total, unit);
            // a file's last block may end at 2^63 (XFS files reach 2^63 - 1 bytes): the index holds what it can of it
            if (fileOffset > Long.MAX_VALUE - length + 1)
            {
                throw fields.error(FILE_OFFSET, "overflow converting to bytes: offset=" + fileOffset + " length=" +
                    length);
            }
            checkEnd(BLOCK_RANGE, physical, length);
            handler.onExtent(path, fileOffset, physical, length, flags);
            extents++;
        }

        private int parseHexFlags(final String text) throws FormatException
        {
            if (!text.startsWith("0x") || text.length() < 3 || text.length() > 10)
            {
                throw fields.error(FLAGS, "not a hex number: \"" + text + "\"");
            }
            final int flags;
            try
            {
                flags = Integer.parseUnsignedInt(text.substring(2), 16);
            }
            catch (final NumberFormatException ex)
            {
                throw new FormatException(fields.file(), fields.line(), FLAGS, "not a hex number: \"" + text + "\"",
                    ex);
            }
            if ((flags & ~FiemapText.KNOWN_FLAGS) != 0)
            {
                // as filefrag's flag words are checked: a bit the kernel never sets is a damaged line, and one that
                // happens to set UNKNOWN would drop the extent unseen
                throw fields.error(FLAGS, "unknown flags 0x" + Integer.toHexString(flags & ~FiemapText.KNOWN_FLAGS) +
                    " in \"" + text + "\"");
            }
            return flags;
        }

        private long rangeStart(final String field, final String range) throws FormatException
        {
            return fields.number(field, range.substring(0, dots(field, range)).trim());
        }

        private long rangeEnd(final String field, final String range) throws FormatException
        {
            return fields.number(field, range.substring(dots(field, range) + 2).trim());
        }

        private int dots(final String field, final String range) throws FormatException
        {
            final int dots = range.indexOf("..");
            if (dots < 0)
            {
                throw fields.error(field, "expected START..END but found \"" + range + "\"");
            }
            return dots;
        }

        private void checkRange(final String field, final long start, final long end, final long total)
            throws FormatException
        {
            if (end < start || end - start + 1 != total)
            {
                throw fields.error(field, "does not match TOTAL: start=" + start + " end=" + end + " TOTAL=" + total);
            }
        }

        private void checkEnd(final String field, final long offset, final long length) throws FormatException
        {
            if (offset > Long.MAX_VALUE - length)
            {
                throw fields.error(field, "overflow converting to bytes: offset=" + offset + " length=" + length);
            }
        }
    }

    /** {@code filefrag -v}. */
    private static final class FilefragParser extends LineParser
    {
        private String path;
        private long unit;
        private boolean header;
        private long nextExt;

        private FilefragParser(final TextFields fields, final FiemapTextHandler handler)
        {
            super(fields, handler);
        }

        @Override
        void finish(final long lastLine) throws IOException
        {
            if (path != null)
            {
                fields.line(lastLine);
                throw fields.error(null, "missing \"" + path + ": N extents found\" at the end of the text");
            }
        }

        @Override
        void parseLine(final String line) throws IOException
        {
            if (path == null)
            {
                if (line.startsWith(FS_TYPE_PREFIX))
                {
                    parseFsType(line.substring(FS_TYPE_PREFIX.length()));
                    return;
                }
                if (line.startsWith(FILE_SIZE_PREFIX))
                {
                    parseFileSize(line);
                    return;
                }
                if (line.startsWith(CYLINDER_GROUPS_PREFIX))
                {
                    fields.number(FF_FS_TYPE, line.substring(CYLINDER_GROUPS_PREFIX.length()));
                    return;
                }
                throw fields.error(null, "expected \"File size of PATH is ...\" but found \"" + line + "\"");
            }
            if (isEnd(line))
            {
                path = null;
                return;
            }
            if (line.trim().startsWith(FF_EXT + ":"))
            {
                if (header)
                {
                    throw fields.error(null, "unexpected table header: \"" + line + "\"");
                }
                if (!line.contains(FF_LOGICAL) || !line.contains(FF_PHYSICAL))
                {
                    throw fields.error(null, "bad table header: \"" + line + "\"");
                }
                header = true;
                return;
            }
            if (!header)
            {
                throw fields.error(null, "expected a table header or \"" + path + ": N extents found\" but found \"" +
                    line + "\"");
            }
            parseRow(line);
        }

        private void parseFsType(final String text) throws FormatException
        {
            if (text.isEmpty() || text.length() > 16 || !text.chars().allMatch(c -> Character.digit(c, 16) >= 0))
            {
                throw fields.error(FF_FS_TYPE, "not a hex number: \"" + text + "\"");
            }
        }

        /** {@code File size of PATH is N (B block[s] of S bytes)}. */
        private void parseFileSize(final String line) throws IOException
        {
            final int is = line.lastIndexOf(" is ");
            final int open = line.lastIndexOf(" (");
            final int of = line.lastIndexOf(" of ");
            if (is < FILE_SIZE_PREFIX.length() || open < is || of < open || !line.endsWith(" bytes)"))
            {
                throw fields.error(null, "expected \"File size of PATH is N (B blocks of S bytes)\" but found \"" +
                    line + "\"");
            }
            final long size = fields.number(FF_SIZE, line.substring(is + 4, open));
            final String blocks = line.substring(open + 2, of);
            final int space = blocks.indexOf(' ');
            if (space < 0 || !(blocks.endsWith(" blocks") || blocks.endsWith(" block")))
            {
                throw fields.error(FF_BLOCKS, "expected \"B blocks\" but found \"" + blocks + "\"");
            }
            fields.number(FF_BLOCKS, blocks.substring(0, space));
            final long blockSize = fields.number(FF_BLOCK_SIZE, line.substring(of + 4, line.length() - 7));
            if (blockSize == 0 || Long.bitCount(blockSize) != 1)
            {
                throw fields.error(FF_BLOCK_SIZE, "not a power of two: " + blockSize);
            }
            path = line.substring(FILE_SIZE_PREFIX.length(), is);
            unit = blockSize;
            header = false;
            nextExt = 0;
            handler.onFile(path, size);
        }

        /** {@code PATH: N extents found} or {@code PATH: 1 extent found}. */
        private boolean isEnd(final String line) throws FormatException
        {
            if (!line.startsWith(path + ": ") || !(line.endsWith(" extents found") || line.endsWith(" extent found")))
            {
                return false;
            }
            final int from = path.length() + 2;
            final int to = line.lastIndexOf(" extent");
            if (to < from)
            {
                return false;
            }
            fields.number(FF_EXT, line.substring(from, to));
            return true;
        }

        private void parseRow(final String line) throws IOException
        {
            final String[] parts = line.split(":", -1);
            if (parts.length != 5 && parts.length != 6)
            {
                throw fields.error(null, "not a table row: \"" + line + "\"");
            }
            final long ext = fields.number(FF_EXT, parts[0].trim());
            if (ext != nextExt)
            {
                throw fields.error(FF_EXT, "out of sequence: expected " + nextExt + " but found " + ext);
            }
            nextExt++;
            final long logicalStart = rangePart(FF_LOGICAL, parts[1], true);
            final long logicalEnd = rangePart(FF_LOGICAL, parts[1], false);
            final long physicalStart = rangePart(FF_PHYSICAL, parts[2], true);
            final long physicalEnd = rangePart(FF_PHYSICAL, parts[2], false);
            final long length = fields.number(FF_LENGTH, parts[3].trim());
            if (parts.length == 6)
            {
                fields.number(FF_EXPECTED, parts[4].trim());
            }
            final int flags = parseFlags(parts[parts.length - 1].trim());
            if (logicalEnd < logicalStart || physicalEnd < physicalStart)
            {
                throw fields.error(FF_LOGICAL, "end before start: logical=" + logicalStart + ".." + logicalEnd +
                    " physical=" + physicalStart + ".." + physicalEnd);
            }
            final long span = logicalEnd - logicalStart;
            if (physicalEnd - physicalStart != span)
            {
                throw fields.error(FF_PHYSICAL, "does not span the logical range: logical=" + logicalStart + ".." +
                    logicalEnd + " physical=" + physicalStart + ".." + physicalEnd);
            }
            if (length != span + 1 && length != span)
            {
                throw fields.error(FF_LENGTH, "does not match the ranges: logical=" + logicalStart + ".." +
                    logicalEnd + " length=" + length);
            }
            final long rowUnit = (flags & FiemapText.DATA_INLINE) != 0 ? 1 : unit;
            final long fileOffset = fields.bytes(FF_LOGICAL, logicalStart, rowUnit);
            final long physical = fields.bytes(FF_PHYSICAL, physicalStart, rowUnit);
            final long bytes = fields.bytes(FF_LENGTH, span + 1, rowUnit);
            // a file's last block may end at 2^63 (XFS files reach 2^63 - 1 bytes): the index holds what it can of it
            if (fileOffset > Long.MAX_VALUE - bytes + 1 || physical > Long.MAX_VALUE - bytes)
            {
                throw fields.error(FF_LENGTH, "overflow converting to bytes: logical=" + logicalStart + " physical=" +
                    physicalStart + " length=" + length + " unit=" + rowUnit);
            }
            handler.onExtent(path, fileOffset, physical, bytes, flags);
            extents++;
        }

        private long rangePart(final String field, final String range, final boolean start) throws FormatException
        {
            final int dots = range.indexOf("..");
            if (dots < 0)
            {
                throw fields.error(field, "expected START..END but found \"" + range.trim() + "\"");
            }
            return fields.number(field, start ? range.substring(0, dots).trim() : range.substring(dots + 2).trim());
        }

        private int parseFlags(final String text) throws FormatException
        {
            int flags = 0;
            for (final String word : text.split(","))
            {
                if (word.isEmpty())
                {
                    continue;
                }
                final int bit = FiemapText.flagOfWord(word);
                if (bit < 0)
                {
                    throw fields.error(FF_FLAGS, "unknown flag: \"" + word + "\" in \"" + text + "\"");
                }
                flags |= bit;
            }
            return flags;
        }
    }
}
