package io.daxrmap.index;

import io.daxrmap.model.MappingFlags;
import io.daxrmap.model.Owner;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.Arrays;

/**
 * An atomic batch of mutations, each one a filesystem operation on the mapping.
 * <p>
 * Every operation is checked against the state the batch has built so far and applied to working copies that no
 * reader sees. {@link #commit()} publishes them all at once. An invalid operation throws
 * {@link InvalidMutationException}; the batch is then discarded whole and the index stays exactly as it was.
 * Units are bytes. Owners are {@link Owner} values; flags are {@link MappingFlags#STORED} bits.
 * <p>
 * Operations change mappings byte for byte, as asked: the index holds sub-block records where a filesystem reports
 * them. The block rounding a filesystem applies to a system call is the caller's to apply: truncate(2) to a size
 * inside a block keeps that block mapped (pass {@link #truncate} the size rounded up to the block), a hole punch
 * unmaps only the whole blocks inside its range, and XFS refuses an unaligned FICLONERANGE.
 */
public final class Batch
{
    private final ReverseIndex index;
    private final Snapshot base;
    private final long deviceSize;
    /**
     * This batch's number: the stripes whose working copies it took carry it ({@link MutableStripe#batch}). They stay
     * in the writer's cache, where the batch finds them again, and they are listed here in the order it took them.
     */
    private final long number;
    private final WriterCache cache;
    private final ArrayList<MutableStripe> stripes;
    /**
     * The same for owners' forward maps ({@link MutableExtents#batch}). The lists are the index's, lent to the open
     * batch: the index empties them when it frees the writer (publication, release, abandon), so that no batch starts
     * from another's list, nor grows its own from nothing.
     */
    private final ArrayList<MutableExtents> extents;
    /**
     * The working copies reached last: an operation reaches the same stripe and forward map several times in a row,
     * and one that moves bytes (a CoW remap) goes back and forth between two stripes.
     */
    private MutableStripe lastStripe;
    private MutableStripe previousStripe;
    private MutableExtents lastForward;
    /** The owner whose id was looked up or interned last, and that id (-1 for none yet): ids never change. */
    private long lastOwner;
    private int lastOwnerId = -1;
    private boolean open = true;
    private int operations;

    Batch(
        final ReverseIndex index, final Snapshot base, final long number, final ArrayList<MutableStripe> stripes,
        final ArrayList<MutableExtents> extents)
    {
        this.index = index;
        this.base = base;
        this.deviceSize = base.geometry.size();
        this.number = number;
        this.cache = index.writerCache;
        this.stripes = stripes;
        this.extents = extents;
    }

    /**
     * Map a file range to free device bytes: an allocating write or a preallocation.
     *
     * @param owner        a data or attr fork.
     * @param fileOffset   first file byte.
     * @param deviceOffset first device byte; the device range must be free.
     * @param length       bytes.
     * @param flags        {@link MappingFlags#UNWRITTEN} for a preallocation, else 0.
     * @return this batch.
     */
    public Batch map(final long owner, final long fileOffset, final long deviceOffset, final long length, final int flags)
    {
        begin();
        try
        {
            MutationChecks.checkForked(owner, "map");
            MutationChecks.checkFlags(flags);
            MutationChecks.checkFile(fileOffset, length);
            checkDevice(deviceOffset, length);
            requireFree(owner, deviceOffset, length);
            addMapping(owner, fileOffset, deviceOffset, length, flags);
            return end();
        }
        catch (final RuntimeException | Error ex)
        {
            abort(); // after an Error too: a half-applied operation is never committed
            throw ex;
        }
    }

    /**
     * Insert a record as a filesystem reports it (GETFSMAP, a dump): file data may land on bytes that other file data
     * already holds (sharing); every other owner needs free bytes.
     *
     * @param owner        any owner but {@link Owner#FREE}.
     * @param fileOffset   first file byte; 0 for owners without file offsets.
     * @param deviceOffset first device byte.
     * @param length       bytes.
     * @param flags        {@link MappingFlags#UNWRITTEN} or 0.
     * @return this batch.
     */
    public Batch insert(final long owner, final long fileOffset, final long deviceOffset, final long length, final int flags)
    {
        begin();
        try
        {
            MutationChecks.checkOwner(owner);
            MutationChecks.checkFlags(flags);
            checkDevice(deviceOffset, length);
            if (Owner.hasFileOffset(owner))
            {
                MutationChecks.checkFile(fileOffset, length);
                if (Owner.isFileData(owner))
                {
                    requireShareable(owner, deviceOffset, length);
                }
                else
                {
                    requireFree(owner, deviceOffset, length);
                }
                addMapping(owner, fileOffset, deviceOffset, length, flags);
            }
            else
            {
                if (fileOffset != 0 || flags != 0)
                {
                    throw new InvalidMutationException("owner without file offsets takes fileOffset=0 and flags=0: owner=" +
                        Owner.toString(owner) + " fileOffset=" + fileOffset + " flags=" + flags);
                }
                requireFree(owner, deviceOffset, length);
                applyRef(deviceOffset, deviceOffset + length, internOwner(owner), 0, 0, true);
            }
            return end();
        }
        catch (final RuntimeException | Error ex)
        {
            abort(); // after an Error too: a half-applied operation is never committed
            throw ex;
        }
    }

    /**
     * Allocate device bytes to metadata: a bmbt block or a special owner.
     *
     * @param owner        a bmbt or special owner.
     * @param deviceOffset first device byte; the range must be free.
     * @param length       bytes.
     * @return this batch.
     */
    public Batch allocMetadata(final long owner, final long deviceOffset, final long length)
    {
        begin();
        try
        {
            MutationChecks.checkMetadata(owner, "allocMetadata");
            checkDevice(deviceOffset, length);
            requireFree(owner, deviceOffset, length);
            applyRef(deviceOffset, deviceOffset + length, internOwner(owner), 0, 0, true);
            return end();
        }
        catch (final RuntimeException | Error ex)
        {
            abort(); // after an Error too: a half-applied operation is never committed
            throw ex;
        }
    }

    /**
     * Free device bytes held by metadata.
     *
     * @param owner        a bmbt or special owner that holds every byte of the range.
     * @param deviceOffset first device byte.
     * @param length       bytes.
     * @return this batch.
     */
    public Batch freeMetadata(final long owner, final long deviceOffset, final long length)
    {
        begin();
        try
        {
            MutationChecks.checkMetadata(owner, "freeMetadata");
            checkDevice(deviceOffset, length);
            final int ownerId = ownerId(owner);
            requireOwnedBy(owner, ownerId, deviceOffset, length);
            applyRef(deviceOffset, deviceOffset + length, ownerId, 0, 0, false);
            return end();
        }
        catch (final RuntimeException | Error ex)
        {
            abort(); // after an Error too: a half-applied operation is never committed
            throw ex;
        }
    }

    /**
     * Unmap a file range that is mapped in full: a hole punch.
     *
     * @param owner      a data or attr fork.
     * @param fileOffset first file byte.
     * @param length     bytes; every one must be mapped.
     * @return this batch.
     */
    public Batch unmap(final long owner, final long fileOffset, final long length)
    {
        begin();
        try
        {
            MutationChecks.checkForked(owner, "unmap");
            MutationChecks.checkFile(fileOffset, length);
            requireMapped(owner, fileOffset, length);
            removeMapping(owner, fileOffset, length);
            return end();
        }
        catch (final RuntimeException | Error ex)
        {
            abort(); // after an Error too: a half-applied operation is never committed
            throw ex;
        }
    }

    /**
     * Unmap everything at or past a file size.
     *
     * @param owner a data or attr fork.
     * @param size  the new size in bytes.
     * @return this batch.
     */
    public Batch truncate(final long owner, final long size)
    {
        begin();
        try
        {
            MutationChecks.checkForked(owner, "truncate");
            if (size < 0)
            {
                throw new InvalidMutationException("negative size: owner=" + Owner.toString(owner) + " size=" + size);
            }
            final int ownerId = ownerId(owner);
            if (ownerId >= 0)
            {
                final MutableExtents forward = forward(ownerId, false);
                final long last = forward == null ? -1 : forward.mappedEnd();
                if (last > size)
                {
                    removeMapping(owner, size, last - size);
                }
            }
            return end();
        }
        catch (final RuntimeException | Error ex)
        {
            abort(); // after an Error too: a half-applied operation is never committed
            throw ex;
        }
    }

    /**
     * Share a source file range with a destination (FICLONERANGE): the destination range is unmapped, then maps the
     * source's written bytes; source holes and unwritten bytes become holes, as XFS remaps them.
     *
     * @param source            data fork to share from.
     * @param sourceOffset      first source file byte.
     * @param destination       data fork to share into; may be the source if the ranges do not overlap.
     * @param destinationOffset first destination file byte.
     * @param length            bytes.
     * @return this batch.
     */
    public Batch reflink(
        final long source, final long sourceOffset, final long destination, final long destinationOffset,
        final long length)
    {
        begin();
        try
        {
            checkRemap(source, sourceOffset, destination, destinationOffset, length, "reflink");
            remap(source, sourceOffset, destination, destinationOffset, length);
            return end();
        }
        catch (final RuntimeException | Error ex)
        {
            abort(); // after an Error too: a half-applied operation is never committed
            throw ex;
        }
    }

    /**
     * Deduplicate (FIDEDUPERANGE): like {@link #reflink}, but both ranges must be mapped in full.
     *
     * @param source            data fork to share from.
     * @param sourceOffset      first source file byte.
     * @param destination       data fork whose bytes are replaced.
     * @param destinationOffset first destination file byte.
     * @param length            bytes.
     * @return this batch.
     */
    public Batch dedupe(
        final long source, final long sourceOffset, final long destination, final long destinationOffset,
        final long length)
    {
        begin();
        try
        {
            checkRemap(source, sourceOffset, destination, destinationOffset, length, "dedupe");
            requireMapped(source, sourceOffset, length);
            requireMapped(destination, destinationOffset, length);
            remap(source, sourceOffset, destination, destinationOffset, length);
            return end();
        }
        catch (final RuntimeException | Error ex)
        {
            abort(); // after an Error too: a half-applied operation is never committed
            throw ex;
        }
    }

    /**
     * Copy-on-write remap: a mapped file range moves to new, free device bytes, written. Shared extents split; the
     * other sharers keep the old bytes.
     *
     * @param owner           data fork.
     * @param fileOffset      first file byte.
     * @param length          bytes; every one must be mapped.
     * @param newDeviceOffset first byte of the new device range, which must be free.
     * @return this batch.
     */
    public Batch cowRemap(final long owner, final long fileOffset, final long length, final long newDeviceOffset)
    {
        begin();
        try
        {
            MutationChecks.checkData(owner, "cowRemap");
            MutationChecks.checkFile(fileOffset, length);
            checkDevice(newDeviceOffset, length);
            requireMapped(owner, fileOffset, length);
            requireFree(owner, newDeviceOffset, length);
            removeMapping(owner, fileOffset, length);
            remapRemoved(owner, fileOffset, newDeviceOffset, length, 0);
            return end();
        }
        catch (final RuntimeException | Error ex)
        {
            abort(); // after an Error too: a half-applied operation is never committed
            throw ex;
        }
    }

    /**
     * Mark a mapped file range written (unwritten extent conversion after a write).
     *
     * @param owner      a data or attr fork.
     * @param fileOffset first file byte.
     * @param length     bytes; every one must be mapped.
     * @return this batch.
     */
    public Batch convertUnwritten(final long owner, final long fileOffset, final long length)
    {
        begin();
        try
        {
            MutationChecks.checkForked(owner, "convertUnwritten");
            MutationChecks.checkFile(fileOffset, length);
            requireMapped(owner, fileOffset, length);
            final int ownerId = ownerId(owner);
            final MutableExtents forward = forward(ownerId, true);
            final long fileEnd = fileOffset + length;
            long at = fileOffset;
            while (at < fileEnd)
            {
                final int i = forward.firstEndingAfter(at, fileEnd);
                final long end = i < forward.count ? Math.min(fileEnd, forward.file[i] + forward.length[i]) : at;
                if (end <= at || forward.file[i] > at)
                {
                    // requireMapped saw every byte mapped: only a defect (of the forward map's search, or of an
                    // earlier pass's remap) gets here, and the loop would otherwise spin on it for ever
                    throw new IllegalStateException("forward map has no extent at a byte it holds mapped: owner=" +
                        Owner.toString(owner) + " at=" + at + " range=[" + fileOffset + ", " + fileEnd + ") index=" +
                        i + " count=" + forward.count + (i < forward.count ?
                        " found=[" + forward.file[i] + ", " + (forward.file[i] + forward.length[i]) + ")" : ""));
                }
                if ((forward.flags[i] & MappingFlags.UNWRITTEN) != 0)
                {
                    final long device = forward.device[i] + (at - forward.file[i]);
                    removeMapping(owner, at, end - at);
                    remapRemoved(owner, at, device, end - at, 0);
                }
                at = end;
            }
            return end();
        }
        catch (final RuntimeException | Error ex)
        {
            abort(); // after an Error too: a half-applied operation is never committed
            throw ex;
        }
    }

    /**
     * Publish every operation of this batch at once.
     *
     * @return the version of the new snapshot.
     */
    public long commit()
    {
        if (!open)
        {
            throw new IllegalStateException("batch is not open");
        }
        open = false;
        final long liveBefore = index.liveBytes;
        final int movedBefore = index.movedStripes;
        try
        {
            return write();
        }
        catch (final Throwable ex)
        {
            // an Error too (the off-heap memory refused, say): the writer must not stay claimed by a dead batch, and
            // the next batch must not start from its working copies (they keep this batch's mark, or name blocks no
            // snapshot names; abandon drops those it still owns from the cache)
            index.abandon(this, liveBefore, movedBefore);
            throw ex;
        }
    }

    /**
     * Write the blocks this batch changed and publish the next snapshot.
     */
    private long write()
    {
        final Arena arena = index.arena;
        // what this batch wrote is the cache's before it is published (its stripes were never out of it): a compaction
        // while publishing empties the cache, and a failed publication leaves entries whose blocks no directory names,
        // never taken again
        final LongDirectory.Editor stripeEditor = base.stripes.edit(index.emptyStripe);
        final int stripeCount = stripes.size();
        final int[] stripeIndexes = new int[stripeCount];
        final long[] stripeBlocks = new long[stripeCount];
        for (int s = 0; s < stripeCount; s++)
        {
            final MutableStripe stripe = stripes.get(s);
            stripe.normalize();
            final long old = base.stripes.get(stripe.index);
            if (old != index.emptyStripe)
            {
                // the footprint the stripe kept of the block it came from: that block is not read again
                index.liveBytes -= stripe.blockFootprint;
                if (base.placement.holds(base.slabs, stripe.index, old))
                {
                    index.movedStripes++; // the new block goes where the placement does not look
                }
            }
            final long block;
            if (stripe.count == 1 && stripe.values[0] == PieceValue.EMPTY)
            {
                block = index.emptyStripe;
                stripe.block = block;
            }
            else
            {
                block = stripe.write(arena, index.owners.keys());
                index.liveBytes += stripe.blockFootprint;
            }
            stripeEditor.set(stripe.index, block);
            cache.keepStripe(stripe);
            stripeIndexes[s] = stripe.index;
            stripeBlocks[s] = block;
        }
        final LongDirectory.Editor extentsEditor = base.extents.edit(Snapshot.NO_EXTENTS);
        final int forwardCount = extents.size();
        final int[] ownerIds = new int[forwardCount];
        final long[] ownerBlocks = new long[forwardCount];
        int ownerCount = 0;
        for (int f = 0; f < forwardCount; f++)
        {
            final MutableExtents forward = extents.get(f);
            if (!forward.dirty())
            {
                // only read (a reflink source, a check): its blocks stay as they are
                if (forward.root() != Snapshot.NO_EXTENTS)
                {
                    cache.keepForward(forward);
                }
                else
                {
                    cache.dropForward(forward);
                }
                continue;
            }
            final long old = base.extentsAddress(forward.ownerId);
            final long block = forward.write(arena, index.sharedChunks, null);
            index.liveBytes += forward.writtenBytes() - forward.releasedBytes();
            if (block != Snapshot.NO_EXTENTS)
            {
                forward.rebase(block, arena.slabs());
                cache.keepForward(forward);
            }
            else
            {
                cache.dropForward(forward);
            }
            if (block == Snapshot.NO_EXTENTS && old == Snapshot.NO_EXTENTS)
            {
                continue;
            }
            extentsEditor.set(forward.ownerId, block);
            ownerIds[ownerCount] = forward.ownerId;
            ownerBlocks[ownerCount++] = block;
        }
        final Snapshot next = new Snapshot(
            base.version + 1, base.geometry, base.stripeShift, stripeEditor.build(), extentsEditor.build(),
            arena.slabs(), index.owners.keys(), index.owners.idMap(), index.owners.count(), index.sets.sets(),
            index.sets.firstGroups(), index.sets.count(), base.verifier, base.placement);
        index.publish(this, next, stripeCount, stripeIndexes, stripeBlocks, ownerCount, ownerIds, ownerBlocks);
        return next.version;
    }

    /**
     * Discard this batch; the index stays as it was.
     */
    public void abort()
    {
        if (open)
        {
            open = false;
            index.release(this);
        }
    }

    /**
     * Operations applied so far.
     *
     * @return the count.
     */
    public int operations()
    {
        return operations;
    }

    /**
     * Close a batch that served as a {@link BulkLoad}'s claim on the writer: its work is already published.
     */
    void retire()
    {
        open = false;
    }

    private void begin()
    {
        if (!open)
        {
            throw new IllegalStateException("batch is not open (committed, aborted, or failed)");
        }
    }

    private Batch end()
    {
        operations++;
        return this;
    }

    private void remap(
        final long source, final long sourceOffset, final long destination, final long destinationOffset,
        final long length)
    {
        final int sourceId = ownerId(source);
        final MutableExtents from = sourceId >= 0 ? forward(sourceId, false) : null;
        long[] pieces = new long[0];
        int n = 0;
        if (from != null)
        {
            final long end = sourceOffset + length;
            for (int i = from.firstEndingAfter(sourceOffset, end); i < from.count && from.file[i] < end; i++)
            {
                if ((from.flags[i] & MappingFlags.UNWRITTEN) != 0)
                {
                    continue;
                }
                final long start = Math.max(sourceOffset, from.file[i]);
                final long stop = Math.min(end, from.file[i] + from.length[i]);
                if (n + 3 > pieces.length)
                {
                    pieces = Arrays.copyOf(pieces, Math.max(12, pieces.length * 2));
                }
                pieces[n++] = start - sourceOffset;
                pieces[n++] = from.device[i] + (start - from.file[i]);
                pieces[n++] = stop - start;
            }
        }
        final int destinationId = ownerId(destination);
        if (destinationId >= 0 && forward(destinationId, false) != null)
        {
            removeMapping(destination, destinationOffset, length);
        }
        for (int i = 0; i < n; i += 3)
        {
            addMapping(destination, destinationOffset + pieces[i], pieces[i + 1], pieces[i + 2], 0);
        }
    }

    /**
     * Map a file range of an owner with offsets to a device range whose owners were already checked.
     */
    private void addMapping(
        final long owner, final long fileOffset, final long deviceOffset, final long length, final int flags)
    {
        final int ownerId = internOwner(owner);
        final MutableExtents forward = forward(ownerId, true);
        if (forward.mappedBytes(fileOffset, length) != 0)
        {
            throw new InvalidMutationException("file range already mapped: owner=" + Owner.toString(owner) +
                " fileOffset=" + fileOffset + " length=" + length);
        }
        addRefs(ownerId, forward, fileOffset, deviceOffset, length, flags);
    }

    /**
     * {@link #addMapping} of a file range the caller has just unmapped whole ({@link #removeMapping}): nothing of it
     * can be mapped, so it is not looked for again.
     */
    private void remapRemoved(
        final long owner, final long fileOffset, final long deviceOffset, final long length, final int flags)
    {
        final int ownerId = internOwner(owner);
        addRefs(ownerId, forward(ownerId, true), fileOffset, deviceOffset, length, flags);
    }

    private void addRefs(
        final int ownerId, final MutableExtents forward, final long fileOffset, final long deviceOffset,
        final long length, final int flags)
    {
        applyRef(deviceOffset, deviceOffset + length, ownerId, fileOffset - deviceOffset, flags, true);
        index.betweenReverseAndForward.run();
        forward.add(fileOffset, deviceOffset, length, flags);
    }

    /**
     * Unmap whatever is mapped in a file range of an owner with offsets.
     */
    private void removeMapping(final long owner, final long fileOffset, final long length)
    {
        final int ownerId = ownerId(owner);
        if (ownerId < 0)
        {
            return;
        }
        final MutableExtents forward = forward(ownerId, false);
        if (forward == null)
        {
            return;
        }
        final long end = fileOffset + length;
        for (int i = forward.firstEndingAfter(fileOffset, end); i < forward.count && forward.file[i] < end; i++)
        {
            final long start = Math.max(fileOffset, forward.file[i]);
            final long stop = Math.min(end, forward.file[i] + forward.length[i]);
            final long device = forward.device[i] + (start - forward.file[i]);
            applyRef(device, device + (stop - start), ownerId, forward.file[i] - forward.device[i], forward.flags[i], false);
        }
        forward.remove(fileOffset, length);
    }

    /**
     * Add or remove one reference on every piece of {@code [start, end)}.
     */
    private void applyRef(
        final long start, final long end, final int ownerId, final long delta, final int flags, final boolean add)
    {
        long at = start;
        while (at < end)
        {
            final MutableStripe stripe = stripe((int)(at >>> base.stripeShift));
            final long stop = Math.min(end, stripe.end);
            if (stop <= at)
            {
                // past the device's end no stripe moves the loop on: only a defect (a forward map's extent the
                // device cannot hold, a search that found the wrong one) gets here, which would otherwise spin
                throw new IllegalStateException("reference range past the device's end: start=" + start + " end=" +
                    end + " at=" + at + " ownerId=" + ownerId);
            }
            final int first = stripe.splitAt(at);
            final int last = stripe.splitAt(stop);
            for (int i = first; i < last; i++)
            {
                if (add)
                {
                    addRef(stripe, i, ownerId, delta, flags);
                }
                else
                {
                    removeRef(stripe, i, ownerId, delta, flags);
                }
            }
            at = stop;
        }
    }

    private void addRef(final MutableStripe stripe, final int i, final int ownerId, final long delta, final int flags)
    {
        final int value = stripe.values[i];
        if (PieceValue.isEmpty(value))
        {
            stripe.values[i] = PieceValue.single(ownerId, flags);
            stripe.deltas[i] = delta;
            return;
        }
        final OwnerSetTable table = index.sets;
        final int setId;
        if (PieceValue.isSingle(value))
        {
            final int other = PieceValue.ownerId(value);
            final long otherDelta = stripe.deltas[i];
            final int otherFlags = PieceValue.flags(value);
            if (other == ownerId && otherDelta == delta)
            {
                throw new IllegalStateException("reference already present: ownerId=" + ownerId + " delta=" + delta);
            }
            setId = table.intern(OwnerSet.of(other, otherDelta, otherFlags, ownerId, delta, flags));
        }
        else
        {
            final int from = PieceValue.setId(value);
            final Integer cached = table.cachedTransition(from, ownerId, delta, flags, true);
            if (cached != null)
            {
                setId = cached;
            }
            else
            {
                setId = table.intern(table.get(from).with(ownerId, delta, flags));
                table.cacheTransition(from, ownerId, delta, flags, true, setId);
            }
        }
        stripe.values[i] = PieceValue.shared(setId);
        stripe.deltas[i] = 0;
    }

    private void removeRef(final MutableStripe stripe, final int i, final int ownerId, final long delta, final int flags)
    {
        final int value = stripe.values[i];
        if (PieceValue.isSingle(value) && PieceValue.ownerId(value) == ownerId && stripe.deltas[i] == delta &&
            PieceValue.flags(value) == flags)
        {
            stripe.values[i] = PieceValue.EMPTY;
            stripe.deltas[i] = 0;
            return;
        }
        if (!PieceValue.isShared(value))
        {
            throw new IllegalStateException("reverse map lacks a reference the forward map holds: ownerId=" + ownerId +
                " deviceOffset=" + stripe.pieceStart(i));
        }
        final OwnerSetTable table = index.sets;
        final int from = PieceValue.setId(value);
        final Integer cached = table.cachedTransition(from, ownerId, delta, flags, false);
        if (cached != null && cached >= 0)
        {
            stripe.values[i] = PieceValue.shared(cached);
            stripe.deltas[i] = 0;
            return;
        }
        final OwnerSet rest = table.get(from).without(ownerId, delta, flags);
        if (rest.cardinality() == 1)
        {
            final int other = rest.groupFirst(0);
            stripe.values[i] = PieceValue.single(other, rest.groupFlags(0));
            stripe.deltas[i] = rest.groupDelta(0);
            return;
        }
        final int setId = table.intern(rest);
        table.cacheTransition(from, ownerId, delta, flags, false, setId);
        stripe.values[i] = PieceValue.shared(setId);
        stripe.deltas[i] = 0;
    }

    /**
     * The batch's working copy of a stripe. The first reach of each stripe goes out of line ({@link #takeStripe}), so
     * that this stays small enough for the JIT to inline at every call.
     */
    private MutableStripe stripe(final int stripeIndex)
    {
        final MutableStripe last = lastStripe;
        if (last != null && last.index == stripeIndex)
        {
            return last;
        }
        final MutableStripe previous = previousStripe;
        previousStripe = last;
        if (previous != null && previous.index == stripeIndex)
        {
            return lastStripe = previous;
        }
        final MutableStripe kept = cache.stripe(stripeIndex);
        return lastStripe = kept != null && kept.batch == number ? kept : takeStripe(stripeIndex, kept);
    }

    /**
     * {@link OwnerTable#idOf}, the last owner's id remembered.
     */
    private int ownerId(final long owner)
    {
        if (lastOwnerId >= 0 && owner == lastOwner)
        {
            return lastOwnerId;
        }
        final int id = index.owners.idOf(owner);
        if (id >= 0)
        {
            lastOwner = owner;
            lastOwnerId = id;
        }
        return id;
    }

    /**
     * {@link OwnerTable#intern}, the last owner's id remembered.
     */
    private int internOwner(final long owner)
    {
        if (lastOwnerId >= 0 && owner == lastOwner)
        {
            return lastOwnerId;
        }
        final int id = index.owners.intern(owner);
        lastOwner = owner;
        lastOwnerId = id;
        return id;
    }

    private MutableStripe takeStripe(final int stripeIndex, final MutableStripe kept)
    {
        final MutableStripe stripe = cache.takeStripe(stripeIndex, kept, base.stripeAddress(stripeIndex), base, number);
        stripes.add(stripe);
        return stripe;
    }

    /**
     * The batch's working copy of an owner's forward map, or null if it has none and {@code create} is false; the
     * first reach goes out of line as in {@link #stripe}.
     */
    private MutableExtents forward(final int ownerId, final boolean create)
    {
        final MutableExtents last = lastForward;
        if (last != null && last.ownerId == ownerId)
        {
            return last;
        }
        final MutableExtents kept = cache.forward(ownerId);
        return lastForward = kept != null && kept.batch == number ? kept : takeForward(ownerId, kept, create);
    }

    private MutableExtents takeForward(final int ownerId, final MutableExtents kept, final boolean create)
    {
        final long root = base.extentsAddress(ownerId);
        if (root == Snapshot.NO_EXTENTS && !create)
        {
            return null;
        }
        final MutableExtents forward = cache.takeForward(ownerId, kept, root, base, number);
        extents.add(forward);
        return forward;
    }

    private void requireFree(final long owner, final long deviceOffset, final long length)
    {
        final long end = deviceOffset + length;
        long at = deviceOffset;
        while (at < end)
        {
            final MutableStripe stripe = stripe((int)(at >>> base.stripeShift));
            for (int i = stripe.find(at); i < stripe.count && stripe.pieceStart(i) < end; i++)
            {
                if (!PieceValue.isEmpty(stripe.values[i]))
                {
                    throw new InvalidMutationException("device range not free: owner=" + Owner.toString(owner) +
                        " deviceOffset=" + deviceOffset + " length=" + length + " heldAt=" +
                        Math.max(at, stripe.pieceStart(i)) + " by=" + describe(stripe, i));
                }
            }
            at = stripe.end;
        }
    }

    private void requireShareable(final long owner, final long deviceOffset, final long length)
    {
        final long end = deviceOffset + length;
        long at = deviceOffset;
        while (at < end)
        {
            final MutableStripe stripe = stripe((int)(at >>> base.stripeShift));
            for (int i = stripe.find(at); i < stripe.count && stripe.pieceStart(i) < end; i++)
            {
                final int value = stripe.values[i];
                if (PieceValue.isSingle(value) && !Owner.isFileData(index.owners.key(PieceValue.ownerId(value))))
                {
                    throw new InvalidMutationException("file data cannot share bytes with metadata: owner=" +
                        Owner.toString(owner) + " deviceOffset=" + deviceOffset + " length=" + length + " heldAt=" +
                        Math.max(at, stripe.pieceStart(i)) + " by=" + describe(stripe, i));
                }
            }
            at = stripe.end;
        }
    }

    private void requireOwnedBy(final long owner, final int ownerId, final long deviceOffset, final long length)
    {
        final long end = deviceOffset + length;
        long at = deviceOffset;
        while (at < end)
        {
            final MutableStripe stripe = stripe((int)(at >>> base.stripeShift));
            for (int i = stripe.find(at); i < stripe.count && stripe.pieceStart(i) < end; i++)
            {
                final int value = stripe.values[i];
                if (ownerId < 0 || !PieceValue.isSingle(value) || PieceValue.ownerId(value) != ownerId)
                {
                    throw new InvalidMutationException("device range not held by the owner: owner=" +
                        Owner.toString(owner) + " deviceOffset=" + deviceOffset + " length=" + length + " at=" +
                        Math.max(at, stripe.pieceStart(i)) + " heldBy=" + describe(stripe, i));
                }
            }
            at = stripe.end;
        }
    }

    private void requireMapped(final long owner, final long fileOffset, final long length)
    {
        final int ownerId = ownerId(owner);
        final MutableExtents forward = ownerId >= 0 ? forward(ownerId, false) : null;
        final long mapped = forward == null ? 0 : forward.mappedBytes(fileOffset, length);
        if (mapped != length)
        {
            throw new InvalidMutationException("file range not mapped in full: owner=" + Owner.toString(owner) +
                " fileOffset=" + fileOffset + " length=" + length + " mapped=" + mapped);
        }
    }

    private String describe(final MutableStripe stripe, final int i)
    {
        final int value = stripe.values[i];
        if (PieceValue.isEmpty(value))
        {
            return "free";
        }
        if (PieceValue.isSingle(value))
        {
            return Owner.toString(index.owners.key(PieceValue.ownerId(value)));
        }
        return "share group of " + index.sets.get(PieceValue.setId(value)).cardinality();
    }

    private void checkRemap(
        final long source, final long sourceOffset, final long destination, final long destinationOffset,
        final long length, final String operation)
    {
        MutationChecks.checkData(source, operation);
        MutationChecks.checkData(destination, operation);
        MutationChecks.checkFile(sourceOffset, length);
        MutationChecks.checkFile(destinationOffset, length);
        if (source == destination && sourceOffset < destinationOffset + length && destinationOffset < sourceOffset + length)
        {
            throw new InvalidMutationException(operation + " ranges overlap within one file: owner=" +
                Owner.toString(source) + " sourceOffset=" + sourceOffset + " destinationOffset=" + destinationOffset +
                " length=" + length);
        }
    }

    private void checkDevice(final long deviceOffset, final long length)
    {
        if (deviceOffset < 0 || length <= 0 || deviceOffset + length < 0 || deviceOffset + length > deviceSize)
        {
            throw new InvalidMutationException("bad device range: deviceOffset=" + deviceOffset + " length=" + length +
                " deviceSize=" + deviceSize);
        }
    }
}
