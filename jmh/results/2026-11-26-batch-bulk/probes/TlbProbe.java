package io.daxrmap.index;

import io.daxrmap.model.Pagemap;
import io.daxrmap.testdata.Dataset;
import org.agrona.concurrent.UnsafeBuffer;
import java.util.Arrays;

/**
 * The lookups of a page query without its answer: directory entry, stripe piece, owner key. With the directory and
 * the owner keys where the engine keeps them (Java heap, 4 KiB pages) or copied flat into anonymous memory advised
 * for huge pages. Dependent chains (each lookup's page depends on the last key) and batches of 16, rounds alternated.
 */
public final class TlbProbe
{
    static final long PHYS_BASE = 1L << 40;
    static final int B = 16;
    static long sink;

    public static void main(final String[] args)
    {
        final Dataset data = BenchData.load(args[0]);
        final int rounds = Integer.parseInt(args[1]);
        final ReverseIndex index = data.index();
        final Snapshot s = index.refreshed();
        final long[] probes = data.mappedOffsets();
        final int stripes = s.stripeCount();
        final UnsafeBuffer dir = new UnsafeBuffer(AnonymousMemory.allocate(stripes * 8));
        for (int i = 0; i < stripes; i++)
        {
            dir.putLong(i * 8L > Integer.MAX_VALUE ? 0 : i * 8, s.stripeAddress(i));
        }
        final int owners = s.ownerCount;
        final UnsafeBuffer keys = new UnsafeBuffer(AnonymousMemory.allocate(owners * 8));
        for (int i = 0; i < owners; i++)
        {
            keys.putLong(i * 8, s.ownerKeys[i]);
        }
        System.out.println("stripes=" + stripes + " owners=" + owners + " advised=" + AnonymousMemory.advised());
        final PieceCursor cursor = new PieceCursor();
        cursor.snapshot(s);
        final PieceCursor[] cursors = new PieceCursor[B];
        for (int i = 0; i < B; i++)
        {
            cursors[i] = new PieceCursor();
            cursors[i].snapshot(s);
        }
        final String[] names = {"chain heap", "chain offheap", "batch heap", "batch offheap"};
        final int n = probes.length;
        final double[][] t = new double[4][rounds];
        final long[] offs = new long[B];
        final long[] addr = new long[B];
        final int[] vals = new int[B];
        for (int r = -3; r < rounds; r++)
        {
            for (int v = 0; v < 4; v++)
            {
                final long start = System.nanoTime();
                long acc = 0;
                if (v < 2)
                {
                    for (int q = 0; q < n; q++)
                    {
                        final long off = probes[(q + (int)(acc & 1)) & (n - 1)];
                        final int stripe = (int)(off >>> s.stripeShift);
                        final long a = v == 0 ? s.stripeAddress(stripe) : dir.getLong(stripe * 8);
                        final UnsafeBuffer b = s.buffer(a);
                        final int o = Arena.offset(a);
                        final int value = StripeDescriptor.value(b, o,
                            StripeDescriptor.find(b, o, (int)(off - ((long)stripe << s.stripeShift))));
                        if (PieceValue.isSingle(value))
                        {
                            final int id = PieceValue.ownerId(value);
                            acc += v == 0 ? s.ownerKeys[id] : keys.getLong(id * 8);
                        }
                    }
                }
                else
                {
                    for (int g = 0; g + B <= n; g += B)
                    {
                        for (int i = 0; i < B; i++)
                        {
                            final long off = probes[g + i];
                            offs[i] = off;
                            final int stripe = (int)(off >>> s.stripeShift);
                            addr[i] = v == 2 ? s.stripeAddress(stripe) : dir.getLong(stripe * 8);
                        }
                        for (int i = 0; i < B; i++)
                        {
                            final UnsafeBuffer b = s.buffer(addr[i]);
                            final int o = Arena.offset(addr[i]);
                            final int last = b.capacity() - 8;
                            for (int line = 0; line < 3; line++)
                            {
                                acc += b.getLong(Math.min(o + line * 64, last));
                            }
                        }
                        for (int i = 0; i < B; i++)
                        {
                            cursors[i].seek(offs[i]);
                            vals[i] = cursors[i].value();
                        }
                        for (int i = 0; i < B; i++)
                        {
                            if (PieceValue.isSingle(vals[i]))
                            {
                                final int id = PieceValue.ownerId(vals[i]);
                                acc += v == 2 ? s.ownerKeys[id] : keys.getLong(id * 8);
                            }
                        }
                    }
                }
                sink += acc;
                final double ns = (System.nanoTime() - start) / (double)n;
                if (r >= 0) t[v][r] = ns;
            }
        }
        for (int v = 0; v < 4; v++)
        {
            Arrays.sort(t[v]);
            System.out.printf("%s: median %.1f ns/lookup (min %.1f)%n", names[v], t[v][rounds / 2], t[v][0]);
        }
        System.out.println(sink);
    }
}
