package io.daxrmap.cli;

import io.daxrmap.index.ReverseIndex;
import io.daxrmap.model.MappingFlags;
import io.daxrmap.model.Owner;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What {@code inspect} reports of one device: bytes per owner class, the sharing histogram, the most shared
 * extents and the most fragmented files, computed from one ordered scan and a sweep over the data records.
 */
final class DeviceStats
{
    /** Byte classes, in legend order. */
    enum ByteClass
    {
        FREE("free", "#f0f0f0"),
        /** Owned by something the source could not name: what no file maps, in an index of forward maps. */
        UNKNOWN("unknown", "#c9b8d9"),
        METADATA("metadata", "#6b6b6b"),
        ATTR_BMBT("attr fork / bmbt", "#b07aa1"),
        COW("cow staging", "#9c755f"),
        UNWRITTEN("unwritten data", "#a0cbe8"),
        PRIVATE("private data", "#4e79a7"),
        SHARED_2("shared by 2", "#f1ce63"),
        SHARED_3_10("shared by 3-10", "#f28e2b"),
        SHARED_11_100("shared by 11-100", "#e15759"),
        SHARED_OVER_100("shared by >100", "#79000f");

        final String label;
        final String color;

        ByteClass(final String label, final String color)
        {
            this.label = label;
            this.color = color;
        }
    }

    /** Sharing histogram buckets: bytes held by 1, 2, 3-10, 11-100, more than 100 data references. */
    static final String[] SHARING_BUCKETS = {"1", "2", "3-10", "11-100", ">100"};
    /** How many most shared extents and most fragmented files to list. */
    static final int TOP = 10;

    /** A run of device bytes of one degree of sharing. */
    record SharedExtent(long deviceOffset, long length, int degree)
    {
    }

    /** A callback for every classified run of bytes, in device order. */
    interface RunHandler
    {
        void onRun(long deviceOffset, long length, ByteClass byteClass);
    }

    final long size;
    final long[] bytesByClass = new long[ByteClass.values().length];
    final long[] sharingHistogram = new long[SHARING_BUCKETS.length];
    final Map<Long, Integer> recordsByOwner = new HashMap<>();
    final List<SharedExtent> mostShared = new ArrayList<>();
    long records;
    long offHeapBytes;
    final Set<Long> owners = new HashSet<>();

    private long[] dataStart = new long[64];
    private long[] dataEnd = new long[64];
    private boolean[] dataUnwritten = new boolean[64];
    private int dataCount;

    private DeviceStats(final long size)
    {
        this.size = size;
    }

    static DeviceStats of(final ReverseIndex index, final RunHandler runs)
    {
        final DeviceStats stats = new DeviceStats(index.geometry().size());
        stats.offHeapBytes = index.liveOffHeapBytes();
        final List<long[]> others = new ArrayList<>();
        index.newReader().scan(0, Long.MAX_VALUE, (deviceOffset, length, owner, fileOffset, flags) ->
        {
            if (owner != Owner.FREE)
            {
                stats.records++;
                stats.owners.add(owner);
                stats.recordsByOwner.merge(owner, 1, Integer::sum);
            }
            if (Owner.isFileData(owner))
            {
                stats.addData(deviceOffset, deviceOffset + length, (flags & MappingFlags.UNWRITTEN) != 0);
            }
            else
            {
                others.add(new long[]{deviceOffset, length, classOf(owner).ordinal()});
            }
            return true;
        });
        final List<long[]> dataRuns = stats.sweep();
        int o = 0;
        int d = 0;
        while (o < others.size() || d < dataRuns.size())
        {
            final boolean takeOther = d >= dataRuns.size() ||
                (o < others.size() && others.get(o)[0] <= dataRuns.get(d)[0]);
            final long[] run = takeOther ? others.get(o++) : dataRuns.get(d++);
            final ByteClass byteClass = ByteClass.values()[(int)run[2]];
            stats.bytesByClass[byteClass.ordinal()] += run[1];
            if (runs != null)
            {
                runs.onRun(run[0], run[1], byteClass);
            }
        }
        return stats;
    }

    private static ByteClass classOf(final long owner)
    {
        if (owner == Owner.FREE)
        {
            return ByteClass.FREE;
        }
        if (owner == Owner.UNKNOWN)
        {
            return ByteClass.UNKNOWN;
        }
        if (owner == Owner.XFS_COW)
        {
            return ByteClass.COW;
        }
        return Owner.isInode(owner) ? ByteClass.ATTR_BMBT : ByteClass.METADATA;
    }

    private void addData(final long start, final long end, final boolean unwritten)
    {
        if (dataCount == dataStart.length)
        {
            dataStart = Arrays.copyOf(dataStart, dataCount * 2);
            dataEnd = Arrays.copyOf(dataEnd, dataCount * 2);
            dataUnwritten = Arrays.copyOf(dataUnwritten, dataCount * 2);
        }
        dataStart[dataCount] = start;
        dataEnd[dataCount] = end;
        dataUnwritten[dataCount] = unwritten;
        dataCount++;
    }

    /**
     * Cut the data records into runs of constant degree of sharing: the bytes each number of references holds.
     *
     * @return runs as {deviceOffset, length, class ordinal}, in device order.
     */
    private List<long[]> sweep()
    {
        final int n = dataCount;
        final long[] events = new long[2 * n];
        for (int i = 0; i < n; i++)
        {
            // Bit 0: an end; bit 1: unwritten. Every event at one offset is applied before the next run starts.
            events[2 * i] = dataStart[i] << 2 | (dataUnwritten[i] ? 2 : 0);
            events[2 * i + 1] = dataEnd[i] << 2 | (dataUnwritten[i] ? 2 : 0) | 1;
        }
        Arrays.sort(events, 0, 2 * n);
        final List<long[]> runs = new ArrayList<>();
        int degree = 0;
        int unwritten = 0;
        long at = 0;
        for (int e = 0; e < 2 * n; )
        {
            final long position = events[e] >>> 2;
            if (degree > 0 && position > at)
            {
                addRun(runs, at, position - at, degree, unwritten);
            }
            while (e < 2 * n && events[e] >>> 2 == position)
            {
                final boolean end = (events[e] & 1) != 0;
                final boolean isUnwritten = (events[e] & 2) != 0;
                degree += end ? -1 : 1;
                unwritten += isUnwritten ? (end ? -1 : 1) : 0;
                e++;
            }
            at = position;
        }
        mostShared.sort((a, b) -> b.degree() != a.degree() ? Integer.compare(b.degree(), a.degree()) :
            Long.compare(b.length(), a.length()));
        if (mostShared.size() > TOP)
        {
            mostShared.subList(TOP, mostShared.size()).clear();
        }
        return runs;
    }

    private void addRun(final List<long[]> runs, final long start, final long length, final int degree,
        final int unwritten)
    {
        final ByteClass byteClass;
        if (degree == 1)
        {
            byteClass = unwritten == 1 ? ByteClass.UNWRITTEN : ByteClass.PRIVATE;
            sharingHistogram[0] += length;
        }
        else if (degree == 2)
        {
            byteClass = ByteClass.SHARED_2;
            sharingHistogram[1] += length;
        }
        else if (degree <= 10)
        {
            byteClass = ByteClass.SHARED_3_10;
            sharingHistogram[2] += length;
        }
        else if (degree <= 100)
        {
            byteClass = ByteClass.SHARED_11_100;
            sharingHistogram[3] += length;
        }
        else
        {
            byteClass = ByteClass.SHARED_OVER_100;
            sharingHistogram[4] += length;
        }
        final long[] last = runs.isEmpty() ? null : runs.get(runs.size() - 1);
        if (last != null && last[0] + last[1] == start && last[2] == byteClass.ordinal())
        {
            last[1] += length;
        }
        else
        {
            runs.add(new long[]{start, length, byteClass.ordinal()});
        }
        if (degree >= 2)
        {
            final SharedExtent previous = mostShared.isEmpty() ? null : mostShared.get(mostShared.size() - 1);
            if (previous != null && previous.degree() == degree &&
                previous.deviceOffset() + previous.length() == start)
            {
                mostShared.set(mostShared.size() - 1, new SharedExtent(previous.deviceOffset(),
                    previous.length() + length, degree));
            }
            else
            {
                mostShared.add(new SharedExtent(start, length, degree));
            }
        }
    }
}
