package io.daxrmap.index;

import io.daxrmap.testdata.Datasets;
import java.util.Arrays;

/** Whole bulk loads, each after the last index is closed; variant 1 also collects garbage (untimed) before loading. */
public final class BulkGcProbe
{
    public static void main(final String[] args)
    {
        final Datasets.Records records = BulkLoadBenchmark.generate(args[0]);
        final int rounds = Integer.parseInt(args[1]);
        final double[][] t = new double[2][rounds];
        for (int r = -4; r < rounds; r++)
        {
            for (int v = 0; v < 2; v++)
            {
                if (v == 1)
                {
                    System.gc();
                    try { Thread.sleep(50); } catch (InterruptedException e) { }
                }
                final long start = System.nanoTime();
                final ReverseIndex index = ReverseIndex.create(records.config());
                records.load(index);
                final long ns = System.nanoTime() - start;
                index.close();
                if (r >= 0) t[v][r] = ns / 1e6;
            }
        }
        for (int v = 0; v < 2; v++)
        {
            final double[] x = t[v].clone();
            Arrays.sort(x);
            System.out.printf("%s: median %.1f ms = %.2f M records/s (min %.1f max %.1f)%n", v == 0 ? "no gc" : "gc first",
                x[rounds / 2], records.count() / 1e3 / x[rounds / 2], x[0], x[rounds - 1]);
        }
    }
}
