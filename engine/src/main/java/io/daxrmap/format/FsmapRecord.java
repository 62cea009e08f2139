package io.daxrmap.format;

import io.daxrmap.model.Owner;

import java.io.IOException;
import java.util.List;

/**
 * One mapping record as an object, for tests and tools away from the hot path.
 *
 * @param major        major number of the device.
 * @param minor        minor number of the device.
 * @param deviceOffset first device byte.
 * @param length       bytes in the record, positive.
 * @param owner        the owner, see {@link Owner}.
 * @param fileOffset   file offset of {@code deviceOffset}; 0 for owners without file offsets.
 * @param flags        GETFSMAP {@code FMR_OF_*} bits.
 */
public record FsmapRecord(int major, int minor, long deviceOffset, long length, long owner, long fileOffset, int flags)
{
    /**
     * Validates every field.
     */
    public FsmapRecord
    {
        if (major < 0 || major > DeviceNumber.MAX_MAJOR || minor < 0 || minor > DeviceNumber.MAX_MINOR)
        {
            throw new IllegalArgumentException("device number out of range: major=" + major + " minor=" + minor);
        }
        if (deviceOffset < 0 || length <= 0 || deviceOffset + length < 0 || fileOffset < 0)
        {
            throw new IllegalArgumentException("bad record extent: deviceOffset=" + deviceOffset + " length=" + length +
                " fileOffset=" + fileOffset);
        }
    }

    /**
     * Deliver this record to a handler.
     *
     * @param handler receives the record.
     * @throws IOException if the handler fails.
     */
    public void sendTo(final FsmapRecordHandler handler) throws IOException
    {
        handler.onRecord(major, minor, deviceOffset, length, owner, fileOffset, flags);
    }

    /**
     * A handler that appends every record it receives to a list.
     *
     * @param records the list to fill.
     * @return the handler.
     */
    public static FsmapRecordHandler collector(final List<FsmapRecord> records)
    {
        return (major, minor, deviceOffset, length, owner, fileOffset, flags) ->
            records.add(new FsmapRecord(major, minor, deviceOffset, length, owner, fileOffset, flags));
    }

    /**
     * A replayable source over a list of records.
     *
     * @param records the records, in order.
     * @return the source.
     */
    public static FsmapRecordSource source(final List<FsmapRecord> records)
    {
        return (handler) ->
        {
            for (final FsmapRecord record : records)
            {
                record.sendTo(handler);
            }
        };
    }

    /**
     * The record in a readable form: {@code 7:0 [4096+8192) inode_131_data@0 flags=0x0}.
     *
     * @return the description.
     */
    @Override
    public String toString()
    {
        return major + ":" + minor + " [" + deviceOffset + "+" + length + ") " + Owner.toString(owner) + "@" +
            fileOffset + " flags=0x" + Integer.toHexString(flags);
    }
}
