package io.daxrmap.index;

import io.daxrmap.testdata.Datasets;
import java.util.Arrays;

public final class BulkProbe
{
    public static void main(final String[] args)
    {
        final Datasets.Records records = Datasets.unsharedRecords(1_000_000, 1);
        final int n = 30;
        final long[] t = new long[n];
        for (int i = 0; i < n; i++)
        {
            final long start = System.nanoTime();
            try (ReverseIndex index = ReverseIndex.create(records.config()))
            {
                records.load(index);
            }
            t[i] = System.nanoTime() - start;
        }
        final long[] warm = Arrays.copyOfRange(t, 10, n);
        Arrays.sort(warm);
        System.out.printf("%s median %.1f ms min %.1f ms%n", args[0], warm[warm.length / 2] / 1e6, warm[0] / 1e6);
    }
}
