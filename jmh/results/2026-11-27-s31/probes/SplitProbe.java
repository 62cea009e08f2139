package io.daxrmap.index;

import io.daxrmap.testdata.Dataset;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Arrays;

/**
 * Session 31: QueryBenchmark.byteQuery64's dependent chain, each query timed with nanoTime (about 20-25 ns of its own
 * in every figure), the latencies split by the stripe the probe lands in: keyed or not, and its piece count.
 * Args: dataset, rounds over the probes.
 */
public final class SplitProbe
{
    public static void main(final String[] args)
    {
        final Dataset data = BenchData.load(args[0]);
        final int rounds = Integer.parseInt(args[1]);
        final ReverseIndex index = data.index();
        final Snapshot s = index.current();
        final IndexReader reader = index.newReader();
        final long[] probes = data.mappedOffsets();
        final int mask = probes.length - 1;
        final int[] cls = new int[probes.length];
        final java.util.List<java.util.Set<Long>> blocks = new java.util.ArrayList<>();
        final long[] blockBytes = new long[6];
        for (int k = 0; k < 6; k++)
        {
            blocks.add(new java.util.HashSet<>());
        }
        final String[] names = {"keyed, 1-15 pieces", "keyed, 16-127", "keyed, 128+", "unkeyed, 1-15 pieces",
            "unkeyed, 16-127", "unkeyed, 128+"};
        for (int i = 0; i < probes.length; i++)
        {
            final long a = s.stripes.get((int)(probes[i] >>> s.stripeShift));
            final UnsafeBuffer b = s.buffer(a);
            final int off = Arena.offset(a);
            final int c = StripeDescriptor.count(b, off);
            cls[i] = (StripeDescriptor.keyed(StripeDescriptor.header(b, off)) ? 0 : 3) + (c < 16 ? 0 : c < 128 ? 1 : 2);
            if (blocks.get(cls[i]).add(a))
            {
                blockBytes[cls[i]] += Arena.footprint(StripeDescriptor.blockLength(b, off));
            }
        }
        final Sink sink = new Sink();
        final long[][] lat = new long[6][rounds * probes.length];
        final int[] n = new int[6];
        int next = 0;
        for (int r = 0; r < rounds + 3; r++)
        {
            for (int q = 0; q < probes.length; q++)
            {
                final int i = (next++ + (int)(sink.accumulator & 1)) & mask;
                final long t0 = System.nanoTime();
                reader.byteQuery(probes[i], 64, sink);
                final long t = System.nanoTime() - t0;
                if (r >= 3)
                {
                    lat[cls[i]][n[cls[i]]++] = t;
                }
            }
        }
        long all = 0;
        for (int k = 0; k < 6; k++)
        {
            all += n[k];
        }
        System.out.printf("%s, byteQuery64 chain, %d rounds of %d probes (nanoTime around each query):%n", args[0],
            rounds, probes.length);
        for (int k = 0; k < 6; k++)
        {
            if (n[k] == 0)
            {
                continue;
            }
            final long[] x = Arrays.copyOf(lat[k], n[k]);
            Arrays.sort(x);
            System.out.printf("  %-22s %5.1f%% of queries: p50 %4d ns, p90 %5d ns, mean %6.1f ns; %6d distinct stripe " +
                "blocks, %8d B%n", names[k], 100.0 * n[k] / all, x[n[k] / 2], x[n[k] * 9 / 10],
                Arrays.stream(x).average().orElse(0), blocks.get(k).size(), blockBytes[k]);
        }
    }
}
