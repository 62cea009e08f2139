package io.daxrmap.index;

import io.daxrmap.index.ReferenceModel.Extent;
import io.daxrmap.index.ReferenceModel.Rec;
import io.daxrmap.model.DeviceGeometry;
import io.daxrmap.model.MappingFlags;
import io.daxrmap.model.Owner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The writer's cache of decoded blocks ({@link WriterCache}): batches start from the copies earlier batches wrote,
 * and never from a copy that a failed, aborted or compacted-away batch left behind. Expected answers are written out
 * by hand.
 */
class WriterCacheTest
{
    private static final long BLOCK = 4096;
    private static final long MIB = 1024 * 1024;
    private static final long A = Owner.data(131);
    private static final long B = Owner.data(132);
    private static final int SPECIAL = MappingFlags.SPECIAL_OWNER;
    private static final int S = MappingFlags.SHARED;

    private ReverseIndex index;
    private IndexReader reader;

    @AfterEach
    void closeIndex()
    {
        if (index != null)
        {
            index.close();
        }
    }

    private void create()
    {
        index = ReverseIndex.create(IndexConfig.of(new DeviceGeometry(0x10301, 4 * MIB, (int)BLOCK)));
        reader = index.newReader();
        // A maps file [0, 64 KiB) at device [1 MiB, 1 MiB + 64 KiB)
        index.newBatch().map(A, 0, MIB, 16 * BLOCK, 0).commit();
    }

    private List<Rec> scan(final long low, final long high)
    {
        reader.refresh();
        final List<Rec> out = new ArrayList<>();
        reader.scan(low, high, (d, l, o, f, fl) -> out.add(new Rec(d, l, o, f, fl)));
        return out;
    }

    private List<Extent> forward(final long owner)
    {
        reader.refresh();
        final List<Extent> out = new ArrayList<>();
        reader.forward(owner, 0, Long.MAX_VALUE / 2, (f, d, l, fl) -> out.add(new Extent(f, d, l, fl)));
        return out;
    }

    @Test
    void shouldStartTheNextBatchFromTheCopiesABatchWrote()
    {
        create();
        final long before = index.writerCache.hits();
        index.newBatch().unmap(A, 4 * BLOCK, BLOCK).commit();
        // the stripe and the forward map the punch changed are the ones the first batch wrote
        assertTrue(index.writerCache.hits() >= before + 2, "hits=" + index.writerCache.hits());
        index.newBatch().map(A, 4 * BLOCK, 3 * MIB, BLOCK, 0).commit();

        assertEquals(List.of(
            new Rec(MIB, 4 * BLOCK, A, 0, 0),
            new Rec(MIB + 4 * BLOCK, BLOCK, Owner.FREE, 0, SPECIAL),
            new Rec(MIB + 5 * BLOCK, 11 * BLOCK, A, 5 * BLOCK, 0)), scan(MIB, MIB + 16 * BLOCK - 1));
        assertEquals(List.of(new Rec(3 * MIB, BLOCK, A, 4 * BLOCK, 0)), scan(3 * MIB, 3 * MIB + BLOCK - 1));
        assertEquals(List.of(
            new Extent(0, MIB, 4 * BLOCK, 0),
            new Extent(4 * BLOCK, 3 * MIB, BLOCK, 0),
            new Extent(5 * BLOCK, MIB + 5 * BLOCK, 11 * BLOCK, 0)), forward(A));
    }

    @Test
    void shouldNotReuseWhatARefusedBatchChanged()
    {
        create();
        final Batch batch = index.newBatch();
        batch.unmap(A, 0, 16 * BLOCK);
        // refused: B maps nothing; the batch is discarded after it emptied both working copies
        assertThrows(InvalidMutationException.class, () -> batch.unmap(B, 0, BLOCK));

        // a batch that started from the half-applied copies would find A unmapped and the device free
        assertThrows(InvalidMutationException.class, () -> index.newBatch().map(B, 0, MIB, BLOCK, 0));
        index.newBatch().unmap(A, 0, BLOCK).commit();
        assertEquals(List.of(
            new Rec(0, MIB + BLOCK, Owner.FREE, 0, SPECIAL),
            new Rec(MIB + BLOCK, 15 * BLOCK, A, BLOCK, 0)), scan(MIB, MIB + 16 * BLOCK - 1));
        assertEquals(List.of(new Extent(BLOCK, MIB + BLOCK, 15 * BLOCK, 0)), forward(A));
    }

    @Test
    void shouldNotReuseWhatAnAbortedBatchChanged()
    {
        create();
        final Batch batch = index.newBatch();
        batch.unmap(A, 0, 8 * BLOCK).map(A, 0, 2 * MIB, 8 * BLOCK, 0);
        batch.abort();

        index.newBatch().unmap(A, 8 * BLOCK, 8 * BLOCK).commit();
        // the aborted batch had moved A's first half to 2 MiB: those bytes are free, and A's are still A's
        index.newBatch().map(B, 0, 2 * MIB, 8 * BLOCK, 0).commit();
        assertEquals(List.of(
            new Rec(MIB, 8 * BLOCK, A, 0, 0),
            new Rec(MIB + 8 * BLOCK, MIB - 8 * BLOCK, Owner.FREE, 0, SPECIAL),
            new Rec(2 * MIB, 8 * BLOCK, B, 0, 0)), scan(MIB, 2 * MIB + 8 * BLOCK - 1));
        assertEquals(List.of(new Extent(0, MIB, 8 * BLOCK, 0)), forward(A));
    }

    @Test
    void shouldDecodeAgainAfterACompactionRenumbersShareGroups()
    {
        create();
        // B shares A's first half: those pieces name a share group
        index.newBatch().reflink(A, 0, B, 0, 8 * BLOCK).commit();
        index.newBatch().unmap(A, 12 * BLOCK, BLOCK).commit();
        index.compactNow();
        assertEquals(0, index.writerCache.size(), "a compaction empties the cache");

        // A leaves the group: the piece must end up B's alone, whatever number the compaction gave the group
        index.newBatch().unmap(A, 0, BLOCK).commit();
        // records are each owner's longest runs; a run any of whose bytes are shared is flagged shared
        assertEquals(List.of(
            new Rec(MIB, 8 * BLOCK, B, 0, S),
            new Rec(MIB + BLOCK, 11 * BLOCK, A, BLOCK, S),
            new Rec(MIB + 12 * BLOCK, BLOCK, Owner.FREE, 0, SPECIAL),
            new Rec(MIB + 13 * BLOCK, 3 * BLOCK, A, 13 * BLOCK, 0)), scan(MIB, MIB + 16 * BLOCK - 1));
        assertEquals(List.of(
            new Extent(BLOCK, MIB + BLOCK, 11 * BLOCK, 0),
            new Extent(13 * BLOCK, MIB + 13 * BLOCK, 3 * BLOCK, 0)), forward(A));
    }

    @Test
    void shouldNotKeepTheArraysATruncateOfALargeMapLoaded()
    {
        index = ReverseIndex.create(IndexConfig.of(new DeviceGeometry(0x10301, 64 * MIB, (int)BLOCK)));
        final int extents = 2000;
        final Batch batch = index.newBatch();
        for (int i = 0; i < extents; i++)
        {
            // every other device block: no two extents join
            batch.map(A, i * BLOCK, 2 * i * BLOCK, BLOCK, 0);
        }
        batch.commit();
        index.newBatch().truncate(A, BLOCK).commit();

        final MutableExtents kept = index.writerCache.peekForward(index.current().ownerId(A));
        assertEquals(1, kept.count);
        assertTrue(kept.file.length <= 4 * ForwardRootDescriptor.CHUNK_EXTENTS, "capacity=" + kept.file.length);
        reader = index.newReader();
        assertEquals(List.of(new Extent(0, 0, BLOCK, 0)), forward(A));
        // the kept copy still serves the next batch
        index.newBatch().map(A, BLOCK, 2 * BLOCK, BLOCK, 0).commit();
        assertEquals(List.of(new Extent(0, 0, BLOCK, 0), new Extent(BLOCK, 2 * BLOCK, BLOCK, 0)), forward(A));
    }

    @Test
    void shouldDropTheCopiesAnAbortedBatchStillOwns()
    {
        create();
        final int kept = index.writerCache.size();
        final Batch batch = index.newBatch();
        // a new owner and a stripe of its own: two copies decoded for this batch alone
        batch.map(B, 0, 3 * MIB, BLOCK, 0);
        assertTrue(index.writerCache.size() > kept, "size=" + index.writerCache.size());
        batch.abort();

        assertTrue(index.writerCache.size() <= kept, "size=" + index.writerCache.size());
        index.newBatch().map(B, 0, 3 * MIB + BLOCK, BLOCK, 0).commit();
        assertEquals(List.of(new Rec(3 * MIB + BLOCK, BLOCK, B, 0, 0)), scan(3 * MIB + BLOCK, 3 * MIB + BLOCK));
        assertEquals(List.of(new Extent(0, 3 * MIB + BLOCK, BLOCK, 0)), forward(B));
    }

    @Test
    void shouldLeaveAnOpenBatchItsCopiesWhenABulkLoadIsRefused()
    {
        index = ReverseIndex.create(IndexConfig.of(new DeviceGeometry(0x10301, 4 * MIB, (int)BLOCK)));
        final Batch batch = index.newBatch();
        batch.map(A, 0, MIB, BLOCK, 0);
        // the index is empty, but the writer is the batch's
        assertThrows(IllegalStateException.class, () -> index.bulkLoad(10));
        batch.map(B, 0, 2 * MIB, BLOCK, 0).map(A, BLOCK, MIB + BLOCK, BLOCK, 0);
        batch.commit();

        reader = index.newReader();
        assertEquals(List.of(new Rec(MIB, 2 * BLOCK, A, 0, 0)), scan(MIB, MIB + 2 * BLOCK - 1));
        assertEquals(List.of(new Extent(0, MIB, 2 * BLOCK, 0)), forward(A));
        assertEquals(List.of(new Extent(0, 2 * MIB, BLOCK, 0)), forward(B));
    }

    @Test
    void shouldKeepABatchsOwnCopiesPastTheLimit()
    {
        // stripes of 2 MiB
        index = ReverseIndex.create(IndexConfig.of(new DeviceGeometry(0x10301, 64L << 30, (int)BLOCK)));
        assertEquals(2 * MIB, index.current().stripeEnd(0));
        final int owners = WriterCache.LIMIT + 10;
        final long first = Owner.data(1000);
        final Batch batch = index.newBatch();
        for (int o = 0; o < owners; o++)
        {
            // a stripe and an owner each: the cache holds more of each than its limit while the batch is open
            batch.map(Owner.data(1000 + o), 0, (long)o * 2 * MIB, BLOCK, 0);
        }
        // back to the first stripe and forward map: their copies, with the first map in them, must still be the batch's
        batch.map(first, BLOCK, BLOCK, BLOCK, 0);
        batch.commit();

        reader = index.newReader();
        assertEquals(List.of(new Rec(0, 2 * BLOCK, first, 0, 0)), scan(0, 2 * BLOCK - 1));
        assertEquals(List.of(new Extent(0, 0, 2 * BLOCK, 0)), forward(first));
        assertTrue(index.writerCache.size() <= 2 * WriterCache.LIMIT, "size=" + index.writerCache.size());
    }

    @Test
    void shouldKeepAtMostTheLimitOfEachKind()
    {
        index = ReverseIndex.create(IndexConfig.of(new DeviceGeometry(0x10301, 16L << 30, (int)BLOCK)));
        final int owners = WriterCache.LIMIT + 10;
        for (int i = 0; i < owners; i += 256)
        {
            final Batch batch = index.newBatch();
            for (int o = i; o < Math.min(owners, i + 256); o++)
            {
                // one owner and one 1 MiB-apart device block each: distinct forward maps, a 2 MiB stripe for two
                batch.map(Owner.data(1000 + o), 0, (long)o * MIB, BLOCK, 0);
            }
            batch.commit();
        }
        assertTrue(index.writerCache.size() <= 2 * WriterCache.LIMIT, "size=" + index.writerCache.size());
        reader = index.newReader();
        assertEquals(List.of(new Extent(0, (long)(owners - 1) * MIB, BLOCK, 0)), forward(Owner.data(1000 + owners - 1)));
    }
}
