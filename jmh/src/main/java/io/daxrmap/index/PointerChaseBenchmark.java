package io.daxrmap.index;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
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
 * A single random cycle (Sattolo's algorithm) through an array far larger than the caches: each step loads the
 * next index from the slot the previous step named, so no two loads overlap. The array is on the heap with the
 * JVM's default pages, as the index's off-heap memory is; pass {@code -jvmArgsAppend -XX:+UseTransparentHugePages}
 * to measure with huge pages.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {
    BenchmarkJvm.NO_ANALYTICS, BenchmarkJvm.EXPORT_MISC, BenchmarkJvm.EXPORT_REF, BenchmarkJvm.EXPORT_NIO,
    BenchmarkJvm.EXPORT_UNSAFE, BenchmarkJvm.EXPORT_JAVAC, BenchmarkJvm.OPEN_JAVAC, BenchmarkJvm.OPEN_LANG,
    BenchmarkJvm.OPEN_REFLECT, BenchmarkJvm.OPEN_IO, BenchmarkJvm.OPEN_UTIL, BenchmarkJvm.OPEN_NIO, BenchmarkJvm.HEAP})
public class PointerChaseBenchmark
{
    /** Array size in MiB. */
    @Param({"256"})
    public int mebibytes;

    private int[] next;
    private int position;

    /**
     * Build the cycle.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        final int length = mebibytes << 18;
        next = new int[length];
        for (int i = 0; i < length; i++)
        {
            next[i] = i;
        }
        final SplittableRandom random = new SplittableRandom(42);
        for (int i = length - 1; i > 0; i--)
        {
            final int j = random.nextInt(i);
            final int t = next[i];
            next[i] = next[j];
            next[j] = t;
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
