package io.daxrmap.index;

import io.daxrmap.testdata.Dataset;

/** How long a compaction of a loaded dataset takes, three times. */
public class CompactProbe
{
    public static void main(String[] args)
    {
        final Dataset data = BenchData.load(args[0]);
        for (int i = 0; i < 3; i++)
        {
            final long t0 = System.nanoTime();
            data.index().compactNow();
            System.out.printf("%s compaction %d: %.2f s%n", args[0], i, (System.nanoTime() - t0) / 1e9);
        }
    }
}
