package io.daxrmap.index;

import io.daxrmap.model.Pagemap;
import io.daxrmap.testdata.Dataset;
import org.agrona.concurrent.UnsafeBuffer;
import java.util.Arrays;

/** The levelled batch of IndexReader.pageQueries at several group sizes, in one JVM, rounds alternated. */
public final class LinesProbe
{
    static final long PHYS_BASE = 1L << 40;
    static long touched;
    static int LINES = 3; static int EXPECT = 88; static int[] LINETAB;
    static int ANSWERS = 1;
    static final long[] offs = new long[64];
    static final long[] stripes = new long[64];
    static final int[] vals = new int[64];
    static final PieceCursor[] cursors = new PieceCursor[64];

    public static void main(final String[] args)
    {
        final Dataset data = BenchData.load(args[0]);
        final int rounds = Integer.parseInt(args[1]);
        final String[] specs = args[2].split(",");
        final int[] sizes = new int[specs.length];
        final int[] lines = new int[specs.length];
        final int[] answers = new int[specs.length];
        for (int i = 0; i < specs.length; i++) { sizes[i] = Integer.parseInt(specs[i].split(":")[0]); lines[i] = Integer.parseInt(specs[i].split(":")[1]); answers[i] = Integer.parseInt(specs[i].split(":")[2]); }
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
        for (int i = 0; i < 64; i++)
        {
            cursors[i] = new PieceCursor();
            cursors[i].snapshot(s);
        }
        final int n = pfns.length;
        LINETAB = new int[s.stripeCount()];
        final int[] hist = new int[8];
        long totalLen = 0;
        for (int st = 0; st < s.stripeCount(); st++)
        {
            final long a = s.stripeAddress(st);
            final UnsafeBuffer buffer = s.buffer(a);
            final int o = Arena.offset(a);
            final int len = StripeDescriptor.blockLength(buffer, o);
            totalLen += len;
            LINETAB[st] = (((o & 63) + len - 1) >>> 6) + 1;
            hist[Math.min(7, LINETAB[st])]++;
        }
        EXPECT = (int)(totalLen / s.stripeCount());
        System.out.println("stripes " + s.stripeCount() + " mean length " + EXPECT + " lines hist " + Arrays.toString(hist));
        final double[][] t = new double[sizes.length][rounds];
        for (int r = -3; r < rounds; r++)
        {
            for (int v = 0; v < sizes.length; v++)
            {
                final int b = sizes[v];
                LINES = lines[v];
                ANSWERS = answers[v];
                final long start = System.nanoTime();
                for (int from = 0; from + b <= n; from += b)
                {
                    batch(reader, s, pfns, from, b, pagemap, sink);
                }
                final double ns = (System.nanoTime() - start) / (double)(n / b * b);
                if (r >= 0) t[v][r] = ns;
            }
        }
        for (int v = 0; v < sizes.length; v++)
        {
            Arrays.sort(t[v]);
            System.out.printf("batch %d lines " + lines[v] + " answers " + answers[v] + ": median %.1f ns/query (min %.1f)%n", sizes[v], t[v][rounds / 2], t[v][0]);
        }
        System.out.println(sink.accumulator + touched);
    }

    static void batch(final IndexReader reader, final Snapshot s, final long[] pfns, final int group, final int pages,
        final Pagemap pagemap, final Sink visitor)
    {
        final long size = s.geometry.size();
        long tt = 0;
        for (int i = 0; i < pages; i++)
        {
            final long d = pagemap.locate(pfns[group + i]);
            final boolean inside = d >= 0 && d < size;
            offs[i] = inside ? d : -1;
            stripes[i] = inside ? s.stripeAddress((int)(d >>> s.stripeShift)) : -1;
        }
        for (int i = 0; i < pages; i++)
        {
            final long a = stripes[i];
            if (a >= 0)
            {
                final UnsafeBuffer buffer = s.buffer(a);
                final int o = Arena.offset(a);
                final int last = buffer.capacity() - 8;
                if (LINES > 0)
                {
                    for (int line = 0; line < LINES; line++)
                    {
                        tt += buffer.getLong(Math.min(o + line * 64, last));
                    }
                }
                else
                {
                    final int n = LINES == -1 ? (((o & 63) + EXPECT - 1) >>> 6) + 1 : LINETAB[(int)(offs[i] >>> s.stripeShift)];
                    for (int line = 0; line < n; line++)
                    {
                        tt += buffer.getLong(Math.min((o & ~63) + line * 64, last));
                    }
                }
            }
        }
        for (int i = 0; i < pages; i++)
        {
            if (offs[i] >= 0)
            {
                cursors[i].seek(offs[i]);
                vals[i] = cursors[i].value();
            }
        }
        for (int i = 0; i < pages; i++)
        {
            if (offs[i] >= 0 && PieceValue.isSingle(vals[i]))
            {
                tt += s.ownerKeys[PieceValue.ownerId(vals[i])];
            }
        }
        touched += tt;
        for (int rep = 0; rep < ANSWERS; rep++)
        {
            for (int i = 0; i < pages; i++)
            {
                visitor.onPage(group + i, offs[i]);
                reader.pageQuery(pfns[group + i], pagemap, visitor);
            }
        }
    }
}
