package io.daxrmap.index;

import io.daxrmap.model.DeviceGeometry;
import io.daxrmap.model.Owner;
import io.daxrmap.model.Pagemap;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One writer commits batches whose every prefix breaks an invariant; reader threads refresh and check the
 * invariants thousands of times. A reader seeing a half-applied batch (or a torn snapshot) fails the test.
 */
class ReverseIndexConcurrencyTest
{
    private static final int BLOCK = 4096;
    private static final long SIZE = 8L << 20;
    private static final long WRITER_NANOS = 1_500_000_000L;
    private static final long WRITER_MAX_NANOS = 10_000_000_000L;
    private static final int READERS = 2;

    private static final long FILE = Owner.data(1);
    private static final int FILE_BLOCKS = 64;
    private static final int LOG_BLOCKS = 4;

    private static final long SOURCE = Owner.data(2);
    private static final int SOURCE_BLOCKS = 16;
    private static final int GROUP = 8;
    private static final long FIRST_CLONE = 1000;

    /**
     * A reader's check of one snapshot: returns a description of what is wrong, or null.
     */
    private interface SnapshotCheck
    {
        String check(IndexReader reader);
    }

    private record Outcome(long commits, long checks, long versionsSeen, String failure)
    {
    }

    private static Outcome race(final ReverseIndex index, final Function<Random, Long> writerStep,
        final SnapshotCheck check) throws InterruptedException
    {
        return race(index, writerStep, check, () -> true);
    }

    /**
     * Run the writer for {@link #WRITER_NANOS}, longer (up to {@link #WRITER_MAX_NANOS}) until {@code enough} holds,
     * and the readers as long as the writer runs.
     */
    private static Outcome race(final ReverseIndex index, final Function<Random, Long> writerStep,
        final SnapshotCheck check, final BooleanSupplier enough) throws InterruptedException
    {
        final AtomicReference<String> failure = new AtomicReference<>();
        final AtomicLong checks = new AtomicLong();
        final AtomicLong versionsSeen = new AtomicLong();
        final AtomicLong commits = new AtomicLong();
        final Thread writer = new Thread(() ->
        {
            final Random rnd = new Random(42);
            final long start = System.nanoTime();
            try
            {
                while (failure.get() == null && System.nanoTime() - start < WRITER_MAX_NANOS &&
                    (System.nanoTime() - start < WRITER_NANOS || !enough.getAsBoolean()))
                {
                    commits.addAndGet(writerStep.apply(rnd));
                }
            }
            catch (final RuntimeException | AssertionError ex)
            {
                failure.compareAndSet(null, "writer failed: " + ex);
            }
        }, "writer");
        final List<Thread> readers = new ArrayList<>();
        for (int t = 0; t < READERS; t++)
        {
            readers.add(new Thread(() ->
            {
                final IndexReader reader = index.newReader();
                long lastVersion = -1;
                try
                {
                    while (writer.isAlive() && failure.get() == null)
                    {
                        reader.refresh();
                        final long version = reader.version();
                        if (version < lastVersion)
                        {
                            failure.compareAndSet(null, "version went back: " + lastVersion + " -> " + version);
                        }
                        if (version != lastVersion)
                        {
                            versionsSeen.incrementAndGet();
                        }
                        lastVersion = version;
                        final String wrong = check.check(reader);
                        if (wrong != null)
                        {
                            failure.compareAndSet(null, "version=" + version + ": " + wrong);
                        }
                        checks.incrementAndGet();
                    }
                }
                catch (final RuntimeException | AssertionError ex)
                {
                    failure.compareAndSet(null, "reader failed at version=" + reader.version() + ": " + ex);
                }
            }, "reader-" + t));
        }
        writer.start();
        readers.forEach(Thread::start);
        writer.join();
        for (final Thread r : readers)
        {
            r.join();
        }
        return new Outcome(commits.get(), checks.get(), versionsSeen.get(), failure.get());
    }

    private static void assertRaced(final Outcome outcome, final long minChecks)
    {
        assertNull(outcome.failure(), outcome.failure());
        assertTrue(outcome.commits() >= 100, "writer committed too few batches: " + outcome);
        assertTrue(outcome.checks() >= minChecks, "readers checked too few snapshots: " + outcome);
        assertTrue(outcome.versionsSeen() >= 20, "readers saw too few versions: " + outcome);
    }

    // --------------------------------------------------------------------------------------------- moving data

    /**
     * The writer of the move scenario: a file of {@code fileBlocks} blocks and a 4-block log; every batch moves a
     * random file range (unmap, then map elsewhere) and sometimes the log (free, then alloc elsewhere).
     */
    private static final class Mover implements Function<Random, Long>
    {
        private final ReverseIndex index;
        private final int fileBlocks;
        private final int maxMoveBlocks;
        private final int deviceBlocks;
        private final BitSet used;
        private final int[] deviceOf;
        private int log;

        Mover(final ReverseIndex index, final int fileBlocks, final int stride, final int maxMoveBlocks)
        {
            this.index = index;
            this.fileBlocks = fileBlocks;
            this.maxMoveBlocks = maxMoveBlocks;
            this.deviceBlocks = (int)(index.geometry().size() / BLOCK);
            this.used = new BitSet(deviceBlocks);
            this.deviceOf = new int[fileBlocks];
            this.log = fileBlocks * stride;
            final Batch first = index.newBatch();
            for (int f = 0; f < fileBlocks; f++)
            {
                deviceOf[f] = f * stride;
                used.set(f * stride);
                first.map(FILE, (long)f * BLOCK, (long)deviceOf[f] * BLOCK, BLOCK, 0);
            }
            first.allocMetadata(Owner.XFS_LOG, (long)log * BLOCK, (long)LOG_BLOCKS * BLOCK);
            used.set(log, log + LOG_BLOCKS);
            first.commit();
        }

        @Override
        public Long apply(final Random rnd)
        {
            final int length = 1 + rnd.nextInt(maxMoveBlocks);
            final int fileBlock = rnd.nextInt(fileBlocks - length + 1);
            final int target = freeRun(used, rnd, length, deviceBlocks);
            final int logTarget = freeRun(used, rnd, LOG_BLOCKS, deviceBlocks);
            final Batch batch = index.newBatch();
            batch.unmap(FILE, (long)fileBlock * BLOCK, (long)length * BLOCK);
            batch.map(FILE, (long)fileBlock * BLOCK, (long)target * BLOCK, (long)length * BLOCK, 0);
            final boolean moveLog = logTarget >= 0 && rnd.nextBoolean() &&
                (logTarget + LOG_BLOCKS <= target || target + length <= logTarget);
            if (moveLog)
            {
                batch.freeMetadata(Owner.XFS_LOG, (long)log * BLOCK, (long)LOG_BLOCKS * BLOCK);
                batch.allocMetadata(Owner.XFS_LOG, (long)logTarget * BLOCK, (long)LOG_BLOCKS * BLOCK);
            }
            batch.commit();
            for (int i = 0; i < length; i++)
            {
                used.clear(deviceOf[fileBlock + i]);
            }
            for (int i = 0; i < length; i++)
            {
                deviceOf[fileBlock + i] = target + i;
                used.set(target + i);
            }
            if (moveLog)
            {
                used.clear(log, log + LOG_BLOCKS);
                log = logTarget;
                used.set(logTarget, logTarget + LOG_BLOCKS);
            }
            return 1L;
        }
    }

    @Test
    void shouldNeverExposeHalfAMoveWhenReadersRunDuringWriter() throws InterruptedException
    {
        try (ReverseIndex index = ReverseIndex.create(IndexConfig.of(new DeviceGeometry(1, SIZE, BLOCK))))
        {
            final Mover mover = new Mover(index, FILE_BLOCKS, 1, 8);
            final Outcome outcome = race(index, mover, r -> checkMoveInvariants(r, FILE_BLOCKS, SIZE));
            assertRaced(outcome, 1000);
            final IndexReader reader = index.newReader();
            assertNull(checkMoveInvariants(reader, FILE_BLOCKS, SIZE));
            assertEquals(outcome.commits() + 1, reader.version());
        }
    }

    @Test
    void shouldKeepOldSnapshotsReadableWhenCompactingUnderReaders() throws InterruptedException
    {
        final int fileBlocks = 2048;
        try (ReverseIndex index = ReverseIndex.create(new IndexConfig(new DeviceGeometry(3, 4 * SIZE, BLOCK), 1)))
        {
            final Mover mover = new Mover(index, fileBlocks, 2, 1);
            final IndexReader stale = index.newReader();
            final List<String> before = scanText(stale, 4 * SIZE);
            assertNull(checkMoveInvariants(stale, fileBlocks, 4 * SIZE));
            final Outcome outcome = race(index, mover, r -> checkMoveInvariants(r, fileBlocks, 4 * SIZE),
                () -> index.compactions() >= 2);
            assertRaced(outcome, 100);
            assertTrue(index.compactions() > 0, "no compaction happened: " + outcome);
            assertEquals(before, scanText(stale, 4 * SIZE));
            assertEquals(1, stale.version());
            stale.refresh();
            assertNull(checkMoveInvariants(stale, fileBlocks, 4 * SIZE));
            assertEquals(outcome.commits() + 1, stale.version());
        }
    }

    /**
     * Compactions whose fresh arenas reuse the memory of arenas retired before (the collector hands their slabs to
     * {@link AnonymousMemory}'s pool) while readers run: every snapshot a reader takes still holds, and a reader that
     * never refreshes still sees its first one.
     */
    @Test
    void shouldKeepSnapshotsReadableWhileCompactionsReuseReleasedMemory() throws InterruptedException
    {
        if (!AnonymousMemory.advised())
        {
            // arenas are direct buffers here, which the JDK releases: nothing is kept to reuse
            assertTrue(!"true".equals(System.getenv("CI")), "CI=true: arenas are advised mappings there");
            Assumptions.assumeTrue(false, "in-memory arenas are not advised mappings on this platform");
        }
        // a pool full of other tests' mappings would leave no room for this test's retired arenas
        MappingPool.settleAndEmpty();
        final int fileBlocks = 2048;
        try (ReverseIndex index = ReverseIndex.create(new IndexConfig(new DeviceGeometry(3, 4 * SIZE, BLOCK), 1)))
        {
            final Mover mover = new Mover(index, fileBlocks, 2, 1);
            final IndexReader stale = index.newReader();
            final List<String> before = scanText(stale, 4 * SIZE);
            final long reusedBefore = AnonymousMemory.reusedMappings();
            final long[] collectedAt = {0};
            final Outcome outcome = race(index, mover, r -> checkMoveInvariants(r, fileBlocks, 4 * SIZE), () ->
            {
                // each compaction retires an arena: collect, so that the ones after are made in its memory
                if (index.compactions() > collectedAt[0])
                {
                    collectedAt[0] = index.compactions();
                    System.gc();
                }
                return AnonymousMemory.reusedMappings() - reusedBefore >= 2;
            });
            assertRaced(outcome, 100);
            assertTrue(AnonymousMemory.reusedMappings() - reusedBefore >= 2,
                "compactions=" + index.compactions() + " reused=" + (AnonymousMemory.reusedMappings() - reusedBefore));
            assertEquals(before, scanText(stale, 4 * SIZE));
            stale.refresh();
            assertNull(checkMoveInvariants(stale, fileBlocks, 4 * SIZE));
            assertEquals(outcome.commits() + 1, stale.version());
        }
    }

    private static List<String> scanText(final IndexReader reader, final long size)
    {
        final List<String> out = new ArrayList<>();
        reader.scan(0, size - 1, (dev, len, owner, file, flags) ->
            out.add(dev + " " + len + " " + Owner.toString(owner) + " " + file + " " + flags));
        return out;
    }

    private static int freeRun(final BitSet used, final Random rnd, final int length, final int deviceBlocks)
    {
        for (int attempt = 0; attempt < 64; attempt++)
        {
            final int start = rnd.nextInt(deviceBlocks - length + 1);
            final int next = used.nextSetBit(start);
            if (next < 0 || next >= start + length)
            {
                return start;
            }
        }
        return -1;
    }

    private static String checkMoveInvariants(final IndexReader reader, final int fileBlocks, final long size)
    {
        final long[] fileBytes = {0};
        final long[] logBytes = {0};
        final long[] freeBytes = {0};
        final long[] other = {0};
        final TreeMap<Long, long[]> fileRecords = new TreeMap<>();
        reader.scan(0, size - 1, (dev, len, owner, file, flags) ->
        {
            if (owner == FILE)
            {
                fileBytes[0] += len;
                fileRecords.put(file, new long[] {file, dev, len});
            }
            else if (owner == Owner.XFS_LOG)
            {
                logBytes[0] += len;
            }
            else if (owner == Owner.FREE)
            {
                freeBytes[0] += len;
            }
            else
            {
                other[0]++;
            }
            return true;
        });
        if (fileBytes[0] != (long)fileBlocks * BLOCK || logBytes[0] != (long)LOG_BLOCKS * BLOCK || other[0] != 0 ||
            freeBytes[0] != size - (long)(fileBlocks + LOG_BLOCKS) * BLOCK)
        {
            return "totals: file=" + fileBytes[0] + " log=" + logBytes[0] + " free=" + freeBytes[0] + " other=" +
                other[0];
        }
        long next = 0;
        for (final long[] r : fileRecords.values())
        {
            if (r[0] != next)
            {
                return "file records do not tile the file: at=" + next + " record=" + r[0];
            }
            next = r[0] + r[2];
        }
        final List<long[]> forward = new ArrayList<>();
        reader.forward(FILE, 0, Long.MAX_VALUE, (file, dev, len, flags) -> forward.add(new long[] {file, dev, len}));
        if (forward.size() != fileRecords.size())
        {
            return "forward map has " + forward.size() + " extents, reverse map " + fileRecords.size() + " records";
        }
        int i = 0;
        for (final long[] r : fileRecords.values())
        {
            final long[] f = forward.get(i++);
            if (f[0] != r[0] || f[1] != r[1] || f[2] != r[2])
            {
                return "forward extent file=" + f[0] + " dev=" + f[1] + " len=" + f[2] + " differs from record file=" +
                    r[0] + " dev=" + r[1] + " len=" + r[2];
            }
        }
        final long[] spot = fileRecords.firstEntry().getValue();
        final int[] seen = {0};
        reader.byteQuery(spot[1], 64, (dev, len, owner, file, flags) ->
        {
            seen[0] += owner == FILE && file == spot[0] && len == 64 ? 1 : 100;
            return true;
        });
        return seen[0] == 1 ? null : "byte query on the file's first record disagrees with the scan";
    }

    @Test
    void shouldDetectHalfAMoveWhenItsOpsAreCommittedSeparately()
    {
        try (ReverseIndex index = ReverseIndex.create(IndexConfig.of(new DeviceGeometry(1, SIZE, BLOCK))))
        {
            index.newBatch()
                .map(FILE, 0, 0, (long)FILE_BLOCKS * BLOCK, 0)
                .allocMetadata(Owner.XFS_LOG, 200L * BLOCK, (long)LOG_BLOCKS * BLOCK)
                .commit();
            final IndexReader reader = index.newReader();
            assertNull(checkMoveInvariants(reader, FILE_BLOCKS, SIZE));
            index.newBatch().unmap(FILE, 8L * BLOCK, 2L * BLOCK).commit();
            reader.refresh();
            assertTrue(checkMoveInvariants(reader, FILE_BLOCKS, SIZE) != null, "the check misses a half-applied move");
            index.newBatch().map(FILE, 8L * BLOCK, 300L * BLOCK, 2L * BLOCK, 0).commit();
            reader.refresh();
            assertNull(checkMoveInvariants(reader, FILE_BLOCKS, SIZE));
        }
    }

    // ------------------------------------------------------------------------------------------------- clones

    @Test
    void shouldNeverExposePartOfACloneGroupWhenReadersRunDuringWriter() throws InterruptedException
    {
        try (ReverseIndex index = ReverseIndex.create(IndexConfig.of(new DeviceGeometry(2, SIZE, BLOCK))))
        {
            final Batch first = index.newBatch();
            for (int e = 0; e < SOURCE_BLOCKS / 4; e++)
            {
                first.map(SOURCE, (long)e * 4 * BLOCK, (long)(100 + e * 37) * BLOCK, 4L * BLOCK, 0);
            }
            first.commit();
            final long[] group = {0};

            final Function<Random, Long> clone = rnd ->
            {
                final Batch batch = index.newBatch();
                final long g = group[0];
                for (int j = 0; j < GROUP; j++)
                {
                    batch.reflink(SOURCE, 0, Owner.data(FIRST_CLONE + g * GROUP + j), 0, (long)SOURCE_BLOCKS * BLOCK);
                }
                if (g >= 2)
                {
                    for (int j = 0; j < GROUP; j++)
                    {
                        batch.truncate(Owner.data(FIRST_CLONE + (g - 2) * GROUP + j), 0);
                    }
                }
                batch.commit();
                group[0]++;
                return 1L;
            };

            final Outcome outcome = race(index, clone, ReverseIndexConcurrencyTest::checkCloneInvariants);
            assertRaced(outcome, 1000);
            final IndexReader reader = index.newReader();
            assertNull(checkCloneInvariants(reader));
            assertEquals(outcome.commits() + 1, reader.version());
        }
    }

    @Test
    void shouldDetectPartOfACloneGroupWhenItsOpsAreCommittedSeparately()
    {
        try (ReverseIndex index = ReverseIndex.create(IndexConfig.of(new DeviceGeometry(2, SIZE, BLOCK))))
        {
            final Batch first = index.newBatch();
            for (int e = 0; e < SOURCE_BLOCKS / 4; e++)
            {
                first.map(SOURCE, (long)e * 4 * BLOCK, (long)(100 + e * 37) * BLOCK, 4L * BLOCK, 0);
            }
            first.commit();
            final IndexReader reader = index.newReader();
            assertNull(checkCloneInvariants(reader));
            final Batch half = index.newBatch();
            for (int j = 0; j < GROUP / 2; j++)
            {
                half.reflink(SOURCE, 0, Owner.data(FIRST_CLONE + j), 0, (long)SOURCE_BLOCKS * BLOCK);
            }
            half.commit();
            reader.refresh();
            assertTrue(checkCloneInvariants(reader) != null, "the check misses half a clone group");
            final Batch rest = index.newBatch();
            for (int j = GROUP / 2; j < GROUP; j++)
            {
                rest.reflink(SOURCE, 0, Owner.data(FIRST_CLONE + j), 0, (long)SOURCE_BLOCKS * BLOCK);
            }
            rest.commit();
            reader.refresh();
            assertNull(checkCloneInvariants(reader));
        }
    }

    private static String checkCloneInvariants(final IndexReader reader)
    {
        final Pagemap pm = new Pagemap(0, SIZE, 0, BLOCK);
        TreeSet<Long> expected = null;
        for (int e = 0; e < SOURCE_BLOCKS / 4; e++)
        {
            for (final int b : new int[] {0, 3})
            {
                final long pfn = 100 + e * 37 + b;
                final long pgoffOfSource = e * 4L + b;
                final TreeSet<Long> inodes = new TreeSet<>();
                final String[] wrong = {null};
                reader.pageQuery(pfn, pm, new PageVisitor()
                {
                    @Override
                    public void onAddressSpace(final long inode, final long pgoff, final long pgcnt, final int flags)
                    {
                        if (pgoff != pgoffOfSource || pgcnt != 1 || !inodes.add(inode))
                        {
                            wrong[0] = "bad address space inode=" + inode + " pgoff=" + pgoff + " pgcnt=" + pgcnt;
                        }
                    }

                    @Override
                    public void onOtherOwner(
                        final long owner, final long deviceOffset, final long length, final long fileOffset,
                        final int flags)
                    {
                        wrong[0] = "unexpected owner " + Owner.toString(owner);
                    }
                });
                if (wrong[0] != null)
                {
                    return "pfn=" + pfn + ": " + wrong[0];
                }
                if (!inodes.remove(Owner.inode(SOURCE)))
                {
                    return "pfn=" + pfn + ": source missing";
                }
                if (inodes.size() % GROUP != 0 || inodes.size() > 2 * GROUP)
                {
                    return "pfn=" + pfn + ": clone count " + inodes.size() + " is not whole groups of " + GROUP;
                }
                if (!inodes.isEmpty() && (inodes.first() - FIRST_CLONE) % GROUP != 0 ||
                    !inodes.isEmpty() && inodes.last() - inodes.first() != inodes.size() - 1)
                {
                    return "pfn=" + pfn + ": clones are not whole consecutive groups: " + inodes;
                }
                if (expected == null)
                {
                    expected = inodes;
                }
                else if (!expected.equals(inodes))
                {
                    return "pages of one snapshot disagree: " + expected + " vs " + inodes;
                }
            }
        }
        final long[] count = {0};
        reader.byteQuery(100L * BLOCK, 64, (dev, len, owner, file, flags) ->
        {
            count[0]++;
            return true;
        });
        return count[0] == expected.size() + 1 ? null :
            "byte query sees " + count[0] + " records, page query " + (expected.size() + 1) + " owners";
    }
}
