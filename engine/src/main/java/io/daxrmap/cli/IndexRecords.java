package io.daxrmap.cli;

import io.daxrmap.format.DeviceNumber;
import io.daxrmap.format.FsmapRecordHandler;
import io.daxrmap.format.FsmapRecordSource;
import io.daxrmap.index.ReverseIndex;
import io.daxrmap.model.Owner;
import io.daxrmap.store.FilesystemIndex;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The records of a filesystem index in GETFSMAP order (device, then device offset, owner, file offset), as
 * {@code xfs_io -c 'fsmap'} lists them: whole records, free space included; with a range, only the data device's
 * records that overlap it, free space clipped to it (as {@code fsmap -d START END}).
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
            // the device byte after a file record that ends at the largest file offset an index holds, printed as the
            // record's own (the unknown record that holds it starts after it)
            final long[] claimed = {-1};
            try
            {
                deviceIndex.newReader().scan(first, last, (deviceOffset, length, owner, fileOffset, flags) ->
                {
                    long start = deviceOffset;
                    long end = deviceOffset + length;
                    if (Owner.hasFileOffset(owner) && fileOffset + length == Long.MAX_VALUE && (end + 1) % SECTOR == 0)
                    {
                        // a file's last block ending at file byte 2^63: the index holds all of it but its last byte,
                        // past any file's end (FilesystemIndexBuilder); printed whole, as the kernel prints it
                        end++;
                        claimed[0] = end - 1;
                    }
                    else if (owner == Owner.UNKNOWN && start == claimed[0])
                    {
                        start++;
                        if (start == end || ranged && start > last)
                        {
                            return true;
                        }
                    }
                    if (ranged && owner == Owner.FREE)
                    {
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
