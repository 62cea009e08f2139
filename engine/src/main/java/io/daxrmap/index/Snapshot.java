package io.daxrmap.index;

import io.daxrmap.model.DeviceGeometry;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One consistent, immutable state of an index: what a reader sees between two {@code refresh()} calls.
 * <p>
 * Everything a snapshot names is never changed after it is published: stripes and extent lists live in arena
 * blocks the writer only appends, the directories are copied on write, and the owner and set arrays are only
 * appended to beyond what this snapshot can name.
 */
final class Snapshot
{
    static final long NO_EXTENTS = -1;

    final long version;
    final DeviceGeometry geometry;
    final int stripeShift;
    final LongDirectory stripes;
    final LongDirectory extents;
    final UnsafeBuffer[] slabs;
    final long[] ownerKeys;
    final OwnerTable.IdMap ownerIds;
    final int ownerCount;
    final OwnerSet[] sets;
    /** {@link OwnerSetTable#firstGroups()}: group 0 of each set, which most sets are all of. */
    final long[] setFirstGroups;
    final int setCount;
    /** Checks reopened blocks before their first read; null once there is nothing left to check. */
    final BlockVerifier verifier;
    /** Where stripes are expected to lie: a query loads the stripe there while it reads the directory. */
    final StripePlacement placement;

    Snapshot(
        final long version,
        final DeviceGeometry geometry,
        final int stripeShift,
        final LongDirectory stripes,
        final LongDirectory extents,
        final UnsafeBuffer[] slabs,
        final long[] ownerKeys,
        final OwnerTable.IdMap ownerIds,
        final int ownerCount,
        final OwnerSet[] sets,
        final long[] setFirstGroups,
        final int setCount,
        final BlockVerifier verifier,
        final StripePlacement placement)
    {
        this.version = version;
        this.geometry = geometry;
        this.stripeShift = stripeShift;
        this.stripes = stripes;
        this.extents = extents;
        this.slabs = slabs;
        this.ownerKeys = ownerKeys;
        this.ownerIds = ownerIds;
        this.ownerCount = ownerCount;
        this.sets = sets;
        this.setFirstGroups = setFirstGroups;
        this.setCount = setCount;
        this.verifier = verifier != null && !verifier.complete() ? verifier : null;
        this.placement = placement;
    }

    UnsafeBuffer buffer(final long address)
    {
        return slabs[Arena.slab(address)];
    }

    long stripeStart(final int stripe)
    {
        return (long)stripe << stripeShift;
    }

    long stripeEnd(final int stripe)
    {
        return Math.min(geometry.size(), (long)(stripe + 1) << stripeShift);
    }

    int stripeCount()
    {
        return stripes.length();
    }

    /**
     * The id of an owner this snapshot knows, or -1.
     */
    int ownerId(final long owner)
    {
        return ownerIds.get(owner, ownerKeys, ownerCount);
    }

    /**
     * The address of a stripe's block, checked before it is first read.
     *
     * @throws java.io.UncheckedIOException with a {@link CorruptIndexException} cause if the block is damaged.
     */
    long stripeAddress(final int stripe)
    {
        final long address = stripes.get(stripe);
        if (verifier != null)
        {
            verifier.stripe(stripe, address);
        }
        return address;
    }

    /**
     * The forward directory's entry for an owner: its map's root, its lone chunk ({@link ForwardRootDescriptor#LONE}),
     * or {@link #NO_EXTENTS}; the root and its chunks are checked before they are first read.
     *
     * @throws java.io.UncheckedIOException with a {@link CorruptIndexException} cause if a block is damaged.
     */
    long extentsAddress(final int ownerId)
    {
        final long address = ownerId < extents.length() ? extents.get(ownerId) : NO_EXTENTS;
        if (verifier != null && address != NO_EXTENTS)
        {
            verifier.forwardMap(ownerId, address);
        }
        return address;
    }
}
