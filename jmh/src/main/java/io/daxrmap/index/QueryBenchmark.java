package io.daxrmap.index;

import io.daxrmap.model.Pagemap;
import io.daxrmap.testdata.Dataset;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Page queries and byte queries (64 B, 4 KiB, 2 MiB) of the engine.
 * <p>
 * The {@code SampleTime} benchmarks are dependent chains: each query's probe is chosen from the previous query's
 * answer, so queries do not overlap and a sample is the latency of one query (p50, p99 from JMH's histogram; each
 * sample also carries the ~20 ns of JMH's own timer). The {@code Stream} benchmarks ask independent queries one after
 * another (mean time per query when the core may overlap them), and {@code pageQueryBatch} asks them through the
 * batched API, which overlaps their cache misses on purpose. Datasets: {@link BenchData}. Compare with
 * {@link PointerChaseBenchmark} and {@link BaselineBenchmark} from the same run.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class QueryBenchmark extends ForkedBenchmark
{
    private static final long PHYS_BASE = 1L << 40;
    private static final int BATCH = 64;

    /** Which dataset ({@link BenchData}). */
    @Param({"unshared-1e6", "unshared-1e7", "unshared-1e8", "clones100-1e6", "clones1000-1e7", "capture-1e6"})
    public String dataset;

    private IndexReader reader;
    private Pagemap pagemap;
    private Pagemap hugePagemap;
    private long[] probes;
    private long[] pfns;
    private long deviceSize;
    private int mask;
    private int next;
    private final Sink sink = new Sink();

    /**
     * Generate and load the dataset.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        final Dataset data = BenchData.load(dataset);
        reader = data.index().newReader();
        probes = data.mappedOffsets();
        mask = probes.length - 1;
        deviceSize = data.index().geometry().size();
        pfns = new long[probes.length];
        for (int i = 0; i < probes.length; i++)
        {
            pfns[i] = (PHYS_BASE + probes[i]) >>> 12;
        }
        pagemap = new Pagemap(PHYS_BASE, data.index().geometry().size() + (1 << 21), 0, 4096);
        hugePagemap = new Pagemap(PHYS_BASE, data.index().geometry().size() + (1 << 21), 0, 1 << 21);
    }

    private long dependentProbe()
    {
        return probes[(next++ + (int)(sink.accumulator & 1)) & mask];
    }

    /**
     * One page query whose pfn depends on the previous answer.
     *
     * @return the running accumulator.
     */
    @Benchmark
    public long pageQuery()
    {
        reader.pageQuery((PHYS_BASE + dependentProbe()) >>> 12, pagemap, sink);
        return sink.accumulator;
    }

    /**
     * One 2 MiB page query (the kill path of a PMD mapping: every address space and pgoff on the 2 MiB page that holds
     * the probe) whose pfn depends on the previous answer.
     *
     * @return the running accumulator.
     */
    @Benchmark
    public long pageQuery2m()
    {
        reader.pageQuery((PHYS_BASE + dependentProbe()) >>> 21, hugePagemap, sink);
        return sink.accumulator;
    }

    /**
     * One 64-byte byte query whose offset depends on the previous answer.
     *
     * @return the running accumulator.
     */
    @Benchmark
    public long byteQuery64()
    {
        reader.byteQuery(dependentProbe(), 64, sink);
        return sink.accumulator;
    }

    /**
     * One 4 KiB byte query (page aligned) whose offset depends on the previous answer.
     *
     * @return the running accumulator.
     */
    @Benchmark
    public long byteQuery4k()
    {
        reader.byteQuery(dependentProbe() & -4096L, 4096, sink);
        return sink.accumulator;
    }

    /**
     * One 2 MiB byte query (2 MiB aligned, as a PMD mapping; cut at the device's end) whose offset depends on the
     * previous answer.
     *
     * @return the running accumulator.
     */
    @Benchmark
    public long byteQuery2m()
    {
        final long start = dependentProbe() & -(1L << 21);
        reader.byteQuery(start, Math.min(1L << 21, deviceSize - start), sink);
        return sink.accumulator;
    }

    /**
     * Page queries with independent probes: the mean cost when consecutive queries may overlap in the core.
     *
     * @return the running accumulator.
     */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    public long pageQueryStream()
    {
        reader.pageQuery((PHYS_BASE + probes[next++ & mask]) >>> 12, pagemap, sink);
        return sink.accumulator;
    }

    /**
     * {@value #BATCH} independent page queries through the batched API ({@link IndexReader#pageQueries}); the score
     * is per query.
     *
     * @return the running accumulator.
     */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OperationsPerInvocation(BATCH)
    public long pageQueryBatch()
    {
        final int from = next & mask & -BATCH;
        next += BATCH;
        reader.pageQueries(pfns, from, from + BATCH, pagemap, sink);
        return sink.accumulator;
    }
}
