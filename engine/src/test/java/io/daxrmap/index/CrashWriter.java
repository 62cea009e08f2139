package io.daxrmap.index;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The child process of {@link CrashTest}: opens (or creates) a persistent index and applies {@link Workload}
 * batches forever, printing {@code ACK k} after batch k's commit returns and compacting every
 * {@value #COMPACT_EVERY} batches, until it is killed.
 */
public final class CrashWriter
{
    static final int COMPACT_EVERY = 40;

    private CrashWriter()
    {
    }

    /**
     * @param args index directory, seed.
     * @throws Exception on any failure (the parent sees the exit status).
     */
    public static void main(final String[] args) throws Exception
    {
        final Path directory = Path.of(args[0]);
        final long seed = Long.parseLong(args[1]);
        try (ReverseIndex index = Files.exists(directory.resolve(IndexDirectory.CURRENT)) ?
            ReverseIndex.open(directory) : ReverseIndex.create(Workload.config(), directory))
        {
            System.out.println("OPEN " + index.version());
            System.out.flush();
            for (long k = index.version() + 1; ; k++)
            {
                Workload.apply(index, seed, k);
                System.out.println("ACK " + k);
                System.out.flush();
                if (k % COMPACT_EVERY == 0)
                {
                    index.compactNow();
                }
            }
        }
    }
}
