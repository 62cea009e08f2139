package io.daxrmap.index;

import htsjdk.samtools.util.IntervalTree;
import io.daxrmap.model.Owner;
import io.daxrmap.testdata.Dataset;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The same page and 64-byte byte queries as {@link QueryBenchmark}, on the same datasets and probes, answered by
 * two straightforward on-heap indexes of the same records: a {@link TreeMap} keyed by record start (a query looks
 * back by the longest record) and htsjdk's {@link IntervalTree} (int coordinates, so keyed by block; records of one
 * interval share a node). Both report what the engine reports: each data owner's pgoff, or the clipped records.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class BaselineBenchmark extends ForkedBenchmark
{
    private static final int PAGE = 4096;
    private static final int BLOCK_SHIFT = 12;

    /** Which dataset ({@link BenchData}); the baselines' records do not fit the heap at 10^8. */
    @Param({"unshared-1e6", "unshared-1e7", "clones100-1e6", "clones1000-1e7", "capture-1e6"})
    public String dataset;

    /** Which baseline. */
    @Param({"treemap", "htsjdk"})
    public String baseline;

    private final TreeMap<Long, long[][]> byStart = new TreeMap<>();
    private final IntervalTree<long[][]> tree = new IntervalTree<>();
    private long longest;
    private long[] probes;
    private int mask;
    private int next;
    private long accumulator;

    /**
     * Generate the dataset and copy its records into the baseline.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        final Dataset data = BenchData.load(dataset);
        final Map<Long, List<long[]>> records = new TreeMap<>();
        data.index().newReader().scan(0, Long.MAX_VALUE, (deviceOffset, length, owner, fileOffset, flags) ->
        {
            if (owner != Owner.FREE)
            {
                records.computeIfAbsent(deviceOffset << 20 | Math.min(length >>> BLOCK_SHIFT, (1 << 20) - 1),
                    k -> new ArrayList<>()).add(new long[]{deviceOffset, length, owner, fileOffset});
            }
            return true;
        });
        for (final List<long[]> group : records.values())
        {
            final long[][] array = group.toArray(new long[0][]);
            final long start = array[0][0];
            final long length = array[0][1];
            if ("treemap".equals(baseline))
            {
                longest = Math.max(longest, length);
                final long[][] atStart = byStart.get(start);
                byStart.put(start, atStart == null ? array : concat(atStart, array));
            }
            else
            {
                final int first = (int)(start >>> BLOCK_SHIFT);
                final int last = (int)((start + length - 1) >>> BLOCK_SHIFT);
                final long[][] existing = tree.put(first, last, array);
                if (existing != null)
                {
                    tree.put(first, last, concat(existing, array));
                }
            }
        }
        probes = data.mappedOffsets();
        mask = probes.length - 1;
        System.out.println();
        System.out.println(data.name() + " baseline=" + baseline + ": records=" + data.records());
    }

    /**
     * The data owners of one page, with pgoffs; the probe depends on the previous answer (as
     * {@link QueryBenchmark#pageQuery}).
     *
     * @return the running accumulator.
     */
    @Benchmark
    public long pageQuery()
    {
        final long page = probes[(next + (int)(accumulator & 1)) & mask] & -PAGE;
        next++;
        visit(page, PAGE, true);
        return accumulator;
    }

    /**
     * The records overlapping 64 bytes, clipped; the probe depends on the previous answer.
     *
     * @return the running accumulator.
     */
    @Benchmark
    public long byteQuery64()
    {
        final long offset = probes[(next + (int)(accumulator & 1)) & mask];
        next++;
        visit(offset, 64, false);
        return accumulator;
    }

    private static long[][] concat(final long[][] a, final long[][] b)
    {
        final long[][] merged = new long[a.length + b.length][];
        System.arraycopy(a, 0, merged, 0, a.length);
        System.arraycopy(b, 0, merged, a.length, b.length);
        return merged;
    }

    private void visit(final long offset, final long length, final boolean page)
    {
        final long end = offset + length;
        if ("treemap".equals(baseline))
        {
            for (final long[][] group : byStart.subMap(offset - longest, false, end, false).values())
            {
                report(group, offset, end, page);
            }
        }
        else
        {
            final Iterator<IntervalTree.Node<long[][]>> nodes =
                tree.overlappers((int)(offset >>> BLOCK_SHIFT), (int)((end - 1) >>> BLOCK_SHIFT));
            while (nodes.hasNext())
            {
                report(nodes.next().getValue(), offset, end, page);
            }
        }
    }

    private void report(final long[][] group, final long offset, final long end, final boolean page)
    {
        for (final long[] record : group)
        {
            final long start = Math.max(offset, record[0]);
            final long stop = Math.min(end, record[0] + record[1]);
            if (start >= stop)
            {
                continue;
            }
            final long fileOffset = Owner.hasFileOffset(record[2]) ? record[3] + (start - record[0]) : 0;
            accumulator += page ? Owner.inode(record[2]) + (fileOffset >> 12) : record[2] + fileOffset;
        }
    }
}
