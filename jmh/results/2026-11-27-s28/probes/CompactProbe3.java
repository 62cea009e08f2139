package io.daxrmap.index;

import io.daxrmap.testdata.Dataset;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/** Compactions of a loaded dataset: wall time, and the compacting thread's user and system CPU time. */
public class CompactProbe3
{
    public static void main(String[] args)
    {
        final Dataset data = BenchData.load(args[0]);
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (int i = 0; i < Integer.parseInt(args[1]); i++)
        {
            final long t0 = System.nanoTime();
            final long c0 = threads.getCurrentThreadCpuTime();
            final long u0 = threads.getCurrentThreadUserTime();
            data.index().compactNow();
            final double wall = (System.nanoTime() - t0) / 1e9;
            final double user = (threads.getCurrentThreadUserTime() - u0) / 1e9;
            final double sys = (threads.getCurrentThreadCpuTime() - c0) / 1e9 - user;
            System.out.printf("%s compaction %d: wall %.2f s, user %.2f s, system %.2f s%n", args[0], i, wall, user, sys);
        }
    }
}
