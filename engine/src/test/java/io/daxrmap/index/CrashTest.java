package io.daxrmap.index;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

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
            final Path acks = temp.resolve("acks-" + kill + ".txt");
            final Process child = start(directory, seed, acks);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (lastAck(acks) < 0 && child.isAlive() && System.nanoTime() < deadline)
            {
                Thread.sleep(5);
            }
            assertTrue(lastAck(acks) >= 0, "seed=" + seed + " child acknowledged nothing, exit=" +
                (child.isAlive() ? "running" : child.exitValue()));
            Thread.sleep(random.nextInt(10, 400));
            child.destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
            assertEquals(137, child.exitValue(), "seed=" + seed + " killed by SIGKILL");
            assertEquals(acknowledged, opened(acks), "seed=" + seed + " the child reopened what the last left");

            final long acked = lastAck(acks);
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

    private static Process start(final Path directory, final long seed, final Path acks) throws IOException
    {
        return new ProcessBuilder(ChildJvm.command(List.of(), CrashWriter.class, directory.toString(),
            Long.toString(seed), acks.toString()))
            .redirectError(ProcessBuilder.Redirect.INHERIT).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    /**
     * The last batch the child acknowledged, from complete lines only; -1 if none.
     */
    private static long lastAck(final Path acks) throws IOException
    {
        long last = -1;
        for (final String line : completeLines(acks))
        {
            if (line.startsWith("ACK "))
            {
                last = Long.parseLong(line.substring(4));
            }
        }
        return last;
    }

    private static long opened(final Path acks) throws IOException
    {
        final List<String> lines = completeLines(acks);
        return lines.isEmpty() ? -1 : Long.parseLong(lines.get(0).substring("OPEN ".length()));
    }

    private static List<String> completeLines(final Path acks) throws IOException
    {
        if (!Files.exists(acks))
        {
            return List.of();
        }
        final String text = Files.readString(acks, StandardCharsets.US_ASCII);
        final int end = text.lastIndexOf('\n');
        return end < 0 ? List.of() : List.of(text.substring(0, end).split("\n"));
    }
}
