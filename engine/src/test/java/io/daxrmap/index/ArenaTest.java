package io.daxrmap.index;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ArenaTest
{
    @Test
    void shouldGiveABlockLargerThanASlabASlabOfItsOwn()
    {
        final Arena arena = new Arena(4096);
        final long small = arena.allocate(100);
        final long large = arena.allocate(10_000);
        final long after = arena.allocate(100);
        assertEquals(0, Arena.offset(large));
        assertNotEquals(small >>> 32, large >>> 32);
        assertNotEquals(large >>> 32, after >>> 32);
        arena.buffer(large).putLong(Arena.offset(large) + 9_992, 42L);
        assertEquals(42L, arena.buffer(large).getLong(Arena.offset(large) + 9_992));
        assertEquals(4096 + 10_000 + 4096, arena.reservedBytes());
        assertTrue(arena.allocatedBytes() >= 10_200);
    }

    @Test
    void shouldAlignAndPackSmallBlocks()
    {
        final Arena arena = new Arena(4096);
        final long a = arena.allocate(1);
        final long b = arena.allocate(9);
        final long c = arena.allocate(8);
        final long d = arena.allocate(13);
        final long e = arena.allocate(4);
        assertEquals(0, Arena.offset(a));
        assertEquals(Arena.ALIGNMENT, Arena.offset(b), "a 1-byte block takes one alignment unit");
        assertEquals(Arena.ALIGNMENT + 12, Arena.offset(c), "9 bytes rounded up to a multiple of 4");
        assertEquals(Arena.ALIGNMENT + 20, Arena.offset(d));
        assertEquals(Arena.ALIGNMENT + 36, Arena.offset(e), "13 bytes rounded up to 16");
        assertEquals(Arena.ALIGNMENT + 40, arena.allocatedBytes());
        assertEquals(Arena.footprint(1) + Arena.footprint(9) + Arena.footprint(8) + Arena.footprint(13) +
            Arena.footprint(4), arena.allocatedBytes(), "footprint is what allocate hands out");
        assertEquals(a >>> 32, e >>> 32);
    }
}
