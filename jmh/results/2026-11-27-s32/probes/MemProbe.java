package io.daxrmap.index;

import io.daxrmap.testdata.Dataset;

public final class MemProbe
{
    public static void main(final String[] args)
    {
        for (final String name : args)
        {
            final Dataset data = BenchData.load(name);
            final ReverseIndex index = data.index();
            System.out.printf("%s: %.2f B a record in all; sets %d, table %d B%n", name,
                (double)index.memoryBytes() / data.records(), index.sets.count(), index.sets.tableBytes());
        }
    }
}
