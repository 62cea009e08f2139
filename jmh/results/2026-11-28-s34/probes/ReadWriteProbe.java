package io.daxrmap.index;

import io.daxrmap.model.Pagemap;
import io.daxrmap.testdata.Dataset;

import java.util.Arrays;

/**
 * ReadWhileWriteBenchmark's reader and writer outside JMH, each query timed alone (nanoTime, ~20 ns) and sorted by
 * whether its refresh found a new snapshot: what a reader's tail is made of while a writer commits.
 * Args: dataset [seconds a phase]
 */
public final class ReadWriteProbe
{
    static final long PHYS_BASE = 1L << 40;
    static final int SLOTS = 512;
    static volatile boolean stop;
    static final int EXTRA = Integer.getInteger("extra", 0);
    static Object junk;

    public static void main(final String[] args) throws Exception
    {
        final Dataset data = BenchData.load(args[0]);
        final int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        final ReverseIndex index = data.index();
        final long[] probes = data.mappedOffsets();
        final Pagemap pagemap = new Pagemap(PHYS_BASE, index.geometry().size() + (1 << 21), 0, 4096);
        final long[] owner = new long[SLOTS], file = new long[SLOTS], device = new long[SLOTS], length = new long[SLOTS];
        final IndexReader setup = index.newReader();
        for (int i = 0; i < SLOTS; i++)
        {
            final int at = i;
            setup.scan(probes[probes.length - 1 - i], probes[probes.length - 1 - i], (d, l, o, f, fl) ->
            {
                owner[at] = o; file[at] = f; device[at] = d; length[at] = l;
                return false;
            });
        }
        final IndexReader reader = index.newReader();
        final Sink sink = new Sink();
        for (int round = 0; round < 3; round++)
        {
            phase("idle", reader, sink, probes, pagemap, seconds, null);
            stop = false;
            final long[] batches = new long[1];
            final Thread writer = new Thread(() ->
            {
                int next = 0;
                while (!stop)
                {
                    final Batch batch = index.newBatch();
                    for (int c = 0; c < 16; c++)
                    {
                        final int r = next++ & (SLOTS - 1);
                        batch.unmap(owner[r], file[r], length[r]).map(owner[r], file[r], device[r], length[r], 0);
                    }
                    batch.commit();
                    batches[0]++;
                    for (int k = 0; k < EXTRA; k++)
                    {
                        junk = new long[2300]; // ~18 KB
                    }
                }
                final long bytes = ((com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory
                    .getThreadMXBean()).getCurrentThreadAllocatedBytes();
                System.out.printf("writer allocated %,d B over %,d batches: %,.0f B a batch%n", bytes, batches[0],
                    (double)bytes / batches[0]);
            });
            writer.start();
            phase("writing", reader, sink, probes, pagemap, seconds, batches);
            stop = true;
            writer.join();
        }
        System.out.println("(" + sink.accumulator + ")");
    }

    static void phase(
        final String name, final IndexReader reader, final Sink sink, final long[] probes, final Pagemap pagemap,
        final int seconds, final long[] batches)
    {
        final int cap = 1 << 25;
        final int[] fresh = new int[cap];
        final int[] same = new int[cap];
        int nf = 0, ns = 0;
        int next = 0;
        long version = reader.refresh();
        final long b0 = batches == null ? 0 : batches[0];
        final long end = System.nanoTime() + seconds * 1_000_000_000L;
        long now = System.nanoTime();
        while (now < end && nf < cap && ns < cap)
        {
            final long t0 = now;
            final long v = reader.refresh();
            final long probe = probes[(next++ + (int)(sink.accumulator & 1)) & (probes.length - 1)];
            reader.pageQuery((PHYS_BASE + probe) >>> 12, pagemap, sink);
            now = System.nanoTime();
            final int t = (int)Math.min(Integer.MAX_VALUE, now - t0);
            if (v != version)
            {
                fresh[nf++] = t;
                version = v;
            }
            else
            {
                same[ns++] = t;
            }
        }
        final int[] all = new int[nf + ns];
        System.arraycopy(fresh, 0, all, 0, nf);
        System.arraycopy(same, 0, all, nf, ns);
        System.out.printf("%-8s queries %,d  after a commit %.2f%%  batches %,d%n", name, nf + ns, 100.0 * nf / (nf + ns),
            batches == null ? 0 : batches[0] - b0);
        print("  all", all, all.length);
        if (nf > 0)
        {
            print("  after a commit", fresh, nf);
            print("  same snapshot", same, ns);
        }
    }

    static void print(final String label, final int[] t, final int n)
    {
        final int[] s = Arrays.copyOf(t, n);
        Arrays.sort(s);
        System.out.printf("%-16s p50 %5d  p90 %5d  p99 %5d  p99.9 %6d%n", label, s[n / 2], s[(int)(n * 0.9)],
            s[(int)(n * 0.99)], s[(int)(n * 0.999)]);
    }
}
