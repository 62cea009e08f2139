package io.daxrmap.index;

import io.daxrmap.store.FilesystemIndexBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a create of an earlier version left, killed before it wrote CURRENT, is created over as this version's is: the
 * log format went from 2 to 3 (slabs carrying the log's id), and a format 2 log holding only its checkpoint is as much
 * a leftover as a format 3 one. A format 1 log was never taken for a leftover (its record header has no checksum to
 * trust its length by), and still is not.
 */
class LeftoverFormatTest
{
    private static final long SEED = 42;

    @TempDir
    Path temp;

    @Test
    void shouldCreateOverWhatACreateOfTheFormatBeforeLogIdsLeft() throws IOException
    {
        final Path directory = temp.resolve("index");
        ReverseIndex.create(Workload.config(), directory).close();
        Files.delete(directory.resolve("CURRENT"));
        ForeignSlabTest.slabsToFormat6(directory);
        final Path log = directory.resolve("log-1.dat");
        setLogFormat(log, IndexLog.VERSION_2);

        final ReverseIndex expected = ReverseIndex.create(Workload.config());
        try (ReverseIndex index = ReverseIndex.create(Workload.config(), directory))
        {
            for (long k = 1; k <= 3; k++)
            {
                Workload.apply(index, SEED, k);
                Workload.apply(expected, SEED, k);
            }
        }
        assertEquals(IndexLog.VERSION, ByteBuffer.wrap(Files.readAllBytes(log)).getInt(8), "created anew");
        try (ReverseIndex reopened = ReverseIndex.open(directory))
        {
            assertEquals(3, reopened.version());
            assertEquals(Workload.scan(expected), Workload.scan(reopened));
        }
    }

    @Test
    void shouldKeepALogOfTheFirstFormatThatLostItsCurrent() throws IOException
    {
        final Path directory = temp.resolve("index");
        ReverseIndex.create(Workload.config(), directory).close();
        Files.delete(directory.resolve("CURRENT"));
        ForeignSlabTest.slabsToFormat6(directory);
        final Path log = directory.resolve("log-1.dat");
        setLogFormat(log, IndexLog.VERSION_1);
        final byte[] bytes = Files.readAllBytes(log);
        final IllegalStateException refused = assertThrows(IllegalStateException.class,
            () -> ReverseIndex.create(Workload.config(), directory));
        assertTrue(refused.getMessage().startsWith("directory is not empty and holds no index"), refused.getMessage());
        assertTrue(java.util.Arrays.equals(bytes, Files.readAllBytes(log)), "kept");
    }

    @Test
    void shouldGiveTheImportTheLimitTheIndexChecks()
    {
        assertEquals(ExtentsDescriptor.LENGTH_MASK, FilesystemIndexBuilder.MAX_DEVICE_SIZE);
    }

    /**
     * Rewrite a log header's format, with its checksums.
     */
    private static void setLogFormat(final Path log, final int format) throws IOException
    {
        try (FileChannel channel = FileChannel.open(log, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final ByteBuffer header = ByteBuffer.allocate(IndexLog.HEADER_LENGTH);
            while (header.hasRemaining() && channel.read(header, header.position()) > 0)
            {
                // the buffer's position is the file's
            }
            header.putInt(8, format).putInt(36, IndexLog.crc(header.array(), 0, 36));
            header.putInt(IndexLog.ID_CRC_OFFSET, IndexLog.crc(header.array(), 0, IndexLog.ID_CRC_OFFSET));
            header.clear();
            while (header.hasRemaining())
            {
                channel.write(header, header.position());
            }
        }
    }
}
