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
            int stripes = 0, empty = 0, hits = 0, exact = 0, predicted = 0, before = 0, lagged = 0;
            double sum = 0, sq = 0, lagSum = 0;
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
                final int fp = Arena.footprint(StripeDescriptor.blockLength(snapshot.buffer(address), Arena.offset(address)));
                sum += fp; sq += (double)fp * fp;
                if (Arena.slab(address) == Arena.slab(p)) { final long lag = Arena.offset(address) - Arena.offset(p); if (lag < 0) before++; else { lagSum += lag; lagged++; } }
            }
            System.out.printf("%s: stripes %d (+%d empty), predicted %.3f, header in window %.3f, exact %.3f%n",
                name, stripes, empty, predicted / (double)stripes, hits / (double)stripes, exact / (double)stripes);
            final double mean = sum / predicted;
            System.out.printf("  footprint mean %.1f sd %.1f; before prediction %.3f; mean lag %.1f%n", mean,
                Math.sqrt(sq / predicted - mean * mean), before / (double)predicted, lagSum / lagged);
            index.close();
        }
    }
}
