package io.daxrmap.failure;

import io.daxrmap.format.DeviceNumber;
import io.daxrmap.index.ForkedBenchmark;
import io.daxrmap.model.Owner;
import io.daxrmap.store.FilesystemIndex;
import io.daxrmap.store.FilesystemIndexBuilder;
import io.daxrmap.store.IndexStore;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A 64-byte event to its report over an index loaded from its directory, as the failure daemon answers: looking at the
 * index first ({@link FailureService#report}: what its writer committed, an import put in its place) against
 * answering from the last look ({@link FailureService#reportFromLastLook}, the events of a burst after its first).
 * The device holds 4,096 private 4-page files; events go round their first pages.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class LoadedFailureBenchmark extends ForkedBenchmark
{
    private static final int BLOCK = 4096;
    private static final int FILES = 4096;
    private static final int DEVICE = DeviceNumber.encode(259, 0);
    private static final long PHYS_BASE = 1L << 40;

    private Path directory;
    private FilesystemIndex index;
    private FailureService service;
    private final FailureReport report = new FailureReport();
    private final FailureEvent[] events = new FailureEvent[FILES];
    private int next;
    private long rows;
    private final FailureService.ReportHandler handler = answer -> rows += answer.killCount() + answer.repairCount();

    /**
     * Write the index to a temporary directory and load it.
     *
     * @throws IOException if the directory cannot be written.
     */
    @Setup(Level.Trial)
    public void setUp() throws IOException
    {
        directory = Files.createTempDirectory("daxrmap-loaded-failure");
        final FilesystemIndexBuilder builder = new FilesystemIndexBuilder(BLOCK);
        for (int file = 0; file < FILES; file++)
        {
            builder.onRecord(259, 0, file * 5L * BLOCK, 4L * BLOCK, Owner.data(100_000 + file), 0, 0);
            builder.target().path(100_000 + file, "f" + file);
        }
        final long size = FILES * 5L * BLOCK;
        builder.device(DEVICE, size);
        builder.dataDevice(DEVICE);
        IndexStore.create(builder, directory.resolve("index")).close();
        index = IndexStore.load(directory.resolve("index"));
        service = FailureService.of(index, new Regions(List.of(Region.of("pmem0", PHYS_BASE, size, 0, 0, 0))));
        for (int file = 0; file < FILES; file++)
        {
            events[file] = FailureEvent.physical(PHYS_BASE + file * 5L * BLOCK + 64L * (file % 64), 6);
        }
        service.report(events[0], report, handler);
        if (rows != 2)
        {
            throw new IllegalStateException("setup: rows=" + rows);
        }
    }

    /**
     * Close and delete the index.
     *
     * @throws IOException if it cannot be deleted.
     */
    @TearDown(Level.Trial)
    public void tearDown() throws IOException
    {
        index.close();
        try (Stream<Path> files = Files.walk(directory))
        {
            for (final Path file : (Iterable<Path>)files.sorted(Comparator.reverseOrder())::iterator)
            {
                Files.delete(file);
            }
        }
    }

    /**
     * Look at the index, then answer.
     *
     * @return the rows produced so far.
     */
    @Benchmark
    public long lookEach()
    {
        service.report(events[next++ & (FILES - 1)], report, handler);
        return rows;
    }

    /**
     * Answer from the last look.
     *
     * @return the rows produced so far.
     */
    @Benchmark
    public long lastLook()
    {
        service.reportFromLastLook(events[next++ & (FILES - 1)], report, handler);
        return rows;
    }
}
