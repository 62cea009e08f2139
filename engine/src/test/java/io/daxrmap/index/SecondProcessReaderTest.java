package io.daxrmap.index;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
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
        final Process writer = start(directory);
        try
        {
            final BufferedReader out = new BufferedReader(new InputStreamReader(writer.getInputStream(),
                StandardCharsets.UTF_8));
            String line;
            while ((line = out.readLine()) != null && !line.startsWith("ACK "))
            {
                continue;
            }
            assertTrue(line != null, "the writer acknowledged nothing");
            final Thread drain = new Thread(() ->
            {
                try
                {
                    while (out.readLine() != null)
                    {
                        continue;
                    }
                }
                catch (final java.io.IOException ignore)
                {
                    // The writer is gone.
                }
            });
            drain.setDaemon(true);
            drain.start();

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

    private static Process start(final Path directory) throws java.io.IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (final String argument : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (argument.startsWith("--add-") || argument.startsWith("-D") || argument.equals("-ea"))
            {
                command.add(argument);
            }
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(CrashWriter.class.getName());
        command.add(directory.toString());
        command.add(Long.toString(SEED));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }
}
