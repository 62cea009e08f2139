package io.daxrmap.index;

import io.daxrmap.model.DeviceGeometry;
import io.daxrmap.model.Owner;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Stripes written in number order lie where {@link StripePlacement} predicts them, for the stripe directory is the
 * oracle: the address it names must fall in the window a query loads from the prediction. And the layout costs little
 * memory, also where it cannot predict.
 */
class StripePlacementTest
{
    private static final int RECORDS = 200_000;
    private static final long BLOCK = 4096;

    @Test
    void shouldPredictMostStripesOfABulkLoad()
    {
        try (ReverseIndex index = loaded(null))
        {
            assertPredicts(index, 0.85, "bulk load");
            assertPaddingBelow(index, 0.10);
        }
    }

    @Test
    void shouldPredictAgainAfterACompaction()
    {
        try (ReverseIndex index = loaded(null))
        {
            // batches move every stripe they touch out of its place: a tenth of the files punched and mapped back
            final SplittableRandom random = new SplittableRandom(3);
            for (int i = 0; i < 2_000; i++)
            {
                final Batch batch = index.newBatch();
                final int file = random.nextInt(RECORDS / 4);
                final long owner = Owner.data(1000 + file);
                final long device = deviceOf(file);
                batch.unmap(owner, 0, BLOCK).map(owner, 0, device, BLOCK, 0);
                batch.commit();
            }
            final double before = hitRate(index);
            index.compactNow();
            assertPredicts(index, 0.85, "compaction after batches that left " + before);
            assertTrue(before < hitRate(index), "batches moved stripes: " + before);
            BulkLoadTest.assertLiveBytesAreTheArenas(index, "compaction: its padding counted");
        }
    }

    /**
     * A writer that moves stripe after stripe out of its place compacts, and lays them out again, when it has moved
     * more than half of those that were in place: not before, however little garbage it made. A stripe moved again
     * counts once.
     */
    @Test
    void shouldCompactOnceBatchesMovedHalfThePlacedStripes()
    {
        try (ReverseIndex index = loaded(null))
        {
            final Snapshot laid = index.current();
            final boolean[] placed = new boolean[laid.stripeCount()];
            int placedCount = 0;
            for (int s = 0; s < placed.length; s++)
            {
                placed[s] = inWindow(laid, s, laid.stripes.get(s)) && laid.stripes.get(s) != index.emptyStripe;
                placedCount += placed[s] ? 1 : 0;
            }
            // the first region's stripes are not predicted (the writer has no stride for it yet)
            assertTrue(placedCount > 0.8 * placed.length, "placed: " + placedCount + " of " + placed.length);
            final IndexReader reader = index.newReader();
            final int shift = laid.stripeShift;
            int moved = 0;
            // the first placed stripe over and over: moved once
            final int first = StripePlacement.REGION_STRIPES;
            assertTrue(placed[first]);
            for (int i = 0; i < 500; i++)
            {
                moved += moveFirstRecord(index, reader, first, shift) && placed[first] ? 1 : 0;
                placed[first] = false;
            }
            assertEquals(1, moved);
            for (int s = 0; s < placed.length && index.compactions() == 0; s++)
            {
                if (moveFirstRecord(index, reader, s, shift) && placed[s])
                {
                    moved++;
                }
                if (index.compactions() == 0)
                {
                    assertTrue(moved <= placedCount / 2, "moved " + moved + " of " + placedCount + ", no compaction");
                }
            }
            assertEquals(1, index.compactions(), "moved " + moved + " of " + placedCount);
            assertEquals(placedCount / 2 + 1, moved, "the batch that moved one more than half compacted");
            assertPredicts(index, 0.85, "the compaction the moves made due");
            assertTrue(index.arena.allocatedBytes() < ReverseIndex.COMPACTION_SLACK, "not for the garbage");
            // the count starts again from the new layout
            for (int s = 0; s < 100; s++)
            {
                moveFirstRecord(index, reader, StripePlacement.REGION_STRIPES + s, shift);
            }
            assertEquals(1, index.compactions(), "a hundred moves after the compaction");
        }
    }

    /**
     * An index that places fewer stripes than a region's (its first region is never predicted) never compacts for
     * moves: a compaction would place the same few again, and their queries stay cheap.
     */
    @Test
    void shouldNotCompactForMovesWithFewerThanARegionOfStripesPlaced()
    {
        try (ReverseIndex index = loaded(null, 24_000))
        {
            final Snapshot laid = index.current();
            final int placed = index.placedStripes();
            assertTrue(placed > 0 && placed < ReverseIndex.MIN_PLACED_STRIPES,
                "placed " + placed + " of " + laid.stripeCount());
            final IndexReader reader = index.newReader();
            for (int s = 0; s < laid.stripeCount(); s++)
            {
                moveFirstRecord(index, reader, s, laid.stripeShift);
            }
            assertTrue(index.movedStripes > placed / 2, "moved " + index.movedStripes + " of " + placed);
            assertEquals(0, index.compactions());
        }
    }

    /**
     * Unmap and map back the first data record of a stripe, in one batch.
     *
     * @return whether the stripe held one.
     */
    private static boolean moveFirstRecord(
        final ReverseIndex index, final IndexReader reader, final int stripe, final int shift)
    {
        final long[] record = new long[3];
        reader.refresh();
        reader.scan((long)stripe << shift, ((long)(stripe + 1) << shift) - 1, (d, l, o, f, fl) ->
        {
            if (!Owner.isFileData(o) || d < (long)stripe << shift)
            {
                return true;
            }
            record[0] = o;
            record[1] = f;
            record[2] = d;
            return false;
        });
        if (record[0] == 0)
        {
            return false;
        }
        index.newBatch().unmap(record[0], record[1], BLOCK).map(record[0], record[1], record[2], BLOCK, 0).commit();
        return true;
    }

    @Test
    void shouldReadThePlacementBackOnReopen(@TempDir final Path directory) throws IOException
    {
        final long[] predicted;
        try (ReverseIndex index = loaded(directory))
        {
            predicted = predictions(index.current());
            assertPredicts(index, 0.85, "bulk load");
        }
        try (ReverseIndex reopened = ReverseIndex.open(directory))
        {
            final long[] again = predictions(reopened.current());
            assertEquals(predicted.length, again.length);
            for (int s = 0; s < predicted.length; s++)
            {
                assertEquals(predicted[s], again[s], "stripe " + s);
            }
            assertPredicts(reopened, 0.85, "reopen");
        }
    }

    @Test
    void shouldFollowABulkLoadIntoTheEmptyIndex(@TempDir final Path directory) throws IOException
    {
        try (ReverseIndex writer = ReverseIndex.create(config(), directory);
             ReverseIndex follower = ReverseIndex.openReadOnly(directory, ReverseIndex.Follow.OWN_INDEX))
        {
            final IndexReader reader = follower.newReader();
            assertFalse(follower.current().placement.settled(), "nothing placed in the empty index yet");
            fill(writer);
            reader.refresh();
            assertArrayEquals(predictions(writer.current()), predictions(follower.current()));
            assertPredicts(follower, 0.85, "following the bulk load");
            // batches after it keep the follower's placement: no derivation on every refresh
            final StripePlacement placement = follower.current().placement;
            final Batch batch = writer.newBatch();
            batch.unmap(Owner.data(1000), 0, BLOCK).map(Owner.data(1000), 0, deviceOf(0), BLOCK, 0);
            batch.commit();
            reader.refresh();
            assertEquals(writer.version(), follower.version());
            assertSame(placement, follower.current().placement);
        }
    }

    @Test
    void shouldLoadThePredictedLinesOnEverySeek()
    {
        try (ReverseIndex index = loaded(null))
        {
            final Snapshot snapshot = index.current();
            final PieceCursor cursor = new PieceCursor();
            cursor.snapshot(snapshot);
            int loaded = 0;
            for (int s = 0; s < snapshot.stripeCount(); s++)
            {
                cursor.seek(snapshot.stripeStart(s));
                final long predicted = snapshot.placement.predicted(s);
                int expected = 0;
                if (predicted >= 0 && Arena.offset(predicted) <=
                    snapshot.buffer(predicted).capacity() - StripePlacement.WINDOW_LINES * 64)
                {
                    final UnsafeBuffer slab = snapshot.buffer(predicted);
                    for (int line = 0; line < StripePlacement.WINDOW_LINES; line++)
                    {
                        expected += slab.getByte(Arena.offset(predicted) + line * 64);
                    }
                    loaded++;
                }
                assertEquals(expected, cursor.touched, "stripe " + s);
            }
            assertTrue(loaded > snapshot.stripeCount() - 2 * StripePlacement.REGION_STRIPES, "predicted: " + loaded);
        }
    }

    @Test
    void shouldPredictNothingOutsideTheSlabs()
    {
        final Arena arena = new Arena();
        final long empty = arena.allocate(16);
        arena.allocate(100);
        final int stride = 0xFFFC;
        final long marker = arena.allocate(StripePlacement.MARKER_LENGTH + 64);
        arena.buffer(marker).putInt(Arena.offset(marker), StripePlacement.MARKER << 16 | stride);
        final long anchor = marker + StripePlacement.MARKER_LENGTH;
        final int regions = 7;
        final LongDirectory.Editor editor =
            LongDirectory.filled(regions * StripePlacement.REGION_STRIPES, empty).edit(empty);
        // region 1: five empty stripes, then the anchor, whose stride puts stripes 0-4 before the slab and the last
        // ones past its end. The others start with corrupt addresses: negative; past the slab array; in a slot of
        // the array that holds no slab; too close to the slab's start for a marker; an offset with bit 31 set; past
        // the slab's end
        final int capacity = arena.buffer(anchor).capacity();
        final long[] corrupt = {-64, 7L << 32 | 64, 1L << 32 | 64, 2, 0x8000_0000L, capacity + 64L};
        final int[] at = {0, 2, 3, 4, 5, 6};
        for (int i = 0; i < corrupt.length; i++)
        {
            editor.set(at[i] << StripePlacement.REGION_SHIFT, corrupt[i]);
        }
        editor.set(StripePlacement.REGION_STRIPES + 5, anchor);
        final StripePlacement placement =
            StripePlacement.derive(editor.build(), regions * StripePlacement.REGION_STRIPES, empty, arena.slabs());
        for (int s = 0; s < regions * StripePlacement.REGION_STRIPES; s++)
        {
            final long predicted = placement.predicted(s);
            final boolean inRegion1 = s >>> StripePlacement.REGION_SHIFT == 1;
            final int k = (s & (StripePlacement.REGION_STRIPES - 1)) - 5;
            final long offset = Arena.offset(anchor) + (long)k * stride;
            assertEquals(inRegion1 && offset >= 0 ? offset : -1, predicted, "stripe " + s);
            final int touched = placement.touch(arena.slabs(), s);
            final boolean loaded = inRegion1 && offset >= 0 && offset + 5 * 64 <= capacity;
            if (!loaded)
            {
                assertEquals(0, touched, "stripe " + s);
            }
            if (predicted >= 0)
            {
                // a block right where the prediction points counts as placed only if touch loads its lines
                assertEquals(loaded, placement.holds(arena.slabs(), s, predicted), "stripe " + s);
            }
        }
    }

    @Test
    void shouldPadLittleWhereStripesShrinkBelowTheStride()
    {
        final Arena arena = new Arena();
        final StripePlacement.Writer writer = new StripePlacement.Writer(arena);
        long bytes = 0;
        for (int s = 0; s < StripePlacement.REGION_STRIPES; s++)
        {
            writer.allocate(s, 400);
            bytes += 400;
        }
        final long before = writer.padding();
        long small = 0;
        for (int s = StripePlacement.REGION_STRIPES; s < 2 * StripePlacement.REGION_STRIPES; s++)
        {
            writer.allocate(s, 40 + (s & 7) * 4);
            small += 40 + (s & 7) * 4;
        }
        bytes += small;
        final long padded = writer.padding() - before;
        // a quarter of the region's bytes and of eight strides of the region before (428 bytes), and the marker
        assertTrue(padded <= small / 4 + 2 * 428 + StripePlacement.MARKER_LENGTH, "padded " + padded);
        assertEquals(bytes + writer.padding(), arena.allocatedBytes());
    }

    @Test
    void shouldFindThePiecesAlikeWhereTheMarkersLie()
    {
        try (ReverseIndex index = loaded(null))
        {
            final Snapshot snapshot = index.current();
            // every marker forged to a random stride: predictions anywhere in the slabs, up to their ends
            final SplittableRandom random = new SplittableRandom(5);
            for (int r = 1; r < snapshot.stripeCount() >>> StripePlacement.REGION_SHIFT; r++)
            {
                final long anchor = snapshot.stripes.get(r << StripePlacement.REGION_SHIFT);
                if (anchor == index.emptyStripe)
                {
                    continue;
                }
                snapshot.buffer(anchor).putInt(Arena.offset(anchor) - StripePlacement.MARKER_LENGTH,
                    StripePlacement.MARKER << 16 | 4 * (1 + random.nextInt(0x3FFF)));
            }
            final StripePlacement forged =
                StripePlacement.derive(snapshot.stripes, snapshot.stripeCount(), index.emptyStripe, snapshot.slabs);
            final Snapshot mispredicted = new Snapshot(snapshot.version, snapshot.geometry, snapshot.stripeShift,
                snapshot.stripes, snapshot.extents, snapshot.slabs, snapshot.ownerKeys, snapshot.ownerIds,
                snapshot.ownerCount, snapshot.sets, snapshot.setFirstGroups, snapshot.setCount, null, forged);
            final PieceCursor expected = new PieceCursor();
            expected.snapshot(snapshot);
            final PieceCursor actual = new PieceCursor();
            actual.snapshot(mispredicted);
            int predictedOutside = 0;
            for (int s = 0; s < snapshot.stripeCount(); s++)
            {
                final long position = snapshot.stripeStart(s) + random.nextLong(snapshot.stripeEnd(s) -
                    snapshot.stripeStart(s));
                expected.seek(position);
                actual.seek(position);
                assertEquals(expected.start(), actual.start(), "stripe " + s);
                assertEquals(expected.value(), actual.value(), "stripe " + s);
                assertEquals(expected.delta(), actual.delta(), "stripe " + s);
                // what a query loads from the prediction: no read outside the slabs
                forged.touch(snapshot.slabs, s);
                final long predicted = forged.predicted(s);
                if (predicted >= 0 && Arena.offset(predicted) > snapshot.buffer(predicted).capacity())
                {
                    predictedOutside++;
                }
            }
            assertTrue(predictedOutside > 0, "no prediction past a slab's end");
        }
    }

    /**
     * An unshared device: a quarter of the records are files of one 4 KiB extent, three quarters their later
     * extents, with random gaps of free space between.
     */
    private static ReverseIndex loaded(final Path directory)
    {
        return loaded(directory, RECORDS);
    }

    private static ReverseIndex loaded(final Path directory, final int records)
    {
        final ReverseIndex index;
        try
        {
            index = directory == null ? ReverseIndex.create(config(records)) :
                ReverseIndex.create(config(records), directory);
        }
        catch (final IOException ex)
        {
            throw new AssertionError(ex);
        }
        fill(index, records);
        return index;
    }

    private static IndexConfig config()
    {
        return config(RECORDS);
    }

    private static IndexConfig config(final int records)
    {
        return new IndexConfig(new DeviceGeometry(0, deviceOf(records) + (1L << 20), (int)BLOCK), records);
    }

    /**
     * Bulk-load an unshared device: a quarter of the records are files of one 4 KiB extent, three quarters their
     * later extents, with random gaps of free space between.
     */
    private static void fill(final ReverseIndex index)
    {
        fill(index, RECORDS);
    }

    private static void fill(final ReverseIndex index, final int records)
    {
        final BulkLoad load = index.bulkLoad(records);
        final SplittableRandom random = new SplittableRandom(11);
        final long[] fileEnd = new long[records / 4];
        for (int r = 0; r < records; r++)
        {
            final int file = r < records / 4 ? r : random.nextInt(records / 4);
            // a random length, so that stripes hold different numbers of pieces
            final long length = r < records / 4 ? BLOCK : BLOCK * (1 + random.nextInt(3));
            load.add(Owner.data(1000 + file), fileEnd[file] + (r < records / 4 ? 0 : BLOCK), deviceOf(r), length, 0);
            fileEnd[file] += r < records / 4 ? BLOCK : BLOCK + length;
        }
        load.commit();
    }

    /**
     * Record {@code r}'s device offset: four blocks a record, so that records of up to three blocks leave a gap.
     */
    private static long deviceOf(final int r)
    {
        return r * 4 * BLOCK;
    }

    private static long[] predictions(final Snapshot snapshot)
    {
        final long[] predicted = new long[snapshot.stripeCount()];
        for (int s = 0; s < predicted.length; s++)
        {
            predicted[s] = snapshot.placement.predicted(s);
        }
        return predicted;
    }

    private static void assertPredicts(final ReverseIndex index, final double least, final String after)
    {
        final double rate = hitRate(index);
        assertTrue(rate >= least, after + ": " + rate + " of the stripes in their predicted window");
    }

    /**
     * The share of stripes, past the first region (the writer has no stride for it yet), whose header lies in the
     * lines a query loads from the prediction.
     */
    private static double hitRate(final ReverseIndex index)
    {
        final Snapshot snapshot = index.current();
        int stripes = 0;
        int hits = 0;
        for (int s = StripePlacement.REGION_STRIPES; s < snapshot.stripeCount(); s++)
        {
            final long address = snapshot.stripes.get(s);
            if (address == index.emptyStripe)
            {
                continue;
            }
            stripes++;
            if (inWindow(snapshot, s, address))
            {
                hits++;
            }
        }
        assertTrue(stripes > 10 * StripePlacement.REGION_STRIPES, "stripes: " + stripes);
        return (double)hits / stripes;
    }

    /**
     * Whether a stripe's block lies where a query loads it from the prediction: its first line among those loaded.
     */
    private static boolean inWindow(final Snapshot snapshot, final int stripe, final long address)
    {
        final long predicted = snapshot.placement.predicted(stripe);
        final int line = (int)predicted & -64;
        return predicted >= 0 && Arena.slab(address) == Arena.slab(predicted) && Arena.offset(address) >= line &&
            Arena.offset(address) + 64 <= line + StripePlacement.WINDOW_LINES * 64;
    }

    /**
     * The bytes between the first and the last stripe of each region that no stripe takes, against those they take.
     */
    private static void assertPaddingBelow(final ReverseIndex index, final double most)
    {
        final Snapshot snapshot = index.current();
        long taken = 0;
        long spanned = 0;
        for (int r = 0; r < snapshot.stripeCount() >>> StripePlacement.REGION_SHIFT; r++)
        {
            long low = Long.MAX_VALUE;
            long high = -1;
            for (int s = r << StripePlacement.REGION_SHIFT; s < (r + 1) << StripePlacement.REGION_SHIFT; s++)
            {
                final long address = snapshot.stripes.get(s);
                if (address == index.emptyStripe)
                {
                    continue;
                }
                final int footprint =
                    Arena.footprint(StripeDescriptor.blockLength(snapshot.buffer(address), Arena.offset(address)));
                taken += footprint;
                if (Arena.slab(address) == Arena.slab(low == Long.MAX_VALUE ? address : low))
                {
                    low = Math.min(low, address);
                    high = Math.max(high, address + footprint);
                }
            }
            if (high >= 0)
            {
                spanned += high - low;
            }
        }
        assertTrue(spanned <= taken * (1 + most), "stripes span " + spanned + " bytes for " + taken);
    }
}
