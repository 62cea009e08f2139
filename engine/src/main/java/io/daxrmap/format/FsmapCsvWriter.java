package io.daxrmap.format;

import io.daxrmap.model.Owner;

import java.io.IOException;

/**
 * Writes records as {@link FsmapCsv} text, byte for byte as {@code xfs_io -c 'fsmap -m'} prints the same
 * records: the inverse of {@link FsmapCsvReader}.
 * <p>
 * Records are numbered from 0 in the order given. The header goes before the first record, as xfsprogs 6.1.0
 * prints it: no records, no text.
 * Offsets and lengths must be whole units: xfs_io would truncate the others, which cannot be read back.
 */
public final class FsmapCsvWriter implements FsmapRecordHandler
{
    private final Appendable out;
    private final long unit;
    private final StringBuilder line = new StringBuilder(96);
    private long records;

    /**
     * A writer of sector units, as xfs_io prints.
     *
     * @param out where the text goes.
     */
    public FsmapCsvWriter(final Appendable out)
    {
        this(out, XfsIo.SECTOR);
    }

    /**
     * A writer of another unit (bytes, blocks).
     *
     * @param out  where the text goes.
     * @param unit bytes per unit, a power of two; {@link XfsIo#SECTOR} for xfs_io's text.
     */
    public FsmapCsvWriter(final Appendable out, final long unit)
    {
        this.out = out;
        this.unit = FsmapCsv.checkUnit(unit);
    }

    /**
     * The number of records written so far.
     *
     * @return records written.
     */
    public long records()
    {
        return records;
    }

    /**
     * Write one record. The flags are not written: the format has no flags column.
     *
     * @throws IllegalArgumentException if an offset or the length is not a whole number of units, the length is
     *                                  not positive or the device number is out of range.
     */
    @Override
    public void onRecord(
        final int major,
        final int minor,
        final long deviceOffset,
        final long length,
        final long owner,
        final long fileOffset,
        final int flags) throws IOException
    {
        if (major < 0 || major > DeviceNumber.MAX_MAJOR || minor < 0 || minor > DeviceNumber.MAX_MINOR)
        {
            throw new IllegalArgumentException("device number out of range: major=" + major + " minor=" + minor);
        }
        final long mask = unit - 1;
        final boolean hasFileOffset = Owner.hasFileOffset(owner);
        if (length <= 0 || deviceOffset < 0 || ((deviceOffset | length) & mask) != 0 ||
            (hasFileOffset && (fileOffset < 0 || (fileOffset & mask) != 0)))
        {
            throw new IllegalArgumentException("record not in whole units: deviceOffset=" + deviceOffset +
                " length=" + length + " fileOffset=" + fileOffset + " unit=" + unit);
        }
        if (records == 0)
        {
            out.append(FsmapCsv.HEADER).append('\n');
        }
        final long units = length / unit;
        final long start = deviceOffset / unit;
        line.setLength(0);
        line.append(records).append(',')
            .append(major).append(',')
            .append(minor).append(',')
            .append(start).append(',')
            .append(start + units - 1).append(',')
            .append(Owner.toString(owner)).append(',');
        if (hasFileOffset)
        {
            final long fileStart = fileOffset / unit;
            line.append(fileStart).append(',').append(fileStart + units - 1).append(',');
        }
        else
        {
            line.append(",,");
        }
        line.append(units).append('\n');
        out.append(line);
        records++;
    }
}
