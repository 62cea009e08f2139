package io.daxrmap.index;

import io.daxrmap.testdata.Dataset;
import io.daxrmap.testdata.Datasets;

/**
 * The datasets the benchmarks share, by name: {@code unshared-1e6}, {@code unshared-1e7}, {@code unshared-1e8}
 * (fragmented private files), {@code clones100-1e6} (9,900 golden extents, 100 full clones, 10 CoW divergences per
 * clone), {@code clones1000-1e7} (9,990 extents, 1,000 clones) and {@code clones1000-1e8} (99,900 extents, 1,000
 * clones, the 10^5 x 1000). The suffix is the record count as XFS's rmapbt would hold it, roughly.
 * {@code unshared-1e4} and {@code unshared-1e5} are small enough to stay in the caches: a query's cost without its
 * DRAM misses, to set beside the larger sets (not in the suite; pass them with {@code -p dataset=}).
 */
final class BenchData
{
    private BenchData()
    {
    }

    /**
     * Generate and load a dataset, and print its size and memory.
     *
     * @param name one of the names above.
     * @return the dataset.
     */
    static Dataset load(final String name)
    {
        final long started = System.nanoTime();
        final Dataset data = switch (name)
        {
            case "unshared-1e4" -> Datasets.unshared(10_000, 1);
            case "unshared-1e5" -> Datasets.unshared(100_000, 1);
            case "unshared-1e6" -> Datasets.unshared(1_000_000, 1);
            case "unshared-1e7" -> Datasets.unshared(10_000_000, 1);
            case "unshared-1e8" -> Datasets.unshared(100_000_000, 1);
            case "clones100-1e6" -> Datasets.cloned(9_900, 100, 10, 1);
            case "clones1000-1e7" -> Datasets.cloned(9_990, 1_000, 10, 1);
            case "clones1000-1e8" -> Datasets.cloned(99_900, 1_000, 10, 1);
            default -> throw new IllegalArgumentException("unknown dataset: " + name);
        };
        final long offHeap = data.index().liveOffHeapBytes();
        final long total = data.index().memoryBytes();
        System.out.println();
        System.out.printf("dataset %s = %s: records=%d offHeapBytes=%d memoryBytes=%d bytesPerRecord=%.2f " +
            "built in %.1f s%n", name, data.name(), data.records(), offHeap, total, total / (double)data.records(),
            (System.nanoTime() - started) / 1e9);
        return data;
    }
}
