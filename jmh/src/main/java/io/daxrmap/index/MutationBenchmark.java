package io.daxrmap.index;

import io.daxrmap.model.Owner;
import io.daxrmap.testdata.Dataset;
import io.daxrmap.testdata.Datasets;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
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
 * Mutations per second on the 10^6-record unshared device, in batches of {@code batch} operations, in steady state:
 * {@code unmapMap} punches a random record out of its file and maps it back (two mutations); {@code reflinkTruncate}
 * clones a random record into a scratch file and truncates the scratch file again (two mutations).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {
    BenchmarkJvm.NO_ANALYTICS, BenchmarkJvm.EXPORT_MISC, BenchmarkJvm.EXPORT_REF, BenchmarkJvm.EXPORT_NIO,
    BenchmarkJvm.EXPORT_UNSAFE, BenchmarkJvm.EXPORT_JAVAC, BenchmarkJvm.OPEN_JAVAC, BenchmarkJvm.OPEN_LANG,
    BenchmarkJvm.OPEN_REFLECT, BenchmarkJvm.OPEN_IO, BenchmarkJvm.OPEN_UTIL, BenchmarkJvm.OPEN_NIO, BenchmarkJvm.HEAP,
    BenchmarkJvm.NO_BOUNDS_CHECKS})
public class MutationBenchmark
{
    private static final int CYCLES = 512;
    private static final long SCRATCH = Owner.data(Owner.MAX_INODE);

    /** Operations per batch (a cycle is two). */
    @Param({"2", "1024"})
    public int batch;

    private ReverseIndex index;
    private final long[] owner = new long[CYCLES];
    private final long[] file = new long[CYCLES];
    private final long[] device = new long[CYCLES];
    private final long[] length = new long[CYCLES];
    private int next;

    /**
     * Load the dataset and pick the records to cycle.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        final Dataset data = Datasets.unshared(1_000_000, 1);
        index = data.index();
        final IndexReader reader = index.newReader();
        final long[] probes = data.mappedOffsets();
        for (int i = 0; i < CYCLES; i++)
        {
            final int at = i;
            reader.scan(probes[i], probes[i], (deviceOffset, recordLength, recordOwner, fileOffset, flags) ->
            {
                if (Owner.isFileData(recordOwner))
                {
                    owner[at] = recordOwner;
                    file[at] = fileOffset;
                    device[at] = deviceOffset;
                    length[at] = recordLength;
                    return false;
                }
                return true;
            });
        }
    }

    /**
     * Punch a record out and map it back.
     */
    @Benchmark
    @OperationsPerInvocation(1024)
    public void unmapMap()
    {
        for (int done = 0; done < 1024; )
        {
            final Batch b = index.newBatch();
            for (int i = 0; i < batch && done < 1024; i += 2, done += 2)
            {
                final int r = next++ & (CYCLES - 1);
                b.unmap(owner[r], file[r], length[r]);
                b.map(owner[r], file[r], device[r], length[r], 0);
            }
            b.commit();
        }
    }

    /**
     * Clone a record into a scratch file and truncate the scratch file.
     */
    @Benchmark
    @OperationsPerInvocation(1024)
    public void reflinkTruncate()
    {
        for (int done = 0; done < 1024; )
        {
            final Batch b = index.newBatch();
            for (int i = 0; i < batch && done < 1024; i += 2, done += 2)
            {
                final int r = next++ & (CYCLES - 1);
                b.reflink(owner[r], file[r], SCRATCH, 0, length[r]);
                b.truncate(SCRATCH, 0);
            }
            b.commit();
        }
    }
}
