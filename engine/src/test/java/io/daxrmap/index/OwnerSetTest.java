package io.daxrmap.index;

import org.junit.jupiter.api.Test;
import org.roaringbitmap.RoaringBitmap;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link OwnerSet#groupIsRun}: the readers count through a group's owners when it says so, so it must be true exactly
 * when the bitmap holds every id from its first to its last.
 */
class OwnerSetTest
{
    @Test
    void shouldCallAGroupARunExactlyWhenNoIdIsMissing()
    {
        final SplittableRandom random = new SplittableRandom(Long.getLong("daxrmap.seed", 11));
        for (int round = 0; round < 2_000; round++)
        {
            // ranges near a container boundary (65,536 ids) as well as within one
            final int first = random.nextBoolean() ? random.nextInt(1_000) : 65_536 - random.nextInt(40);
            final int count = 1 + random.nextInt(round % 10 == 0 ? 70_000 : 80);
            final RoaringBitmap owners = new RoaringBitmap();
            owners.add((long)first, (long)first + count);
            if (random.nextInt(3) == 0 && count > 2)
            {
                owners.remove(first + 1 + random.nextInt(count - 2)); // a hole inside: never a run
            }
            if (random.nextBoolean())
            {
                owners.runOptimize();
            }
            final OwnerSet set = OwnerSet.of(new long[]{0}, new int[]{0}, new RoaringBitmap[]{owners});
            assertEquals(expectedIsRun(owners), set.groupIsRun(0), () -> "owners=" + owners);
        }
    }

    @Test
    void shouldCallEachGroupOfASetOnItsOwn()
    {
        final OwnerSet set = OwnerSet.of(new long[]{0, 4096}, new int[]{0, 0},
            new RoaringBitmap[]{RoaringBitmap.bitmapOf(3, 5), RoaringBitmap.bitmapOf(7, 8, 9)});
        assertEquals(false, set.groupIsRun(0));
        assertEquals(true, set.groupIsRun(1));
    }

    private static boolean expectedIsRun(final RoaringBitmap owners)
    {
        for (int id = owners.first(); id <= owners.last(); id++)
        {
            if (!owners.contains(id))
            {
                return false;
            }
        }
        return true;
    }
}
