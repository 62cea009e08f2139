package io.daxrmap.index;

import io.daxrmap.model.DeviceGeometry;
import io.daxrmap.model.Owner;
import io.daxrmap.model.Pagemap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hot path allocates nothing once warm: byte and page queries over private, shared (100 clones) and
 * self-shared data, measured with the JVM's per-thread allocation counter.
 */
class AllocationFreeQueryTest
{
    private static final int BLOCK = 4096;
    private static final int QUERIES = 200_000;
    private static final long TOLERATED_BYTES = 4096;

    private static ReverseIndex index;
    private static long deviceSize;

    private long sink;

    @BeforeAll
    static void load()
    {
        deviceSize = 64L << 20;
        // 1,024 stripes (8,192 records at 8 pieces a stripe)
        index = ReverseIndex.create(new IndexConfig(new DeviceGeometry(0, deviceSize, BLOCK), 8192));
        fill(index);
    }

    private static void fill(final ReverseIndex index)
    {
        final Batch batch = index.newBatch();
        final SplittableRandom random = new SplittableRandom(7);
        long device = 0;
        for (int file = 0; file < 64; file++)
        {
            long fileOffset = 0;
            for (int extent = 0; extent < 16; extent++)
            {
                final long length = (1 + random.nextInt(8)) * (long)BLOCK;
                batch.map(Owner.data(1000 + file), fileOffset, device, length, extent % 5 == 0 ? 1 : 0);
                fileOffset += length + BLOCK;
                device += length + (random.nextInt(3) == 0 ? BLOCK : 0);
            }
        }
        for (int clone = 0; clone < 100; clone++)
        {
            batch.reflink(Owner.data(1000), 0, Owner.data(5000 + clone), 0, 1 << 20);
        }
        batch.reflink(Owner.data(1001), 0, Owner.data(1001), 8L << 20, 64 * BLOCK);
        batch.commit();
    }

    @Test
    void shouldNotAllocateInByteOrPageQueriesWhenWarm()
    {
        final IndexReader reader = index.newReader();
        final Pagemap pagemap = new Pagemap(1L << 36, deviceSize + (1 << 20), 1 << 20, 4096);
        final PageVisitor pageVisitor = new PageVisitor()
        {
            @Override
            public void onAddressSpace(final long inode, final long pgoff, final long pgcnt, final int flags)
            {
                sink += inode + pgoff + pgcnt + flags;
            }

            @Override
            public void onOtherOwner(
                final long owner, final long deviceOffset, final long length, final long fileOffset, final int flags)
            {
                sink += owner + deviceOffset;
            }
        };
        final RecordVisitor recordVisitor = (deviceOffset, length, owner, fileOffset, flags) ->
        {
            sink += deviceOffset + length + owner + fileOffset + flags;
            return true;
        };
        final long[] offsets = new long[4096];
        final SplittableRandom random = new SplittableRandom(11);
        for (int i = 0; i < offsets.length; i++)
        {
            offsets[i] = random.nextLong(4L << 20) & -64L;
        }

        runQueries(reader, pagemap, pageVisitor, recordVisitor, offsets);
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long before = threads.getCurrentThreadAllocatedBytes();
        runQueries(reader, pagemap, pageVisitor, recordVisitor, offsets);
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertTrue(sink != 0, "queries found nothing");
        assertTrue(allocated <= TOLERATED_BYTES,
            "allocated=" + allocated + " bytes over " + 3 * QUERIES + " queries");
    }

    /**
     * A reopened index checks each block's checksum before its first read: that check allocates nothing either.
     */
    @Test
    void shouldNotAllocateWhenCheckingReopenedBlocksOnFirstRead(@TempDir final Path temp) throws IOException
    {
        final Path directory = temp.resolve("index");
        try (ReverseIndex persistent = ReverseIndex.create(
            // stripes as small as the shared index's, whose span the queries below step by
            new IndexConfig(new DeviceGeometry(0, deviceSize, BLOCK), 8192), directory))
        {
            fill(persistent);
        }
        final RecordVisitor recordVisitor = (deviceOffset, length, owner, fileOffset, flags) ->
        {
            sink += owner;
            return true;
        };
        final ExtentVisitor extentVisitor = (fileOffset, deviceOffset, length, flags) ->
        {
            sink += deviceOffset;
            return true;
        };
        final long stripe = 1L << index.stripeShift();
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        long allocated = 0;
        long checked = 0;
        for (int round = 0; round < 4; round++) // the first rounds warm the checking path up
        {
            try (ReverseIndex reopened = ReverseIndex.openReadOnly(directory, false))
            {
                // no background thread: every first read below checks its block
                final IndexReader reader = reopened.newReader();
                final long before = threads.getCurrentThreadAllocatedBytes();
                for (long offset = 0; offset < 20L << 20; offset += stripe)
                {
                    reader.byteQuery(offset, 64, recordVisitor);
                }
                for (int file = 0; file < 64; file++)
                {
                    reader.forward(Owner.data(1000 + file), 0, 1 << 20, extentVisitor);
                }
                allocated = threads.getCurrentThreadAllocatedBytes() - before;
                checked = reopened.verifier().checkedBlocks();
                assertTrue(!reopened.verifier().complete());
            }
        }
        assertTrue(checked > 300, "blocks checked on first read: " + checked);
        assertTrue(allocated <= TOLERATED_BYTES, "allocated=" + allocated + " bytes checking " + checked + " blocks");
    }

    @Test
    void shouldAnswerBatchedPageQueriesAsSingleOnesWithoutAllocating()
    {
        final IndexReader reader = index.newReader();
        final Pagemap pagemap = new Pagemap(1L << 36, deviceSize + (1 << 20), 1 << 20, 4096);
        final SplittableRandom random = new SplittableRandom(13);
        final long[] pfns = new long[1000];
        for (int i = 0; i < pfns.length; i++)
        {
            // mostly mapped pages, some in the metadata area, past the device, or outside the window
            final long phys = (1L << 36) + random.nextLong(deviceSize + (2 << 20)) - (i % 17 == 0 ? 1L << 30 : 0);
            pfns[i] = phys >>> 12;
        }
        final StringBuilder single = new StringBuilder();
        final StringBuilder batched = new StringBuilder();
        final PageBatchVisitor toBatched = recorder(batched);
        final PageBatchVisitor toSingle = recorder(single);
        for (int i = 3; i < 997; i++)
        {
            final long deviceOffset = pagemap.locate(pfns[i]);
            toSingle.onPage(i, deviceOffset >= deviceSize ? Pagemap.OUTSIDE : deviceOffset);
            reader.pageQuery(pfns[i], pagemap, toSingle);
        }
        reader.pageQueries(pfns, 3, 997, pagemap, toBatched);
        assertEquals(single.toString(), batched.toString());
        assertTrue(single.length() > 10_000, "answers: " + single.length());

        final PageBatchVisitor counter = new PageBatchVisitor()
        {
            @Override
            public void onPage(final int index, final long deviceOffset)
            {
                sink += index + deviceOffset;
            }

            @Override
            public void onAddressSpace(final long inode, final long pgoff, final long pgcnt, final int flags)
            {
                sink += inode + pgoff;
            }

            @Override
            public void onOtherOwner(
                final long owner, final long deviceOffset, final long length, final long fileOffset, final int flags)
            {
                sink += owner;
            }
        };
        for (int round = 0; round < 200; round++)
        {
            reader.pageQueries(pfns, 0, pfns.length, pagemap, counter);
        }
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long before = threads.getCurrentThreadAllocatedBytes();
        for (int round = 0; round < 200; round++)
        {
            reader.pageQueries(pfns, 0, pfns.length, pagemap, counter);
        }
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated <= TOLERATED_BYTES, "allocated=" + allocated + " bytes over 200,000 batched queries");
    }

    @Test
    void shouldAnswerBatchedPagesFromTheSnapshotAVisitorRefreshedTo()
    {
        final ReverseIndex fresh = ReverseIndex.create(new IndexConfig(new DeviceGeometry(0, 1 << 20, BLOCK), 64));
        fresh.newBatch().map(Owner.data(100), 0, 0, 128 * BLOCK, 0).commit();
        final IndexReader reader = fresh.newReader();
        final Pagemap pagemap = new Pagemap(1L << 36, 2 << 20, 0, BLOCK);
        final long[] pfns = new long[16];
        for (int i = 0; i < pfns.length; i++)
        {
            pfns[i] = ((1L << 36) + i * 16L * BLOCK) >>> 12;
        }
        // pages 8-15 are free until the visitor, answering page 3, maps them and refreshes the reader
        final StringBuilder batched = new StringBuilder();
        reader.pageQueries(pfns, 0, pfns.length, pagemap, recorder(batched, index ->
        {
            if (index == 3)
            {
                fresh.newBatch().map(Owner.data(200), 0, 128 * BLOCK, 128 * BLOCK, 0).commit();
                reader.refresh();
            }
        }));
        final StringBuilder single = new StringBuilder();
        final PageBatchVisitor toSingle = recorder(single);
        for (int i = 4; i < pfns.length; i++)
        {
            toSingle.onPage(i, pagemap.locate(pfns[i]));
            reader.pageQuery(pfns[i], pagemap, toSingle);
        }
        final String answers = batched.toString();
        assertEquals(single.toString(), answers.substring(answers.indexOf("\n4@")));
        assertTrue(single.toString().contains("\n8@524288: as 200/0/1/0"), single.toString());
        fresh.close();
    }

    @Test
    void shouldAnswerTheGroupsAfterARefreshFromTheSnapshotAVisitorRefreshedTo()
    {
        // more pages than one group of the batched lookups, and the visitor's refresh brings owners the snapshot
        // before never had: the groups after must look them up in the snapshot refreshed to
        final ReverseIndex fresh = ReverseIndex.create(new IndexConfig(new DeviceGeometry(0, 1 << 20, BLOCK), 256));
        fresh.newBatch().map(Owner.data(100), 0, 0, BLOCK, 0).commit();
        final IndexReader reader = fresh.newReader();
        final Pagemap pagemap = new Pagemap(1L << 36, 2 << 20, 0, BLOCK);
        final long[] pfns = new long[200];
        for (int i = 0; i < pfns.length; i++)
        {
            pfns[i] = ((1L << 36) + i * (long)BLOCK) >>> 12;
        }
        final StringBuilder batched = new StringBuilder();
        reader.pageQueries(pfns, 0, pfns.length, pagemap, recorder(batched, index ->
        {
            if (index == 0)
            {
                final Batch batch = fresh.newBatch();
                for (int page = 1; page < pfns.length; page++)
                {
                    batch.map(Owner.data(1000 + page), 0, page * (long)BLOCK, BLOCK, 0);
                }
                batch.commit();
                reader.refresh();
            }
        }));
        final StringBuilder single = new StringBuilder();
        final PageBatchVisitor toSingle = recorder(single);
        for (int i = 1; i < pfns.length; i++)
        {
            toSingle.onPage(i, pagemap.locate(pfns[i]));
            reader.pageQuery(pfns[i], pagemap, toSingle);
        }
        final String answers = batched.toString();
        assertEquals(single.toString(), answers.substring(answers.indexOf("\n1@")));
        assertTrue(answers.contains("\n150@614400: as 1150/0/1/0"), answers);
        fresh.close();
    }

    @Test
    void shouldAnswerThePagesAfterPageQueriesNestedInOnPageAsSingleQueries()
    {
        // a visitor that asks pageQueries of its own in onPage moves the batch state the call around it found its
        // group's pages with: the pages after must still get their own answers
        final ReverseIndex fresh = ReverseIndex.create(new IndexConfig(new DeviceGeometry(0, 1 << 20, BLOCK), 256));
        final Batch batch = fresh.newBatch();
        for (int page = 0; page < 200; page++)
        {
            batch.map(Owner.data(1000 + page), 0, page * (long)BLOCK, BLOCK, 0);
        }
        batch.commit();
        final IndexReader reader = fresh.newReader();
        final Pagemap pagemap = new Pagemap(1L << 36, 2 << 20, 0, BLOCK);
        final long[] pfns = new long[40];
        final long[] others = new long[40];
        for (int i = 0; i < pfns.length; i++)
        {
            pfns[i] = ((1L << 36) + i * (long)BLOCK) >>> 12;
            others[i] = ((1L << 36) + (199 - i) * (long)BLOCK) >>> 12;
        }
        final StringBuilder nested = new StringBuilder();
        final StringBuilder batched = new StringBuilder();
        reader.pageQueries(pfns, 0, pfns.length, pagemap, recorder(batched, index ->
        {
            if (index == 3 || index == 20)
            {
                reader.pageQueries(others, 0, others.length, pagemap, recorder(nested));
            }
        }));
        final String single = singleAnswers(reader, pfns, pagemap);
        assertEquals(single, batched.toString());
        assertTrue(nested.toString().contains("\n0@815104: as 1199/0/1/0"), nested.toString());
        fresh.close();
    }

    @Test
    void shouldNotAllocateStoppingInABitmapShareGroup()
    {
        // 200 clones whose owner ids lie apart (a private file made between each two): the group is a bitmap, and a
        // byte query that stops within its first owners steps through them with the reader's reused iterator
        final ReverseIndex scattered = ReverseIndex.create(new IndexConfig(new DeviceGeometry(0, 64L << 20, BLOCK), 512));
        final Batch batch = scattered.newBatch();
        batch.map(Owner.data(100), 0, 0, 16L * BLOCK, 0);
        for (int clone = 1; clone <= 200; clone++)
        {
            batch.map(Owner.data(1000 + clone), 0, (32L << 20) + clone * (long)BLOCK, BLOCK, 0);
            batch.reflink(Owner.data(100), 0, Owner.data(5000 + clone), 0, 16L * BLOCK);
        }
        batch.commit();
        assertTrue(!scattered.current().sets[PieceValue.setId(firstValue(scattered))].groupIsRun(0), "a bitmap group");
        final IndexReader reader = scattered.newReader();
        final int[] limit = {1};
        final int[] told = {0};
        final RecordVisitor stopping = (deviceOffset, length, owner, fileOffset, flags) ->
        {
            sink += owner;
            return ++told[0] < limit[0];
        };
        final long allocated = allocatedOnceWarm(() ->
        {
            for (int q = 0; q < 20_000; q++)
            {
                limit[0] = 1 + q % (IndexReader.STEPPED_OWNERS + 200);
                told[0] = 0;
                reader.byteQuery((q % 16) * (long)BLOCK + 64, 64, stopping);
                assertEquals(Math.min(limit[0], 201), told[0]);
            }
        });
        scattered.close();
        assertTrue(allocated <= TOLERATED_BYTES, "allocated=" + allocated + " bytes over 20,000 queries");
    }

    @Test
    void shouldNotAllocateFollowingBitmapShareGroupsOverSeveralPieces()
    {
        // 300 clones whose owner ids lie apart (bitmap groups, more owners than a walk's chunk), each rewritten at one
        // of the 16 blocks: every block is a piece of its own, whose group the walk compares with the block's before
        // and follows over the blocks after, with the reader's reused iterators and arrays
        final ReverseIndex scattered = ReverseIndex.create(new IndexConfig(new DeviceGeometry(0, 64L << 20, BLOCK), 512));
        final Batch batch = scattered.newBatch();
        final int clones = 300;
        batch.map(Owner.data(100), 0, 0, 16L * BLOCK, 0);
        for (int clone = 1; clone <= clones; clone++)
        {
            batch.map(Owner.data(1000 + clone), 0, (32L << 20) + clone * (long)BLOCK, BLOCK, 0);
            batch.reflink(Owner.data(100), 0, Owner.data(5000 + clone), 0, 16L * BLOCK);
        }
        for (int clone = 1; clone <= clones; clone++)
        {
            final long block = clone % 16;
            batch.unmap(Owner.data(5000 + clone), block * BLOCK, BLOCK)
                .map(Owner.data(5000 + clone), block * BLOCK, (40L << 20) + clone * (long)BLOCK, BLOCK, 0);
        }
        batch.commit();
        assertTrue(IndexReader.CHUNK < clones, "more owners than a chunk");
        assertTrue(!scattered.current().sets[PieceValue.setId(firstValue(scattered))].groupIsRun(0), "a bitmap group");
        final IndexReader reader = scattered.newReader();
        final long[] records = {0};
        final RecordVisitor counting = (deviceOffset, length, owner, fileOffset, flags) ->
        {
            records[0]++;
            sink += deviceOffset + length + owner + fileOffset;
            return true;
        };
        final long[] spaces = {0};
        final PageVisitor pages = new PageVisitor()
        {
            @Override
            public void onAddressSpace(final long inode, final long pgoff, final long pgcnt, final int flags)
            {
                spaces[0]++;
                sink += inode + pgoff + pgcnt;
            }

            @Override
            public void onOtherOwner(
                final long owner, final long deviceOffset, final long length, final long fileOffset, final int flags)
            {
                sink += owner;
            }
        };
        final Pagemap huge = new Pagemap(1L << 36, 64L << 20, 0, 2 << 20);
        // blocks [first, 16): the owner file's record, and each clone's: one where its rewritten block b lies at or
        // before the range's first block, else the one before b, and the one after b unless b is the last block
        final long[] expected = new long[4];
        for (int first = 0; first < 4; first++)
        {
            expected[first] = 1;
            for (int clone = 1; clone <= clones; clone++)
            {
                final int b = clone % 16;
                expected[first] += b <= first || b == 15 ? 1 : 2;
            }
        }
        final long allocated = allocatedOnceWarm(() ->
        {
            for (int q = 0; q < 2_000; q++)
            {
                records[0] = 0;
                reader.byteQuery((q % 4) * (long)BLOCK, (16L - q % 4) * BLOCK, counting);
                assertEquals(expected[q % 4], records[0]);
                spaces[0] = 0;
                // the 2 MiB page from device byte 0: each file's records there lie in its file page 0, one row a file
                reader.pageQuery((1L << 36) >>> 21, huge, pages);
                assertEquals(1 + clones, spaces[0]);
            }
        });
        scattered.close();
        assertTrue(allocated <= TOLERATED_BYTES, "allocated=" + allocated + " bytes over 4,000 queries");
    }

    /**
     * Run the queries twice, the first to warm up: what the thread allocated during the second.
     */
    private static long allocatedOnceWarm(final Runnable queries)
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        queries.run();
        final long before = threads.getCurrentThreadAllocatedBytes();
        queries.run();
        return threads.getCurrentThreadAllocatedBytes() - before;
    }

    private static int firstValue(final ReverseIndex index)
    {
        final PieceCursor cursor = new PieceCursor();
        cursor.snapshot(index.current());
        cursor.seek(0);
        return cursor.value();
    }

    @Test
    void shouldAnswerBatchedPagesWhenAVisitorRefreshesToTheSameSnapshot()
    {
        // a refresh that finds nothing new (a follower with no commit since) must leave the found pieces usable
        final IndexReader reader = index.newReader();
        final Pagemap pagemap = new Pagemap(1L << 36, deviceSize + (1 << 20), 1 << 20, 4096);
        final long[] pfns = new long[16];
        for (int i = 0; i < pfns.length; i++)
        {
            pfns[i] = ((1L << 36) + (1 << 20) + i * 16L * BLOCK) >>> 12;
        }
        final StringBuilder batched = new StringBuilder();
        reader.pageQueries(pfns, 0, pfns.length, pagemap, recorder(batched, index ->
        {
            if (index == 3)
            {
                reader.refresh();
            }
        }));
        final String single = singleAnswers(reader, pfns, pagemap);
        assertEquals(single, batched.toString());
        assertTrue(single.contains(" as "), single);
    }

    /**
     * {@link #recorder(StringBuilder)}, calling {@code afterPage} with each page's index once it is recorded.
     */
    /**
     * Every page answered by a single {@link IndexReader#pageQuery}, told as the recorder tells a batch's pages.
     */
    private static String singleAnswers(final IndexReader reader, final long[] pfns, final Pagemap pagemap)
    {
        final StringBuilder single = new StringBuilder();
        final PageBatchVisitor toSingle = recorder(single);
        for (int i = 0; i < pfns.length; i++)
        {
            toSingle.onPage(i, pagemap.locate(pfns[i]));
            reader.pageQuery(pfns[i], pagemap, toSingle);
        }
        return single.toString();
    }

    private static PageBatchVisitor recorder(final StringBuilder out, final java.util.function.IntConsumer afterPage)
    {
        final PageBatchVisitor record = recorder(out);
        return new PageBatchVisitor()
        {
            @Override
            public void onPage(final int index, final long deviceOffset)
            {
                record.onPage(index, deviceOffset);
                afterPage.accept(index);
            }

            @Override
            public void onAddressSpace(final long inode, final long pgoff, final long pgcnt, final int flags)
            {
                record.onAddressSpace(inode, pgoff, pgcnt, flags);
            }

            @Override
            public void onOtherOwner(
                final long owner, final long deviceOffset, final long length, final long fileOffset, final int flags)
            {
                record.onOtherOwner(owner, deviceOffset, length, fileOffset, flags);
            }
        };
    }

    private static PageBatchVisitor recorder(final StringBuilder out)
    {
        return new PageBatchVisitor()
        {
            @Override
            public void onPage(final int index, final long deviceOffset)
            {
                out.append('\n').append(index).append('@').append(deviceOffset).append(':');
            }

            @Override
            public void onAddressSpace(final long inode, final long pgoff, final long pgcnt, final int flags)
            {
                out.append(" as ").append(inode).append('/').append(pgoff).append('/').append(pgcnt).append('/')
                    .append(flags);
            }

            @Override
            public void onOtherOwner(
                final long owner, final long deviceOffset, final long length, final long fileOffset, final int flags)
            {
                out.append(" other ").append(owner).append('/').append(deviceOffset).append('/').append(length);
            }
        };
    }

    private void runQueries(
        final IndexReader reader, final Pagemap pagemap, final PageVisitor pageVisitor,
        final RecordVisitor recordVisitor, final long[] offsets)
    {
        for (int i = 0; i < QUERIES; i++)
        {
            final long offset = offsets[i & (offsets.length - 1)];
            reader.byteQuery(offset, 64, recordVisitor);
            reader.byteQuery(offset, 3 * BLOCK, recordVisitor);
            reader.pageQuery(((1L << 36) + (1 << 20) + offset) >>> 12, pagemap, pageVisitor);
        }
    }
}
