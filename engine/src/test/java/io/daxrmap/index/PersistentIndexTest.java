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
            applyBoth(index, expected, 1, 300);
            assertTrue(index.persistent());
            assertEquals(Workload.scan(expected), Workload.scan(index));
        }
        try (ReverseIndex reopened = ReverseIndex.open(directory))
        {
            assertEquals(300, reopened.version());
            assertEquals(Workload.scan(expected), Workload.scan(reopened));
            assertForwardMapsEqual(expected, reopened);
            applyBoth(reopened, expected, 301, 400);
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
            applyBoth(index, expected, 1, 100);
            index.compactNow();
            applyBoth(index, expected, 101, 150);
        }
        try (Stream<Path> files = Files.list(directory))
        {
            final List<String> names = files.map(f -> f.getFileName().toString()).sorted().toList();
            assertTrue(names.contains("log-2.dat") && !names.contains("log-1.dat") && !names.contains("slab-1-0.dat"),
                names.toString());
        }
        try (ReverseIndex reopened = ReverseIndex.open(directory))
        {
            assertEquals(150, reopened.version());
            assertEquals(Workload.scan(expected), Workload.scan(reopened));
        }
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
        final Path directory = temp.resolve("index");
        final ReverseIndex expected = ReverseIndex.create(Workload.config());
        try (ReverseIndex index = ReverseIndex.create(Workload.config(), directory))
        {
            applyBoth(index, expected, 1, 20);
        }
        final Path log = directory.resolve("log-1.dat");
        try (FileChannel channel = FileChannel.open(log, StandardOpenOption.WRITE, StandardOpenOption.APPEND))
        {
            channel.write(ByteBuffer.wrap(new byte[]{0, 0, 1, 0, 1, 2, 3, 4, 5, 6, 7}));
        }
        try (ReverseIndex reopened = ReverseIndex.open(directory))
        {
            assertEquals(20, reopened.version());
            assertEquals(Workload.scan(expected), Workload.scan(reopened));
            applyBoth(reopened, expected, 21, 21);
        }
        try (ReverseIndex reopened = ReverseIndex.open(directory))
        {
            assertEquals(21, reopened.version());
            assertEquals(Workload.scan(expected), Workload.scan(reopened));
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
            " supported=" + IndexLog.VERSION);

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
     * Apply batches {@code from..to} to the index under test and to the in-memory oracle.
     */
    private static void applyBoth(final ReverseIndex index, final ReverseIndex expected, final long from, final long to)
    {
        for (long k = from; k <= to; k++)
        {
            Workload.apply(index, SEED, k);
            Workload.apply(expected, SEED, k);
        }
    }

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
