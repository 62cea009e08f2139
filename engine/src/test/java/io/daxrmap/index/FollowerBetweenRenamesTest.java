package io.daxrmap.index;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A reader of a read-only index refreshes while its directory is replaced in two steps (the old index moved away,
 * then the new one in, where the atomic exchange is unavailable): there is no CURRENT between them, and the follower
 * waits a bounded while for it, as a read-only open does, instead of failing at once. The wait is made deterministic
 * by the pause the follower takes.
 */
class FollowerBetweenRenamesTest
{
    private static final long SEED = 42;

    @TempDir
    Path temp;

    @Test
    void shouldFollowTheNewIndexWhenARefreshLandsBetweenTheTwoStepsOfAReplacement() throws IOException
    {
        final Path directory = temp.resolve("index");
        final Path other = temp.resolve("other");
        Workload.createWithBatches(directory, ReverseIndex.create(Workload.config()), SEED, 20);
        final ReverseIndex expected = ReverseIndex.create(Workload.config());
        Workload.createWithBatches(other, expected, SEED, 25);
        try (ReverseIndex follower = ReverseIndex.openReadOnly(directory))
        {
            final IndexReader reader = follower.newReader();
            final int[] pauses = {0};
            follower.followPause = () ->
            {
                if (pauses[0]++ == 1)
                {
                    Files.move(other, directory); // the second step, while the follower waits
                }
            };
            Files.move(directory, temp.resolve("old")); // the first step
            reader.refresh();
            assertEquals(2, pauses[0], "CURRENT was back at the look after the second pause");
            assertEquals(25, follower.version());
            assertEquals(Workload.scan(expected), Workload.scan(reader));
        }
    }

    @Test
    void shouldStillFailWhenTheIndexNeverComesBackKeepingItsSnapshot() throws IOException
    {
        final Path directory = temp.resolve("index");
        final ReverseIndex expected = ReverseIndex.create(Workload.config());
        Workload.createWithBatches(directory, expected, SEED, 20);
        try (ReverseIndex follower = ReverseIndex.openReadOnly(directory))
        {
            final IndexReader reader = follower.newReader();
            final List<String> before = Workload.scan(reader);
            final int[] pauses = {0};
            follower.followPause = () -> pauses[0]++;
            Files.move(directory, temp.resolve("gone"));
            final UncheckedIOException ex = assertThrows(UncheckedIOException.class, reader::refresh);
            final CorruptIndexException cause = assertInstanceOf(CorruptIndexException.class, ex.getCause());
            assertEquals(directory + ": not an index directory: no CURRENT", cause.getMessage());
            assertEquals(20, pauses[0], "waited a bounded while");
            assertEquals(before, Workload.scan(reader), "the last snapshot");
            assertEquals(Workload.scan(expected), before);
        }
    }

    @Test
    void shouldWaitOnceForAnIndexGoneForGoodAndAgainOnlyAfterItCameBack() throws IOException
    {
        final Path directory = temp.resolve("index");
        final Path gone = temp.resolve("gone");
        final ReverseIndex expected = ReverseIndex.create(Workload.config());
        Workload.createWithBatches(directory, expected, SEED, 20);
        try (ReverseIndex follower = ReverseIndex.openReadOnly(directory))
        {
            final IndexReader reader = follower.newReader();
            final List<String> before = Workload.scan(reader);
            final int[] pauses = {0};
            follower.followPause = () ->
            {
                pauses[0]++;
                assertFalse(Thread.holdsLock(follower), "the wait holds the index's lock");
            };
            Files.move(directory, gone);
            for (int i = 0; i < 10; i++)
            {
                final UncheckedIOException ex = assertThrows(UncheckedIOException.class, reader::refresh);
                assertEquals(directory + ": not an index directory: no CURRENT", ex.getCause().getMessage());
            }
            assertEquals(20, pauses[0], "one wait for the disappearance, not one per look");
            assertEquals(before, Workload.scan(reader), "the last snapshot");

            // back, then gone again: a new disappearance is waited for again
            Files.move(gone, directory);
            reader.refresh();
            assertEquals(20, follower.version());
            Files.move(directory, gone);
            assertThrows(UncheckedIOException.class, reader::refresh);
            assertThrows(UncheckedIOException.class, reader::refresh);
            assertEquals(40, pauses[0]);
        }
    }

}
