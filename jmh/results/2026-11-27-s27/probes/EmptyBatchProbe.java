package io.daxrmap.index;

import io.daxrmap.testdata.Dataset;

/** The cost of a batch that holds nothing: newBatch, commit, publication. */
public class EmptyBatchProbe
{
    public static void main(String[] args)
    {
        final Dataset data = BenchData.load("unshared-1e6");
        final ReverseIndex index = data.index();
        for (int round = 0; round < 8; round++)
        {
            final long t0 = System.nanoTime();
            for (int i = 0; i < 1_000_000; i++)
            {
                index.newBatch().commit();
            }
            System.out.printf("empty batch: %.0f ns%n", (System.nanoTime() - t0) / 1e6);
        }
    }
}
