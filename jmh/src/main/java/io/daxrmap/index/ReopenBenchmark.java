package io.daxrmap.index;

import io.daxrmap.testdata.Dataset;
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

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Reopen of a persistent index: from {@link ReverseIndex#open} to the answer of the first 64-byte byte query, with
 * the files in the page cache. The index is bulk-loaded ({@link BulkLoad}): its log holds one record naming every
 * block, which reopen replays. Blocks are checksum-verified before their first read and in a background thread
 * ({@link BlockVerifier}), so the first answer waits for the replay and the one stripe it reads, not for all of them.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(java.util.concurrent.TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 8)
public class ReopenBenchmark extends ForkedBenchmark
{
    /** Mapping records in the index. */
    @Param({"10000000", "100000000"})
    public int records;

    private Path directory;
    private long probe;
    private long accumulator;

    /**
     * Build the index once.
     *
     * @throws IOException if it cannot be written.
     */
    @Setup(Level.Trial)
    public void setUp() throws IOException
    {
        directory = Files.createTempDirectory("daxrmap-reopen-").resolve("index");
        final Dataset data = Datasets.unshared(records, 1, directory);
        probe = data.mappedOffsets()[0];
        data.index().close();
        long bytes = 0;
        try (Stream<Path> files = Files.list(directory))
        {
            for (final Path file : (Iterable<Path>)files::iterator)
            {
                bytes += Files.size(file);
            }
        }
        System.out.println();
        System.out.println(data.name() + ": records=" + data.records() + " file bytes=" + bytes);
    }

    /**
     * Open, answer one query, close.
     *
     * @return what the query found.
     * @throws IOException if the index cannot be opened.
     */
    @Benchmark
    public long reopenAndFirstQuery() throws IOException
    {
        try (ReverseIndex index = ReverseIndex.open(directory))
        {
            index.newReader().byteQuery(probe, 64, (deviceOffset, length, owner, fileOffset, flags) ->
            {
                accumulator += owner;
                return true;
            });
        }
        return accumulator;
    }

    /**
     * Delete the index.
     *
     * @throws IOException if it cannot be deleted.
     */
    @TearDown(Level.Trial)
    public void tearDown() throws IOException
    {
        try (Stream<Path> paths = Files.walk(directory.getParent()))
        {
            for (final Path path : (Iterable<Path>)paths.sorted(Comparator.reverseOrder())::iterator)
            {
                Files.deleteIfExists(path);
            }
        }
    }
}
