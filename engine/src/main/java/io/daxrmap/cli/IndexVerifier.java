package io.daxrmap.cli;

import io.daxrmap.format.DeviceNumber;
import io.daxrmap.index.IndexReader;
import io.daxrmap.index.ReverseIndex;
import io.daxrmap.model.MappingFlags;
import io.daxrmap.model.Owner;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks one device's index against its own invariants, each through a query path independent of the one that
 * produced the record:
 * <ul>
 *     <li>the scan's records and free space tile the device with no gap;</li>
 *     <li>no byte is held by metadata (or free) and anything else; only file data shares;</li>
 *     <li>a data record is flagged shared exactly when a byte query over it finds another data owner;</li>
 *     <li>forward and reverse maps agree: each data and attr record is exactly one forward extent, and every
 *     owner's forward bytes equal its reverse bytes.</li>
 * </ul>
 */
final class IndexVerifier
{
    private static final int MAX_DIFFERENCES = 20;

    private final List<String> differences = new ArrayList<>();
    private long checked;

    List<String> differences()
    {
        return differences;
    }

    long checked()
    {
        return checked;
    }

    void verify(final ReverseIndex index)
    {
        final int device = index.geometry().device();
        final String name = DeviceNumber.major(device) + ":" + DeviceNumber.minor(device);
        final IndexReader reader = index.newReader();
        final IndexReader probe = index.newReader();
        final long size = index.geometry().size();
        final long[] state = {0, 0, 0};
        final Map<Long, Long> reverseBytes = new HashMap<>();
        reader.scan(0, Long.MAX_VALUE, (deviceOffset, length, owner, fileOffset, flags) ->
        {
            checked++;
            final long end = deviceOffset + length;
            final long coveredEnd = state[0];
            final long exclusiveEnd = state[1];
            if (deviceOffset > coveredEnd)
            {
                report(name, "gap: no record or free space covers device bytes [" + coveredEnd + ", " + deviceOffset +
                    ")");
            }
            final boolean data = Owner.isFileData(owner);
            if (deviceOffset < exclusiveEnd || (!data && deviceOffset < coveredEnd))
            {
                report(name, "overlap: " + describe(deviceOffset, length, owner, fileOffset) +
                    " overlaps a record that cannot share");
            }
            state[0] = Math.max(coveredEnd, end);
            if (!data)
            {
                state[1] = Math.max(exclusiveEnd, end);
            }
            if (owner != Owner.FREE && Owner.hasFileOffset(owner))
            {
                reverseBytes.merge(owner, length, Long::sum);
                checkForward(probe, name, deviceOffset, length, owner, fileOffset, flags);
            }
            if (data)
            {
                checkShared(probe, name, deviceOffset, length, owner, fileOffset, flags);
            }
            return differences.size() < MAX_DIFFERENCES;
        });
        if (state[0] < size && differences.size() < MAX_DIFFERENCES)
        {
            report(name, "gap: nothing covers device bytes [" + state[0] + ", " + size + ")");
        }
        for (final Map.Entry<Long, Long> entry : reverseBytes.entrySet())
        {
            final long[] forwardBytes = {0};
            // every file byte an index holds: [0, 2^63 - 1)
            probe.forward(entry.getKey(), 0, Long.MAX_VALUE, (fileOffset, deviceOffset, length, flags) ->
            {
                forwardBytes[0] += length;
                return true;
            });
            if (forwardBytes[0] != entry.getValue())
            {
                report(name, "forward and reverse maps disagree: owner=" + Owner.toString(entry.getKey()) +
                    " forwardBytes=" + forwardBytes[0] + " reverseBytes=" + entry.getValue());
            }
        }
    }

    private void checkForward(
        final IndexReader probe, final String name, final long deviceOffset, final long length, final long owner,
        final long fileOffset, final int flags)
    {
        final List<long[]> extents = new ArrayList<>();
        probe.forward(owner, fileOffset, length, (f, d, l, fl) ->
        {
            extents.add(new long[]{f, d, l, fl});
            return extents.size() < 3;
        });
        if (extents.size() != 1 || extents.get(0)[0] != fileOffset || extents.get(0)[1] != deviceOffset ||
            extents.get(0)[2] != length || extents.get(0)[3] != (flags & MappingFlags.STORED))
        {
            final StringBuilder found = new StringBuilder();
            for (final long[] e : extents)
            {
                found.append(" [file ").append(e[0]).append(" device ").append(e[1]).append(" length ").append(e[2])
                    .append(" flags ").append(e[3]).append(']');
            }
            report(name, "forward map disagrees with " + describe(deviceOffset, length, owner, fileOffset) +
                ": forward has" + (found.length() == 0 ? " nothing" : found));
        }
    }

    private void checkShared(
        final IndexReader probe, final String name, final long deviceOffset, final long length, final long owner,
        final long fileOffset, final int flags)
    {
        final int[] dataRecords = {0};
        probe.byteQuery(deviceOffset, length, (d, l, o, f, fl) ->
        {
            if (Owner.isFileData(o))
            {
                dataRecords[0]++;
            }
            return true;
        });
        final boolean shared = dataRecords[0] > 1;
        if (shared != ((flags & MappingFlags.SHARED) != 0))
        {
            report(name, describe(deviceOffset, length, owner, fileOffset) + " is " + (shared ? "" : "not ") +
                "shared but flagged " + (shared ? "not " : "") + "shared");
        }
    }

    private void report(final String device, final String what)
    {
        if (differences.size() < MAX_DIFFERENCES)
        {
            differences.add("device " + device + ": " + what);
        }
    }

    private static String describe(final long deviceOffset, final long length, final long owner, final long fileOffset)
    {
        return Owner.toString(owner) + " device [" + deviceOffset + ", " + (deviceOffset + length) + ")" +
            (Owner.hasFileOffset(owner) ? " file " + fileOffset : "");
    }
}
