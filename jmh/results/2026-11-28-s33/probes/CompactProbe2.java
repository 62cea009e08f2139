package io.daxrmap.index;

import io.daxrmap.testdata.Dataset;
import java.nio.file.*;

/** A compaction of a loaded dataset, three times: wall, user and system time of the process, and its page faults. */
public class CompactProbe2
{
    static long[] stat() throws Exception
    {
        final String s = Files.readString(Path.of("/proc/self/stat"));
        final String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
        // fields after the comm: state(0) ... minflt(7) majflt(9) utime(11) stime(12)
        return new long[]{Long.parseLong(f[7]), Long.parseLong(f[11]), Long.parseLong(f[12])};
    }

    public static void main(String[] args) throws Exception
    {
        final Dataset data = BenchData.load(args[0]);
        final int n = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        for (int i = 0; i < n; i++)
        {
            final long[] a = stat();
            final long t0 = System.nanoTime();
            data.index().compactNow();
            final long t1 = System.nanoTime();
            final long[] b = stat();
            System.out.printf("%s compaction %d: %.2f s wall, user %.2f s, sys %.2f s, minor faults %d%n", args[0], i,
                (t1 - t0) / 1e9, (b[1] - a[1]) / 100.0, (b[2] - a[2]) / 100.0, b[0] - a[0]);
            System.gc();
            Thread.sleep(2000);
        }
    }
}
