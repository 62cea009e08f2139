package io.daxrmap.index;

import io.daxrmap.model.Pagemap;
import io.daxrmap.testdata.Dataset;
import org.agrona.concurrent.UnsafeBuffer;
import java.util.Arrays;

/** Dependent chains of single page queries, with and without loading a stripe's lines up front; rounds alternated in one JVM. */
public final class ChainProbe
{
    static final long PHYS_BASE = 1L << 40;
    static long touched;

    public static void main(final String[] args)
    {
        final Dataset data = BenchData.load(args[0]);
        final int rounds = Integer.parseInt(args[1]);
        final int[] variants = Arrays.stream(args[2].split(",")).mapToInt(Integer::parseInt).toArray();
        final ReverseIndex index = data.index();
        final IndexReader reader = index.newReader();
        final long[] probes = data.mappedOffsets();
        final int mask = probes.length - 1;
        final Pagemap pagemap = new Pagemap(PHYS_BASE, index.geometry().size() + (1 << 21), 0, 4096);
        final Sink sink = new Sink();
        final Snapshot s = index.refreshed();
        final int queries = 1 << 18;
        final double[][] t = new double[variants.length][rounds];
        int next = 0;
        for (int r = -3; r < rounds; r++)
        {
            for (int v = 0; v < variants.length; v++)
            {
                final int lines = variants[v];
                final long start = System.nanoTime();
                for (int q = 0; q < queries; q++)
                {
                    final long offset = probes[(next++ + (int)(sink.accumulator & 1)) & mask];
                    if (lines > 0)
                    {
                        final long a = s.stripeAddress((int)(offset >>> s.stripeShift));
                        final UnsafeBuffer buffer = s.buffer(a);
                        final int o = Arena.offset(a) & ~63;
                        final int last = buffer.capacity() - 8;
                        long tt = 0;
                        for (int line = 1; line < lines; line++)
                        {
                            tt += buffer.getLong(Math.min(o + line * 64, last));
                        }
                        touched += tt;
                    }
                    reader.pageQuery((PHYS_BASE + offset) >>> 12, pagemap, sink);
                }
                final double ns = (System.nanoTime() - start) / (double)queries;
                if (r >= 0) t[v][r] = ns;
            }
        }
        for (int v = 0; v < variants.length; v++)
        {
            Arrays.sort(t[v]);
            System.out.printf("lines %d: median %.1f ns/query (min %.1f max %.1f)%n", variants[v], t[v][rounds / 2], t[v][0], t[v][rounds - 1]);
        }
        System.out.println(sink.accumulator + touched);
    }
}
