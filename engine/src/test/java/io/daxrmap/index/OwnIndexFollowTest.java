package io.daxrmap.index;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A read-only index opened with {@link ReverseIndex.Follow#OWN_INDEX} follows its writer's batches and compactions,
 * but keeps its snapshot when another index is put in place of its directory; the default open adopts that one.
 */
class OwnIndexFollowTest
{
    private static final long SEED = 11;

    @TempDir
    Path temp;

    @Test
    void shouldFollowBatchesAndCompactionsOfItsOwnIndex() throws IOException
    {
        final Path directory = temp.resolve("index");
        final ReverseIndex expected = ReverseIndex.create(Workload.config());
        try (ReverseIndex writer = ReverseIndex.create(Workload.config(), directory))
        {
            Workload.applyBoth(writer, expected, SEED, 1, 5);
            try (ReverseIndex follower = ReverseIndex.openReadOnly(directory, ReverseIndex.Follow.OWN_INDEX))
            {
                final IndexReader reader = follower.newReader();
                assertEquals(Workload.scan(expected), Workload.scan(reader));
                Workload.applyBoth(writer, expected, SEED, 6, 10);
                assertEquals(10, reader.refresh());
                assertEquals(Workload.scan(expected), Workload.scan(reader));
                writer.compactNow();
                Workload.applyBoth(writer, expected, SEED, 11, 15);
                assertEquals(15, reader.refresh(), "followed into the compacted generation");
                assertEquals(Workload.scan(expected), Workload.scan(reader));
                writer.compactNow();
                assertEquals(15, reader.refresh());
                Workload.applyBoth(writer, expected, SEED, 16, 17);
                assertEquals(17, reader.refresh());
                assertEquals(Workload.scan(expected), Workload.scan(reader));
                assertFalse(follower.replaced());
            }
        }
    }

    @Test
    void shouldKeepItsSnapshotWhenAnotherIndexReplacesItsDirectory() throws IOException
    {
        final Path directory = temp.resolve("index");
        final Path other = temp.resolve("other");
        final ReverseIndex expected = ReverseIndex.create(Workload.config());
        Workload.createWithBatches(directory, expected, SEED, 5);
        final ReverseIndex replacing = ReverseIndex.create(Workload.config());
        Workload.createWithBatches(other, replacing, SEED, 8);
        try (ReverseIndex own = ReverseIndex.openReadOnly(directory, ReverseIndex.Follow.OWN_INDEX);
            ReverseIndex adopting = ReverseIndex.openReadOnly(directory))
        {
            final IndexReader reader = own.newReader();
            final IndexReader adopter = adopting.newReader();
            Files.move(directory, temp.resolve("old"));
            Files.move(other, directory);
            assertEquals(5, reader.refresh(), "the index put in place is not adopted");
            assertEquals(Workload.scan(expected), Workload.scan(reader));
            assertTrue(own.replaced());
            assertEquals(8, adopter.refresh(), "the default open adopts it");
            assertEquals(Workload.scan(replacing), Workload.scan(adopter));
            assertFalse(adopting.replaced());
        }
    }


}
