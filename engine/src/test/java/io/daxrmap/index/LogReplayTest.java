package io.daxrmap.index;

import io.daxrmap.model.DeviceGeometry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A reader following a log that another process appends to.
 */
class LogReplayTest
{
    private static final DeviceGeometry GEOMETRY = new DeviceGeometry(0, 1L << 30, 4096);
    private static final int STRIPE_SHIFT = 20;

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
        final AtomicBoolean stop = new AtomicBoolean();
        // a torn last record's zeros come and go: a writer that appends, is refused, and cuts the log back
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
                assertEquals(0, follower.readMore(), "zeros past the end are a torn record, never applied");
                reads++;
            }
            assertTrue(reads > 100, "reads=" + reads);
        }
        finally
        {
            stop.set(true);
            writer.join();
        }
        assertEquals(2, follower.version);
        assertEquals(end, follower.validLength);
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
