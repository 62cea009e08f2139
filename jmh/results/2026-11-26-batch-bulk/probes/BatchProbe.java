package io.daxrmap.index;

import io.daxrmap.model.Pagemap;
import java.util.Arrays;
import io.daxrmap.testdata.Dataset;

public final class BatchProbe
{
    static final long PHYS_BASE = 1L << 40;
    static final int B = 16;
    static long touched;

    public static void main(final String[] args)
    {
        final Dataset data = BenchData.load(args[0]);
        final int rounds = Integer.parseInt(args[1]);
        final ReverseIndex index = data.index();
        final IndexReader reader = index.newReader();
        final long[] probes = data.mappedOffsets();
        final long[] pfns = new long[probes.length];
        for (int i = 0; i < probes.length; i++)
        {
            pfns[i] = (PHYS_BASE + probes[i]) >>> 12;
        }
        final Pagemap pagemap = new Pagemap(PHYS_BASE, index.geometry().size() + (1 << 21), 0, 4096);
        final Sink sink = new Sink();
        final Snapshot s = index.refreshed();
        final PieceCursor cursor = new PieceCursor();
        cursor.snapshot(s);
        final int n = args.length > 2 ? Integer.parseInt(args[2]) : Math.min(pfns.length, 1 << 18);
        final double[][] t = new double[V][rounds];
        System.out.println("probes=" + probes.length + " n=" + n);
        for (int r = -3; r < rounds; r++)
        {
            for (int v = 0; v < V; v++)
            {
                final long start = System.nanoTime();
                for (int rep = 0; rep < Math.max(1, 65536 / n); rep++) for (int from = 0; from < n; from += B)
                {
                    if (v == 0) { old(reader, s, pfns, from, pagemap, sink); }
                    else if (v == 1) { reader.pageQueries(pfns, from, from + B, pagemap, sink); }
                    else if (v == 3) { v2(reader, s, cursor, pfns, from, pagemap, sink); }
                    else if (v == 4) { v2b(reader, s, cursor, pfns, from, pagemap, sink); }
                    else { for (int i = from; i < from + B; i++) { sink.onPage(i, 0); reader.pageQuery(pfns[i], pagemap, sink); } }
                }
                final double ns = (System.nanoTime() - start) / (double)(n * Math.max(1, 65536 / n));
                if (r >= 0) t[v][r] = ns;
            }
        }
        final String[] names = {"old-batch", "new-batch", "single", "lines+seek+keys", "lines+keys-nobranch"};
        for (int v = 0; v < V; v++)
        {
            Arrays.sort(t[v]);
            System.out.printf("%s median %.1f ns/query (min %.1f max %.1f)%n", names[v], t[v][rounds / 2], t[v][0], t[v][rounds - 1]);
        }
        System.out.println(sink.accumulator + touched);
    }

    static final int V = 5;
    static final long[] stripes = new long[64];
    static final long[] offs = new long[64];
    static final int[] vals = new int[64];
    static final PieceCursor[] curs = new PieceCursor[64];

    static void v2(final IndexReader reader, final Snapshot s, final PieceCursor cursor, final long[] pfns, final int group, final Pagemap pagemap, final Sink visitor)
    {
        final long size = s.geometry.size();
        final int end = group + B;
        long tt = 0;
        for (int i = group; i < end; i++)
        {
            final long deviceOffset = pagemap.locate(pfns[i]);
            final boolean inside = deviceOffset >= 0 && deviceOffset < size;
            offs[i - group] = inside ? deviceOffset : -1;
            stripes[i - group] = inside ? s.stripeAddress((int)(deviceOffset >>> s.stripeShift)) : -1;
        }
        for (int i = 0; i < B; i++)
        {
            final long address = stripes[i];
            if (address >= 0)
            {
                final org.agrona.concurrent.UnsafeBuffer b = s.buffer(address);
                final int o = Arena.offset(address);
                final int last = b.capacity() - 8;
                tt += b.getLong(o) + b.getLong(Math.min(o + 64, last)) + b.getLong(Math.min(o + 128, last));
            }
        }
        for (int i = 0; i < B; i++)
        {
            if (offs[i] >= 0)
            {
                cursor.seek(offs[i]);
                vals[i] = cursor.value();
            }
        }
        final long[] keys = s.ownerKeys;
        for (int i = 0; i < B; i++)
        {
            final int value = vals[i];
            if (PieceValue.isSingle(value))
            {
                tt += keys[PieceValue.ownerId(value)];
            }
        }
        touched += tt;
        for (int i = group; i < end; i++)
        {
            visitor.onPage(i, 0);
            reader.pageQuery(pfns[i], pagemap, visitor);
        }
    }

    static void v2b(final IndexReader reader, final Snapshot s, final PieceCursor cursor, final long[] pfns, final int group, final Pagemap pagemap, final Sink visitor)
    {
        final long size = s.geometry.size();
        final int end = group + B;
        long tt = 0;
        for (int i = group; i < end; i++)
        {
            final long deviceOffset = pagemap.locate(pfns[i]);
            final boolean inside = deviceOffset >= 0 && deviceOffset < size;
            offs[i - group] = inside ? deviceOffset : -1;
            stripes[i - group] = inside ? s.stripeAddress((int)(deviceOffset >>> s.stripeShift)) : -1;
        }
        for (int i = 0; i < B; i++)
        {
            final long address = stripes[i];
            if (address >= 0)
            {
                final org.agrona.concurrent.UnsafeBuffer b = s.buffer(address);
                final int o = Arena.offset(address);
                final int last = b.capacity() - 8;
                tt += b.getLong(o) + b.getLong(Math.min(o + 64, last)) + b.getLong(Math.min(o + 128, last));
            }
        }
        for (int i = 0; i < B; i++)
        {
            if (offs[i] >= 0)
            {
                cursor.seek(offs[i]);
                vals[i] = cursor.value();
            }
        }
        final long[] keys = s.ownerKeys;
        for (int i = 0; i < B; i++)
        {
            final int value = vals[i];
            tt += keys[(value >>> 1) & -(~value >>> 31)];
        }
        touched += tt;
        for (int i = group; i < end; i++)
        {
            visitor.onPage(i, 0);
            reader.pageQuery(pfns[i], pagemap, visitor);
        }
    }


    static void old(final IndexReader reader, final Snapshot s, final long[] pfns, final int group, final Pagemap pagemap, final Sink visitor)
    {
        final long size = s.geometry.size();
        final int end = group + B;
        for (int i = group; i < end; i++)
        {
            final long deviceOffset = pagemap.locate(pfns[i]);
            stripes[i - group] = deviceOffset >= 0 && deviceOffset < size ? s.stripeAddress((int)(deviceOffset >>> s.stripeShift)) : -1;
        }
        int tt = 0;
        for (int i = 0; i < end - group; i++)
        {
            final long address = stripes[i];
            if (address >= 0)
            {
                tt += StripeDescriptor.count(s.buffer(address), Arena.offset(address));
            }
        }
        touched += tt;
        for (int i = group; i < end; i++)
        {
            visitor.onPage(i, 0);
            reader.pageQuery(pfns[i], pagemap, visitor);
        }
    }
}
