package io.daxrmap.index;

import io.daxrmap.model.Owner;
import io.daxrmap.model.Pagemap;
import io.daxrmap.testdata.Dataset;

/** 2 MiB: byteQuery to a Sink; byteQuery whose visitor merges rows as the page query does; pageQuery. */
public final class SplitProbe
{
    public static void main(final String[] args)
    {
        final Dataset data = BenchData.load(args[0]);
        final ReverseIndex index = data.index();
        final IndexReader reader = index.newReader();
        final long physBase = 1L << 40;
        final Pagemap huge = new Pagemap(physBase, index.geometry().size() + (1 << 21), 0, 1 << 21);
        final long[] probes = data.mappedOffsets();
        final long size = index.geometry().size();
        final Sink sink = new Sink();
        final PageRows rows = new PageRows();
        final long[] adds = new long[1];
        final RecordVisitor merging = (d, l, o, f, fl) ->
        {
            if (Owner.isFileData(o))
            {
                rows.add(Owner.inode(o), f >> 21, ((f + l - 1) >> 21) - (f >> 21) + 1, fl);
                adds[0]++;
            }
            return true;
        };
        final RecordVisitor counting = (d, l, o, f, fl) -> { adds[0]++; sink.accumulator += o + f; return true; };
        final int n = 256;
        for (int rep = 0; rep < 3; rep++)
        {
            long a = Long.MAX_VALUE, b = Long.MAX_VALUE, c = Long.MAX_VALUE;
            for (int round = 0; round < 5; round++)
            {
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++)
                {
                    final long start = probes[i] & -(1L << 21);
                    reader.byteQuery(start, Math.min(size, start + (1L << 21)) - start, counting);
                }
                a = Math.min(a, System.nanoTime() - t0);
                t0 = System.nanoTime();
                for (int i = 0; i < n; i++)
                {
                    final long start = probes[i] & -(1L << 21);
                    rows.clear();
                    reader.byteQuery(start, Math.min(size, start + (1L << 21)) - start, merging);
                }
                b = Math.min(b, System.nanoTime() - t0);
                t0 = System.nanoTime();
                for (int i = 0; i < n; i++)
                {
                    reader.pageQuery((physBase + probes[i]) >>> 21, huge, sink);
                }
                c = Math.min(c, System.nanoTime() - t0);
            }
            System.out.printf("%s: byteQuery %.0f ns, byteQuery merging rows %.0f ns, pageQuery %.0f ns (rows %d) (%d %d)%n",
                args[0], a / (double)n, b / (double)n, c / (double)n, rows.count, sink.accumulator, adds[0]);
        }
    }
}
