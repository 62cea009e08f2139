package io.daxrmap.index;

import io.daxrmap.model.Owner;
import org.roaringbitmap.RoaringBitmap;

import java.util.Arrays;
import java.util.function.IntFunction;
import java.util.function.IntUnaryOperator;

/**
 * Loads a whole device's records into an empty index in one sorted sweep: the way to build an index from a
 * filesystem's reverse map (GETFSMAP, a dump) or a generated dataset, far faster than a batch of inserts.
 * <p>
 * The records have the meaning of {@link Batch#insert}: file data may share device bytes with other file data; every
 * other owner needs bytes of its own; no owner maps a file byte twice. They may come in any order (device order is
 * fastest). {@link #commit()} sorts them by device offset, sweeps the device once cutting it into pieces, interns
 * each set of sharers once, writes every stripe and forward map, and publishes the result as one batch; an invalid
 * record throws {@link InvalidMutationException} naming it, and the index stays empty. The index must be empty, and no
 * batch can be open while a bulk load is.
 */
public final class BulkLoad
{
    private static final long INFINITY = Long.MAX_VALUE;
    /** A record's flags byte also says whether its owner has file offsets ... */
    private static final int FORKED = 0x40;
    /** ... and whether it is file data, so the sweep never looks the owner up. */
    private static final int DATA = 0x80;
    private static final int STORED_MASK = 0x3F;

    private final ReverseIndex index;
    private final Batch token;
    private final Snapshot base;
    private final long deviceSize;
    private boolean open = true;
    private IntFunction<String> recordName = position -> "record " + position;
    private int count;
    private long[] device;
    private long[] length;
    private long[] file;
    private long[] owner;
    private int[] ownerId;
    private byte[] flags;
    /**
     * Fields of a record copied out in owner order: file offset, device offset, length and flags. Not its number: an
     * owner's records are copied out in the order they came, so an error message finds it again by counting.
     */
    private static final int BY_OWNER_FIELDS = 3;
    /** The most records one bulk load takes: their fields in owner order fill one array. */
    static final int MAX_RECORDS = Integer.MAX_VALUE / BY_OWNER_FIELDS - 16;
    /** Owner-order copies first partition records by this many high bits of their owner ids. */
    private static final int PARTITION_BITS = 9;
    /**
     * Owners the table may hold while records still probe it one by one: its slots (12 bytes, at most two thirds
     * full) then take 3 MiB. Measured on this machine kind (one JVM, alternated): probing took 0.41 x the time of
     * sorting 10^6 records of 15,625 owners and 0.70 x for 10^7 of 156,250, but 1.44 x for 10^8 of 1,562,500,
     * where every probe misses the cache.
     */
    static final int PROBED_OWNERS = 160_000;
    /** One bit per record: the sweep found it sharing bytes with another record. */
    private long[] sharing;

    BulkLoad(final ReverseIndex index, final Batch token, final Snapshot base, final int expectedRecords)
    {
        this.index = index;
        this.token = token;
        this.base = base;
        this.deviceSize = base.geometry.size();
        final int capacity = Math.max(16, Math.min(MAX_RECORDS, expectedRecords));
        device = new long[capacity];
        length = new long[capacity];
        file = new long[capacity];
        owner = new long[capacity];
        flags = new byte[capacity];
    }

    /**
     * Add a record as a filesystem reports it.
     *
     * @param owner        any owner but {@link Owner#FREE}.
     * @param fileOffset   first file byte; 0 for owners without file offsets.
     * @param deviceOffset first device byte.
     * @param length       bytes.
     * @param flags        {@link io.daxrmap.model.MappingFlags#UNWRITTEN} or 0.
     * @return this bulk load.
     * @throws InvalidMutationException if the record is invalid on its own; the load is then aborted.
     */
    public BulkLoad add(final long owner, final long fileOffset, final long deviceOffset, final long length, final int flags)
    {
        if (!open)
        {
            throw new IllegalStateException("bulk load is not open (committed, aborted, or failed)");
        }
        try
        {
            MutationChecks.checkOwner(owner);
            MutationChecks.checkFlags(flags);
            if (deviceOffset < 0 || length <= 0 || deviceOffset + length < 0 || deviceOffset + length > deviceSize)
            {
                throw new InvalidMutationException("bad device range: deviceOffset=" + deviceOffset + " length=" +
                    length + " deviceSize=" + deviceSize);
            }
            if (Owner.hasFileOffset(owner))
            {
                MutationChecks.checkFile(fileOffset, length);
            }
            else if (fileOffset != 0 || flags != 0)
            {
                throw new InvalidMutationException("owner without file offsets takes fileOffset=0 and flags=0: owner=" +
                    Owner.toString(owner) + " fileOffset=" + fileOffset + " flags=" + flags);
            }
        }
        catch (final InvalidMutationException ex)
        {
            abort();
            throw new InvalidMutationException(recordName.apply(count) + ": " + ex.getMessage());
        }
        if (count == this.device.length)
        {
            grow();
        }
        this.device[count] = deviceOffset;
        this.length[count] = length;
        this.file[count] = fileOffset;
        this.owner[count] = owner;
        this.flags[count] = (byte)(flags | (Owner.hasFileOffset(owner) ? FORKED : 0) | (Owner.isFileData(owner) ? DATA : 0));
        count++;
        return this;
    }

    /**
     * How error messages number the records: by default the order they were added in, from 0.
     *
     * @param number maps the position of a record in this load to the number a message gives it.
     * @return this bulk load.
     */
    public BulkLoad numberRecords(final IntUnaryOperator number)
    {
        return nameRecords(position -> "record " + number.applyAsInt(position));
    }

    /**
     * How error messages name the records, for a caller that knows where they came from ({@code fsmap.csv:12}): by
     * default "record N", N the order they were added in, from 0. The name is part of a one-line message.
     *
     * @param name maps the position of a record in this load to its name.
     * @return this bulk load.
     */
    public BulkLoad nameRecords(final IntFunction<String> name)
    {
        recordName = name;
        return this;
    }

    /**
     * Records added so far.
     *
     * @return the count.
     */
    public int records()
    {
        return count;
    }

    /**
     * Check every record against the others, build the index and publish it.
     *
     * @return the version of the new snapshot.
     * @throws InvalidMutationException if records conflict; the index stays empty.
     */
    public long commit()
    {
        if (!open)
        {
            throw new IllegalStateException("bulk load is not open (committed, aborted, or failed)");
        }
        open = false;
        final long liveBefore = index.liveBytes;
        final int movedBefore = index.movedStripes;
        try
        {
            internOwners();
            sharing = new long[(count + 63) >>> 6];
            final Sweep sweep = new Sweep(index.arena);
            sweep.run(byDevice());
            final Forward forward = buildForward();
            final LongDirectory stripes = sweep.stripeEditor.build();
            final Snapshot next = new Snapshot(
                base.version + 1, base.geometry, base.stripeShift, stripes, forward.editor.build(),
                index.arena.slabs(), index.owners.keys(), index.owners.idMap(), index.owners.count(),
                index.sets.sets(), index.sets.firstGroups(), index.sets.count(), base.verifier,
                StripePlacement.derive(stripes, base.stripeCount(), index.emptyStripe, index.arena.slabs()));
            // the stripes' padding and markers are part of their layout: live, until a compaction lays them out anew
            index.liveBytes += forward.bytes + sweep.bytes + sweep.placer.padding();
            release();
            index.publish(token, next, sweep.stripeCount, sweep.stripeIndexes, sweep.stripeBlocks,
                forward.ownerCount, forward.ownerIds, forward.ownerBlocks);
            token.retire();
            return next.version;
        }
        catch (final Throwable ex)
        {
            // an Error too (the off-heap limit): as Batch.commit, free the writer unless the load was published
            release();
            index.abandon(token, liveBefore, movedBefore);
            token.retire();
            throw ex;
        }
    }

    /**
     * Discard the records; the index stays as it was.
     */
    public void abort()
    {
        if (open)
        {
            open = false;
            release();
            token.abort();
        }
    }

    /**
     * Owner ids for every record. While the owner table is small enough for the cache to hold, each record probes it
     * (a run of records of one owner probes once). Past {@link #PROBED_OWNERS} owners the records left are sorted by
     * owner instead, so each distinct owner is looked up once and the table is not missed for every record.
     */
    private void internOwners()
    {
        ownerId = new int[count];
        final OwnerTable owners = index.owners;
        int record = 0;
        long last = 0;
        int id = -1;
        while (record < count && owners.count() < PROBED_OWNERS)
        {
            final long key = owner[record];
            if (id < 0 || key != last)
            {
                id = owners.intern(key);
                last = key;
            }
            ownerId[record++] = id;
        }
        if (record < count)
        {
            internSorted(record);
        }
        owners.trim();
        owner = null;
    }

    /**
     * Owner ids for the records from {@code from} on, looked up in owner order.
     */
    private void internSorted(final int from)
    {
        final int n = count - from;
        final int[] order = new int[n];
        for (int i = 0; i < n; i++)
        {
            order[i] = from + i;
        }
        final long[] keys = Arrays.copyOfRange(owner, from, count);
        RadixSort.sort(keys, order, 0, n);
        final OwnerTable owners = index.owners;
        int id = -1;
        for (int k = 0; k < n; k++)
        {
            if (k == 0 || keys[k] != keys[k - 1])
            {
                id = owners.intern(keys[k]);
            }
            ownerId[order[k]] = id;
        }
    }

    private void release()
    {
        releaseFields();
        owner = null;
        ownerId = null;
        flags = null;
        sharing = null;
    }

    private void grow()
    {
        final int capacity = (int)Math.min(MAX_RECORDS, device.length * 2L);
        if (capacity <= count)
        {
            throw new IllegalStateException("too many records for one bulk load: " + count);
        }
        device = Arrays.copyOf(device, capacity);
        length = Arrays.copyOf(length, capacity);
        file = Arrays.copyOf(file, capacity);
        owner = Arrays.copyOf(owner, capacity);
        flags = Arrays.copyOf(flags, capacity);
    }

    /**
     * The records in device order, or null when they came that way: no array of the identity is made.
     */
    private int[] byDevice()
    {
        boolean sorted = true;
        for (int i = 1; i < count && sorted; i++)
        {
            sorted = device[i - 1] <= device[i];
        }
        if (sorted)
        {
            return null;
        }
        final int[] order = new int[count];
        for (int i = 0; i < count; i++)
        {
            order[i] = i;
        }
        RadixSort.sort(Arrays.copyOf(device, count), order, 0, count);
        return order;
    }

    /**
     * Every forked owner's forward map, checked for file bytes mapped twice, merged as batches merge them, written.
     */
    private Forward buildForward()
    {
        final int owners = index.owners.count();
        final int[] start = new int[owners + 1];
        for (int i = 0; i < count; i++)
        {
            start[ownerId[i] + 1]++;
        }
        for (int o = 0; o < owners; o++)
        {
            start[o + 1] += start[o];
        }
        final long[] byOwner = copyByOwner(start, owners);
        // which owners hold a record the sweep saw sharing: read the bits in record order, not looked up per owner
        final boolean[] ownerShares = new boolean[owners];
        for (int word = 0; word < sharing.length; word++)
        {
            for (long bits = sharing[word]; bits != 0; bits &= bits - 1)
            {
                ownerShares[ownerId[(word << 6) + Long.numberOfTrailingZeros(bits)]] = true;
            }
        }
        final Forward forward = new Forward(owners);
        long[] fileKeys = new long[0];
        int[] order = new int[0];
        // one map written after another: its arrays grow to the largest owner's extents instead of being made anew
        MutableExtents extents = null;
        for (int o = 0; o < owners; o++)
        {
            final int from = start[o];
            final int to = start[o + 1];
            if (from == to || !Owner.hasFileOffset(index.owners.key(o)))
            {
                continue;
            }
            final int n = to - from;
            if (order.length < n)
            {
                order = new int[Math.max(n, order.length * 2)];
                fileKeys = new long[order.length];
            }
            boolean sorted = true;
            for (int i = 0; i < n; i++)
            {
                order[i] = (from + i) * BY_OWNER_FIELDS;
                fileKeys[i] = byOwner[order[i]];
                sorted &= i == 0 || fileKeys[i - 1] <= fileKeys[i];
            }
            if (!sorted)
            {
                RadixSort.sort(fileKeys, order, 0, n);
            }
            if (extents == null)
            {
                extents = new MutableExtents(o, n);
            }
            else
            {
                extents.reuse(o);
            }
            long mappedEnd = -1;
            for (int k = 0; k < n; k++)
            {
                final int r = order[k];
                final long extentFile = byOwner[r];
                final long extentLength = byOwner[r + 2] & ExtentsDescriptor.LENGTH_MASK;
                if (extentFile < mappedEnd)
                {
                    // in file order the records before this one do not overlap: the one just before maps mappedEnd
                    final String record = recordName.apply(nthOf(o, r / BY_OWNER_FIELDS - from));
                    final String earlier = recordName.apply(nthOf(o, order[k - 1] / BY_OWNER_FIELDS - from));
                    throw new InvalidMutationException(record + ": file range already mapped: owner=" +
                        Owner.toString(index.owners.key(o)) + " fileOffset=" + extentFile + " length=" + extentLength +
                        " by " + earlier);
                }
                mappedEnd = extentFile + extentLength;
                extents.add(extentFile, byOwner[r + 1], extentLength,
                    (int)(byOwner[r + 2] >>> ExtentsDescriptor.FLAGS_SHIFT));
            }
            final boolean shares = ownerShares[o];
            // only an owner that shares bytes can have chunks another owner has too
            forward.write(extents, index.arena, shares);
        }
        return forward;
    }

    /**
     * The records' fields in owner order, each owner's in the order they came: file offset, device offset, and length
     * with the stored flags, side by side. Frees the fields in record order.
     * <p>
     * Copied in two passes of sequential reads: first into at most 2^{@value #PARTITION_BITS} partitions of
     * neighbouring owner ids, then each partition to its owners. One pass would store every record to a line of its
     * owner's, a cache miss per record once there are more owners than lines in the cache (a fifth of the time JFR
     * sampled in loads of 10^7 records of 156,000 owners); each pass here stores to few places at a time, or within a
     * partition's few hundred kilobytes. A partition's owners hold the same positions in owner order as the partition
     * does, so the second pass orders each partition in place through a copy of it: no second array of every
     * record's fields is zeroed and touched.
     *
     * @param start  where each owner's records begin in owner order, and at {@code owners} their count.
     * @param owners owner ids in use.
     */
    private long[] copyByOwner(final int[] start, final int owners)
    {
        final int idBits = Integer.SIZE - Integer.numberOfLeadingZeros(Math.max(1, owners - 1));
        final int shift = Math.max(0, idBits - PARTITION_BITS);
        final int[] fill = Arrays.copyOf(start, owners);
        final long[] byOwner = new long[Math.multiplyExact(count, BY_OWNER_FIELDS)];
        if (shift == 0)
        {
            for (int i = 0; i < count; i++)
            {
                copyFields(i, byOwner, fill[ownerId[i]]++ * BY_OWNER_FIELDS);
            }
            releaseFields();
        }
        else
        {
            final int partitions = ((owners - 1) >>> shift) + 1;
            final int[] partitionStart = new int[partitions + 1];
            for (int p = 0; p < partitions; p++)
            {
                partitionStart[p] = start[p << shift];
            }
            partitionStart[partitions] = count;
            final int[] partitionFill = Arrays.copyOf(partitionStart, partitions);
            final int[] partitionOwner = new int[count];
            int largest = 0;
            for (int p = 0; p < partitions; p++)
            {
                largest = Math.max(largest, partitionStart[p + 1] - partitionStart[p]);
            }
            for (int i = 0; i < count; i++)
            {
                final int id = ownerId[i];
                final int at = partitionFill[id >>> shift]++;
                partitionOwner[at] = id;
                copyFields(i, byOwner, at * BY_OWNER_FIELDS);
            }
            // freed before the second pass allocates its scratch: the peak is one copy of the fields, not two
            releaseFields();
            final long[] scratch = new long[largest * BY_OWNER_FIELDS];
            for (int p = 0; p < partitions; p++)
            {
                final int first = partitionStart[p];
                final int end = partitionStart[p + 1];
                System.arraycopy(byOwner, first * BY_OWNER_FIELDS, scratch, 0, (end - first) * BY_OWNER_FIELDS);
                for (int i = first; i < end; i++)
                {
                    final int at = fill[partitionOwner[i]]++ * BY_OWNER_FIELDS;
                    final int source = (i - first) * BY_OWNER_FIELDS;
                    byOwner[at] = scratch[source];
                    byOwner[at + 1] = scratch[source + 1];
                    byOwner[at + 2] = scratch[source + 2];
                }
            }
        }
        return byOwner;
    }

    /**
     * Free the file offsets, device offsets and lengths in record order, once they are copied out.
     */
    private void releaseFields()
    {
        file = null;
        device = null;
        length = null;
    }

    private void copyFields(final int record, final long[] to, final int at)
    {
        to[at] = file[record];
        to[at + 1] = device[record];
        to[at + 2] = length[record] | (long)(flags[record] & STORED_MASK) << ExtentsDescriptor.FLAGS_SHIFT;
    }

    /**
     * The position of an owner's {@code n}th record (from 0) in the order records were added.
     */
    private int nthOf(final int ownerIdToFind, final int n)
    {
        int seen = 0;
        for (int i = 0; i < count; i++)
        {
            if (ownerId[i] == ownerIdToFind && seen++ == n)
            {
                return i;
            }
        }
        throw new IllegalStateException("owner has fewer records: ownerId=" + ownerIdToFind + " n=" + n);
    }

    /**
     * The forward maps written so far.
     */
    private final class Forward
    {
        final LongDirectory.Editor editor = base.extents.edit(Snapshot.NO_EXTENTS);
        /** Clones' maps cut at the same extents: each distinct chunk is written once. */
        final SharedChunks.Dedupe dedupe = new SharedChunks.Dedupe();
        final int[] ownerIds;
        final long[] ownerBlocks;
        int ownerCount;
        long bytes;

        Forward(final int owners)
        {
            ownerIds = new int[owners];
            ownerBlocks = new long[owners];
        }

        void write(final MutableExtents extents, final Arena arena, final boolean shares)
        {
            final long block = extents.write(arena, index.sharedChunks, shares ? dedupe : null);
            editor.set(extents.ownerId, block);
            ownerIds[ownerCount] = extents.ownerId;
            ownerBlocks[ownerCount++] = block;
            bytes += extents.writtenBytes();
        }
    }

    /**
     * One pass over the device in address order: the records that cover each position sit in a heap ordered by their
     * end; between two record boundaries they make one piece.
     */
    private final class Sweep
    {
        final Arena arena;
        /** Lays the stripes out where queries predict them: nothing else is allocated while the sweep runs. */
        final StripePlacement.Writer placer;
        final LongDirectory.Editor stripeEditor = base.stripes.edit(index.emptyStripe);
        int[] stripeIndexes = new int[64];
        long[] stripeBlocks = new long[64];
        int stripeCount;
        long bytes;

        private int[] heap = new int[16];
        private int heapSize;
        private int stripe = -1;
        private int pieces;
        private int[] rel = new int[64];
        private int[] values = new int[64];
        private long[] deltas = new long[64];
        /** The key of each piece's single owner, 0 for other pieces: what a keyed stripe holds. */
        private long[] keys = new long[64];
        private long[] groupDeltas = new long[16];
        private int[] groupFlags = new int[16];
        private int[] members = new int[16];
        /** Owner ids of the sharers, sorted: scratch of {@link #singleGroup}. */
        private int[] memberIds = new int[16];

        Sweep(final Arena arena)
        {
            this.arena = arena;
            this.placer = new StripePlacement.Writer(arena);
        }

        void run(final int[] order)
        {
            final long[] ownerKeys = index.owners.keys();
            long position = 0;
            int value = PieceValue.EMPTY;
            long delta = 0;
            long key = 0;
            int next = 0;
            while (true)
            {
                final long nextStart = next < count ? device[record(order, next)] : INFINITY;
                final long nextEnd = heapSize > 0 ? end(heap[0]) : INFINITY;
                final long boundary = Math.min(nextStart, nextEnd);
                if (boundary == INFINITY)
                {
                    break;
                }
                if (boundary > position)
                {
                    emit(position, boundary, value, delta, key);
                    position = boundary;
                }
                while (heapSize > 0 && end(heap[0]) == boundary)
                {
                    pop();
                }
                while (next < count && device[record(order, next)] == boundary)
                {
                    push(record(order, next++));
                }
                if (heapSize == 0)
                {
                    value = PieceValue.EMPTY;
                    delta = 0;
                    key = 0;
                }
                else if (heapSize == 1)
                {
                    final int r = heap[0];
                    value = PieceValue.single(ownerId[r], flags[r] & STORED_MASK);
                    delta = deltaOf(r);
                    key = ownerKeys[ownerId[r]];
                }
                else
                {
                    value = PieceValue.shared(internSharers(boundary));
                    delta = 0;
                    key = 0;
                }
            }
            emit(position, deviceSize, PieceValue.EMPTY, 0, 0);
            flush();
        }

        /**
         * The record at a position of device order: the identity where the records came in device order.
         */
        private static int record(final int[] order, final int position)
        {
            return order == null ? position : order[position];
        }

        private long end(final int r)
        {
            return device[r] + length[r];
        }

        private long deltaOf(final int r)
        {
            return (flags[r] & FORKED) != 0 ? file[r] - device[r] : 0;
        }

        /**
         * The share group of the records in the heap, which all must be file data.
         */
        private int internSharers(final long position)
        {
            final int n = heapSize;
            if (members.length < n)
            {
                members = new int[Math.max(n, members.length * 2)];
            }
            for (int i = 0; i < n; i++)
            {
                final int r = heap[i];
                if ((flags[r] & DATA) == 0)
                {
                    final long owner = index.owners.key(ownerId[r]);
                    final int other = heap[i == 0 ? 1 : 0];
                    throw new InvalidMutationException(recordName.apply(r) +
                        ": only file data can share bytes: owner=" + Owner.toString(owner) + " deviceOffset=" +
                        device[r] + " length=" + length[r] + " sharesAt=" + position + " with " +
                        recordName.apply(other) + " owner=" + Owner.toString(index.owners.key(ownerId[other])));
                }
                members[i] = r;
                sharing[r >>> 6] |= 1L << r;
            }
            final int single = singleGroup(n);
            if (single >= 0)
            {
                return single;
            }
            sortMembers(n);
            int groups = 0;
            for (int i = 0; i < n; i++)
            {
                final int r = members[i];
                final long d = deltaOf(r);
                if (groups == 0 || groupDeltas[groups - 1] != d || groupFlags[groups - 1] != (flags[r] & STORED_MASK))
                {
                    if (groups == groupDeltas.length)
                    {
                        groupDeltas = Arrays.copyOf(groupDeltas, groups * 2);
                        groupFlags = Arrays.copyOf(groupFlags, groups * 2);
                    }
                    groupDeltas[groups] = d;
                    groupFlags[groups++] = flags[r] & STORED_MASK;
                }
            }
            final RoaringBitmap[] owners = new RoaringBitmap[groups];
            for (int g = 0, i = 0; g < groups; g++)
            {
                final RoaringBitmap bitmap = new RoaringBitmap();
                while (i < n && deltaOf(members[i]) == groupDeltas[g] && (flags[members[i]] & STORED_MASK) == groupFlags[g])
                {
                    bitmap.add(ownerId[members[i++]]);
                }
                bitmap.runOptimize();
                owners[g] = bitmap;
            }
            return index.sets.intern(OwnerSet.of(
                Arrays.copyOf(groupDeltas, groups), Arrays.copyOf(groupFlags, groups), owners));
        }

        /**
         * The common share group, of sharers that all map the bytes at one delta with the same flags (full-file clones):
         * its owner ids sorted as plain ints, and its set made without a bitmap when they are one run. -1 when the
         * sharers differ in delta or flags.
         */
        private int singleGroup(final int n)
        {
            final long delta = deltaOf(members[0]);
            final int stored = flags[members[0]] & STORED_MASK;
            if (memberIds.length < n)
            {
                memberIds = new int[members.length];
            }
            for (int i = 0; i < n; i++)
            {
                final int r = members[i];
                if (deltaOf(r) != delta || (flags[r] & STORED_MASK) != stored)
                {
                    return -1;
                }
                memberIds[i] = ownerId[r];
            }
            Arrays.sort(memberIds, 0, n);
            final int first = memberIds[0];
            final int last = memberIds[n - 1];
            if (last - first == n - 1 && distinct(memberIds, n))
            {
                return index.sets.intern(OwnerSet.ofRun(delta, stored, first, last));
            }
            final RoaringBitmap bitmap = new RoaringBitmap();
            for (int i = 0; i < n; i++)
            {
                bitmap.add(memberIds[i]);
            }
            return index.sets.intern(OwnerSet.of(new long[]{delta}, new int[]{stored}, new RoaringBitmap[]{bitmap}));
        }

        private static boolean distinct(final int[] sorted, final int n)
        {
            for (int i = 1; i < n; i++)
            {
                if (sorted[i] == sorted[i - 1])
                {
                    return false;
                }
            }
            return true;
        }

        /**
         * Order the sharers by (delta, flags, owner id): one group after another, owners ascending.
         */
        private void sortMembers(final int n)
        {
            for (int i = 1; i < n; i++)
            {
                final int r = members[i];
                int j = i - 1;
                if (compare(members[j], r) <= 0)
                {
                    continue;
                }
                if (n > 32)
                {
                    final Integer[] boxed = new Integer[n];
                    for (int k = 0; k < n; k++)
                    {
                        boxed[k] = members[k];
                    }
                    Arrays.sort(boxed, this::compare);
                    for (int k = 0; k < n; k++)
                    {
                        members[k] = boxed[k];
                    }
                    return;
                }
                while (j >= 0 && compare(members[j], r) > 0)
                {
                    members[j + 1] = members[j];
                    j--;
                }
                members[j + 1] = r;
            }
        }

        private int compare(final int a, final int b)
        {
            int c = Long.compare(deltaOf(a), deltaOf(b));
            if (c == 0)
            {
                c = Integer.compare(flags[a] & STORED_MASK, flags[b] & STORED_MASK);
            }
            return c != 0 ? c : Integer.compare(ownerId[a], ownerId[b]);
        }

        /**
         * Give {@code [from, to)} one piece value, stripe by stripe.
         */
        private void emit(final long from, final long to, final int value, final long delta, final long key)
        {
            long at = from;
            while (at < to)
            {
                final int s = (int)(at >>> base.stripeShift);
                if (s != stripe)
                {
                    flush();
                    stripe = s;
                    pieces = 0;
                }
                final long stripeStart = base.stripeStart(s);
                append((int)(at - stripeStart), value, delta, key);
                at = Math.min(to, base.stripeEnd(s));
            }
        }

        private void append(final int relStart, final int value, final long delta, final long key)
        {
            if (pieces > 0 && values[pieces - 1] == value && deltas[pieces - 1] == delta)
            {
                return;
            }
            if (pieces == rel.length)
            {
                rel = Arrays.copyOf(rel, pieces * 2);
                values = Arrays.copyOf(values, pieces * 2);
                deltas = Arrays.copyOf(deltas, pieces * 2);
                keys = Arrays.copyOf(keys, pieces * 2);
            }
            rel[pieces] = relStart;
            values[pieces] = value;
            keys[pieces] = key;
            deltas[pieces++] = delta;
        }

        private void flush()
        {
            if (stripe < 0 || (pieces == 1 && values[0] == PieceValue.EMPTY))
            {
                return;
            }
            final long address = MutableStripe.write(arena, placer, stripe, pieces, rel, values, deltas, keys);
            stripeEditor.set(stripe, address);
            if (stripeCount == stripeIndexes.length)
            {
                stripeIndexes = Arrays.copyOf(stripeIndexes, stripeCount * 2);
                stripeBlocks = Arrays.copyOf(stripeBlocks, stripeCount * 2);
            }
            stripeIndexes[stripeCount] = stripe;
            stripeBlocks[stripeCount++] = address;
            bytes += Arena.footprint(StripeDescriptor.blockLength(arena.buffer(address), Arena.offset(address)));
        }

        private void push(final int r)
        {
            if (heapSize == heap.length)
            {
                heap = Arrays.copyOf(heap, heapSize * 2);
            }
            int i = heapSize++;
            final long key = end(r);
            while (i > 0)
            {
                final int parent = (i - 1) >>> 1;
                if (end(heap[parent]) <= key)
                {
                    break;
                }
                heap[i] = heap[parent];
                i = parent;
            }
            heap[i] = r;
        }

        private void pop()
        {
            final int last = heap[--heapSize];
            if (heapSize == 0)
            {
                return;
            }
            final long key = end(last);
            int i = 0;
            while (true)
            {
                int child = 2 * i + 1;
                if (child >= heapSize)
                {
                    break;
                }
                if (child + 1 < heapSize && end(heap[child + 1]) < end(heap[child]))
                {
                    child++;
                }
                if (end(heap[child]) >= key)
                {
                    break;
                }
                heap[i] = heap[child];
                i = child;
            }
            heap[i] = last;
        }
    }
}
