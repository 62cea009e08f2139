package io.daxrmap.index;

import org.agrona.concurrent.UnsafeBuffer;

import java.util.Arrays;

/**
 * The writer's working copy of one owner's forward map during a batch: canonical, file-ordered extents.
 * <p>
 * The map is stored as a root and chunks, or one chunk alone ({@link ForwardRootDescriptor}). Only a window of
 * consecutive base chunks is copied into the arrays, grown as operations reach further: every method that takes a
 * file range first loads the chunks that range overlaps, and the neighbours an added extent could join, so the arrays
 * always hold every extent an operation can see or change. {@link #write} rewrites the window's chunks only, and
 * keeps the other chunks' blocks.
 */
final class MutableExtents
{
    /** Room an array grows by beyond what it must hold, so that the next few insertions do not copy it again. */
    private static final int SLACK = 4;
    /** Extents a map's arrays may hold room for after {@link #rebase} whatever its window holds: a few chunks'. */
    private static final int KEPT_CAPACITY = 4 * ForwardRootDescriptor.CHUNK_EXTENTS;
    private static final long[] NO_LONGS = new long[0];
    private static final int[] NO_INTS = new int[0];

    /** The owner; changed only by {@link #reuse}. */
    int ownerId;
    /** The number of the batch that took this copy last, while it owns it; {@link WriterCache#FREE} once committed. */
    long batch;
    /** Extents in the window, and the arrays that hold them. */
    int count;
    long[] file;
    long[] device;
    long[] length;
    int[] flags;

    /** Where the base's blocks are: null for a map with no base. */
    private UnsafeBuffer[] slabs;
    private long baseRoot;
    private int chunks;
    private long[] chunkFirst;
    private long[] chunkAddress;
    /** The window: base chunks {@code [lo, hi)} are in the arrays; unset until the first range loads one. */
    private int lo;
    private int hi;
    private boolean windowSet;
    private boolean dirty;
    private long releasedBytes;
    private long writtenBytes;
    /** What the last {@link #write} stored: its root's chunks. */
    private int writtenChunks;
    private long[] writtenFirsts;
    private long[] writtenAddresses;
    private int writtenWindowEnd;
    /**
     * The chunks the last {@link #write} wrote anew, {@code [changedFirst, changedEnd)} of its root (-1 if none), and
     * the extents of the window they hold, {@code [changedFrom, changedTo)}.
     */
    private int changedFirst = -1;
    private int changedEnd;
    private int changedFrom;
    private int changedTo;
    /** Whether the last {@link #chunk} kept a window chunk. */
    private boolean chunkKept;

    MutableExtents(final int ownerId)
    {
        this(ownerId, 4);
    }

    /**
     * A map with no base, for an owner that has none yet or for a loader.
     */
    MutableExtents(final int ownerId, final int capacity)
    {
        this.ownerId = ownerId;
        this.slabs = null;
        this.baseRoot = Snapshot.NO_EXTENTS;
        file = new long[capacity];
        device = new long[capacity];
        length = new long[capacity];
        flags = new int[capacity];
        chunkFirst = new long[0];
        chunkAddress = new long[0];
        windowSet = true;
    }

    /**
     * The map a snapshot holds: its root (or lone chunk's first extent) is read now, its chunks when a range reaches
     * them.
     *
     * @param root the forward directory's entry for the owner: a root or a lone chunk.
     */
    MutableExtents(final int ownerId, final Snapshot base, final long root)
    {
        this.ownerId = ownerId;
        this.slabs = base.slabs;
        this.baseRoot = root;
        chunks = ForwardRootDescriptor.entryChunks(slabs, root);
        chunkFirst = new long[chunks];
        chunkAddress = new long[chunks];
        for (int c = 0; c < chunks; c++)
        {
            chunkFirst[c] = ForwardRootDescriptor.entryFirst(slabs, root, c);
            chunkAddress[c] = ForwardRootDescriptor.entryChunk(slabs, root, c);
        }
        // sized when the first chunk loads: an operation mostly loads one chunk, of far fewer than CHUNK_EXTENTS
        file = NO_LONGS;
        device = NO_LONGS;
        length = NO_LONGS;
        flags = NO_INTS;
    }

    /**
     * Empty a map with no base for another owner, keeping its arrays: a loader writes one owner's map after another.
     */
    void reuse(final int ownerId)
    {
        if (slabs != null)
        {
            throw new IllegalStateException("a map read from a snapshot is not reused: ownerId=" + this.ownerId);
        }
        this.ownerId = ownerId;
        count = 0;
        dirty = false;
        releasedBytes = 0;
        writtenBytes = 0;
    }

    /**
     * Whether the owner maps nothing.
     */
    boolean isEmpty()
    {
        return count == 0 && (windowSet ? lo == 0 && hi == chunks : chunks == 0);
    }

    /**
     * Whether an operation changed the map.
     */
    boolean dirty()
    {
        return dirty;
    }

    /**
     * The file offset where the last mapped extent ends, or -1 if nothing is mapped.
     */
    long mappedEnd()
    {
        if (!windowSet || hi < chunks)
        {
            return chunks == 0 ? -1 : chunkEnd(chunks - 1);
        }
        if (count > 0)
        {
            return file[count - 1] + length[count - 1];
        }
        return lo > 0 ? chunkEnd(lo - 1) : -1;
    }

    /**
     * The first extent that ends after a file offset, or {@code count}, with every extent that overlaps
     * {@code [fileOffset, fileEnd)} loaded: indexes stay valid until the next call that takes a range.
     */
    int firstEndingAfter(final long fileOffset, final long fileEnd)
    {
        ensure(fileOffset, fileEnd);
        return search(fileOffset);
    }

    /**
     * Load the chunks {@code [fileStart, fileEnd)} overlaps, and enough on each side that the window's first extent
     * starts before {@code fileStart} and its last ends after {@code fileEnd} (or the window reaches the map's
     * ends): the extents outside then neither overlap the range nor touch it.
     */
    private void ensure(final long fileStart, final long fileEnd)
    {
        if (!windowSet)
        {
            windowSet = true;
            lo = chunkFor(fileStart);
            hi = lo;
            if (chunks > 0)
            {
                loadRight();
            }
        }
        while (lo > 0 && (count == 0 || file[0] >= fileStart))
        {
            loadLeft();
        }
        while (hi < chunks && (count == 0 || file[count - 1] + length[count - 1] <= fileEnd))
        {
            loadRight();
        }
    }

    /**
     * The last chunk whose first extent starts at or before a file offset, or 0: a search without a data-dependent
     * branch, as {@link MutableStripe#find}.
     */
    private int chunkFor(final long fileOffset)
    {
        int low = 0;
        int n = chunks;
        while (n > 1)
        {
            final int half = n >>> 1;
            low = chunkFirst[low + half] <= fileOffset ? low + half : low;
            n -= half;
        }
        return low;
    }

    private long chunkEnd(final int chunk)
    {
        final long address = chunkAddress[chunk];
        final UnsafeBuffer buffer = buffer(address);
        final int offset = Arena.offset(address);
        final int n = ExtentsDescriptor.count(buffer, offset);
        return ExtentsDescriptor.fileOffset(buffer, offset, n - 1) + ExtentsDescriptor.length(buffer, offset, n - 1);
    }

    private void loadLeft()
    {
        lo--;
        final long address = chunkAddress[lo];
        final UnsafeBuffer buffer = buffer(address);
        final int offset = Arena.offset(address);
        final int n = ExtentsDescriptor.count(buffer, offset);
        ensureCapacity(count + n);
        System.arraycopy(file, 0, file, n, count);
        System.arraycopy(device, 0, device, n, count);
        System.arraycopy(length, 0, length, n, count);
        System.arraycopy(flags, 0, flags, n, count);
        read(buffer, offset, n, 0);
        count += n;
    }

    private void loadRight()
    {
        final long address = chunkAddress[hi];
        hi++;
        final UnsafeBuffer buffer = buffer(address);
        final int offset = Arena.offset(address);
        final int n = ExtentsDescriptor.count(buffer, offset);
        ensureCapacity(count + n);
        read(buffer, offset, n, count);
        count += n;
    }

    private void read(final UnsafeBuffer buffer, final int offset, final int n, final int to)
    {
        ExtentsDescriptor.read(buffer, offset, n, file, device, length, flags, to);
    }

    /**
     * The first loaded extent that ends after a file offset, or {@code count}: a search without a data-dependent
     * branch, as {@link MutableStripe#find}.
     */
    private int search(final long fileOffset)
    {
        if (count == 0)
        {
            return 0;
        }
        int low = 0;
        int n = count;
        while (n > 1)
        {
            final int half = n >>> 1;
            final int at = low + half;
            low = file[at] + length[at] <= fileOffset ? at : low;
            n -= half;
        }
        return file[low] + length[low] <= fileOffset ? low + 1 : low;
    }

    /**
     * Bytes of {@code [fileOffset, fileOffset + len)} that are mapped.
     */
    long mappedBytes(final long fileOffset, final long len)
    {
        final long fileEnd = fileOffset + len;
        long mapped = 0;
        for (int i = firstEndingAfter(fileOffset, fileEnd); i < count && file[i] < fileEnd; i++)
        {
            mapped += Math.min(fileEnd, file[i] + length[i]) - Math.max(fileOffset, file[i]);
        }
        return mapped;
    }

    /**
     * Add an extent that overlaps none; merges with contiguous neighbours of the same flags.
     */
    void add(final long fileOffset, final long deviceOffset, final long len, final int extentFlags)
    {
        ensure(fileOffset, fileOffset + len);
        dirty = true;
        // appending after the last extent, as loaders do, needs no search
        final int at = count == 0 || file[count - 1] + length[count - 1] <= fileOffset ?
            count : search(fileOffset);
        assert at >= count || file[at] >= fileOffset + len : "overlap at fileOffset=" + fileOffset;
        final boolean joinLeft = at > 0 && file[at - 1] + length[at - 1] == fileOffset &&
            device[at - 1] + length[at - 1] == deviceOffset && flags[at - 1] == extentFlags;
        final boolean joinRight = at < count && file[at] == fileOffset + len &&
            device[at] == deviceOffset + len && flags[at] == extentFlags;
        if (joinLeft && joinRight)
        {
            length[at - 1] += len + length[at];
            removeRange(at, at + 1);
        }
        else if (joinLeft)
        {
            length[at - 1] += len;
        }
        else if (joinRight)
        {
            file[at] = fileOffset;
            device[at] = deviceOffset;
            length[at] += len;
        }
        else
        {
            ensureCapacity(count + 1);
            System.arraycopy(file, at, file, at + 1, count - at);
            System.arraycopy(device, at, device, at + 1, count - at);
            System.arraycopy(length, at, length, at + 1, count - at);
            System.arraycopy(flags, at, flags, at + 1, count - at);
            file[at] = fileOffset;
            device[at] = deviceOffset;
            length[at] = len;
            flags[at] = extentFlags;
            count++;
        }
    }

    /**
     * Remove every mapping of {@code [fileOffset, fileOffset + len)}, splitting extents that straddle its ends.
     */
    void remove(final long fileOffset, final long len)
    {
        final long fileEnd = fileOffset + len;
        int first = firstEndingAfter(fileOffset, fileEnd);
        if (first >= count || file[first] >= fileEnd)
        {
            return;
        }
        dirty = true;
        if (file[first] < fileOffset && file[first] + length[first] > fileEnd)
        {
            // The range lies inside one extent: split it in two.
            ensureCapacity(count + 1);
            System.arraycopy(file, first + 1, file, first + 2, count - first - 1);
            System.arraycopy(device, first + 1, device, first + 2, count - first - 1);
            System.arraycopy(length, first + 1, length, first + 2, count - first - 1);
            System.arraycopy(flags, first + 1, flags, first + 2, count - first - 1);
            count++;
            final long cut = fileEnd - file[first];
            file[first + 1] = fileEnd;
            device[first + 1] = device[first] + cut;
            length[first + 1] = length[first] - cut;
            flags[first + 1] = flags[first];
            length[first] = fileOffset - file[first];
            return;
        }
        if (file[first] < fileOffset)
        {
            length[first] = fileOffset - file[first];
            first++;
        }
        int last = first;
        while (last < count && file[last] + length[last] <= fileEnd)
        {
            last++;
        }
        if (last < count && file[last] < fileEnd)
        {
            final long cut = fileEnd - file[last];
            file[last] += cut;
            device[last] += cut;
            length[last] -= cut;
        }
        removeRange(first, last);
    }

    /**
     * The root (or lone chunk entry) this map was read from or, after {@link #rebase}, last written as;
     * {@link Snapshot#NO_EXTENTS} for a map with no base.
     */
    long root()
    {
        return baseRoot;
    }

    /**
     * Make the root the last {@link #write} returned this map's base, as if the map had just been read from it and the
     * chunks it wrote anew loaded (the arrays already hold their extents): the next batch that changes the same part
     * of the file needs nothing decoded. The window shrinks to those chunks, so that it does not grow batch after
     * batch to the whole map, each write comparing every chunk of it again; if the write kept every chunk, the window
     * stays as it was.
     *
     * @param root      what {@link #write} returned, not {@link Snapshot#NO_EXTENTS}.
     * @param arenaSlabs the slabs of the arena {@link #write} wrote to, as they are now.
     */
    void rebase(final long root, final UnsafeBuffer[] arenaSlabs)
    {
        if (root == Snapshot.NO_EXTENTS || !windowSet)
        {
            throw new IllegalStateException("only a written map with a window is rebased: ownerId=" + ownerId);
        }
        slabs = arenaSlabs;
        baseRoot = root;
        if (changedFirst < 0)
        {
            // every chunk of the window kept: it stays as it was
            hi = writtenWindowEnd;
        }
        else
        {
            removeRange(changedTo, count);
            removeRange(0, changedFrom);
            lo = changedFirst;
            hi = changedEnd;
        }
        if (file.length > KEPT_CAPACITY && file.length > 4 * count)
        {
            // a range that loaded a large part of a large map (a truncate) leaves arrays the cache need not keep
            final int capacity = count + SLACK;
            file = Arrays.copyOf(file, capacity);
            device = Arrays.copyOf(device, capacity);
            length = Arrays.copyOf(length, capacity);
            flags = Arrays.copyOf(flags, capacity);
        }
        chunks = writtenChunks;
        chunkFirst = writtenFirsts;
        chunkAddress = writtenAddresses;
        writtenFirsts = null;
        writtenAddresses = null;
        dirty = false;
    }

    /**
     * Bytes of the base's blocks the last {@link #write} made garbage: its root (none for a lone chunk), and the
     * window's chunks it did not keep whose last reference this was.
     */
    long releasedBytes()
    {
        return releasedBytes;
    }

    /**
     * Bytes of the blocks the last {@link #write} allocated.
     */
    long writtenBytes()
    {
        return writtenBytes;
    }

    /**
     * Write the map: the window's extents as chunks cut where {@link ForwardRootDescriptor#endsChunk} says, the
     * other chunks as they were, and a new root; a map of one chunk is that chunk alone where the arena allows it
     * ({@link Arena#loneChunks}). A chunk of the window whose extents did not change is kept, and with {@code dedupe}
     * a chunk equal to one written before in the same load is shared instead of written.
     *
     * @param arena  where new blocks go.
     * @param shared the index's shared-chunk counts: released chunks are counted there, shared ones added.
     * @param dedupe chunks written so far in a bulk load, or null.
     * @return the forward directory's entry for the map: the root's address, the lone chunk's
     *         ({@link ForwardRootDescriptor#lone}), or {@link Snapshot#NO_EXTENTS} if nothing is mapped.
     */
    long write(final Arena arena, final SharedChunks shared, final SharedChunks.Dedupe dedupe)
    {
        releasedBytes = baseRoot == Snapshot.NO_EXTENTS ? 0 : ForwardRootDescriptor.entryRootFootprint(slabs, baseRoot);
        writtenBytes = 0;
        final int before = windowSet ? lo : chunks;
        final int after = windowSet ? hi : chunks;
        final boolean[] kept = new boolean[after - before];
        changedFirst = -1;
        long root = Snapshot.NO_EXTENTS;
        if (!isEmpty())
        {
            int total = before;
            long[] firsts = new long[before + (count + ForwardRootDescriptor.AVERAGE_CHUNK_EXTENTS - 1) /
                ForwardRootDescriptor.AVERAGE_CHUNK_EXTENTS + chunks - after + 1];
            long[] addresses = new long[firsts.length];
            System.arraycopy(chunkFirst, 0, firsts, 0, before);
            System.arraycopy(chunkAddress, 0, addresses, 0, before);
            for (int from = 0; from < count; )
            {
                final int to = nextCut(from);
                if (total == firsts.length)
                {
                    firsts = Arrays.copyOf(firsts, total * 2);
                    addresses = Arrays.copyOf(addresses, total * 2);
                }
                firsts[total] = file[from];
                addresses[total] = chunk(arena, from, to, before, after, kept, shared, dedupe);
                if (!chunkKept)
                {
                    if (changedFirst < 0)
                    {
                        changedFirst = total;
                        changedFrom = from;
                    }
                    changedEnd = total + 1;
                    changedTo = to;
                }
                total++;
                from = to;
            }
            final int rootChunks = total + chunks - after;
            if (rootChunks > firsts.length)
            {
                firsts = Arrays.copyOf(firsts, rootChunks);
                addresses = Arrays.copyOf(addresses, rootChunks);
            }
            System.arraycopy(chunkFirst, after, firsts, total, chunks - after);
            System.arraycopy(chunkAddress, after, addresses, total, chunks - after);
            writtenChunks = rootChunks;
            writtenFirsts = firsts;
            writtenAddresses = addresses;
            writtenWindowEnd = total;
            if (rootChunks == 1 && arena.loneChunks())
            {
                root = ForwardRootDescriptor.lone(addresses[0]);
            }
            else
            {
                root = ForwardRootDescriptor.write(arena, firsts, addresses, rootChunks);
                writtenBytes += Arena.footprint(ForwardRootDescriptor.length(arena.buffer(root), Arena.offset(root)));
            }
        }
        for (int c = before; c < after; c++)
        {
            if (!kept[c - before] && shared.release(chunkAddress[c]))
            {
                final UnsafeBuffer buffer = buffer(chunkAddress[c]);
                releasedBytes += Arena.footprint(ExtentsDescriptor.blockLength(buffer, Arena.offset(chunkAddress[c])));
            }
        }
        return root;
    }

    /**
     * Where the chunk that starts at extent {@code from} ends.
     */
    private int nextCut(final int from)
    {
        int to = from + 1;
        while (to < count && to - from < ForwardRootDescriptor.CHUNK_EXTENTS &&
            !ForwardRootDescriptor.endsChunk(file[to - 1], device[to - 1]))
        {
            to++;
        }
        return to;
    }

    /**
     * The address of a chunk holding extents {@code [from, to)}: a window chunk kept as it was, a chunk shared with
     * an earlier owner of the load, or a new one.
     */
    private long chunk(
        final Arena arena, final int from, final int to, final int before, final int after, final boolean[] kept,
        final SharedChunks shared, final SharedChunks.Dedupe dedupe)
    {
        final int header = ExtentsDescriptor.header(file, device, length, flags, from, to, arena.denseBlocks());
        final int c = Arrays.binarySearch(chunkFirst, before, after, file[from]);
        chunkKept = c >= 0 && !kept[c - before] && sameExtents(buffer(chunkAddress[c]), chunkAddress[c], header, from, to);
        if (chunkKept)
        {
            kept[c - before] = true;
            return chunkAddress[c];
        }
        long hash = 0;
        if (dedupe != null)
        {
            hash = hash(from, to);
            final long candidate = dedupe.candidate(hash);
            if (candidate != -1 && sameExtents(arena.buffer(candidate), candidate, header, from, to))
            {
                shared.share(candidate);
                return candidate;
            }
        }
        final int bytes = ExtentsDescriptor.lengthOfHeader(header);
        final long address = arena.allocate(bytes);
        final UnsafeBuffer buffer = arena.buffer(address);
        final int offset = Arena.offset(address);
        ExtentsDescriptor.write(buffer, offset, header, file, device, length, flags, from, to);
        if (arena.sealsBlocks())
        {
            ExtentsDescriptor.seal(buffer, offset);
        }
        writtenBytes += Arena.footprint(bytes);
        if (dedupe != null)
        {
            dedupe.remember(hash, address);
        }
        return address;
    }

    private boolean sameExtents(
        final UnsafeBuffer buffer, final long address, final int header, final int from, final int to)
    {
        return ExtentsDescriptor.matches(buffer, Arena.offset(address), header, file, device, length, flags, from, to);
    }

    private long hash(final int from, final int to)
    {
        long h = to - from;
        for (int i = from; i < to; i++)
        {
            h = (h ^ file[i]) * 0x9E3779B97F4A7C15L;
            h = (h ^ device[i]) * 0xC2B2AE3D27D4EB4FL;
            h = (h ^ (length[i] | (long)flags[i] << ExtentsDescriptor.FLAGS_SHIFT)) * 0x9E3779B97F4A7C15L;
        }
        return h ^ (h >>> 31);
    }

    private UnsafeBuffer buffer(final long address)
    {
        return slabs[Arena.slab(address)];
    }

    private void removeRange(final int from, final int to)
    {
        if (to > from)
        {
            System.arraycopy(file, to, file, from, count - to);
            System.arraycopy(device, to, device, from, count - to);
            System.arraycopy(length, to, length, from, count - to);
            System.arraycopy(flags, to, flags, from, count - to);
            count -= to - from;
        }
    }

    private void ensureCapacity(final int capacity)
    {
        if (capacity > file.length)
        {
            final int newCapacity = Math.max(capacity + SLACK, file.length * 2);
            file = Arrays.copyOf(file, newCapacity);
            device = Arrays.copyOf(device, newCapacity);
            length = Arrays.copyOf(length, newCapacity);
            flags = Arrays.copyOf(flags, newCapacity);
        }
    }
}
