package io.daxrmap.index;

import java.io.FileOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The child process of {@link CrashTest}: opens (or creates) a persistent index and applies {@link Workload}
 * batches forever, writing {@code ACK k} to a file (and standard output) after batch k's commit returns, compacting every
 * {@value #COMPACT_EVERY} batches, until it is killed.
 */
public final class CrashWriter
{
    static final int COMPACT_EVERY = 40;

    private CrashWriter()
    {
    }

    /**
     * @param args index directory, seed, acknowledgement file.
     * @throws Exception on any failure (the parent sees the exit status).
     */
    public static void main(final String[] args) throws Exception
    {
        final Path directory = Path.of(args[0]);
        final long seed = Long.parseLong(args[1]);
        // Acknowledgements go to a file, written (unbuffered) after each commit returns: what the page cache holds
        // survives the process, so the parent reads every one the child made, with no pipe to drain.
        try (ReverseIndex index = Files.exists(directory.resolve(IndexDirectory.CURRENT)) ?
            ReverseIndex.open(directory) : ReverseIndex.create(Workload.config(), directory);
            FileOutputStream acks = new FileOutputStream(args[2]))
        {
            acks.write(("OPEN " + index.version() + "\n").getBytes(StandardCharsets.US_ASCII));
            System.out.println("OPEN " + index.version());
            System.out.flush();
            for (long k = index.version() + 1; ; k++)
            {
                Workload.apply(index, seed, k);
                acks.write(("ACK " + k + "\n").getBytes(StandardCharsets.US_ASCII));
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
