package io.daxrmap.index;

import io.daxrmap.model.Pagemap;
import io.daxrmap.testdata.Dataset;

/**
 * The same snapshot with its stripe placement and without (NONE), alternated in one JVM: chained page queries over
 * probes drawn uniformly from the mapped file data.
 */
public class PlacementAB
{
    public static void main(String[] args) throws Exception
    {
        final Dataset data = BenchData.load(args[0]);
        final ReverseIndex index = data.index();
        final IndexReader reader = index.newReader();
        final long size = index.geometry().size();
        final long[] uniform = UniformProbe.draw(reader, size, 1 << 22);
        final Snapshot s = index.current();
        final Snapshot none = new Snapshot(s.version, s.geometry, s.stripeShift, s.stripes, s.extents, s.slabs,
            s.ownerKeys, s.ownerIds, s.ownerCount, s.sets, s.setCount, null, StripePlacement.NONE);
        final java.lang.reflect.Field current = ReverseIndex.class.getDeclaredField("current");
        current.setAccessible(true);
        final Pagemap pagemap = new Pagemap(UniformProbe.PHYS_BASE, size + (1 << 21), 0, 4096);
        final Sink sink = new Sink();
        for (int round = 0; round < 3; round++)
        {
            current.set(index, s);
            reader.refresh();
            System.out.printf("%s placement: %.1f ns%n", args[0], UniformProbe.chain(reader, uniform, pagemap, sink));
            current.set(index, none);
            reader.refresh();
            System.out.printf("%s none:      %.1f ns%n", args[0], UniformProbe.chain(reader, uniform, pagemap, sink));
        }
        System.out.println("sink " + sink.accumulator);
    }
}
