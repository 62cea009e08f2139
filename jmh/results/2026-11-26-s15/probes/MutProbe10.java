// MutProbe7 over 65,536 records instead of 512: a writer without locality, the cache on (even rounds) and off (odd).
// Needs the same WriterCache toggle as MutProbe7; not in the tree.
package io.daxrmap.index;

import io.daxrmap.model.Owner;
import io.daxrmap.testdata.Dataset;

/** unmapMap / reflinkTruncate / cowRemap / dedupe cycles as MutationBenchmark runs them, timed in rounds. */
public final class MutProbe10
{
    static final int SLOTS = 1 << 16;
    static final long BLOCK = 4096;

    public static void main(final String[] args)
    {
        final String kind = args[0];
        final int cycles = Integer.parseInt(args[1]);
        final int rounds = Integer.parseInt(args[2]);
        final Dataset data = io.daxrmap.testdata.Datasets.unshared(Integer.parseInt(args[3]), 1);
        final ReverseIndex index = data.index();
        final IndexReader reader = index.newReader();
        final long[] probes = data.mappedOffsets();
        final long[] owner = new long[SLOTS], file = new long[SLOTS], device = new long[SLOTS], length = new long[SLOTS];
        final long[] free = new long[SLOTS];
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


        for (int r = 0; r < rounds; r++) { WriterCache.enabled = (r & 1) == 0; round(r, index, kind, cycles, owner, file, device, length, free); }
    }
    static int next;
    static void round(int r, ReverseIndex index, String kind, int cycles, long[] owner, long[] file, long[] device, long[] length, long[] free)
        {
            final int ops = 1 << 16; final long start = System.nanoTime();
            int done = 0;
            while (done < ops)
            {
                final Batch batch = index.newBatch();
                for (int c = 0; c < cycles && done < ops; c++)
                {
                    final int s = next++ & (SLOTS - 1);
                    final long scratch = Owner.data(Owner.MAX_INODE - s);
                    switch (kind)
                    {
                        case "unmapMap" -> batch.unmap(owner[s], file[s], length[s]).map(owner[s], file[s], device[s], length[s], 0);
                        case "reflinkTruncate" -> batch.reflink(owner[s], file[s], scratch, 0, length[s]).truncate(scratch, 0);
                        case "cowRemap" -> batch.cowRemap(owner[s], file[s], BLOCK, free[s]).cowRemap(owner[s], file[s], BLOCK, device[s]);
                        default -> batch.map(scratch, 0, free[s], BLOCK, 0).dedupe(owner[s], file[s], scratch, 0, BLOCK).truncate(scratch, 0);
                    }
                    done += kind.equals("dedupe") ? 3 : 2;
                }
                batch.commit();
            }
            final long ns = System.nanoTime() - start;
            System.out.printf("round %d: %.0f ns/op enabled %b compactions %d%n", r, ns / (double)done, WriterCache.enabled, index.compactions());
        }
    }
