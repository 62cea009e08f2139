package io.daxrmap.index;

import io.daxrmap.testdata.Dataset;

/**
 * The cached cost of each step of a byte query, as dependent chains over the first 2^8 probes (and all 2^16):
 * the directory entry alone; with the placement's touch; the cursor's seek (touch, entry, header, search); the whole
 * byteQuery 64 B. Mean ns a query, no per-query timer. Args: dataset...
 */
public final class FlatSetProbe
{
    public static void main(final String[] args)
    {
        for (final String name : args)
        {
            final Dataset data = BenchData.load(name);
            final IndexReader reader = data.index().newReader();
            final Snapshot s = data.index().current();
            final long[] all = data.mappedOffsets();
            final PieceCursor cursor = new PieceCursor();
            cursor.snapshot(s);
            final Sink sink = new Sink();
            // each set's group 0 as a flat table: delta, then first id | last id << 32 (what a table of first groups
            // would hold), 16 bytes a set
            final int setCount = data.index().sets.count();
            final long[] flat = new long[2 * setCount];
            for (int id = 0; id < setCount; id++)
            {
                flat[2 * id] = s.sets[id].groupDelta(0);
                flat[2 * id + 1] = s.sets[id].groupFirst(0) & 0xFFFF_FFFFL | (long)s.sets[id].groupLast(0) << 32;
            }
            for (int k = 8; k <= 16; k += 8)
            {
                final int mask = (1 << k) - 1;
                final StringBuilder line = new StringBuilder(name + " 2^" + k + ":");
                final int[] kinds = new int[4];
                for (int q = 0; q <= mask; q++)
                {
                    cursor.seek(all[q]);
                    final int v = cursor.value();
                    kinds[PieceValue.isShared(v) ? 2 : !PieceValue.isSingle(v) ? 3 : cursor.keyed() ? 0 : 1]++;
                }
                line.append(String.format(" [keyed single %d, unkeyed single %d, shared %d, other %d]", kinds[0],
                    kinds[1], kinds[2], kinds[3]));
                for (int step = 3; step < 7; step++)
                {
                    double best = Double.MAX_VALUE;
                    long acc = 0;
                    int next = 0;
                    for (int rep = 0; rep < 7; rep++)
                    {
                        final int queries = 2 << 20;
                        final long t0 = System.nanoTime();
                        for (int q = 0; q < queries; q++)
                        {
                            final long p = all[(next++ + (int)(acc & 1)) & mask];
                            final int stripe = (int)(p >>> s.stripeShift);
                            switch (step)
                            {
                                case 0 -> acc += p;
                                case 1 -> acc += s.stripes.get(stripe);
                                case 2 -> acc += s.stripes.get(stripe) + s.placement.touch(s.slabs, stripe);
                                case 3 ->
                                {
                                    cursor.seek(p);
                                    acc += cursor.value();
                                }
                                case 4 ->
                                {
                                    // the owner as the fast path reads it, keyed or from the owner table
                                    cursor.seek(p);
                                    final int v = cursor.value();
                                    if (PieceValue.isShared(v))
                                    {
                                        final int id = PieceValue.setId(v);
                                        acc += v + flat[2 * id] + s.ownerKeys[(int)flat[2 * id + 1]];
                                    }
                                    else
                                    {
                                        acc += v;
                                    }
                                }
                                case 5 ->
                                {
                                    // as 4, but the owner table's key not loaded (what keying every stripe would save)
                                    cursor.seek(p);
                                    final int v = cursor.value();
                                    acc += v + (PieceValue.isShared(v) ? s.sets[PieceValue.setId(v)].groupCount() : 0);
                                }
                                default ->
                                {
                                    reader.byteQuery(p, 64, sink);
                                    acc += sink.accumulator;
                                }
                            }
                        }
                        final double ns = (double)(System.nanoTime() - t0) / queries;
                        if (rep >= 2)
                        {
                            best = Math.min(best, ns);
                        }
                    }
                    line.append(String.format("  %s %.1f", new String[] {"probe", "entry", "+touch", "seek+value",
                        "+flat table+key", "+set object", "byteQuery"}[step], best));
                    if (acc == 42)
                    {
                        line.append('!');
                    }
                }
                System.out.println(line + " ns");
            }
        }
    }
}
