package io.daxrmap.testdata;

import io.daxrmap.index.Batch;
import io.daxrmap.index.IndexConfig;
import io.daxrmap.index.IndexReader;
import io.daxrmap.index.ReverseIndex;
import io.daxrmap.model.DeviceGeometry;
import io.daxrmap.model.Owner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Deterministic (seeded) device layouts: the same arguments always give the same index.
 * <ul>
 *     <li>{@link #unshared}: a fragmented device of private file extents, each record its own extent;</li>
 *     <li>{@link #cloned}: a golden image of E scattered extents, K full clones, and D copy-on-write divergences
 *     in each clone, as after {@code cp --reflink} of a VM image and some writes in every copy.</li>
 * </ul>
 * Records are counted as XFS's rmapbt would hold them: one per owner and extent, after the engine's own merging.
 */
public final class Datasets
{
    /** Block size of every generated device. */
    public static final int BLOCK_SIZE = 4096;
    /** First inode number handed out. */
    public static final long FIRST_INODE = 128;

    private static final int OPS_PER_BATCH = 8192;
    private static final int PROBES = 1 << 16;
    private static final int MAX_EXTENT_BLOCKS = 16;

    private Datasets()
    {
    }

    /**
     * A fragmented device of private extents: extents of 1..16 blocks with occasional free gaps, each given to a
     * random file of about 64 extents.
     *
     * @param records number of mapping records.
     * @param seed    random seed.
     * @return the dataset.
     */
    public static Dataset unshared(final int records, final long seed)
    {
        try
        {
            return unshared(records, seed, ReverseIndex::create);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * {@link #unshared(int, long)} into a persistent index in a directory.
     *
     * @param records   number of mapping records.
     * @param seed      random seed.
     * @param directory the index directory to create.
     * @return the dataset, its index open for writing.
     * @throws IOException if the index cannot be written.
     */
    public static Dataset unshared(final int records, final long seed, final Path directory) throws IOException
    {
        return unshared(records, seed, config -> ReverseIndex.create(config, directory));
    }

    /**
     * Makes the index a dataset is loaded into.
     */
    public interface IndexFactory
    {
        /**
         * @param config the dataset's geometry and size.
         * @return an empty index.
         * @throws IOException if it cannot be made.
         */
        ReverseIndex create(IndexConfig config) throws IOException;
    }

    private static Dataset unshared(final int records, final long seed, final IndexFactory factory) throws IOException
    {
        final int files = Math.max(1, records / 64);
        final long deviceSize = layUnshared(records, files, seed, null) + BLOCK_SIZE;
        final ReverseIndex index = factory.create(
            new IndexConfig(new DeviceGeometry(0, deviceSize, BLOCK_SIZE), records));
        final long[] starts = new long[records];
        final long[] lengths = new long[records];
        final Loader loader = new Loader(index);
        layUnshared(records, files, seed, (owner, fileOffset, deviceOffset, length, i) ->
        {
            starts[i] = deviceOffset;
            lengths[i] = length;
            loader.batch().map(owner, fileOffset, deviceOffset, length, 0);
            loader.count();
        });
        loader.finish();
        return new Dataset(
            "unshared(records=" + records + ",seed=" + seed + ")", index, countRecords(index, files),
            probes(starts, lengths, records, seed));
    }

    /**
     * A clone-heavy device: one golden file of {@code extents} scattered extents, {@code clones} full reflink
     * clones, and {@code divergences} one-block copy-on-write writes at random offsets of each clone.
     *
     * @param extents     extents in the golden file.
     * @param clones      full clones.
     * @param divergences CoW writes per clone.
     * @param seed        random seed.
     * @return the dataset.
     */
    public static Dataset cloned(final int extents, final int clones, final int divergences, final long seed)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final long[] starts = new long[extents];
        final long[] lengths = new long[extents];
        long position = 0;
        long fileSize = 0;
        for (int e = 0; e < extents; e++)
        {
            position += (1 + random.nextInt(4)) * (long)BLOCK_SIZE;
            starts[e] = position;
            lengths[e] = (1 + random.nextInt(MAX_EXTENT_BLOCKS)) * (long)BLOCK_SIZE;
            position += lengths[e];
            fileSize += lengths[e];
        }
        final long cowArea = position + BLOCK_SIZE;
        final long deviceSize = cowArea + (long)clones * divergences * BLOCK_SIZE + BLOCK_SIZE;
        final long expected = (long)extents * (clones + 1) + 2L * clones * divergences;
        final ReverseIndex index = ReverseIndex.create(
            new IndexConfig(new DeviceGeometry(0, deviceSize, BLOCK_SIZE), expected));
        final Loader loader = new Loader(index);
        final long golden = Owner.data(FIRST_INODE);
        long fileOffset = 0;
        for (int e = 0; e < extents; e++)
        {
            loader.batch().map(golden, fileOffset, starts[e], lengths[e], 0);
            loader.count();
            fileOffset += lengths[e];
        }
        for (int c = 1; c <= clones; c++)
        {
            loader.batch().reflink(golden, 0, Owner.data(FIRST_INODE + c), 0, fileSize);
            loader.count(extents);
        }
        long cow = cowArea;
        final long fileBlocks = fileSize / BLOCK_SIZE;
        for (int c = 1; c <= clones; c++)
        {
            for (int d = 0; d < divergences; d++)
            {
                final long offset = random.nextLong(fileBlocks) * BLOCK_SIZE;
                loader.batch().cowRemap(Owner.data(FIRST_INODE + c), offset, BLOCK_SIZE, cow);
                cow += BLOCK_SIZE;
                loader.count();
            }
        }
        loader.finish();
        return new Dataset(
            "cloned(extents=" + extents + ",clones=" + clones + ",divergences=" + divergences + ",seed=" + seed + ")",
            index, countRecords(index, clones + 1), probes(starts, lengths, extents, seed));
    }

    /**
     * Pick device offsets uniformly over the mapped bytes of the given extents, 64-byte aligned.
     */
    private static long[] probes(final long[] starts, final long[] lengths, final int count, final long seed)
    {
        final SplittableRandom random = new SplittableRandom(seed ^ 0x5DEECE66DL);
        final long[] probes = new long[PROBES];
        for (int i = 0; i < PROBES; i++)
        {
            final int e = random.nextInt(count);
            probes[i] = starts[e] + (random.nextLong(lengths[e]) & -64L);
        }
        return probes;
    }

    private static long countRecords(final ReverseIndex index, final int files)
    {
        final IndexReader reader = index.newReader();
        final long[] count = new long[1];
        for (int f = 0; f < files; f++)
        {
            reader.forward(Owner.data(FIRST_INODE + f), 0, Long.MAX_VALUE >> 1, (fo, d, l, fl) ->
            {
                count[0]++;
                return true;
            });
        }
        return count[0];
    }

    private interface Placement
    {
        void place(long owner, long fileOffset, long deviceOffset, long length, int record);
    }

    /**
     * Lay out the unshared device; with a null placement only measures it.
     *
     * @return the device bytes used.
     */
    private static long layUnshared(final int records, final int files, final long seed, final Placement placement)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final long[] fileNext = new long[files];
        long position = 0;
        int previousFile = -1;
        for (int r = 0; r < records; r++)
        {
            if (random.nextInt(4) == 0)
            {
                position += random.nextInt(1, 8) * (long)BLOCK_SIZE;
            }
            final long length = (1 + random.nextInt(MAX_EXTENT_BLOCKS)) * (long)BLOCK_SIZE;
            final int file = random.nextInt(files);
            if (file == previousFile)
            {
                fileNext[file] += BLOCK_SIZE;
            }
            if (placement != null)
            {
                placement.place(Owner.data(FIRST_INODE + file), fileNext[file], position, length, r);
            }
            fileNext[file] += length;
            position += length;
            previousFile = file;
        }
        return position;
    }

    /**
     * Commits every {@link #OPS_PER_BATCH} operations.
     */
    private static final class Loader
    {
        private final ReverseIndex index;
        private Batch batch;
        private int pending;

        Loader(final ReverseIndex index)
        {
            this.index = index;
        }

        Batch batch()
        {
            if (batch == null)
            {
                batch = index.newBatch();
            }
            return batch;
        }

        void count()
        {
            count(1);
        }

        void count(final int operations)
        {
            pending += operations;
            if (pending >= OPS_PER_BATCH)
            {
                finish();
            }
        }

        void finish()
        {
            if (batch != null)
            {
                batch.commit();
                batch = null;
            }
            pending = 0;
        }
    }
}
