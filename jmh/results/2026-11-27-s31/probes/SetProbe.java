package io.daxrmap.index;

import io.daxrmap.testdata.Dataset;

import java.util.TreeMap;

/** Session 31: the share groups' heap bytes by size of group. */
public final class SetProbe
{
    public static void main(final String[] args)
    {
        final Dataset data = BenchData.load(args[0]);
        final ReverseIndex index = data.index();
        final Snapshot s = index.current();
        final TreeMap<String, long[]> byShape = new TreeMap<>();
        long all = 0;
        for (int i = 0; i < s.setCount; i++)
        {
            final OwnerSet set = s.sets[i];
            if (set == null)
            {
                continue;
            }
            final long bytes = set.sizeInBytes();
            all += bytes;
            final String shape = "cardinality " + Math.min(set.cardinality(), 9) + (set.cardinality() >= 9 ? "+" : "") +
                " groups " + set.groupCount();
            final long[] t = byShape.computeIfAbsent(shape, k -> new long[2]);
            t[0]++;
            t[1] += bytes;
        }
        final double r = data.records();
        System.out.printf("%s: sets %d, set bytes %.2f B/record, table %.2f B/record%n", args[0], s.setCount, all / r,
            index.sets.tableBytes() / r);
        byShape.forEach((k, v) -> System.out.printf("  %s: %d sets, %.1f B each%n", k, v[0], v[1] / (double)v[0]));
    }
}
