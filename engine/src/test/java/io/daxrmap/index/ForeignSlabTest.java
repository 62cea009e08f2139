package io.daxrmap.index;

import io.daxrmap.model.Owner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Slab files are opened by their path: one that took the name of a slab of this index (an index directory exchanged
 * for another, a slab of another index of the same generation copied in) is refused by the log id in its header,
 * not mapped as this index's, however well its blocks pass their checksums.
 */
class ForeignSlabTest
{
    private static final long SEED = 42;
    /** The log format before slabs carried the log's id: its slabs are {@link #OLD_SLAB_FORMAT}. */
    private static final int OLD_LOG_FORMAT = 2;
    /** The slab format before slab headers carried the log's id. */
    private static final int OLD_SLAB_FORMAT = 6;
    /** Where a slab header keeps its format version, little-endian. */
    private static final int SLAB_VERSION_OFFSET = 8;
    /** The CRC32C of slab header bytes 0..24. */
    private static final int SLAB_CRC_OFFSET = 24;

    @TempDir
    Path temp;

    @Test
    void shouldRefuseToOpenAnIndexWithASlabOfAnotherIndexOfTheSameGeneration() throws IOException
    {
        final Path directory = temp.resolve("index");
        final Path other = temp.resolve("other");
        final ReverseIndex expected = ReverseIndex.create(Workload.config());
        Workload.createWithBatches(directory, expected, SEED, 20);
        // the same batches: the other index's slab holds the very same blocks, which pass every block check
        Workload.createWithBatches(other, ReverseIndex.create(Workload.config()), SEED, 20);
        final Path slab = directory.resolve("slab-1-0.dat");
        Files.move(other.resolve("slab-1-0.dat"), slab, StandardCopyOption.REPLACE_EXISTING);

        final CorruptIndexException open = assertThrows(CorruptIndexException.class, () -> ReverseIndex.open(directory));
        assertTrue(open.getMessage().startsWith(slab + ": slab of another index: logId="), open.getMessage());
        final CorruptIndexException readOnly = assertThrows(CorruptIndexException.class,
            () -> ReverseIndex.openReadOnly(directory).close());
        assertTrue(readOnly.getMessage().startsWith(slab + ": slab of another index: logId="), readOnly.getMessage());
    }

    @Test
    void shouldRefuseASlabOfAnotherIndexThatAFollowerMapsAfterTheOpen() throws IOException
    {
        final Path directory = temp.resolve("index");
        final Path other = temp.resolve("other");
        final ReverseIndex expected = ReverseIndex.create(Workload.config());
        Workload.createWithBatches(directory, expected, SEED, 5);
        Workload.createWithBatches(other, ReverseIndex.create(Workload.config()), SEED, 5);
        final long owner = Owner.data(100);
        try (ReverseIndex follower = ReverseIndex.openReadOnly(directory))
        {
            final IndexReader reader = follower.newReader();
            assertEquals(Workload.scan(expected), Workload.scan(reader));
            // a reopened writer puts new blocks in a new slab, slab-1-1.dat: in both indexes, at the same addresses,
            // blocks of the same sizes that differ only in the file offset they map
            mapInNewSlab(directory, owner, 0);
            mapInNewSlab(other, owner, Workload.BLOCK);
            final Path slab = directory.resolve("slab-1-1.dat");
            assertTrue(Files.exists(slab));
            Files.delete(slab);
            Files.createLink(slab, other.resolve("slab-1-1.dat"));

            final UncheckedIOException ex = assertThrows(UncheckedIOException.class, reader::refresh);
            final CorruptIndexException cause = assertInstanceOf(CorruptIndexException.class, ex.getCause());
            assertTrue(cause.getMessage().startsWith(slab + ": slab of another index: logId="), cause.getMessage());
            assertThrows(UncheckedIOException.class, reader::refresh, "the records are taken in: refused again");
            assertEquals(Workload.scan(expected), Workload.scan(reader), "the last good snapshot");

            // the whole directory exchanged for the other index: the follower takes that index in, the refusal of
            // its slab in this one's place no longer stands
            Files.move(directory, temp.resolve("old"));
            Files.move(other, directory);
            assertEquals(6, reader.refresh());
            assertTrue(Workload.scan(reader).contains(2 * Workload.FILES * Workload.REGION + "+" + Workload.BLOCK +
                " " + Owner.toString(owner) + "@" + Workload.BLOCK + " 0"), Workload.scan(reader).toString());
        }
    }

    @Test
    void shouldOpenTheIndexThatReplacedTheDirectoryBetweenTheReadOfTheLogAndTheMappingOfTheSlabs() throws IOException
    {
        final Path directory = temp.resolve("index");
        final Path other = temp.resolve("other");
        Workload.createWithBatches(directory, ReverseIndex.create(Workload.config()), SEED, 20);
        final ReverseIndex expected = ReverseIndex.create(Workload.config());
        Workload.createWithBatches(other, expected, SEED, 25);
        final int[] looks = {0};
        // the index's log read, then the directory replaced by another index of the same generation (as daxrmap
        // index -o replaces an index): slab-1-0.dat is now that index's, refused by its log id
        try (ReverseIndex follower = ReverseIndex.openReadOnly(directory, true, () ->
        {
            if (looks[0]++ == 0)
            {
                Files.move(directory, temp.resolve("old"));
                Files.move(other, directory);
            }
        }))
        {
            assertEquals(2, looks[0], "a second look, at the index now in the directory");
            final IndexReader reader = follower.newReader();
            assertEquals(25, reader.version());
            assertEquals(Workload.scan(expected), Workload.scan(reader));
            try (ReverseIndex writer = ReverseIndex.open(directory))
            {
                Workload.applyBoth(writer, expected, SEED, 26, 27);
            }
            assertEquals(27, reader.refresh(), "and follows it");
            assertEquals(Workload.scan(expected), Workload.scan(reader));
        }
    }

    @Test
    void shouldGiveUpOnAnIndexDirectoryReplacedAgainAtEveryLook() throws IOException
    {
        final Path directory = temp.resolve("index");
        final Path other = temp.resolve("other");
        final Path aside = temp.resolve("aside");
        Workload.createWithBatches(directory, ReverseIndex.create(Workload.config()), SEED, 20);
        Workload.createWithBatches(other, ReverseIndex.create(Workload.config()), SEED, 20);
        final int[] looks = {0};
        final CorruptIndexException ex = assertThrows(CorruptIndexException.class,
            () -> ReverseIndex.openReadOnly(directory, true, () ->
            {
                looks[0]++;
                Files.move(directory, aside);
                Files.move(other, directory);
                Files.move(aside, other);
            }).close());
        assertEquals(4, looks[0], "as many looks as for a writer switching generations");
        assertTrue(ex.getMessage().startsWith(directory.resolve("slab-1-0.dat") + ": slab of another index: logId="),
            ex.getMessage());
    }

    @Test
    void shouldGiveTheSlabsOfACompactedGenerationTheIdOfItsLog() throws IOException
    {
        final Path directory = temp.resolve("index");
        final ReverseIndex expected = ReverseIndex.create(Workload.config());
        try (ReverseIndex index = ReverseIndex.create(Workload.config(), directory);
            ReverseIndex follower = ReverseIndex.openReadOnly(directory))
        {
            final IndexReader reader = follower.newReader();
            Workload.applyBoth(index, expected, SEED, 1, 30);
            final long before = logId(directory.resolve("log-1.dat"));
            assertEquals(before, slabLogId(directory.resolve("slab-1-0.dat")));
            index.compactNow();
            final long after = logId(directory.resolve("log-2.dat"));
            assertNotEquals(before, after, "a new log, a new id");
            assertEquals(after, slabLogId(directory.resolve("slab-2-0.dat")));
            // a follower takes the new generation in: its slabs pass the check against the new log's id
            Workload.applyBoth(index, expected, SEED, 31, 35);
            assertEquals(35, reader.refresh());
            assertEquals(Workload.scan(expected), Workload.scan(reader));
        }
        try (ReverseIndex reopened = ReverseIndex.open(directory))
        {
            assertEquals(Workload.scan(expected), Workload.scan(reopened));
        }
    }

    @Test
    void shouldReadAndAppendToAnIndexOfTheSlabFormatBeforeLogIdsUntilACompactionWritesTheNewOne() throws IOException
    {
        final Path directory = temp.resolve("index");
        final ReverseIndex expected = ReverseIndex.create(Workload.config());
        Workload.createWithBatches(directory, expected, SEED, 20);
        toOldFormat(directory);
        try (ReverseIndex follower = ReverseIndex.openReadOnly(directory))
        {
            assertEquals(Workload.scan(expected), Workload.scan(follower));
        }
        try (ReverseIndex reopened = ReverseIndex.open(directory))
        {
            assertEquals(20, reopened.version());
            assertEquals(Workload.scan(expected), Workload.scan(reopened));
            Workload.applyBoth(reopened, expected, SEED, 21, 25); // into a new slab, slab-1-1.dat
        }
        assertEquals(OLD_LOG_FORMAT, logFormat(directory.resolve("log-1.dat")), "the log stays in its format");
        for (final String name : List.of("slab-1-0.dat", "slab-1-1.dat"))
        {
            assertEquals(OLD_SLAB_FORMAT, slabFormat(directory.resolve(name)), name + " in the log's slab format");
        }
        try (ReverseIndex reopened = ReverseIndex.open(directory))
        {
            assertEquals(25, reopened.version());
            assertEquals(Workload.scan(expected), Workload.scan(reopened));
            reopened.compactNow();
        }
        assertTrue(logFormat(directory.resolve("log-2.dat")) > OLD_LOG_FORMAT, "a compaction writes the new format");
        assertTrue(slabFormat(directory.resolve("slab-2-0.dat")) > OLD_SLAB_FORMAT);
        assertEquals(logId(directory.resolve("log-2.dat")), slabLogId(directory.resolve("slab-2-0.dat")));
        try (ReverseIndex reopened = ReverseIndex.open(directory))
        {
            assertEquals(25, reopened.version());
            assertEquals(Workload.scan(expected), Workload.scan(reopened));
        }
    }

    /**
     * An index of log format 3 (slab format 7, before packed chunks) is read and appended to in its formats: the
     * chunks its writer adds are never packed, as the version before could not read them. The compaction writes the
     * current formats, and the chunks written after it pack.
     */
    @Test
    void shouldWriteNoPackedChunkIntoAnIndexOfTheSlabFormatBeforeThemUntilACompactionWritesTheNewOne()
        throws IOException
    {
        final Path directory = temp.resolve("index");
        final ReverseIndex expected = createInFormats(directory, IndexLog.VERSION_3, SlabFiles.VERSION_7);
        try (ReverseIndex reopened = ReverseIndex.open(directory))
        {
            assertFalse(reopened.arena.denseBlocks());
            Workload.applyBoth(reopened, expected, SEED, 21, 40); // into a new slab, slab-1-1.dat
            mapScattered(reopened, expected, Owner.data(300), 0);
            final int[] formats = chunkFormats(reopened.current(), 1);
            assertEquals(0, formats[PACKED], "packed chunks in the slab added to a format 7 generation");
            assertEquals(0, formats[KEYED], "keyed stripes in the slab added to a format 7 generation");
            assertTrue(formats[WOULD_PACK] > 0, "chunks there that would pack: " + Arrays.toString(formats));
            reopened.verify();
        }
        assertStaysInFormats(directory, expected, IndexLog.VERSION_3, SlabFiles.VERSION_7);
        try (ReverseIndex reopened = ReverseIndex.open(directory))
        {
            reopened.compactNow();
            assertTrue(reopened.arena.denseBlocks());
            Workload.applyBoth(reopened, expected, SEED, 41, 60);
            mapScattered(reopened, expected, Owner.data(301), 1);
            final int[] after = chunkFormats(reopened.current(), 0);
            assertTrue(after[PACKED] > 0 && after[KEYED] > 0, "packed chunks, keyed stripes after the compaction: " +
                Arrays.toString(after));
        }
        assertEquals(IndexLog.VERSION, logFormat(directory.resolve("log-2.dat")));
        assertEquals(SlabFiles.VERSION, slabFormat(directory.resolve("slab-2-0.dat")));
        try (ReverseIndex reopened = ReverseIndex.open(directory))
        {
            assertEquals(62, reopened.version());
            assertEquals(Workload.scan(expected), Workload.scan(reopened));
            reopened.verify();
        }
    }

    /**
     * An index of log format 4 (slab format 8, before lone chunks) is read and appended to in its formats: its writer
     * gives every forward map a root, as the version before reads only roots. The compaction writes the current
     * formats, and its maps of one chunk, old and new, lose their roots. (The index is written by this build and its
     * headers relabelled, so its first maps are lone already, which a real format 4 index never has: what is checked
     * is every entry the format 4 writer changes.)
     */
    @Test
    void shouldWriteNoLoneChunkIntoAnIndexOfTheFormatBeforeThemUntilACompactionWritesTheNewOne() throws IOException
    {
        final Path directory = temp.resolve("index");
        final ReverseIndex expected = createInFormats(directory, IndexLog.VERSION_4, SlabFiles.VERSION_8);
        try (ReverseIndex reopened = ReverseIndex.open(directory))
        {
            assertTrue(reopened.arena.denseBlocks());
            assertFalse(reopened.arena.loneChunks());
            final Snapshot opened = reopened.current();
            Workload.applyBoth(reopened, expected, SEED, 21, 40); // into a new slab, slab-1-1.dat
            mapScattered(reopened, expected, Owner.data(300), 0);
            final Snapshot written = reopened.current();
            int changed = 0;
            for (int id = 0; id < written.extents.length(); id++)
            {
                final long entry = written.extents.get(id);
                if (entry != Snapshot.NO_EXTENTS && (id >= opened.extents.length() || entry != opened.extents.get(id)))
                {
                    assertFalse(ForwardRootDescriptor.isLone(entry), "a lone chunk written into a format 8 " +
                        "generation: ownerId=" + id);
                    changed++;
                }
            }
            assertTrue(changed > 0, "maps the writer changed");
            final int[] formats = chunkFormats(written, 1);
            assertTrue(formats[ONE_CHUNK_ROOT] > 0, "roots of one chunk there: " + Arrays.toString(formats));
            assertTrue(formats[PACKED] > 0 && formats[KEYED] > 0, "packed chunks and keyed stripes, as format 8 has " +
                "them: " + Arrays.toString(formats));
            reopened.verify();
        }
        assertStaysInFormats(directory, expected, IndexLog.VERSION_4, SlabFiles.VERSION_8);
        try (ReverseIndex reopened = ReverseIndex.open(directory))
        {
            reopened.compactNow();
            assertTrue(reopened.arena.loneChunks());
            final int[] compacted = chunkFormats(reopened.current(), 0);
            assertEquals(0, compacted[ONE_CHUNK_ROOT], "roots of one chunk after the compaction: " +
                Arrays.toString(compacted));
            assertTrue(compacted[LONE] > 0, "lone chunks after the compaction: " + Arrays.toString(compacted));
            Workload.applyBoth(reopened, expected, SEED, 41, 60);
            assertEquals(0, chunkFormats(reopened.current(), 0)[ONE_CHUNK_ROOT], "roots of one chunk written after");
        }
        assertEquals(IndexLog.VERSION, logFormat(directory.resolve("log-2.dat")));
        assertEquals(SlabFiles.VERSION, slabFormat(directory.resolve("slab-2-0.dat")));
        try (ReverseIndex reopened = ReverseIndex.open(directory))
        {
            assertEquals(61, reopened.version());
            assertEquals(Workload.scan(expected), Workload.scan(reopened));
            assertEquals(Workload.forwardScan(expected), Workload.forwardScan(reopened));
            reopened.verify();
        }
    }

    @Test
    void shouldRefuseASlabOfTheFormatBeforePackedChunksInAnIndexOfTheCurrentFormat() throws IOException
    {
        final Path directory = temp.resolve("index");
        Workload.createWithBatches(directory, ReverseIndex.create(Workload.config()), SEED, 20);
        final Path slab = directory.resolve("slab-1-0.dat");
        final ByteBuffer header = readHeader(slab).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(SLAB_VERSION_OFFSET, SlabFiles.VERSION_7);
        writeHeader(slab, withSlabCrc(header));
        final CorruptIndexException ex = assertThrows(CorruptIndexException.class, () -> ReverseIndex.open(directory));
        assertTrue(ex.getMessage().startsWith(slab + ": slab of another index: its format is not the one of the " +
            "index's log: version=7 expected=" + SlabFiles.VERSION), ex.getMessage());
    }

    /**
     * Map 16 blocks of a new file to every other block of the device's unused middle third, from its block
     * {@code first}: a chunk of 16 extents, which packs.
     */
    private static void mapScattered(final ReverseIndex index, final ReverseIndex expected, final long owner,
        final int first)
    {
        for (final ReverseIndex target : List.of(index, expected))
        {
            final Batch batch = target.newBatch();
            for (int b = 0; b < 16; b++)
            {
                batch.map(owner, (long)b * Workload.BLOCK,
                    Workload.FILES * Workload.REGION + (first + 2L * b) * Workload.BLOCK, Workload.BLOCK, 0);
            }
            batch.commit();
        }
    }

    /**
     * An index of 20 batches written by this build, its headers relabelled to older formats.
     *
     * @return an index in memory that took the same batches, to compare the directory's with.
     */
    private static ReverseIndex createInFormats(final Path directory, final int log, final int slab) throws IOException
    {
        final ReverseIndex expected = ReverseIndex.create(Workload.config());
        Workload.createWithBatches(directory, expected, SEED, 20);
        toFormats(directory, log, slab);
        return expected;
    }

    /**
     * The generation's log and the slab its writer added (slab-1-1.dat) stayed in their formats, and a follower reads
     * what {@code expected} holds.
     */
    private static void assertStaysInFormats(final Path directory, final ReverseIndex expected, final int log,
        final int slab) throws IOException
    {
        assertEquals(log, logFormat(directory.resolve("log-1.dat")), "the log stays in its format");
        assertEquals(slab, slabFormat(directory.resolve("slab-1-1.dat")), "in the log's slab format");
        try (ReverseIndex follower = ReverseIndex.openReadOnly(directory))
        {
            assertEquals(Workload.scan(expected), Workload.scan(follower));
        }
    }

    private static final int PACKED = 0;
    private static final int WOULD_PACK = 1;
    private static final int KEYED = 2;
    private static final int LONE = 3;
    private static final int ONE_CHUNK_ROOT = 4;

    /**
     * Of the blocks in slabs from {@code firstSlab} on: how many chunks are packed, how many unpacked ones hold
     * extents that would pack, how many stripes are keyed, how many chunks are an owner's lone chunk, and how many
     * roots name a single chunk.
     */
    private static int[] chunkFormats(final Snapshot snapshot, final int firstSlab)
    {
        final int[] counts = new int[5];
        for (int s = 0; s < snapshot.stripeCount(); s++)
        {
            final long stripe = snapshot.stripeAddress(s);
            if (Arena.slab(stripe) >= firstSlab &&
                StripeDescriptor.keyed(StripeDescriptor.header(snapshot.buffer(stripe), Arena.offset(stripe))))
            {
                counts[KEYED]++;
            }
        }
        final long[] file = new long[ForwardRootDescriptor.CHUNK_EXTENTS * 4];
        final long[] device = new long[file.length];
        final long[] length = new long[file.length];
        final int[] flags = new int[file.length];
        for (int id = 0; id < snapshot.ownerCount; id++)
        {
            final long root = snapshot.extentsAddress(id);
            if (root == Snapshot.NO_EXTENTS)
            {
                continue;
            }
            final int chunks = ForwardRootDescriptor.entryChunks(snapshot.slabs, root);
            if (Arena.slab(root) >= firstSlab && ForwardRootDescriptor.isLone(root))
            {
                counts[LONE]++;
            }
            else if (Arena.slab(root) >= firstSlab && chunks == 1)
            {
                counts[ONE_CHUNK_ROOT]++;
            }
            for (int c = 0; c < chunks; c++)
            {
                final long chunk = ForwardRootDescriptor.entryChunk(snapshot.slabs, root, c);
                if (Arena.slab(chunk) < firstSlab)
                {
                    continue;
                }
                final var buffer = snapshot.buffer(chunk);
                final int header = buffer.getInt(Arena.offset(chunk), ExtentsDescriptor.BYTE_ORDER);
                if ((header & (ExtentsDescriptor.PACKED | ExtentsDescriptor.NARROW)) == ExtentsDescriptor.PACKED)
                {
                    counts[PACKED]++;
                    continue;
                }
                final int n = ExtentsDescriptor.count(buffer, Arena.offset(chunk));
                ExtentsDescriptor.read(buffer, Arena.offset(chunk), n, file, device, length, flags, 0);
                final int best = ExtentsDescriptor.header(file, device, length, flags, 0, n, true);
                if ((best & ExtentsDescriptor.PACKED) != 0 && (best & ExtentsDescriptor.NARROW) == 0)
                {
                    counts[WOULD_PACK]++;
                }
            }
        }
        return counts;
    }

    /**
     * Rewrite the format numbers of an index's log and slab headers, with their checksums.
     */
    private static void toFormats(final Path directory, final int logFormat, final int slabFormat)
        throws IOException
    {
        try (var files = Files.newDirectoryStream(directory, "slab-*.dat"))
        {
            for (final Path slab : files)
            {
                final ByteBuffer header = readHeader(slab).order(ByteOrder.LITTLE_ENDIAN);
                header.putInt(SLAB_VERSION_OFFSET, slabFormat);
                writeHeader(slab, withSlabCrc(header));
            }
        }
        logsToFormat(directory, logFormat);
    }

    /** The slab header with its CRC32C of bytes 0..24 and, past the format before log ids, of bytes 0..40. */
    private static ByteBuffer withSlabCrc(final ByteBuffer header)
    {
        final CRC32C crc = new CRC32C();
        crc.update(header.array(), 0, SLAB_CRC_OFFSET);
        header.putInt(SLAB_CRC_OFFSET, (int)crc.getValue());
        final CRC32C idCrc = new CRC32C();
        idCrc.update(header.array(), 0, 40);
        header.putInt(40, (int)idCrc.getValue());
        return header;
    }

    @Test
    void shouldRefuseASlabOfTheFormatBeforeLogIdsInAnIndexWhoseSlabsCarryThem() throws IOException
    {
        final Path directory = temp.resolve("index");
        final Path other = temp.resolve("other");
        Workload.createWithBatches(directory, ReverseIndex.create(Workload.config()), SEED, 20);
        Workload.createWithBatches(other, ReverseIndex.create(Workload.config()), SEED, 20);
        toOldFormat(other);
        final Path slab = directory.resolve("slab-1-0.dat");
        Files.move(other.resolve("slab-1-0.dat"), slab, StandardCopyOption.REPLACE_EXISTING);
        final CorruptIndexException ex = assertThrows(CorruptIndexException.class, () -> ReverseIndex.open(directory));
        assertTrue(ex.getMessage().startsWith(slab + ": slab of another index: it carries no log id"),
            ex.getMessage());
    }

    @Test
    void shouldOpenAnIndexOverASlabFileWhoseHeaderNeverReachedTheDeviceAndCreateItAgain() throws IOException
    {
        final Path directory = temp.resolve("index");
        final ReverseIndex expected = ReverseIndex.create(Workload.config());
        Workload.createWithBatches(directory, expected, SEED, 5);
        // a crash between the creation of the next slab's file and the write of its header: a sparse file of zeros
        // that no log record names
        final Path torn = directory.resolve("slab-1-1.dat");
        try (FileChannel channel = FileChannel.open(torn, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))
        {
            channel.write(ByteBuffer.allocate(1), ReverseIndex.PERSISTENT_SLAB_SIZE - 1);
        }
        try (ReverseIndex follower = ReverseIndex.openReadOnly(directory))
        {
            assertEquals(Workload.scan(expected), Workload.scan(follower), "a reader does not map it");
        }
        try (ReverseIndex reopened = ReverseIndex.open(directory))
        {
            assertEquals(5, reopened.version());
            assertFalse(Files.exists(torn), "deleted by the writer's open");
            Workload.applyBoth(reopened, expected, SEED, 6, 8); // creates slab-1-1.dat again
        }
        assertEquals(logId(directory.resolve("log-1.dat")), slabLogId(torn));
        try (ReverseIndex reopened = ReverseIndex.open(directory))
        {
            assertEquals(8, reopened.version());
            assertEquals(Workload.scan(expected), Workload.scan(reopened));
        }
    }

    /**
     * Reopen the index in {@code directory} and commit one batch mapping {@code owner} at {@code fileOffset}: a
     * reopened writer puts it in a new slab.
     */
    private static void mapInNewSlab(final Path directory, final long owner, final long fileOffset) throws IOException
    {
        try (ReverseIndex writer = ReverseIndex.open(directory))
        {
            final int slabs = writer.arena.slabCount();
            writer.newBatch().map(owner, fileOffset, 2 * Workload.FILES * Workload.REGION, Workload.BLOCK, 0).commit();
            assertEquals(slabs + 1, writer.arena.slabCount(), "a new slab");
        }
    }

    /**
     * Rewrite an index as the version before slab headers carried the log id wrote it: log format 2, slab format 6.
     */
    private static void toOldFormat(final Path directory) throws IOException
    {
        slabsToFormat6(directory);
        logsToFormat(directory, OLD_LOG_FORMAT);
    }

    /**
     * Rewrite the format number of an index's log headers, with their checksums.
     */
    private static void logsToFormat(final Path directory, final int logFormat) throws IOException
    {
        try (var files = Files.newDirectoryStream(directory, "log-*.dat"))
        {
            for (final Path log : files)
            {
                final ByteBuffer header = readHeader(log);
                header.putInt(8, logFormat).putInt(36, IndexLog.crc(header.array(), 0, 36));
                header.putInt(IndexLog.ID_CRC_OFFSET, IndexLog.crc(header.array(), 0, IndexLog.ID_CRC_OFFSET));
                writeHeader(log, header);
            }
        }
    }

    /**
     * Rewrite the slab headers of an index as slab format 6 wrote them, the format of logs of format 1 and 2: the
     * same header, its bytes from 28 on zero.
     */
    static void slabsToFormat6(final Path directory) throws IOException
    {
        try (var files = Files.newDirectoryStream(directory, "slab-*.dat"))
        {
            for (final Path slab : files)
            {
                final ByteBuffer header = readHeader(slab).order(ByteOrder.LITTLE_ENDIAN);
                header.putInt(SLAB_VERSION_OFFSET, OLD_SLAB_FORMAT);
                for (int i = SLAB_CRC_OFFSET; i < SlabFiles.HEADER_LENGTH; i++)
                {
                    header.put(i, (byte)0);
                }
                final CRC32C crc = new CRC32C();
                crc.update(header.array(), 0, SLAB_CRC_OFFSET);
                header.putInt(SLAB_CRC_OFFSET, (int)crc.getValue());
                writeHeader(slab, header);
            }
        }
    }

    private static int logFormat(final Path log) throws IOException
    {
        return readHeader(log).getInt(8);
    }

    private static long logId(final Path log) throws IOException
    {
        return readHeader(log).getLong(IndexLog.ID_OFFSET);
    }

    private static int slabFormat(final Path slab) throws IOException
    {
        return readHeader(slab).order(ByteOrder.LITTLE_ENDIAN).getInt(SLAB_VERSION_OFFSET);
    }

    /**
     * The log id a slab's header carries: bytes 32..40, little-endian.
     */
    private static long slabLogId(final Path slab) throws IOException
    {
        return readHeader(slab).order(ByteOrder.LITTLE_ENDIAN).getLong(32);
    }

    private static ByteBuffer readHeader(final Path file) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            final ByteBuffer header = ByteBuffer.allocate(64);
            while (header.hasRemaining() && channel.read(header, header.position()) > 0)
            {
                // the buffer's position is the file's
            }
            return header.clear();
        }
    }

    private static void writeHeader(final Path file, final ByteBuffer header) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            header.clear();
            while (header.hasRemaining())
            {
                channel.write(header, header.position());
            }
        }
    }


}
