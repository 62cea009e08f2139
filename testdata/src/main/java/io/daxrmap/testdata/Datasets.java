package io.daxrmap.testdata;

import io.daxrmap.index.Batch;
import io.daxrmap.index.BulkLoad;
import io.daxrmap.index.IndexConfig;
import io.daxrmap.index.IndexReader;
import io.daxrmap.index.ReverseIndex;
import io.daxrmap.model.DeviceGeometry;
import io.daxrmap.model.Owner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

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
    static final int PROBES = 1 << 16;
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
        final Records layout = unsharedRecords(records, seed);
        final ReverseIndex index = factory.create(layout.config());
        layout.load(index);
        return new Dataset(
            "unshared(records=" + records + ",seed=" + seed + ")", index,
            countRecords(index, Math.max(1, records / 64)),
            probes(layout.deviceOffset, layout.length, records, seed));
    }

    /**
     * The records of {@link #unshared(int, long)}, not loaded: what a bulk-load benchmark feeds the engine.
     *
     * @param records number of mapping records.
     * @param seed    random seed.
     * @return the records, in device order.
     */
    public static Records unsharedRecords(final int records, final long seed)
    {
        final int files = Math.max(1, records / 64);
        final long[] owner = new long[records];
        final long[] fileOffset = new long[records];
        final long[] deviceOffset = new long[records];
        final long[] length = new long[records];
        final long used = layUnshared(records, files, seed, (o, f, d, l, i) ->
        {
            owner[i] = o;
            fileOffset[i] = f;
            deviceOffset[i] = d;
            length[i] = l;
        });
        return new Records(used + BLOCK_SIZE, owner, fileOffset, deviceOffset, length, records);
    }

    /**
     * Mapping records as parallel arrays, on a device of the given size; every record is file data, flags 0.
     */
    public static final class Records
    {
        /** Device bytes. */
        public final long deviceSize;
        /** Owner of each record; the arrays may be longer than {@link #count()}. */
        public final long[] owner;
        /** File offset of each record. */
        public final long[] fileOffset;
        /** Device offset of each record. */
        public final long[] deviceOffset;
        /** Bytes of each record. */
        public final long[] length;
        private final int count;

        Records(final long deviceSize, final long[] owner, final long[] fileOffset, final long[] deviceOffset,
            final long[] length, final int count)
        {
            this.count = count;
            this.deviceSize = deviceSize;
            this.owner = owner;
            this.fileOffset = fileOffset;
            this.deviceOffset = deviceOffset;
            this.length = length;
        }

        /**
         * @return the number of records.
         */
        public int count()
        {
            return count;
        }

        /**
         * @return the configuration of an index sized for these records.
         */
        public IndexConfig config()
        {
            return new IndexConfig(new DeviceGeometry(0, deviceSize, BLOCK_SIZE), count());
        }

        /**
         * Bulk-load every record into an empty index.
         *
         * @param index the index.
         */
        public void load(final ReverseIndex index)
        {
            final BulkLoad load = index.bulkLoad(count());
            for (int i = 0; i < count; i++)
            {
                load.add(owner[i], fileOffset[i], deviceOffset[i], length[i], 0);
            }
            load.commit();
        }
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
        final Golden golden = new Golden(extents, seed);
        final Records layout = clonedRecords(golden, clones, divergences);
        final ReverseIndex index = ReverseIndex.create(layout.config());
        layout.load(index);
        return new Dataset(
            "cloned(extents=" + extents + ",clones=" + clones + ",divergences=" + divergences + ",seed=" + seed + ")",
            index, countRecords(index, clones + 1), probes(golden.starts, golden.lengths, extents, seed));
    }

    /**
     * The records of {@link #cloned}, not loaded: the state the operations below leave, computed directly.
     *
     * @param extents     extents in the golden file.
     * @param clones      full clones.
     * @param divergences CoW writes per clone.
     * @param seed        random seed.
     * @return the records.
     */
    public static Records clonedRecords(final int extents, final int clones, final int divergences, final long seed)
    {
        return clonedRecords(new Golden(extents, seed), clones, divergences);
    }

    /**
     * {@link #cloned} the slow way, by the filesystem operations themselves (map, reflink, CoW remap), for tests
     * that check the direct computation against them.
     *
     * @param extents     extents in the golden file.
     * @param clones      full clones.
     * @param divergences CoW writes per clone.
     * @param seed        random seed.
     * @return the index.
     */
    public static ReverseIndex clonedByOperations(
        final int extents, final int clones, final int divergences, final long seed)
    {
        final Golden golden = new Golden(extents, seed);
        final ReverseIndex index = ReverseIndex.create(golden.config(clones, divergences));
        final Loader loader = new Loader(index);
        final long goldenOwner = Owner.data(FIRST_INODE);
        long fileOffset = 0;
        for (int e = 0; e < extents; e++)
        {
            loader.batch().map(goldenOwner, fileOffset, golden.starts[e], golden.lengths[e], 0);
            loader.count();
            fileOffset += golden.lengths[e];
        }
        for (int c = 1; c <= clones; c++)
        {
            loader.batch().reflink(goldenOwner, 0, Owner.data(FIRST_INODE + c), 0, golden.fileSize);
            loader.count(extents);
        }
        long cow = golden.cowArea;
        final long fileBlocks = golden.fileSize / BLOCK_SIZE;
        for (int c = 1; c <= clones; c++)
        {
            for (int d = 0; d < divergences; d++)
            {
                final long offset = golden.random.nextLong(fileBlocks) * BLOCK_SIZE;
                loader.batch().cowRemap(Owner.data(FIRST_INODE + c), offset, BLOCK_SIZE, cow);
                cow += BLOCK_SIZE;
                loader.count();
            }
        }
        loader.finish();
        return index;
    }

    /**
     * The golden file's scattered extents; its random generator goes on to pick the divergences.
     */
    private static final class Golden
    {
        final SplittableRandom random;
        final long[] starts;
        final long[] lengths;
        final long fileSize;
        final long cowArea;

        Golden(final int extents, final long seed)
        {
            random = new SplittableRandom(seed);
            starts = new long[extents];
            lengths = new long[extents];
            long position = 0;
            long size = 0;
            for (int e = 0; e < extents; e++)
            {
                position += (1 + random.nextInt(4)) * (long)BLOCK_SIZE;
                starts[e] = position;
                lengths[e] = (1 + random.nextInt(MAX_EXTENT_BLOCKS)) * (long)BLOCK_SIZE;
                position += lengths[e];
                size += lengths[e];
            }
            fileSize = size;
            cowArea = position + BLOCK_SIZE;
        }

        long deviceSize(final int clones, final int divergences)
        {
            return cowArea + (long)clones * divergences * BLOCK_SIZE + BLOCK_SIZE;
        }

        IndexConfig config(final int clones, final int divergences)
        {
            return new IndexConfig(new DeviceGeometry(0, deviceSize(clones, divergences), BLOCK_SIZE),
                (long)starts.length * (clones + 1) + 2L * clones * divergences);
        }
    }

    private static Records clonedRecords(final Golden golden, final int clones, final int divergences)
    {
        final int extents = golden.starts.length;
        final long estimate = (long)extents * (clones + 1) + 2L * clones * divergences;
        if (estimate > Integer.MAX_VALUE - 16)
        {
            throw new IllegalArgumentException("too many records for one dataset: " + estimate);
        }
        final RecordList out = new RecordList((int)estimate);
        final long[] fileStarts = new long[extents];
        for (int e = 0, f = 0; e < extents; f += golden.lengths[e], e++)
        {
            fileStarts[e] = f;
            out.add(Owner.data(FIRST_INODE), f, golden.starts[e], golden.lengths[e]);
        }
        final long fileBlocks = golden.fileSize / BLOCK_SIZE;
        long cow = golden.cowArea;
        final TreeMap<Long, Long> diverged = new TreeMap<>();
        for (int c = 1; c <= clones; c++)
        {
            final long owner = Owner.data(FIRST_INODE + c);
            diverged.clear();
            for (int d = 0; d < divergences; d++)
            {
                // a block written twice keeps only its last copy
                diverged.put(golden.random.nextLong(fileBlocks) * BLOCK_SIZE, cow);
                cow += BLOCK_SIZE;
            }
            for (int e = 0; e < extents; e++)
            {
                long from = fileStarts[e];
                final long end = from + golden.lengths[e];
                for (final Map.Entry<Long, Long> block : diverged.subMap(from, end).entrySet())
                {
                    if (block.getKey() > from)
                    {
                        out.add(owner, from, golden.starts[e] + (from - fileStarts[e]), block.getKey() - from);
                    }
                    out.add(owner, block.getKey(), block.getValue(), BLOCK_SIZE);
                    from = block.getKey() + BLOCK_SIZE;
                }
                if (end > from)
                {
                    out.add(owner, from, golden.starts[e] + (from - fileStarts[e]), end - from);
                }
            }
        }
        return out.toRecords(golden.deviceSize(clones, divergences));
    }

    /**
     * Growable parallel arrays of file-data records.
     */
    private static final class RecordList
    {
        long[] owner;
        long[] fileOffset;
        long[] deviceOffset;
        long[] length;
        int count;

        RecordList(final int capacity)
        {
            owner = new long[capacity];
            fileOffset = new long[capacity];
            deviceOffset = new long[capacity];
            length = new long[capacity];
        }

        void add(final long o, final long f, final long d, final long l)
        {
            if (count == owner.length)
            {
                final int capacity = (int)Math.min(Integer.MAX_VALUE - 16, count * 2L + 16);
                owner = Arrays.copyOf(owner, capacity);
                fileOffset = Arrays.copyOf(fileOffset, capacity);
                deviceOffset = Arrays.copyOf(deviceOffset, capacity);
                length = Arrays.copyOf(length, capacity);
            }
            owner[count] = o;
            fileOffset[count] = f;
            deviceOffset[count] = d;
            length[count++] = l;
        }

        Records toRecords(final long deviceSize)
        {
            return new Records(deviceSize, owner, fileOffset, deviceOffset, length, count);
        }
    }

    /**
     * Pick device offsets in the given extents, 64-byte aligned: an extent at random, then an offset in it, so that a
     * small extent draws as many probes as a large one ({@link Captures} draws by byte instead).
     */
    static long[] probes(final long[] starts, final long[] lengths, final int count, final long seed)
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
