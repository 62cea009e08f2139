package io.daxrmap.format;

import io.daxrmap.model.MappingFlags;
import io.daxrmap.model.Owner;

import java.io.IOException;

/**
 * Writes records as {@link FsmapVerbose} text, byte for byte as {@code xfs_io -c 'fsmap -v'} prints the same
 * records of a filesystem with the given geometry.
 * <p>
 * xfs_io sizes the columns of each batch of {@link XfsIo#BATCH} records from the records of that batch, so the
 * writer walks its source twice (three times if the number of records is not given): once to size every batch, once
 * to print. Offsets and lengths must be whole sectors.
 */
public final class FsmapVerboseWriter
{
    private final FsmapVerboseGeometry geometry;
    private final int agWidth;

    /**
     * A writer for one filesystem.
     *
     * @param geometry the filesystem's geometry.
     */
    public FsmapVerboseWriter(final FsmapVerboseGeometry geometry)
    {
        this.geometry = geometry;
        this.agWidth = Math.max(FsmapVerbose.MIN_AG_WIDTH, digits(geometry.agCount()));
    }

    /**
     * Write a whole map.
     *
     * @param out          where the text goes.
     * @param source       the records, in order; walked two or three times.
     * @param totalRecords the number of records of the source, or negative to count them with one more walk.
     * @return the number of records written.
     * @throws IOException              if the source or the output fails.
     * @throws IllegalArgumentException if a record is not in whole sectors, or the source does not deliver the
     *                                  same number of records on every walk.
     */
    public long write(final Appendable out, final FsmapRecordSource source, final long totalRecords) throws IOException
    {
        final long total = totalRecords >= 0 ? totalRecords : count(source);
        if (total == 0)
        {
            return 0;
        }
        final long batchSize = XfsIo.BATCH;
        final Widths[] batches = new Widths[(int)((total - 1) / batchSize + 1)];
        for (int i = 0; i < batches.length; i++)
        {
            batches[i] = new Widths();
        }
        final long[] index = {0};
        source.forEach((major, minor, deviceOffset, length, owner, fileOffset, flags) ->
        {
            checkRecord(index[0], total, major, minor, deviceOffset, length, owner, fileOffset);
            batches[(int)(index[0] / batchSize)].add(index[0], major, minor, deviceOffset, length, owner, fileOffset,
                fmrFlags(owner, flags));
            index[0]++;
        });
        checkCount(index[0], total);

        final StringBuilder line = new StringBuilder(128);
        index[0] = 0;
        source.forEach((major, minor, deviceOffset, length, owner, fileOffset, flags) ->
        {
            checkRecord(index[0], total, major, minor, deviceOffset, length, owner, fileOffset);
            final Widths widths = batches[(int)(index[0] / batchSize)];
            if (index[0] == 0)
            {
                header(line, widths);
                out.append(line);
            }
            row(line, widths, index[0], major, minor, deviceOffset, length, owner, fileOffset, fmrFlags(owner, flags));
            out.append(line);
            index[0]++;
        });
        checkCount(index[0], total);

        for (final Widths widths : batches)
        {
            if (widths.flagged)
            {
                for (final String legend : FsmapVerbose.LEGEND)
                {
                    out.append(legend).append('\n');
                }
                break;
            }
        }
        return total;
    }

    private static long count(final FsmapRecordSource source) throws IOException
    {
        final long[] count = {0};
        source.forEach((major, minor, deviceOffset, length, owner, fileOffset, flags) -> count[0]++);
        return count[0];
    }

    private void header(final StringBuilder line, final Widths widths)
    {
        line.setLength(0);
        padLeft(line, FsmapVerbose.EXT, widths.ext).append(": ");
        padRight(line, FsmapVerbose.DEV, widths.dev).append(' ');
        padRight(line, FsmapVerbose.BLOCK_RANGE, widths.blockRange).append(' ');
        padRight(line, FsmapVerbose.OWNER, widths.owner).append(' ');
        padRight(line, FsmapVerbose.FILE_OFFSET, widths.fileRange).append(' ');
        padLeft(line, FsmapVerbose.AG, agWidth).append(' ');
        padRight(line, FsmapVerbose.AG_OFFSET, widths.agOffset).append(' ');
        padLeft(line, FsmapVerbose.TOTAL, widths.total);
        if (widths.flagged)
        {
            line.append(' ').append(FsmapVerbose.FLAGS);
        }
        line.append('\n');
    }

    private void row(
        final StringBuilder line,
        final Widths widths,
        final long index,
        final int major,
        final int minor,
        final long deviceOffset,
        final long length,
        final long owner,
        final long fileOffset,
        final int fmrFlags)
    {
        line.setLength(0);
        int start = line.length();
        line.append(index);
        insertPad(line, start, widths.ext).append(": ");

        start = line.length();
        line.append(major).append(':').append(minor);
        pad(line, start, widths.dev).append(' ');

        start = line.length();
        range(line, '[', deviceOffset, length, ']').append(':');
        pad(line, start, widths.blockRange).append(' ');

        start = line.length();
        if (Owner.isInode(owner))
        {
            line.append(Owner.inode(owner));
        }
        else
        {
            line.append(FsmapVerbose.specialOwnerName(owner));
        }
        pad(line, start, widths.owner).append(' ');

        start = line.length();
        if ((fmrFlags & MappingFlags.EXTENT_MAP) != 0)
        {
            line.append(FsmapVerbose.EXTENT_MAP);
        }
        else if ((fmrFlags & MappingFlags.SPECIAL_OWNER) != 0)
        {
            line.append(' ');
        }
        else
        {
            range(line, (char)0, fileOffset, length, (char)0);
        }
        pad(line, start, widths.fileRange).append(' ');

        final boolean dataDevice = isDataDevice(major, minor);
        final long agBytes = geometry.agBytes();
        final long ag = deviceOffset / agBytes;
        start = line.length();
        if (dataDevice)
        {
            line.append(ag);
        }
        pad(line, start, agWidth).append(' ');
        start = line.length();
        if (dataDevice)
        {
            range(line, '(', deviceOffset - ag * agBytes, length, ')');
        }
        pad(line, start, widths.agOffset).append(' ');

        start = line.length();
        line.append(length / XfsIo.SECTOR);
        insertPad(line, start, widths.total);

        final int flags = octalFlags(deviceOffset, length, fmrFlags);
        if (flags != 0 && (fmrFlags & MappingFlags.EXTENT_MAP) == 0)
        {
            line.append(' ');
            final String octal = Integer.toOctalString(flags);
            for (int i = octal.length(); i < FsmapVerbose.FLAG_DIGITS; i++)
            {
                line.append('0');
            }
            line.append(octal);
        }
        line.append('\n');
    }

    private int octalFlags(final long deviceOffset, final long length, final int fmrFlags)
    {
        int flags = 0;
        if ((fmrFlags & MappingFlags.UNWRITTEN) != 0)
        {
            flags |= FsmapVerbose.FLAG_PREALLOC;
        }
        if ((fmrFlags & MappingFlags.ATTR_FORK) != 0)
        {
            flags |= FsmapVerbose.FLAG_ATTR_FORK;
        }
        if ((fmrFlags & MappingFlags.SHARED) != 0)
        {
            flags |= FsmapVerbose.FLAG_SHARED;
        }
        final long unit = geometry.stripeUnitBlocks() * geometry.blockSize();
        if (unit != 0)
        {
            final long width = geometry.stripeWidthBlocks() * geometry.blockSize();
            final long end = deviceOffset + length;
            flags |= deviceOffset % unit != 0 ? FsmapVerbose.FLAG_BEGIN_STRIPE_UNIT : 0;
            flags |= end % unit != 0 ? FsmapVerbose.FLAG_END_STRIPE_UNIT : 0;
            flags |= deviceOffset % width != 0 ? FsmapVerbose.FLAG_BEGIN_STRIPE_WIDTH : 0;
            flags |= end % width != 0 ? FsmapVerbose.FLAG_END_STRIPE_WIDTH : 0;
        }
        return flags;
    }

    private boolean isDataDevice(final int major, final int minor)
    {
        return major == geometry.dataMajor() && minor == geometry.dataMinor();
    }

    private static int fmrFlags(final long owner, final int flags)
    {
        return Owner.fmrFlags(owner) | (flags & (MappingFlags.UNWRITTEN | MappingFlags.SHARED));
    }

    private static void checkRecord(
        final long index,
        final long total,
        final int major,
        final int minor,
        final long deviceOffset,
        final long length,
        final long owner,
        final long fileOffset)
    {
        if (index >= total)
        {
            throw new IllegalArgumentException("source delivered more records than counted: total=" + total);
        }
        DeviceNumber.encode(major, minor);
        final long mask = XfsIo.SECTOR - 1;
        if (length <= 0 || deviceOffset < 0 || deviceOffset > Long.MAX_VALUE - length ||
            ((deviceOffset | length) & mask) != 0 ||
            (Owner.hasFileOffset(owner) && (fileOffset < 0 || (fileOffset & mask) != 0)))
        {
            throw new IllegalArgumentException("record not in whole sectors: deviceOffset=" + deviceOffset +
                " length=" + length + " fileOffset=" + fileOffset);
        }
    }

    private static void checkCount(final long delivered, final long total)
    {
        if (delivered != total)
        {
            throw new IllegalArgumentException("source delivered fewer records than counted: delivered=" + delivered +
                " total=" + total);
        }
    }

    /** Appends {@code open first..last close} in sectors; a zero char is left out. */
    private static StringBuilder range(
        final StringBuilder line, final char open, final long offset, final long length, final char close)
    {
        if (open != 0)
        {
            line.append(open);
        }
        line.append(offset / XfsIo.SECTOR).append("..").append((offset + length - 1) / XfsIo.SECTOR);
        if (close != 0)
        {
            line.append(close);
        }
        return line;
    }

    private static int rangeLength(final long offset, final long length)
    {
        return digits(offset / XfsIo.SECTOR) + 2 + digits((offset + length - 1) / XfsIo.SECTOR);
    }

    private static int digits(final long value)
    {
        int digits = 1;
        for (long rest = value / 10; rest > 0; rest /= 10)
        {
            digits++;
        }
        return digits;
    }

    /** Pads with spaces after the text that starts at {@code start}: C's {@code %-*s}. */
    private static StringBuilder pad(final StringBuilder line, final int start, final int width)
    {
        for (int i = line.length() - start; i < width; i++)
        {
            line.append(' ');
        }
        return line;
    }

    /** Pads with spaces before the text that starts at {@code start}: C's {@code %*s}. */
    private static StringBuilder insertPad(final StringBuilder line, final int start, final int width)
    {
        final int missing = width - (line.length() - start);
        for (int i = 0; i < missing; i++)
        {
            line.insert(start, ' ');
        }
        return line;
    }

    private static StringBuilder padRight(final StringBuilder line, final String text, final int width)
    {
        return pad(line.append(text), line.length() - text.length(), width);
    }

    private static StringBuilder padLeft(final StringBuilder line, final String text, final int width)
    {
        for (int i = text.length(); i < width; i++)
        {
            line.append(' ');
        }
        return line.append(text);
    }

    /** Column widths of one xfs_io batch, as {@code dump_map_verbose} computes them before printing. */
    private final class Widths
    {
        int ext = FsmapVerbose.MIN_EXT_WIDTH;
        int dev = FsmapVerbose.MIN_DEV_WIDTH;
        int blockRange = FsmapVerbose.MIN_RANGE_WIDTH;
        int owner = FsmapVerbose.MIN_RANGE_WIDTH;
        int fileRange = FsmapVerbose.MIN_RANGE_WIDTH;
        int agOffset = FsmapVerbose.MIN_RANGE_WIDTH;
        int total = FsmapVerbose.MIN_TOTAL_WIDTH;
        boolean flagged;

        void add(
            final long index,
            final int major,
            final int minor,
            final long deviceOffset,
            final long length,
            final long owner,
            final long fileOffset,
            final int fmrFlags)
        {
            final int flags = octalFlags(deviceOffset, length, fmrFlags);
            if ((flags & ~(FsmapVerbose.FLAG_ATTR_FORK | FsmapVerbose.FLAG_SHARED | FsmapVerbose.FLAG_PREALLOC)) != 0 ||
                (fmrFlags & (MappingFlags.UNWRITTEN | MappingFlags.ATTR_FORK | MappingFlags.SHARED)) != 0)
            {
                flagged = true;
            }
            ext = Math.max(ext, digits(index));
            dev = Math.max(dev, digits(major) + 1 + digits(minor));
            blockRange = Math.max(blockRange, rangeLength(deviceOffset, length) + 3);
            if (Owner.isInode(owner))
            {
                this.owner = Math.max(this.owner, digits(Owner.inode(owner)));
            }
            else
            {
                this.owner = Math.max(this.owner, FsmapVerbose.specialOwnerName(owner).length());
            }
            if ((fmrFlags & MappingFlags.EXTENT_MAP) != 0)
            {
                fileRange = Math.max(fileRange, FsmapVerbose.EXTENT_MAP.length());
            }
            else if ((fmrFlags & MappingFlags.SPECIAL_OWNER) == 0)
            {
                fileRange = Math.max(fileRange, rangeLength(fileOffset, length));
            }
            if (isDataDevice(major, minor))
            {
                final long agBytes = geometry.agBytes();
                agOffset = Math.max(agOffset, rangeLength(deviceOffset % agBytes, length) + 2);
            }
            total = Math.max(total, digits(length / XfsIo.SECTOR));
        }
    }
}
