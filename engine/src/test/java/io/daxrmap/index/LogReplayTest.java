package io.daxrmap.index;

import io.daxrmap.model.DeviceGeometry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

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
