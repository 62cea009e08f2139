package io.daxrmap.index;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A read-only open races the writer and whoever replaces the index directory: a file it needs may vanish between the
 * check that it is there and its open (a compaction deleting the old generation), and a directory replaced in two
 * steps (the old index moved away, then the new one in, where the atomic exchange is unavailable) has no CURRENT
 * between them. The open looks again then, a bounded number of times, and still fails clearly when the index is
 * really missing or damaged. The races are made deterministic by the opener the open takes its files through.
 */
class ReadOnlyOpenRaceTest
{
    private static final long SEED = 42;

    @TempDir
    Path temp;

    /**
     * Opens files as {@link FileChannel#open}, but runs {@code step} first, once, when {@code name} is opened.
     */
    private static IndexLog.Opener before(final String name, final ReverseIndex.OpenStep step, final int[] runs)
    {
        return (final Path file, final OpenOption... options) ->
        {
            if (file.getFileName().toString().equals(name) && runs[0]++ == 0)
            {
                step.run();
            }
            return FileChannel.open(file, options);
        };
    }

    private static final ReverseIndex.OpenStep NOTHING = () -> { };

    @Test
    void shouldLookAgainWhenACompactionDeletesASlabBetweenItsCheckAndItsOpen() throws IOException
    {
        final Path directory = temp.resolve("index");
        final ReverseIndex expected = ReverseIndex.create(Workload.config());
        try (ReverseIndex writer = ReverseIndex.create(Workload.config(), directory))
        {
            Workload.applyBoth(writer, expected, SEED, 1, 20);
            final int[] runs = {0};
            try (ReverseIndex reader = ReverseIndex.openReadOnly(directory, true, NOTHING,
                before("slab-1-0.dat", writer::compactNow, runs), NOTHING))
            {
                assertEquals(1, runs[0]);
                assertTrue(Files.exists(directory.resolve("log-2.dat")), "compacted into generation 2");
                assertEquals(20, reader.version());
                assertEquals(Workload.scan(expected), Workload.scan(reader));
            }
        }
    }

    @Test
    void shouldLookAgainWhenACompactionDeletesTheLogBetweenItsCheckAndItsOpen() throws IOException
    {
        final Path directory = temp.resolve("index");
        final ReverseIndex expected = ReverseIndex.create(Workload.config());
        try (ReverseIndex writer = ReverseIndex.create(Workload.config(), directory))
        {
            Workload.applyBoth(writer, expected, SEED, 1, 20);
            final int[] runs = {0};
            try (ReverseIndex reader = ReverseIndex.openReadOnly(directory, true, NOTHING,
                before("log-1.dat", writer::compactNow, runs), NOTHING))
            {
                assertEquals(1, runs[0]);
                assertEquals(20, reader.version());
                assertEquals(Workload.scan(expected), Workload.scan(reader));
            }
        }
    }

    @Test
    void shouldOpenTheNewIndexWhenTheOpenLandsBetweenTheTwoStepsOfAReplacement() throws IOException
    {
        final Path directory = temp.resolve("index");
        final Path other = temp.resolve("other");
        Workload.createWithBatches(directory, ReverseIndex.create(Workload.config()), SEED, 20);
        final ReverseIndex expected = ReverseIndex.create(Workload.config());
        Workload.createWithBatches(other, expected, SEED, 25);
        final int[] runs = {0};
        final int[] pauses = {0};
        // the log read; the old index moved away as its slab is opened; the new one moved in while the open waits
        try (ReverseIndex reader = ReverseIndex.openReadOnly(directory, true, NOTHING,
            before("slab-1-0.dat", () -> Files.move(directory, temp.resolve("old")), runs), () ->
            {
                if (pauses[0]++ == 0)
                {
                    Files.move(other, directory);
                }
            }))
        {
            assertEquals(1, pauses[0], "one pause: CURRENT was back at the next look");
            assertEquals(25, reader.version());
            assertEquals(Workload.scan(expected), Workload.scan(reader));
        }
    }

    @Test
    void shouldOpenTheNewIndexWhenItsLogWasMissingForTheFirstLook() throws IOException
    {
        final Path directory = temp.resolve("index");
        final Path other = temp.resolve("other");
        Workload.createWithBatches(directory, ReverseIndex.create(Workload.config()), SEED, 20);
        final ReverseIndex expected = ReverseIndex.create(Workload.config());
        Workload.createWithBatches(other, expected, SEED, 25);
        final int[] opens = {0};
        // CURRENT read (generation 1); the old index moved away as its log is opened, which fails; the new one, of
        // the same generation, moved in before the open looks at CURRENT again
        final IndexLog.Opener opener = (final Path file, final OpenOption... options) ->
        {
            if (!file.getFileName().toString().equals("log-1.dat") || opens[0]++ > 0)
            {
                return FileChannel.open(file, options);
            }
            Files.move(directory, temp.resolve("old"));
            try
            {
                return FileChannel.open(file, options);
            }
            finally
            {
                Files.move(other, directory);
            }
        };
        try (ReverseIndex reader = ReverseIndex.openReadOnly(directory, true, NOTHING, opener, NOTHING))
        {
            assertEquals(2, opens[0], "a second look");
            assertEquals(25, reader.version());
            assertEquals(Workload.scan(expected), Workload.scan(reader));
        }
    }

    @Test
    void shouldStillFailWhenTheIndexNeverComesBackNamingCurrentAndWhyTheLookBeforeFailed() throws IOException
    {
        final Path directory = temp.resolve("index");
        Workload.createWithBatches(directory, ReverseIndex.create(Workload.config()), SEED, 20);
        final int[] runs = {0};
        final int[] pauses = {0};
        final CorruptIndexException ex = assertThrows(CorruptIndexException.class,
            () -> ReverseIndex.openReadOnly(directory, true, NOTHING,
                before("slab-1-0.dat", () -> Files.move(directory, temp.resolve("gone")), runs), () -> pauses[0]++));
        assertEquals(directory + ": not an index directory: no CURRENT", ex.getMessage());
        assertEquals(20, pauses[0], "waited a bounded while");
        assertEquals(1, ex.getSuppressed().length);
        assertEquals(directory.resolve("slab-1-0.dat") + ": missing", ex.getSuppressed()[0].getMessage());
        assertInstanceOf(NoSuchFileException.class, ex.getSuppressed()[0].getCause());
    }

    @Test
    void shouldStillFailAtOnceOnASlabMissingFromAnIndexThatStaysPut() throws IOException
    {
        final Path directory = temp.resolve("index");
        Workload.createWithBatches(directory, ReverseIndex.create(Workload.config()), SEED, 20);
        Files.delete(directory.resolve("slab-1-0.dat"));
        final int[] pauses = {0};
        final CorruptIndexException ex = assertThrows(CorruptIndexException.class,
            () -> ReverseIndex.openReadOnly(directory, true, NOTHING, FileChannel::open, () -> pauses[0]++));
        assertEquals(directory.resolve("slab-1-0.dat") + ": missing", ex.getMessage());
        assertEquals(0, pauses[0]);
        // and the same taken away between the check and the open, with nothing else moving
        final Path log = directory.resolve("log-1.dat");
        final byte[] bytes = Files.readAllBytes(log);
        final int[] runs = {0};
        final CorruptIndexException gone = assertThrows(CorruptIndexException.class,
            () -> ReverseIndex.openReadOnly(directory, true, NOTHING, before("log-1.dat", () -> Files.delete(log),
                runs), () -> pauses[0]++));
        assertEquals(log + ": missing", gone.getMessage());
        assertEquals(0, pauses[0]);
        Files.write(log, bytes);
    }

    @Test
    void shouldReportWhatTheNextLookFindsWhenTheFollowedLogIsReplacedByAFileWhoseHeaderDoesNotRead()
        throws IOException
    {
        final Path directory = temp.resolve("index");
        final ReverseIndex expected = ReverseIndex.create(Workload.config());
        Workload.createWithBatches(directory, expected, SEED, 5);
        final Path broken = temp.resolve("broken");
        Workload.createWithBatches(broken, ReverseIndex.create(Workload.config()), SEED, 5);
        // the replacing index's log is no log: 64 bytes and more of something else, whose log id checksum fails
        Files.write(broken.resolve("log-1.dat"), new byte[4096]);
        final CorruptIndexException open = assertThrows(CorruptIndexException.class,
            () -> ReverseIndex.openReadOnly(broken).close());
        try (ReverseIndex follower = ReverseIndex.openReadOnly(directory))
        {
            final IndexReader reader = follower.newReader();
            Files.move(directory, temp.resolve("old"));
            Files.move(broken, directory);
            final UncheckedIOException ex = assertThrows(UncheckedIOException.class, reader::refresh);
            final CorruptIndexException cause = assertInstanceOf(CorruptIndexException.class, ex.getCause());
            assertEquals(open.getMessage().replace(broken.toString(), directory.toString()), cause.getMessage(),
                "as an open reports it");
            assertEquals(Workload.scan(expected), Workload.scan(reader), "the last good snapshot");
        }
    }


}
