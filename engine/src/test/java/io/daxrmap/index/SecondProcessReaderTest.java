package io.daxrmap.index;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A reader in this process follows a writer in another ({@link CrashWriter}, which also compacts into new
 * generations every 40 batches): every snapshot it refreshes to equals a replay of exactly the batches it says it
 * holds, versions never go back, and it follows the writer across generations.
 */
class SecondProcessReaderTest
{
    private static final long SEED = 7;
    private static final long FOLLOW_NANOS = TimeUnit.SECONDS.toNanos(3);

    @TempDir
    Path temp;

    @Test
    void shouldSeeConsistentSnapshotsWhileAnotherProcessWrites() throws Exception
    {
        final Path directory = temp.resolve("index");
        final Path acks = temp.resolve("acks.txt");
        final Process writer = start(directory, acks);
        try
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!(Files.exists(acks) && Files.readString(acks).contains("ACK ")) && writer.isAlive() &&
                System.nanoTime() < deadline)
            {
                Thread.sleep(5);
            }
            assertTrue(Files.exists(acks) && Files.readString(acks).contains("ACK "),
                "the writer acknowledged nothing, exit=" + (writer.isAlive() ? "running" : writer.exitValue()));

            try (ReverseIndex follower = ReverseIndex.openReadOnly(directory))
            {
                assertThrows(IllegalStateException.class, follower::newBatch);
                final ReverseIndex expected = ReverseIndex.create(Workload.config());
                final IndexReader reader = follower.newReader();
                long seen = 0;
                long checks = 0;
                long generationsSeen = 0;
                final long end = System.nanoTime() + FOLLOW_NANOS;
                while (System.nanoTime() < end)
                {
                    final long version = reader.refresh();
                    assertTrue(version >= seen, "version went back: " + version + " < " + seen);
                    generationsSeen += version / CrashWriter.COMPACT_EVERY > seen / CrashWriter.COMPACT_EVERY ? 1 : 0;
                    while (expected.version() < version)
                    {
                        Workload.apply(expected, SEED, expected.version() + 1);
                    }
                    assertEquals(Workload.scan(expected), Workload.scan(reader), "version=" + version);
                    seen = version;
                    checks++;
                }
                assertTrue(checks > 10 && seen > 50 && generationsSeen > 0,
                    "checks=" + checks + " version=" + seen + " generations=" + generationsSeen);
                System.out.println("SecondProcessReaderTest: snapshots checked=" + checks + " last version=" + seen +
                    " compactions followed=" + generationsSeen);
            }
        }
        finally
        {
            writer.destroyForcibly();
            writer.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static Process start(final Path directory, final Path acks) throws java.io.IOException
    {
        return new ProcessBuilder(ChildJvm.command(List.of(), CrashWriter.class, directory.toString(),
            Long.toString(SEED), acks.toString()))
            .redirectError(ProcessBuilder.Redirect.INHERIT).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }
}
