package io.daxrmap.index;

import io.daxrmap.model.Pagemap;
import io.daxrmap.testdata.Dataset;
import io.daxrmap.testdata.Datasets;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Page queries and 64-byte byte queries as a dependent chain: each query's probe is chosen from the previous
 * query's answer, so queries do not overlap and the time per operation is the latency of one query.
 * <p>
 * Datasets ({@link Datasets}): {@code unshared}, 10^6 private records on a fragmented device; {@code clones100},
 * a golden file of 9,900 extents with 100 full clones and 10 CoW divergences per clone (about 10^6 records as
 * XFS would count them). Compare with {@link PointerChaseBenchmark} from the same run.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {
    BenchmarkJvm.NO_ANALYTICS, BenchmarkJvm.EXPORT_MISC, BenchmarkJvm.EXPORT_REF, BenchmarkJvm.EXPORT_NIO,
    BenchmarkJvm.EXPORT_UNSAFE, BenchmarkJvm.EXPORT_JAVAC, BenchmarkJvm.OPEN_JAVAC, BenchmarkJvm.OPEN_LANG,
    BenchmarkJvm.OPEN_REFLECT, BenchmarkJvm.OPEN_IO, BenchmarkJvm.OPEN_UTIL, BenchmarkJvm.OPEN_NIO, BenchmarkJvm.HEAP, BenchmarkJvm.NO_BOUNDS_CHECKS})
public class QueryBenchmark
{
    private static final long PHYS_BASE = 1L << 40;

    /** Which dataset. */
    @Param({"unshared", "clones100"})
    public String dataset;

    private IndexReader reader;
    private Pagemap pagemap;
    private long[] probes;
    private int mask;
    private int next;
    private long accumulator;
    private final PageVisitor pageVisitor = new PageVisitor()
    {
        @Override
        public void onAddressSpace(final long inode, final long pgoff, final long pgcnt, final int flags)
        {
            accumulator += inode + pgoff;
        }

        @Override
        public void onOtherOwner(
            final long owner, final long deviceOffset, final long length, final long fileOffset, final int flags)
        {
            accumulator += owner;
        }
    };
    private final RecordVisitor recordVisitor = (deviceOffset, length, owner, fileOffset, flags) ->
    {
        accumulator += owner + fileOffset;
        return true;
    };

    /**
     * Generate and load the dataset.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        final Dataset data = "unshared".equals(dataset) ?
            Datasets.unshared(1_000_000, 1) : Datasets.cloned(9_900, 100, 10, 1);
        reader = data.index().newReader();
        probes = data.mappedOffsets();
        mask = probes.length - 1;
        pagemap = new Pagemap(PHYS_BASE, data.index().geometry().size() + (1 << 21), 0, 4096);
        System.out.println();
        System.out.println(data.name() + ": records=" + data.records() + " offHeapBytes=" +
            data.index().liveOffHeapBytes());
    }

    /**
     * One page query whose pfn depends on the previous answer.
     *
     * @return the running accumulator.
     */
    @Benchmark
    public long pageQuery()
    {
        final long deviceOffset = probes[(next + (int)(accumulator & 1)) & mask];
        next++;
        reader.pageQuery((PHYS_BASE + deviceOffset) >>> 12, pagemap, pageVisitor);
        return accumulator;
    }

    /**
     * One 64-byte byte query whose offset depends on the previous answer.
     *
     * @return the running accumulator.
     */
    @Benchmark
    public long byteQuery64()
    {
        final long deviceOffset = probes[(next + (int)(accumulator & 1)) & mask];
        next++;
        reader.byteQuery(deviceOffset, 64, recordVisitor);
        return accumulator;
    }
}
