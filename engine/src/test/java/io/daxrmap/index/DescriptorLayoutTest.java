package io.daxrmap.index;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DescriptorLayoutTest
{
    @Test
    void shouldLayStripeFieldsContiguouslyInDiagramOrder()
    {
        assertEquals(0, StripeDescriptor.COUNT_OFFSET);
        assertEquals(StripeDescriptor.COUNT_OFFSET + Integer.BYTES, StripeDescriptor.CHECKSUM_OFFSET);
        assertEquals(StripeDescriptor.CHECKSUM_OFFSET + Integer.BYTES, StripeDescriptor.HEADER_LENGTH);
        assertEquals(0, StripeDescriptor.PIECE_START_OFFSET);
        assertEquals(StripeDescriptor.PIECE_START_OFFSET + Integer.BYTES, StripeDescriptor.PIECE_VALUE_OFFSET);
        assertEquals(StripeDescriptor.PIECE_VALUE_OFFSET + Integer.BYTES, StripeDescriptor.PIECE_DELTA_OFFSET);
        assertEquals(StripeDescriptor.PIECE_DELTA_OFFSET + Long.BYTES, StripeDescriptor.PIECE_LENGTH);
        assertEquals(0, StripeDescriptor.PIECE_DELTA_OFFSET % Long.BYTES, "delta must be 8-byte aligned");
        assertEquals(0, StripeDescriptor.HEADER_LENGTH % Long.BYTES, "pieces must start 8-byte aligned");
        assertEquals(0, StripeDescriptor.PIECE_LENGTH % Long.BYTES, "pieces must stay 8-byte aligned");
        assertEquals(StripeDescriptor.HEADER_LENGTH + 3 * StripeDescriptor.PIECE_LENGTH,
            StripeDescriptor.lengthOfHeader(3));
        // narrow: starts of 2 bytes padded to 4, then values and deltas of 4 bytes each
        assertEquals(StripeDescriptor.HEADER_LENGTH + 8 + 3 * 8,
            StripeDescriptor.lengthOfHeader(StripeDescriptor.NARROW | 3));
        assertEquals(StripeDescriptor.HEADER_LENGTH + 8 + 4 * 8,
            StripeDescriptor.lengthOfHeader(StripeDescriptor.NARROW | 4));
    }

    @Test
    void shouldLayExtentFieldsContiguouslyInDiagramOrder()
    {
        assertEquals(0, ExtentsDescriptor.COUNT_OFFSET);
        assertEquals(ExtentsDescriptor.COUNT_OFFSET + Integer.BYTES, ExtentsDescriptor.CHECKSUM_OFFSET);
        assertEquals(ExtentsDescriptor.CHECKSUM_OFFSET + Integer.BYTES, ExtentsDescriptor.HEADER_LENGTH);
        assertEquals(0, ExtentsDescriptor.FILE_OFFSET_OFFSET);
        assertEquals(ExtentsDescriptor.FILE_OFFSET_OFFSET + Long.BYTES, ExtentsDescriptor.DEVICE_OFFSET_OFFSET);
        assertEquals(ExtentsDescriptor.DEVICE_OFFSET_OFFSET + Long.BYTES, ExtentsDescriptor.LENGTH_FLAGS_OFFSET);
        assertEquals(ExtentsDescriptor.LENGTH_FLAGS_OFFSET + Long.BYTES, ExtentsDescriptor.WIDE_EXTENT_LENGTH);
        assertEquals(13, ExtentsDescriptor.NARROW_EXTENT_LENGTH);
        assertEquals(ExtentsDescriptor.NARROW_EXTENT_LENGTH * Byte.SIZE, ExtentsDescriptor.NARROW_FILE_BITS +
            ExtentsDescriptor.NARROW_DEVICE_BITS + ExtentsDescriptor.NARROW_LENGTH_BITS + ExtentsDescriptor.NARROW_FLAGS_BITS);
        assertEquals(ExtentsDescriptor.HEADER_LENGTH + 2 * ExtentsDescriptor.WIDE_EXTENT_LENGTH,
            ExtentsDescriptor.lengthOfHeader(2));
        assertEquals(ExtentsDescriptor.HEADER_LENGTH + 2 * ExtentsDescriptor.NARROW_EXTENT_LENGTH,
            ExtentsDescriptor.lengthOfHeader(ExtentsDescriptor.NARROW | 2));
    }

    @Test
    void shouldLayForwardRootFieldsContiguouslyInDiagramOrder()
    {
        assertEquals(0, ForwardRootDescriptor.COUNT_OFFSET);
        assertEquals(ForwardRootDescriptor.COUNT_OFFSET + Integer.BYTES, ForwardRootDescriptor.CHECKSUM_OFFSET);
        assertEquals(ForwardRootDescriptor.CHECKSUM_OFFSET + Integer.BYTES, ForwardRootDescriptor.HEADER_LENGTH);
        assertEquals(0, ForwardRootDescriptor.FIRST_OFFSET);
        assertEquals(ForwardRootDescriptor.FIRST_OFFSET + Long.BYTES, ForwardRootDescriptor.ADDRESS_OFFSET);
        assertEquals(ForwardRootDescriptor.ADDRESS_OFFSET + Long.BYTES, ForwardRootDescriptor.WIDE_ENTRY_LENGTH);
        assertEquals(0, ForwardRootDescriptor.NARROW_FIRST_OFFSET);
        assertEquals(Integer.BYTES, ForwardRootDescriptor.NARROW_ADDRESS_OFFSET);
        assertEquals(2 * Integer.BYTES, ForwardRootDescriptor.NARROW_ENTRY_LENGTH);
        assertEquals(ForwardRootDescriptor.HEADER_LENGTH + 2 * ForwardRootDescriptor.WIDE_ENTRY_LENGTH,
            ForwardRootDescriptor.lengthOfHeader(2));
        assertEquals(ForwardRootDescriptor.HEADER_LENGTH + 2 * ForwardRootDescriptor.NARROW_ENTRY_LENGTH,
            ForwardRootDescriptor.lengthOfHeader(ForwardRootDescriptor.NARROW | 2));
    }

    @Test
    void shouldKeepEveryBlockChecksumWhereBlockChecksumWritesIt()
    {
        assertEquals(BlockChecksum.CHECKSUM_OFFSET, StripeDescriptor.CHECKSUM_OFFSET);
        assertEquals(BlockChecksum.CHECKSUM_OFFSET, ExtentsDescriptor.CHECKSUM_OFFSET);
        assertEquals(BlockChecksum.CHECKSUM_OFFSET, ForwardRootDescriptor.CHECKSUM_OFFSET);
        assertEquals(StripeDescriptor.BYTE_ORDER, ExtentsDescriptor.BYTE_ORDER);
        assertEquals(StripeDescriptor.BYTE_ORDER, ForwardRootDescriptor.BYTE_ORDER);
    }

    @Test
    void shouldFindTheChunkThatHoldsAFileOffset()
    {
        final long[] firsts = {4096, 65536, 1L << 40};
        final long[] addresses = {11 * 8, 22 * 8, 33 * 8};
        final UnsafeBuffer buffer = root(firsts, addresses);
        assertNarrow(buffer, true);
        assertTrue(ForwardRootDescriptor.intact(buffer, 0));
        assertEquals(0, ForwardRootDescriptor.chunkFor(buffer, 0, 0), "before the first chunk: chunk 0");
        assertEquals(0, ForwardRootDescriptor.chunkFor(buffer, 0, 65535));
        assertEquals(1, ForwardRootDescriptor.chunkFor(buffer, 0, 65536));
        assertEquals(2, ForwardRootDescriptor.chunkFor(buffer, 0, (1L << 40) - 1 + (1L << 40)));
        assertEquals(2, ForwardRootDescriptor.chunkFor(buffer, 0, Long.MAX_VALUE));
        assertEquals(22 * 8, ForwardRootDescriptor.address(buffer, 0, 1));
        buffer.putByte(ForwardRootDescriptor.HEADER_LENGTH + ForwardRootDescriptor.NARROW_ENTRY_LENGTH, (byte)1);
        assertTrue(!ForwardRootDescriptor.intact(buffer, 0), "a changed entry fails the checksum");
    }

    @Test
    void shouldWriteARootNarrowExactlyWhenEveryEntryFits()
    {
        final long slab = 1L << 32;
        // block-aligned offsets, few slabs: narrow, and every entry reads back exactly
        final long[] firsts = {0, 12_288, 1L << 43, (0xFFFF_FFFFL << 12)};
        final long[] addresses = {8, slab | 16_777_208, 300 * slab, 5 * slab | 4096};
        assertRoundTrip(firsts, addresses, true);
        // unaligned file offsets are narrow too, with a smaller shift
        assertRoundTrip(new long[] {0, 1, 2, 3}, addresses, true);
        // a file offset past 2^32 units of its shift: wide
        assertRoundTrip(new long[] {0, 1L << 44}, new long[] {8, 16}, true);
        assertRoundTrip(new long[] {4096, (1L << 44) + 4096}, new long[] {8, 16}, false);
        assertRoundTrip(new long[] {1, Long.MAX_VALUE >>> 1}, new long[] {8, 16}, false);
        // an unaligned block address: wide
        assertRoundTrip(new long[] {0, 4096}, new long[] {8, 14}, false);
        // slab number and offset do not fit 32 bits together: wide
        assertRoundTrip(new long[] {0, 4096}, new long[] {(1L << 20) * slab | 8, 1 << 30}, false);
        assertRoundTrip(new long[] {0, 4096}, new long[] {(1L << 20) * slab | 8, 1 << 10}, true);
        // more chunks than a narrow header counts: wide
        final int many = ForwardRootDescriptor.MAX_NARROW_COUNT + 1;
        final long[] manyFirsts = new long[many];
        final long[] manyAddresses = new long[many];
        for (int c = 0; c < many; c++)
        {
            manyFirsts[c] = c * 4096L;
            manyAddresses[c] = c * 8L;
        }
        assertRoundTrip(manyFirsts, manyAddresses, false);
        assertRoundTrip(Arrays.copyOf(manyFirsts, many - 1), Arrays.copyOf(manyAddresses, many - 1), true);
    }

    private static void assertRoundTrip(final long[] firsts, final long[] addresses, final boolean narrow)
    {
        final UnsafeBuffer buffer = root(firsts, addresses);
        assertNarrow(buffer, narrow);
        assertTrue(ForwardRootDescriptor.intact(buffer, 0));
        assertEquals(firsts.length, ForwardRootDescriptor.count(buffer, 0));
        assertEquals(ForwardRootDescriptor.HEADER_LENGTH + firsts.length * (narrow ?
            ForwardRootDescriptor.NARROW_ENTRY_LENGTH : ForwardRootDescriptor.WIDE_ENTRY_LENGTH),
            ForwardRootDescriptor.length(buffer, 0));
        for (int c = 0; c < firsts.length; c++)
        {
            assertEquals(firsts[c], ForwardRootDescriptor.first(buffer, 0, c), "first of chunk " + c);
            assertEquals(addresses[c], ForwardRootDescriptor.address(buffer, 0, c), "address of chunk " + c);
            assertEquals(c, ForwardRootDescriptor.chunkFor(buffer, 0, firsts[c]), "chunk for its own first " + c);
        }
    }

    private static void assertNarrow(final UnsafeBuffer buffer, final boolean narrow)
    {
        assertEquals(narrow, (buffer.getInt(0, ForwardRootDescriptor.BYTE_ORDER) & ForwardRootDescriptor.NARROW) != 0,
            "narrow");
    }

    private static UnsafeBuffer root(final long[] firsts, final long[] addresses)
    {
        final int header = ForwardRootDescriptor.header(firsts, addresses, firsts.length);
        final UnsafeBuffer buffer =
            new UnsafeBuffer(ByteBuffer.allocateDirect(ForwardRootDescriptor.lengthOfHeader(header)));
        ForwardRootDescriptor.write(buffer, 0, header, firsts, addresses);
        ForwardRootDescriptor.seal(buffer, 0);
        return buffer;
    }

    @ParameterizedTest(name = "count={0}")
    @ValueSource(ints = {1, 2, 7, 8, 9, 16, 17, 20, 100})
    void shouldRoundTripStripePiecesAndFindTheContainingPiece(final int count)
    {
        // byte-granular starts with deltas far apart: wide
        final int[] rel = new int[count];
        final int[] values = new int[count];
        final long[] deltas = new long[count];
        for (int i = 0; i < count; i++)
        {
            rel[i] = i * 100;
            values[i] = i - 1;
            deltas[i] = -i * 7L;
        }
        deltas[count - 1] = (1L << 40) + 1;
        assertStripeRoundTrip(rel, values, deltas, false);
        // block-aligned starts and deltas: narrow
        for (int i = 0; i < count; i++)
        {
            rel[i] = i * 4096 * 3;
            deltas[i] = (i % 3 - 1) * (4096L << 20);
        }
        assertStripeRoundTrip(rel, values, deltas, true);
    }

    @Test
    void shouldWriteAStripeNarrowExactlyWhenEveryPieceFits()
    {
        final long block = 4096;
        // starts up to 2^16 - 1 units, deltas at both ends of a signed 32-bit range of units
        assertStripeRoundTrip(new int[] {0, 4096, (int)(block * 65535)}, new int[] {-1, 2, 3},
            new long[] {Integer.MIN_VALUE * block, 0, Integer.MAX_VALUE * block}, true);
        // a start of 2^16 units: wide
        assertStripeRoundTrip(new int[] {0, 4096, (int)(block * 65536)}, new int[] {-1, 2, 3},
            new long[] {0, 0, 0}, false);
        // a delta one unit past either end: wide
        assertStripeRoundTrip(new int[] {0, 4096}, new int[] {1, 2}, new long[] {(Integer.MIN_VALUE - 1L) * block, 0},
            false);
        assertStripeRoundTrip(new int[] {0, 4096}, new int[] {1, 2},
            new long[] {block, (Integer.MAX_VALUE + 1L) * block}, false);
        // one piece, all zero (the empty stripe): narrow
        assertStripeRoundTrip(new int[] {0}, new int[] {PieceValue.EMPTY}, new long[] {0}, true);
        // byte-granular, small: narrow with no shift
        assertStripeRoundTrip(new int[] {0, 1, 3, 65535}, new int[] {5, 6, 7, 8}, new long[] {-3, 1, 0, 9}, true);
        // more pieces than a narrow count holds: wide
        final int many = StripeDescriptor.MAX_NARROW_COUNT + 1;
        final int[] rel = new int[many];
        for (int i = 0; i < many; i++)
        {
            rel[i] = i;
        }
        assertStripeRoundTrip(rel, new int[many], new long[many], false);
    }

    @Test
    void shouldRenumberAValueInPlaceInEitherFormat()
    {
        for (final boolean narrow : new boolean[] {true, false})
        {
            final int[] rel = {0, 4096, 8192};
            final long[] deltas = {narrow ? 4096 : 1L << 50, 0, -4096};
            final UnsafeBuffer buffer = stripe(rel, new int[] {1, 2, 3}, deltas);
            StripeDescriptor.value(buffer, 0, 1, 77);
            StripeDescriptor.seal(buffer, 0);
            assertTrue(StripeDescriptor.intact(buffer, 0));
            assertEquals(1, StripeDescriptor.value(buffer, 0, 0));
            assertEquals(77, StripeDescriptor.value(buffer, 0, 1));
            assertEquals(3, StripeDescriptor.value(buffer, 0, 2));
            assertEquals(deltas[2], StripeDescriptor.delta(buffer, 0, 2));
            assertEquals(8192, StripeDescriptor.relStart(buffer, 0, 2));
        }
    }

    @Test
    void shouldFindThePieceOfEveryOffsetForEveryCount()
    {
        // the search against a linear scan, for every count of one to a few cache lines of starts, narrow and wide,
        // and for counts around the ones where the search of narrow starts changes steps: 32 starts fill a line,
        // and the lines' first starts are read together once at most 16 lines remain
        final java.util.Random random = new java.util.Random(7);
        final int[] counts = IntStream.concat(IntStream.rangeClosed(1, 80),
            IntStream.of(95, 96, 97, 200, 511, 512, 513, 544, 545, 1000, 1025, 4999)).toArray();
        for (final int count : counts)
        {
            for (final boolean narrow : new boolean[] {true, false})
            {
                final int[] rel = new int[count];
                for (int i = 1; i < count; i++)
                {
                    rel[i] = rel[i - 1] + 4096 * (1 + random.nextInt(3));
                }
                final long[] deltas = new long[count];
                deltas[0] = narrow ? 0 : (1L << 50) + 1; // no shift brings it under 2^31: wide
                final UnsafeBuffer buffer = stripe(rel, new int[count], deltas);
                assertEquals(narrow, (buffer.getInt(0, StripeDescriptor.BYTE_ORDER) & StripeDescriptor.NARROW) != 0);
                final int end = rel[count - 1] + 3 * 4096;
                int expected = 0;
                for (int position = 0; position < end; position += 1024)
                {
                    while (expected + 1 < count && rel[expected + 1] <= position)
                    {
                        expected++;
                    }
                    assertEquals(expected, StripeDescriptor.find(buffer, 0, position),
                        "count " + count + " narrow " + narrow + " position " + position);
                }
                // a stripe's last byte, far past its last start: a key well above 2^16 units
                assertEquals(count - 1, StripeDescriptor.find(buffer, 0, (1 << 30) - 1),
                    "count " + count + " last byte");
            }
        }
    }

    private static void assertStripeRoundTrip(final int[] rel, final int[] values, final long[] deltas,
        final boolean narrow)
    {
        final int count = rel.length;
        final UnsafeBuffer buffer = stripe(rel, values, deltas);
        assertEquals(narrow, (buffer.getInt(0, StripeDescriptor.BYTE_ORDER) & StripeDescriptor.NARROW) != 0, "narrow");
        assertTrue(StripeDescriptor.intact(buffer, 0));
        assertEquals(count, StripeDescriptor.count(buffer, 0));
        for (int i = 0; i < count; i++)
        {
            assertEquals(rel[i], StripeDescriptor.relStart(buffer, 0, i), "start " + i);
            assertEquals(values[i], StripeDescriptor.value(buffer, 0, i), "value " + i);
            assertEquals(deltas[i], StripeDescriptor.delta(buffer, 0, i), "delta " + i);
        }
        // find: every start, the byte before and after it, past the last
        for (int i = 0; i < count && count <= 1000; i++)
        {
            assertEquals(i, StripeDescriptor.find(buffer, 0, rel[i]), "find start " + i);
            assertEquals(i, StripeDescriptor.find(buffer, 0, rel[i] + 1 < (i + 1 < count ? rel[i + 1] : Integer.MAX_VALUE) ?
                rel[i] + 1 : rel[i]), "find inside " + i);
            if (i > 0)
            {
                assertEquals(i - 1, StripeDescriptor.find(buffer, 0, rel[i] - 1), "find before " + i);
            }
        }
        assertEquals(count - 1, StripeDescriptor.find(buffer, 0, 1 << 30), "find past the last");
    }

    private static UnsafeBuffer stripe(final int[] rel, final int[] values, final long[] deltas)
    {
        final int header = StripeDescriptor.header(rel.length, rel, deltas, 0);
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(StripeDescriptor.lengthOfHeader(header)));
        StripeDescriptor.write(buffer, 0, header, rel, values, deltas, null, 0);
        StripeDescriptor.seal(buffer, 0);
        return buffer;
    }

    @Test
    void shouldPackExtentLengthAndFlags()
    {
        final long length = ExtentsDescriptor.LENGTH_MASK;
        final UnsafeBuffer buffer = chunk(new long[] {1L << 50}, new long[] {12345}, new long[] {length}, new int[] {1});
        assertExtentsNarrow(buffer, false);
        assertEquals(1L << 50, ExtentsDescriptor.fileOffset(buffer, 0, 0));
        assertEquals(12345, ExtentsDescriptor.deviceOffset(buffer, 0, 0));
        assertEquals(length, ExtentsDescriptor.length(buffer, 0, 0));
        assertEquals(1, ExtentsDescriptor.flags(buffer, 0, 0));
        assertTrue(length >= 1L << 55);
    }

    @Test
    void shouldWriteAChunkNarrowExactlyWhenEveryExtentFits()
    {
        final long block = 4096;
        final long fileLimit = block << ExtentsDescriptor.NARROW_FILE_BITS;
        final long deviceLimit = block << ExtentsDescriptor.NARROW_DEVICE_BITS;
        final long lengthLimit = block << ExtentsDescriptor.NARROW_LENGTH_BITS;
        // block-aligned, each field at the top of its narrow range and all bits of each set somewhere, every flag bit
        assertExtentsRoundTrip(new long[] {0, fileLimit - block, block}, new long[] {deviceLimit - block, block, 0},
            new long[] {lengthLimit - block, block, 3 * block}, new int[] {0xFF, 0, 0x2A}, true);
        // one field one block past its range: wide
        assertExtentsRoundTrip(new long[] {0, fileLimit}, new long[] {block, 2 * block},
            new long[] {block, block}, new int[] {0, 1}, false);
        assertExtentsRoundTrip(new long[] {0, block}, new long[] {deviceLimit, 2 * block},
            new long[] {block, block}, new int[] {0, 1}, false);
        assertExtentsRoundTrip(new long[] {0, lengthLimit}, new long[] {block, 2 * block},
            new long[] {lengthLimit, block}, new int[] {0, 1}, false);
        // byte granular: narrow with shift 0 while the fields are small
        assertExtentsRoundTrip(new long[] {1, 3}, new long[] {5, 7}, new long[] {2, 9}, new int[] {2, 3}, true);
        assertExtentsRoundTrip(new long[] {1, 3}, new long[] {(1L << 40) + 1, 7}, new long[] {2, 9},
            new int[] {2, 3}, false);
        // a 64 KiB-aligned device reaches further narrow
        assertExtentsRoundTrip(new long[] {0}, new long[] {1L << 55}, new long[] {1L << 16}, new int[] {0}, true);
        // random fields within range, many extents: each read back exactly, by accessor and by read()
        final java.util.SplittableRandom rnd = new java.util.SplittableRandom(5);
        final int n = 32;
        final long[] file = new long[n];
        final long[] device = new long[n];
        final long[] length = new long[n];
        final int[] flags = new int[n];
        for (int i = 0; i < n; i++)
        {
            file[i] = rnd.nextLong(1L << ExtentsDescriptor.NARROW_FILE_BITS) * block;
            device[i] = rnd.nextLong(1L << ExtentsDescriptor.NARROW_DEVICE_BITS) * block;
            length[i] = (1 + rnd.nextLong((1L << ExtentsDescriptor.NARROW_LENGTH_BITS) - 1)) * block;
            flags[i] = rnd.nextInt(1 << ExtentsDescriptor.NARROW_FLAGS_BITS);
        }
        assertExtentsRoundTrip(file, device, length, flags, true);
    }

    private static void assertExtentsRoundTrip(
        final long[] file, final long[] device, final long[] length, final int[] flags, final boolean narrow)
    {
        final UnsafeBuffer buffer = chunk(file, device, length, flags);
        assertExtentsNarrow(buffer, narrow);
        assertTrue(ExtentsDescriptor.intact(buffer, 0));
        assertEquals(file.length, ExtentsDescriptor.count(buffer, 0));
        assertEquals(ExtentsDescriptor.HEADER_LENGTH + file.length * (narrow ?
            ExtentsDescriptor.NARROW_EXTENT_LENGTH : ExtentsDescriptor.WIDE_EXTENT_LENGTH),
            ExtentsDescriptor.blockLength(buffer, 0));
        final long[] readFile = new long[file.length + 1];
        final long[] readDevice = new long[file.length + 1];
        final long[] readLength = new long[file.length + 1];
        final int[] readFlags = new int[file.length + 1];
        ExtentsDescriptor.read(buffer, 0, file.length, readFile, readDevice, readLength, readFlags, 1);
        for (int i = 0; i < file.length; i++)
        {
            final String what = "extent " + i + (narrow ? " narrow" : " wide");
            assertEquals(file[i], ExtentsDescriptor.fileOffset(buffer, 0, i), what + " file");
            assertEquals(device[i], ExtentsDescriptor.deviceOffset(buffer, 0, i), what + " device");
            assertEquals(length[i], ExtentsDescriptor.length(buffer, 0, i), what + " length");
            assertEquals(flags[i], ExtentsDescriptor.flags(buffer, 0, i), what + " flags");
            assertEquals(file[i], readFile[i + 1], what + " file read");
            assertEquals(device[i], readDevice[i + 1], what + " device read");
            assertEquals(length[i], readLength[i + 1], what + " length read");
            assertEquals(flags[i], readFlags[i + 1], what + " flags read");
        }
        assertMatchesOnlyItsOwnExtents(buffer, readFile, readDevice, readLength, readFlags);
    }

    /**
     * {@link ExtentsDescriptor#matches} holds for the extents a chunk was written from (here at slots 1..n of the
     * arrays), and fails once any field of any extent differs, by its lowest bit or by its highest.
     */
    private static void assertMatchesOnlyItsOwnExtents(
        final UnsafeBuffer buffer, final long[] file, final long[] device, final long[] length, final int[] flags)
    {
        final int n = file.length - 1;
        assertTrue(ExtentsDescriptor.matches(buffer, 0, header(file, device, length, flags), file, device, length, flags,
            1, n + 1), "its own extents");
        for (int i = 1; i <= n; i++)
        {
            for (int field = 0; field < 4; field++)
            {
                for (final long bit : new long[] {lowestBit(file[i] | device[i] | length[i]), 1L << 62})
                {
                    final long[] f = file.clone();
                    final long[] d = device.clone();
                    final long[] l = length.clone();
                    final int[] g = flags.clone();
                    switch (field)
                    {
                        case 0 -> f[i] ^= bit;
                        case 1 -> d[i] ^= bit;
                        case 2 -> l[i] ^= bit;
                        default -> g[i] ^= (int)Math.max(1, bit & 0x80);
                    }
                    if (l[i] <= 0)
                    {
                        continue;
                    }
                    assertTrue(!ExtentsDescriptor.matches(buffer, 0, header(f, d, l, g), f, d, l, g, 1, n + 1),
                        "extent " + i + " field " + field + " bit " + Long.toHexString(bit));
                }
            }
        }
    }

    private static int header(final long[] file, final long[] device, final long[] length, final int[] flags)
    {
        return ExtentsDescriptor.header(file, device, length, flags, 1, file.length, false);
    }

    private static long lowestBit(final long bits)
    {
        return bits == 0 ? 1 : Long.lowestOneBit(bits);
    }

    private static void assertExtentsNarrow(final UnsafeBuffer buffer, final boolean narrow)
    {
        assertEquals(narrow, (buffer.getInt(0, ExtentsDescriptor.BYTE_ORDER) & ExtentsDescriptor.NARROW) != 0,
            "narrow");
    }

    private static UnsafeBuffer chunk(final long[] file, final long[] device, final long[] length, final int[] flags)
    {
        final int header = ExtentsDescriptor.header(file, device, length, flags, 0, file.length, false);
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(ExtentsDescriptor.lengthOfHeader(header)));
        ExtentsDescriptor.write(buffer, 0, header, file, device, length, flags, 0, file.length);
        ExtentsDescriptor.seal(buffer, 0);
        return buffer;
    }
}
