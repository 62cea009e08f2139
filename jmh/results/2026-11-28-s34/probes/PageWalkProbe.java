package io.daxrmap.index;

import io.daxrmap.model.Pagemap;
import io.daxrmap.testdata.Dataset;

/**
 * pageQuery of 2 MiB pages as QueryBenchmark.pageQuery2m asks them (the first 256 probes' pages): rows a page, ns a
 * query (best of rounds). Args: rounds dataset...
 */
public final class PageWalkProbe
{
    public static void main(final String[] args)
    {
        final int rounds = Integer.parseInt(args[0]);
        for (int a = 1; a < args.length; a++)
        {
            final String name = args[a];
            final Dataset data = BenchData.load(name);
            final ReverseIndex index = data.index();
            final IndexReader reader = index.newReader();
            final long physBase = 1L << 40;
            final Pagemap huge = new Pagemap(physBase, index.geometry().size() + (1 << 21), 0, 1 << 21);
            final long[] probes = data.mappedOffsets();
            final Sink sink = new Sink();
            final long[] rows = new long[1];
            final PageVisitor counter = new PageVisitor()
            {
                @Override
                public void onAddressSpace(final long inode, final long pgoff, final long pgcnt, final int flags)
                {
                    rows[0]++;
                }

                @Override
                public void onOtherOwner(final long owner, final long deviceOffset, final long length, final long fileOffset, final int flags)
                {
                    rows[0]++;
                }
            };
            final int n = 256;
            for (int i = 0; i < n; i++)
            {
                reader.pageQuery((physBase + probes[i]) >>> 21, huge, counter);
            }
            long best = Long.MAX_VALUE;
            for (int round = 0; round < rounds; round++)
            {
                final long t0 = System.nanoTime();
                for (int i = 0; i < n; i++)
                {
                    reader.pageQuery((physBase + probes[i]) >>> 21, huge, sink);
                }
                best = Math.min(best, System.nanoTime() - t0);
            }
            System.out.printf("%s: per 2 MiB page %.0f rows; %.0f ns a query (best of %d rounds of %d) (%d)%n", name,
                rows[0] / (double)n, best / (double)n, rounds, n, sink.accumulator);
        }
    }
}
