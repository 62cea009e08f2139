package io.daxrmap.index;

import io.daxrmap.testdata.Dataset;

/**
 * The byteQuery64 dependent chain of QueryBenchmark over the first K of the dataset's probes, for K from 2^8 (every
 * stripe cached) to all 2^16: the mean ns a query (no per-query timer) shows what the cache misses add to the work.
 * Args: dataset...
 */
public final class WorkingSetProbe
{
    public static void main(final String[] args)
    {
        for (final String name : args)
        {
            final Dataset data = BenchData.load(name);
            final IndexReader reader = data.index().newReader();
            final long[] all = data.mappedOffsets();
            final Sink sink = new Sink();
            final StringBuilder line = new StringBuilder(name + ":");
            for (int k = 8; k <= 16; k += 2)
            {
                final int mask = (1 << k) - 1;
                int next = 0;
                double best = Double.MAX_VALUE;
                for (int rep = 0; rep < 7; rep++)
                {
                    final int queries = 4 << 20;
                    final long t0 = System.nanoTime();
                    for (int q = 0; q < queries; q++)
                    {
                        reader.byteQuery(all[(next++ + (int)(sink.accumulator & 1)) & mask], 64, sink);
                    }
                    final double ns = (double)(System.nanoTime() - t0) / queries;
                    if (rep >= 2)
                    {
                        best = Math.min(best, ns);
                    }
                }
                line.append(String.format("  2^%d probes %.1f ns", k, best));
            }
            System.out.println(line + "  (" + sink.accumulator + ")");
        }
    }
}
