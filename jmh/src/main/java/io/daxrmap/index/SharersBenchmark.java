package io.daxrmap.index;

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

import java.util.concurrent.TimeUnit;

/**
 * Byte queries (64 B, 4 KiB, 2 MiB) over bytes that 1, 2 or 10,000 files share, for DESIGN.md section 7's "no worse
 * with 10,000 sharers than with 1 until the owners are iterated": the {@code firstOwner} benchmarks stop at the first
 * record the query delivers, {@code allOwners64} takes every one (the iteration, to set beside them).
 * <p>
 * A 2 MiB golden file lies among 4,096 private files; {@code sharers - 1} full clones of it share its bytes. With
 * {@code ids=run} the clones are made one after another, so their owner ids are consecutive and the share group keeps
 * only its first and last; with {@code ids=scattered} 9,999 private files are made, one before each clone, so the
 * group's ids are apart and it holds a RoaringBitmap. Those files are made whatever the sharers (with 1 sharer there
 * are no clones between them), so that two devices of one {@code ids} differ in the golden file's sharers alone. The
 * queries go round 16 offsets of the golden file, whose index stays in the caches: what is measured is the owner
 * set's cost, not a miss.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SharersBenchmark extends ForkedBenchmark
{
    private static final int BLOCK = 4096;
    private static final long DEVICE_SIZE = 256L << 20;
    private static final int PRIVATE_FILES = 4096;
    private static final long SCATTER_DEVICE = 84L << 20;
    private static final long GOLDEN_DEVICE = 128L << 20;
    private static final long GOLDEN = 2L << 20;
    private static final int OFFSETS = 16;
    private static final int MOST_SHARERS = 10_000;

    /** Files sharing the golden file's bytes: 2 beside 10,000 shows what grows with the sharers, not with sharing. */
    @Param({"1", "2", "10000"})
    public int sharers;

    /** How the clones' owner ids lie: {@code run} (consecutive) or {@code scattered}. */
    @Param({"run", "scattered"})
    public String ids;

    /**
     * The records the index is sized for ({@link IndexConfig#expectedRecords}); the stripe span follows them
     * ({@link ReverseIndex#stripeShift}).
     * <ul>
     *     <li>{@code extents}: what {@code FilesystemIndexBuilder} would count for this layout, sharers once, as
     *     {@link IndexConfig} allows: the 4,096 private files, the golden file, with {@code ids=scattered} the files
     *     between the clones, and the free ranges between them all. The same whatever {@link #sharers}.</li>
     *     <li>{@code records}: those and every clone's record: the 10,000-sharer index has narrower stripes than the
     *     1-sharer one, and its 2 MiB query crosses more of them;</li>
     *     <li>{@code alike}: the {@code records} of {@value #MOST_SHARERS} sharers, whatever {@link #sharers}.</li>
     * </ul>
     */
    @Param({"extents", "records", "alike"})
    public String sizing;

    private ReverseIndex index;
    private IndexReader reader;
    private final long[] offsets64 = new long[OFFSETS];
    private final long[] offsets4k = new long[OFFSETS];
    private int next;
    private long accumulator;
    private final RecordVisitor first = (deviceOffset, length, owner, fileOffset, flags) ->
    {
        accumulator += owner;
        return false;
    };
    private final RecordVisitor all = (deviceOffset, length, owner, fileOffset, flags) ->
    {
        accumulator += owner;
        return true;
    };

    /**
     * Build the index, and check that the golden file's bytes have the share group {@link #ids} says.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        final boolean scattered = "scattered".equals(ids);
        if (!scattered && !"run".equals(ids))
        {
            throw new IllegalArgumentException("ids: run or scattered, not " + ids);
        }
        if (sharers < 1 || sharers > MOST_SHARERS)
        {
            throw new IllegalArgumentException("sharers: 1 to " + MOST_SHARERS + ", not " + sharers);
        }
        // the files between the clones are there whatever the sharers, so that the devices differ in those alone
        final int between = scattered ? MOST_SHARERS - 1 : 0;
        // free: after each private file, after the files between, and after the golden file
        final long free = PRIVATE_FILES + (scattered ? 1 : 0) + 1L;
        final long extents = PRIVATE_FILES + between + 1L + free;
        final long expectedRecords = switch (sizing)
        {
            case "extents" -> extents;
            case "records" -> extents + sharers - 1;
            case "alike" -> extents + MOST_SHARERS - 1;
            default -> throw new IllegalArgumentException("sizing: extents, records or alike, not " + sizing);
        };
        index = ReverseIndex.create(new IndexConfig(new DeviceGeometry(0x10300, DEVICE_SIZE, BLOCK), expectedRecords));
        final Batch batch = index.newBatch();
        for (int file = 0; file < PRIVATE_FILES; file++)
        {
            batch.map(Owner.data(100_000 + file), 0, file * 5L * BLOCK, 4L * BLOCK, 0);
        }
        batch.map(Owner.data(1000), 0, GOLDEN_DEVICE, GOLDEN, 0);
        for (int clone = 1; clone < Math.max(sharers, between + 1); clone++)
        {
            if (scattered)
            {
                batch.map(Owner.data(500_000 + clone), 0, SCATTER_DEVICE + (long)clone * BLOCK, BLOCK, 0);
            }
            if (clone < sharers)
            {
                batch.reflink(Owner.data(1000), 0, Owner.data(1_000_000 + clone), 0, GOLDEN);
            }
        }
        batch.commit();
        reader = index.newReader();
        for (int i = 0; i < OFFSETS; i++)
        {
            offsets64[i] = GOLDEN_DEVICE + i * (GOLDEN / OFFSETS) + 64L * i;
            offsets4k[i] = GOLDEN_DEVICE + i * (GOLDEN / OFFSETS);
        }
        checkLayout(scattered);
    }

    private void checkLayout(final boolean scattered)
    {
        // counted by a page query: a byte query here would give the byte query's call of its visitor a second type
        // to profile, and the benchmark would measure a bimorphic call the engine's users need not have
        final long[] seen = new long[1];
        reader.pageQuery(GOLDEN_DEVICE / BLOCK + 1, new Pagemap(0, DEVICE_SIZE, 0, BLOCK), new PageVisitor()
        {
            @Override
            public void onAddressSpace(final long inode, final long pgoff, final long pgcnt, final int flags)
            {
                seen[0]++;
            }

            @Override
            public void onOtherOwner(
                final long owner, final long deviceOffset, final long length, final long fileOffset, final int flags)
            {
                throw new IllegalStateException("setup: an owner other than a file on the golden file's page");
            }
        });
        final PieceCursor cursor = new PieceCursor();
        cursor.snapshot(index.current());
        // the files between the clones, made whatever the sharers: the last one's block has one owner
        cursor.seek(SCATTER_DEVICE + (MOST_SHARERS - 1L) * BLOCK);
        if (scattered != PieceValue.isSingle(cursor.value()))
        {
            throw new IllegalStateException("setup: ids=" + ids + " sharers=" + sharers +
                " but the last file between the clones is " + (scattered ? "missing" : "there"));
        }
        cursor.seek(GOLDEN_DEVICE);
        final int value = cursor.value();
        final boolean run = sharers == 1 || index.current().sets[PieceValue.setId(value)].groupIsRun(0);
        if (seen[0] != sharers || (sharers > 1 && (!PieceValue.isShared(value) || run == scattered)))
        {
            throw new IllegalStateException("setup: records=" + seen[0] + " sharers=" + sharers + " ids=" + ids +
                " run=" + run);
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
     * A 64-byte query to its first record.
     *
     * @return the running accumulator.
     */
    @Benchmark
    public long firstOwner64()
    {
        reader.byteQuery(offsets64[next++ & (OFFSETS - 1)], 64, first);
        return accumulator;
    }

    /**
     * A 4 KiB query to its first record.
     *
     * @return the running accumulator.
     */
    @Benchmark
    public long firstOwner4k()
    {
        reader.byteQuery(offsets4k[next++ & (OFFSETS - 1)], BLOCK, first);
        return accumulator;
    }

    /**
     * The 2 MiB query over the golden file to its first record.
     *
     * @return the running accumulator.
     */
    @Benchmark
    public long firstOwner2m()
    {
        reader.byteQuery(GOLDEN_DEVICE, GOLDEN, first);
        return accumulator;
    }

    /**
     * A 64-byte query and every one of its records.
     *
     * @return the running accumulator.
     */
    @Benchmark
    public long allOwners64()
    {
        reader.byteQuery(offsets64[next++ & (OFFSETS - 1)], 64, all);
        return accumulator;
    }
}
