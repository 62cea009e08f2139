package io.daxrmap.index;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.BitSet;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Packed chunks ({@link ExtentsDescriptor#PACKED}) against an independent encoder: the fields' widths counted from
 * their binary strings and the bits laid with a {@link BitSet}, as the class comment specifies them.
 */
class PackedChunkTest
{
    private static final long BLOCK = 4096;

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
    void shouldStoreChunksOfAFileAsTheSpecifiedBitsAndReadThemBack(final long seed)
    {
        final SplittableRandom rnd = new SplittableRandom(seed);
        for (int round = 0; round < 200; round++)
        {
            final int n = 1 + rnd.nextInt(rnd.nextBoolean() ? 32 : 300);
            final long[] file = new long[n];
            final long[] device = new long[n];
            final long[] length = new long[n];
            final int[] flags = new int[n];
            // granularity: blocks, sectors, or bytes; fields near or far; a file's extents one after another or apart
            final long unit = switch (rnd.nextInt(3))
            {
                case 0 -> BLOCK;
                case 1 -> 512;
                default -> 1;
            };
            final long maxLength = unit << (1 + rnd.nextInt(rnd.nextBoolean() ? 5 : 24));
            final long deviceSpan = unit << (1 + rnd.nextInt(40));
            final long deviceBase = rnd.nextBoolean() ? 0 : unit * rnd.nextLong(1L << 40);
            long at = rnd.nextBoolean() ? 0 : unit * rnd.nextLong(1L << 44);
            for (int i = 0; i < n; i++)
            {
                length[i] = unit * (1 + rnd.nextLong(maxLength / unit));
                file[i] = at;
                at += length[i] + (rnd.nextInt(4) == 0 ? unit * rnd.nextLong(1 << 12) : 0);
                device[i] = deviceBase + unit * rnd.nextLong(deviceSpan / unit);
                flags[i] = rnd.nextInt(8) == 0 ? rnd.nextInt(256) : rnd.nextInt(2);
            }
            assertChunk(file, device, length, flags, "seed " + seed + " round " + round);
        }
    }

    @Test
    void shouldPackUpToFiftySevenBitsAnExtentAndNoMore()
    {
        // widths 10 + 40 + 5 + 2 = 57: packed
        final long[] file = blocks(0, 100, 200, 300, 400, 500, 600, 1000);
        final long[] device = blocks((1L << 40) - 1, 0, 5, 7, 9, 11, 13, 15);
        final long[] length = blocks(16, 31, 1, 1, 1, 1, 1, 1);
        final int[] flags = {3, 0, 1, 0, 0, 0, 0, 0};
        final UnsafeBuffer packed = assertChunk(file, device, length, flags, "57 bits");
        assertEquals(ExtentsDescriptor.PACKED, header(packed) & (ExtentsDescriptor.PACKED | ExtentsDescriptor.NARROW));
        assertEquals(57, header(packed) >>> 23 & 63);
        // one bit more anywhere: not packed
        for (int field = 0; field < 4; field++)
        {
            final long[] f = file.clone();
            final long[] d = device.clone();
            final long[] l = length.clone();
            final int[] g = flags.clone();
            switch (field)
            {
                case 0 -> f[7] = BLOCK * 1024;
                case 1 -> d[0] = BLOCK * (1L << 40);
                case 2 -> l[1] = BLOCK * 32;
                default -> g[0] = 4;
            }
            final UnsafeBuffer buffer = assertChunk(f, d, l, g, "58 bits, field " + field);
            assertEquals(0, header(buffer) & ExtentsDescriptor.PACKED, "58 bits, field " + field);
        }
    }

    @Test
    void shouldPackOnlyWhereThatIsShorterAndAllowed()
    {
        final long[] file = {0, BLOCK, 2 * BLOCK, 3 * BLOCK};
        final long[] device = {BLOCK * 900, BLOCK * 17, BLOCK * 5000, BLOCK * 3};
        final long[] length = {BLOCK, BLOCK, BLOCK, BLOCK};
        final int[] flags = {0, 0, 0, 0};
        for (int n = 1; n <= file.length; n++)
        {
            final int narrow = ExtentsDescriptor.header(file, device, length, flags, 0, n, false);
            final int best = ExtentsDescriptor.header(file, device, length, flags, 0, n, true);
            assertTrue((narrow & ExtentsDescriptor.NARROW) != 0);
            assertTrue(ExtentsDescriptor.lengthOfHeader(best) <= ExtentsDescriptor.lengthOfHeader(narrow));
            // one or two extents: the packed header costs more than it saves
            assertEquals(n >= 3, (best & ExtentsDescriptor.PACKED) != 0, n + " extents");
        }
    }

    @Test
    void shouldRefuseHeadersNoPackedChunkHas()
    {
        final int packed = ExtentsDescriptor.PACKED;
        assertEquals(-1, ExtentsDescriptor.lengthOfHeader(packed | 1), "width 0");
        assertEquals(-1, ExtentsDescriptor.lengthOfHeader(packed | 58 << 23 | 1), "width 58");
        assertEquals(-1, ExtentsDescriptor.lengthOfHeader(packed | 10 << 23), "no extents");
        assertEquals(ExtentsDescriptor.PACKED_HEADER_LENGTH + Long.BYTES,
            ExtentsDescriptor.lengthOfHeader(packed | 57 << 23 | 1));
        // 10 extents of 57 bits: the last starts in byte 64 (bit 513) and is read with one 8-byte load
        assertEquals(ExtentsDescriptor.PACKED_HEADER_LENGTH + 64 + Long.BYTES,
            ExtentsDescriptor.lengthOfHeader(packed | 57 << 23 | 10));
        // what a wide chunk of 2^29 or more extents was: never a length an int counts
        assertEquals(-1, ExtentsDescriptor.lengthOfHeader(packed | 63 << 23 | 5));
    }

    /**
     * Write the extents as the index does (packable), check the block against the independent encoder, read it back
     * every way, and check that {@link ExtentsDescriptor#matches} tells it from one extent changed.
     */
    private static UnsafeBuffer assertChunk(
        final long[] file, final long[] device, final long[] length, final int[] flags, final String what)
    {
        final int n = file.length;
        final int header = ExtentsDescriptor.header(file, device, length, flags, 0, n, true);
        final int bytes = ExtentsDescriptor.lengthOfHeader(header);
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(bytes));
        ExtentsDescriptor.write(buffer, 0, header, file, device, length, flags, 0, n);
        ExtentsDescriptor.seal(buffer, 0);
        assertTrue(ExtentsDescriptor.intact(buffer, 0), what);
        final Expected expected = expected(file, device, length, flags);
        final int unpacked = ExtentsDescriptor.header(file, device, length, flags, 0, n, false);
        final boolean shouldPack = expected.width <= ExtentsDescriptor.MAX_PACKED_WIDTH &&
            expected.bytes() < ExtentsDescriptor.lengthOfHeader(unpacked);
        assertEquals(shouldPack, (header & ExtentsDescriptor.PACKED) != 0 && (header & ExtentsDescriptor.NARROW) == 0,
            what + ": packed");
        if (shouldPack)
        {
            assertEquals(expected.bytes(), buffer.capacity(), what + ": bytes");
            assertEquals(expected.layout, buffer.getInt(ExtentsDescriptor.PACKED_LAYOUT_OFFSET,
                ExtentsDescriptor.BYTE_ORDER), what + ": layout");
            assertEquals(expected.fileBase, buffer.getLong(ExtentsDescriptor.PACKED_FILE_BASE_OFFSET,
                ExtentsDescriptor.BYTE_ORDER), what + ": file base");
            assertEquals(expected.deviceBase, buffer.getLong(ExtentsDescriptor.PACKED_DEVICE_BASE_OFFSET,
                ExtentsDescriptor.BYTE_ORDER), what + ": device base");
            final byte[] bits = new byte[buffer.capacity() - ExtentsDescriptor.PACKED_HEADER_LENGTH];
            buffer.getBytes(ExtentsDescriptor.PACKED_HEADER_LENGTH, bits);
            assertArrayEquals(Arrays.copyOf(expected.bits.toByteArray(), bits.length), bits, what + ": bits");
        }
        assertEquals(n, ExtentsDescriptor.count(buffer, 0), what);
        final long[] f = new long[n + 2];
        final long[] d = new long[n + 2];
        final long[] l = new long[n + 2];
        final int[] g = new int[n + 2];
        ExtentsDescriptor.read(buffer, 0, n, f, d, l, g, 1);
        for (int i = 0; i < n; i++)
        {
            final String extent = what + ": extent " + i;
            assertEquals(file[i], ExtentsDescriptor.fileOffset(buffer, 0, i), extent);
            assertEquals(device[i], ExtentsDescriptor.deviceOffset(buffer, 0, i), extent);
            assertEquals(length[i], ExtentsDescriptor.length(buffer, 0, i), extent);
            assertEquals(flags[i], ExtentsDescriptor.flags(buffer, 0, i), extent);
            assertEquals(file[i], f[i + 1], extent);
            assertEquals(device[i], d[i + 1], extent);
            assertEquals(length[i], l[i + 1], extent);
            assertEquals(flags[i], g[i + 1], extent);
            assertEquals(i, ExtentsDescriptor.firstEndingAfter(buffer, 0, file[i]), extent);
            assertEquals(i, ExtentsDescriptor.firstEndingAfter(buffer, 0, file[i] + length[i] - 1), extent);
        }
        assertEquals(n, ExtentsDescriptor.firstEndingAfter(buffer, 0, file[n - 1] + length[n - 1]), what);
        assertTrue(ExtentsDescriptor.matches(buffer, 0, header, file, device, length, flags, 0, n), what);
        final int changed = n / 2;
        final long[] moved = device.clone();
        moved[changed] ^= lowestBit(device[changed] | length[changed] | file[changed]);
        final int movedHeader = ExtentsDescriptor.header(file, moved, length, flags, 0, n, true);
        assertFalse(ExtentsDescriptor.matches(buffer, 0, movedHeader, file, moved, length, flags, 0, n),
            what + ": moved extent");
        final int[] flagged = flags.clone();
        flagged[changed] ^= 1;
        final int flaggedHeader = ExtentsDescriptor.header(file, device, length, flagged, 0, n, true);
        assertFalse(ExtentsDescriptor.matches(buffer, 0, flaggedHeader, file, device, length, flagged, 0, n),
            what + ": changed flags");
        return buffer;
    }

    private static long[] blocks(final long... blocks)
    {
        return Arrays.stream(blocks).map(b -> b * BLOCK).toArray();
    }

    private static long lowestBit(final long bits)
    {
        return bits == 0 ? 1 : Long.lowestOneBit(bits);
    }

    private static int header(final UnsafeBuffer buffer)
    {
        return buffer.getInt(0, ExtentsDescriptor.BYTE_ORDER);
    }

    private record Expected(int count, int width, int layout, long fileBase, long deviceBase, BitSet bits)
    {
        int bytes()
        {
            // a header, the extents' bits, and room to read the last extent with an 8-byte load
            return ExtentsDescriptor.PACKED_HEADER_LENGTH + (int)((long)(count - 1) * width / 8) + 8;
        }
    }

    private static Expected expected(final long[] file, final long[] device, final long[] length, final int[] flags)
    {
        final int n = file.length;
        long all = 0;
        for (int i = 0; i < n; i++)
        {
            all |= file[i] | device[i] | length[i];
        }
        final int shift = Long.numberOfTrailingZeros(all);
        final long fileBase = file[0] >> shift;
        final long deviceBase = Arrays.stream(device).map(v -> v >> shift).min().orElseThrow();
        int wf = 0;
        int wd = 0;
        int wl = 0;
        int wg = 0;
        for (int i = 0; i < n; i++)
        {
            wf = Math.max(wf, bits((file[i] >> shift) - fileBase));
            wd = Math.max(wd, bits((device[i] >> shift) - deviceBase));
            wl = Math.max(wl, bits(length[i] >> shift));
            wg = Math.max(wg, bits(flags[i]));
        }
        final int width = wf + wd + wl + wg;
        final BitSet bits = new BitSet();
        for (int i = 0; i < n; i++)
        {
            int at = i * width;
            at = lay(bits, at, (file[i] >> shift) - fileBase, wf);
            at = lay(bits, at, (device[i] >> shift) - deviceBase, wd);
            at = lay(bits, at, length[i] >> shift, wl);
            lay(bits, at, flags[i], wg);
        }
        return new Expected(n, width, shift | wf << 6 | wd << 12 | wl << 18 | wg << 24, fileBase, deviceBase, bits);
    }

    /** Bits a non-negative value needs: the length of its binary string, none for 0. */
    private static int bits(final long value)
    {
        return value == 0 ? 0 : Long.toBinaryString(value).length();
    }

    private static int lay(final BitSet bits, final int at, final long value, final int width)
    {
        for (int b = 0; b < width; b++)
        {
            bits.set(at + b, (value >>> b & 1) != 0);
        }
        return at + width;
    }
}
