package io.daxrmap.index;

import io.daxrmap.model.DeviceGeometry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.roaringbitmap.RoaringBitmap;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A reader following a log that another process appends to.
 */
class LogReplayTest
{
    private static final DeviceGeometry GEOMETRY = new DeviceGeometry(0, 1L << 30, 4096);
    private static final int STRIPE_SHIFT = 20;
    private static final int TAIL_BATCHES = 100;
    private static final int PAD = 1 << 20;

    @TempDir
    Path temp;

    @Test
    void shouldNotTakeInRecordsOfAnotherLogThatTookTheNameAfterTheIdCheck() throws IOException
    {
        final Path directory = Files.createDirectory(temp.resolve("index"));
        final Path other = Files.createDirectory(temp.resolve("other"));
        writeLog(directory, 2);
        writeLog(other, 5); // the same generation and geometry, records of the same sizes, more of them
        final LogReplay follower = LogReplay.read(IndexLog.file(directory, 1), 1);
        assertEquals(2, follower.version);
        assertTrue(follower.sameLog());
        // the index directory exchanged between a check of the log's id and the read of what was appended
        Files.move(directory, temp.resolve("old"));
        Files.move(other, directory);
        follower.readMore();
        assertEquals(2, follower.records, "no record of the other log taken in");
        assertEquals(2, follower.version);
    }

    @Test
    void shouldReopenWhenTheLogIsCutBackUnderRecordsAlreadyTakenIn() throws IOException
    {
        final Path directory = Files.createDirectory(temp.resolve("index"));
        final Path shorter = Files.createDirectory(temp.resolve("shorter"));
        writeLog(shorter, 2);
        final long afterTwo = LogReplay.read(IndexLog.file(shorter, 1), 1).validLength;
        writeLog(directory, 3);
        final Path file = IndexLog.file(directory, 1);
        final LogReplay follower = LogReplay.read(file, 1);
        assertEquals(3, follower.version);
        // a writer refused the append of version 3 after this reader had taken it in, and cut it off
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            channel.truncate(afterTwo);
        }
        assertEquals(2, LogReplay.read(file, 1).version, "the log holds versions 1 and 2 now");
        assertEquals(LogReplay.ANOTHER_LOG, follower.readMore(), "what the follower holds is no longer the log's");
    }

    @Test
    void shouldFollowALogWhoseTailAWriterCutsBackWhileItIsRead() throws Exception
    {
        final Path directory = Files.createDirectory(temp.resolve("index"));
        writeLog(directory, 2);
        final Path file = IndexLog.file(directory, 1);
        final LogReplay follower = LogReplay.read(file, 1);
        final long end = Files.size(file);
        // a torn last record's zeros come and go: a writer that appends, is refused, and cuts the log back
        whileATornTailComesAndGoes(file, end, () ->
            assertEquals(0, follower.readMore(), "zeros past the end are a torn record, never applied"));
        assertEquals(2, follower.version);
        assertEquals(end, follower.validLength);
    }

    /**
     * A torn last record whose header begins 3 bytes before a sector boundary, and only the sector holding those 3
     * bytes never reached the device (found by a review): cut off, not refused.
     */
    @Test
    void shouldCutOffATornLastRecordWhoseHeaderBeginsJustBeforeASectorBoundary() throws IOException
    {
        final byte[] batch = payload(IndexLog.BATCH, 2, 30, new long[0]);
        assertTrue(batch.length >= 256, "the length's second byte is not zero: length=" + batch.length);
        final Path file = batchAfterByte509(batch);
        // the sector [0, 512) as it was once the checkpoint was forced: zeros past byte 509
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            channel.write(ByteBuffer.allocate(3), 509);
        }
        assertEquals(1, LogReplay.read(file, 1).version, "the torn, unacknowledged batch cut off, the checkpoint kept");
    }

    /**
     * The last committed record's header, 3 bytes of it before a sector boundary (the length's high bytes, zeros), is
     * damaged after it was written whole (found by a review): refused, not taken for a torn record and dropped.
     */
    @Test
    void shouldRefuseALastRecordWhoseHeaderJustBeforeASectorBoundaryIsDamaged() throws IOException
    {
        final byte[] batch = payload(IndexLog.BATCH, 2, 1, new long[0]);
        assertTrue(batch.length < 256, "the length's 3 high bytes are zeros: length=" + batch.length);
        final Path file = batchAfterByte509(batch);
        final long recordStart = 509;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final ByteBuffer at = ByteBuffer.allocate(1);
            channel.read(at, recordStart + 9);
            channel.write(at.put(0, (byte)(at.get(0) ^ 0x10)).clear(), recordStart + 9); // a bit of the header's CRC
        }
        final CorruptIndexException refused = assertThrows(CorruptIndexException.class, () -> LogReplay.read(file, 1));
        assertTrue(refused.getMessage().endsWith("record header checksum mismatch at byte 509"), refused.getMessage());
    }

    @Test
    void shouldFollowAFormatOneLog() throws IOException
    {
        final Path directory = Files.createDirectory(temp.resolve("index"));
        final Path file = IndexLog.file(directory, 1);
        final ByteBuffer header = ByteBuffer.allocate(IndexLog.HEADER_LENGTH);
        header.putLong(0, IndexLog.MAGIC).putInt(8, IndexLog.VERSION_1).putInt(12, 1).putInt(16, GEOMETRY.device())
            .putInt(20, GEOMETRY.blockSize()).putLong(24, GEOMETRY.size()).putInt(32, STRIPE_SHIFT);
        header.putInt(36, IndexLog.crc(header.array(), 0, 36));
        Files.write(file, header.array());
        try (IndexLog log = IndexLog.over(
            file, FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE), IndexLog.VERSION_1,
            IndexLog.HEADER_LENGTH))
        {
            final byte[] checkpoint = payload(IndexLog.CHECKPOINT, 1, 3, new long[] {5});
            log.append(checkpoint, checkpoint.length);
            final LogReplay follower = LogReplay.read(file, 1);
            assertEquals(1, follower.version);
            for (long v = 2; v <= 50; v++)
            {
                final byte[] batch = payload(IndexLog.BATCH, v, (int)(v % 7), new long[] {100 + v});
                log.append(batch, batch.length);
                if (v % 3 == 0)
                {
                    assertTrue(follower.readMore() >= 1);
                    assertEquals(v, follower.version);
                }
            }
            follower.readMore();
            assertEquals(50, follower.version);
            assertEquals(Files.size(file), follower.validLength);
            assertEquals(50, follower.owners.count());
        }
    }

    /**
     * The open path, which a follower also takes when it reopens, while a writer cuts a torn tail off (found by a
     * review: the log was mapped, and a page past the cut faulted).
     */
    @Test
    void shouldOpenALogWhoseTailAWriterCutsBackWhileItIsRead() throws Exception
    {
        final Path directory = Files.createDirectory(temp.resolve("index"));
        writeLog(directory, 1);
        final Path file = IndexLog.file(directory, 1);
        final long end = Files.size(file);
        whileATornTailComesAndGoes(file, end, () -> assertEquals(1, LogReplay.read(file, 1).version));
    }

    /**
     * A follower far behind takes in more than its heap holds (found by a review: the whole tail was read into one
     * buffer): 100 batches of 1 MiB, in a child JVM with a heap of 64 MiB.
     */
    @Test
    void shouldTakeInATailLargerThanItsHeap() throws Exception
    {
        final Path full = Files.createDirectory(temp.resolve("full"));
        final Path followed = Files.createDirectory(temp.resolve("followed"));
        final long checkpointEnd;
        try (IndexLog log = IndexLog.create(full, 1, GEOMETRY, STRIPE_SHIFT))
        {
            final byte[] checkpoint = payload(IndexLog.CHECKPOINT, 1, 0, new long[] {11, 12});
            log.append(checkpoint, checkpoint.length);
            checkpointEnd = log.length();
            for (long v = 2; v < 2 + TAIL_BATCHES; v++)
            {
                final byte[] batch = largeBatch(v);
                log.append(batch, batch.length);
            }
        }
        final Path fullLog = IndexLog.file(full, 1);
        final Path followedLog = IndexLog.file(followed, 1);
        try (FileChannel in = FileChannel.open(fullLog);
            FileChannel out = FileChannel.open(followedLog, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))
        {
            in.transferTo(0, checkpointEnd, out);
        }
        final Process child = new ProcessBuilder(ChildJvm.command(
            List.of("-Xmx64m"), TailFollower.class, followedLog.toString(), fullLog.toString())).inheritIO().start();
        assertEquals(0, child.waitFor(), "the follower took in every batch");
    }

    /**
     * Follows the log {@code args[0]}, copies the rest of the log {@code args[1]} into it, and takes that in.
     */
    public static final class TailFollower
    {
        private TailFollower()
        {
        }

        /**
         * @param args the followed log, the whole log.
         * @throws IOException if a log cannot be read.
         */
        public static void main(final String[] args) throws IOException
        {
            final Path followed = Path.of(args[0]);
            final Path full = Path.of(args[1]);
            final LogReplay follower = LogReplay.read(followed, 1);
            try (FileChannel in = FileChannel.open(full); FileChannel out = FileChannel.open(followed,
                StandardOpenOption.WRITE))
            {
                for (long at = out.size(); at < in.size(); )
                {
                    at += in.transferTo(at, in.size() - at, out.position(at));
                }
            }
            if (follower.readMore() != TAIL_BATCHES || follower.version != 1 + TAIL_BATCHES)
            {
                throw new IllegalStateException("took in up to version " + follower.version);
            }
        }
    }

    /**
     * Read the log, again and again for two seconds, while a writer appends a torn tail of 256 KiB of zeros to it and
     * cuts it off again, over and over.
     */
    private static void whileATornTailComesAndGoes(final Path file, final long end, final Read read) throws Exception
    {
        final AtomicBoolean stop = new AtomicBoolean();
        final Thread writer = new Thread(() ->
        {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
            {
                final ByteBuffer zero = ByteBuffer.allocate(1);
                while (!stop.get())
                {
                    channel.write(zero.clear(), end + (1 << 18) - 1);
                    channel.truncate(end);
                }
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        });
        writer.start();
        try
        {
            final long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            int reads = 0;
            while (System.nanoTime() < until)
            {
                read.run();
                reads++;
            }
            assertTrue(reads > 100, "reads=" + reads);
        }
        finally
        {
            stop.set(true);
            writer.join();
        }
    }

    /**
     * One read of the log that may throw.
     */
    private interface Read
    {
        void run() throws IOException;
    }

    /**
     * A log of a checkpoint that ends at byte 509, 3 bytes before a sector boundary, and then {@code batch}, both
     * read back.
     */
    private Path batchAfterByte509(final byte[] batch) throws IOException
    {
        final Path directory = Files.createDirectory(temp.resolve("index"));
        try (IndexLog log = IndexLog.create(directory, 1, GEOMETRY, STRIPE_SHIFT))
        {
            final byte[] checkpoint = payload(IndexLog.CHECKPOINT, 1, 31, new long[] {77});
            log.append(checkpoint, checkpoint.length);
            assertEquals(509, log.length(), "the batch's header begins 3 bytes before the sector boundary at 512");
            log.append(batch, batch.length);
        }
        final Path file = IndexLog.file(directory, 1);
        assertEquals(2, LogReplay.read(file, 1).version);
        return file;
    }

    private static byte[] payload(final byte type, final long version, final int stripes, final long[] owners)
    {
        final int[] indexes = new int[stripes];
        final long[] addresses = new long[stripes];
        for (int i = 0; i < stripes; i++)
        {
            indexes[i] = i;
            addresses[i] = 4096L * (i + 1) + version;
        }
        return new IndexLog.Writer(type, version, 0, 0, 0)
            .blocks(stripes, indexes, addresses).blocks(0, new int[0], new long[0])
            .owners(owners, 0, owners.length).sets(new OwnerSet[0], 0, 0).payload();
    }

    /**
     * A batch of about 1 MiB: a share group whose bitmap is followed by padding the reader skips.
     */
    private static byte[] largeBatch(final long version) throws IOException
    {
        final byte[] head = new IndexLog.Writer(IndexLog.BATCH, version, 0, 0, 0)
            .blocks(0, new int[0], new long[0]).blocks(0, new int[0], new long[0])
            .owners(new long[0], 0, 0).payload();
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final DataOutputStream out = new DataOutputStream(bytes);
        out.write(head);
        final RoaringBitmap bitmap = RoaringBitmap.bitmapOf(0, 1);
        final ByteBuffer serialized = ByteBuffer.allocate(bitmap.serializedSizeInBytes());
        bitmap.serialize(serialized);
        out.writeInt(1); // new sets
        out.writeInt(1); // groups
        out.writeLong(version); // delta: a set of its own each batch
        out.writeInt(0); // flags
        out.writeInt(PAD); // bitmap bytes: the bitmap, then padding
        out.write(serialized.array());
        out.write(new byte[PAD - serialized.capacity()]);
        return bytes.toByteArray();
    }

    /**
     * Write {@code log-1.dat} in {@code directory}: a checkpoint (version 1), then batches up to {@code version}.
     */
    private static void writeLog(final Path directory, final long version) throws IOException
    {
        try (IndexLog log = IndexLog.create(directory, 1, GEOMETRY, STRIPE_SHIFT))
        {
            final byte[] checkpoint = record(IndexLog.CHECKPOINT, 1);
            log.append(checkpoint, checkpoint.length);
            for (long v = 2; v <= version; v++)
            {
                final byte[] batch = record(IndexLog.BATCH, v);
                log.append(batch, batch.length);
            }
        }
    }

    private static byte[] record(final byte type, final long version)
    {
        return new IndexLog.Writer(type, version, 0, 0, 0)
            .blocks(0, new int[0], new long[0]).blocks(0, new int[0], new long[0])
            .owners(new long[0], 0, 0).sets(new OwnerSet[0], 0, 0).payload();
    }
}
