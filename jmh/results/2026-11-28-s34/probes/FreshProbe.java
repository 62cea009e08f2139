package io.daxrmap.index;

import io.daxrmap.model.Pagemap;
import io.daxrmap.testdata.Dataset;

/**
 * QueryBenchmark.pageQuery's dependent chain on the dataset's 2^16 probes (which it cycles through: their lines, about
 * six each, can come back from the L3) against the same chain on 2^24 random offsets over the device (free space too),
 * whose lines never come back; and the directory entry plus predicted lines alone on each. Mean ns a query, no
 * per-query timer, rounds alternating. Args: dataset
 */
public final class FreshProbe
{
    public static void main(final String[] args)
    {
        final Dataset data = BenchData.load(args[0]);
        final ReverseIndex index = data.index();
        final Snapshot s = index.current();
        final long[] bench = data.mappedOffsets();
        final java.util.SplittableRandom random = new java.util.SplittableRandom(11);
        final long[] fresh = new long[1 << 24];
        for (int i = 0; i < fresh.length; i++)
        {
            fresh[i] = random.nextLong(index.geometry().size()) & -64L;
        }
        final IndexReader reader = index.newReader();
        final Sink sink = new Sink();
        final long physBase = 1L << 40;
        final Pagemap pagemap = new Pagemap(physBase, index.geometry().size() + (1 << 21), 0, 4096);
        final int steps = 1 << 23;
        long acc = 0;
        for (int round = 0; round < 6; round++)
        {
            final StringBuilder line = new StringBuilder("round " + round + ":");
            for (final long[] probes : new long[][] {bench, fresh})
            {
                final int mask = probes.length - 1;
                int next = 0;
                long t0 = System.nanoTime();
                for (int i = 0; i < steps; i++)
                {
                    final long p = probes[(next++ + (int)(acc & 1)) & mask];
                    final int stripe = (int)(p >>> s.stripeShift);
                    acc += s.placement.touch(s.slabs, stripe) + s.stripes.get(stripe);
                }
                final double loads = (System.nanoTime() - t0) / (double)steps;
                t0 = System.nanoTime();
                for (int i = 0; i < steps; i++)
                {
                    final long p = probes[(next++ + (int)(sink.accumulator & 1)) & mask];
                    reader.pageQuery((physBase + p) >>> 12, pagemap, sink);
                }
                final double page = (System.nanoTime() - t0) / (double)steps;
                line.append(String.format("  %s probes: entry+lines %.1f, pageQuery %.1f ns", probes == bench ? "2^16 benchmark" : "2^24 fresh", loads, page));
            }
            System.out.println(line + " (" + acc + " " + sink.accumulator + ")");
        }
    }
}
