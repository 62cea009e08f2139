package io.daxrmap.index;

import io.daxrmap.model.Pagemap;
import io.daxrmap.testdata.Dataset;

/**
 * QueryBenchmark.pageQuery's dependent chain at 10^8 taken apart: the directory entry alone; the predicted lines
 * alone; both (independent loads, as the query issues them); the cursor's seek (both, then the header and search);
 * the whole page query. Mean ns a step (no per-step timer), best of rounds. Args: dataset
 */
public final class ChainProbe
{
    public static void main(final String[] args)
    {
        final Dataset data = BenchData.load(args[0]);
        final ReverseIndex index = data.index();
        final Snapshot s = index.current();
        final long[] probes = data.mappedOffsets();
        final int mask = probes.length - 1;
        final IndexReader reader = index.newReader();
        final Sink sink = new Sink();
        final long physBase = 1L << 40;
        final Pagemap pagemap = new Pagemap(physBase, index.geometry().size() + (1 << 21), 0, 4096);
        final PieceCursor cursor = new PieceCursor();
        cursor.snapshot(s);
        final int steps = 1 << 22;
        for (int round = 0; round < 4; round++)
        {
            long acc = 0;
            int next = 0;
            long t0 = System.nanoTime();
            for (int i = 0; i < steps; i++)
            {
                final long p = probes[(next++ + (int)(acc & 1)) & mask];
                acc += s.stripes.get((int)(p >>> s.stripeShift));
            }
            final double dir = (System.nanoTime() - t0) / (double)steps;
            t0 = System.nanoTime();
            for (int i = 0; i < steps; i++)
            {
                final long p = probes[(next++ + (int)(acc & 1)) & mask];
                acc += s.placement.touch(s.slabs, (int)(p >>> s.stripeShift));
            }
            final double touch = (System.nanoTime() - t0) / (double)steps;
            t0 = System.nanoTime();
            for (int i = 0; i < steps; i++)
            {
                final long p = probes[(next++ + (int)(acc & 1)) & mask];
                final int stripe = (int)(p >>> s.stripeShift);
                acc += s.placement.touch(s.slabs, stripe) + s.stripes.get(stripe);
            }
            final double both = (System.nanoTime() - t0) / (double)steps;
            t0 = System.nanoTime();
            for (int i = 0; i < steps; i++)
            {
                final long p = probes[(next++ + (int)(acc & 1)) & mask];
                cursor.seek(p);
                acc += cursor.touched + cursor.value();
            }
            final double seek = (System.nanoTime() - t0) / (double)steps;
            t0 = System.nanoTime();
            for (int i = 0; i < steps; i++)
            {
                final long p = probes[(next++ + (int)(acc & 1)) & mask];
                cursor.seek(p);
                acc += cursor.touched + cursor.value() + (cursor.keyed() ? cursor.inode() : 0) + cursor.delta();
            }
            final double seekAll = (System.nanoTime() - t0) / (double)steps;
            t0 = System.nanoTime();
            for (int i = 0; i < steps; i++)
            {
                final long p = probes[(next++ + (int)(sink.accumulator & 1)) & mask];
                reader.pageQuery((physBase + p) >>> 12, pagemap, sink);
            }
            final double page = (System.nanoTime() - t0) / (double)steps;
            System.out.printf("round %d: directory entry %.1f  predicted lines %.1f  both %.1f  seek+value %.1f  " +
                "seek+value+inode+delta %.1f  pageQuery %.1f ns (%d %d)%n", round, dir, touch, both, seek, seekAll, page,
                acc, sink.accumulator);
        }
    }
}
