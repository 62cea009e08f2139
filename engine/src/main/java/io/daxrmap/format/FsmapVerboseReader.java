package io.daxrmap.format;

import io.daxrmap.model.MappingFlags;
import io.daxrmap.model.Owner;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.daxrmap.format.FsmapVerbose.AG;
import static io.daxrmap.format.FsmapVerbose.AG_OFFSET;
import static io.daxrmap.format.FsmapVerbose.BLOCK_RANGE;
import static io.daxrmap.format.FsmapVerbose.DEV;
import static io.daxrmap.format.FsmapVerbose.EXT;
import static io.daxrmap.format.FsmapVerbose.FILE_OFFSET;
import static io.daxrmap.format.FsmapVerbose.FLAGS;
import static io.daxrmap.format.FsmapVerbose.OWNER;
import static io.daxrmap.format.FsmapVerbose.TOTAL;

/**
 * Reads {@link FsmapVerbose} text and delivers each record, in bytes, to a {@link FsmapRecordHandler}.
 * <p>
 * Rows are split into words, so the column widths (which change between xfs_io batches) do not matter. Checked:
 * the header first, record numbers in sequence, ranges with {@code last >= first} whose lengths agree with
 * TOTAL, owner names, seven-digit octal flags with known bits, and the flag legend, which ends the text. The
 * flags delivered are the owner's ({@link Owner#fmrFlags(long)}) plus unwritten and shared from the FLAGS column;
 * bmbt rows are reported as data fork bmbt blocks, because the text does not say which fork they map.
 */
public final class FsmapVerboseReader
{
    private static final String[] HEADER_WORDS = {EXT + ":", DEV, BLOCK_RANGE, OWNER, FILE_OFFSET, AG, AG_OFFSET,
        TOTAL};
    /** The fields of the text being read, which know its line. */
    private TextFields current;
    /** Per device, what its rows' AG columns said of its groups. */
    private final Map<Integer, AgColumns> agColumns = new HashMap<>();

    /** What the AG columns of one device's rows said. */
    private static final class AgColumns
    {
        /** The sectors of a group, or -1 before a row past group 0. */
        long sectors = -1;
        /** Where {@link #sectors} was first seen. */
        String seenAt;
        /** The first row that contradicts the others, as a message naming it, or null. */
        String contradiction;
    }

    /**
     * The size of a device's allocation groups, in sectors, that its rows' AG columns put them at: each row's block
     * range starts at its group number times it plus its offset in the group.
     *
     * @param device the device number ({@link DeviceNumber#encode}).
     * @return the sectors, or -1 if no row of the device lay past group 0.
     */
    public long agSectors(final int device)
    {
        final AgColumns columns = agColumns.get(device);
        return columns == null ? -1 : columns.sectors;
    }

    /**
     * Where a device's rows first said how large a group is ({@link #agSectors}).
     *
     * @param device the device number.
     * @return {@code FILE:LINE}, or null.
     */
    public String agSeenAt(final int device)
    {
        final AgColumns columns = agColumns.get(device);
        return columns == null ? null : columns.seenAt;
    }

    /**
     * The first row of a device whose AG columns contradict its block range or the other rows, if any. Told per
     * device, for the caller to judge the data device's: xfs_io prints the columns for the data device's AGs from
     * the geometry, and (xfsprogs 6.13 on) for a realtime device's groups, which are another size, and on a zoned
     * filesystem offset by the realtime start.
     *
     * @param device the device number.
     * @return {@code FILE:LINE: field AG-OFFSET: ...}, or null.
     */
    public String agContradiction(final int device)
    {
        final AgColumns columns = agColumns.get(device);
        return columns == null ? null : columns.contradiction;
    }

    /**
     * The line the reader is at, for a handler that wants to know where a record came from: while the handler takes
     * a record, the record's line. A reader reads one text at a time.
     *
     * @return the 1-based line number of the current (or last) read, 0 before the first.
     */
    public long line()
    {
        final TextFields fields = current;
        return fields == null ? 0 : fields.line();
    }

    /**
     * Read a file.
     *
     * @param file    the file; its name as given appears in error messages.
     * @param handler receives the records.
     * @return the number of records read.
     * @throws FormatException if the text is malformed.
     * @throws IOException     if the file cannot be read or the handler fails.
     */
    public long read(final Path file, final FsmapRecordHandler handler) throws IOException
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
     * @param handler receives the records.
     * @return the number of records read.
     * @throws FormatException if the text is malformed.
     * @throws IOException     if the text cannot be read or the handler fails.
     */
    public long read(final BufferedReader in, final String name, final FsmapRecordHandler handler) throws IOException
    {
        final TextFields fields = new TextFields(name);
        current = fields;
        final List<String> words = new ArrayList<>(16);
        long lineNumber = 0;
        long records = 0;
        int legendLine = -1;
        boolean flagged = false;
        String line;
        while ((line = in.readLine()) != null)
        {
            lineNumber++;
            fields.line(lineNumber);
            if (legendLine >= 0 || line.equals(FsmapVerbose.LEGEND.get(0)))
            {
                legendLine++;
                if (legendLine >= FsmapVerbose.LEGEND.size() || !line.equals(FsmapVerbose.LEGEND.get(legendLine)))
                {
                    throw fields.error(null, "not the flag legend: \"" + line + "\"");
                }
                continue;
            }
            split(line, words);
            if (lineNumber == 1)
            {
                checkHeader(fields, line, words);
                flagged = words.size() > HEADER_WORDS.length;
                continue;
            }
            parseRow(fields, line, words, records, handler);
            records++;
        }
        if (legendLine >= 0 && legendLine != FsmapVerbose.LEGEND.size() - 1)
        {
            throw fields.error(null, "flag legend cut short after " + (legendLine + 1) + " lines");
        }
        if (flagged && legendLine < 0)
        {
            // xfs_io shows the FLAGS column only when it ends the listing with the legend: the text was cut short
            throw fields.error(null, "no flag legend after the records, though the header has " + FLAGS +
                ": the text is cut short");
        }
        return records;
    }

    private static void checkHeader(final TextFields fields, final String line, final List<String> words)
        throws FormatException
    {
        boolean ok = words.size() == HEADER_WORDS.length ||
            (words.size() == HEADER_WORDS.length + 1 && words.get(HEADER_WORDS.length).equals(FLAGS));
        for (int i = 0; ok && i < HEADER_WORDS.length; i++)
        {
            ok = words.get(i).equals(HEADER_WORDS[i]);
        }
        if (!ok)
        {
            throw fields.error(null, "bad header: \"" + line + "\"");
        }
    }

    private void parseRow(
        final TextFields fields,
        final String line,
        final List<String> words,
        final long expectedExt,
        final FsmapRecordHandler handler) throws IOException
    {
        if (words.size() < 5)
        {
            throw fields.error(null, "expected a record but found \"" + line + "\"");
        }
        final String extWord = words.get(0);
        if (!extWord.endsWith(":"))
        {
            throw fields.error(EXT, "expected \"N:\" but found \"" + extWord + "\"");
        }
        final long ext = fields.number(EXT, extWord, 0, extWord.length() - 1);
        if (ext != expectedExt)
        {
            throw fields.error(EXT, "out of sequence: expected " + expectedExt + " but found " + ext);
        }

        final String dev = words.get(1);
        final int colon = dev.indexOf(':');
        if (colon < 0)
        {
            throw fields.error(DEV, "expected \"major:minor\" but found \"" + dev + "\"");
        }
        final int major = fields.smallNumber(DEV, dev, 0, colon, DeviceNumber.MAX_MAJOR);
        final int minor = fields.smallNumber(DEV, dev, colon + 1, dev.length(), DeviceNumber.MAX_MINOR);

        final long[] block = range(fields, BLOCK_RANGE, words.get(2), "[", "]:");

        int next = 3;
        long owner;
        boolean extentMap = false;
        long[] file = null;
        final String ownerWord = words.get(next);
        if (!ownerWord.isEmpty() && Character.isDigit(ownerWord.charAt(0)))
        {
            final long inode = fields.number(OWNER, ownerWord);
            if (inode > Owner.MAX_INODE)
            {
                throw fields.error(OWNER, "inode out of range: \"" + ownerWord + "\"");
            }
            owner = Owner.data(inode);
            next++;
            if (next + 1 < words.size() && words.get(next).equals("extent") && words.get(next + 1).equals("map"))
            {
                extentMap = true;
                owner = Owner.dataBmbt(inode);
                next += 2;
            }
            else if (next < words.size())
            {
                file = range(fields, FILE_OFFSET, words.get(next), "", "");
                next++;
            }
        }
        else
        {
            owner = FsmapVerbose.parseSpecialOwner(words, next);
            if (owner == -1)
            {
                throw fields.error(OWNER, "unknown owner in \"" + line.substring(line.indexOf(ownerWord)) + "\"");
            }
            next += FsmapVerbose.specialOwnerWords(owner);
        }

        final int rest = words.size() - next;
        long[] agRange = null;
        long ag = -1;
        if (rest >= 3 && words.get(next + 1).startsWith("("))
        {
            ag = fields.number(AG, words.get(next));
            agRange = range(fields, AG_OFFSET, words.get(next + 1), "(", ")");
            next += 2;
        }
        if (next >= words.size())
        {
            throw fields.error(TOTAL, "missing in \"" + line + "\"");
        }
        final long total = fields.number(TOTAL, words.get(next));
        next++;
        int octal = 0;
        if (next < words.size())
        {
            octal = flags(fields, words.get(next), extentMap, Owner.isInode(owner));
            next++;
        }
        if (next != words.size())
        {
            throw fields.error(null, "unexpected text after the record: \"" + words.get(next) + "\"");
        }

        checkLength(fields, BLOCK_RANGE, block, total);
        if (file != null)
        {
            checkLength(fields, FILE_OFFSET, file, total);
        }
        else if (Owner.isInode(owner) && !extentMap)
        {
            throw fields.error(FILE_OFFSET, "missing for inode " + Owner.inode(owner));
        }
        if (agRange != null)
        {
            checkLength(fields, AG_OFFSET, agRange, total);
        }

        if ((octal & FsmapVerbose.FLAG_ATTR_FORK) != 0)
        {
            owner = Owner.attr(Owner.inode(owner));
        }
        int flags = Owner.fmrFlags(owner);
        flags |= (octal & FsmapVerbose.FLAG_PREALLOC) != 0 ? MappingFlags.UNWRITTEN : 0;
        flags |= (octal & FsmapVerbose.FLAG_SHARED) != 0 ? MappingFlags.SHARED : 0;

        final long deviceOffset = fields.bytes(BLOCK_RANGE, block[0], XfsIo.SECTOR);
        final long deviceEnd = fields.bytes(BLOCK_RANGE, block[1], XfsIo.SECTOR);
        if (deviceEnd > Long.MAX_VALUE - XfsIo.SECTOR)
        {
            throw fields.error(BLOCK_RANGE, "overflow converting to bytes: last=" + block[1] + " unit=" + XfsIo.SECTOR);
        }
        long fileOffset = 0;
        if (file != null)
        {
            fileOffset = fields.bytes(FILE_OFFSET, file[0], XfsIo.SECTOR);
            // the last sector may end at 2^63 (an XFS file's last block does): the index holds what it can of it
            if (fields.bytes(FILE_OFFSET, file[1], XfsIo.SECTOR) > Long.MAX_VALUE - XfsIo.SECTOR + 1)
            {
                throw fields.error(FILE_OFFSET, "overflow converting to bytes: last=" + file[1] + " unit=" +
                    XfsIo.SECTOR);
            }
        }
        if (agRange != null)
        {
            checkAg(fields, DeviceNumber.encode(major, minor), ag, agRange[0], block[0]);
        }
        handler.onRecord(major, minor, deviceOffset, total * XfsIo.SECTOR, owner, fileOffset, flags);
    }

    /**
     * A row's AG columns against its block range: in group 0 the offset is the block range's start, and past it the
     * start less the offset is the group number times one group size, the same for every row of the device (xfs_io
     * computes both columns from the geometry). The first contradiction of each device is kept, not thrown.
     */
    private void checkAg(final TextFields fields, final int device, final long ag, final long agOffset,
        final long start)
    {
        final AgColumns columns = agColumns.computeIfAbsent(device, d -> new AgColumns());
        if (columns.contradiction != null)
        {
            return;
        }
        String problem = null;
        if (ag == 0)
        {
            if (agOffset != start)
            {
                problem = "in AG 0 the offset is the block range's start: offset=" + agOffset + " start=" + start;
            }
        }
        else
        {
            final long before = start - agOffset;
            if (before <= 0 || before % ag != 0)
            {
                problem = "not an offset into AG " + ag + " of equal AGs: offset=" + agOffset + " start=" + start;
            }
            else if (columns.sectors == -1)
            {
                columns.sectors = before / ag;
                columns.seenAt = fields.file() + ":" + fields.line();
            }
            else if (before / ag != columns.sectors)
            {
                problem = "puts AG " + ag + " at AGs of " + before / ag + " sectors, where " + columns.seenAt +
                    " put them at " + columns.sectors;
            }
        }
        if (problem != null)
        {
            columns.contradiction = fields.error(AG_OFFSET, problem).getMessage();
        }
    }

    private static int flags(final TextFields fields, final String word, final boolean extentMap, final boolean inode)
        throws FormatException
    {
        int value = 0;
        for (int i = 0; i < word.length(); i++)
        {
            final char c = word.charAt(i);
            if (c < '0' || c > '7' || word.length() != FsmapVerbose.FLAG_DIGITS)
            {
                throw fields.error(FLAGS, "not " + FsmapVerbose.FLAG_DIGITS + " octal digits: \"" + word + "\"");
            }
            value = value * 8 + (c - '0');
        }
        if ((value & ~FsmapVerbose.FLAG_ALL) != 0 || value == 0)
        {
            throw fields.error(FLAGS, "unknown flags: \"" + word + "\"");
        }
        final int forkFlags = FsmapVerbose.FLAG_ATTR_FORK | FsmapVerbose.FLAG_SHARED | FsmapVerbose.FLAG_PREALLOC;
        if ((extentMap || !inode) && (value & forkFlags) != 0)
        {
            throw fields.error(FLAGS, "attr fork, shared or unwritten flag on a " +
                (extentMap ? "bmbt block" : "special owner") + ": \"" + word + "\"");
        }
        return value;
    }

    private static void checkLength(final TextFields fields, final String field, final long[] range, final long total)
        throws FormatException
    {
        if (range[1] - range[0] + 1 != total)
        {
            throw fields.error(field, "does not match TOTAL: first=" + range[0] + " last=" + range[1] +
                " TOTAL=" + total);
        }
    }

    /** Parses {@code open first..last close} into {first, last}. */
    private static long[] range(
        final TextFields fields, final String field, final String word, final String open, final String close)
        throws FormatException
    {
        final int dots = word.indexOf("..");
        if (!word.startsWith(open) || !word.endsWith(close) || dots < open.length() ||
            dots + 2 > word.length() - close.length())
        {
            throw fields.error(field, "expected \"" + open + "first..last" + close + "\" but found \"" + word + "\"");
        }
        final long first = fields.number(field, word, open.length(), dots);
        final long last = fields.number(field, word, dots + 2, word.length() - close.length());
        if (last < first)
        {
            throw fields.error(field, "last before first: first=" + first + " last=" + last);
        }
        return new long[] {first, last};
    }

    private static void split(final String line, final List<String> words)
    {
        words.clear();
        int i = 0;
        final int n = line.length();
        while (i < n)
        {
            while (i < n && line.charAt(i) == ' ')
            {
                i++;
            }
            final int start = i;
            while (i < n && line.charAt(i) != ' ')
            {
                i++;
            }
            if (i > start)
            {
                words.add(line.substring(start, i));
            }
        }
    }
}
