package io.daxrmap.index;

import io.daxrmap.model.Owner;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link OwnerTable#internNew}, the log replay's way in, against interning one owner at a time; a reader's view of
 * the id map while the writer adds owners; the memory the table takes.
 */
class OwnerTableTest
{
    @Test
    void shouldGiveTheIdsThatInterningOneByOneGives()
    {
        final SplittableRandom random = new SplittableRandom(Long.getLong("daxrmap.seed", 7));
        for (int round = 0; round < 20; round++)
        {
            final OwnerTable oneByOne = new OwnerTable();
            final OwnerTable bulk = new OwnerTable();
            int next = 0;
            for (int record = 0; record < 4; record++)
            {
                final int n = random.nextInt(round < 10 ? 100 : 200_000);
                final long[] owners = new long[n];
                for (int i = 0; i < n; i++)
                {
                    owners[i] = random.nextBoolean() ? Owner.data(next + i) : Owner.attr(3L * (next + i));
                    assertEquals(next + i, oneByOne.intern(owners[i]));
                }
                assertEquals(-1, bulk.internNew(owners, n));
                next += n;
                assertEquals(next, bulk.count());
                for (int id = 0; id < next; id++)
                {
                    assertEquals(oneByOne.key(id), bulk.key(id));
                    assertEquals(id, bulk.idOf(bulk.key(id)));
                }
                assertEquals(-1, bulk.idOf(Owner.data(next + 1_000_000)));
            }
        }
    }

    @Test
    void shouldNameAnOwnerListedTwice()
    {
        final OwnerTable table = new OwnerTable();
        assertEquals(-1, table.internNew(new long[] {Owner.data(1), Owner.data(2)}, 2));
        assertEquals(2, new OwnerTable().internNew(new long[] {Owner.data(1), Owner.data(2), Owner.data(1)}, 3),
            "the later of two ids");
        final int twice = table.internNew(new long[] {Owner.data(3), Owner.data(2)}, 2);
        assertEquals(3, twice, "the new id of an owner already known");
    }

    @Test
    void shouldAnswerAReaderFromItsSnapshotWhileTheWriterAddsOwners()
    {
        final OwnerTable table = new OwnerTable();
        for (int i = 0; i < 1_000; i++)
        {
            table.intern(Owner.data(7L * i));
        }
        final long[] keys = table.keys();
        final int count = table.count();
        final OwnerTable.IdMap map = table.idMap();
        for (int i = 0; i < 300; i++)
        {
            table.intern(Owner.attr(11L * i));
        }
        assertSame(map, table.idMap(), "the map the reader holds is the one the writer adds to");
        for (int i = 0; i < 1_000; i++)
        {
            assertEquals(i, map.get(Owner.data(7L * i), keys, count));
        }
        for (int i = 0; i < 300; i++)
        {
            assertEquals(-1, map.get(Owner.attr(11L * i), keys, count), "an owner newer than the snapshot");
            assertEquals(1_000 + i, map.get(Owner.attr(11L * i), table.keys(), table.count()));
        }
    }

    /**
     * A writer interning owners one by one, publishing its keys, count and map after each as a batch publishes a
     * snapshot, and a reader on the other core probing what it last saw: every owner it can name is found with its
     * id, and an owner the writer adds next is not, though the writer may be putting it into the very map probed.
     */
    @Test
    void shouldAnswerAReaderOnAnotherThreadWhileTheWriterAddsOwners() throws InterruptedException
    {
        final int owners = 300_000;
        final OwnerTable table = new OwnerTable();
        final AtomicReference<Object[]> published = new AtomicReference<>(new Object[] {table.keys(), 0, table.idMap()});
        final AtomicReference<String> failure = new AtomicReference<>();
        final AtomicLong probes = new AtomicLong();
        final Thread reader = new Thread(() ->
        {
            try
            {
                probe(owners, published, failure, probes);
            }
            catch (final Throwable ex)
            {
                failure.set(ex.toString());
            }
        });
        reader.start();
        for (int i = 0; i < owners; i++)
        {
            assertEquals(i, table.intern(Owner.attr(5L * i)));
            published.set(new Object[] {table.keys(), table.count(), table.idMap()});
        }
        reader.join();
        assertEquals(null, failure.get());
        assertTrue(probes.get() > 0);
    }

    /**
     * Probe the owner table the writer last published until it publishes {@code owners} owners or a probe fails.
     */
    private static void probe(final int owners, final AtomicReference<Object[]> published,
        final AtomicReference<String> failure, final AtomicLong probes)
    {
        final SplittableRandom random = new SplittableRandom(3);
        int count = 0;
        while (count < owners && failure.get() == null)
        {
            final Object[] seen = published.get();
            final long[] keys = (long[])seen[0];
            count = (Integer)seen[1];
            final OwnerTable.IdMap map = (OwnerTable.IdMap)seen[2];
            for (int i = 0; i < 64; i++)
            {
                final int id = count == 0 ? -1 : random.nextInt(count);
                if (id >= 0 && map.get(Owner.attr(5L * id), keys, count) != id)
                {
                    failure.set("id " + id + " of " + count + " not found");
                }
                if (map.get(Owner.attr(5L * count), keys, count) != -1)
                {
                    failure.set("owner " + count + " found in a snapshot of " + count);
                }
                probes.incrementAndGet();
            }
        }
    }

    @Test
    void shouldTakeItsKeysAndFourBytesASlotOnceTrimmed()
    {
        final OwnerTable table = new OwnerTable();
        final int owners = 138_606;
        for (int i = 0; i < owners; i++)
        {
            table.intern(Owner.data(i));
        }
        final long grown = table.bytes();
        // keys grown by a quarter at a time; 4-byte ids in a map grown by doubling to stay at most two thirds full
        assertTrue(grown <= owners * 8L * 5 / 4 + 64 * 8 + (long)Integer.highestOneBit(owners * 3) * 4, "grown: " + grown);
        table.trim();
        assertEquals(owners * 8L + 262_144 * 4L, table.bytes());
        for (int i = 0; i < owners; i++)
        {
            assertEquals(i, table.idOf(Owner.data(i)));
        }
        assertEquals(owners, table.intern(Owner.data(owners)), "a trimmed table grows again");
        assertEquals(owners, table.idOf(Owner.data(owners)));
    }
}
