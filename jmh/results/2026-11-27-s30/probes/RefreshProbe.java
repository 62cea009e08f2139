package io.daxrmap.index;

import io.daxrmap.model.Pagemap;
import io.daxrmap.testdata.Dataset;

/**
 * Session 30: why readers' p99 doubles while a writer runs. ReadWhileWriteBenchmark's reader and writer, timed query by
 * query with nanoTime, the reader's latencies split by whether its refresh() found a new snapshot.
 * Phases alternate: idle (writer parked) and writing. Args: dataset cyclesPerBatch phases queriesPerPhase.
 */
public final class RefreshProbe
{
    static final long PHYS_BASE = 1L << 40;
    static final int SLOTS = 512;
    static volatile boolean writing;
    static volatile boolean stop;
    static volatile long commits;
    static volatile long ping;
    static volatile long pong;

    /** Round trips of one line between two threads: ns per one-way hand-over. */
    static double pingPong(final int rounds) throws InterruptedException
    {
        final Thread other = new Thread(() ->
        {
            for (long i = 1; i <= rounds; i++)
            {
                while (ping != i)
                {
                    Thread.onSpinWait();
                }
                pong = i;
            }
        });
        other.start();
        final long started = System.nanoTime();
        for (long i = 1; i <= rounds; i++)
        {
            ping = i;
            while (pong != i)
            {
                Thread.onSpinWait();
            }
        }
        final long took = System.nanoTime() - started;
        other.join();
        ping = 0;
        pong = 0;
        return took / 2.0 / rounds;
    }

    public static void main(final String[] args) throws Exception
    {
        final String name = args.length > 0 ? args[0] : "unshared-1e6";
        final int cycles = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        final int phases = args.length > 2 ? Integer.parseInt(args[2]) : 12;
        final int perPhase = args.length > 3 ? Integer.parseInt(args[3]) : 2_000_000;
        System.out.printf("hand-over before: %.0f ns%n", pingPong(2_000_000));
        final Dataset data = BenchData.load(name);
        final ReverseIndex index = data.index();
        final long[] probes = data.mappedOffsets();
        final Pagemap pagemap = new Pagemap(PHYS_BASE, index.geometry().size() + (1 << 21), 0, 4096);
        final long[] owner = new long[SLOTS], file = new long[SLOTS], device = new long[SLOTS], length = new long[SLOTS];
        final IndexReader scanner = index.newReader();
        for (int i = 0; i < SLOTS; i++)
        {
            final int at = i;
            scanner.scan(probes[probes.length - 1 - i], probes[probes.length - 1 - i], (d, l, o, f, fl) ->
            {
                owner[at] = o; file[at] = f; device[at] = d; length[at] = l;
                return false;
            });
        }
        final Thread writer = new Thread(() ->
        {
            int next = 0;
            long n = 0;
            while (!stop)
            {
                if (!writing)
                {
                    try
                    {
                        Thread.sleep(1);
                    }
                    catch (final InterruptedException ex)
                    {
                        return;
                    }
                    continue;
                }
                final Batch batch = index.newBatch();
                for (int c = 0; c < cycles; c++)
                {
                    final int r = next++ & (SLOTS - 1);
                    batch.unmap(owner[r], file[r], length[r]).map(owner[r], file[r], device[r], length[r], 0);
                }
                batch.commit();
                commits = ++n;
            }
        });
        writer.setDaemon(true);
        writer.start();
        final IndexReader reader = index.newReader();
        final Sink sink = new Sink();
        final int buckets = 20_000;
        // [phase kind][fresh?][ns]
        final long[][][] hist = new long[2][2][buckets];
        final long[][][] refreshHist = new long[2][2][buckets];
        int next = 0;
        long version = reader.refresh();
        for (int p = 0; p < phases; p++)
        {
            final int kind = p & 1;
            Thread.sleep(20);
            final double handOver = pingPong(200_000);
            writing = kind == 1;
            Thread.sleep(50);
            long sameSlow = 0;
            final long c0 = commits;
            final long started = System.nanoTime();
            final boolean record = p >= 2;
            for (int q = 0; q < perPhase; q++)
            {
                final long t0 = System.nanoTime();
                final long v = reader.refresh();
                final long t1 = System.nanoTime();
                final long probe = probes[(next++ + (int)(sink.accumulator & 1)) & (probes.length - 1)];
                reader.pageQuery((PHYS_BASE + probe) >>> 12, pagemap, sink);
                final long t2 = System.nanoTime();
                final int fresh = v != version ? 1 : 0;
                version = v;
                if (record)
                {
                    hist[kind][fresh][(int)Math.min(buckets - 1, t2 - t0)]++;
                    refreshHist[kind][fresh][(int)Math.min(buckets - 1, t1 - t0)]++;
                    if (fresh == 0 && t1 - t0 >= 60)
                    {
                        sameSlow++;
                    }
                }
            }
            final double secs = (System.nanoTime() - started) / 1e9;
            System.out.printf("phase %2d %s: hand-over before %.0f ns, %.2f s, %d commits (%.0f/s), %.2f M queries/s, " +
                "same refreshes >= 60 ns %.3f%%%n", p, kind == 1 ? "writing" : "idle   ", handOver, secs, commits - c0,
                (commits - c0) / secs, perPhase / secs / 1e6, 100.0 * sameSlow / perPhase);
        }
        stop = true;
        writer.join();
        System.out.printf("hand-over after: %.0f ns%n", pingPong(2_000_000));
        for (int kind = 0; kind < 2; kind++)
        {
            final long[] all = new long[buckets];
            long total = 0;
            for (int f = 0; f < 2; f++)
            {
                for (int b = 0; b < buckets; b++)
                {
                    all[b] += hist[kind][f][b];
                    total += hist[kind][f][b];
                }
            }
            System.out.printf("%s all   : n=%d %s%n", kind == 1 ? "writing" : "idle   ", total, pct(all));
            for (int f = 0; f < 2; f++)
            {
                long n = 0;
                for (long x : hist[kind][f]) n += x;
                if (n == 0) continue;
                long slow = 0;
                for (int b = 60; b < buckets; b++) slow += refreshHist[kind][f][b];
                System.out.printf("%s %s: refreshes >= 60 ns: %d (%.4f%% of all queries)%n", kind == 1 ? "writing" : "idle   ",
                    f == 1 ? "fresh" : "same ", slow, 100.0 * slow / total);
                System.out.printf("%s %s: n=%d (%.3f%%) query %s | refresh %s%n", kind == 1 ? "writing" : "idle   ",
                    f == 1 ? "fresh" : "same ", n, 100.0 * n / total, pct(hist[kind][f]), pct(refreshHist[kind][f]));
            }
        }
        System.out.println(sink.accumulator);
    }

    static String pct(final long[] h)
    {
        long n = 0;
        for (long x : h) n += x;
        final double[] ps = {0.5, 0.9, 0.98, 0.99, 0.995, 0.999};
        final StringBuilder out = new StringBuilder();
        long seen = 0;
        int at = 0;
        for (int b = 0; b < h.length && at < ps.length; b++)
        {
            seen += h[b];
            while (at < ps.length && seen >= ps[at] * n)
            {
                out.append(String.format("p%s=%d ", ps[at] * 100, b));
                at++;
            }
        }
        return out.toString();
    }
}
