package io.daxrmap.failure;

import io.daxrmap.index.Batch;
import io.daxrmap.index.ForkedBenchmark;
import io.daxrmap.index.IndexConfig;
import io.daxrmap.index.IndexReader;
import io.daxrmap.index.PageVisitor;
import io.daxrmap.index.RecordVisitor;
import io.daxrmap.index.ReverseIndex;
import io.daxrmap.model.DeviceGeometry;
import io.daxrmap.model.Owner;
import io.daxrmap.model.Pagemap;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Event -> report on the page path for a page shared by 1, 100 and 10,000 files: a whole-page event (the kernel's
 * pfn view) and a 64-byte one (an MCE with LSB 6), against the bare page and byte queries on the same page from the same run,
 * so that the report's own cost (locating, sorting and merging the kill list, the repair byte query) shows as a
 * ratio.
 * <p>
 * The device holds a 16-page golden file (with {@code sharers - 1} full clones) among 4,096 private 4-page files;
 * events alternate between the golden file's pages.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class FailureBenchmark extends ForkedBenchmark
{
    private static final int BLOCK = 4096;
    private static final int DEVICE = 0x10300;
    private static final long DEVICE_SIZE = 256L << 20;
    private static final long PHYS_BASE = 1L << 40;
    private static final long DATA_OFFSET = 2L << 20;
    private static final long GOLDEN_DEVICE = 128L << 20;
    private static final int GOLDEN_PAGES = 16;

    /** Files sharing the poisoned page. */
    @Param({"1", "100", "10000"})
    public int sharers;

    private ReverseIndex index;
    private FailureService service;
    private IndexReader reader;
    private Pagemap pagemap;
    private final FailureReport report = new FailureReport();
    private FailureEvent[] pageEvents;
    private FailureEvent[] cachelineEvents;
    private long[] pfns;
    private int next;
    private long accumulator;
    private final PageVisitor pageVisitor = new RowCounter();

    private final RecordVisitor recordVisitor = (deviceOffset, length, owner, fileOffset, flags) -> ++accumulator > 0;

    /**
     * Build the index: private files, a golden file and its clones.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        index = ReverseIndex.create(new IndexConfig(new DeviceGeometry(DEVICE, DEVICE_SIZE, BLOCK),
            4096 + (long)sharers * GOLDEN_PAGES));
        final Batch batch = index.newBatch();
        for (int file = 0; file < 4096; file++)
        {
            batch.map(Owner.data(100_000 + file), 0, file * 5L * BLOCK, 4L * BLOCK, 0);
        }
        batch.map(Owner.data(1000), 0, GOLDEN_DEVICE, (long)GOLDEN_PAGES * BLOCK, 0);
        for (int clone = 1; clone < sharers; clone++)
        {
            batch.reflink(Owner.data(1000), 0, Owner.data(1000 + clone * 7L), 0, (long)GOLDEN_PAGES * BLOCK);
        }
        batch.commit();
        final Region region = Region.of("pmem0", PHYS_BASE, DATA_OFFSET + DEVICE_SIZE, 0, DATA_OFFSET, 0);
        service = new FailureService(new Regions(List.of(region)), Map.of(DEVICE, index), DEVICE);
        reader = index.newReader();
        pagemap = region.pagemap();
        pageEvents = new FailureEvent[GOLDEN_PAGES];
        cachelineEvents = new FailureEvent[GOLDEN_PAGES];
        pfns = new long[GOLDEN_PAGES];
        for (int page = 0; page < GOLDEN_PAGES; page++)
        {
            final long phys = region.phys(GOLDEN_DEVICE + (long)page * BLOCK);
            pageEvents[page] = FailureEvent.pfn(phys >>> 12, "{}");
            cachelineEvents[page] = FailureEvent.physical(phys + 64L * (page + 1), 6);
            pfns[page] = phys >>> 12;
        }
        service.reportPage(pageEvents[0], report);
        if (report.killCount() != sharers || report.repairCount() != sharers)
        {
            throw new IllegalStateException("setup: kill=" + report.killCount() + " repair=" + report.repairCount() +
                " sharers=" + sharers);
        }
    }

    /**
     * Close the index.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        index.close();
    }

    /**
     * A whole-page event to its report: kill list, fatal list, repair segments.
     *
     * @return the rows produced.
     */
    @Benchmark
    public long pageEvent()
    {
        service.reportPage(pageEvents[next++ & (GOLDEN_PAGES - 1)], report);
        return report.killCount() + report.repairCount();
    }

    /**
     * A 64-byte event to its report.
     *
     * @return the rows produced.
     */
    @Benchmark
    public long cachelineEvent()
    {
        service.reportPage(cachelineEvents[next++ & (GOLDEN_PAGES - 1)], report);
        return report.killCount() + report.repairCount();
    }

    /**
     * The bare byte query of a whole page, what the repair segments are made from, for the ratio.
     *
     * @return the running accumulator.
     */
    @Benchmark
    public long byteQueryOnly()
    {
        reader.byteQuery(GOLDEN_DEVICE + (long)(next++ & (GOLDEN_PAGES - 1)) * BLOCK, BLOCK, recordVisitor);
        return accumulator;
    }

    /**
     * The bare page query on the same pages, for the ratio.
     *
     * @return the running accumulator.
     */
    @Benchmark
    public long pageQueryOnly()
    {
        reader.pageQuery(pfns[next++ & (GOLDEN_PAGES - 1)], pagemap, pageVisitor);
        return accumulator;
    }

    /**
     * Counts what a bare page query delivers, as a report would hold it.
     */
    private final class RowCounter implements PageVisitor
    {
        @Override
        public void onAddressSpace(final long inode, final long pgoff, final long pgcnt, final int flags)
        {
            accumulator++;
        }

        @Override
        public void onOtherOwner(
            final long owner, final long deviceOffset, final long length, final long fileOffset, final int flags)
        {
            accumulator++;
        }
    }
}
