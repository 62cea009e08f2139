package io.daxrmap.index;

import io.daxrmap.model.Owner;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keyed stripes ({@link StripeDescriptor#KEYED}) written by {@link MutableStripe#write}, against the layout the class
 * comment specifies, laid out here byte by byte: after the deltas, each piece's inode less the lowest in the fewest
 * whole bytes that hold the largest, then the lowest.
 */
class KeyedStripeTest
{
    private static final int BLOCK = 4096;

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void shouldCarryTheInodesOfDataForksAsSpecified(final long seed)
    {
        final SplittableRandom rnd = new SplittableRandom(seed);
        final Arena arena = new Arena();
        for (int round = 0; round < 300; round++)
        {
            final int owners = 1 + rnd.nextInt(40);
            final long[] keys = new long[owners];
            // inodes spread over 2^0 .. 2^60 numbers: stored in 1 to 8 bytes
            final long spread = rnd.nextInt(61);
            final long lowest = rnd.nextLong(Owner.MAX_INODE - (1L << spread) + 2);
            for (int o = 0; o < owners; o++)
            {
                keys[o] = Owner.data(lowest + (spread == 0 ? 0 : rnd.nextLong(1L << spread)));
            }
            final int count = 1 + rnd.nextInt(rnd.nextBoolean() ? 16 : 2000);
            final int[] rel = new int[count];
            final int[] values = new int[count];
            final long[] deltas = new long[count];
            for (int i = 0; i < count; i++)
            {
                rel[i] = i * BLOCK;
                values[i] = switch (rnd.nextInt(5))
                {
                    case 0 -> PieceValue.EMPTY;
                    case 1 -> PieceValue.shared(rnd.nextInt(1000));
                    default -> PieceValue.single(rnd.nextInt(owners), rnd.nextInt(2));
                };
                deltas[i] = BLOCK * (long)(rnd.nextInt(1 << 20) - (1 << 19));
            }
            values[rnd.nextInt(count)] = PieceValue.single(rnd.nextInt(owners), 0);
            assertKeyed(arena, count, rel, values, deltas, keys, "seed " + seed + " round " + round);
        }
    }

    @Test
    void shouldKeyOnlyStripesWhoseSingleOwnersAreAllDataForks()
    {
        final Arena arena = new Arena();
        final long[] keys = {Owner.data(500), Owner.attr(501), Owner.XFS_INODES, Owner.dataBmbt(7), Owner.data(9)};
        final int[] rel = {0, BLOCK, 2 * BLOCK};
        final long[] deltas = {0, BLOCK, 0};
        assertTrue(keyed(arena, new int[] {PieceValue.single(0, 0), PieceValue.EMPTY, PieceValue.single(4, 1)}, rel,
            deltas, keys));
        for (int other = 1; other <= 3; other++)
        {
            assertFalse(keyed(arena, new int[] {PieceValue.single(0, 0), PieceValue.single(other, 0),
                PieceValue.EMPTY}, rel, deltas, keys), Owner.toString(keys[other]));
        }
        // no single owner: nothing to key
        assertFalse(keyed(arena, new int[] {PieceValue.EMPTY, PieceValue.shared(3), PieceValue.EMPTY}, rel, deltas,
            keys));
        // a wide stripe (a delta past 2^31 blocks) is never keyed
        final long far = ((long)BLOCK << 31) + BLOCK;
        assertFalse(keyed(arena, new int[] {PieceValue.single(0, 0), PieceValue.EMPTY, PieceValue.single(4, 0)}, rel,
            new long[] {BLOCK, far, 0}, keys));
    }

    @Test
    void shouldKeyNoStripeOfMorePiecesThanAKeyedHeaderCounts()
    {
        final Arena arena = new Arena();
        final long[] keys = {Owner.data(1), Owner.data(2)};
        for (final int count : new int[] {StripeDescriptor.MAX_KEYED_COUNT, StripeDescriptor.MAX_KEYED_COUNT + 1})
        {
            final int[] rel = new int[count];
            final int[] values = new int[count];
            for (int i = 0; i < count; i++)
            {
                rel[i] = i * 512;
                values[i] = PieceValue.single(i & 1, 0);
            }
            final long address =
                MutableStripe.write(arena, null, 0, count, rel, values, new long[count], byPiece(values, count, keys));
            final int header = StripeDescriptor.header(arena.buffer(address), Arena.offset(address));
            assertEquals(count <= StripeDescriptor.MAX_KEYED_COUNT, StripeDescriptor.keyed(header), count + " pieces");
            assertTrue((header & StripeDescriptor.NARROW) != 0, "narrow");
            assertEquals(count, StripeDescriptor.count(arena.buffer(address), Arena.offset(address)));
        }
    }

    @Test
    void shouldRefuseHeadersNoStripeHas()
    {
        assertThrows(IllegalArgumentException.class,
            () -> StripeDescriptor.header(1, new int[] {0}, new long[] {0}, 9));
        // keyed without narrow: only in a damaged block
        assertEquals(-1, StripeDescriptor.lengthOfHeader(StripeDescriptor.KEYED | 3));
        assertEquals(-1, StripeDescriptor.lengthOfHeader(StripeDescriptor.KEYED | StripeDescriptor.NARROW));
        // 3 pieces with 2-byte inodes: header 8, starts 6 + 2 padding, base 8, records of 4 + 4 + 2
        final int keyed = StripeDescriptor.KEYED | StripeDescriptor.NARROW;
        assertEquals(54, StripeDescriptor.lengthOfHeader(keyed | 1 << 14 | 3));
    }

    /**
     * The owner key of each piece's single owner, as {@link MutableStripe#write} takes them; -1 for other pieces,
     * which it must not read.
     */
    private static long[] byPiece(final int[] values, final int count, final long[] keysById)
    {
        final long[] keys = new long[count];
        for (int i = 0; i < count; i++)
        {
            keys[i] = PieceValue.isSingle(values[i]) ? keysById[PieceValue.ownerId(values[i])] : -1;
        }
        return keys;
    }

    private static void little(final ByteArrayOutputStream out, final long value, final int bytes)
    {
        for (int b = 0; b < bytes; b++)
        {
            out.write((int)(value >>> 8 * b));
        }
    }

    private static boolean keyed(final Arena arena, final int[] values, final int[] rel, final long[] deltas,
        final long[] keys)
    {
        final long address = MutableStripe.write(arena, null, 0, values.length, rel, values, deltas,
            byPiece(values, values.length, keys));
        final UnsafeBuffer buffer = arena.buffer(address);
        final int offset = Arena.offset(address);
        for (int i = 0; i < values.length; i++)
        {
            assertEquals(values[i], StripeDescriptor.value(buffer, offset, i));
            assertEquals(deltas[i], StripeDescriptor.delta(buffer, offset, i));
        }
        final int header = StripeDescriptor.header(buffer, offset);
        assertEquals(deltas[1] == ((long)BLOCK << 31) + BLOCK, (header & StripeDescriptor.NARROW) == 0, "wide");
        return StripeDescriptor.keyed(header);
    }

    private static void assertKeyed(final Arena arena, final int count, final int[] rel, final int[] values,
        final long[] deltas, final long[] keys, final String what)
    {
        final long address =
            MutableStripe.write(arena, null, 0, count, rel, values, deltas, byPiece(values, count, keys));
        final UnsafeBuffer buffer = arena.buffer(address);
        final int offset = Arena.offset(address);
        final int header = StripeDescriptor.header(buffer, offset);
        final boolean narrow = (header & StripeDescriptor.NARROW) != 0;
        assertEquals(narrow && count <= StripeDescriptor.MAX_KEYED_COUNT, StripeDescriptor.keyed(header), what);
        // sealed where slab files keep the block, and only there
        assertEquals(arena.sealsBlocks(), StripeDescriptor.intact(buffer, offset), what);
        assertEquals(count, StripeDescriptor.count(buffer, offset), what);
        for (int i = 0; i < count; i++)
        {
            assertEquals(rel[i], StripeDescriptor.relStart(buffer, offset, i), what);
            assertEquals(values[i], StripeDescriptor.value(buffer, offset, i), what);
            assertEquals(deltas[i], StripeDescriptor.delta(buffer, offset, i), what);
        }
        if (!StripeDescriptor.keyed(header))
        {
            return;
        }
        long lowest = Long.MAX_VALUE;
        long highest = Long.MIN_VALUE;
        for (int i = 0; i < count; i++)
        {
            if (PieceValue.isSingle(values[i]))
            {
                lowest = Math.min(lowest, Owner.inode(keys[PieceValue.ownerId(values[i])]));
                highest = Math.max(highest, Owner.inode(keys[PieceValue.ownerId(values[i])]));
            }
        }
        final int bytes = highest == lowest ? 1 : (Long.toBinaryString(highest - lowest).length() + 7) / 8;
        long deltaBits = 0;
        for (int i = 0; i < count; i++)
        {
            deltaBits |= deltas[i];
        }
        final int deltaShift = deltaBits == 0 ? 0 : Long.numberOfTrailingZeros(deltaBits);
        final ByteArrayOutputStream expected = new ByteArrayOutputStream();
        little(expected, lowest, 8);
        for (int i = 0; i < count; i++)
        {
            little(expected, values[i], 4);
            little(expected, deltas[i] >> deltaShift, 4);
            little(expected, PieceValue.isSingle(values[i]) ?
                Owner.inode(keys[PieceValue.ownerId(values[i])]) - lowest : 0, bytes);
        }
        // the keyed section ends the block: the inode base after the starts (padded to 4 bytes), then the records
        final int baseAt = StripeDescriptor.HEADER_LENGTH + (count * 2 + 3 & -4);
        final int length = StripeDescriptor.blockLength(buffer, offset);
        assertEquals(baseAt + expected.size(), length, what + ": length");
        final byte[] stored = new byte[expected.size()];
        buffer.getBytes(offset + baseAt, stored);
        assertArrayEquals(expected.toByteArray(), stored, what + ": base and records");
        for (int i = 0; i < count; i++)
        {
            if (PieceValue.isSingle(values[i]))
            {
                assertEquals(Owner.inode(keys[PieceValue.ownerId(values[i])]),
                    StripeDescriptor.inode(buffer, offset, header, i), what + ": piece " + i);
            }
        }
    }
}
