package io.daxrmap.index;

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
 * Ordered scan with GETFSMAP semantics, as a dump or a pager through a huge answer does: {@value #RECORDS} records
 * (free space included) from a random device offset; the score is the time per record delivered.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ScanBenchmark extends ForkedBenchmark
{
    static final int RECORDS = 1024;

    /** Which dataset ({@link BenchData}). */
    @Param({"unshared-1e6", "clones100-1e6"})
    public String dataset;

    private IndexReader reader;
    private long[] probes;
    private int mask;
    private int next;
    private int seen;
    private long accumulator;
    private final RecordVisitor visitor = (deviceOffset, length, owner, fileOffset, flags) ->
    {
        accumulator += deviceOffset + owner + fileOffset;
        return ++seen < RECORDS;
    };

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
    }

    /**
     * Scan {@value #RECORDS} records from a random offset.
     *
     * @return the running accumulator.
     */
    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public long scan()
    {
        seen = 0;
        reader.scan(probes[next++ & mask], Long.MAX_VALUE, visitor);
        return accumulator;
    }
}
