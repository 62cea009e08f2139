package io.daxrmap.cli;

import io.daxrmap.format.DeviceNumber;
import io.daxrmap.format.FsmapRecordHandler;
import io.daxrmap.format.FsmapRecordSource;
import io.daxrmap.index.IndexReader;
import io.daxrmap.index.ReverseIndex;
import io.daxrmap.model.Owner;
import io.daxrmap.store.FilesystemIndex;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The records of a filesystem index in GETFSMAP order (device, then device offset, owner, file offset), as
 * {@code xfs_io -c 'fsmap'} lists them: whole records, free space included; with a range, only the data device's
 * records that overlap it, free and unknown space clipped to it (as {@code fsmap -d START END}).
 */
final class IndexRecords implements FsmapRecordSource
{
    private static final long SECTOR = 512;

    private final FilesystemIndex index;
    private final long first;
    private final long last;
    private final boolean ranged;

    /**
     * Every record of every device.
     */
    IndexRecords(final FilesystemIndex index)
    {
        this(index, 0, Long.MAX_VALUE, false);
    }

    /**
     * The data device's records overlapping {@code [first, last]} (bytes, inclusive).
     */
    IndexRecords(final FilesystemIndex index, final long first, final long last)
    {
        this(index, first, last, true);
    }

    private IndexRecords(final FilesystemIndex index, final long first, final long last, final boolean ranged)
    {
        this.index = index;
        this.first = first;
        this.last = last;
        this.ranged = ranged;
    }

    @Override
    public void forEach(final FsmapRecordHandler handler) throws IOException
    {
        for (final Map.Entry<Integer, ReverseIndex> entry : index.devices().entrySet())
        {
            final int device = entry.getKey();
            final ReverseIndex deviceIndex = entry.getValue();
            if (ranged && device != index.dataDevice())
            {
                continue;
            }
            final long size = deviceIndex.geometry().size();
            if (first >= size)
            {
                continue;
            }
            final int major = DeviceNumber.major(device);
            final int minor = DeviceNumber.minor(device);
            final IndexReader probe = deviceIndex.newReader();
            try
            {
                // one byte early: a file record ending at the last byte of a range's first sector (see cutAtLastOffset)
                deviceIndex.newReader().scan(Math.max(0, first - 1), last, (deviceOffset, length, owner, fileOffset,
                    flags) ->
                {
                    long start = deviceOffset;
                    long end = deviceOffset + length;
                    if (Owner.hasFileOffset(owner) && cutAtLastOffset(fileOffset, length, end))
                    {
                        end++; // printed whole, as the kernel prints it
                    }
                    else if (owner == Owner.UNKNOWN && (start + 1) % SECTOR == 0 && start > 0 && cutBefore(probe, start))
                    {
                        start++; // that byte is printed as the cut record's
                    }
                    if (start >= end || ranged && (end <= first || start > last))
                    {
                        return true;
                    }
                    if (ranged && (owner == Owner.FREE || owner == Owner.UNKNOWN))
                    {
                        // the space between the records of the kernel's query, free where it has a reverse map and
                        // unknown where it has not, starts at the range's start and ends at its end (the missing
                        // owner of xfs_getfsmap_helper); an index's unknown bytes are those a source did not list
                        start = Math.max(start, first);
                        end = last == Long.MAX_VALUE ? end : Math.min(end, last + 1); // last + 1 would overflow
                    }
                    try
                    {
                        handler.onRecord(major, minor, start, end - start, owner, fileOffset, flags);
                    }
                    catch (final IOException ex)
                    {
                        throw new UncheckedIOException(ex);
                    }
                    return true;
                });
            }
            catch (final UncheckedIOException ex)
            {
                throw ex.getCause();
            }
        }
    }

    /**
     * Whether a file record was cut short by the index: a file's last block ending at file byte 2^63, of which the
     * index holds every byte but the one at 2^63 - 1, which no file can have ({@code FilesystemIndexBuilder}). Such a
     * record ends one byte before a sector boundary at the largest file offset an index holds; the kernel's record
     * runs one byte further, and so is it printed, the byte after it being the index's unknown one or a sharer's.
     */
    private static boolean cutAtLastOffset(final long fileOffset, final long length, final long end)
    {
        return fileOffset + length == Long.MAX_VALUE && (end + 1) % SECTOR == 0;
    }

    /**
     * Whether the byte before {@code start} is the last one of a file record cut at the largest file offset: then the
     * unknown byte at {@code start} is printed as that record's.
     */
    private static boolean cutBefore(final IndexReader probe, final long start)
    {
        final boolean[] cut = {false};
        probe.byteQuery(start - 1, 1, (deviceOffset, length, owner, fileOffset, flags) ->
        {
            cut[0] |= Owner.hasFileOffset(owner) && fileOffset == Long.MAX_VALUE - 1;
            return !cut[0];
        });
        return cut[0];
    }

    /**
     * Count the records.
     *
     * @return how many records {@link #forEach} delivers.
     */
    long count() throws IOException
    {
        final long[] count = new long[1];
        forEach((major, minor, deviceOffset, length, owner, fileOffset, flags) -> count[0]++);
        return count[0];
    }
}
