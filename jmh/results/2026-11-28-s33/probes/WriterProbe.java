package io.daxrmap.index;

import io.daxrmap.model.Owner;
import io.daxrmap.model.MappingFlags;
import io.daxrmap.testdata.Dataset;
import java.util.SplittableRandom;

/**
 * A single writer's uniformly random punch-and-map cycles (256 a batch, as BenchData.moved) on a loaded dataset for a
 * fixed time: cycles a second with the compactions its commits ran, and each of those commits' time.
 */
public class WriterProbe
{
    public static void main(String[] args)
    {
        final Dataset data = BenchData.load(args[0]);
        final double seconds = Double.parseDouble(args[1]);
        final ReverseIndex index = data.index();
        final IndexReader reader = index.newReader();
        final long size = index.geometry().size();
        final SplittableRandom random = new SplittableRandom(5);
        final long[] r = new long[5];
        final RecordVisitor visitor = (d, l, o, f, fl) ->
        {
            r[0] = Owner.isFileData(o) ? o : 0; r[1] = f; r[2] = d; r[3] = l; r[4] = fl;
            return false;
        };
        System.out.printf("placed %d stripes; moved threshold shift %d%n", index.placedStripes(), ReverseIndex.MOVED_STRIPES_SHIFT);
        final long start = System.nanoTime();
        final long stopAt = start + (long)(seconds * 1e9);
        long cycles = 0, compactNanos = 0, lastReport = start;
        while (System.nanoTime() < stopAt)
        {
            final Batch batch = index.newBatch();
            for (int c = 0; c < 256; c++)
            {
                r[0] = 0;
                final long at = random.nextLong(size);
                reader.scan(at, at, visitor);
                if (r[0] != 0)
                {
                    batch.unmap(r[0], r[1], r[3]).map(r[0], r[1], r[2], r[3], (int)r[4] & MappingFlags.STORED);
                    cycles++;
                }
            }
            final long before = index.compactions();
            final long t0 = System.nanoTime();
            batch.commit();
            final long t1 = System.nanoTime();
            reader.refresh();
            if (index.compactions() != before)
            {
                compactNanos += t1 - t0;
                System.out.printf("  compaction at %.1f s after %d cycles: commit took %.2f s%n", (t0 - start) / 1e9, cycles, (t1 - t0) / 1e9);
            }
        }
        final double total = (System.nanoTime() - start) / 1e9;
        System.out.printf("%s: %d cycles in %.1f s = %.0f cycles/s; %d compactions, %.1f s in their commits (%.1f%% of the time)%n",
            args[0], cycles, total, cycles / total, index.compactions(), compactNanos / 1e9, 100 * compactNanos / 1e9 / total);
    }
}
