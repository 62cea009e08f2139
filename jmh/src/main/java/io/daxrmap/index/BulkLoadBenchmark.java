package io.daxrmap.index;

import io.daxrmap.testdata.Datasets;
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

import java.util.concurrent.TimeUnit;

/**
 * Loading a whole device into an empty in-memory index, one thread: {@code bulk} through {@link BulkLoad}, and the
 * baseline {@link Batches}, the same records as {@link Batch#insert}s committed every 8,192. Records per second =
 * records / score. {@code unshared} records come in device order; {@code clones} in owner order, so the bulk
 * loader sorts them.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 6)
@Measurement(iterations = 5)
public class BulkLoadBenchmark extends ForkedBenchmark
{
    private static final int OPS_PER_BATCH = 8192;

    /** Records and their layout. */
    @Param({"unshared-1e6", "unshared-1e7", "clones100-1e6"})
    public String dataset;

    private Datasets.Records records;
    private ReverseIndex loaded;

    /**
     * Generate the records once.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        records = generate(dataset);
    }

    /**
     * Free the last load's index, off-heap memory included, outside the measured time.
     */
    @TearDown(Level.Iteration)
    public void closeIndex()
    {
        if (loaded != null)
        {
            loaded.close();
            loaded = null;
        }
    }

    static Datasets.Records generate(final String dataset)
    {
        final Datasets.Records records = switch (dataset)
        {
            case "unshared-1e6" -> Datasets.unsharedRecords(1_000_000, 1);
            case "unshared-1e7" -> Datasets.unsharedRecords(10_000_000, 1);
            case "clones100-1e6" -> Datasets.clonedRecords(9_900, 100, 10, 1);
            default -> throw new IllegalArgumentException("unknown dataset: " + dataset);
        };
        System.out.println();
        System.out.println("dataset " + dataset + ": records=" + records.count());
        return records;
    }

    /**
     * Bulk-load every record into a fresh index. The JIT needs about five loads of 10^6 records to compile the
     * loader, hence six warm-up loads; the first, in a fresh JVM, is reported beside the warm figure.
     *
     * @return the index version.
     */
    @Benchmark
    public long bulk()
    {
        loaded = ReverseIndex.create(records.config());
        records.load(loaded);
        return loaded.version();
    }

    /**
     * The baseline: the same records as batches of inserts, on the smaller datasets only (~0.3 M records/s).
     */
    @State(Scope.Benchmark)
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 2)
    @Measurement(iterations = 5)
    public static class Batches extends ForkedBenchmark
    {
        /** Records and their layout. */
        @Param({"unshared-1e6", "clones100-1e6"})
        public String dataset;

        private Datasets.Records records;
        private ReverseIndex loaded;

        /**
         * Generate the records once.
         */
        @Setup(Level.Trial)
        public void setUp()
        {
            records = generate(dataset);
        }

        /**
         * Insert every record into a fresh index, committing every 8,192.
         *
         * @return the index version.
         */
        @Benchmark
        public long batches()
        {
            final ReverseIndex index = ReverseIndex.create(records.config());
            Batch batch = index.newBatch();
            for (int i = 0; i < records.count(); i++)
            {
                batch.insert(records.owner[i], records.fileOffset[i], records.deviceOffset[i], records.length[i], 0);
                if (batch.operations() == OPS_PER_BATCH)
                {
                    batch.commit();
                    batch = index.newBatch();
                }
            }
            batch.commit();
            loaded = index;
            return index.version();
        }

        /**
         * Free the last run's index outside the measured time.
         */
        @TearDown(Level.Iteration)
        public void closeIndex()
        {
            if (loaded != null)
            {
                loaded.close();
                loaded = null;
            }
        }
    }
}
