// in-place-*.txt: this probe with in-place.patch applied and, first in each round, LongDirectory.MODE = r % 3
// (0 copies as committed, 1 sets the forward maps' directory in place, 2 the stripes'); column 7 of the output is the mode.
// rss-unmapMap256.txt: this probe as it is (unmapMap 256 60), printing the process's resident and huge-page sizes.
package io.daxrmap.index;

import io.daxrmap.model.MappingFlags;
import io.daxrmap.model.Owner;
import io.daxrmap.testdata.Dataset;

/** MutationBenchmark's cycles (512 slots, unshared-1e6), timed in rounds of 2^16 operations. */
public final class MutProbe11
{
    static final int SLOTS = 512;
    static final long BLOCK = 4096;
    static long[] owner = new long[SLOTS], file = new long[SLOTS], device = new long[SLOTS], length = new long[SLOTS], free = new long[SLOTS];
    static int next; static long bs;

    public static void main(final String[] args)
    {
        final String kind = args[0];
        final int cycles = Integer.parseInt(args[1]);
        final int rounds = Integer.parseInt(args[2]);
        final Dataset data = io.daxrmap.testdata.Datasets.unshared(args.length > 3 ? Integer.parseInt(args[3]) : 1_000_000, 1);
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
            final int ops = 1 << 16; final long start = System.nanoTime();
            int done = 0;
            while (done < ops)
            {
                final Batch batch = index.newBatch();
                for (int c = 0; c < cycles && done < ops; c++)
                {
                    done += cycle(batch, kind, next++ & (SLOTS - 1));
                }
                batch.commit(); bs++;
            }
            final long ns = System.nanoTime() - start;
            System.out.printf("round %d: %.0f ns/op c%d stripe %.0f sdir %.0f fwd %.0f edir %.0f snap %.0f pub %.0f commit %.0f (per batch)%n", r, ns / (double)done, index.compactions(), Batch.T[0]/(double)bs, Batch.T[1]/(double)bs, Batch.T[2]/(double)bs, Batch.T[3]/(double)bs, Batch.T[4]/(double)bs, Batch.T[5]/(double)bs, Batch.T[7]/(double)bs); java.util.Arrays.fill(Batch.T, 0); bs = 0;
        }
    }

    static String thp()
    {
        try
        {
            for (final String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/smaps_rollup")))
            {
                if (line.startsWith("AnonHugePages:") || line.startsWith("Rss:"))
                {
                    System.out.print(line.replaceAll("\\s+", " ") + " ");
                }
            }
        }
        catch (final java.io.IOException ex)
        {
            return "?";
        }
        return "";
    }

    static int cycle(final Batch batch, final String kind, final int r)
    {
        final long scratch = Owner.data(Owner.MAX_INODE - r);
        switch (kind)
        {
            case "unmapMap" -> batch.unmap(owner[r], file[r], length[r]).map(owner[r], file[r], device[r], length[r], 0);
            case "reflinkTruncate" -> batch.reflink(owner[r], file[r], scratch, 0, length[r]).truncate(scratch, 0);
            case "cowRemap" -> batch.cowRemap(owner[r], file[r], BLOCK, free[r]).cowRemap(owner[r], file[r], BLOCK, device[r]);
            case "dedupe" -> { batch.map(scratch, 0, free[r], BLOCK, 0).dedupe(owner[r], file[r], scratch, 0, BLOCK).truncate(scratch, 0); return 3; }
            case "convertUnwritten" -> { batch.map(scratch, 0, free[r], BLOCK, MappingFlags.UNWRITTEN).convertUnwritten(scratch, 0, BLOCK).unmap(scratch, 0, BLOCK); return 3; }
            case "allocFree" -> batch.allocMetadata(Owner.XFS_INOBT, free[r], BLOCK).freeMetadata(Owner.XFS_INOBT, free[r], BLOCK);
            default -> throw new IllegalStateException(kind);
        }
        return 2;
    }
}
