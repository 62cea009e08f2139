package io.daxrmap.index;

import io.daxrmap.index.ReferenceModel.Extent;
import io.daxrmap.model.DeviceGeometry;
import io.daxrmap.model.MappingFlags;
import io.daxrmap.model.Owner;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Forward maps of hundreds of extents, stored as a root and chunks: random punches, writes, truncates, CoW remaps,
 * conversions and reflinks between two fragmented files, checked after every batch against {@link ReferenceModel}
 * (the extents) and against the layout's own rules (chunks non-empty, no larger than
 * {@link ForwardRootDescriptor#CHUNK_EXTENTS} when written, each root entry naming its chunk's first extent, and no
 * two neighbours across a chunk boundary that should have been one extent). {@code -Ddaxrmap.seed=N} replays one
 * seed.
 */
class ChunkedForwardMapTest
{
    private static final long BLOCK = 4096;
    private static final long FILE_BLOCKS = 1024;
    private static final long A = Owner.data(11);
    private static final long B = Owner.data(12);
    private static final long C = Owner.data(13);

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void shouldKeepChunkedMapsEqualToTheModel(final long seed)
    {
        final DeviceGeometry geometry = new DeviceGeometry(0, 64L << 20, (int)BLOCK);
        try (ReverseIndex index = ReverseIndex.create(new IndexConfig(geometry, 4096)))
        {
            run(seed, index, new ReferenceModel(geometry), 300);
        }
    }

    @Test
    void shouldKeepChunkedMapsAcrossCompactionAndReopen(@TempDir final Path directory) throws IOException
    {
        final DeviceGeometry geometry = new DeviceGeometry(0, 64L << 20, (int)BLOCK);
        final ReferenceModel model = new ReferenceModel(geometry);
        try (ReverseIndex index = ReverseIndex.create(new IndexConfig(geometry, 4096), directory.resolve("i")))
        {
            run(42, index, model, 150);
            index.compactNow();
            check(index, model, "after compaction");
            run(43, index, model, 50);
        }
        try (ReverseIndex reopened = ReverseIndex.open(directory.resolve("i")))
        {
            check(reopened, model, "after reopen");
            assertRootWidth(reopened, A, false, "after reopen");
            run(44, reopened, model, 50);
        }
        try (ReverseIndex reopened = ReverseIndex.open(directory.resolve("i")))
        {
            check(reopened, model, "after a second reopen");
        }
    }

    /**
     * File offsets past 2^44 in 4 KiB blocks do not fit a narrow root entry or a narrow extent: the root and chunks are
     * wide, through every kind of rewrite, compaction and reopen; so are the chunks of byte-granular extents longer
     * than 2^24 bytes. The other tests' roots and chunks are narrow.
     */
    @Test
    void shouldKeepWideRootsForFarFileOffsetsAcrossMutationCompactionAndReopen(@TempDir final Path directory)
        throws IOException
    {
        final long far = 1L << 50;
        final DeviceGeometry geometry = new DeviceGeometry(0, 64L << 20, (int)BLOCK);
        final ReferenceModel model = new ReferenceModel(geometry);
        final SplittableRandom rnd = new SplittableRandom(7);
        try (ReverseIndex index = ReverseIndex.create(new IndexConfig(geometry, 4096), directory.resolve("i")))
        {
            final Batch load = index.newBatch();
            for (long b = 0; b < FILE_BLOCKS; b++)
            {
                load.map(A, far + b * BLOCK, 2 * b * BLOCK, BLOCK, 0);
                model.map(A, far + b * BLOCK, 2 * b * BLOCK, BLOCK, 0);
                load.map(B, b * BLOCK, (2 * b + 1) * BLOCK, BLOCK, 0);
                model.map(B, b * BLOCK, (2 * b + 1) * BLOCK, BLOCK, 0);
            }
            // byte-granular extents, one longer than a narrow length holds at that granularity
            load.map(C, 1, 40L << 20, 20L << 20, 0);
            model.map(C, 1, 40L << 20, 20L << 20, 0);
            load.map(C, (20L << 20) + 3, (60L << 20) + 5, 4096, 0);
            model.map(C, (20L << 20) + 3, (60L << 20) + 5, 4096, 0);
            load.commit();
            assertRootWidth(index, A, true, "after load");
            assertRootWidth(index, B, false, "after load");
            // C's 20 MiB extent at byte granularity fits neither narrow nor packed
            assertChunkFormats(index, C, "after load", "wide");
            // A's file offsets, 2^38 blocks, are past a narrow extent's 2^32 too, but its chunks pack (offsets from
            // the chunk's first); B's chunks pack; a last chunk of one or two extents is narrow or wide
            assertChunkFormats(index, A, "after load", "packed", "wide");
            assertChunkFormats(index, B, "after load", "packed", "narrow");
            long free = 2 * FILE_BLOCKS * BLOCK;
            for (int n = 0; n < 80; n++)
            {
                final ReferenceModel before = model.copy();
                final Batch batch = index.newBatch();
                final long at = far + rnd.nextLong(FILE_BLOCKS) * BLOCK;
                final long length = BLOCK * (1 + rnd.nextInt(40));
                final long to = free;
                free += BLOCK;
                // punched after its first 17 MiB: the long extent stays longer than 2^24 bytes
                final long cAt = (17L << 20) + rnd.nextLong(3L << 20);
                final long cLength = 1 + rnd.nextLong(5000);
                final boolean refused = switch (rnd.nextInt(3))
                {
                    case 0 -> both(() -> model.unmap(A, at, length), () -> batch.unmap(A, at, length));
                    case 1 -> both(() -> model.cowRemap(A, at, BLOCK, to), () -> batch.cowRemap(A, at, BLOCK, to));
                    default -> both(() -> model.unmap(C, cAt, cLength), () -> batch.unmap(C, cAt, cLength));
                };
                if (refused)
                {
                    model.restore(before);
                    continue;
                }
                batch.commit();
                checkFar(index, model, far, "batch " + n);
            }
            assertRootWidth(index, A, true, "after the batches");
            checkLiveBytes(index, "after the batches");
            assertRootWidth(index, A, true, "after compaction");
            assertRootWidth(index, B, false, "after compaction");
            checkFar(index, model, far, "after compaction");
        }
        try (ReverseIndex reopened = ReverseIndex.open(directory.resolve("i")))
        {
            assertRootWidth(reopened, A, true, "after reopen");
            assertChunkFormats(reopened, C, "after reopen", "wide", "narrow", "packed");
            checkFar(reopened, model, far, "after reopen");
            reopened.verify();
        }
    }

    private static void checkFar(final ReverseIndex index, final ReferenceModel model, final long far,
        final String context)
    {
        for (final long owner : new long[] {A, B, C})
        {
            final List<Extent> got = new ArrayList<>();
            index.newReader().forward(owner, 0, far * 2, (f, d, l, fl) ->
            {
                got.add(new Extent(f, d, l, fl));
                return true;
            });
            assertEquals(model.forward(owner, 0, far * 2), got, context + " owner=" + Owner.toString(owner));
            checkLayout(index, index.current(), owner, got.size(), context);
        }
    }

    /**
     * The owner's chunks are of the formats listed ("wide", "narrow", "packed"), and some of the first one.
     */
    private static void assertChunkFormats(final ReverseIndex index, final long owner, final String context,
        final String... formats)
    {
        final Snapshot snapshot = index.current();
        final Set<String> seen = new TreeSet<>();
        for (final long chunk : chunkAddresses(snapshot, owner))
        {
            final int header = snapshot.buffer(chunk).getInt(Arena.offset(chunk), ExtentsDescriptor.BYTE_ORDER);
            seen.add((header & ExtentsDescriptor.NARROW) != 0 ? "narrow" :
                (header & ExtentsDescriptor.PACKED) != 0 ? "packed" : "wide");
        }
        final String what = context + ": chunk formats of " + Owner.toString(owner) + " " + seen;
        assertTrue(Set.of(formats).containsAll(seen), what);
        assertTrue(seen.contains(formats[0]), what);
    }

    private static void assertRootWidth(final ReverseIndex index, final long owner, final boolean wide,
        final String context)
    {
        final Snapshot snapshot = index.current();
        final long root = snapshot.extentsAddress(snapshot.ownerId(owner));
        assertTrue(!ForwardRootDescriptor.isLone(root), context + ": " + Owner.toString(owner) + " has a root");
        final int header = snapshot.buffer(root).getInt(Arena.offset(root), ForwardRootDescriptor.BYTE_ORDER);
        assertEquals(wide, (header & ForwardRootDescriptor.NARROW) == 0,
            context + ": root of " + Owner.toString(owner) + " is wide");
    }

    @Test
    void shouldTouchOnlyTheChunksAnOperationReaches()
    {
        final DeviceGeometry geometry = new DeviceGeometry(0, 64L << 20, (int)BLOCK);
        try (ReverseIndex index = ReverseIndex.create(new IndexConfig(geometry, 4096)))
        {
            final Batch load = index.newBatch();
            for (long b = 0; b < FILE_BLOCKS; b++)
            {
                load.map(A, b * BLOCK, 2 * b * BLOCK, BLOCK, 0);
            }
            load.commit();
            final Snapshot before = index.current();
            final long[] chunksBefore = chunkAddresses(before, A);
            assertTrue(chunksBefore.length >= FILE_BLOCKS / ForwardRootDescriptor.CHUNK_EXTENTS,
                "chunks=" + chunksBefore.length);
            checkLayout(index, before, A, (int)FILE_BLOCKS, "after load");

            index.newBatch().unmap(A, 500 * BLOCK, BLOCK).commit();

            final long[] chunksAfter = chunkAddresses(index.current(), A);
            int kept = 0;
            for (final long chunk : chunksAfter)
            {
                for (final long old : chunksBefore)
                {
                    kept += chunk == old ? 1 : 0;
                }
            }
            assertTrue(kept >= chunksBefore.length - 1, "a punch in one chunk rewrites that chunk only: kept=" + kept +
                " of " + chunksBefore.length);
            final long liveBefore = index.liveOffHeapBytes();
            index.newBatch().map(A, 500 * BLOCK, 1000 * BLOCK, BLOCK, 0).commit();
            assertTrue(index.liveOffHeapBytes() - liveBefore < 2 * ExtentsDescriptor.maxLength(ForwardRootDescriptor.CHUNK_EXTENTS) +
                    ForwardRootDescriptor.maxLength(chunksAfter.length + 1) + 1024,
                "live bytes grow by the chunks rewritten, not by the map: delta=" + (index.liveOffHeapBytes() - liveBefore));
        }
    }

    /**
     * A bulk load of a fragmented golden file and its clones, each with a few CoW writes of its own: the clones'
     * roots share every chunk their writes did not change, and the live-byte count the writer keeps through
     * later batches (shared chunks freed only with their last reference) equals the one compaction recounts.
     */
    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void shouldShareClonesChunksAndCountLiveBytesExactly(final long seed)
    {
        final SplittableRandom rnd = new SplittableRandom(seed);
        final DeviceGeometry geometry = new DeviceGeometry(0, 64L << 20, (int)BLOCK);
        final int clones = 20;
        final ReferenceModel model = new ReferenceModel(geometry);
        try (ReverseIndex index = ReverseIndex.create(new IndexConfig(geometry, 4096)))
        {
            final BulkLoad load = index.bulkLoad((int)FILE_BLOCKS * (clones + 1));
            long cow = 4 * FILE_BLOCKS * BLOCK;
            for (int owner = 0; owner <= clones; owner++)
            {
                for (long b = 0; b < FILE_BLOCKS; b++)
                {
                    final boolean diverged = owner > 0 && rnd.nextInt(200) == 0;
                    final long device = diverged ? cow : 2 * b * BLOCK;
                    cow += diverged ? BLOCK : 0;
                    load.add(Owner.data(100 + owner), b * BLOCK, device, BLOCK, 0);
                    model.insert(Owner.data(100 + owner), b * BLOCK, device, BLOCK, 0);
                }
            }
            load.commit();
            final Snapshot loaded = index.current();
            int references = 0;
            final Set<Long> distinct = new HashSet<>();
            for (int owner = 0; owner <= clones; owner++)
            {
                for (final long chunk : chunkAddresses(loaded, Owner.data(100 + owner)))
                {
                    references++;
                    distinct.add(chunk);
                }
            }
            assertTrue(distinct.size() * 4 < references, "clones share their chunks: distinct=" + distinct.size() +
                " references=" + references);
            assertTrue(index.sharedChunks.sharedCount() > 0);
            checkLiveBytes(index, "after the load");
            for (int n = 0; n < 60; n++)
            {
                final ReferenceModel before = model.copy();
                final Batch batch = index.newBatch();
                final long owner = Owner.data(100 + rnd.nextInt(clones + 1));
                final long at = rnd.nextLong(FILE_BLOCKS) * BLOCK;
                final long length = BLOCK * (1 + rnd.nextInt(40));
                final long free = cow + n * BLOCK;
                final boolean refused = switch (rnd.nextInt(3))
                {
                    case 0 -> both(() -> model.unmap(owner, at, length), () -> batch.unmap(owner, at, length));
                    case 1 -> both(() -> model.truncate(owner, at), () -> batch.truncate(owner, at));
                    default -> both(() -> model.cowRemap(owner, at, BLOCK, free), () -> batch.cowRemap(owner, at, BLOCK,
                        free));
                };
                if (refused)
                {
                    model.restore(before);
                    continue;
                }
                batch.commit();
                for (int o = 0; o <= clones; o++)
                {
                    final List<Extent> got = new ArrayList<>();
                    index.newReader().forward(Owner.data(100 + o), 0, Long.MAX_VALUE / 2, (f, d, l, fl) ->
                    {
                        got.add(new Extent(f, d, l, fl));
                        return true;
                    });
                    assertEquals(model.forward(Owner.data(100 + o), 0, Long.MAX_VALUE / 2), got, "batch " + n);
                    checkLayout(index, index.current(), Owner.data(100 + o), got.size(), "batch " + n);
                }
                checkLiveBytes(index, "after batch " + n);
            }
        }
    }

    /**
     * The writer's live-byte count equals a recount: compaction copies exactly the blocks the roots and stripes
     * name, shared chunks once.
     */
    /**
     * The live bytes kept through batches are what a compaction counts anew. That holds for these indexes of one
     * region of stripes, which a {@link StripePlacement.Writer} does not pad; with more, the padding a bulk load laid
     * before stripes that batches moved stays counted, and compaction counts its own.
     */
    private static void checkLiveBytes(final ReverseIndex index, final String context)
    {
        assertTrue(index.current().stripeCount() <= StripePlacement.REGION_STRIPES, context + ": one region");
        final long counted = index.liveOffHeapBytes();
        index.compactNow();
        assertEquals(index.liveOffHeapBytes(), counted, context + ": live bytes counted vs recounted by compaction");
        BulkLoadTest.assertLiveBytesAreTheArenas(index, context + ", compacted");
    }

    private static void run(final long seed, final ReverseIndex index, final ReferenceModel model, final int batches)
    {
        final SplittableRandom rnd = new SplittableRandom(seed);
        final List<String> log = new ArrayList<>();
        if (model.extents(A).isEmpty())
        {
            // two fragmented files on every other device block: no two file neighbours join until an operation moves
            // a block into the gap beside one
            final Batch load = index.newBatch();
            for (long b = 0; b < FILE_BLOCKS; b++)
            {
                load.map(A, b * BLOCK, 2 * b * BLOCK, BLOCK, 0);
                model.map(A, b * BLOCK, 2 * b * BLOCK, BLOCK, 0);
                final long device = (2 * FILE_BLOCKS + 2 * b) * BLOCK;
                final int flags = b % 7 == 0 ? MappingFlags.UNWRITTEN : 0;
                load.map(B, b * BLOCK, device, BLOCK, flags);
                model.map(B, b * BLOCK, device, BLOCK, flags);
            }
            load.commit();
            check(index, model, "seed=" + seed + " after load");
        }
        for (int n = 0; n < batches; n++)
        {
            final ReferenceModel before = model.copy();
            final Batch batch = index.newBatch();
            final int ops = 1 + rnd.nextInt(6);
            boolean refused = false;
            for (int k = 0; k < ops && !refused; k++)
            {
                refused = op(rnd, batch, model, log);
            }
            if (refused)
            {
                model.restore(before);
                log.add("refused");
            }
            else
            {
                batch.commit();
            }
            check(index, model, "seed=" + seed + " batch=" + n + " ops=" + log.subList(Math.max(0, log.size() - 8),
                log.size()));
        }
    }

    /**
     * One random operation on both; whether it was refused (the batch is then discarded), which the model and the
     * engine must agree on.
     */
    private static boolean op(final SplittableRandom rnd, final Batch batch, final ReferenceModel model,
        final List<String> log)
    {
        final long owner = rnd.nextBoolean() ? A : B;
        final long other = owner == A ? B : A;
        final long at = rnd.nextLong(FILE_BLOCKS + 16) * BLOCK;
        final long length = (1 + rnd.nextLong(rnd.nextInt(8) == 0 ? 200 : 6)) * BLOCK;
        final long free = freeBlock(rnd, model);
        final int flags = rnd.nextInt(4) == 0 ? MappingFlags.UNWRITTEN : 0;
        final long to = rnd.nextLong(FILE_BLOCKS + 16) * BLOCK;
        final String o = Owner.toString(owner);
        switch (rnd.nextInt(9))
        {
            case 7, 8 ->
            {
                // move a block into the gap beside its device neighbour, so that it joins its left or right file
                // neighbour: the join may cross a chunk boundary
                final long gap = (2 * (at / BLOCK) + (owner == B ? 2 * FILE_BLOCKS : 0) + (rnd.nextBoolean() ? 1 : -1)) *
                    BLOCK;
                if (gap < 0 || !isFree(model, gap))
                {
                    return false;
                }
                log.add("move(" + o + ", " + at + ", dev " + gap + ")");
                return both(() -> model.unmap(owner, at, BLOCK), () -> batch.unmap(owner, at, BLOCK)) ||
                    both(() -> model.map(owner, at, gap, BLOCK, 0), () -> batch.map(owner, at, gap, BLOCK, 0));
            }
            case 0 ->
            {
                log.add("unmap(" + o + ", " + at + ", " + length + ")");
                return both(() -> model.unmap(owner, at, length), () -> batch.unmap(owner, at, length));
            }
            case 1 ->
            {
                if (free < 0)
                {
                    return false;
                }
                log.add("unmap+map(" + o + ", " + at + ", dev " + free + ", " + flags + ")");
                return both(() -> model.unmap(owner, at, BLOCK), () -> batch.unmap(owner, at, BLOCK)) ||
                    both(() -> model.map(owner, at, free, BLOCK, flags), () -> batch.map(owner, at, free, BLOCK, flags));
            }
            case 2 ->
            {
                final long size = rnd.nextInt(4) == 0 ? to : Math.max(to, (FILE_BLOCKS - 8) * BLOCK);
                log.add("truncate(" + o + ", " + size + ")");
                return both(() -> model.truncate(owner, size), () -> batch.truncate(owner, size));
            }
            case 3 ->
            {
                if (free < 0)
                {
                    return false;
                }
                log.add("cowRemap(" + o + ", " + at + ", dev " + free + ")");
                return both(() -> model.cowRemap(owner, at, BLOCK, free), () -> batch.cowRemap(owner, at, BLOCK, free));
            }
            case 4 ->
            {
                log.add("convertUnwritten(" + o + ", " + at + ", " + length + ")");
                return both(() -> model.convertUnwritten(owner, at, length),
                    () -> batch.convertUnwritten(owner, at, length));
            }
            default ->
            {
                log.add("reflink(" + Owner.toString(other) + ", " + at + ", " + o + ", " + to + ", " + length + ")");
                return both(() -> model.reflink(other, at, owner, to, length),
                    () -> batch.reflink(other, at, owner, to, length));
            }
        }
    }

    /**
     * Apply an operation to the model, then to the engine; both must refuse it or neither.
     *
     * @return whether it was refused.
     */
    private static boolean both(final Runnable model, final Runnable engine)
    {
        boolean modelRefused = false;
        try
        {
            model.run();
        }
        catch (final InvalidMutationException ex)
        {
            modelRefused = true;
        }
        boolean engineRefused = false;
        String why = "";
        try
        {
            engine.run();
        }
        catch (final InvalidMutationException ex)
        {
            engineRefused = true;
            why = ex.getMessage();
        }
        assertEquals(modelRefused, engineRefused, "model and engine disagree on refusing: " + why);
        return engineRefused;
    }

    /**
     * A device block no file maps, or -1.
     */
    private static long freeBlock(final SplittableRandom rnd, final ReferenceModel model)
    {
        for (int tries = 0; tries < 16; tries++)
        {
            final long block = (4 * FILE_BLOCKS + rnd.nextLong(4 * FILE_BLOCKS)) * BLOCK;
            if (isFree(model, block))
            {
                return block;
            }
        }
        return -1;
    }

    private static boolean isFree(final ReferenceModel model, final long block)
    {
        for (final long owner : new long[] {A, B})
        {
            for (final Extent e : model.extents(owner))
            {
                if (e.deviceOffset() < block + BLOCK && e.deviceOffset() + e.length() > block)
                {
                    return false;
                }
            }
        }
        return true;
    }

    private static void check(final ReverseIndex index, final ReferenceModel model, final String context)
    {
        final IndexReader reader = index.newReader();
        for (final long owner : new long[] {A, B})
        {
            final List<Extent> got = new ArrayList<>();
            reader.forward(owner, 0, Long.MAX_VALUE / 2, (f, d, l, fl) ->
            {
                got.add(new Extent(f, d, l, fl));
                return true;
            });
            assertEquals(model.forward(owner, 0, Long.MAX_VALUE / 2), got, context + " owner=" + Owner.toString(owner));
            checkLayout(index, index.current(), owner, got.size(), context);
        }
    }

    /**
     * The root and chunks of an owner obey the layout's rules, and hold {@code extents} extents in all.
     */
    private static void checkLayout(
        final ReverseIndex index, final Snapshot snapshot, final long owner, final int extents, final String context)
    {
        // blocks carry checksums where slab files keep them, and only there
        final boolean sealed = index.persistent();
        final int ownerId = snapshot.ownerId(owner);
        final long root = ownerId < 0 ? Snapshot.NO_EXTENTS : snapshot.extentsAddress(ownerId);
        if (root == Snapshot.NO_EXTENTS)
        {
            assertEquals(0, extents, context);
            return;
        }
        final int chunks = ForwardRootDescriptor.entryChunks(snapshot.slabs, root);
        if (index.arena.loneChunks())
        {
            assertEquals(chunks == 1, ForwardRootDescriptor.isLone(root), context + ": a map of one chunk, and only " +
                "such a map, has no root: chunks=" + chunks);
        }
        if (!ForwardRootDescriptor.isLone(root))
        {
            assertEquals(sealed, ForwardRootDescriptor.intact(snapshot.buffer(root), Arena.offset(root)), context);
        }
        int total = 0;
        long previousEnd = -1;
        long previousDeviceEnd = -1;
        int previousFlags = -1;
        for (int c = 0; c < chunks; c++)
        {
            final long chunk = ForwardRootDescriptor.entryChunk(snapshot.slabs, root, c);
            final UnsafeBuffer buffer = snapshot.buffer(chunk);
            final int offset = Arena.offset(chunk);
            final int count = ExtentsDescriptor.count(buffer, offset);
            assertTrue(count >= 1 && count <= ForwardRootDescriptor.CHUNK_EXTENTS, context + " chunk " + c + " count=" +
                count);
            assertEquals(sealed, ExtentsDescriptor.intact(buffer, offset), context);
            assertEquals(ForwardRootDescriptor.entryFirst(snapshot.slabs, root, c), ExtentsDescriptor.fileOffset(buffer,
                offset, 0), context + " chunk " + c + " first");
            final long file = ExtentsDescriptor.fileOffset(buffer, offset, 0);
            final boolean joinable = file == previousEnd &&
                ExtentsDescriptor.deviceOffset(buffer, offset, 0) == previousDeviceEnd &&
                ExtentsDescriptor.flags(buffer, offset, 0) == previousFlags;
            assertTrue(!joinable, context + " chunk " + c + " starts with the continuation of the chunk before");
            final int last = count - 1;
            previousEnd = ExtentsDescriptor.fileOffset(buffer, offset, last) + ExtentsDescriptor.length(buffer, offset,
                last);
            previousDeviceEnd = ExtentsDescriptor.deviceOffset(buffer, offset, last) +
                ExtentsDescriptor.length(buffer, offset, last);
            previousFlags = ExtentsDescriptor.flags(buffer, offset, last);
            total += count;
        }
        assertEquals(extents, total, context + " extents in chunks");
    }

    private static long[] chunkAddresses(final Snapshot snapshot, final long owner)
    {
        final long root = snapshot.extentsAddress(snapshot.ownerId(owner));
        final int chunks = ForwardRootDescriptor.entryChunks(snapshot.slabs, root);
        final long[] out = new long[chunks];
        for (int c = 0; c < chunks; c++)
        {
            out[c] = ForwardRootDescriptor.entryChunk(snapshot.slabs, root, c);
        }
        return out;
    }

    static LongStream seeds()
    {
        final String replay = System.getProperty("daxrmap.seed");
        if (replay != null && !replay.isEmpty())
        {
            return LongStream.of(Long.parseLong(replay));
        }
        return new SplittableRandom(System.nanoTime()).longs(6);
    }
}
