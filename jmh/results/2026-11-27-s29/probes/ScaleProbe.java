package io.daxrmap.index;

import io.daxrmap.model.Owner;
import io.daxrmap.testdata.Dataset;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * MutationBenchmark's cowRemap cycle (a record's first block to a free block and back, one cycle a batch unless told)
 * on a dataset given by name: ns an operation, rounds of 200,000 operations.
 */
public class ScaleProbe
{
    public static void main(String[] args)
    {
        final Dataset data = BenchData.load(args[0]);
        final int cycles = Integer.parseInt(args[1]);
        final int rounds = Integer.parseInt(args[2]);
        final ReverseIndex index = data.index();
        final IndexReader reader = index.newReader();
        final int slots = 512;
        final long[] owner = new long[slots], file = new long[slots], device = new long[slots], free = new long[slots];
        final long[] probes = data.mappedOffsets();
        for (int i = 0; i < slots; i++)
        {
            final int at = i;
            reader.scan(probes[i], probes[i], (d, l, o, f, fl) -> { owner[at] = o; file[at] = f; device[at] = d; return false; });
        }
        final SplittableRandom random = new SplittableRandom(17);
        final long size = index.geometry().size();
        final Set<Long> taken = new HashSet<>();
        final long[] ext = new long[2];
        int found = 0;
        while (found < slots)
        {
            final long at = random.nextLong(size);
            ext[1] = 0;
            reader.scan(at, at, (d, l, o, f, fl) -> { if (o == Owner.FREE) { ext[0] = d; ext[1] = l; } return false; });
            final long block = at & -4096L;
            if (ext[1] != 0 && block >= ext[0] && block + 4096 <= ext[0] + ext[1] && taken.add(block))
            {
                free[found++] = block;
            }
        }
        int next = 0;
        for (int r = 0; r < rounds; r++)
        {
            final com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
            final long a0 = threads.getCurrentThreadAllocatedBytes();
            final long t0 = System.nanoTime();
            int done = 0;
            while (done < 200_000)
            {
                final Batch batch = index.newBatch();
                for (int c = 0; c < cycles; c++, done += 2)
                {
                    final int s = next++ & (slots - 1);
                    batch.cowRemap(owner[s], file[s], 4096, free[s]).cowRemap(owner[s], file[s], 4096, device[s]);
                }
                batch.commit();
            }
            final long t1 = System.nanoTime();
            System.out.printf("round %d: %.0f ns/op %.0f B/op%n", r, (t1 - t0) / (double)done,
                (threads.getCurrentThreadAllocatedBytes() - a0) / (double)done);
        }
    }
}
