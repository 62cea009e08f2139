package io.daxrmap.index;

import org.openjdk.jmh.annotations.Fork;

/**
 * The fork every benchmark runs in: one JVM with {@link BenchmarkJvm}'s flags. JMH takes class-level annotations from
 * the superclass, so benchmarks extend this instead of repeating the list.
 */
@Fork(value = 1, jvmArgsAppend = {
    BenchmarkJvm.NO_ANALYTICS, BenchmarkJvm.EXPORT_MISC, BenchmarkJvm.EXPORT_REF, BenchmarkJvm.EXPORT_NIO,
    BenchmarkJvm.EXPORT_UNSAFE, BenchmarkJvm.EXPORT_JAVAC, BenchmarkJvm.OPEN_JAVAC, BenchmarkJvm.OPEN_LANG,
    BenchmarkJvm.OPEN_REFLECT, BenchmarkJvm.OPEN_IO, BenchmarkJvm.OPEN_UTIL, BenchmarkJvm.OPEN_NIO, BenchmarkJvm.HEAP,
    BenchmarkJvm.NO_BOUNDS_CHECKS})
public abstract class ForkedBenchmark
{
}
