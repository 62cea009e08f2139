package io.daxrmap.failure;

import io.daxrmap.index.Batch;
import io.daxrmap.index.IndexConfig;
import io.daxrmap.index.ReverseIndex;
import io.daxrmap.model.DeviceGeometry;
import io.daxrmap.model.MappingFlags;
import io.daxrmap.model.Owner;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Reports against a brute-force oracle over a plain list of mappings: random private, unwritten and metadata
 * extents, clones of random sub-ranges at random file offsets, and random errors of every granularity.
 */
class FailureServiceOracleTest
{
    private static final int BLOCK = 4096;
    private static final long DEVICE_SIZE = 16L << 20;
    private static final long PHYS_BASE = 0x2_0000_0000L;
    private static final long DATA_OFFSET = 1L << 20;
    private static final long[] METADATA = {Owner.XFS_INODES, Owner.XFS_AG, Owner.XFS_COW, Owner.XFS_LOG};

    /**
     * One mapping of the oracle.
     */
    private record Mapping(long owner, long fileOffset, long device, long length, boolean unwritten)
    {
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void shouldMatchTheOracleForRandomLayoutsAndErrors(final long seed)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final List<Mapping> mappings = new ArrayList<>();
        try (ReverseIndex index = ReverseIndex.create(new IndexConfig(new DeviceGeometry(1, DEVICE_SIZE, BLOCK), 1024)))
        {
            final Batch batch = index.newBatch();
            final List<Mapping> golden = new ArrayList<>();
            long device = random.nextInt(4) * (long)BLOCK;
            long inode = 100;
            while (device < DEVICE_SIZE - (64L << 10))
            {
                final long length = (1 + random.nextInt(12)) * (long)BLOCK;
                final int kind = random.nextInt(6);
                if (kind == 0)
                {
                    final long owner = METADATA[random.nextInt(METADATA.length)];
                    batch.allocMetadata(owner, device, length);
                    mappings.add(new Mapping(owner, 0, device, length, false));
                }
                else
                {
                    final boolean unwritten = kind == 1;
                    final long fileOffset = random.nextInt(16) * (long)BLOCK;
                    final Mapping mapping = new Mapping(Owner.data(inode++), fileOffset, device, length, unwritten);
                    batch.map(mapping.owner(), fileOffset, device, length, unwritten ? MappingFlags.UNWRITTEN : 0);
                    mappings.add(mapping);
                    if (!unwritten)
                    {
                        golden.add(mapping);
                    }
                }
                device += length + random.nextInt(3) * (long)BLOCK;
            }
            for (int clone = 0; clone < 40; clone++)
            {
                final Mapping source = golden.get(random.nextInt(golden.size()));
                final long blocks = source.length() / BLOCK;
                final long first = random.nextLong(blocks);
                final long count = 1 + random.nextLong(blocks - first);
                final long destination = random.nextInt(64) * (long)BLOCK;
                final long owner = Owner.data(10_000 + clone);
                batch.reflink(source.owner(), source.fileOffset() + first * BLOCK, owner, destination, count * BLOCK);
                mappings.add(new Mapping(owner, destination, source.device() + first * BLOCK, count * BLOCK, false));
            }
            batch.commit();

            final Regions regions = new Regions(List.of(Region.of("pmem1", PHYS_BASE, DATA_OFFSET + DEVICE_SIZE, 0,
                DATA_OFFSET, 0)));
            final FailureService service = new FailureService(regions, Map.of(1, index), 1);
            final FailureReport report = new FailureReport();
            for (int i = 0; i < 400; i++)
            {
                // up to 64 KiB: granules above the page take every page of them (nfit_handle_mce)
                final int lsb = random.nextInt(17);
                final long phys = PHYS_BASE + DATA_OFFSET + random.nextLong(DEVICE_SIZE);
                final FailureEvent event = FailureEvent.physical(phys, lsb);
                final List<String> answers = new ArrayList<>();
                if (lsb <= FailureEvent.PAGE_SHIFT)
                {
                    answers.add(FailureServiceTest.describe(service.reportPage(event, report), false));
                }
                else
                {
                    // the data area is whole granules: one report
                    service.report(event, report, answered -> answers.add(FailureServiceTest.describe(answered, false)));
                }
                final long start = event.address() - PHYS_BASE - DATA_OFFSET;
                assertEquals(List.of(oracle(mappings, start, event.length())), answers,
                    "seed=" + seed + " phys=0x" + Long.toHexString(phys) + " lsb=" + lsb);
            }
        }
    }

    private static String oracle(final List<Mapping> mappings, final long start, final long length)
    {
        final long pageStart = start & -(long)BLOCK;
        final long pageEnd = (start + length + BLOCK - 1) & -(long)BLOCK;
        final TreeMap<Long, TreeSet<Long>> pages = new TreeMap<>();
        final TreeMap<Long, TreeMap<Long, Long>> fatal = new TreeMap<>(Long::compareUnsigned);
        final List<long[]> repair = new ArrayList<>();
        for (final Mapping mapping : mappings)
        {
            final long from = Math.max(pageStart, mapping.device());
            final long to = Math.min(pageEnd, mapping.device() + mapping.length());
            if (from < to)
            {
                if (Owner.isFileData(mapping.owner()))
                {
                    final long file = mapping.fileOffset() + from - mapping.device();
                    for (long page = file / BLOCK; page <= (file + to - from - 1) / BLOCK; page++)
                    {
                        pages.computeIfAbsent(Owner.inode(mapping.owner()), k -> new TreeSet<>()).add(page);
                    }
                }
                else
                {
                    fatal.computeIfAbsent(mapping.owner(), k -> new TreeMap<>()).put(from, to);
                }
            }
            final long byteFrom = Math.max(start, mapping.device());
            final long byteTo = Math.min(start + length, mapping.device() + mapping.length());
            if (byteFrom < byteTo)
            {
                final RepairKind kind = !Owner.isFileData(mapping.owner()) ?
                    mapping.owner() == Owner.XFS_COW ? RepairKind.COW : RepairKind.METADATA :
                    mapping.unwritten() ? RepairKind.UNWRITTEN : RepairKind.DATA;
                repair.add(new long[]{byteFrom, byteTo - byteFrom, kind.ordinal(), mapping.owner(),
                    Owner.isFileData(mapping.owner()) ? mapping.fileOffset() + byteFrom - mapping.device() : -1});
            }
        }
        for (long at = start; at < start + length; at++)
        {
            final long byteAt = at;
            if (repair.stream().noneMatch(r -> r[0] <= byteAt && byteAt < r[0] + r[1]))
            {
                long end = at + 1;
                while (end < start + length && isFree(repair, end))
                {
                    end++;
                }
                repair.add(new long[]{at, end - at, RepairKind.FREE.ordinal(), Owner.FREE, -1});
                at = end - 1;
            }
        }
        mergeContiguous(repair);
        repair.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : a[2] != b[2] ? Long.compare(a[2], b[2]) :
            Long.compareUnsigned(a[3], b[3]));
        final StringBuilder out = new StringBuilder("mapped 0x" + Long.toHexString(PHYS_BASE + DATA_OFFSET + start) +
            " device " + start + " +" + length);
        pages.forEach((inode, set) ->
        {
            long runStart = -1;
            long previous = -2;
            for (final long page : set)
            {
                if (page != previous + 1)
                {
                    appendRun(out, inode, runStart, previous);
                    runStart = page;
                }
                previous = page;
            }
            appendRun(out, inode, runStart, previous);
        });
        fatal.forEach((owner, ranges) ->
        {
            long from = -1;
            long to = -1;
            for (final Map.Entry<Long, Long> range : ranges.entrySet())
            {
                if (range.getKey() > to)
                {
                    appendFatal(out, owner, from, to);
                    from = range.getKey();
                }
                to = Math.max(to, range.getValue());
            }
            appendFatal(out, owner, from, to);
        });
        for (final long[] r : repair)
        {
            out.append("\nrepair ").append(r[0]).append(" +").append(r[1]).append(' ')
                .append(RepairKind.values()[(int)r[2]]).append(' ').append(Owner.toString(r[3])).append(" file ")
                .append(r[4]);
        }
        return out.toString();
    }

    private static void appendFatal(final StringBuilder out, final long owner, final long from, final long to)
    {
        if (from >= 0)
        {
            out.append("\nfatal ").append(Owner.toString(owner)).append(' ').append(from).append(" +").append(to - from);
        }
    }

    /**
     * Join rows that continue each other (same owner and kind, the next starting where one ends, file offsets
     * continuing): the index reports maximal records.
     */
    private static void mergeContiguous(final List<long[]> repair)
    {
        boolean merged = true;
        while (merged)
        {
            merged = false;
            for (int i = 0; i < repair.size() && !merged; i++)
            {
                for (int j = 0; j < repair.size() && !merged; j++)
                {
                    final long[] a = repair.get(i);
                    final long[] b = repair.get(j);
                    if (i != j && a[3] == b[3] && a[2] == b[2] && a[0] + a[1] == b[0] &&
                        (a[4] < 0 ? b[4] < 0 : a[4] + a[1] == b[4]))
                    {
                        a[1] += b[1];
                        repair.remove(j);
                        merged = true;
                    }
                }
            }
        }
    }

    private static boolean isFree(final List<long[]> repair, final long at)
    {
        return repair.stream().noneMatch(r -> r[0] <= at && at < r[0] + r[1]);
    }

    private static void appendRun(final StringBuilder out, final long inode, final long first, final long last)
    {
        if (first >= 0)
        {
            out.append("\nkill ").append(inode).append(" pgoff ").append(first).append(" pgcnt ")
                .append(last - first + 1).append(" flags *");
        }
    }
}
