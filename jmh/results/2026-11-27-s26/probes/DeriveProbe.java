package io.daxrmap.index;

import io.daxrmap.testdata.Dataset;

public class DeriveProbe
{
    public static void main(String[] args)
    {
        final Dataset data = BenchData.load(args[0]);
        final ReverseIndex index = data.index();
        final Snapshot s = index.current();
        for (int round = 0; round < 5; round++)
        {
            final long start = System.nanoTime();
            final StripePlacement p = StripePlacement.derive(s.stripes, s.stripeCount(), index.emptyStripe, s.slabs);
            System.out.printf("derive over %d stripes: %.1f ms (%s)%n", s.stripeCount(), (System.nanoTime() - start) / 1e6,
                p.settled());
        }
        index.close();
    }
}
