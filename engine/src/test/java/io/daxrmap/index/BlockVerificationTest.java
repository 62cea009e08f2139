package io.daxrmap.index;

import io.daxrmap.model.DeviceGeometry;
import io.daxrmap.model.Owner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A reopened index checks each block before its first read and all of them in the background, instead of all of
 * them before the open returns: damage must still never reach an answer, a batch, or a reader following the writer.
 */
class BlockVerificationTest
{
    private static final int BLOCK = 4096;
    private static final int FILES = 8;
    /** Each file's extent: far enough apart to lie in stripes of their own. */
    private static final long SPACING = 1L << 20;
    private static final long LENGTH = 16L * BLOCK;
    private static final DeviceGeometry GEOMETRY = new DeviceGeometry(0, FILES * SPACING, BLOCK);

    @TempDir
    Path temp;

    @Test
    void shouldAnswerFromIntactBlocksAndRefuseADamagedStripeWhereItIsRead() throws IOException
    {
        final Path directory = build();
        final Block stripe = stripeOf(directory, 3);
        stripe.flip(StripeDescriptor.HEADER_LENGTH + StripeDescriptor.PIECE_VALUE_OFFSET);
        final String message = stripe.slab + ": block checksum mismatch: stripe " + stripe.index + " offset=" +
            stripe.offset;
        try (ReverseIndex index = ReverseIndex.open(directory))
        {
            assertEquals(List.of(Owner.data(101)), owners(index, 1));

            final UncheckedIOException query = assertThrows(UncheckedIOException.class, () -> owners(index, 3));
            assertEquals(message, assertInstanceOf(CorruptIndexException.class, query.getCause()).getMessage());

            final Batch refused = index.newBatch();
            final UncheckedIOException write = assertThrows(UncheckedIOException.class,
                () -> refused.unmap(Owner.data(103), 0, BLOCK));
            assertEquals(message, write.getCause().getMessage());
            refused.abort();

            index.newBatch().unmap(Owner.data(101), BLOCK, BLOCK).commit();
            assertEquals(List.of(), owners(index, 1));
            assertEquals(List.of(Owner.data(102)), owners(index, 2));

            assertEquals(message, assertThrows(CorruptIndexException.class, index::verify).getMessage());
        }
        stripe.flip(StripeDescriptor.HEADER_LENGTH + StripeDescriptor.PIECE_VALUE_OFFSET);
        try (ReverseIndex index = ReverseIndex.open(directory))
        {
            index.verify();
            assertTrue(index.verifier().complete());
            assertEquals(List.of(Owner.data(103)), owners(index, 3));
            index.newBatch().unmap(Owner.data(102), BLOCK, BLOCK).commit();
            assertNull(index.current().verifier, "a snapshot published after the checks carries none");
        }
    }

    /**
     * A one-extent map is a lone chunk, without a root ({@link ForwardRootDescriptor#LONE}): its damage is the chunk's.
     */
    @Test
    void shouldRefuseADamagedForwardMapToForwardQueriesButNotToReverseOnes() throws IOException
    {
        final Path directory = build();
        final Block chunk;
        try (ReverseIndex index = ReverseIndex.open(directory))
        {
            final int ownerId = index.current().ownerId(Owner.data(105));
            final long entry = index.current().extents.get(ownerId);
            assertTrue(ForwardRootDescriptor.isLone(entry), "a one-extent map has no root");
            chunk = new Block(directory, ownerId, ForwardRootDescriptor.loneChunk(entry));
        }
        chunk.flip(ExtentsDescriptor.HEADER_LENGTH);
        assertForwardRefused(directory, Owner.data(105), 5 * SPACING + BLOCK, chunk.slab + ": block checksum mismatch: forward map of owner " +
            chunk.index + " chunk 0 offset=" + chunk.offset);
    }

    @Test
    void shouldRefuseADamagedForwardMapRootToForwardQueries() throws IOException
    {
        final Path directory = build();
        final Block root;
        try (ReverseIndex index = ReverseIndex.open(directory))
        {
            // 64 extents, every other block of the last file's free space: two chunks or more, and a root
            final Batch batch = index.newBatch();
            for (int b = 0; b < 2 * ForwardRootDescriptor.CHUNK_EXTENTS; b++)
            {
                batch.map(Owner.data(200), (long)b * BLOCK, (FILES - 1) * SPACING + 2 * LENGTH + 2L * b * BLOCK, BLOCK,
                    0);
            }
            batch.commit();
            final int ownerId = index.current().ownerId(Owner.data(200));
            final long entry = index.current().extents.get(ownerId);
            assertTrue(!ForwardRootDescriptor.isLone(entry) &&
                ForwardRootDescriptor.entryChunks(index.current().slabs, entry) > 1, "a map of several chunks");
            root = new Block(directory, ownerId, entry);
        }
        root.flip(ForwardRootDescriptor.HEADER_LENGTH);
        assertForwardRefused(directory, Owner.data(200), (FILES - 1) * SPACING + 2 * LENGTH, root.slab + ": block checksum mismatch: forward map root " +
            "of owner " + root.index + " offset=" + root.offset);
    }

    /**
     * The forward query of the damaged owner is refused with {@code message}; a reverse query of its bytes at
     * {@code damagedBytes} and another owner's forward query answer.
     */
    private static void assertForwardRefused(final Path directory, final long damaged, final long damagedBytes,
        final String message) throws IOException
    {
        try (ReverseIndex index = ReverseIndex.open(directory))
        {
            final IndexReader reader = index.newReader();
            assertEquals(List.of(damaged), owners(reader, damagedBytes));
            final UncheckedIOException ex = assertThrows(UncheckedIOException.class,
                () -> reader.forward(damaged, 0, LENGTH, (fileOffset, deviceOffset, length, flags) -> true));
            assertEquals(message, ex.getCause().getMessage());
            final List<Long> extents = new ArrayList<>();
            reader.forward(Owner.data(104), 0, LENGTH, (fileOffset, deviceOffset, length, flags) ->
                extents.add(deviceOffset));
            assertEquals(List.of(4 * SPACING), extents);
        }
    }

    @Test
    void shouldCheckEveryBlockInTheBackground() throws IOException, InterruptedException
    {
        final Path directory = build();
        try (ReverseIndex index = ReverseIndex.open(directory))
        {
            final BlockVerifier verifier = index.verifier();
            assertNotNull(verifier);
            awaitTrue(verifier::complete);
            assertNull(verifier.damage());
        }
        final Block stripe = stripeOf(directory, 6);
        stripe.flip(StripeDescriptor.HEADER_LENGTH);
        try (ReverseIndex index = ReverseIndex.open(directory))
        {
            final BlockVerifier verifier = index.verifier();
            awaitTrue(() -> verifier.damage() != null);
            assertEquals(stripe.slab + ": block checksum mismatch: stripe " + stripe.index + " offset=" + stripe.offset,
                verifier.damage().getMessage());
            assertTrue(!verifier.complete());
        }
    }

    @Test
    void shouldCheckWhatAFollowedWriterWroteAfterTheOpen() throws IOException
    {
        final Path directory = build();
        try (ReverseIndex writer = ReverseIndex.open(directory);
            ReverseIndex follower = ReverseIndex.openReadOnly(directory))
        {
            final IndexReader reader = follower.newReader();
            writer.newBatch().map(Owner.data(107), LENGTH, 7 * SPACING + LENGTH, BLOCK, 0).commit();
            reader.refresh();
            assertEquals(List.of(Owner.data(107)), owners(reader, 7 * SPACING + LENGTH));

            writer.newBatch().map(Owner.data(107), 2 * LENGTH, 7 * SPACING + 2 * LENGTH, BLOCK, 0).commit();
            final int s = (int)(7 * SPACING >>> writer.stripeShift());
            final Block rewritten = new Block(directory, s, writer.current().stripes.get(s));
            rewritten.flip(StripeDescriptor.HEADER_LENGTH);
            final UncheckedIOException ex = assertThrows(UncheckedIOException.class, reader::refresh);
            final CorruptIndexException cause = assertInstanceOf(CorruptIndexException.class, ex.getCause());
            assertEquals(rewritten.slab + ": block checksum mismatch: stripe " + s + " offset=" + rewritten.offset,
                cause.getMessage());
            assertThrows(UncheckedIOException.class, reader::refresh, "the records are taken in: refused again");
            assertEquals(List.of(Owner.data(107)), owners(reader, 7 * SPACING + LENGTH), "the last good snapshot");
        }
    }

    /**
     * An index of {@link #FILES} one-extent files, file {@code i} at device offset {@code i * SPACING}.
     */
    private Path build() throws IOException
    {
        final Path directory = temp.resolve("index");
        try (ReverseIndex index = ReverseIndex.create(new IndexConfig(GEOMETRY, 128), directory))
        {
            final Batch batch = index.newBatch();
            for (int i = 0; i < FILES; i++)
            {
                batch.map(Owner.data(100 + i), 0, i * SPACING, LENGTH, 0);
            }
            batch.commit();
            assertTrue(index.stripeShift() < 20, "files in stripes of their own");
        }
        return directory;
    }

    /**
     * A narrow header that counts no pieces, with a checksum that matches it: every length check passes such a block
     * unless the header itself is checked.
     */
    @Test
    void shouldRefuseAStripeWhoseHeaderCountsNoPiecesEvenWithAMatchingChecksum() throws IOException
    {
        final Path directory = build();
        final Block stripe = stripeOf(directory, 3);
        final int header = StripeDescriptor.NARROW;
        stripe.rewriteHeader(header);
        final String message = stripe.slab + ": bad block header: stripe " + stripe.index + " offset=" + stripe.offset +
            " header=0x" + Integer.toHexString(header);
        try (ReverseIndex index = ReverseIndex.open(directory))
        {
            assertEquals(List.of(Owner.data(101)), owners(index, 1));
            final UncheckedIOException query = assertThrows(UncheckedIOException.class, () -> owners(index, 3));
            assertEquals(message, assertInstanceOf(CorruptIndexException.class, query.getCause()).getMessage());
            assertEquals(message, assertThrows(CorruptIndexException.class, index::verify).getMessage());
        }
    }

    private static Block stripeOf(final Path directory, final int file) throws IOException
    {
        try (ReverseIndex index = ReverseIndex.open(directory))
        {
            final int s = (int)(file * SPACING >>> index.stripeShift());
            return new Block(directory, s, index.current().stripes.get(s));
        }
    }

    private static List<Long> owners(final ReverseIndex index, final int file)
    {
        return owners(index.newReader(), file * SPACING + BLOCK);
    }

    private static List<Long> owners(final IndexReader reader, final long deviceOffset)
    {
        final List<Long> owners = new ArrayList<>();
        reader.byteQuery(deviceOffset, 64, (offset, length, owner, fileOffset, flags) ->
        {
            if (owner != Owner.FREE)
            {
                owners.add(owner);
            }
            return true;
        });
        return owners;
    }

    private static void awaitTrue(final java.util.function.BooleanSupplier condition) throws InterruptedException
    {
        final long deadline = System.nanoTime() + 60_000_000_000L;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                fail("not within 60 s");
            }
            Thread.sleep(10);
        }
    }

    /**
     * A block of generation 1: its slab file and offset, and what it belongs to (a stripe or an owner id).
     */
    private static final class Block
    {
        final int index;
        final Path slab;
        final int offset;

        Block(final Path directory, final int index, final long address)
        {
            this.index = index;
            this.slab = SlabFiles.file(directory, 1, (int)(address >>> 32));
            this.offset = Arena.offset(address);
        }

        /**
         * Replace the block's header word and seal the 8 header bytes as if they were the whole block.
         */
        void rewriteHeader(final int header) throws IOException
        {
            final org.agrona.concurrent.UnsafeBuffer bytes =
                new org.agrona.concurrent.UnsafeBuffer(new byte[StripeDescriptor.HEADER_LENGTH]);
            bytes.putInt(StripeDescriptor.COUNT_OFFSET, header, StripeDescriptor.BYTE_ORDER);
            BlockChecksum.seal(bytes, 0, StripeDescriptor.HEADER_LENGTH);
            try (FileChannel channel = FileChannel.open(slab, StandardOpenOption.WRITE))
            {
                channel.write(ByteBuffer.wrap(bytes.byteArray()), offset);
            }
        }

        void flip(final int at) throws IOException
        {
            try (FileChannel channel = FileChannel.open(slab, StandardOpenOption.READ, StandardOpenOption.WRITE))
            {
                final ByteBuffer one = ByteBuffer.allocate(1);
                channel.read(one, offset + at);
                one.put(0, (byte)(one.get(0) ^ 0x20)).rewind();
                channel.write(one, offset + at);
            }
        }
    }
}
