package io.daxrmap.index;

import java.lang.reflect.Field;

/**
 * BaselineBenchmark's byteQuery64 dependent chain (TreeMap or htsjdk IntervalTree) over the first K of the dataset's
 * probes, K from 2^8 to 2^16, as WorkingSetProbe runs the engine's: mean ns a query, no per-query timer.
 * Args: dataset baseline...
 */
public final class BaselineWorkingSetProbe
{
    public static void main(final String[] args) throws Exception
    {
        for (int a = 1; a < args.length; a++)
        {
            final BaselineBenchmark bench = new BaselineBenchmark();
            bench.dataset = args[0];
            bench.baseline = args[a];
            bench.setUp();
            final Field mask = BaselineBenchmark.class.getDeclaredField("mask");
            mask.setAccessible(true);
            final StringBuilder line = new StringBuilder(args[0] + " " + args[a] + ":");
            long sink = 0;
            for (int k = 8; k <= 16; k += 2)
            {
                mask.setInt(bench, (1 << k) - 1);
                double best = Double.MAX_VALUE;
                for (int rep = 0; rep < 7; rep++)
                {
                    final int queries = 1 << 20;
                    final long t0 = System.nanoTime();
                    for (int q = 0; q < queries; q++)
                    {
                        sink += bench.byteQuery64();
                    }
                    final double ns = (double)(System.nanoTime() - t0) / queries;
                    if (rep >= 2)
                    {
                        best = Math.min(best, ns);
                    }
                }
                line.append(String.format("  2^%d probes %.1f ns", k, best));
            }
            System.out.println(line + "  (" + sink + ")");
        }
    }
}
