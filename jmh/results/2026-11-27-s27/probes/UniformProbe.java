package io.daxrmap.index;

import io.daxrmap.model.Owner;
import io.daxrmap.model.Pagemap;
import io.daxrmap.testdata.Dataset;

/**
 * Chained page queries over the dataset's 65,536 probes against probes drawn uniformly from all mapped file data.
 */
public class UniformProbe
{
    static final long PHYS_BASE = 1L << 40;

    public static void main(String[] args)
    {
        final Dataset data = BenchData.load(args[0]);
        final int uniformCount = 1 << Integer.parseInt(args[1]);
        final ReverseIndex index = data.index();
        final IndexReader reader = index.newReader();
        final long size = index.geometry().size();
        final long[] uniform = draw(reader, size, uniformCount);
        System.out.printf("uniform probes %d%n", uniform.length);
        final Pagemap pagemap = new Pagemap(PHYS_BASE, size + (1 << 21), 0, 4096);
        final Sink sink = new Sink();
        for (int round = 0; round < 2; round++)
        {
            System.out.printf("%s 65536 probes: %.1f ns%n", args[0], chain(reader, data.mappedOffsets(), pagemap, sink));
            System.out.printf("%s %d uniform probes: %.1f ns%n", args[0], uniformCount, chain(reader, uniform, pagemap, sink));
        }
        System.out.println("sink " + sink.accumulator);
    }

    /**
     * Device offsets, 64-byte aligned, drawn uniformly (seed 11) from the bytes file data maps.
     */
    static long[] draw(final IndexReader reader, final long size, final int count)
    {
        final long[] uniform = new long[count];
        final java.util.SplittableRandom random = new java.util.SplittableRandom(11);
        final boolean[] mapped = new boolean[1];
        int n = 0;
        while (n < count)
        {
            final long d = random.nextLong(size) & -64L;
            mapped[0] = false;
            reader.scan(d, d, (dev, l, o, f, fl) ->
            {
                mapped[0] = Owner.isFileData(o);
                return false;
            });
            if (mapped[0])
            {
                uniform[n++] = d;
            }
        }
        return uniform;
    }

    static double chain(IndexReader reader, long[] probes, Pagemap pagemap, Sink sink)
    {
        final int mask = probes.length - 1;
        final double[] times = new double[5];
        int next = 0;
        for (int round = 0; round < 5; round++)
        {
            final int n = 2_000_000;
            final long t0 = System.nanoTime();
            for (int i = 0; i < n; i++)
            {
                reader.pageQuery((PHYS_BASE + probes[(next++ + (int)(sink.accumulator & 1)) & mask]) >>> 12, pagemap, sink);
            }
            times[round] = (System.nanoTime() - t0) / (double)n;
        }
        java.util.Arrays.sort(times);
        return times[2];
    }
}
