package io.daxrmap.index;

import io.daxrmap.model.Owner;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link OwnerTable#internNew}, the log replay's way in, against interning one owner at a time.
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
}
