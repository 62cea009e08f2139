package io.daxrmap.index;

import io.daxrmap.testdata.Dataset;

/** byteQuery of 2 MiB as QueryBenchmark asks it: records reported, pieces walked, owner refs visited, ns a query and a record. */
public final class WalkProbe
{
    public static void main(final String[] args)
    {
        for (final String name : args)
        {
            final Dataset data = BenchData.load(name);
            final ReverseIndex index = data.index();
            final IndexReader reader = index.newReader();
            final Snapshot s = index.current();
            final PieceCursor cursor = new PieceCursor();
            cursor.snapshot(s);
            final long size = s.geometry.size();
            final long[] probes = data.mappedOffsets();
            final long[] count = new long[1];
            final RecordVisitor v = (d, l, o, f, fl) -> { count[0] += d + o; return true; };
            final int n = 256;
            long records = 0, pieces = 0, refs = 0;
            for (int i = 0; i < n; i++)
            {
                final long start = probes[i] & -(1L << 21);
                final long end = Math.min(size, start + (1L << 21));
                final long[] c = new long[1];
                reader.byteQuery(start, end - start, (d, l, o, f, fl) -> { c[0]++; return true; });
                records += c[0];
                cursor.seek(start);
                while (true)
                {
                    pieces++;
                    final int value = cursor.value();
                    refs += PieceValue.isShared(value) ? s.sets[PieceValue.setId(value)].cardinality() : PieceValue.isEmpty(value) ? 0 : 1;
                    if (cursor.end() >= end || !cursor.next()) break;
                }
            }
            long best = Long.MAX_VALUE;
            for (int round = 0; round < 5; round++)
            {
                final long t0 = System.nanoTime();
                for (int i = 0; i < n; i++)
                {
                    final long start = probes[i] & -(1L << 21);
                    reader.byteQuery(start, Math.min(size, start + (1L << 21)) - start, v);
                }
                best = Math.min(best, System.nanoTime() - t0);
            }
            System.out.printf("%s: per 2 MiB query %.0f records, %.0f pieces, %.0f piece-owner refs; %.0f ns a query, %.1f ns a record, %.2f ns a ref (%d)%n",
                name, records / (double)n, pieces / (double)n, refs / (double)n, best / (double)n, best / (double)records, best / (double)refs, count[0]);
        }
    }
}
