package io.daxrmap.index;

import io.daxrmap.model.Owner;
import io.daxrmap.testdata.Dataset;

/** MutationBenchmark's cowRemap cycles (512 slots, unshared-1e6), in rounds of 2^16 operations. */
public final class CowProbe
{
    static final int SLOTS = 512;
    static final long BLOCK = 4096;
    static long[] owner = new long[SLOTS], file = new long[SLOTS], device = new long[SLOTS], length = new long[SLOTS], free = new long[SLOTS];
    static int next;

    public static void main(final String[] args)
    {
        final String kind = args[0];
        final int cycles = Integer.parseInt(args[1]);
        final int rounds = Integer.parseInt(args[2]);
        final Dataset data = io.daxrmap.testdata.Datasets.unshared(1_000_000, 1);
        final ReverseIndex index = data.index();
        final IndexReader reader = index.newReader();
        final long[] probes = data.mappedOffsets();
        for (int i = 0; i < SLOTS; i++)
        {
            final int at = i;
            reader.scan(probes[i], probes[i], (d, l, o, f, fl) -> { owner[at] = o; file[at] = f; device[at] = d; length[at] = l; return false; });
        }
        final int[] found = new int[1];
        reader.scan(0, Long.MAX_VALUE, (d, l, o, f, fl) ->
        {
            for (long b = (d + BLOCK - 1) & -BLOCK; b + BLOCK <= d + l && o == Owner.FREE && found[0] < SLOTS; b += BLOCK)
            {
                free[found[0]++] = b;
            }
            return found[0] < SLOTS;
        });
        for (int r = 0; r < rounds; r++)
        {
            final int ops = 1 << 16;
            final long start = System.nanoTime();
            int done = 0;
            while (done < ops)
            {
                final Batch batch = index.newBatch();
                for (int c = 0; c < cycles && done < ops; c++)
                {
                    final int s = next++ & (SLOTS - 1);
                    if (kind.equals("cowRemap"))
                    {
                        batch.cowRemap(owner[s], file[s], BLOCK, free[s]).cowRemap(owner[s], file[s], BLOCK, device[s]);
                    }
                    else
                    {
                        batch.unmap(owner[s], file[s], length[s]).map(owner[s], file[s], device[s], length[s], 0);
                    }
                    done += 2;
                }
                batch.commit();
            }
            final long ns = System.nanoTime() - start;
            System.out.printf("round %d: %.0f ns/op reused %d mapped %d MB pooled %d MB compactions %d%n", r, ns / (double)done, AnonymousMemory.reusedMappings(), AnonymousMemory.mappedBytes() >> 20, AnonymousMemory.pooledBytes() >> 20, index.compactions());
        }
    }
}
