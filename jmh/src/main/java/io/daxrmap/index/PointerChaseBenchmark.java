package io.daxrmap.index;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * One dependent DRAM miss: the yardstick the query latency targets are ratios to (DESIGN.md section 7).
 * <p>
 * A single random cycle through the cache lines of an array far larger than the caches: each step loads the
 * next index from the slot the previous step named, so no two loads overlap. The array is on the heap with the
 * JVM's default pages, as the index's off-heap memory is; pass {@code -jvmArgsAppend -XX:+UseTransparentHugePages}
 * to measure with huge pages.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class PointerChaseBenchmark extends ForkedBenchmark
{
    /** Array size in MiB: 256 (as the 10^6-10^7 indexes), 4096 (as the 10^8 index, page-table misses included). */
    @Param({"256", "4096"})
    public int mebibytes;

    private static final int NODE_INTS = 16;

    private int[] next;
    private int position;

    /**
     * Build the cycle.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        // one node per 64-byte cache line: every step is a different line, and the shuffle stays short at 4 GiB
        final int length = mebibytes << 18;
        final int nodes = length / NODE_INTS;
        final int[] cycle = new int[nodes];
        for (int i = 0; i < nodes; i++)
        {
            cycle[i] = i;
        }
        final SplittableRandom random = new SplittableRandom(42);
        for (int i = nodes - 1; i > 0; i--)
        {
            final int j = random.nextInt(i);
            final int t = cycle[i];
            cycle[i] = cycle[j];
            cycle[j] = t;
        }
        next = new int[length];
        for (int i = 0; i < nodes; i++)
        {
            next[cycle[i] * NODE_INTS] = cycle[(i + 1) % nodes] * NODE_INTS;
        }
    }

    /**
     * One dependent load.
     *
     * @return the index loaded, so the chain is not eliminated.
     */
    @Benchmark
    public int dependentMiss()
    {
        position = next[position];
        return position;
    }
}
