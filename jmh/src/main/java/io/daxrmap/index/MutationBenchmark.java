package io.daxrmap.index;

import io.daxrmap.model.MappingFlags;
import io.daxrmap.model.Owner;
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

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Mutations per second on the 10^6-record unshared device, one writer, in steady state: each kind is a cycle of
 * operations that leaves the index as it found it, and the score counts operations (not cycles).
 * <ul>
 *     <li>{@code unmapMap}: punch a record out of its file, map it back (2 operations);</li>
 *     <li>{@code reflinkTruncate}: clone a record into a scratch file, truncate the scratch file (2);</li>
 *     <li>{@code cowRemap}: move a record's first block to a free block, and back (2);</li>
 *     <li>{@code dedupe}: map a scratch block, dedupe it against a record's first block, truncate (3);</li>
 *     <li>{@code convertUnwritten}: preallocate a scratch block, convert it to written, punch it (3);</li>
 *     <li>{@code allocFree}: allocate a free block to metadata (an inobt block), free it (2).</li>
 * </ul>
 * The records are the dataset's probes; the free blocks are drawn at random over the device, so that a batch writes
 * about one free-space stripe for each cycle that reaches free space, as scattered CoW and allocation do. (Until
 * session 27 they were the device's first 512 free blocks, 36 stripes that every cycle of a batch shared.) The cycles
 * still leave each forward map as they found it: a commit keeps its chunks and rewrites its root.
 * <p>
 * {@code cycles} cycles go into one atomic batch. Steady state takes a while: a fresh writer appends to memory the
 * process has never touched until the arenas its first compactions retire come back to the mapping pool, and runs at
 * half speed or less meanwhile; hence 8 warm-up seconds.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 8, time = 1)
@Measurement(iterations = 5, time = 1)
public class MutationBenchmark extends ForkedBenchmark
{
    private static final int OPERATIONS = 1026;
    private static final int SLOTS = 512;
    private static final long BLOCK = 4096;

    /** Which cycle of operations. */
    @Param({"unmapMap", "reflinkTruncate", "cowRemap", "dedupe", "convertUnwritten", "allocFree"})
    public String kind;

    /** Cycles per batch. */
    @Param({"1", "256"})
    public int cycles;

    private ReverseIndex index;
    private final long[] owner = new long[SLOTS];
    private final long[] file = new long[SLOTS];
    private final long[] device = new long[SLOTS];
    private final long[] length = new long[SLOTS];
    private final long[] free = new long[SLOTS];
    private int next;
    private int operationsPerCycle;

    /**
     * Load the dataset; pick the records and the free blocks the cycles use.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        final Dataset data = BenchData.load("unshared-1e6");
        index = data.index();
        final IndexReader reader = index.newReader();
        final long[] probes = data.mappedOffsets();
        for (int i = 0; i < SLOTS; i++)
        {
            final int at = i;
            reader.scan(probes[i], probes[i], (deviceOffset, recordLength, recordOwner, fileOffset, flags) ->
            {
                owner[at] = recordOwner;
                file[at] = fileOffset;
                device[at] = deviceOffset;
                length[at] = recordLength;
                return false;
            });
        }
        // free blocks drawn over the whole device, as CoW and allocation find them: each its own free-space stripe,
        // mostly, where the first free blocks of the device would share a few stripes among all the cycles of a batch
        final SplittableRandom random = new SplittableRandom(17);
        final long size = index.geometry().size();
        final Set<Long> taken = new HashSet<>();
        final long[] freeExtent = new long[2];
        int found = 0;
        while (found < SLOTS)
        {
            final long at = random.nextLong(size);
            freeExtent[1] = 0;
            reader.scan(at, at, (deviceOffset, recordLength, recordOwner, fileOffset, flags) ->
            {
                if (recordOwner == Owner.FREE)
                {
                    freeExtent[0] = deviceOffset;
                    freeExtent[1] = recordLength;
                }
                return false;
            });
            final long block = at & -BLOCK;
            if (freeExtent[1] != 0 && block >= freeExtent[0] && block + BLOCK <= freeExtent[0] + freeExtent[1] &&
                taken.add(block))
            {
                free[found++] = block;
            }
        }
        operationsPerCycle = switch (kind)
        {
            case "dedupe", "convertUnwritten" -> 3;
            default -> 2;
        };
    }

    /**
     * {@value #OPERATIONS} operations, in batches of {@code cycles} cycles.
     */
    @Benchmark
    @OperationsPerInvocation(OPERATIONS)
    public void mutate()
    {
        int done = 0;
        while (done < OPERATIONS)
        {
            final Batch batch = index.newBatch();
            for (int c = 0; c < cycles && done < OPERATIONS; c++, done += operationsPerCycle)
            {
                cycle(batch, next++ & (SLOTS - 1));
            }
            batch.commit();
        }
    }

    private void cycle(final Batch batch, final int r)
    {
        final long scratch = Owner.data(Owner.MAX_INODE - r);
        switch (kind)
        {
            case "unmapMap" -> batch.unmap(owner[r], file[r], length[r])
                .map(owner[r], file[r], device[r], length[r], 0);
            case "reflinkTruncate" -> batch.reflink(owner[r], file[r], scratch, 0, length[r]).truncate(scratch, 0);
            case "cowRemap" -> batch.cowRemap(owner[r], file[r], BLOCK, free[r])
                .cowRemap(owner[r], file[r], BLOCK, device[r]);
            case "dedupe" -> batch.map(scratch, 0, free[r], BLOCK, 0).dedupe(owner[r], file[r], scratch, 0, BLOCK)
                .truncate(scratch, 0);
            case "convertUnwritten" -> batch.map(scratch, 0, free[r], BLOCK, MappingFlags.UNWRITTEN)
                .convertUnwritten(scratch, 0, BLOCK).unmap(scratch, 0, BLOCK);
            case "allocFree" -> batch.allocMetadata(Owner.XFS_INOBT, free[r], BLOCK)
                .freeMetadata(Owner.XFS_INOBT, free[r], BLOCK);
            default -> throw new IllegalStateException("kind=" + kind);
        }
    }
}
