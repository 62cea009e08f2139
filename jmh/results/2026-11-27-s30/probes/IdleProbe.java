package io.daxrmap.index;

import io.daxrmap.model.Pagemap;
import io.daxrmap.testdata.Dataset;

import java.nio.file.Files;
import java.nio.file.Path;

/** Session 30: the idle page query's median by JVM, beside how much of the process is on 2 MiB pages. */
public final class IdleProbe
{
    public static void main(final String[] args) throws Exception
    {
        final Dataset data = BenchData.load(args[0]);
        final ReverseIndex index = data.index();
        final long[] probes = data.mappedOffsets();
        final Pagemap pagemap = new Pagemap(1L << 40, index.geometry().size() + (1 << 21), 0, 4096);
        final IndexReader reader = index.newReader();
        final Sink sink = new Sink();
        final int slots = 512;
        final long[] owner = new long[slots], file = new long[slots], device = new long[slots], length = new long[slots];
        for (int i = 0; i < slots; i++)
        {
            final int at = i;
            reader.scan(probes[probes.length - 1 - i], probes[probes.length - 1 - i], (d, l, o, f, fl) ->
            {
                owner[at] = o; file[at] = f; device[at] = d; length[at] = l;
                return false;
            });
        }
        int cycle = 0;
        for (int phase = 0; phase < 4; phase++)
        {
            final long c0 = index.compactions();
            if (phase > 0)
            {
                for (int b = 0; b < 200_000; b++)
                {
                    final Batch batch = index.newBatch();
                    for (int c = 0; c < 16; c++)
                    {
                        final int r = cycle++ & (slots - 1);
                        batch.unmap(owner[r], file[r], length[r]).map(owner[r], file[r], device[r], length[r], 0);
                    }
                    batch.commit();
                }
            }
            System.gc();
            measure(index, reader, probes, pagemap, sink, "after " + (index.compactions() - c0) + " compactions");
        }
        System.out.println(sink.accumulator);
    }

    static int next;

    static void measure(final ReverseIndex index, final IndexReader reader, final long[] probes, final Pagemap pagemap,
        final Sink sink, final String what) throws Exception
    {
        String huge = "";
        for (final String line : Files.readAllLines(Path.of("/proc/self/smaps_rollup")))
        {
            if (line.startsWith("AnonHugePages") || line.startsWith("Rss"))
            {
                huge += line.replaceAll("\\s+", " ") + "; ";
            }
        }
        final long[] hist = new long[20_000];
        for (int round = 0; round < 4; round++)
        {
            java.util.Arrays.fill(hist, 0);
            for (int q = 0; q < 3_000_000; q++)
            {
                final long t0 = System.nanoTime();
                reader.refresh();
                final long probe = probes[(next++ + (int)(sink.accumulator & 1)) & (probes.length - 1)];
                reader.pageQuery(((1L << 40) + probe) >>> 12, pagemap, sink);
                hist[(int)Math.min(hist.length - 1, System.nanoTime() - t0)]++;
            }
        }
        long seen = 0;
        int p50 = 0;
        int p99 = 0;
        for (int b = 0; b < hist.length; b++)
        {
            seen += hist[b];
            if (p50 == 0 && seen >= 1_500_000) p50 = b;
            if (p99 == 0 && seen >= 2_970_000) { p99 = b; break; }
        }
        System.out.printf("%s: p50 %d p99 %d | %s%n", what, p50, p99, huge);
    }
}
