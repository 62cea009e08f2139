package io.daxrmap.index;

import io.daxrmap.testdata.Dataset;

public class HitProbe
{
    public static void main(String[] args)
    {
        for (String name : args)
        {
            final Dataset data = BenchData.load(name);
            final ReverseIndex index = data.index();
            final Snapshot snapshot = index.current();
            int stripes = 0, empty = 0, hits = 0, exact = 0, predicted = 0;
            for (int s = 0; s < snapshot.stripeCount(); s++)
            {
                final long address = snapshot.stripes.get(s);
                if (address == index.emptyStripe)
                {
                    empty++;
                    continue;
                }
                stripes++;
                final long p = snapshot.placement.predicted(s);
                if (p < 0) continue;
                predicted++;
                final int line = (int)p & -64;
                if (Arena.slab(address) == Arena.slab(p) && Arena.offset(address) >= line &&
                    Arena.offset(address) + 64 <= line + 5 * 64) hits++;
                if (address == p) exact++;
            }
            System.out.printf("%s: stripes %d (+%d empty), predicted %.3f, header in window %.3f, exact %.3f%n",
                name, stripes, empty, predicted / (double)stripes, hits / (double)stripes, exact / (double)stripes);
            index.close();
        }
    }
}
