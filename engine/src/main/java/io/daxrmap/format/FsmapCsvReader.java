package io.daxrmap.format;

import io.daxrmap.model.Owner;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;

import static io.daxrmap.format.FsmapCsv.EXT;
import static io.daxrmap.format.FsmapCsv.LENGTH;
import static io.daxrmap.format.FsmapCsv.MAJOR;
import static io.daxrmap.format.FsmapCsv.MINOR;
import static io.daxrmap.format.FsmapCsv.OEND;
import static io.daxrmap.format.FsmapCsv.OSTART;
import static io.daxrmap.format.FsmapCsv.OWNER;
import static io.daxrmap.format.FsmapCsv.PEND;
import static io.daxrmap.format.FsmapCsv.PSTART;

/**
 * Reads {@link FsmapCsv} text and delivers each record, in bytes, to a {@link FsmapRecordHandler}.
 * <p>
 * Every line is checked: the header (first line, and again wherever xfs_io starts a batch), nine fields, the
 * record numbers in sequence, numbers without sign, {@code PEND >= PSTART}, {@code LENGTH = PEND - PSTART + 1},
 * a canonical owner name, file offsets present exactly for data and attr fork owners and spanning LENGTH, and
 * byte values that fit in a {@code long}. The first fault ends the read with a {@link FormatException}; records
 * delivered before it stay delivered.
 * <p>
 * The flags delivered are those that follow from the owner ({@link Owner#fmrFlags(long)}): the text does not
 * tell unwritten or shared extents.
 */
public final class FsmapCsvReader
{
    private final long unit;
    /** The fields of the text being read, which know its line. */
    private TextFields current;

    /**
     * A reader of sector units, as xfs_io prints.
     */
    public FsmapCsvReader()
    {
        this(XfsIo.SECTOR);
    }

    /**
     * A reader of another unit (bytes, blocks), for texts written with that unit.
     *
     * @param unit bytes per unit, a power of two.
     */
    public FsmapCsvReader(final long unit)
    {
        this.unit = FsmapCsv.checkUnit(unit);
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
        final int[] commas = new int[FsmapCsv.FIELD_COUNT - 1];
        long lineNumber = 0;
        long records = 0;
        String line;
        while ((line = in.readLine()) != null)
        {
            lineNumber++;
            fields.line(lineNumber);
            if (lineNumber == 1 || line.equals(FsmapCsv.HEADER))
            {
                if (!line.equals(FsmapCsv.HEADER))
                {
                    throw fields.error(null, "bad header: expected \"" + FsmapCsv.HEADER + "\" but found \"" + line + "\"");
                }
                continue;
            }
            parseRecord(fields, line, commas, records, handler);
            records++;
        }
        return records;
    }

    private void parseRecord(
        final TextFields fields,
        final String line,
        final int[] commas,
        final long expectedExt,
        final FsmapRecordHandler handler) throws IOException
    {
        int found = 0;
        for (int i = line.indexOf(','); i >= 0; i = line.indexOf(',', i + 1))
        {
            if (found < commas.length)
            {
                commas[found] = i;
            }
            found++;
        }
        if (found != commas.length)
        {
            throw fields.error(null, "expected " + FsmapCsv.FIELD_COUNT + " fields but found " + (found + 1) + ": \"" +
                line + "\"");
        }

        final long ext = fields.number(EXT, line, 0, commas[0]);
        if (ext != expectedExt)
        {
            throw fields.error(EXT, "out of sequence: expected " + expectedExt + " but found " + ext);
        }
        final int major = fields.smallNumber(MAJOR, line, commas[0] + 1, commas[1], DeviceNumber.MAX_MAJOR);
        final int minor = fields.smallNumber(MINOR, line, commas[1] + 1, commas[2], DeviceNumber.MAX_MINOR);
        final long pstart = fields.number(PSTART, line, commas[2] + 1, commas[3]);
        final long pend = fields.number(PEND, line, commas[3] + 1, commas[4]);
        final String ownerName = line.substring(commas[4] + 1, commas[5]);
        final long length = fields.number(LENGTH, line, commas[7] + 1, line.length());
        if (pend < pstart)
        {
            throw fields.error(PEND, "before PSTART: PSTART=" + pstart + " PEND=" + pend);
        }
        if (length != pend - pstart + 1)
        {
            throw fields.error(LENGTH, "does not match PSTART..PEND: PSTART=" + pstart + " PEND=" + pend +
                " LENGTH=" + length);
        }
        final long owner = parseOwner(fields, ownerName);

        long fileOffset = 0;
        if (Owner.hasFileOffset(owner))
        {
            final long ostart = fields.number(OSTART, line, commas[5] + 1, commas[6]);
            final long oend = fields.number(OEND, line, commas[6] + 1, commas[7]);
            if (oend < ostart)
            {
                throw fields.error(OEND, "before OSTART: OSTART=" + ostart + " OEND=" + oend);
            }
            if (oend - ostart + 1 != length)
            {
                throw fields.error(OEND, "does not match LENGTH: OSTART=" + ostart + " OEND=" + oend +
                    " LENGTH=" + length);
            }
            fileOffset = fields.bytes(OSTART, ostart, unit);
            // the last unit may end at 2^63 (an XFS file's last block does): the index holds what it can of it
            final long fileEnd = fields.bytes(OEND, oend, unit);
            if (fileEnd > Long.MAX_VALUE - unit + 1)
            {
                throw fields.error(OEND, "overflow converting to bytes: OEND=" + oend + " unit=" + unit);
            }
        }
        else
        {
            checkEmpty(fields, OSTART, line, commas[5] + 1, commas[6], ownerName);
            checkEmpty(fields, OEND, line, commas[6] + 1, commas[7], ownerName);
        }

        final long deviceOffset = fields.bytes(PSTART, pstart, unit);
        final long deviceEnd = fields.bytes(PEND, pend, unit);
        if (deviceEnd > Long.MAX_VALUE - unit)
        {
            throw fields.error(PEND, "overflow converting to bytes: PEND=" + pend + " unit=" + unit);
        }
        final long bytes = fields.bytes(LENGTH, length, unit);
        handler.onRecord(major, minor, deviceOffset, bytes, owner, fileOffset, Owner.fmrFlags(owner));
    }

    static long parseOwner(final TextFields fields, final String name) throws FormatException
    {
        final long owner;
        try
        {
            owner = Owner.parse(name);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new FormatException(fields.file(), fields.line(), OWNER, "unknown owner: \"" + name + "\"", ex);
        }
        if (!Owner.toString(owner).equals(name))
        {
            throw fields.error(OWNER, "unknown owner: \"" + name + "\"");
        }
        return owner;
    }

    private static void checkEmpty(
        final TextFields fields,
        final String field,
        final String line,
        final int from,
        final int to,
        final String ownerName) throws FormatException
    {
        if (from != to)
        {
            throw fields.error(field, "must be empty for owner " + ownerName + ": " + TextFields.quote(line, from, to));
        }
    }
}
