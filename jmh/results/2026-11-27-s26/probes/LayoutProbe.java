package io.daxrmap.index;

import org.agrona.concurrent.UnsafeBuffer;
import java.util.SplittableRandom;

/**
 * Does a stripe load that is predicted from the stripe number, issued beside the directory leaf's load, take the
 * stripe's miss off the dependent chain? Synthetic stripes shaped like keyed narrow ones (header, 2-byte starts,
 * 11-byte records), counts ~ Poisson(mean), a 3-level directory of leaves of 256.
 */
public class LayoutProbe
{
    static final int SLAB = 16 << 20;
    static final int SPAN = 1 << 16; // stripe span in bytes (relative positions fit 16 bits)
    static int N;
    static long[][] leaves;
    static UnsafeBuffer[] slabs;
    static long[] regionBase; // per region of 4096 stripes: address of its first slot
    static int stride;
    static long sink;

    public static void main(String[] args)
    {
        N = Integer.parseInt(args[0]);
        final double mean = Double.parseDouble(args[1]);
        final String layout = args[2]; // packed | slots | drift
        final double slack = Double.parseDouble(args[3]); // drift: stride = mean size * (1 + slack); slots: percentile
        final int windowLines = Integer.parseInt(args[4]);
        final SplittableRandom random = new SplittableRandom(42);
        final int[] counts = new int[N];
        long total = 0;
        for (int i = 0; i < N; i++)
        {
            counts[i] = Math.max(1, poisson(random, mean));
            total += size(counts[i]);
        }
        final double meanSize = (double)total / N;
        int[] sorted = counts.clone();
        java.util.Arrays.sort(sorted);
        if (layout.equals("slots"))
        {
            stride = (size(sorted[(int)(N * slack)]) + 63) & -64;
        }
        else
        {
            stride = (int)Math.ceil(meanSize * (1 + slack));
            stride = (stride + 3) & -4;
        }
        leaves = new long[(N + 255) >>> 8][256];
        slabs = new UnsafeBuffer[4096];
        regionBase = new long[(N >>> 12) + 1];
        int slab = -1;
        int pos = SLAB;
        long used = 0;
        long overflow = 0;
        long lagSum = 0;
        int regionStart = 0;
        int regionPos = 0;
        for (int i = 0; i < N; i++)
        {
            final int sz = size(counts[i]);
            int at;
            if ((i & 4095) == 0 || pos + Math.max(stride, sz) * 2 > SLAB)
            {
                if (pos + 4096L * stride * 2 > SLAB && !(layout.equals("packed") && pos + sz <= SLAB))
                {
                    slab++;
                    slabs[slab] = new UnsafeBuffer(AnonymousMemory.allocate(SLAB));
                    pos = 0;
                }
                if ((i & 4095) == 0)
                {
                    pos = (pos + 63) & -64;
                    regionBase[i >>> 12] = (long)slab << 32 | pos;
                    regionStart = i;
                    regionPos = pos;
                }
            }
            final int predicted = regionPos + (i - regionStart) * stride;
            final int pos0 = pos;
            switch (layout)
            {
                case "packed" -> at = pos;
                case "slots" -> {
                    if (sz <= stride)
                    {
                        at = predicted;
                    }
                    else
                    {
                        at = -1; // overflow: put it after the region... simplified: own slab space later
                    }
                }
                default -> at = Math.max(pos, predicted);
            }
            if (at < 0)
            {
                overflow++;
                at = -1;
            }
            if (at >= 0)
            {
                lagSum += at - predicted;
                write(slabs[slab], at, counts[i], random);
                leaves[i >>> 8][i & 255] = (long)slab << 32 | at;
                pos = layout.equals("slots") ? predicted + stride : at + sz;
                if (layout.equals("slots"))
                {
                    pos = regionPos + (i - regionStart + 1) * stride;
                }
                used += layout.equals("slots") ? stride : sz + (at - Math.max(pos0, 0));
            }
            else
            {
                pos = regionPos + (i - regionStart + 1) * stride;
                used += stride;
                leaves[i >>> 8][i & 255] = -1;
            }
        }
        // overflow stripes of 'slots': packed in fresh slabs
        if (overflow > 0)
        {
            slab++;
            slabs[slab] = new UnsafeBuffer(AnonymousMemory.allocate(SLAB));
            pos = 0;
            for (int i = 0; i < N; i++)
            {
                if (leaves[i >>> 8][i & 255] == -1)
                {
                    final int sz = size(counts[i]);
                    if (pos + sz > SLAB)
                    {
                        slab++;
                        slabs[slab] = new UnsafeBuffer(AnonymousMemory.allocate(SLAB));
                        pos = 0;
                    }
                    write(slabs[slab], pos, counts[i], random);
                    leaves[i >>> 8][i & 255] = (long)slab << 32 | pos;
                    pos += sz;
                    used += sz;
                }
            }
        }
        System.out.printf("N=%d mean pieces %.1f mean size %.1f B stride %d layout %s: bytes/stripe %.1f (+%.1f%%), overflow %.1f%%, mean lag %.1f B, slabs %d%n",
            N, mean, meanSize, stride, layout, (double)used / N, 100.0 * (used / (double)total - 1), 100.0 * overflow / N,
            (double)lagSum / N, slab + 1);
        for (int round = 0; round < 6; round++)
        {
            final long a = run(3_000_000, 0, round);
            final long b = run(3_000_000, windowLines, round);
            System.out.printf("round %d: no prefetch %.1f ns, prefetch %d lines %.1f ns (%.2f)%n", round,
                a / 3e6, windowLines, b / 3e6, (double)b / a);
        }
        System.out.println(sink);
    }

    static long run(final int queries, final int window, final int seed)
    {
        long x = 0x9E3779B97F4A7C15L * (seed + 1);
        long acc = 0;
        final long start = System.nanoTime();
        for (int q = 0; q < queries; q++)
        {
            x = x * 0x9E3779B97F4A7C15L + acc;
            final long h = x ^ (x >>> 29);
            final int idx = (int)((h >>> 1) % N);
            final int rel = (int)(h >>> 40) & (SPAN - 1);
            if (window > 0)
            {
                final long base = regionBase[idx >>> 12];
                final UnsafeBuffer pb = slabs[(int)(base >>> 32)];
                final int po = (int)base + (idx & 4095) * stride;
                long s = 0;
                for (int l = 0; l < window; l++)
                {
                    s += pb.getByte(po + l * 64);
                }
                sink += s;
            }
            final long address = leaves[idx >>> 8][idx & 255];
            final UnsafeBuffer buffer = slabs[(int)(address >>> 32)];
            final int offset = (int)address;
            final int count = buffer.getInt(offset);
            // binary search over 2-byte starts for the last start <= rel
            int lo = 0;
            int hi = count - 1;
            while (lo < hi)
            {
                final int mid = (lo + hi + 1) >>> 1;
                if ((buffer.getShort(offset + 4 + 2 * mid) & 0xFFFF) <= rel)
                {
                    lo = mid;
                }
                else
                {
                    hi = mid - 1;
                }
            }
            final int records = offset + 4 + ((2 * count + 3) & -4) + 8;
            acc = buffer.getLong(records + lo * 11) & 0xFFFFFFFFFFL;
        }
        sink += acc;
        return System.nanoTime() - start;
    }

    static int size(final int count)
    {
        return 4 + ((2 * count + 3) & -4) + 8 + 11 * count;
    }

    static void write(final UnsafeBuffer b, final int at, final int count, final SplittableRandom random)
    {
        b.putInt(at, count);
        for (int i = 0; i < count; i++)
        {
            b.putShort(at + 4 + 2 * i, (short)(i == 0 ? 0 : (long)i * SPAN / count));
        }
        final int records = at + 4 + ((2 * count + 3) & -4) + 8;
        for (int i = 0; i < count; i++)
        {
            for (int k = 0; k < 11; k++)
            {
                b.putByte(records + i * 11 + k, (byte)random.nextInt());
            }
        }
    }

    static int poisson(final SplittableRandom random, final double mean)
    {
        final double l = Math.exp(-mean);
        int k = 0;
        double p = 1;
        do
        {
            k++;
            p *= random.nextDouble();
        }
        while (p > l);
        return k - 1;
    }
}
