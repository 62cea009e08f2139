package io.daxrmap.index;

import io.daxrmap.model.Owner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PersistentIndexTest
{
    private static final long SEED = 42;

    @TempDir
    Path temp;

    @Test
    void shouldReopenToTheLastCommittedBatchWithoutRebuilding() throws IOException
    {
        final Path directory = temp.resolve("index");
        final ReverseIndex expected = ReverseIndex.create(Workload.config());
        try (ReverseIndex index = ReverseIndex.create(Workload.config(), directory))
        {
            Workload.applyBoth(index, expected, SEED, 1, 300);
            assertTrue(index.persistent());
            assertEquals(Workload.scan(expected), Workload.scan(index));
        }
        try (ReverseIndex reopened = ReverseIndex.open(directory))
        {
            assertEquals(300, reopened.version());
            assertEquals(Workload.scan(expected), Workload.scan(reopened));
            assertForwardMapsEqual(expected, reopened);
            Workload.applyBoth(reopened, expected, SEED, 301, 400);
        }
        try (ReverseIndex again = ReverseIndex.open(directory))
        {
            assertEquals(400, again.version());
            assertEquals(Workload.scan(expected), Workload.scan(again));
        }
    }

    @Test
    void shouldReopenAfterCompactionIntoANewGeneration() throws IOException
    {
        final Path directory = temp.resolve("index");
        final ReverseIndex expected = ReverseIndex.create(Workload.config());
        try (ReverseIndex index = ReverseIndex.create(Workload.config(), directory))
        {
            Workload.applyBoth(index, expected, SEED, 1, 100);
            index.compactNow();
            Workload.applyBoth(index, expected, SEED, 101, 150);
        }
        try (Stream<Path> files = Files.list(directory))
        {
            final List<String> names = files.map(f -> f.getFileName().toString()).sorted().toList();
            assertTrue(names.contains("log-2.dat") && !names.contains("log-1.dat") && !names.contains("slab-1-0.dat"),
                names.toString());
        }
        assertReopensAt(directory, expected, 150);
    }

    @Test
    void shouldRefuseASecondWriterWithAClearMessage() throws IOException
    {
        final Path directory = temp.resolve("index");
        try (ReverseIndex index = ReverseIndex.create(Workload.config(), directory))
        {
            final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> ReverseIndex.open(directory));
            assertEquals("index is open for writing by another writer: directory=" + directory, ex.getMessage());
            assertTrue(index.persistent());
        }
        ReverseIndex.open(directory).close();
        assertThrows(IllegalStateException.class, () -> ReverseIndex.create(Workload.config(), directory));

        final Path foreign = Files.createDirectory(temp.resolve("foreign"));
        Files.writeString(foreign.resolve("notes.txt"), "someone's file");
        final IllegalStateException ex = assertThrows(IllegalStateException.class,
            () -> ReverseIndex.create(Workload.config(), foreign));
        assertEquals("directory is not empty and holds no index: directory=" + foreign, ex.getMessage());
        try (Stream<Path> files = Files.list(foreign))
        {
            assertEquals(List.of("notes.txt"), files.map(f -> f.getFileName().toString()).toList(), "left untouched");
        }
    }

    @Test
    void shouldCreateFilesReadableByTheOwnerOnly() throws IOException
    {
        final Path directory = temp.resolve("index");
        try (ReverseIndex index = ReverseIndex.create(Workload.config(), directory))
        {
            Workload.apply(index, SEED, 1);
        }
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(directory)));
        try (Stream<Path> files = Files.list(directory))
        {
            files.forEach(file -> assertEquals("rw-------", permissions(file), file.toString()));
        }
    }

    @Test
    void shouldIgnoreATornLastRecordAndContinueAfterIt() throws IOException
    {
        assertTornTailIgnored(new byte[]{0, 0, 1, 0, 1, 2, 3, 4, 5, 6, 7});
    }

    @Test
    void shouldIgnoreATornLastRecordThatNeverLeftTheCacheAndContinueAfterIt() throws IOException
    {
        // what a crash leaves of an append whose size reached the device and whose bytes did not
        assertTornTailIgnored(new byte[100]);
    }

    /**
     * A log ending in {@code tail} reopens at its last whole record, cuts the tail off, and takes batches after it.
     */
    private void assertTornTailIgnored(final byte[] tail) throws IOException
    {
        final Path directory = temp.resolve("index");
        final ReverseIndex expected = ReverseIndex.create(Workload.config());
        Workload.createWithBatches(directory, expected, SEED, 20);
        final Path log = directory.resolve("log-1.dat");
        final long whole = Files.size(log);
        try (FileChannel channel = FileChannel.open(log, StandardOpenOption.WRITE, StandardOpenOption.APPEND))
        {
            channel.write(ByteBuffer.wrap(tail));
        }
        try (ReverseIndex reopened = ReverseIndex.open(directory))
        {
            assertEquals(20, reopened.version());
            assertEquals(Workload.scan(expected), Workload.scan(reopened));
            assertEquals(whole, Files.size(log), "the torn tail is cut off");
            Workload.applyBoth(reopened, expected, SEED, 21, 21);
        }
        assertReopensAt(directory, expected, 21);
    }

    @Test
    void shouldIgnoreALastRecordOfManyPagesOneOfWhichNeverReachedTheDevice() throws IOException
    {
        final Path directory = temp.resolve("index");
        final ReverseIndex expected = ReverseIndex.create(Workload.config());
        final long before;
        try (ReverseIndex index = ReverseIndex.create(Workload.config(), directory))
        {
            Workload.applyBoth(index, expected, SEED, 1, 20);
            before = Files.size(directory.resolve("log-1.dat"));
            // 600 new owners and 600 share groups: a record of several pages
            final Batch batch = index.newBatch();
            for (int i = 0; i < 600; i++)
            {
                batch.reflink(Owner.data(104), 0, Owner.data(5000 + i), 0, Workload.BLOCK);
            }
            batch.commit();
        }
        final Path log = directory.resolve("log-1.dat");
        final long size = Files.size(log);
        final long page = 4096;
        final long zeroPage = ((before + page - 1) & -page) + page;
        assertTrue(zeroPage + page < size, "the record spans the page: " + before + ".." + size);
        // not aligned with the record's start: the page of the file, as the device writes it
        assertTrue((zeroPage - before) % page != 0);
        try (FileChannel channel = FileChannel.open(log, StandardOpenOption.WRITE))
        {
            channel.write(ByteBuffer.allocate((int)page), zeroPage);
        }
        assertReopensAt(directory, expected, 20);
        assertEquals(before, Files.size(log));
    }

    @Test
    void shouldIgnoreALastRecordWhoseFirstPageNeverReachedTheDevice() throws IOException
    {
        final Path directory = temp.resolve("index");
        final ReverseIndex expected = ReverseIndex.create(Workload.config());
        final long before = withALastRecordOfManyPages(directory, expected, 0);
        final Path log = directory.resolve("log-1.dat");
        // the record's part of the page holding its header reads as zeros; its later pages reached the device
        zeroTo(log, before, pageEnd(before));
        assertReopensAt(directory, expected, 20);
        assertEquals(before, Files.size(log), "the torn record is cut off");
    }

    @Test
    void shouldIgnoreALastRecordWhoseFirstAndLastPagesNeverReachedTheDevice() throws IOException
    {
        final Path directory = temp.resolve("index");
        final ReverseIndex expected = ReverseIndex.create(Workload.config());
        final long before = withALastRecordOfManyPages(directory, expected, 0);
        final Path log = directory.resolve("log-1.dat");
        final long size = Files.size(log);
        // neither its header nor its trailer: only pages between them reached the device
        zeroTo(log, before, pageEnd(before));
        zeroTo(log, pageEnd(size - 1) - 4096, size);
        assertReopensAt(directory, expected, 20);
        assertEquals(before, Files.size(log), "the torn record is cut off");
    }

    @Test
    void shouldRefuseARecordWhoseFirstPageReadsAsZerosWhenWholeRecordsFollowIt() throws IOException
    {
        final Path directory = temp.resolve("index");
        final long before = withALastRecordOfManyPages(directory, ReverseIndex.create(Workload.config()), 2);
        final Path log = directory.resolve("log-1.dat");
        // the same zeros, in the middle of the log: damage, not a torn tail; the batches after it must not be lost
        zeroTo(log, before, pageEnd(before));
        final long size = Files.size(log);
        assertRefused(directory, log + ": record header checksum mismatch at byte " + before);
        assertEquals(size, Files.size(log), "nothing cut off");
    }

    /**
     * An index holding batches 1..20, then a batch of several pages (version 21), then {@code after} more small
     * batches; closed. The oracle gets batches 1..20 only.
     *
     * @return where the record of several pages starts in the log.
     */
    private static long withALastRecordOfManyPages(final Path directory, final ReverseIndex expected, final int after)
        throws IOException
    {
        try (ReverseIndex index = ReverseIndex.create(Workload.config(), directory))
        {
            Workload.applyBoth(index, expected, SEED, 1, 20);
            final long before = Files.size(directory.resolve("log-1.dat"));
            // 600 new owners and 600 share groups: a record of several pages
            final Batch batch = index.newBatch();
            for (int i = 0; i < 600; i++)
            {
                batch.reflink(Owner.data(104), 0, Owner.data(5000 + i), 0, Workload.BLOCK);
            }
            batch.commit();
            for (int k = 0; k < after; k++)
            {
                Workload.apply(index, SEED, 22 + k);
            }
            final long size = Files.size(directory.resolve("log-1.dat"));
            assertTrue(pageEnd(before) + 2 * 4096 < size, "the record spans pages: " + before + ".." + size);
            assertTrue(before % 512 != 0, "the record starts inside a page, after the end of the one before it");
            return before;
        }
    }

    /**
     * The end of the 4 KiB page of the file that holds byte {@code position}.
     */
    private static long pageEnd(final long position)
    {
        return (position + 4096) & -4096L;
    }

    /**
     * Bytes {@code [from, to)} of a file read as zeros: what a crash leaves of pages the device had not written.
     */
    private static void zeroTo(final Path file, final long from, final long to) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            channel.write(ByteBuffer.allocate((int)(to - from)), from);
        }
    }

    @Test
    void shouldRefuseARecordWhoseLengthIsDamagedRatherThanDropTheRecordsAfterIt() throws IOException
    {
        final Path directory = temp.resolve("index");
        Workload.createWithBatches(directory, ReverseIndex.create(Workload.config()), SEED, 10);
        final Path log = directory.resolve("log-1.dat");
        final ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(log));
        long record = IndexLog.HEADER_LENGTH;
        for (int r = 0; r < 3; r++)
        {
            record += IndexLog.RECORD_HEADER + bytes.getInt((int)record) + IndexLog.RECORD_TRAILER;
        }
        // the length now runs past the end of the file, as a torn record's would
        bytes.put((int)record + 1, (byte)(bytes.get((int)record + 1) ^ 0x10));
        Files.write(log, bytes.array());
        assertRefused(directory, log + ": record header checksum mismatch at byte " + record);
        assertEquals(bytes.capacity(), Files.size(log), "nothing cut off");
    }

    @Test
    void shouldReadAndAppendToALogOfTheFirstFormat() throws IOException
    {
        final Path directory = temp.resolve("index");
        final ReverseIndex expected = ReverseIndex.create(Workload.config());
        Workload.createWithBatches(directory, expected, SEED, 20);
        final Path log = directory.resolve("log-1.dat");
        Files.write(log, toFormat1(Files.readAllBytes(log)));
        ForeignSlabTest.slabsToFormat6(directory); // the slabs of a format 1 log carry no log id
        try (ReverseIndex reopened = ReverseIndex.open(directory))
        {
            assertEquals(20, reopened.version());
            assertEquals(Workload.scan(expected), Workload.scan(reopened));
            Workload.applyBoth(reopened, expected, SEED, 21, 22);
        }
        assertEquals(IndexLog.VERSION_1, ByteBuffer.wrap(Files.readAllBytes(log)).getInt(8), "still format 1");
        assertReopensAt(directory, expected, 22);
    }

    /**
     * A log as format 1 wrote it: records without the header checksum.
     */
    private static byte[] toFormat1(final byte[] log)
    {
        final ByteBuffer in = ByteBuffer.wrap(log);
        final ByteBuffer out = ByteBuffer.allocate(log.length);
        out.put(log, 0, IndexLog.HEADER_LENGTH);
        out.putInt(8, IndexLog.VERSION_1).putInt(36, IndexLog.crc(out.array(), 0, 36));
        int at = IndexLog.HEADER_LENGTH;
        while (at < log.length)
        {
            final int length = in.getInt(at);
            out.putInt(length).putInt(in.getInt(at + 4));
            out.put(log, at + IndexLog.RECORD_HEADER, length + IndexLog.RECORD_TRAILER);
            at += IndexLog.RECORD_HEADER + length + IndexLog.RECORD_TRAILER;
        }
        return java.util.Arrays.copyOf(out.array(), out.position());
    }

    @Test
    void shouldCommitWhenTheCompactionItStartsFailsAndCompactOnceItCan() throws IOException
    {
        final Path directory = temp.resolve("index");
        final ReverseIndex expected = ReverseIndex.create(Workload.config());
        try (ReverseIndex index = ReverseIndex.create(Workload.config(), directory))
        {
            Workload.applyBoth(index, expected, SEED, 1, 5);
            // generation 2 cannot be cleared for the compaction: a directory with something in it has its name
            final Path obstacle = Files.createDirectories(directory.resolve("log-2.dat").resolve("x"));
            final long version = index.version();
            shareOneBlockWidely(index);
            shareOneBlockWidely(expected);
            assertEquals(version + 1, index.version(), "the batch committed");
            assertEquals(0, index.compactions());
            assertTrue(index.lastCompactionFailure() != null, "the compaction it started failed");
            Workload.applyBoth(index, expected, SEED, 6, 8);
            Files.delete(obstacle);
            Files.delete(obstacle.getParent());
            index.compactNow();
            assertEquals(1, index.compactions());
            assertEquals(null, index.lastCompactionFailure());
            Workload.applyBoth(index, expected, SEED, 9, 10);
        }
        assertReopensAt(directory, expected, 11);
    }

    @Test
    void shouldSwitchToTheCompactedGenerationEvenIfTheOldOneCannotBeDeleted() throws IOException
    {
        final Path directory = temp.resolve("index");
        final ReverseIndex expected = ReverseIndex.create(Workload.config());
        final Path obstacle = directory.resolve("slab-1-9.dat").resolve("x");
        try (ReverseIndex index = ReverseIndex.create(Workload.config(), directory))
        {
            Workload.applyBoth(index, expected, SEED, 1, 5);
            Files.createDirectories(obstacle);
            index.compactNow();
            assertEquals(1, index.compactions());
            Workload.applyBoth(index, expected, SEED, 6, 10);
        }
        Files.delete(obstacle);
        Files.delete(obstacle.getParent());
        assertReopensAt(directory, expected, 10);
    }

    /**
     * One batch that reflinks a block to 70,000 new owners: as many share groups, past the count that starts a
     * compaction.
     */
    private static void shareOneBlockWidely(final ReverseIndex index)
    {
        final Batch batch = index.newBatch();
        for (int i = 0; i < 70_000; i++)
        {
            batch.reflink(Owner.data(104), 0, Owner.data(100_000 + i), 0, Workload.BLOCK);
        }
        batch.commit();
    }

    @Test
    void shouldCreateOverWhatACreateKilledBeforeCurrentLeftButKeepAnIndexThatLostIt() throws IOException
    {
        // a create killed after its checkpoint, before CURRENT: its log, its slab, CURRENT's temporary file
        final Path directory = temp.resolve("index");
        ReverseIndex.create(Workload.config(), directory).close();
        Files.delete(directory.resolve("CURRENT"));
        Files.writeString(directory.resolve("CURRENT.tmp"), "daxrmap-index version 2 gen");
        final ReverseIndex expected = ReverseIndex.create(Workload.config());
        try (ReverseIndex index = ReverseIndex.create(Workload.config(), directory))
        {
            Workload.applyBoth(index, expected, SEED, 1, 3);
        }
        assertReopensAt(directory, expected, 3);

        // an index with batches whose CURRENT is gone is not such a remain: create leaves it as it is
        Files.delete(directory.resolve("CURRENT"));
        final byte[] log = Files.readAllBytes(directory.resolve("log-1.dat"));
        final IllegalStateException refused = assertThrows(IllegalStateException.class,
            () -> ReverseIndex.create(Workload.config(), directory));
        assertTrue(refused.getMessage().startsWith("directory is not empty and holds no index"), refused.getMessage());
        assertTrue(java.util.Arrays.equals(log, Files.readAllBytes(directory.resolve("log-1.dat"))));
    }

    @Test
    void shouldKeepALogThatLostItsCurrentWhenItsFirstRecordHeaderIsDamaged() throws IOException
    {
        final Path directory = temp.resolve("index");
        Workload.createWithBatches(directory, ReverseIndex.create(Workload.config()), SEED, 5);
        Files.delete(directory.resolve("CURRENT"));
        final Path log = directory.resolve("log-1.dat");
        // the checkpoint's length now runs past the end of the file, as a torn checkpoint's would
        flipByte(log, IndexLog.HEADER_LENGTH + 1);
        final byte[] bytes = Files.readAllBytes(log);
        final CorruptIndexException refused = assertThrows(CorruptIndexException.class,
            () -> ReverseIndex.create(Workload.config(), directory));
        assertTrue(refused.getMessage().startsWith(log + ": record header checksum mismatch at byte " +
            IndexLog.HEADER_LENGTH), refused.getMessage());
        assertTrue(java.util.Arrays.equals(bytes, Files.readAllBytes(log)), "the log with its batches is kept");
    }

    @Test
    void shouldCreateOverALogWhoseCheckpointNeverReachedTheDevice() throws IOException
    {
        // a create cut off by a crash after the log's header was forced, before its checkpoint was
        final Path directory = temp.resolve("index");
        ReverseIndex.create(Workload.config(), directory).close();
        Files.delete(directory.resolve("CURRENT"));
        final Path log = directory.resolve("log-1.dat");
        zeroTo(log, IndexLog.HEADER_LENGTH, Files.size(log));
        final ReverseIndex expected = ReverseIndex.create(Workload.config());
        try (ReverseIndex index = ReverseIndex.create(Workload.config(), directory))
        {
            Workload.applyBoth(index, expected, SEED, 1, 3);
        }
        assertReopensAt(directory, expected, 3);
    }

    @Test
    void shouldCompactALogThatOnlyGrows() throws IOException
    {
        final Path directory = temp.resolve("index");
        final ReverseIndex expected = ReverseIndex.create(Workload.config());
        final long slack = 16 << 10;
        final long checkpoint;
        try (ReverseIndex index = ReverseIndex.create(Workload.config(), directory))
        {
            checkpoint = Files.size(directory.resolve("log-1.dat"));
            index.logSlack(slack);
            Workload.applyBoth(index, expected, SEED, 1, 400);
            assertTrue(index.compactions() > 0, "the log's growth started compactions");
            try (Stream<Path> files = Files.list(directory))
            {
                final Path log = files.filter(f -> f.getFileName().toString().startsWith("log-")).findFirst()
                    .orElseThrow();
                // batch records past the larger of the checkpoint and an estimate of the next one, and the slack
                final long estimate = 12L * index.current().stripeCount() + 20L * index.current().ownerCount;
                assertTrue(Files.size(log) < checkpoint + Math.max(checkpoint, estimate) + slack + 4096,
                    log + " size=" + Files.size(log));
            }
        }
        assertReopensAt(directory, expected, 400);
    }

    @Test
    void shouldNotCompactTheOneLargeRecordOfABulkLoad() throws IOException
    {
        final Path directory = temp.resolve("index");
        final int owners = 20_000;
        try (ReverseIndex index = ReverseIndex.create(
            new IndexConfig(new io.daxrmap.model.DeviceGeometry(0, 1L << 30, Workload.BLOCK), owners), directory))
        {
            index.logSlack(16 << 10);
            final BulkLoad load = index.bulkLoad(owners);
            for (int i = 0; i < owners; i++)
            {
                load.add(Owner.data(1_000 + i), 0, 2L * i * Workload.BLOCK, Workload.BLOCK, 0);
            }
            load.commit();
            // its record is about what a checkpoint of the loaded index takes: rewriting it would gain nothing
            assertEquals(0, index.compactions());
            assertTrue(Files.size(directory.resolve("log-1.dat")) > 20L * owners);
        }
    }

    @Test
    void shouldFollowAnIndexDirectoryReplacedByAnotherOfTheSameGeneration() throws IOException
    {
        final Path directory = temp.resolve("index");
        final ReverseIndex first = ReverseIndex.create(Workload.config());
        Workload.createWithBatches(directory, first, SEED, 5);
        // the replacement: another device size, so another stripe span; its generation is 1 too
        final IndexConfig wider = new IndexConfig(
            new io.daxrmap.model.DeviceGeometry(0, 4 * Workload.GEOMETRY.size(), Workload.BLOCK), 1 << 20);
        final Path built = temp.resolve("built");
        final ReverseIndex second = ReverseIndex.create(wider);
        try (ReverseIndex index = ReverseIndex.create(wider, built))
        {
            Workload.applyBoth(index, second, SEED, 1, 30);
        }
        try (ReverseIndex follower = ReverseIndex.openReadOnly(directory))
        {
            final IndexReader reader = follower.newReader();
            assertEquals(Workload.scan(first), Workload.scan(reader));
            Files.move(directory, temp.resolve("old"));
            Files.move(built, directory);
            assertEquals(30, reader.refresh());
            assertEquals(Workload.scan(second), Workload.scan(reader));
            assertEquals(wider.geometry(), follower.geometry());
            assertEquals(second.stripeShift(), follower.stripeShift());
        }
    }

    @Test
    void shouldRefuseDamagedFilesNamingTheFileAndWhatIsWrong() throws IOException
    {
        final Path directory = temp.resolve("index");
        try (ReverseIndex index = ReverseIndex.create(Workload.config(), directory))
        {
            for (long k = 1; k <= 20; k++)
            {
                Workload.apply(index, SEED, k);
            }
        }
        final Path log = directory.resolve("log-1.dat");
        final byte[] original = Files.readAllBytes(log);

        final byte[] flipped = original.clone();
        flipped[original.length / 2] ^= 0x10;
        Files.write(log, flipped);
        assertRefused(directory, log + ": record checksum mismatch at byte ");

        final byte[] version = original.clone();
        version[11] = 9;
        Files.write(log, version);
        assertRefused(directory, log + ": header checksum mismatch");

        final byte[] lastRecord = original.clone();
        lastRecord[original.length - IndexLog.RECORD_TRAILER - 3] ^= 0x04;
        Files.write(log, lastRecord);
        assertRefused(directory, log + ": record checksum mismatch at byte ");

        final ByteBuffer future = ByteBuffer.wrap(original.clone());
        future.putInt(8, IndexLog.VERSION + 1).putInt(36, IndexLog.crc(future.array(), 0, 36));
        Files.write(log, future.array());
        assertRefused(directory, log + ": unsupported format version: version=" + (IndexLog.VERSION + 1) +
            " supported=" + IndexLog.VERSION_1 + ".." + IndexLog.VERSION);

        Files.write(log, original);
        final Path slab = directory.resolve("slab-1-0.dat");
        final int emptyStripeValue = SlabFiles.HEADER_LENGTH + StripeDescriptor.HEADER_LENGTH +
            StripeDescriptor.PIECE_VALUE_OFFSET;
        flipByte(slab, emptyStripeValue);
        assertRefused(directory, slab + ": block checksum mismatch: empty stripe offset=" + SlabFiles.HEADER_LENGTH);
        flipByte(slab, emptyStripeValue);
        ReverseIndex.open(directory).close();

        try (FileChannel channel = FileChannel.open(slab, StandardOpenOption.WRITE))
        {
            channel.truncate(40);
        }
        assertRefused(directory, slab + ": truncated: size=40");

        Files.delete(slab);
        assertRefused(directory, slab + ": missing");

        final Path current = directory.resolve("CURRENT");
        final String currentText = Files.readString(current);
        assertTrue(currentText.matches("daxrmap-index version 2 generation 1 crc [0-9a-f]{8}\n"), currentText);
        Files.writeString(current, currentText.replace("generation 1", "generation 2"));
        assertRefused(directory, current + ": checksum mismatch: ");

        Files.writeString(directory.resolve("CURRENT"), "something else\n");
        assertRefused(directory, directory.resolve("CURRENT") + ": not a daxrmap index: \"something else\"");

        final Path empty = Files.createDirectory(temp.resolve("empty"));
        assertRefused(empty, empty + ": not an index directory: no CURRENT");
        assertRefused(temp.resolve("nothing"), temp.resolve("nothing") + ": no such index directory");
    }

    /**
     * A persistent index in {@code directory} holding batches {@code 1..batches}, applied to the oracle too; closed.
     */

    /**
     * The index in {@code directory} reopens at {@code version} with the oracle's records.
     */
    private static void assertReopensAt(final Path directory, final ReverseIndex expected, final long version)
        throws IOException
    {
        try (ReverseIndex reopened = ReverseIndex.open(directory))
        {
            assertEquals(version, reopened.version());
            assertEquals(Workload.scan(expected), Workload.scan(reopened));
        }
    }

    /**
     * Apply batches {@code from..to} to the index under test and to the in-memory oracle.
     */

    private static void flipByte(final Path file, final long position) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final ByteBuffer one = ByteBuffer.allocate(1);
            channel.read(one, position);
            one.put(0, (byte)(one.get(0) ^ 0x20)).rewind();
            channel.write(one, position);
        }
    }

    private static void assertRefused(final Path directory, final String messageStart)
    {
        final CorruptIndexException ex = assertThrows(CorruptIndexException.class, () -> ReverseIndex.open(directory));
        assertTrue(ex.getMessage().startsWith(messageStart), ex.getMessage());
    }

    private static void assertForwardMapsEqual(final ReverseIndex expected, final ReverseIndex actual)
    {
        for (int file = 0; file < Workload.FILES; file++)
        {
            for (final long owner : new long[]{Owner.data(100 + file), Owner.data(200 + file)})
            {
                assertEquals(forward(expected, owner), forward(actual, owner), Owner.toString(owner));
            }
        }
    }

    private static String forward(final ReverseIndex index, final long owner)
    {
        final StringBuilder out = new StringBuilder();
        index.newReader().forward(owner, 0, 1L << 40, (fileOffset, deviceOffset, length, flags) ->
        {
            out.append(fileOffset).append("->").append(deviceOffset).append('+').append(length).append(' ');
            return true;
        });
        return out.toString();
    }

    private static String permissions(final Path file)
    {
        try
        {
            return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
