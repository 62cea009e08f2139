package io.daxrmap.index;

import io.daxrmap.model.Pagemap;
import io.daxrmap.testdata.Dataset;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Control;

import java.util.concurrent.TimeUnit;

/**
 * Readers while a writer runs (DESIGN.md section 7: readers' p99 no more than twice their idle p99). A reader thread
 * asks dependent page queries, taking the newest snapshot before each; in group {@code idle} it runs alone, in group
 * {@code writing} beside a writer thread that commits batches of {@value #CYCLES_PER_BATCH} unmap+map cycles (as
 * {@link MutationBenchmark}) as fast as it can. The machine has two cores: one each.
 * <p>
 * A query that follows a new commit reads lines the writer's core has just written (the published reference, the new
 * snapshot, the directory's new top array): each is handed over from that core, one after the other. What a hand-over
 * costs depends on where the host runs the two virtual cores, and moves within a run: 23-60 ns and 205-269 ns were
 * both seen (results/2026-11-27-s30.md). Group {@code handOver} measures it in the same run, in average time (a
 * sample's timer would add to it): two threads pass one line back and forth, and a round trip ({@code ping}'s time)
 * is two hand-overs.
 */
@State(Scope.Group)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ReadWhileWriteBenchmark extends ForkedBenchmark
{
    private static final long PHYS_BASE = 1L << 40;
    private static final int SLOTS = 512;
    private static final int CYCLES_PER_BATCH = 16;

    /**
     * Which dataset ({@link BenchData}): unshared-1e6's index (26 MB) fits this machine's 32 MiB L3, so an idle reader
     * answers much of its chain from there and a writer on the other core, whose copies and allocations stream through
     * the same L3, takes that away; unshared-1e7's (277 MB) does not, so both readers miss alike and the ratio is the
     * writer's own cost to them (results/2026-11-28-s34.md).
     */
    @Param({"unshared-1e6", "unshared-1e7"})
    public String dataset;

    private ReverseIndex index;
    private Pagemap pagemap;
    private long[] probes;
    private final long[] owner = new long[SLOTS];
    private final long[] file = new long[SLOTS];
    private final long[] device = new long[SLOTS];
    private final long[] length = new long[SLOTS];
    private int nextCycle;
    /** The line {@code ping} and {@code pong} hand each other: odd after a ping, even after a pong. */
    private volatile long turn;

    /**
     * Load the dataset and pick the records the writer cycles.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        final Dataset data = BenchData.load(dataset);
        index = data.index();
        probes = data.mappedOffsets();
        pagemap = new Pagemap(PHYS_BASE, index.geometry().size() + (1 << 21), 0, 4096);
        final IndexReader reader = index.newReader();
        for (int i = 0; i < SLOTS; i++)
        {
            final int at = i;
            reader.scan(probes[probes.length - 1 - i], probes[probes.length - 1 - i],
                (deviceOffset, recordLength, recordOwner, fileOffset, flags) ->
                {
                    owner[at] = recordOwner;
                    file[at] = fileOffset;
                    device[at] = deviceOffset;
                    length[at] = recordLength;
                    return false;
                });
        }
    }

    /**
     * A reader's own cursor and chain.
     */
    @State(Scope.Thread)
    public static class Reader
    {
        IndexReader reader;
        int next;
        final Sink sink = new Sink();

        /**
         * Make the reader.
         *
         * @param shared the group's index.
         */
        @Setup(Level.Trial)
        public void setUp(final ReadWhileWriteBenchmark shared)
        {
            reader = shared.index.newReader();
        }
    }

    private long query(final Reader r)
    {
        r.reader.refresh();
        final long probe = probes[(r.next++ + (int)(r.sink.accumulator & 1)) & (probes.length - 1)];
        r.reader.pageQuery((PHYS_BASE + probe) >>> 12, pagemap, r.sink);
        return r.sink.accumulator;
    }

    /**
     * A page query with no writer running.
     *
     * @param r the reader.
     * @return the running accumulator.
     */
    @Benchmark
    @Group("idle")
    @GroupThreads(1)
    public long idleReader(final Reader r)
    {
        return query(r);
    }

    /**
     * A page query while the writer commits.
     *
     * @param r the reader.
     * @return the running accumulator.
     */
    @Benchmark
    @Group("writing")
    @GroupThreads(1)
    public long reader(final Reader r)
    {
        return query(r);
    }

    /**
     * One batch of unmap+map cycles.
     *
     * @return the new version.
     */
    @Benchmark
    @Group("writing")
    @GroupThreads(1)
    public long writer()
    {
        final Batch batch = index.newBatch();
        for (int c = 0; c < CYCLES_PER_BATCH; c++)
        {
            final int r = nextCycle++ & (SLOTS - 1);
            batch.unmap(owner[r], file[r], length[r]).map(owner[r], file[r], device[r], length[r], 0);
        }
        return batch.commit();
    }

    /**
     * Hand the line to {@code pong} and wait until it comes back: a round trip, two hand-overs between the cores.
     *
     * @param control JMH's, to stop waiting when the iteration ends.
     * @return the turn reached.
     */
    @Benchmark
    @Group("handOver")
    @GroupThreads(1)
    @BenchmarkMode(Mode.AverageTime)
    public long ping(final Control control)
    {
        long at = turn;
        // an iteration that ended mid-trip left pong a line to hand back first
        while ((at & 1) != 0 && !control.stopMeasurement)
        {
            Thread.onSpinWait();
            at = turn;
        }
        if ((at & 1) != 0)
        {
            return at;
        }
        turn = at + 1;
        while (turn == at + 1 && !control.stopMeasurement)
        {
            Thread.onSpinWait();
        }
        return at;
    }

    /**
     * Wait for {@code ping}'s turn, and hand the line back.
     *
     * @param control JMH's, to stop waiting when the iteration ends.
     * @return the turn seen.
     */
    @Benchmark
    @Group("handOver")
    @GroupThreads(1)
    @BenchmarkMode(Mode.AverageTime)
    public long pong(final Control control)
    {
        long seen = turn;
        while ((seen & 1) == 0 && !control.stopMeasurement)
        {
            Thread.onSpinWait();
            seen = turn;
        }
        if ((seen & 1) != 0)
        {
            turn = seen + 1;
        }
        return seen;
    }
}
