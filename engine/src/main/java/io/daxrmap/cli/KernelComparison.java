package io.daxrmap.cli;

import io.daxrmap.format.DeviceNumber;
import io.daxrmap.index.ReverseIndex;
import io.daxrmap.model.NativePaths;
import io.daxrmap.model.Owner;
import io.daxrmap.source.Capabilities;
import io.daxrmap.source.GetFsmap;
import io.daxrmap.source.MountRoot;
import io.daxrmap.store.FilesystemIndex;
import io.daxrmap.store.FilesystemIndexBuilder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongPredicate;

/**
 * Compares a stored index with the kernel's reverse map of a mounted filesystem, read now with GETFSMAP.
 * <p>
 * Both sides go through the same canonical form (records as maximal runs of one owner, delta and flags), so equal
 * record lists mean every block agrees: same owners, same file offsets, same unwritten and shared state, whatever
 * the kernel's own record boundaries.
 * <p>
 * An index built from forward maps alone (FIEMAP: file data, and {@link Owner#UNKNOWN} for the bytes no file maps)
 * is compared with the kernel's records of the files it knows, and of the files it has never heard of: the kernel's
 * data fork of an inode that is neither in its records nor in its catalog is a file made since, only in the kernel
 * (a directory, which FIEMAP cannot map on XFS, is in the catalog). Its unknown bytes agree with whatever else the
 * kernel says holds them (metadata, free space, files a FIEMAP walk cannot map). Bytes it holds as free must be free in the
 * kernel's map too: free space is what a failure report advises re-zeroing, and free where the kernel says owned is
 * a difference, never passed over.
 * <p>
 * The bytes no kernel record lists are left out on both sides: the kernel said nothing about them. XFS lists every
 * byte; ext4's GETFSMAP leaves some in-use blocks out (with 1 KiB blocks, some just before a group's last free
 * extent), and calling them free would fail an unchanged filesystem and advise re-zeroing a file's data.
 */
final class KernelComparison
{
    private static final int MAX_DIFFERENCES = 20;
    /** The block size of the kernel's side when the index has no device to take it from: GETFSMAP's unit. */
    private static final int SECTOR_BYTES = 512;

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
        // the catalog's paths are relative to the root that was indexed, as index insists on it
        final Path real;
        try
        {
            real = mountPoint.toRealPath();
        }
        catch (final NoSuchFileException ex)
        {
            throw new IOException("--against " + mountPoint + ": no such directory", ex);
        }
        if (!Files.isDirectory(real) || !MountRoot.isMountPoint(real))
        {
            throw new IOException("--against " + mountPoint + ": not the root of a mounted filesystem (give the " +
                "mount point that was indexed)");
        }
        if (!Capabilities.hasSysAdmin())
        {
            // the kernel would answer with free space and unknown owners only: every file a difference, no reason given
            throw new IOException("--against " + mountPoint + ": GETFSMAP reports file owners only to a process " +
                "with CAP_SYS_ADMIN; run as root");
        }
        // the bytes no kernel record lists (ext4's GETFSMAP leaves some in-use blocks out) are unknown, not free:
        // the kernel said nothing about them, and they agree with whatever the index holds there as unknown
        final ReverseIndex data = index.device(index.dataDevice());
        final FilesystemIndexBuilder kernelBuilder = new FilesystemIndexBuilder(
            data != null ? data.geometry().blockSize() : SECTOR_BYTES).unlistedUnknown();
        final Set<Integer> reported = new LinkedHashSet<>();
        final Set<Integer> withFiles = new HashSet<>();
        try (GetFsmap fsmap = new GetFsmap(); GetFsmap.Opened filesystem = fsmap.open(mountPoint))
        {
            // as index does: data written since and not yet written back is in no GETFSMAP record until synced
            filesystem.sync();
            filesystem.readAll((major, minor, deviceOffset, length, owner, fileOffset, flags) ->
            {
                reported.add(DeviceNumber.encode(major, minor));
                if (Owner.isInode(owner))
                {
                    withFiles.add(DeviceNumber.encode(major, minor));
                }
                kernelBuilder.onRecord(major, minor, deviceOffset, length, owner, fileOffset, flags);
            });
        }
        if (Collections.disjoint(reported, index.devices().keySet()))
        {
            // another filesystem than the one indexed: that is the one difference worth a line, not its records
            differences.add("the mount's device(s) " + names(reported) + " are not the index's (" +
                names(index.devices().keySet()) + "): " + mountPoint + " is not the filesystem indexed");
            return;
        }
        // the index's records, and whether they are a reverse map's (a forward-map index, FIEMAP's, names files and
        // unknown bytes only, on the device its files are on: an external log's device is none of its business)
        final Map<Integer, List<long[]>> ours = new HashMap<>();
        boolean reverseMap = false;
        for (final Map.Entry<Integer, ReverseIndex> entry : index.devices().entrySet())
        {
            final List<long[]> records = records(entry.getValue(), owner -> true);
            ours.put(entry.getKey(), records);
            for (final long[] record : records)
            {
                reverseMap |= onlyInReverseMaps(record[2]);
            }
        }
        // the devices that differ first, then the records of the devices both have, each compared to its own size
        for (final Integer device : index.devices().keySet())
        {
            if (!reported.contains(device))
            {
                differences.add("device " + names(Set.of(device)) + ": the kernel reports nothing on this device");
            }
        }
        for (final Integer device : reported)
        {
            if (index.device(device) == null)
            {
                if (reverseMap || withFiles.contains(device))
                {
                    differences.add("device " + names(Set.of(device)) + ": only in the kernel");
                }
            }
            else
            {
                kernelBuilder.device(device, index.device(device).geometry().size());
            }
        }
        try (FilesystemIndex kernel = kernelBuilder.build())
        {
            for (final Map.Entry<Integer, ReverseIndex> entry : index.devices().entrySet())
            {
                final ReverseIndex theirs = kernel.device(entry.getKey());
                if (theirs != null && differences.size() < MAX_DIFFERENCES)
                {
                    compareDevice(names(Set.of(entry.getKey())), ours.get(entry.getKey()), theirs,
                        kernelBuilder.unlistedRanges(entry.getKey()), fileDataCompared(index, mountPoint));
                }
            }
        }
    }

    /**
     * Whether an owner is one only a reverse map names (metadata, the log): an index holding one was built from
     * GETFSMAP or its dumps, not from forward maps, which name files and unknown bytes only.
     */
    private static boolean onlyInReverseMaps(final long owner)
    {
        return !Owner.isInode(owner) && owner != Owner.FREE && owner != Owner.UNKNOWN;
    }

    /**
     * Devices as {@code MAJOR:MINOR}, comma-separated; {@code none} for none.
     */
    private static String names(final Set<Integer> devices)
    {
        final List<String> names = new ArrayList<>();
        for (final Integer device : devices)
        {
            names.add(DeviceNumber.major(device) + ":" + DeviceNumber.minor(device));
        }
        return names.isEmpty() ? "none" : String.join(", ", names);
    }

    /**
     * Whether the kernel's data of an inode the index holds no record of is compared: an inode the catalog does not
     * name (a file made since), or one it names that is a regular file now, at its catalogued path under the mount,
     * with its number (a file empty, or not mapped, when the index was made). Not a directory, whose blocks FIEMAP
     * does not show.
     * Asked once per inode.
     */
    private static LongPredicate fileDataCompared(final FilesystemIndex index, final Path mountPoint)
    {
        final Map<Long, Boolean> known = new HashMap<>();
        return inode -> known.computeIfAbsent(inode, boxed ->
        {
            final long i = boxed;
            final String path = index.path(i);
            if (path == null)
            {
                return true;
            }
            try
            {
                final Map<String, Object> stat = Files.readAttributes(NativePaths.resolve(mountPoint, path),
                    "unix:mode,ino", LinkOption.NOFOLLOW_LINKS);
                return ((Integer)stat.get("mode") & 0170000) == 0100000 && (Long)stat.get("ino") == i;
            }
            catch (final IOException | RuntimeException ex)
            {
                return false;
            }
        });
    }

    /**
     * @param unlisted   the bytes no kernel record lists, as {@code start, end} pairs: the kernel said nothing about
     *                   them, so they are left out of both sides.
     * @param fileData   whether the kernel's data of an inode the index holds no record of is compared.
     */
    private void compareDevice(final String name, final List<long[]> all, final ReverseIndex kernel,
        final long[] unlisted, final LongPredicate fileData)
    {
        final Set<Long> owners = new HashSet<>();
        boolean complete = false;
        for (final long[] record : all)
        {
            owners.add(record[2]);
            complete |= onlyInReverseMaps(record[2]);
        }
        final List<long[]> ours = cut(all, unlisted);
        owners.remove(Owner.FREE);
        owners.remove(Owner.UNKNOWN);
        if (!complete)
        {
            compareFreeSpace(name, ours, kernel);
            ours.removeIf(record -> record[2] == Owner.FREE || record[2] == Owner.UNKNOWN);
            if (runs(kernel, Owner::isInode).isEmpty())
            {
                compareUnnamedFileData(name, ours, kernel);
                return;
            }
        }
        // of a forward-map index: the kernel's records of its files, the data of files it never heard of, and of
        // the regular files it catalogued without data (empty then, or not mapped: written since, or missed)
        final List<long[]> theirs = cut(records(kernel, complete ? owner -> true : owner -> owners.contains(owner) ||
            Owner.isFileData(owner) && fileData.test(Owner.inode(owner))), unlisted);
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

    /**
     * A forward-map index's free bytes against the kernel's owned ones: every overlap is a difference.
     */
    private void compareFreeSpace(final String name, final List<long[]> ours, final ReverseIndex kernel)
    {
        overlaps(name, ours, Owner.FREE, runs(kernel, owner -> owner != Owner.FREE), "free in the index");
    }

    /**
     * Where the kernel names no file (ext4's GETFSMAP reports all file data as {@link Owner#UNKNOWN}), a
     * forward-map index's file data is compared by place: it must lie on bytes the kernel holds as unknown, not on
     * free space or named metadata.
     */
    private void compareUnnamedFileData(final String name, final List<long[]> ours, final ReverseIndex kernel)
    {
        final List<long[]> data = new ArrayList<>();
        for (final long[] record : ours)
        {
            if (Owner.isInode(record[2]))
            {
                data.add(record);
                compared++;
            }
        }
        overlaps(name, data, -1, runs(kernel, owner -> owner != Owner.UNKNOWN), "file data in the index");
    }

    /**
     * Report every overlap of our records (of one owner, or all with -1), in device order, with the kernel's runs.
     */
    private void overlaps(
        final String name, final List<long[]> ours, final long owner, final List<long[]> runs, final String what)
    {
        int j = 0;
        for (final long[] record : ours)
        {
            if (owner != -1 && record[2] != owner)
            {
                continue;
            }
            final long start = record[0];
            final long end = record[0] + record[1];
            while (j < runs.size() && runs.get(j)[1] <= start)
            {
                j++;
            }
            for (int k = j; k < runs.size() && runs.get(k)[0] < end; k++)
            {
                if (differences.size() >= MAX_DIFFERENCES)
                {
                    return;
                }
                final long[] run = runs.get(k);
                differences.add("device " + name + ": " + what + " where the kernel says " + Owner.toString(run[2]) +
                    ": " + describe(record) + " overlaps [" + Math.max(start, run[0]) + ", " + Math.min(end, run[1]) +
                    ")");
            }
        }
    }

    /**
     * The kernel's bytes of the owners a filter takes, as disjoint runs in device order, each with the owner of its
     * first record.
     */
    private static List<long[]> runs(final ReverseIndex kernel, final LongPredicate taken)
    {
        final List<long[]> runs = new ArrayList<>();
        kernel.newReader().scan(0, Long.MAX_VALUE, (deviceOffset, length, owner, fileOffset, flags) ->
        {
            if (taken.test(owner))
            {
                final long[] last = runs.isEmpty() ? null : runs.get(runs.size() - 1);
                if (last != null && deviceOffset < last[1])
                {
                    last[1] = Math.max(last[1], deviceOffset + length);
                }
                else
                {
                    runs.add(new long[]{deviceOffset, deviceOffset + length, owner});
                }
            }
            return true;
        });
        return runs;
    }

    private static List<long[]> records(final ReverseIndex index, final LongPredicate taken)
    {
        final List<long[]> records = new ArrayList<>();
        index.newReader().scan(0, Long.MAX_VALUE, (deviceOffset, length, owner, fileOffset, flags) ->
        {
            if (taken.test(owner))
            {
                records.add(new long[]{deviceOffset, length, owner, fileOffset, flags});
            }
            return true;
        });
        return records;
    }

    /**
     * Records with the bytes of some ranges cut out: a record across a range comes out in pieces, each but the first
     * with its file offset moved on (for owners that have one). Sorted as the comparison walks them.
     *
     * @param ranges {@code start, end} pairs, disjoint, in device order.
     */
    private static List<long[]> cut(final List<long[]> records, final long[] ranges)
    {
        if (ranges.length == 0)
        {
            return records;
        }
        final List<long[]> pieces = new ArrayList<>(records.size());
        for (final long[] record : records)
        {
            final long start = record[0];
            final long end = record[0] + record[1];
            // the first range that ends past the record's start: ranges' ends are in order too
            int low = 0;
            int high = ranges.length / 2;
            while (low < high)
            {
                final int mid = (low + high) >>> 1;
                if (ranges[2 * mid + 1] <= start)
                {
                    low = mid + 1;
                }
                else
                {
                    high = mid;
                }
            }
            long at = start;
            for (int r = low; r < ranges.length / 2 && ranges[2 * r] < end; r++)
            {
                if (ranges[2 * r] > at)
                {
                    pieces.add(piece(record, at, ranges[2 * r]));
                }
                at = Math.max(at, ranges[2 * r + 1]);
            }
            if (at < end)
            {
                pieces.add(piece(record, at, end));
            }
        }
        pieces.sort(KernelComparison::compare);
        return pieces;
    }

    private static long[] piece(final long[] record, final long start, final long end)
    {
        return new long[]{start, end - start, record[2],
            Owner.hasFileOffset(record[2]) ? record[3] + (start - record[0]) : record[3], record[4]};
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
