package io.daxrmap.store;

import io.daxrmap.format.DeviceNumber;
import io.daxrmap.format.FsmapRecordHandler;
import io.daxrmap.index.BulkLoad;
import io.daxrmap.index.IndexConfig;
import io.daxrmap.index.InvalidMutationException;
import io.daxrmap.index.ReverseIndex;
import io.daxrmap.model.DeviceGeometry;
import io.daxrmap.model.MappingFlags;
import io.daxrmap.model.Owner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects mapping records of any number of devices (from GETFSMAP, a dump, a FIEMAP walk) and builds a
 * {@link FilesystemIndex}. Free-space records only extend a device's size; every other record is loaded with
 * {@link BulkLoad} (the meaning of a batch of inserts), so overlapping private records are refused with the records
 * that caused it named.
 * <p>
 * Records read from files are named by where they came from ({@code fsmap.csv:12}): give each file to
 * {@link #source(String)} before its records, and each record's line to
 * {@link #onRecord(int, int, long, long, long, long, int, long)}. That costs an int per record (the line) and an entry
 * per run of records of one file on a device; records without a source are named by their position on the device.
 * <p>
 * The index holds free space as the bytes no owner holds. By default the bytes no record lists are left free too,
 * which is true only of an input that lists every byte. A source of forward maps alone (FIEMAP) lists file data and
 * nothing else: the bytes no file maps hold metadata, a journal, directories as often as free space. And a source
 * that lists free space explicitly (GETFSMAP, an fsmap dump) may still leave bytes out: ext4's GETFSMAP omits some
 * in-use blocks (with 1 KiB blocks, some just before a group's last free extent), about which the kernel said
 * nothing. Such sources call {@link #unlistedUnknown()}, and the bytes no record lists, owned or free, are stored as
 * {@link Owner#UNKNOWN}, never left free: a failure report must not advise re-zeroing them.
 */
public final class FilesystemIndexBuilder implements FsmapRecordHandler
{
    private static final int RECORD_LONGS = 5;
    /**
     * The largest device an index holds, in bytes: lengths are stored in 56 bits (as {@code ReverseIndex} checks a
     * device's geometry). A device size is a whole number of blocks, so the largest is this rounded down to a block.
     */
    public static final long MAX_DEVICE_SIZE = (1L << 56) - 1;

    private final int blockSize;
    private final Map<Integer, Device> devices = new LinkedHashMap<>();
    private final FilesystemIndex target = new FilesystemIndex();
    /** The files the records came from, in the order given. */
    private final List<String> sources = new ArrayList<>();
    /** The device {@link #dataDevice(int)} named, or -1: the records then choose nothing. */
    private int namedDataDevice = -1;
    /** The first device with XFS's per-AG metadata, which only the data device has, or -1. */
    private int agDevice = -1;
    /** The first device with XFS's static metadata (a realtime device of rt groups has its own superblock), or -1. */
    private int fsDevice = -1;
    /** The first device with a record that is not the log's, or -1. */
    private int firstDevice = -1;
    /** Bytes no record lists (owned or free) are unknown, not free. */
    private boolean unlistedUnknown;
    /** Per device, the ranges no record listed, stored as unknown: start, end pairs in device order. */
    private final Map<Integer, long[]> unlistedRanges = new LinkedHashMap<>();
    /** Records whose file range reached past 2^63 - 1: {@link #recordsPastFileOffsets()}. */
    private long pastFileOffsets;

    /**
     * @param blockSize filesystem block size in bytes; device sizes are rounded up to it.
     */
    public FilesystemIndexBuilder(final int blockSize)
    {
        if (blockSize <= 0 || Integer.bitCount(blockSize) != 1)
        {
            throw new IllegalArgumentException("block size must be a power of two: blockSize=" + blockSize);
        }
        this.blockSize = blockSize;
    }

    @Override
    public void onRecord(
        final int major, final int minor, final long deviceOffset, final long length, final long owner,
        final long fileOffset, final int flags)
    {
        onRecord(major, minor, deviceOffset, length, owner, fileOffset, flags, 0);
    }

    /**
     * A record read from a line of the current {@link #source(String) source}, so that an error names it there.
     *
     * @param major        major number of the device that holds the record.
     * @param minor        minor number of the device that holds the record.
     * @param deviceOffset first device byte of the record.
     * @param length       bytes in the record.
     * @param owner        the owner, see {@link Owner}.
     * @param fileOffset   file offset of {@code deviceOffset} for data and attr forks; 0 for other owners.
     * @param flags        GETFSMAP {@code FMR_OF_*} bits, see {@link MappingFlags}.
     * @param line         1-based line of the source that holds the record; 0 if unknown (or past 2^32 - 1).
     */
    public void onRecord(
        final int major, final int minor, final long deviceOffset, final long length, final long owner,
        final long fileOffset, final int flags, final long line)
    {
        final int device = DeviceNumber.encode(major, minor);
        final Device records = devices.computeIfAbsent(device, d -> new Device());
        // the AG headers lie on the data device only: a realtime device numbered before it (GETFSMAP lists devices in
        // dev_t order) is not the data device, though its records come first; nor is one of rt groups, whose own
        // superblock GETFSMAP names static metadata too
        if (agDevice == -1 && owner == Owner.XFS_AG)
        {
            agDevice = device;
        }
        else if (fsDevice == -1 && owner == Owner.XFS_FS)
        {
            fsDevice = device;
        }
        if (firstDevice == -1 && owner != Owner.XFS_LOG)
        {
            firstDevice = device;
        }
        if (Owner.hasFileOffset(owner) && fileOffset >= 0 && length > 0 && fileOffset > Long.MAX_VALUE - length)
        {
            // A file's last block ending at byte 2^63 (XFS files reach 2^63 - 1 bytes, and any user can write one, or
            // reflink it): an index holds file bytes below 2^63 - 1, which are all the bytes a file can have. The
            // block's last byte is left unlisted, and so unknown (load), rather than the whole device refused; the
            // record is printed running to 2^63 as the kernel's does (IndexRecords).
            final long held = Long.MAX_VALUE - fileOffset;
            if (held > 0)
            {
                add(records, deviceOffset, held, owner, fileOffset, flags & MappingFlags.STORED, line);
            }
            pastFileOffsets++;
            return;
        }
        add(records, deviceOffset, length, owner, fileOffset, flags & MappingFlags.STORED, line);
    }

    private void add(
        final Device records, final long deviceOffset, final long length, final long owner, final long fileOffset,
        final int flags, final long line)
    {
        records.add(deviceOffset, length, owner, fileOffset, flags);
        if (!sources.isEmpty())
        {
            records.origin(sources.size() - 1, line > 0 && line <= 0xFFFF_FFFFL ? (int)line : 0);
        }
    }

    /**
     * Records whose file range reached past the largest file offset an index holds (2^63 - 1): their bytes from there
     * on, past the end any file can have, are left unlisted and held as unknown.
     *
     * @return how many records.
     */
    public long recordsPastFileOffsets()
    {
        return pastFileOffsets;
    }

    /**
     * The records that follow come from this file, until the next source.
     *
     * @param name the file's name as the user gave it; error messages name records {@code NAME:LINE}.
     */
    public void source(final String name)
    {
        sources.add(name);
    }

    /**
     * Make sure a device exists even if it has no record, at least of a size.
     *
     * @param device device number.
     * @param size   device size in bytes.
     */
    public void device(final int device, final long size)
    {
        final Device records = devices.computeIfAbsent(device, d -> new Device());
        records.end = Math.max(records.end, size);
    }

    /**
     * How far a device's records (and sizes given with {@link #device}) reach so far.
     *
     * @param device device number.
     * @return the end in bytes, or -1 if the device has neither records nor a size.
     */
    public long deviceEnd(final int device)
    {
        final Device records = devices.get(device);
        return records == null ? -1 : records.end;
    }

    /**
     * The data device: the one named by {@link #dataDevice(int)}, or else the one with XFS's per-AG metadata, or else
     * the one with its static metadata, or else the first with a record that is not the log's.
     *
     * @return its number, or -1 if there is none yet.
     */
    public int dataDevice()
    {
        return namedDataDevice != -1 ? namedDataDevice : agDevice != -1 ? agDevice : fsDevice != -1 ? fsDevice :
            firstDevice;
    }

    /**
     * Free is only what the source says is free: every byte of a device that no record lists, neither an owned nor
     * a free-space one, is stored as owned by {@link Owner#UNKNOWN} rather than left free. For forward maps (FIEMAP,
     * which list file data only), and for GETFSMAP and its dumps, which list free space but may leave in-use bytes
     * out (ext4's does).
     *
     * @return this builder.
     */
    public FilesystemIndexBuilder unlistedUnknown()
    {
        unlistedUnknown = true;
        return this;
    }

    /**
     * The bytes of a device that no record listed, which {@link #unlistedUnknown()} stored as unknown: what the
     * source said nothing about, so that a comparison with it can leave them out.
     *
     * @param device device number.
     * @return {@code start, end} pairs in device order, after {@link #build()}; empty if there are none, the device
     * has not been built, or unlisted bytes are left free.
     */
    public long[] unlistedRanges(final int device)
    {
        return unlistedRanges.getOrDefault(device, new long[0]).clone();
    }

    /**
     * Name the data device (by default as {@link #dataDevice()} says).
     *
     * @param device device number.
     */
    public void dataDevice(final int device)
    {
        namedDataDevice = device;
    }

    /**
     * The catalog to fill while records come in.
     *
     * @return the index being built; add paths and geometry to it.
     */
    public FilesystemIndex target()
    {
        return target;
    }

    /**
     * Build the indexes.
     *
     * @return the filesystem index.
     * @throws InvalidMutationException naming the first record the index refuses.
     */
    public FilesystemIndex build()
    {
        try
        {
            return build(ReverseIndex::create);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Build persistent indexes, one per device, in subdirectories of a directory (see {@link IndexStore}).
     *
     * @param directory where the device indexes go.
     * @return the filesystem index; close it to release the device indexes' writer locks.
     * @throws IOException if an index cannot be written.
     */
    public FilesystemIndex build(final Path directory) throws IOException
    {
        return build(config -> ReverseIndex.create(config, directory.resolve(IndexStore.deviceDirectory(
            config.geometry().device()))));
    }

    private interface IndexFactory
    {
        ReverseIndex create(IndexConfig config) throws IOException;
    }

    private FilesystemIndex build(final IndexFactory factory) throws IOException
    {
        try
        {
            for (final Map.Entry<Integer, Device> entry : devices.entrySet())
            {
                load(factory, entry.getKey(), entry.getValue());
            }
        }
        catch (final IOException | RuntimeException | Error ex)
        {
            // the device indexes made so far hold files and writer locks: a refused input leaves none of them open
            try
            {
                target.close();
            }
            catch (final RuntimeException closing)
            {
                ex.addSuppressed(closing);
            }
            throw ex;
        }
        final int dataDevice = dataDevice();
        if (dataDevice != -1 && target.device(dataDevice) != null)
        {
            target.dataDevice(dataDevice);
        }
        return target;
    }

    /**
     * The largest device size an index holds with a block size: {@link #MAX_DEVICE_SIZE} rounded down to a block.
     *
     * @param blockSize filesystem block size in bytes, a power of two.
     * @return the largest whole number of blocks, in bytes, a device index holds.
     */
    public static long maxDeviceSize(final int blockSize)
    {
        return MAX_DEVICE_SIZE / blockSize * blockSize;
    }

    private void load(final IndexFactory factory, final int deviceNumber, final Device records) throws IOException
    {
        final String device = DeviceNumber.major(deviceNumber) + ":" + DeviceNumber.minor(deviceNumber);
        final long max = maxDeviceSize(blockSize);
        if (records.end > max)
        {
            // rounded up to a block, the end would pass the limit or wrap around: name what reaches that far
            throw new InvalidMutationException("device " + device + " refused: " + farthest(records) +
                ", past the largest device an index holds: " + max + " bytes");
        }
        final long size = Math.max(blockSize, (records.end + blockSize - 1) / blockSize * blockSize);
        // a source that lists every byte leaves none unlisted but the tails of files past 2^63 - 1 (onRecord)
        final Coverage coverage = unlistedUnknown || pastFileOffsets > 0 ? unlisted(records, size) : null;
        final long[] unlisted = coverage == null ? new long[0] : coverage.gaps;
        unlistedRanges.put(deviceNumber, unlisted);
        final int total = records.count + unlisted.length / 2;
        final long extents = coverage == null ? extents(records) : coverage.extents;
        final ReverseIndex index = factory.create(
            new IndexConfig(new DeviceGeometry(deviceNumber, size, blockSize), Math.max(1, extents +
                unlisted.length / 2L)));
        target.addDevice(index);
        final int[] input = new int[total];
        final BulkLoad load = index.bulkLoad(total).nameRecords(r -> input[r] < 0 ?
            "bytes no record lists [" + unlisted[-2 - 2 * input[r]] + ", " + unlisted[-1 - 2 * input[r]] + ")" :
            name(records, input[r]));
        try
        {
            for (int i = 0; i < records.count; i++)
            {
                final int at = i * RECORD_LONGS;
                final long owner = records.data[at + 2];
                if (owner != Owner.FREE)
                {
                    input[load.records()] = i;
                    load.add(owner, records.data[at + 3], records.data[at], records.data[at + 1],
                        (int)records.data[at + 4]);
                }
            }
            for (int gap = 0; gap < unlisted.length / 2; gap++)
            {
                input[load.records()] = -1 - gap;
                load.add(Owner.UNKNOWN, 0, unlisted[2 * gap], unlisted[2 * gap + 1] - unlisted[2 * gap], 0);
            }
            load.commit();
        }
        catch (final InvalidMutationException ex)
        {
            throw new InvalidMutationException("device " + device + " refused: " + ex.getMessage());
        }
        refuseOwnedFreeSpace(device, records);
    }

    /**
     * The records the index is sized for: every record but one that covers the same device bytes as the record before
     * it. The stripe span is chosen for a number of pieces ({@code ReverseIndex.stripeShift}), and the sharers of an
     * extent, which GETFSMAP lists one after another, add records but no piece: counted, they would make the stripes of
     * a clone-heavy device narrower the more sharers its extents have, and a range would cross as many more of them.
     * Sharers that a source lists apart (a FIEMAP walk lists file by file) are counted once by {@link #unlisted},
     * which such sources call for.
     */
    private static long extents(final Device records)
    {
        long extents = 0;
        long previousStart = -1;
        long previousLength = -1;
        for (int i = 0; i < records.count; i++)
        {
            final int at = i * RECORD_LONGS;
            if (records.data[at] != previousStart || records.data[at + 1] != previousLength)
            {
                extents++;
            }
            previousStart = records.data[at];
            previousLength = records.data[at + 1];
        }
        return extents;
    }

    /**
     * What makes a device end past the largest an index holds, for the message that refuses it: the record that ends
     * farthest, or the size the device was given.
     */
    private String farthest(final Device records)
    {
        int far = -1;
        long end = 0;
        for (int i = 0; i < records.count; i++)
        {
            final int at = i * RECORD_LONGS;
            if (records.data[at] + records.data[at + 1] > end)
            {
                end = records.data[at] + records.data[at + 1];
                far = i;
            }
        }
        return end == records.end && far >= 0 ? name(records, far) + ": ends at device byte " + end :
            "device size " + records.end + " bytes";
    }

    /**
     * What the records of a device cover.
     *
     * @param gaps    the ranges no record covers, as {@code start, end} pairs in device order.
     * @param extents the records to size the index for, sharers counted once in whatever order they were listed:
     *                the distinct starts or the distinct ends of the records, whichever are more. Sharers of a whole
     *                extent have one start and one end. A clone of part of one adds a start, an end or both, and a
     *                piece or two: the pieces are fewer than the distinct starts and ends together, so this count is
     *                at least half of them, and the stripes at most one step wider than the pieces would make them.
     */
    private record Coverage(long[] gaps, long extents)
    {
    }

    /**
     * The ranges of {@code [0, size)} that no record covers, owned or free, as {@code start, end} pairs in device
     * order: from the records' starts and ends sorted apart, a sweep that counts how many records cover each byte.
     * The same sorted arrays give the extents to size the index for ({@link Coverage#extents}).
     */
    private static Coverage unlisted(final Device records, final long size)
    {
        final long[] starts = new long[records.count];
        final long[] ends = new long[records.count];
        int owned = 0;
        for (int i = 0; i < records.count; i++)
        {
            final int at = i * RECORD_LONGS;
            if (records.data[at + 1] > 0)
            {
                starts[owned] = records.data[at];
                ends[owned++] = records.data[at] + records.data[at + 1];
            }
        }
        Arrays.sort(starts, 0, owned);
        Arrays.sort(ends, 0, owned);
        long[] gaps = new long[16];
        int n = 0;
        long gapStart = 0;
        int covering = 0;
        int s = 0;
        int e = 0;
        while (s < owned)
        {
            if (starts[s] < ends[e] || covering == 0)
            {
                // a record starts: a byte run uncovered up to here is a gap
                if (covering == 0 && starts[s] > gapStart)
                {
                    if (n + 2 > gaps.length)
                    {
                        gaps = Arrays.copyOf(gaps, gaps.length * 2);
                    }
                    gaps[n++] = gapStart;
                    gaps[n++] = starts[s];
                }
                covering++;
                s++;
            }
            else
            {
                covering--;
                if (covering == 0)
                {
                    gapStart = ends[e];
                }
                e++;
            }
        }
        final long covered = owned == 0 ? 0 : ends[owned - 1];
        if (covered < size)
        {
            if (n + 2 > gaps.length)
            {
                gaps = Arrays.copyOf(gaps, gaps.length + 2);
            }
            gaps[n++] = covered;
            gaps[n++] = size;
        }
        return new Coverage(Arrays.copyOf(gaps, n), Math.max(distinct(starts, owned), distinct(ends, owned)));
    }

    /** The distinct values among the first {@code count} of a sorted array. */
    private static long distinct(final long[] sorted, final int count)
    {
        long distinct = 0;
        for (int i = 0; i < count; i++)
        {
            if (i == 0 || sorted[i] != sorted[i - 1])
            {
                distinct++;
            }
        }
        return distinct;
    }

    /**
     * How an error message names a record of a device: {@code FILE:LINE} where it came from, else its position among
     * the device's records.
     */
    private String name(final Device records, final int record)
    {
        final int source = records.source(record);
        if (source < 0)
        {
            return "record " + record;
        }
        final long line = Integer.toUnsignedLong(records.lines[record]);
        return line == 0 ? sources.get(source) : sources.get(source) + ":" + line;
    }

    /**
     * The index keeps no free-space records (free is what no owner holds): one that overlaps an owned record
     * contradicts the input, and would otherwise vanish unnoticed. Checked on the input's own ranges, so the cost
     * does not grow with the device.
     */
    private void refuseOwnedFreeSpace(final String device, final Device records)
    {
        final int count = records.count;
        final long[] starts = new long[count];
        final long[] ends = new long[count];
        int owned = 0;
        for (int i = 0; i < count; i++)
        {
            final int at = i * RECORD_LONGS;
            if (records.data[at + 2] != Owner.FREE)
            {
                starts[owned] = records.data[at];
                ends[owned++] = records.data[at] + records.data[at + 1];
            }
        }
        if (owned == count)
        {
            return;
        }
        refuseOverlappingFreeSpace(device, records, count - owned);
        Arrays.sort(starts, 0, owned);
        Arrays.sort(ends, 0, owned);
        for (int i = 0; i < count; i++)
        {
            final int at = i * RECORD_LONGS;
            if (records.data[at + 2] != Owner.FREE)
            {
                continue;
            }
            final long start = records.data[at];
            final long end = start + records.data[at + 1];
            // owned records that start before the free one ends, less those that end before it starts: they overlap it
            if (below(starts, owned, end) - below(ends, owned, start + 1) > 0)
            {
                final int holder = firstOwnedOverlapping(records, start, end);
                throw new InvalidMutationException("device " + device + " refused: " + name(records, i) +
                    ": free space that an owner holds: deviceOffset=" + start + " length=" + (end - start) +
                    " held by " + name(records, holder) + " owner=" +
                    Owner.toString(records.data[holder * RECORD_LONGS + 2]));
            }
        }
    }

    /**
     * Free-space records that overlap each other contradict the input as an owned record on free space does (two
     * kernel records never cover one byte twice): they would be merged into one unnoticed, where two records of one
     * owner that overlap are refused. Records that only touch are fine.
     */
    private void refuseOverlappingFreeSpace(final String device, final Device records, final int free)
    {
        final long[] starts = new long[free];
        final long[] ends = new long[free];
        int n = 0;
        for (int i = 0; i < records.count; i++)
        {
            final int at = i * RECORD_LONGS;
            if (records.data[at + 2] == Owner.FREE)
            {
                starts[n] = records.data[at];
                ends[n++] = records.data[at] + records.data[at + 1];
            }
        }
        Arrays.sort(starts);
        Arrays.sort(ends);
        for (int i = 0; i < records.count; i++)
        {
            final int at = i * RECORD_LONGS;
            if (records.data[at + 2] != Owner.FREE)
            {
                continue;
            }
            final long start = records.data[at];
            final long end = start + records.data[at + 1];
            // free records that start before this one ends, less those that end before it starts: itself and others
            if (below(starts, free, end) - below(ends, free, start + 1) > 1)
            {
                for (int j = 0; j < records.count; j++)
                {
                    final int other = j * RECORD_LONGS;
                    if (j != i && records.data[other + 2] == Owner.FREE && records.data[other] < end &&
                        records.data[other] + records.data[other + 1] > start)
                    {
                        throw new InvalidMutationException("device " + device + " refused: " + name(records,
                            Math.max(i, j)) + ": free space listed twice: deviceOffset=" +
                            records.data[Math.max(i, j) * RECORD_LONGS] + " length=" +
                            records.data[Math.max(i, j) * RECORD_LONGS + 1] + " overlaps " + name(records,
                            Math.min(i, j)));
                    }
                }
            }
        }
    }

    /**
     * The first owned record that overlaps {@code [start, end)}, for the message of a refusal: one pass, once.
     */
    private static int firstOwnedOverlapping(final Device records, final long start, final long end)
    {
        for (int i = 0; i < records.count; i++)
        {
            final int at = i * RECORD_LONGS;
            if (records.data[at + 2] != Owner.FREE && records.data[at] < end &&
                records.data[at] + records.data[at + 1] > start)
            {
                return i;
            }
        }
        throw new IllegalStateException("no owned record overlaps: start=" + start + " end=" + end);
    }

    /**
     * How many of the first {@code n} values of a sorted array are below {@code limit}.
     */
    private static int below(final long[] sorted, final int n, final long limit)
    {
        int low = 0;
        int high = n;
        while (low < high)
        {
            final int mid = (low + high) >>> 1;
            if (sorted[mid] < limit)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }
        return low;
    }

    private static final class Device
    {
        long[] data = new long[RECORD_LONGS * 64];
        int count;
        long end;
        /** Each record's line in its source, unsigned (0: unknown); null while no record has a source. */
        int[] lines;
        /** Runs of records from one source: the first record of each run, and the run's source. */
        int[] runStarts = new int[0];
        int[] runSources = new int[0];
        int runs;

        void add(final long deviceOffset, final long length, final long owner, final long fileOffset, final long flags)
        {
            if ((count + 1) * RECORD_LONGS > data.length)
            {
                data = Arrays.copyOf(data, data.length * 2);
            }
            final int at = count * RECORD_LONGS;
            data[at] = deviceOffset;
            data[at + 1] = length;
            data[at + 2] = owner;
            data[at + 3] = fileOffset;
            data[at + 4] = flags;
            count++;
            end = Math.max(end, deviceOffset + length);
        }

        /**
         * Where the record just added came from.
         */
        void origin(final int source, final int line)
        {
            final int record = count - 1;
            if (lines == null)
            {
                lines = new int[data.length / RECORD_LONGS];
            }
            else if (record >= lines.length)
            {
                lines = Arrays.copyOf(lines, data.length / RECORD_LONGS);
            }
            lines[record] = line;
            if (runs == 0 || runSources[runs - 1] != source)
            {
                if (runs == runStarts.length)
                {
                    runStarts = Arrays.copyOf(runStarts, Math.max(4, runs * 2));
                    runSources = Arrays.copyOf(runSources, runStarts.length);
                }
                runStarts[runs] = record;
                runSources[runs++] = source;
            }
        }

        /**
         * The source of a record, or -1 if it came before any.
         */
        int source(final int record)
        {
            int low = 0;
            int high = runs;
            while (low < high)
            {
                final int mid = (low + high) >>> 1;
                if (runStarts[mid] <= record)
                {
                    low = mid + 1;
                }
                else
                {
                    high = mid;
                }
            }
            return low == 0 ? -1 : runSources[low - 1];
        }
    }
}
