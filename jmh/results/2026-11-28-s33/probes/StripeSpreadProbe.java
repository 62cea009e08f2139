package io.daxrmap.index;

import io.daxrmap.testdata.Dataset;
import java.util.*;

/** How the benchmark's probes spread over stripes and pieces: the working set a dependent chain of queries walks. */
public final class StripeSpreadProbe
{
    public static void main(final String[] args)
    {
        for (final String name : args)
        {
            final Dataset data = BenchData.load(name);
            final Snapshot s = data.index().current();
            final PieceCursor cursor = new PieceCursor();
            cursor.snapshot(s);
            final long[] probes = data.mappedOffsets();
            for (int k : new int[]{8, 12, 16})
            {
                final int n = Math.min(probes.length, 1 << k);
                final Set<Integer> stripes = new HashSet<>();
                final Set<Long> pieces = new HashSet<>();
                final Set<Integer> sets = new HashSet<>();
                final TreeMap<Integer, Integer> countHist = new TreeMap<>();
                for (int i = 0; i < n; i++)
                {
                    final long p = probes[i];
                    cursor.seek(p);
                    final int stripe = (int)(p >>> s.stripeShift);
                    stripes.add(stripe);
                    pieces.add(cursor.start());
                    final int v = cursor.value();
                    if (PieceValue.isShared(v)) sets.add(PieceValue.setId(v));
                    final long addr = s.stripes.get(stripe);
                    final int c = StripeDescriptor.count(s.buffer(addr), Arena.offset(addr));
                    countHist.merge(c <= 1 ? 1 : c <= 4 ? 4 : c <= 16 ? 16 : c <= 64 ? 64 : c <= 256 ? 256 : 100000, 1, Integer::sum);
                }
                System.out.printf("%s 2^%d: stripeShift %d stripes %d (device %d MiB); distinct stripes %d pieces %d sets %d; pieces-per-stripe (probe-weighted) %s%n",
                    name, k, s.stripeShift, s.stripeCount(), s.geometry.size() >> 20, stripes.size(), pieces.size(), sets.size(), countHist);
            }
        }
    }
}
