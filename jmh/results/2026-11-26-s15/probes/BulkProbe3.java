// Whole bulk loads alternated in one JVM with the slab preparer off and on. Needs preparer.patch applied.
package io.daxrmap.index;

import io.daxrmap.testdata.Datasets;
import java.util.Arrays;

/** Whole bulk loads with owners interned by sorting (PROBED_OWNERS = 0) or by probing, alternated in one JVM. */
public final class BulkProbe3
{
    public static void main(final String[] args)
    {
        final Datasets.Records records = BulkLoadBenchmark.generate(args[0]);
        final int rounds = Integer.parseInt(args[1]);
        final double[][] t = new double[2][rounds];
        final long[] bytes = new long[2];
        for (int r = -4; r < rounds; r++)
        {
            for (int v = 0; v < 2; v++)
            {
                AnonymousMemory.preparing(v == 1);
                final long start = System.nanoTime();
                final ReverseIndex index = ReverseIndex.create(records.config());
                records.load(index);
                final long ns = System.nanoTime() - start;
                bytes[v] = index.memoryBytes();
                index.close();
                if (r >= 0) t[v][r] = ns / 1e6;
            }
        }
        for (int v = 0; v < 2; v++)
        {
            Arrays.sort(t[v]);
            System.out.printf("%s: median %.1f ms = %.2f M records/s (min %.1f max %.1f) memory %d B%n", v == 0 ? "off" : "prepared",
                t[v][rounds / 2], records.count() / 1e3 / t[v][rounds / 2], t[v][0], t[v][rounds - 1], bytes[v]);
        }
    }
}
