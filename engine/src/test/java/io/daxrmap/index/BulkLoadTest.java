package io.daxrmap.index;

import io.daxrmap.index.ReferenceModel.Rec;
import io.daxrmap.index.ReverseIndexPropertyTest.Op;
import io.daxrmap.index.ReverseIndexPropertyTest.Profile;
import io.daxrmap.model.DeviceGeometry;
import io.daxrmap.model.MappingFlags;
import io.daxrmap.model.Owner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bulk loader against two oracles: {@link ReferenceModel} (a state reached by random operations, bulk-loaded from
 * the model's records in random order, must answer every query as the model does) and {@link Batch#insert} (a random
 * record list, conflicts included, is refused by the bulk loader exactly when a batch of inserts refuses it, and
 * otherwise gives the same index).
 */
class BulkLoadTest
{
    private static final String SEED_PROPERTY = "daxrmap.seed";

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void shouldAnswerAsTheModelAfterLoadingItsRecords(final long seed)
    {
        for (final Profile profile : Profile.values())
        {
            final Random rnd = new Random(seed ^ profile.ordinal());
            final DeviceGeometry geometry = new DeviceGeometry(
                1, (64 + rnd.nextInt(400)) * 512L << rnd.nextInt(4), 512 << rnd.nextInt(4));
            final ReferenceModel model = new ReferenceModel(geometry);
            final OpGenerator generator = new OpGenerator(rnd, geometry, profile);
            for (int i = 0; i < 150; i++)
            {
                final ReferenceModel before = model.copy();
                try
                {
                    for (final Op op : generator.next(model))
                    {
                        op.apply(model);
                    }
                }
                catch (final InvalidMutationException ex)
                {
                    model.restore(before);
                }
            }
            final List<Rec> records = new ArrayList<>(model.records());
            if (rnd.nextBoolean())
            {
                Collections.shuffle(records, rnd);
            }
            final ReverseIndex index = ReverseIndex.create(new IndexConfig(geometry, 1 + rnd.nextInt(2000)));
            final BulkLoad load = index.bulkLoad(rnd.nextInt(4));
            for (final Rec r : records)
            {
                load.add(r.owner(), r.fileOffset(), r.deviceOffset(), r.length(), r.flags() & MappingFlags.STORED);
            }
            assertEquals(1, load.commit());
            assertLiveBytesAreTheArenas(index, "seed=" + seed + " profile=" + profile);
            model.countCommit();
            try (DifferentialSession session = new DifferentialSession(index, model))
            {
                session.check(new Random(seed), true);
            }
            catch (final ReverseIndexPropertyTest.Disagreement ex)
            {
                throw new AssertionError("seed=" + seed + " profile=" + profile + ": " + ex.getMessage(), ex);
            }
        }
    }

    /**
     * An index that holds no garbage (just bulk-loaded, or just compacted) counts as live exactly the bytes its arena
     * handed out, alignment included, beside its empty stripe.
     */
    static void assertLiveBytesAreTheArenas(final ReverseIndex index, final String context)
    {
        final long emptyStripe = index.emptyStripe;
        final long empty = Arena.footprint(
            StripeDescriptor.blockLength(index.arena.buffer(emptyStripe), Arena.offset(emptyStripe)));
        assertEquals(index.arena.allocatedBytes(), index.liveOffHeapBytes() + empty,
            context + ": live bytes and the empty stripe are what the arena handed out");
    }

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void shouldRefuseExactlyWhatABatchOfInsertsRefuses(final long seed)
    {
        final SplittableRandom rnd = new SplittableRandom(seed);
        for (int round = 0; round < 25; round++)
        {
            final DeviceGeometry geometry = new DeviceGeometry(0, 64 * 4096, 4096);
            final int n = 1 + rnd.nextInt(12);
            final long[][] records = new long[n][];
            for (int i = 0; i < n; i++)
            {
                final long owner = randomOwner(rnd);
                final long device = rnd.nextInt(60) * 2048L;
                final long length = (1 + rnd.nextInt(6)) * 2048L;
                final boolean forked = Owner.hasFileOffset(owner);
                final long file = forked ? rnd.nextInt(8) * 2048L : 0;
                final int flags = forked && rnd.nextInt(4) == 0 ? MappingFlags.UNWRITTEN : 0;
                records[i] = new long[]{owner, file, device, Math.min(length, geometry.size() - device), flags};
            }
            final ReverseIndex expected = ReverseIndex.create(new IndexConfig(geometry, n));
            final Batch batch = expected.newBatch();
            boolean batchAccepted = true;
            try
            {
                for (final long[] r : records)
                {
                    batch.insert(r[0], r[1], r[2], r[3], (int)r[4]);
                }
                batch.commit();
            }
            catch (final InvalidMutationException ex)
            {
                batchAccepted = false;
            }
            final ReverseIndex actual = ReverseIndex.create(new IndexConfig(geometry, n));
            boolean bulkAccepted = true;
            try
            {
                final BulkLoad load = actual.bulkLoad(n);
                for (final long[] r : records)
                {
                    load.add(r[0], r[1], r[2], r[3], (int)r[4]);
                }
                load.commit();
            }
            catch (final InvalidMutationException ex)
            {
                bulkAccepted = false;
            }
            final String where = "seed=" + seed + " round=" + round + " records=" + describe(records);
            assertEquals(batchAccepted, bulkAccepted, where);
            assertEquals(scan(expected, geometry), scan(actual, geometry), where);
            if (!bulkAccepted)
            {
                // a refused load leaves the index empty and writable
                assertEquals(0, actual.version(), where);
                actual.newBatch().map(Owner.data(999), 0, 0, geometry.size(), 0).commit();
            }
        }
    }

    @Test
    void shouldNameTheRecordsThatConflict()
    {
        final ReverseIndex index = ReverseIndex.create(new IndexConfig(new DeviceGeometry(0, 1 << 20, 4096), 4));
        final BulkLoad load = index.bulkLoad(4)
            .add(Owner.data(131), 0, 8192, 8192, 0)
            .add(Owner.special(Owner.TYPE_XFS, 5), 0, 12288, 4096, 0);
        final InvalidMutationException ex = assertThrows(InvalidMutationException.class, load::commit);
        assertTrue(ex.getMessage().contains("record 1") && ex.getMessage().contains("record 0"), ex.getMessage());
        assertEquals(0, index.version());
        assertThrows(IllegalStateException.class, () -> load.add(Owner.data(1), 0, 0, 4096, 0));
    }

    @Test
    void shouldNameTheRecordThatMapsFileBytesTwice()
    {
        final DeviceGeometry geometry = new DeviceGeometry(0, 1 << 20, 4096);
        // the second of owner 131's records in file order overlaps the first; it came fourth, after owner 132's
        final ReverseIndex index = ReverseIndex.create(new IndexConfig(geometry, 8));
        final InvalidMutationException later = assertThrows(InvalidMutationException.class, () -> index.bulkLoad(4)
            .add(Owner.data(131), 16384, 0, 4096, 0)
            .add(Owner.data(132), 0, 8192, 4096, 0)
            .add(Owner.data(131), 0, 65536, 8192, 0)
            .add(Owner.data(131), 4096, 131072, 4096, 0)
            .commit());
        assertTrue(later.getMessage().startsWith("record 3: file range already mapped: owner=inode_131_data " +
            "fileOffset=4096"), later.getMessage());
        // the same overlap with the records in another order, numbered as a caller numbers them
        final ReverseIndex again = ReverseIndex.create(new IndexConfig(geometry, 8));
        final InvalidMutationException earlier = assertThrows(InvalidMutationException.class, () -> again.bulkLoad(4)
            .numberRecords(position -> 100 + position)
            .add(Owner.data(131), 4096, 131072, 4096, 0)
            .add(Owner.data(132), 0, 8192, 4096, 0)
            .add(Owner.data(131), 0, 65536, 8192, 0)
            .commit());
        assertTrue(earlier.getMessage().startsWith("record 100: file range already mapped"), earlier.getMessage());
        assertTrue(earlier.getMessage().endsWith(" by record 102"), "names the record mapped first: " +
            earlier.getMessage());
    }

    /**
     * Past 2^9 owners the loader copies records to owner order through partitions of owner ids: thousands of owners,
     * records in random order, some bytes shared, must load as batches of inserts build them.
     */
    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void shouldLoadThousandsOfOwnersAsBatchesOfInsertsDo(final long seed)
    {
        final SplittableRandom rnd = new SplittableRandom(seed);
        final DeviceGeometry geometry = new DeviceGeometry(0, 64L << 20, 4096);
        final int owners = 600 + rnd.nextInt(3000);
        final long[] fileNext = new long[owners + 200];
        final List<long[]> records = new ArrayList<>();
        long device = 0;
        while (true)
        {
            device += rnd.nextInt(3) * 4096L;
            final long length = (1 + rnd.nextInt(4)) * 4096L;
            if (device + length > geometry.size())
            {
                break;
            }
            final int file = rnd.nextInt(owners);
            records.add(new long[]{Owner.data(1000 + file), fileNext[file], device, length, rnd.nextInt(5) == 0 ? 1 : 0});
            fileNext[file] += length + rnd.nextInt(2) * 4096L;
            device += length;
        }
        // some extents shared with one of 200 more files, at that file's own offsets
        for (int k = records.size() / 50; k > 0; k--)
        {
            final long[] r = records.get(rnd.nextInt(records.size()));
            final int file = owners + rnd.nextInt(200);
            records.add(new long[]{Owner.data(1000 + file), fileNext[file], r[2], r[3], 0});
            fileNext[file] += r[3];
        }
        final List<Integer> order = new ArrayList<>();
        for (int i = 0; i < records.size(); i++)
        {
            order.add(i);
        }
        Collections.shuffle(order, new Random(seed));
        final ReverseIndex loaded = ReverseIndex.create(new IndexConfig(geometry, records.size()));
        final BulkLoad load = loaded.bulkLoad(records.size());
        final ReverseIndex inserted = ReverseIndex.create(new IndexConfig(geometry, records.size()));
        final Batch batch = inserted.newBatch();
        for (final int i : order)
        {
            final long[] r = records.get(i);
            load.add(r[0], r[1], r[2], r[3], (int)r[4]);
            batch.insert(r[0], r[1], r[2], r[3], (int)r[4]);
        }
        load.commit();
        batch.commit();
        assertTrue(loaded.owners.count() > 1 << 9, "owners: " + loaded.owners.count());
        assertSameMaps(inserted, loaded, 1000, owners + 200, "seed=" + seed);
        assertLiveBytesAreTheArenas(loaded, "seed=" + seed);

        // a file byte mapped twice is still named by the record that maps it the second time
        final long[] twice = records.get(rnd.nextInt(records.size()));
        final ReverseIndex refused = ReverseIndex.create(new IndexConfig(geometry, records.size()));
        final BulkLoad again = refused.bulkLoad(records.size());
        for (final int i : order)
        {
            final long[] r = records.get(i);
            again.add(r[0], r[1], r[2], r[3], (int)r[4]);
        }
        again.add(twice[0], twice[1], geometry.size() - 4096, 4096, 0);
        final InvalidMutationException ex = assertThrows(InvalidMutationException.class, again::commit);
        assertTrue(ex.getMessage().startsWith("record " + records.size() + ": file range already mapped: owner=" +
            Owner.toString(twice[0]) + " fileOffset=" + twice[1] + " "), ex.getMessage());
    }

    /**
     * Past {@link BulkLoad#PROBED_OWNERS} owners the loader stops probing the owner table record by record and sorts
     * the records left by owner: owners first met before the switch and met again after it keep one id.
     */
    @Test
    void shouldInternOwnersPastTheProbedLimitAsBatchesOfInsertsDo()
    {
        final SplittableRandom rnd = new SplittableRandom(7);
        final int owners = BulkLoad.PROBED_OWNERS + 20_000;
        final int records = owners * 2;
        final DeviceGeometry geometry = new DeviceGeometry(0, (long)records * 8192, 4096);
        // each owner's two records at random places: many an owner is met before the switch and again after it
        final int[] ownerOf = new int[records];
        for (int i = 0; i < records; i++)
        {
            ownerOf[i] = i >>> 1;
        }
        for (int i = records - 1; i > 0; i--)
        {
            final int j = rnd.nextInt(i + 1);
            final int t = ownerOf[i];
            ownerOf[i] = ownerOf[j];
            ownerOf[j] = t;
        }
        final long[] fileNext = new long[owners];
        final ReverseIndex loaded = ReverseIndex.create(new IndexConfig(geometry, records));
        final BulkLoad load = loaded.bulkLoad(records);
        final ReverseIndex inserted = ReverseIndex.create(new IndexConfig(geometry, records));
        final Batch batch = inserted.newBatch();
        for (int i = 0; i < records; i++)
        {
            final long owner = Owner.data(1000 + ownerOf[i]);
            final long length = (1 + rnd.nextInt(2)) * 4096L;
            load.add(owner, fileNext[ownerOf[i]], i * 8192L, length, 0);
            batch.insert(owner, fileNext[ownerOf[i]], i * 8192L, length, 0);
            fileNext[ownerOf[i]] += 8192;
        }
        load.commit();
        batch.commit();
        assertEquals(owners, loaded.owners.count());
        assertSameMaps(inserted, loaded, 1000, owners, owners + " owners");
        assertLiveBytesAreTheArenas(loaded, owners + " owners");
    }

    /**
     * The index a load built answers scans and forward lookups as the one batches of inserts built.
     */
    private static void assertSameMaps(
        final ReverseIndex inserted, final ReverseIndex loaded, final long firstInode, final int inodes,
        final String context)
    {
        final long end = inserted.geometry().size() - 1;
        final List<String> expected = new ArrayList<>();
        final List<String> actual = new ArrayList<>();
        inserted.newReader().scan(0, end, (deviceOffset, length, owner, fileOffset, flags) ->
            expected.add(deviceOffset + "+" + length + " " + Owner.toString(owner) + "@" + fileOffset + " " + flags));
        loaded.newReader().scan(0, end, (deviceOffset, length, owner, fileOffset, flags) ->
            actual.add(deviceOffset + "+" + length + " " + Owner.toString(owner) + "@" + fileOffset + " " + flags));
        final IndexReader insertedReader = inserted.newReader();
        final IndexReader loadedReader = loaded.newReader();
        for (int file = 0; file < inodes; file++)
        {
            final long owner = Owner.data(firstInode + file);
            insertedReader.forward(owner, 0, Long.MAX_VALUE >> 2, (f, d, l, flags) ->
                expected.add(Owner.toString(owner) + " " + f + "->" + d + "+" + l + " " + flags));
            loadedReader.forward(owner, 0, Long.MAX_VALUE >> 2, (f, d, l, flags) ->
                actual.add(Owner.toString(owner) + " " + f + "->" + d + "+" + l + " " + flags));
        }
        for (int i = 0; i < Math.min(expected.size(), actual.size()); i++)
        {
            assertEquals(expected.get(i), actual.get(i), context + ": line " + i);
        }
        assertEquals(expected.size(), actual.size(), context);
    }

    @Test
    void shouldReopenABulkLoadedPersistentIndex(@TempDir final Path directory) throws IOException
    {
        final DeviceGeometry geometry = new DeviceGeometry(0, 256 * 4096, 4096);
        final Path path = directory.resolve("index");
        final List<String> loaded;
        try (ReverseIndex index = ReverseIndex.create(new IndexConfig(geometry, 8), path))
        {
            index.bulkLoad(4)
                .add(Owner.data(131), 0, 4096, 8192, 0)
                .add(Owner.data(132), 4096, 4096, 8192, MappingFlags.UNWRITTEN)
                .add(Owner.XFS_INODES, 0, 65536, 16384, 0)
                .add(Owner.attr(131), 0, 131072, 4096, 0)
                .commit();
            loaded = scan(index, geometry);
        }
        try (ReverseIndex reopened = ReverseIndex.open(path))
        {
            assertEquals(1, reopened.version());
            assertEquals(loaded, scan(reopened, geometry));
            assertEquals(List.of(
                "4096+8192 inode_131_data@0 8", "4096+8192 inode_132_data@4096 9", "12288+53248 special_0:1@0 16",
                "65536+16384 special_88:5@0 16", "81920+49152 special_0:1@0 16", "131072+4096 inode_131_attr@0 2"),
                loaded.subList(1, 7));
        }
    }

    /**
     * A bulk load whose buffers do not fit the heap fails, and frees the writer: a child JVM with a small heap asks for
     * buffers of 2^24 records, then commits a batch.
     */
    @Test
    void shouldFreeTheWriterWhenTheBuffersDoNotFit(@TempDir final Path temp) throws Exception
    {
        final Path log = temp.resolve("child.log");
        final List<String> command = ChildJvm.command(List.of("-Xmx32m"), BulkLoadTest.class);
        final Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        final boolean exited = child.waitFor(60, TimeUnit.SECONDS);
        if (!exited)
        {
            child.destroyForcibly();
        }
        final String output = Files.readString(log, StandardCharsets.UTF_8);
        assertTrue(exited, "child still running after 60 s: " + output);
        assertEquals(0, child.exitValue(), output);
        assertTrue(output.contains("out of memory, then committed version 1"), output);
    }

    /**
     * The child of {@link #shouldFreeTheWriterWhenTheBuffersDoNotFit}.
     */
    public static void main(final String[] args)
    {
        final ReverseIndex index = ReverseIndex.create(new IndexConfig(new DeviceGeometry(0, 1 << 20, 4096), 4));
        try
        {
            index.bulkLoad(1 << 24);
            throw new IllegalStateException("buffers of 2^24 records fit a heap of 32 MiB");
        }
        catch (final OutOfMemoryError expected)
        {
            final long version = index.newBatch().map(Owner.data(128), 0, 0, 4096, 0).commit();
            System.out.println("out of memory, then committed version " + version);
        }
    }

    @Test
    void shouldRefuseAnIndexThatIsNotEmpty()
    {
        final ReverseIndex index = ReverseIndex.create(new IndexConfig(new DeviceGeometry(0, 1 << 20, 4096), 4));
        index.newBatch().map(Owner.data(131), 0, 0, 4096, 0).commit();
        assertThrows(IllegalStateException.class, () -> index.bulkLoad(1));
        index.newBatch().unmap(Owner.data(131), 0, 4096).commit();
        index.bulkLoad(1).add(Owner.data(132), 0, 0, 4096, 0).commit();
        assertThrows(IllegalStateException.class, () -> index.bulkLoad(1));
    }

    @Test
    void shouldSortKeysWithTheirPayloadStably()
    {
        // insertion sort, 8-bit digits, 9-bit digits; keys differing in up to 63 bits, or in fewer with common bits
        // above and below them (owner keys, block-aligned device offsets), and payloads of either sign
        for (final int shape : new int[]{0, 1, 2})
        {
            for (final int n : new int[]{20, 1_000, 100_000})
            {
                final SplittableRandom rnd = new SplittableRandom(7 + n + shape);
                final long[] keys = new long[n];
                final int[] payload = new int[n + 3];
                for (int i = 0; i < n; i++)
                {
                    keys[i] = switch (shape)
                    {
                        case 0 -> rnd.nextInt(4) == 0 ? rnd.nextLong(Long.MAX_VALUE) : rnd.nextLong(Math.max(2, n / 100));
                        case 1 -> 5L << 58 | (long)rnd.nextInt(Math.max(2, n / 50)) << 12 | 0x800;
                        default -> 3L << 61 | (rnd.nextInt() & 0xFFFF_FFFFL) << 7 | 0x41;
                    };
                    payload[i + 3] = i - n / 2;
                }
                final long[] original = keys.clone();
                RadixSort.sort(keys, payload, 3, n + 3);
                for (int i = 0; i < n; i++)
                {
                    assertEquals(original[payload[i + 3] + n / 2], keys[i], "shape=" + shape + " n=" + n);
                    if (i > 0)
                    {
                        assertTrue(keys[i - 1] < keys[i] || (keys[i - 1] == keys[i] && payload[i + 2] < payload[i + 3]),
                            "shape=" + shape + " n=" + n + " i=" + i);
                    }
                }
            }
        }
    }

    static LongStream seeds()
    {
        final String replay = System.getProperty(SEED_PROPERTY);
        if (replay != null && !replay.isEmpty())
        {
            return LongStream.of(Long.parseLong(replay));
        }
        return new SplittableRandom(System.nanoTime()).longs(8);
    }

    private static long randomOwner(final SplittableRandom rnd)
    {
        return switch (rnd.nextInt(8))
        {
            case 0 -> Owner.attr(130 + rnd.nextInt(2));
            case 1 -> Owner.special(Owner.TYPE_XFS, 1 + rnd.nextInt(3));
            case 2 -> Owner.dataBmbt(130 + rnd.nextInt(2));
            default -> Owner.data(130 + rnd.nextInt(4));
        };
    }

    private static List<String> scan(final ReverseIndex index, final DeviceGeometry geometry)
    {
        final List<String> out = new ArrayList<>();
        index.newReader().scan(0, geometry.size() - 1, (deviceOffset, length, owner, fileOffset, flags) ->
            out.add(deviceOffset + "+" + length + " " + Owner.toString(owner) + "@" + fileOffset + " " + flags));
        final List<String> forward = new ArrayList<>();
        for (long inode = 130; inode < 134; inode++)
        {
            for (final long owner : new long[]{Owner.data(inode), Owner.attr(inode)})
            {
                index.newReader().forward(owner, 0, Long.MAX_VALUE >> 2, (file, device, length, flags) ->
                    forward.add(Owner.toString(owner) + " " + file + "->" + device + "+" + length + " " + flags));
            }
        }
        out.addAll(forward);
        return out;
    }

    private static String describe(final long[][] records)
    {
        final StringBuilder b = new StringBuilder();
        for (final long[] r : records)
        {
            b.append('[').append(Owner.toString(r[0])).append(" file=").append(r[1]).append(" dev=").append(r[2])
                .append(" len=").append(r[3]).append(" flags=").append(r[4]).append(']');
        }
        return b.toString();
    }
}
