package io.daxrmap.index;

import io.daxrmap.testdata.Dataset;

/** Of the dataset's probes that land in shared pieces: how many sets have a bitmap group, and how many of those are pairs. */
public final class SetShapeProbe
{
    public static void main(final String[] args)
    {
        final Dataset data = BenchData.load(args[0]);
        final Snapshot s = data.index().current();
        final PieceCursor cursor = new PieceCursor();
        cursor.snapshot(s);
        int shared = 0, withBitmap = 0, pairBitmapOnly = 0, owners = 0;
        final java.util.Map<Integer, Integer> groupsHist = new java.util.TreeMap<>();
        for (final long p : data.mappedOffsets())
        {
            cursor.seek(p);
            final int v = cursor.value();
            if (!PieceValue.isShared(v))
            {
                continue;
            }
            shared++;
            final OwnerSet set = s.sets[PieceValue.setId(v)];
            owners += set.cardinality();
            groupsHist.merge(set.groupCount(), 1, Integer::sum);
            boolean bitmap = false, onlyPairs = true;
            for (int g = 0; g < set.groupCount(); g++)
            {
                if (!set.groupIsRun(g))
                {
                    bitmap = true;
                    onlyPairs &= set.groupBitmap(g).getCardinality() == 2;
                }
            }
            withBitmap += bitmap ? 1 : 0;
            pairBitmapOnly += bitmap && onlyPairs ? 1 : 0;
        }
        System.out.printf("%s: %d probes, %d in shared pieces (%.1f owners each); sets with a bitmap group %d, of which every bitmap a pair %d; groups per set %s%n",
            args[0], data.mappedOffsets().length, shared, (double)owners / Math.max(1, shared), withBitmap, pairBitmapOnly, groupsHist);
    }
}
