package io.daxrmap.index;

import org.junit.jupiter.api.Test;
import org.roaringbitmap.RoaringBitmap;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * {@link OwnerSet} against a plain model (a sorted map of (delta, flags) to sorted owner ids): random additions and
 * removals, and every set rebuilt from the model's groups as a log replay builds it must equal the one reached step by
 * step, hash included, so that interning finds it. {@link OwnerSet#groupIsRun} must hold exactly when no id is
 * missing between a group's first and last, as readers count through such groups.
 */
class OwnerSetTest
{
    @Test
    void shouldAgreeWithAModelThroughAdditionsAndRemovals()
    {
        final SplittableRandom random = new SplittableRandom(Long.getLong("daxrmap.seed", 11));
        for (int round = 0; round < 300; round++)
        {
            final TreeMap<Long, TreeSet<Integer>> model = new TreeMap<>();
            // owner ids near a bitmap container boundary (65,536) in some rounds, small ones in others
            final int base = round % 3 == 0 ? 65_536 - 20 : random.nextInt(100);
            final int spread = 4 + random.nextInt(60);
            final int a = base + random.nextInt(spread);
            int b = base + random.nextInt(spread);
            final long deltaA = random.nextInt(3) * 4096L;
            final long deltaB = random.nextInt(3) * 4096L;
            if (b == a && deltaA == deltaB)
            {
                b = a + 1;
            }
            OwnerSet set = OwnerSet.of(a, deltaA, 0, b, deltaB, 0);
            add(model, a, deltaA);
            add(model, b, deltaB);
            check(model, set);
            for (int step = 0; step < 200; step++)
            {
                final int owner = base + random.nextInt(spread);
                final long delta = random.nextInt(3) * 4096L;
                final boolean present = model.containsKey(delta) && model.get(delta).contains(owner);
                if (present && size(model) > 2)
                {
                    set = set.without(owner, delta, 0);
                    model.get(delta).remove(owner);
                    if (model.get(delta).isEmpty())
                    {
                        model.remove(delta);
                    }
                }
                else if (!present)
                {
                    set = set.with(owner, delta, 0);
                    add(model, owner, delta);
                }
                check(model, set);
            }
        }
    }

    @Test
    void shouldKeepOnlyGroupsWithHolesAsBitmaps()
    {
        final OwnerSet set = OwnerSet.of(new long[]{0, 4096}, new int[]{0, 0},
            new RoaringBitmap[]{RoaringBitmap.bitmapOf(3, 5), RoaringBitmap.bitmapOf(7, 8, 9)});
        assertEquals(false, set.groupIsRun(0));
        assertEquals(true, set.groupIsRun(1));
        assertNull(set.groupBitmap(1));
        assertEquals(7, set.groupFirst(1));
        assertEquals(9, set.groupLast(1));
        // filling the hole makes the group a run, equal to one built as a run
        final OwnerSet filled = set.with(4, 0, 0);
        assertEquals(true, filled.groupIsRun(0));
        assertEquals(OwnerSet.of(new long[]{0, 4096}, new int[]{0, 0},
            new RoaringBitmap[]{RoaringBitmap.bitmapOf(3, 4, 5), RoaringBitmap.bitmapOf(7, 8, 9)}), filled);
        // a run made directly, as the bulk loader makes full-file clones' sets, is the set a bitmap of it makes
        final OwnerSet run = OwnerSet.ofRun(-8192, 1, 7, 9);
        final OwnerSet fromBitmap = OwnerSet.of(new long[]{-8192}, new int[]{1},
            new RoaringBitmap[]{RoaringBitmap.bitmapOf(7, 8, 9)});
        assertEquals(fromBitmap, run);
        assertEquals(fromBitmap.hashCode(), run.hashCode());
        assertNotEquals(OwnerSet.ofRun(-8192, 0, 7, 9), run);
        assertNotEquals(OwnerSet.ofRun(-8192, 1, 7, 10), run);
    }

    @Test
    void shouldInternEqualSetsOnceAcrossGrowth()
    {
        final OwnerSetTable table = new OwnerSetTable();
        final List<OwnerSet> made = new ArrayList<>();
        for (int i = 0; i < 5_000; i++)
        {
            final OwnerSet set = OwnerSet.of(i, 0, 0, i + 1 + i % 3, 4096L * (i % 2), 0);
            assertEquals(i, table.intern(set));
            made.add(set);
        }
        for (int i = 0; i < made.size(); i++)
        {
            final OwnerSet again = OwnerSet.of(i, 0, 0, i + 1 + i % 3, 4096L * (i % 2), 0);
            assertEquals(i, table.intern(again));
            assertSame(made.get(i), table.get(i));
        }
        assertEquals(made.size(), table.count());
    }

    private static void add(final TreeMap<Long, TreeSet<Integer>> model, final int owner, final long delta)
    {
        model.computeIfAbsent(delta, d -> new TreeSet<>()).add(owner);
    }

    private static int size(final TreeMap<Long, TreeSet<Integer>> model)
    {
        return model.values().stream().mapToInt(TreeSet::size).sum();
    }

    private static void check(final TreeMap<Long, TreeSet<Integer>> model, final OwnerSet set)
    {
        assertEquals(model.size(), set.groupCount(), "groups");
        assertEquals(size(model), set.cardinality(), "cardinality");
        final long[] deltas = new long[model.size()];
        final int[] flags = new int[model.size()];
        final RoaringBitmap[] owners = new RoaringBitmap[model.size()];
        int g = 0;
        for (final Map.Entry<Long, TreeSet<Integer>> group : model.entrySet())
        {
            final TreeSet<Integer> ids = group.getValue();
            assertEquals((long)group.getKey(), set.groupDelta(g));
            assertEquals(ids.first(), set.groupFirst(g));
            assertEquals(ids.last(), set.groupLast(g));
            assertEquals(ids.last() - ids.first() + 1 == ids.size(), set.groupIsRun(g), () -> "ids=" + ids);
            final RoaringBitmap expected = new RoaringBitmap();
            ids.forEach(expected::add);
            assertEquals(expected, set.groupOwners(g));
            for (int id = ids.first() - 1; id <= ids.last() + 1; id++)
            {
                assertEquals(ids.contains(id), set.contains(id, group.getKey(), 0), "contains " + id);
            }
            deltas[g] = group.getKey();
            owners[g++] = expected;
        }
        final OwnerSet rebuilt = OwnerSet.of(deltas, flags, owners);
        assertEquals(rebuilt, set);
        assertEquals(rebuilt.hashCode(), set.hashCode());
    }
}
