package io.daxrmap.index;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real crashes: a child JVM applies batches to a persistent index and is killed with SIGKILL at random moments,
 * many times; after each kill the reopened index holds every acknowledged batch and no partial one (it equals a
 * replay of exactly the batches it says it has, which are the acknowledged ones or one more whose ACK was not
 * printed yet), and the next child continues from it.
 */
class CrashTest
{
    private static final int KILLS = 12;

    @TempDir
    Path temp;

    @Test
    void shouldKeepEveryAcknowledgedBatchAndNoPartialOneWhenKilled() throws Exception
    {
        final long seed = System.nanoTime();
        final SplittableRandom random = new SplittableRandom(seed);
        final Path directory = temp.resolve("index");
        long acknowledged = 0;
        int committedUnacknowledged = 0;
        for (int kill = 0; kill < KILLS; kill++)
        {
            final Process child = start(directory, seed);
            final AtomicLong lastAck = new AtomicLong(-1);
            final AtomicLong opened = new AtomicLong(-1);
            final Thread reader = readAcks(child, opened, lastAck);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (lastAck.get() < 0 && child.isAlive() && System.nanoTime() < deadline)
            {
                Thread.sleep(5);
            }
            assertTrue(lastAck.get() >= 0, "seed=" + seed + " child acknowledged nothing, exit=" +
                (child.isAlive() ? "running" : child.exitValue()));
            Thread.sleep(random.nextInt(10, 400));
            child.destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
            reader.join(10_000);
            assertEquals(137, child.exitValue(), "seed=" + seed + " killed by SIGKILL");
            assertEquals(acknowledged, opened.get(), "seed=" + seed + " the child reopened what the last left");

            final long acked = lastAck.get();
            try (ReverseIndex reopened = ReverseIndex.open(directory))
            {
                final long version = reopened.version();
                assertTrue(version == acked || version == acked + 1,
                    "seed=" + seed + " version=" + version + " acknowledged=" + acked);
                assertEquals(replay(seed, version), Workload.scan(reopened), "seed=" + seed + " version=" + version);
                committedUnacknowledged += version > acked ? 1 : 0;
                acknowledged = version;
            }
        }
        assertTrue(acknowledged > KILLS, "acknowledged=" + acknowledged);
        System.out.println("CrashTest: seed=" + seed + " kills=" + KILLS + " batches=" + acknowledged +
            " compactions>=" + acknowledged / CrashWriter.COMPACT_EVERY + " killedAfterCommitBeforeAck=" +
            committedUnacknowledged);
    }

    private static List<String> replay(final long seed, final long batches)
    {
        final ReverseIndex expected = ReverseIndex.create(Workload.config());
        for (long k = 1; k <= batches; k++)
        {
            Workload.apply(expected, seed, k);
        }
        return Workload.scan(expected);
    }

    private static Process start(final Path directory, final long seed) throws IOException
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
        command.add(Long.toString(seed));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static Thread readAcks(final Process child, final AtomicLong opened, final AtomicLong lastAck)
    {
        final Thread reader = new Thread(() ->
        {
            try (BufferedReader in = new BufferedReader(
                new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8)))
            {
                String line;
                while ((line = in.readLine()) != null)
                {
                    if (line.startsWith("ACK "))
                    {
                        lastAck.set(Long.parseLong(line.substring(4)));
                    }
                    else if (line.startsWith("OPEN "))
                    {
                        opened.set(Long.parseLong(line.substring(5)));
                    }
                }
            }
            catch (final IOException ex)
            {
                // The child was killed mid-line: what was read is what was acknowledged.
            }
        }, "crash-child-stdout");
        reader.setDaemon(true);
        reader.start();
        return reader;
    }
}
