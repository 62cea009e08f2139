package io.daxrmap.index;

import io.daxrmap.failure.FailureEvent;
import io.daxrmap.failure.FailureReport;
import io.daxrmap.failure.FailureService;
import io.daxrmap.failure.Region;
import io.daxrmap.failure.Regions;
import io.daxrmap.failure.RepairKind;
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

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Classification of a poisoned byte range for repair (DESIGN.md section 3): the range cut into ordered segments of
 * free space, file data (which file bytes, for each sharer), unwritten and copy-on-write extents and metadata (which
 * structure), as {@link FailureService#reportPage} makes them along with the kill list. The ranges fall anywhere on
 * the device, drawn uniformly over its bytes, so that they meet each kind as often as the device holds it: on
 * {@code capture-1e6}, a real XFS's layout replayed, that is its free space, its per-AG headers and btree blocks, the
 * log, inodes, bmbt blocks, attr forks and shared, unwritten and private file data. A 64-byte range is one cache line
 * (an MCE with LSB 6), a 4 KiB one a page. {@code byteQueryOnly} is the bare byte query of the same ranges, the
 * records the segments are made from, for the ratio.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ClassificationBenchmark extends ForkedBenchmark
{
    private static final long PHYS_BASE = 1L << 40;
    private static final int EVENTS = 1 << 16;

    /** Which dataset ({@link BenchData}). */
    @Param({"capture-1e6"})
    public String dataset;

    /** log2 of the range's bytes: 6 (a cache line) or 12 (a page). */
    @Param({"6", "12"})
    public int lsb;

    private FailureService service;
    private IndexReader reader;
    private final FailureReport report = new FailureReport();
    private FailureEvent[] events;
    private long[] offsets;
    private int next;
    private long accumulator;
    private final RecordVisitor counter = (deviceOffset, length, owner, fileOffset, flags) -> ++accumulator > 0;

    /**
     * Load the dataset; draw the ranges; print how the segments of all of them divide among the kinds.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        final Dataset data = BenchData.load(dataset);
        final ReverseIndex index = data.index();
        final int device = index.geometry().device();
        final long size = index.geometry().size();
        final Region region = Region.of("pmem0", PHYS_BASE, size, 0, 0, 0);
        service = new FailureService(new Regions(List.of(region)), Map.of(device, index), device);
        reader = index.newReader();
        final SplittableRandom random = new SplittableRandom(7);
        events = new FailureEvent[EVENTS];
        offsets = new long[EVENTS];
        final long[] bytes = new long[RepairKind.values().length];
        long segments = 0;
        for (int i = 0; i < EVENTS; i++)
        {
            offsets[i] = random.nextLong(size) & -(1L << lsb);
            events[i] = FailureEvent.physical(region.phys(offsets[i]), lsb);
            service.reportPage(events[i], report);
            for (int row = 0; row < report.repairCount(); row++)
            {
                bytes[report.repairKind(row).ordinal()] += report.repairLength(row);
            }
            segments += report.repairCount();
        }
        final StringBuilder mix = new StringBuilder();
        for (final RepairKind kind : RepairKind.values())
        {
            mix.append(' ').append(kind.name().toLowerCase()).append('=')
                .append(String.format("%.1f%%", 100.0 * bytes[kind.ordinal()] / ((long)EVENTS << lsb)));
        }
        System.out.println();
        // report.py reads this line back for the report's row
        System.out.printf("classification %s lsb=%d: %d ranges, %.2f segments a range; their bytes by kind (shared " +
            "bytes once a sharer), against the ranges' bytes:%s%n", dataset, lsb, EVENTS, segments / (double)EVENTS,
            mix);
    }

    /**
     * One range to its report: repair segments and kill list.
     *
     * @return the rows produced.
     */
    @Benchmark
    public long classify()
    {
        service.reportPage(events[next++ & (EVENTS - 1)], report);
        return report.repairCount() + report.killCount() + report.fatalCount();
    }

    /**
     * The bare byte query of the same range.
     *
     * @return the running accumulator.
     */
    @Benchmark
    public long byteQueryOnly()
    {
        reader.byteQuery(offsets[next++ & (EVENTS - 1)], 1L << lsb, counter);
        return accumulator;
    }
}
