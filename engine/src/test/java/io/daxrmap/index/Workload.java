package io.daxrmap.index;

import io.daxrmap.model.DeviceGeometry;
import io.daxrmap.model.Owner;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A deterministic stream of batches that is valid whatever state it meets, so that a process applying batches
 * 1..n and one replaying them reach the same index: batch k rewrites file k mod F into the half of its device
 * region it did not use last, shares it with a clone, copies-on-write part of the clone into free space, and
 * truncates another clone.
 */
final class Workload
{
    static final int BLOCK = 4096;
    static final int FILES = 8;
    static final long REGION = 64L * BLOCK;
    static final DeviceGeometry GEOMETRY = new DeviceGeometry(0, 3 * FILES * REGION, BLOCK);

    private Workload()
    {
    }

    static IndexConfig config()
    {
        return new IndexConfig(GEOMETRY, 512);
    }

    /**
     * Apply batch {@code k} (from 1) in one {@link Batch}.
     */
    static void apply(final ReverseIndex index, final long seed, final long k)
    {
        final SplittableRandom random = new SplittableRandom(seed * 1_000_003 + k);
        final int file = (int)(k % FILES);
        final int pass = (int)((k / FILES) % 2);
        final long length = (1 + random.nextInt(24)) * (long)BLOCK;
        final long owner = Owner.data(100 + file);
        final long clone = Owner.data(200 + file);
        final Batch batch = index.newBatch();
        batch.truncate(clone, 0);
        batch.truncate(owner, 0);
        final boolean unwritten = random.nextInt(4) == 0;
        batch.map(owner, 0, file * REGION + pass * (REGION / 2), length, unwritten ? 1 : 0);
        batch.reflink(owner, 0, clone, 0, length);
        if (!unwritten && random.nextBoolean())
        {
            final long blocks = Math.max(1, length / BLOCK / 2);
            batch.cowRemap(clone, 0, blocks * BLOCK, (2L * FILES + file) * REGION);
        }
        batch.truncate(Owner.data(200 + (file + 3) % FILES), random.nextInt(8) * (long)BLOCK);
        batch.commit();
    }

    /**
     * Apply batches {@code from..to} (inclusive) both to an index and to the in-memory index a test compares it with.
     */
    static void applyBoth(final ReverseIndex index, final ReverseIndex expected, final long seed, final long from,
        final long to)
    {
        for (long k = from; k <= to; k++)
        {
            apply(index, seed, k);
            apply(expected, seed, k);
        }
    }

    /**
     * Create a persistent index in a directory with batches {@code 1..batches}, applied to {@code expected} too.
     */
    static void createWithBatches(final Path directory, final ReverseIndex expected, final long seed,
        final long batches) throws IOException
    {
        try (ReverseIndex index = ReverseIndex.create(config(), directory))
        {
            applyBoth(index, expected, seed, 1, batches);
        }
    }

    /**
     * Every record of the index, in scan order, as text.
     */
    static List<String> scan(final ReverseIndex index)
    {
        return scan(index.newReader());
    }

    /**
     * Every record a reader sees, in scan order, as text.
     */
    static List<String> scan(final IndexReader reader)
    {
        final List<String> records = new ArrayList<>();
        reader.scan(0, Long.MAX_VALUE, (deviceOffset, length, owner, fileOffset, flags) ->
        {
            records.add(deviceOffset + "+" + length + " " + Owner.toString(owner) + "@" + fileOffset + " " + flags);
            return true;
        });
        return records;
    }

    /**
     * Every owner's forward map, owner by owner in the order of the owners' first records, as text: what the index's
     * forward maps say, where {@link #scan} says what its stripes do.
     */
    static List<String> forwardScan(final ReverseIndex index)
    {
        final IndexReader reader = index.newReader();
        final java.util.Set<Long> owners = new java.util.LinkedHashSet<>();
        reader.scan(0, Long.MAX_VALUE, (deviceOffset, length, owner, fileOffset, flags) ->
        {
            if (Owner.hasFileOffset(owner))
            {
                owners.add(owner);
            }
            return true;
        });
        final List<String> extents = new ArrayList<>();
        for (final long owner : owners)
        {
            reader.forward(owner, 0, Long.MAX_VALUE, (fileOffset, deviceOffset, length, flags) ->
            {
                extents.add(Owner.toString(owner) + "@" + fileOffset + "+" + length + " " + deviceOffset + " " + flags);
                return true;
            });
        }
        return extents;
    }
}
