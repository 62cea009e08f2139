package io.daxrmap.index;

import io.daxrmap.model.Pagemap;
import io.daxrmap.testdata.Dataset;

/**
 * Page query latency (dependent chain) on a freshly loaded dataset, then after the writer has moved a growing part of
 * its stripes (unmap and map back random records, 256 cycles a batch), with the share of stripes still where the
 * placement predicts them, and the compactions meanwhile.
 */
public class DriftProbe
{
    static final long PHYS_BASE = 1L << 40;

    public static void main(String[] args)
    {
        final String name = args[0];
        final int steps = Integer.parseInt(args[1]);
        final int cyclesPerStep = Integer.parseInt(args[2]);
        final Dataset data = BenchData.load(name);
        final ReverseIndex index = data.index();
        final IndexReader reader = index.newReader();
        final long size = index.geometry().size();
        final long[] probes = UniformProbe.draw(reader, size, 1 << 22);
        final Pagemap pagemap = new Pagemap(PHYS_BASE, index.geometry().size() + (1 << 21), 0, 4096);
        final Sink sink = new Sink();
        final java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        report(index, reader, probes, pagemap, sink, "fresh");
        long done = 0;
        for (int step = 0; step < steps; step++)
        {
            int c = 0;
            while (c < cyclesPerStep)
            {
                final Batch batch = index.newBatch();
                for (int k = 0; k < 256 && c < cyclesPerStep; k++, c++)
                {
                    final long probe = random.nextLong(size);
                    final long[] r = new long[4];
                    reader.scan(probe, probe, (d, l, o, f, fl) ->
                    {
                        r[0] = o; r[1] = f; r[2] = d; r[3] = l;
                        return false;
                    });
                    if (!io.daxrmap.model.Owner.isFileData(r[0]))
                    {
                        continue;
                    }
                    // whole records only: a record the batch already changed is found again by the scan as it was
                    batch.unmap(r[0], r[1], r[3]).map(r[0], r[1], r[2], r[3], 0);
                }
                batch.commit();
            }
            done += cyclesPerStep;
            report(index, reader, probes, pagemap, sink, "after " + done + " unmapMap cycles");
        }
        System.out.println("sink " + sink.accumulator);
    }

    static void report(ReverseIndex index, IndexReader reader, long[] probes, Pagemap pagemap, Sink sink, String what)
    {
        reader.refresh();
        final Snapshot snapshot = index.current();
        int stripes = 0, hits = 0;
        for (int s = 0; s < snapshot.stripeCount(); s++)
        {
            final long address = snapshot.stripes.get(s);
            if (address == index.emptyStripe) continue;
            stripes++;
            final long p = snapshot.placement.predicted(s);
            if (p < 0) continue;
            final int line = (int)p & -64;
            if (Arena.slab(address) == Arena.slab(p) && Arena.offset(address) >= line &&
                Arena.offset(address) + 64 <= line + 5 * 64) hits++;
        }
        final int mask = probes.length - 1;
        final double[] times = new double[5];
        for (int round = 0; round < 5; round++)
        {
            int next = round * 7919;
            final int n = 2_000_000;
            final long t0 = System.nanoTime();
            for (int i = 0; i < n; i++)
            {
                reader.pageQuery((PHYS_BASE + probes[(next++ + (int)(sink.accumulator & 1)) & mask]) >>> 12, pagemap, sink);
            }
            times[round] = (System.nanoTime() - t0) / (double)n;
        }
        java.util.Arrays.sort(times);
        final double best = times[2];
        System.out.printf("%s: stripes %d, header in predicted lines %.3f, compactions %d, page query %.1f ns (median of 5 x 2M chained, 4M uniform probes)%n",
            what, stripes, hits / (double)stripes, index.compactions(), best);
    }
}
