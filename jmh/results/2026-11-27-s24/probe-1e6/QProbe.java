package io.daxrmap.index;

import io.daxrmap.model.Pagemap;
import io.daxrmap.testdata.Dataset;

/** Dependent page and 64 B byte queries over an unshared dataset; p50 of rounds; the process's huge pages. */
public final class QProbe
{
    public static void main(final String[] args) throws Exception
    {
        final int records = Integer.parseInt(args[0]);
        final int rounds = Integer.parseInt(args[1]);
        final Dataset data = io.daxrmap.testdata.Datasets.unshared(records, 1);
        final IndexReader reader = data.index().newReader();
        final long[] probes = data.mappedOffsets();
        final int mask = probes.length - 1;
        final long base = 1L << 40;
        final Pagemap pagemap = new Pagemap(base, data.index().geometry().size() + (1 << 21), 0, 4096);
        final Sink sink = new Sink();
        System.out.println("probes " + probes.length + " " + thp());
        final int n = 1 << 16;
        final long[] t = new long[n];
        int next = 0;
        for (int r = 0; r < rounds; r++)
        {
            for (int kind = 0; kind < 2; kind++)
            {
                for (int i = 0; i < n; i++)
                {
                    final long p = probes[(next++ + (int)(sink.accumulator & 1)) & mask];
                    final long s = System.nanoTime();
                    if (kind == 0)
                    {
                        reader.pageQuery((base + p) >>> 12, pagemap, sink);
                    }
                    else
                    {
                        reader.byteQuery(p, 64, sink);
                    }
                    t[i] = System.nanoTime() - s;
                }
                java.util.Arrays.sort(t);
                System.out.printf("round %d %s p50 %d p90 %d%n", r, kind == 0 ? "page" : "b64 ", t[n / 2], t[n * 9 / 10]);
            }
        }
        System.out.println(thp());
    }

    static String thp() throws java.io.IOException
    {
        final StringBuilder b = new StringBuilder();
        for (final String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/smaps_rollup")))
        {
            if (line.startsWith("AnonHugePages:") || line.startsWith("Rss:"))
            {
                b.append(line.replaceAll("\\s+", " ")).append(' ');
            }
        }
        return b.toString();
    }
}
