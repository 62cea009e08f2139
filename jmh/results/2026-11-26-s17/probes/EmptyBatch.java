package io.daxrmap.index;

import io.daxrmap.testdata.Dataset;

/** Cost of committing an empty batch and a batch of one op touching one owner+stripe, on unshared-1e6. */
public final class EmptyBatch
{
    public static void main(final String[] args)
    {
        final Dataset data = io.daxrmap.testdata.Datasets.unshared(1_000_000, 1);
        final ReverseIndex index = data.index();
        for (int r = 0; r < 30; r++)
        {
            final int n = 1 << 18;
            final long start = System.nanoTime();
            for (int i = 0; i < n; i++)
            {
                index.newBatch().commit();
            }
            System.out.printf("round %d: empty batch %.0f ns%n", r, (System.nanoTime() - start) / (double)n);
        }
    }
}
