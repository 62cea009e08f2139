package io.daxrmap.index;

import io.daxrmap.testdata.Dataset;
import java.util.Arrays;

/** 64-byte byte queries over a few offsets (all cached) or all probes (in DRAM), rounds timed in one JVM. */
public final class ByteProbe
{
    public static void main(final String[] args)
    {
        final Dataset data = BenchData.load(args[0]);
        final int rounds = Integer.parseInt(args[1]);
        final int n = Integer.parseInt(args[2]);
        final IndexReader reader = data.index().newReader();
        final long[] probes = data.mappedOffsets();
        final Sink sink = new Sink();
        final double[] t = new double[rounds];
        final int reps = Math.max(1, 65536 / n);
        for (int r = -3; r < rounds; r++)
        {
            final long start = System.nanoTime();
            for (int rep = 0; rep < reps; rep++)
            {
                for (int i = 0; i < n; i++)
                {
                    reader.byteQuery(probes[i], 64, sink);
                }
            }
            if (r >= 0) t[r] = (System.nanoTime() - start) / (double)(reps * n);
        }
        Arrays.sort(t);
        System.out.printf("byteQuery64 median %.1f ns (min %.1f) %d%n", t[rounds / 2], t[0], sink.accumulator);
    }
}
