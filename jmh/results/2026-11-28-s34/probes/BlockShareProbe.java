package io.daxrmap.index;

import io.daxrmap.testdata.Dataset;
import java.util.*;

/**
 * The stripe blocks a benchmark's probes reach, and how many of them are byte for byte alike (a long extent crossing
 * several stripes lays down the same one-piece block in each): the working set a layout that shared alike blocks
 * between stripes would leave. Also the cache lines the reached blocks span. Args: dataset...
 */
public final class BlockShareProbe
{
    public static void main(final String[] args)
    {
        for (final String name : args)
        {
            final Dataset data = BenchData.load(name);
            final Snapshot s = data.index().current();
            final long[] probes = data.mappedOffsets();
            for (int k : new int[]{12, 16})
            {
                final int n = Math.min(probes.length, 1 << k);
                final Map<Integer, Integer> stripeProbes = new HashMap<>();
                for (int i = 0; i < n; i++)
                {
                    stripeProbes.merge((int)(probes[i] >>> s.stripeShift), 1, Integer::sum);
                }
                final Map<String, int[]> contents = new HashMap<>();
                long blockBytes = 0, lines = 0, onePieceStripes = 0, onePieceProbes = 0;
                for (final Map.Entry<Integer, Integer> e : stripeProbes.entrySet())
                {
                    final long addr = s.stripes.get(e.getKey());
                    final var buffer = s.buffer(addr);
                    final int offset = Arena.offset(addr);
                    final int length = StripeDescriptor.blockLength(buffer, offset);
                    blockBytes += length;
                    lines += ((offset + length - 1) >> 6) - (offset >> 6) + 1;
                    final byte[] bytes = new byte[length];
                    buffer.getBytes(offset, bytes);
                    final int[] c = contents.computeIfAbsent(Base64.getEncoder().encodeToString(bytes), x -> new int[3]);
                    c[0]++;
                    c[1] += e.getValue();
                    c[2] = length;
                    if (StripeDescriptor.count(buffer, offset) == 1)
                    {
                        onePieceStripes++;
                        onePieceProbes += e.getValue();
                    }
                }
                long distinctBytes = 0, sharedProbes = 0;
                for (final int[] c : contents.values())
                {
                    distinctBytes += c[2];
                    if (c[0] > 1) sharedProbes += c[1];
                }
                System.out.printf("%s 2^%d probes: %,d stripes reached (%,d B of blocks, %,d lines); %,d distinct contents (%,d B); " +
                    "one-piece stripes %,d (%.1f%% of probes); probes in a block alike to another reached one %.1f%%%n",
                    name, k, stripeProbes.size(), blockBytes, lines, contents.size(), distinctBytes, onePieceStripes,
                    100.0 * onePieceProbes / n, 100.0 * sharedProbes / n);
            }
        }
    }
}
