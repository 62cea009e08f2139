package io.daxrmap.index;

import io.daxrmap.testdata.Datasets;
import java.util.Arrays;

/** Owner ids for every record: sort-then-intern (BulkLoad.internOwners) against one table probe per record, alternated in one JVM. */
public final class InternProbe
{
    static long sink;

    public static void main(final String[] args)
    {
        final Datasets.Records records = args[0].equals("unshared-1e8") ? Datasets.unsharedRecords(100_000_000, 1) : BulkLoadBenchmark.generate(args[0]);
        final int rounds = Integer.parseInt(args[1]);
        final int count = records.count();
        final long[] owner = records.owner;
        final double[][] t = new double[2][rounds];
        for (int r = -2; r < rounds; r++)
        {
            for (int v = 0; v < 2; v++)
            {
                final long start = System.nanoTime();
                final int[] ownerId = new int[count];
                final OwnerTable owners = new OwnerTable();
                if (v == 0)
                {
                    final int[] order = new int[count];
                    for (int i = 0; i < count; i++) order[i] = i;
                    final long[] keys = Arrays.copyOf(owner, count);
                    RadixSort.sort(keys, order, 0, count);
                    int id = -1;
                    for (int k = 0; k < count; k++)
                    {
                        if (k == 0 || keys[k] != keys[k - 1]) id = owners.intern(keys[k]);
                        ownerId[order[k]] = id;
                    }
                }
                else
                {
                    long last = 0;
                    int id = -1;
                    for (int i = 0; i < count; i++)
                    {
                        final long key = owner[i];
                        if (id < 0 || key != last) { id = owners.intern(key); last = key; }
                        ownerId[i] = id;
                    }
                }
                final long ns = System.nanoTime() - start;
                sink += ownerId[count / 2] + owners.count();
                if (r >= 0) t[v][r] = ns / 1e6;
            }
        }
        for (int v = 0; v < 2; v++)
        {
            Arrays.sort(t[v]);
            System.out.printf("%s: median %.1f ms (min %.1f max %.1f)%n", v == 0 ? "sort" : "probe", t[v][rounds / 2], t[v][0], t[v][rounds - 1]);
        }
        System.out.println(sink);
    }
}
