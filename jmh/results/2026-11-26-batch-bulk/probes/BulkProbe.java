package io.daxrmap.index;

import io.daxrmap.testdata.Datasets;

public final class BulkProbe
{
    public static void main(final String[] args)
    {
        final Datasets.Records records = BulkLoadBenchmark.generate(args[0]);
        final int rounds = Integer.parseInt(args[1]);
        for (int r = 0; r < rounds; r++)
        {
            final long start = System.nanoTime();
            final ReverseIndex index = ReverseIndex.create(records.config());
            records.load(index);
            final long ns = System.nanoTime() - start;
            System.out.printf("round %d: %.0f ms, %.2f M records/s%n", r, ns / 1e6, records.count() * 1e3 / ns);
            index.close();
        }
    }
}
