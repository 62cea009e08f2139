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
        assertEquals(0, Arena.offset(a));
        assertEquals(8, Arena.offset(b));
        assertEquals(24, Arena.offset(c));
        assertEquals(a >>> 32, c >>> 32);
    }
}
