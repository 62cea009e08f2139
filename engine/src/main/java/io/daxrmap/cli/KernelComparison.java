package io.daxrmap.cli;

import io.daxrmap.format.DeviceNumber;
import io.daxrmap.index.ReverseIndex;
import io.daxrmap.model.Owner;
import io.daxrmap.source.GetFsmap;
import io.daxrmap.store.FilesystemIndex;
import io.daxrmap.store.FilesystemIndexBuilder;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compares a stored index with the kernel's reverse map of a mounted filesystem, read now with GETFSMAP.
 * <p>
 * Both sides go through the same canonical form (records as maximal runs of one owner, delta and flags), so equal
 * record lists mean every block agrees: same owners, same file offsets, same unwritten and shared state, whatever
 * the kernel's own record boundaries. An index built from FIEMAP knows only file data: it is compared with the
 * kernel's records of the owners it knows, and free space is not compared.
 */
final class KernelComparison
{
    private static final int MAX_DIFFERENCES = 20;

    private final List<String> differences = new ArrayList<>();
    private long compared;

    List<String> differences()
    {
        return differences;
    }

    long compared()
    {
        return compared;
    }

    void compare(final FilesystemIndex index, final Path mountPoint) throws IOException
    {
        final FilesystemIndexBuilder kernelBuilder = new FilesystemIndexBuilder(
            index.device(index.dataDevice()).geometry().blockSize());
        for (final ReverseIndex device : index.devices().values())
        {
            kernelBuilder.device(device.geometry().device(), device.geometry().size());
        }
        try (GetFsmap fsmap = new GetFsmap())
        {
            fsmap.readAll(mountPoint, kernelBuilder);
        }
        try (FilesystemIndex kernel = kernelBuilder.build())
        {
            for (final Map.Entry<Integer, ReverseIndex> entry : index.devices().entrySet())
            {
                final ReverseIndex theirs = kernel.device(entry.getKey());
                final String name = DeviceNumber.major(entry.getKey()) + ":" + DeviceNumber.minor(entry.getKey());
                if (theirs == null)
                {
                    differences.add("device " + name + ": the kernel reports nothing on this device");
                    continue;
                }
                compareDevice(name, records(entry.getValue(), null), theirs);
            }
            for (final Integer device : kernel.devices().keySet())
            {
                if (index.device(device) == null && differences.size() < MAX_DIFFERENCES)
                {
                    differences.add("device " + DeviceNumber.major(device) + ":" + DeviceNumber.minor(device) +
                        ": only in the kernel");
                }
            }
        }
    }

    private void compareDevice(final String name, final List<long[]> ours, final ReverseIndex kernel)
    {
        final Set<Long> owners = new HashSet<>();
        boolean complete = false;
        for (final long[] record : ours)
        {
            owners.add(record[2]);
            complete |= !Owner.isInode(record[2]) && record[2] != Owner.FREE;
        }
        owners.remove(Owner.FREE);
        final List<long[]> theirs = records(kernel, complete ? null : owners);
        if (!complete)
        {
            ours.removeIf(record -> record[2] == Owner.FREE);
        }
        int i = 0;
        int j = 0;
        while ((i < ours.size() || j < theirs.size()) && differences.size() < MAX_DIFFERENCES)
        {
            final int cmp = i >= ours.size() ? 1 : j >= theirs.size() ? -1 : compare(ours.get(i), theirs.get(j));
            if (cmp == 0)
            {
                compared++;
                i++;
                j++;
            }
            else if (cmp < 0)
            {
                differences.add("device " + name + ": only in the index:  " + describe(ours.get(i++)));
            }
            else
            {
                differences.add("device " + name + ": only in the kernel: " + describe(theirs.get(j++)));
            }
        }
    }

    private static List<long[]> records(final ReverseIndex index, final Set<Long> owners)
    {
        final List<long[]> records = new ArrayList<>();
        index.newReader().scan(0, Long.MAX_VALUE, (deviceOffset, length, owner, fileOffset, flags) ->
        {
            if (owners == null || owners.contains(owner))
            {
                records.add(new long[]{deviceOffset, length, owner, fileOffset, flags});
            }
            return true;
        });
        return records;
    }

    private static int compare(final long[] a, final long[] b)
    {
        for (int k = 0; k < a.length; k++)
        {
            final int cmp = k == 2 ? Long.compareUnsigned(a[k], b[k]) : Long.compare(a[k], b[k]);
            if (cmp != 0)
            {
                return cmp;
            }
        }
        return 0;
    }

    private static String describe(final long[] record)
    {
        return Owner.toString(record[2]) + " device [" + record[0] + ", " + (record[0] + record[1]) + ")" +
            (Owner.hasFileOffset(record[2]) ? " file " + record[3] : "") + " flags [" +
            RecordFormat.flagNames((int)record[4]).replace("\"", "") + "]";
    }
}
