package io.daxrmap.index;

import io.daxrmap.model.MappingFlags;
import io.daxrmap.model.Owner;
import io.daxrmap.testdata.Captures;
import io.daxrmap.testdata.Dataset;
import io.daxrmap.testdata.Datasets;

import java.util.SplittableRandom;

/**
 * The datasets the benchmarks share, by name: {@code unshared-1e6}, {@code unshared-1e7}, {@code unshared-1e8}
 * (fragmented private files), {@code clones100-1e6} (9,900 golden extents, 100 full clones, 10 CoW divergences per
 * clone), {@code clones1000-1e7} (9,990 extents, 1,000 clones) and {@code clones1000-1e8} (99,900 extents, 1,000
 * clones, the 10^5 x 1000) and {@code capture-1e6} (the real xfs-small capture replayed 1,155 times side by side,
 * {@link Captures}: a filesystem's metadata owners, attr forks, bmbt blocks, shared and unwritten extents). The suffix is
 * the record count as XFS's rmapbt would hold it, roughly.
 * {@code unshared-1e4} and {@code unshared-1e5} are small enough to stay in the caches: a query's cost without its
 * DRAM misses, to set beside the larger sets (not in the suite; pass them with {@code -p dataset=}).
 * <p>
 * {@code unshared-1e7-moved} and {@code unshared-1e8-moved} are those indexes after random batches moved nearly half
 * of the stripes out of the place queries predict them in ({@link #moved}): the layout uniformly random writes leave
 * just before the compaction that lays the stripes out again. The suite runs the page query on
 * {@code unshared-1e8-moved}.
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
            case "capture-1e6" -> Captures.xfsSmall(1_155, 1);
            case "unshared-1e7-moved" -> moved(Datasets.unshared(10_000_000, 1));
            case "unshared-1e8-moved" -> moved(Datasets.unshared(100_000_000, 1));
            default -> throw new IllegalArgumentException("unknown dataset: " + name);
        };
        final long offHeap = data.index().liveOffHeapBytes();
        final long total = data.index().memoryBytes();
        System.out.println();
        System.out.printf("dataset %s = %s: records=%d offHeapBytes=%d memoryBytes=%d bytesPerRecord=%.2f " +
            "built in %.1f s%s%n", name, data.name(), data.records(), offHeap, total, total / (double)data.records(),
            (System.nanoTime() - started) / 1e9, hugePages());
        return data;
    }

    /**
     * How much of the process lies on transparent huge pages, where the kernel says: the index's arenas ask for them,
     * and whether they got them decides a query's TLB misses.
     */
    private static String hugePages()
    {
        try
        {
            for (final String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/smaps_rollup")))
            {
                if (line.startsWith("AnonHugePages:"))
                {
                    return " anonHugePages=" + line.substring("AnonHugePages:".length()).trim().replace(" ", "");
                }
            }
        }
        catch (final java.io.IOException | RuntimeException ex)
        {
            return "";
        }
        return "";
    }

    /**
     * Move stripes out of their place as random writes do between compactions: batches of 256 records picked at random
     * over an unshared device, each punched out of its file and mapped back where it was (so the mappings stay the
     * dataset's), until about 4,000 moves short of half of the stripes that lay in their predicted place, where a
     * commit compacts.
     *
     * @throws IllegalStateException if the index places too few stripes to move, or a compaction came all the same.
     */
    private static Dataset moved(final Dataset data)
    {
        final ReverseIndex index = data.index();
        final IndexReader reader = index.newReader();
        final long size = index.geometry().size();
        final SplittableRandom random = new SplittableRandom(5);
        final long[] record = new long[5];
        final RecordVisitor visitor = (deviceOffset, length, owner, fileOffset, flags) ->
        {
            record[0] = Owner.isFileData(owner) ? owner : 0;
            record[1] = fileOffset;
            record[2] = deviceOffset;
            record[3] = length;
            record[4] = flags;
            return false;
        };
        final int cycles = 256;
        final int placed = index.placedStripes();
        // a record moves the few stripes it spans: 16 a record leaves a batch room
        final int stop = placed / 2 - 16 * cycles;
        if (stop <= 0)
        {
            throw new IllegalStateException("too few stripes placed to move: placed=" + placed);
        }
        long done = 0;
        while (index.movedStripes < stop)
        {
            if (index.compactions() != 0)
            {
                // a compaction lays the stripes out again and starts the count over: this would never end
                throw new IllegalStateException("compacted while moving stripes: cycles=" + done);
            }
            final Batch batch = index.newBatch();
            for (int c = 0; c < cycles; c++)
            {
                record[0] = 0;
                final long at = random.nextLong(size);
                reader.scan(at, at, visitor); // the whole record that holds the byte, as the snapshot has it
                if (record[0] != 0)
                {
                    batch.unmap(record[0], record[1], record[3])
                        .map(record[0], record[1], record[2], record[3], (int)record[4] & MappingFlags.STORED);
                    done++;
                }
            }
            batch.commit();
        }
        if (index.compactions() != 0)
        {
            throw new IllegalStateException("compacted while moving stripes: moved=" + index.movedStripes);
        }
        System.out.printf("%nmoved %d of the %d stripes placed, in %d punch-and-map cycles%n", index.movedStripes,
            placed, done);
        return data;
    }
}
