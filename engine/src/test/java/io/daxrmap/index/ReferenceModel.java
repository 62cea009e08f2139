package io.daxrmap.index;

import io.daxrmap.model.DeviceGeometry;
import io.daxrmap.model.MappingFlags;
import io.daxrmap.model.Owner;
import io.daxrmap.model.Pagemap;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A deliberately simple, on-heap reference model of the reverse index, written from the contract in API.md.
 * <p>
 * State: per owner, a map of disjoint extents. Owners with file offsets (data and attr forks) key their extents by
 * file offset; the others key them by device offset and keep file offset 0. After every mutation an owner's extents
 * are canonicalised (neighbours contiguous in file and device with equal flags are merged), so the extents are the
 * canonical records. Queries work by brute force over all extents; the only derived structures are a sorted record
 * list, a data reference count step function (for "shared") and the free runs, rebuilt after each mutation.
 * <p>
 * Every mutation validates fully before changing anything, so a refused mutation leaves the model unchanged.
 */
final class ReferenceModel
{
    /**
     * One extent of an owner: file bytes {@code [fileOffset, fileOffset + length)} on device bytes
     * {@code [deviceOffset, deviceOffset + length)}, with stored flags.
     */
    record Extent(long fileOffset, long deviceOffset, long length, int flags)
    {
        long fileEnd()
        {
            return fileOffset + length;
        }

        long deviceEnd()
        {
            return deviceOffset + length;
        }
    }

    /**
     * A reported record, ordered by the scan key (device offset, owner unsigned, file offset unsigned), then length, flags.
     */
    record Rec(long deviceOffset, long length, long owner, long fileOffset, int flags) implements Comparable<Rec>
    {
        @Override
        public int compareTo(final Rec o)
        {
            int c = Long.compare(deviceOffset, o.deviceOffset);
            if (c == 0)
            {
                c = Long.compareUnsigned(owner, o.owner);
            }
            if (c == 0)
            {
                c = Long.compareUnsigned(fileOffset, o.fileOffset);
            }
            if (c == 0)
            {
                c = Long.compare(length, o.length);
            }
            if (c == 0)
            {
                c = Integer.compare(flags, o.flags);
            }
            return c;
        }

        int compareKey(final long dev, final long own, final long file)
        {
            int c = Long.compare(deviceOffset, dev);
            if (c == 0)
            {
                c = Long.compareUnsigned(owner, own);
            }
            if (c == 0)
            {
                c = Long.compareUnsigned(fileOffset, file);
            }
            return c;
        }

        long deviceEnd()
        {
            return deviceOffset + length;
        }

        @Override
        public String toString()
        {
            return "[dev=" + deviceOffset + " len=" + length + " " + Owner.toString(owner) + " file=" + fileOffset +
                " flags=0x" + Integer.toHexString(flags) + "]";
        }
    }

    /**
     * One {@link PageVisitor#onAddressSpace} call.
     */
    record AddressSpace(long inode, long pgoff, long pgcnt, int flags) implements Comparable<AddressSpace>
    {
        @Override
        public int compareTo(final AddressSpace o)
        {
            int c = Long.compare(inode, o.inode);
            if (c == 0)
            {
                c = Long.compare(pgoff, o.pgoff);
            }
            if (c == 0)
            {
                c = Long.compare(pgcnt, o.pgcnt);
            }
            if (c == 0)
            {
                c = Integer.compare(flags, o.flags);
            }
            return c;
        }
    }

    /**
     * One {@link PageVisitor#onOtherOwner} call.
     */
    record OtherOwner(long owner, long deviceOffset, long length, long fileOffset, int flags)
        implements Comparable<OtherOwner>
    {
        @Override
        public int compareTo(final OtherOwner o)
        {
            return new Rec(deviceOffset, length, owner, fileOffset, flags)
                .compareTo(new Rec(o.deviceOffset, o.length, o.owner, o.fileOffset, o.flags));
        }

        @Override
        public String toString()
        {
            return "Other[" + Owner.toString(owner) + " dev=" + deviceOffset + " len=" + length + " file=" +
                fileOffset + " flags=0x" + Integer.toHexString(flags) + "]";
        }
    }

    /**
     * The whole answer of a page query: the returned device offset and the calls, each list sorted.
     */
    record PageAnswer(long deviceOffset, List<AddressSpace> addressSpaces, List<OtherOwner> others)
    {
    }

    private static final Comparator<Long> UNSIGNED = Long::compareUnsigned;

    private final DeviceGeometry geometry;
    private final TreeMap<Long, TreeMap<Long, Extent>> owners;
    private long committedBatches;

    private List<Rec> sortedRecords;
    private TreeMap<Long, Integer> dataRefs;
    private List<Rec> freeRuns;

    ReferenceModel(final DeviceGeometry geometry)
    {
        this.geometry = geometry;
        this.owners = new TreeMap<>(UNSIGNED);
    }

    private ReferenceModel(final ReferenceModel other)
    {
        this.geometry = other.geometry;
        this.owners = new TreeMap<>(UNSIGNED);
        for (final Map.Entry<Long, TreeMap<Long, Extent>> e : other.owners.entrySet())
        {
            owners.put(e.getKey(), new TreeMap<>(e.getValue()));
        }
        this.committedBatches = other.committedBatches;
    }

    /**
     * A deep copy (extents are immutable, so copying the maps suffices).
     */
    ReferenceModel copy()
    {
        return new ReferenceModel(this);
    }

    /**
     * Replace this model's state by a copy's: emulates aborting a batch.
     */
    void restore(final ReferenceModel snapshot)
    {
        owners.clear();
        for (final Map.Entry<Long, TreeMap<Long, Extent>> e : snapshot.owners.entrySet())
        {
            owners.put(e.getKey(), new TreeMap<>(e.getValue()));
        }
        committedBatches = snapshot.committedBatches;
        invalidate();
    }

    DeviceGeometry geometry()
    {
        return geometry;
    }

    void countCommit()
    {
        committedBatches++;
    }

    long committedBatches()
    {
        return committedBatches;
    }

    /**
     * The owners holding at least one extent, in unsigned order.
     */
    List<Long> owners()
    {
        return new ArrayList<>(owners.keySet());
    }

    /**
     * An owner's extents in key order (file offset, or device offset for owners without file offsets).
     */
    List<Extent> extents(final long owner)
    {
        final TreeMap<Long, Extent> m = owners.get(owner);
        return m == null ? List.of() : new ArrayList<>(m.values());
    }

    // ------------------------------------------------------------------------------------------------ mutations

    void map(final long owner, final long fileOffset, final long deviceOffset, final long length, final int flags)
    {
        checkRange("fileOffset", fileOffset, length);
        checkDeviceRange(deviceOffset, length);
        requireForkOwner(owner);
        checkFlags(flags);
        if (!deviceFree(deviceOffset, length, false))
        {
            throw fail("device range not free: deviceOffset=" + deviceOffset + " length=" + length);
        }
        if (fileAnyMapped(owner, fileOffset, length))
        {
            throw fail("file range already mapped: owner=" + Owner.toString(owner) + " fileOffset=" + fileOffset);
        }
        add(owner, new Extent(fileOffset, deviceOffset, length, flags));
    }

    void insert(final long owner, final long fileOffset, final long deviceOffset, final long length, final int flags)
    {
        checkRange("fileOffset", fileOffset, length);
        checkDeviceRange(deviceOffset, length);
        checkFlags(flags);
        if (owner == Owner.FREE)
        {
            throw fail("free space cannot be inserted: owner=" + Owner.toString(owner));
        }
        final boolean data = Owner.isFileData(owner);
        if (Owner.hasFileOffset(owner))
        {
            if (fileAnyMapped(owner, fileOffset, length))
            {
                throw fail("file range already mapped: owner=" + Owner.toString(owner) + " fileOffset=" + fileOffset);
            }
        }
        else if (fileOffset != 0)
        {
            throw fail("owner without file offsets needs fileOffset=0: fileOffset=" + fileOffset);
        }
        if (!deviceFree(deviceOffset, length, data))
        {
            throw fail("device range not free: deviceOffset=" + deviceOffset + " length=" + length);
        }
        add(owner, new Extent(Owner.hasFileOffset(owner) ? fileOffset : 0, deviceOffset, length, flags));
    }

    void allocMetadata(final long owner, final long deviceOffset, final long length)
    {
        checkDeviceRange(deviceOffset, length);
        requireMetadataOwner(owner);
        if (!deviceFree(deviceOffset, length, false))
        {
            throw fail("device range not free: deviceOffset=" + deviceOffset + " length=" + length);
        }
        add(owner, new Extent(0, deviceOffset, length, 0));
    }

    void freeMetadata(final long owner, final long deviceOffset, final long length)
    {
        checkDeviceRange(deviceOffset, length);
        requireMetadataOwner(owner);
        final TreeMap<Long, Extent> m = owners.get(owner);
        if (m == null || !covered(m.values(), deviceOffset, deviceOffset + length, false))
        {
            throw fail("device range not held by owner: owner=" + Owner.toString(owner) + " deviceOffset=" +
                deviceOffset + " length=" + length);
        }
        removeRange(owner, deviceOffset, deviceOffset + length, false);
        changed(owner);
    }

    void unmap(final long owner, final long fileOffset, final long length)
    {
        checkRange("fileOffset", fileOffset, length);
        requireForkOwner(owner);
        requireFileMapped(owner, fileOffset, length);
        removeRange(owner, fileOffset, fileOffset + length, true);
        changed(owner);
    }

    void truncate(final long owner, final long size)
    {
        requireForkOwner(owner);
        if (size < 0)
        {
            throw fail("size must not be negative: size=" + size);
        }
        removeRange(owner, size, Long.MAX_VALUE, true);
        changed(owner);
    }

    void reflink(final long src, final long srcOffset, final long dst, final long dstOffset, final long length)
    {
        checkReflink(src, srcOffset, dst, dstOffset, length);
        remap(src, srcOffset, dst, dstOffset, length);
    }

    void dedupe(final long src, final long srcOffset, final long dst, final long dstOffset, final long length)
    {
        checkReflink(src, srcOffset, dst, dstOffset, length);
        requireFileMapped(src, srcOffset, length);
        requireFileMapped(dst, dstOffset, length);
        remap(src, srcOffset, dst, dstOffset, length);
    }

    void cowRemap(final long owner, final long fileOffset, final long length, final long newDeviceOffset)
    {
        checkRange("fileOffset", fileOffset, length);
        checkDeviceRange(newDeviceOffset, length);
        requireDataOwner(owner);
        requireFileMapped(owner, fileOffset, length);
        if (!deviceFree(newDeviceOffset, length, false))
        {
            throw fail("new device range not free: newDeviceOffset=" + newDeviceOffset + " length=" + length);
        }
        removeRange(owner, fileOffset, fileOffset + length, true);
        add(owner, new Extent(fileOffset, newDeviceOffset, length, 0));
    }

    void convertUnwritten(final long owner, final long fileOffset, final long length)
    {
        checkRange("fileOffset", fileOffset, length);
        requireForkOwner(owner);
        requireFileMapped(owner, fileOffset, length);
        final long end = fileOffset + length;
        final List<Extent> pieces = new ArrayList<>();
        for (final Extent e : owners.get(owner).values())
        {
            if (e.fileOffset() < end && e.fileEnd() > fileOffset)
            {
                final long s = Math.max(e.fileOffset(), fileOffset);
                final long t = Math.min(e.fileEnd(), end);
                pieces.add(new Extent(s, e.deviceOffset() + (s - e.fileOffset()), t - s, 0));
            }
        }
        removeRange(owner, fileOffset, end, true);
        for (final Extent p : pieces)
        {
            owners.get(owner).put(p.fileOffset(), p);
        }
        changed(owner);
    }

    private void checkReflink(
        final long src, final long srcOffset, final long dst, final long dstOffset, final long length)
    {
        checkRange("srcOffset", srcOffset, length);
        checkRange("dstOffset", dstOffset, length);
        requireDataOwner(src);
        requireDataOwner(dst);
        if (src == dst && srcOffset < dstOffset + length && dstOffset < srcOffset + length)
        {
            throw fail("overlapping ranges of one file: srcOffset=" + srcOffset + " dstOffset=" + dstOffset +
                " length=" + length);
        }
    }

    private void remap(final long src, final long srcOffset, final long dst, final long dstOffset, final long length)
    {
        final long end = srcOffset + length;
        final List<Extent> pieces = new ArrayList<>();
        for (final Extent e : extents(src))
        {
            if (e.fileOffset() < end && e.fileEnd() > srcOffset && (e.flags() & MappingFlags.UNWRITTEN) == 0)
            {
                final long s = Math.max(e.fileOffset(), srcOffset);
                final long t = Math.min(e.fileEnd(), end);
                pieces.add(new Extent(s - srcOffset + dstOffset, e.deviceOffset() + (s - e.fileOffset()), t - s, 0));
            }
        }
        removeRange(dst, dstOffset, dstOffset + length, true);
        final TreeMap<Long, Extent> m = owners.computeIfAbsent(dst, k -> new TreeMap<>());
        for (final Extent p : pieces)
        {
            m.put(p.fileOffset(), p);
        }
        changed(dst);
    }

    // ----------------------------------------------------------------------------------------------- validation

    private static InvalidMutationException fail(final String message)
    {
        return new InvalidMutationException(message);
    }

    private static void checkRange(final String name, final long offset, final long length)
    {
        if (length <= 0)
        {
            throw fail("length must be positive: length=" + length);
        }
        if (offset < 0)
        {
            throw fail(name + " must not be negative: " + name + "=" + offset);
        }
        if (offset + length < 0)
        {
            throw fail("range overflows: " + name + "=" + offset + " length=" + length);
        }
    }

    private void checkDeviceRange(final long deviceOffset, final long length)
    {
        checkRange("deviceOffset", deviceOffset, length);
        if (deviceOffset + length > geometry.size())
        {
            throw fail("range past device end: deviceOffset=" + deviceOffset + " length=" + length + " size=" +
                geometry.size());
        }
    }

    private static void checkFlags(final int flags)
    {
        if ((flags & ~MappingFlags.STORED) != 0)
        {
            throw fail("flags not storable: flags=0x" + Integer.toHexString(flags));
        }
    }

    private static void requireForkOwner(final long owner)
    {
        if (!Owner.hasFileOffset(owner))
        {
            throw fail("owner must be a data or attr fork: owner=" + Owner.toString(owner));
        }
    }

    private static void requireDataOwner(final long owner)
    {
        if (!Owner.isFileData(owner))
        {
            throw fail("owner must be a data fork: owner=" + Owner.toString(owner));
        }
    }

    private static void requireMetadataOwner(final long owner)
    {
        final int kind = Owner.kind(owner);
        final boolean ok = kind == Owner.KIND_DATA_BMBT || kind == Owner.KIND_ATTR_BMBT ||
            (kind == Owner.KIND_SPECIAL && owner != Owner.FREE);
        if (!ok)
        {
            throw fail("owner must be a bmbt or special owner: owner=" + Owner.toString(owner));
        }
    }

    private void requireFileMapped(final long owner, final long fileOffset, final long length)
    {
        final TreeMap<Long, Extent> m = owners.get(owner);
        if (m == null || !covered(m.values(), fileOffset, fileOffset + length, true))
        {
            throw fail("file range not entirely mapped: owner=" + Owner.toString(owner) + " fileOffset=" +
                fileOffset + " length=" + length);
        }
    }

    /**
     * Whether the extents (in key order) cover every byte of {@code [start, end)}, in file or device coordinates.
     */
    private static boolean covered(final Iterable<Extent> extents, final long start, final long end, final boolean file)
    {
        long next = start;
        for (final Extent e : extents)
        {
            final long s = file ? e.fileOffset() : e.deviceOffset();
            final long t = s + e.length();
            if (t <= next)
            {
                continue;
            }
            if (s > next)
            {
                return false;
            }
            next = t;
            if (next >= end)
            {
                return true;
            }
        }
        return next >= end;
    }

    private boolean fileAnyMapped(final long owner, final long fileOffset, final long length)
    {
        final TreeMap<Long, Extent> m = owners.get(owner);
        if (m == null)
        {
            return false;
        }
        final long end = fileOffset + length;
        for (final Extent e : m.values())
        {
            if (e.fileOffset() < end && e.fileEnd() > fileOffset)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether no owner holds a byte of the device range; with {@code dataAllowed}, whether only data forks do.
     */
    private boolean deviceFree(final long deviceOffset, final long length, final boolean dataAllowed)
    {
        final long end = deviceOffset + length;
        for (final Map.Entry<Long, TreeMap<Long, Extent>> o : owners.entrySet())
        {
            if (dataAllowed && Owner.isFileData(o.getKey()))
            {
                continue;
            }
            for (final Extent e : o.getValue().values())
            {
                if (e.deviceOffset() < end && e.deviceEnd() > deviceOffset)
                {
                    return false;
                }
            }
        }
        return true;
    }

    // ------------------------------------------------------------------------------------------------ state change

    private void add(final long owner, final Extent extent)
    {
        final TreeMap<Long, Extent> m = owners.computeIfAbsent(owner, k -> new TreeMap<>());
        m.put(Owner.hasFileOffset(owner) ? extent.fileOffset() : extent.deviceOffset(), extent);
        changed(owner);
    }

    /**
     * Remove {@code [start, end)} (file coordinates when {@code file}, else device coordinates) from an owner.
     */
    private void removeRange(final long owner, final long start, final long end, final boolean file)
    {
        final TreeMap<Long, Extent> m = owners.get(owner);
        if (m == null)
        {
            return;
        }
        for (final Extent e : new ArrayList<>(m.values()))
        {
            final long s = file ? e.fileOffset() : e.deviceOffset();
            final long t = s + e.length();
            if (t <= start || s >= end)
            {
                continue;
            }
            m.remove(s);
            if (s < start)
            {
                m.put(s, new Extent(e.fileOffset(), e.deviceOffset(), start - s, e.flags()));
            }
            if (t > end)
            {
                final long cut = end - s;
                final Extent tail = new Extent(file ? e.fileOffset() + cut : e.fileOffset(), e.deviceOffset() + cut,
                    t - end, e.flags());
                m.put(end, tail);
            }
        }
    }

    /**
     * Canonicalise one owner's extents: merge neighbours contiguous in file (when it has file offsets) and device
     * with equal flags; drop the owner when it holds nothing.
     */
    private void changed(final long owner)
    {
        invalidate();
        final TreeMap<Long, Extent> m = owners.get(owner);
        if (m == null)
        {
            return;
        }
        if (m.isEmpty())
        {
            owners.remove(owner);
            return;
        }
        final boolean file = Owner.hasFileOffset(owner);
        final List<Extent> merged = new ArrayList<>();
        for (final Extent e : m.values())
        {
            final Extent last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
            if (last != null && last.deviceEnd() == e.deviceOffset() && last.flags() == e.flags() &&
                (!file || last.fileEnd() == e.fileOffset()))
            {
                merged.set(merged.size() - 1,
                    new Extent(last.fileOffset(), last.deviceOffset(), last.length() + e.length(), last.flags()));
            }
            else
            {
                merged.add(e);
            }
        }
        m.clear();
        for (final Extent e : merged)
        {
            m.put(file ? e.fileOffset() : e.deviceOffset(), e);
        }
    }

    private void invalidate()
    {
        sortedRecords = null;
        dataRefs = null;
        freeRuns = null;
    }

    // ------------------------------------------------------------------------------------------------ derived views

    /**
     * Every record with its stored flags, sorted by scan key.
     */
    List<Rec> records()
    {
        if (sortedRecords == null)
        {
            final List<Rec> all = new ArrayList<>();
            for (final Map.Entry<Long, TreeMap<Long, Extent>> o : owners.entrySet())
            {
                for (final Extent e : o.getValue().values())
                {
                    all.add(new Rec(e.deviceOffset(), e.length(), o.getKey(), e.fileOffset(), e.flags()));
                }
            }
            all.sort(null);
            sortedRecords = all;
        }
        return sortedRecords;
    }

    /**
     * Step function: key = device offset where the number of data references changes, value = the number from there.
     */
    private TreeMap<Long, Integer> dataRefs()
    {
        if (dataRefs == null)
        {
            final TreeMap<Long, Integer> delta = new TreeMap<>();
            for (final Rec r : records())
            {
                if (Owner.isFileData(r.owner()))
                {
                    delta.merge(r.deviceOffset(), 1, Integer::sum);
                    delta.merge(r.deviceEnd(), -1, Integer::sum);
                }
            }
            final TreeMap<Long, Integer> step = new TreeMap<>();
            int count = 0;
            for (final Map.Entry<Long, Integer> d : delta.entrySet())
            {
                count += d.getValue();
                step.put(d.getKey(), count);
            }
            dataRefs = step;
        }
        return dataRefs;
    }

    /**
     * Whether any device byte of {@code [start, end)} is held by two or more data references.
     */
    boolean shared(final long start, final long end)
    {
        final TreeMap<Long, Integer> step = dataRefs();
        final Map.Entry<Long, Integer> first = step.floorEntry(start);
        if (first != null && first.getValue() >= 2)
        {
            return true;
        }
        for (final int c : step.subMap(start, false, end, false).values())
        {
            if (c >= 2)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * The number of data references on one device byte.
     */
    int dataReferences(final long deviceOffset)
    {
        final Map.Entry<Long, Integer> e = dataRefs().floorEntry(deviceOffset);
        return e == null ? 0 : e.getValue();
    }

    /**
     * The maximal free runs of the device, as FREE records.
     */
    List<Rec> freeRuns()
    {
        if (freeRuns == null)
        {
            final List<Rec> runs = new ArrayList<>();
            long next = 0;
            for (final Rec r : records())
            {
                if (r.deviceOffset() > next)
                {
                    runs.add(new Rec(next, r.deviceOffset() - next, Owner.FREE, 0, MappingFlags.SPECIAL_OWNER));
                }
                next = Math.max(next, r.deviceEnd());
            }
            if (next < geometry.size())
            {
                runs.add(new Rec(next, geometry.size() - next, Owner.FREE, 0, MappingFlags.SPECIAL_OWNER));
            }
            freeRuns = runs;
        }
        return freeRuns;
    }

    private int reported(final Rec r, final long start, final long end)
    {
        return r.flags() | Owner.fmrFlags(r.owner()) | (shared(start, end) ? MappingFlags.SHARED : 0);
    }

    // ---------------------------------------------------------------------------------------------------- queries

    /**
     * byteQuery: every record overlapping {@code [offset, offset + length)}, clipped, sorted (by {@link Rec} order).
     */
    List<Rec> byteQuery(final long offset, final long length)
    {
        if (offset < 0 || length <= 0 || offset + length < 0 || offset + length > geometry.size())
        {
            throw new IllegalArgumentException("range outside device: offset=" + offset + " length=" + length);
        }
        final long end = offset + length;
        final List<Rec> out = new ArrayList<>();
        for (final Rec r : records())
        {
            if (r.deviceOffset() < end && r.deviceEnd() > offset)
            {
                final long s = Math.max(r.deviceOffset(), offset);
                final long t = Math.min(r.deviceEnd(), end);
                final long file = Owner.hasFileOffset(r.owner()) ? r.fileOffset() + (s - r.deviceOffset()) : 0;
                out.add(new Rec(s, t - s, r.owner(), file, reported(r, s, t)));
            }
        }
        out.sort(null);
        return out;
    }

    /**
     * scan: records and free runs overlapping {@code [low, high]} (inclusive), unclipped, in scan key order.
     */
    List<Rec> scan(final long low, final long high)
    {
        final List<Rec> out = new ArrayList<>();
        for (final Rec r : records())
        {
            if (r.deviceOffset() <= high && r.deviceEnd() - 1 >= low)
            {
                out.add(new Rec(r.deviceOffset(), r.length(), r.owner(), r.fileOffset(),
                    reported(r, r.deviceOffset(), r.deviceEnd())));
            }
        }
        for (final Rec r : freeRuns())
        {
            if (r.deviceOffset() <= high && r.deviceEnd() - 1 >= low)
            {
                out.add(r);
            }
        }
        out.sort(null);
        return out;
    }

    /**
     * scanAfter: the records of {@code scan(deviceOffset, highDevice)} whose key is strictly greater.
     */
    List<Rec> scanAfter(final long deviceOffset, final long owner, final long fileOffset, final long highDevice)
    {
        final List<Rec> out = new ArrayList<>();
        for (final Rec r : scan(deviceOffset, highDevice))
        {
            if (r.compareKey(deviceOffset, owner, fileOffset) > 0)
            {
                out.add(r);
            }
        }
        return out;
    }

    /**
     * pageQuery: the answer for one pfn.
     */
    PageAnswer pageQuery(final long pfn, final Pagemap pagemap)
    {
        final long devOff = pagemap.locate(pfn);
        if (devOff < 0)
        {
            return new PageAnswer(devOff, List.of(), List.of());
        }
        if (devOff >= geometry.size())
        {
            return new PageAnswer(Pagemap.OUTSIDE, List.of(), List.of());
        }
        final long end = Math.min(devOff + pagemap.pageSize(), geometry.size());
        final int shift = pagemap.pageShift();
        final List<AddressSpace> rows = new ArrayList<>();
        final List<OtherOwner> others = new ArrayList<>();
        for (final Rec r : records())
        {
            if (r.deviceOffset() >= end || r.deviceEnd() <= devOff)
            {
                continue;
            }
            final long s = Math.max(r.deviceOffset(), devOff);
            final long t = Math.min(r.deviceEnd(), end);
            final long file = Owner.hasFileOffset(r.owner()) ? r.fileOffset() + (s - r.deviceOffset()) : 0;
            if (Owner.isFileData(r.owner()))
            {
                final long fileEnd = file + (t - s);
                final long pgoff = file >> shift;
                final long pgcnt = ((fileEnd - 1) >> shift) - pgoff + 1;
                final int flags = ((r.flags() & MappingFlags.UNWRITTEN) != 0 ? MappingFlags.UNWRITTEN : 0) |
                    (shared(s, t) ? MappingFlags.SHARED : 0);
                rows.add(new AddressSpace(Owner.inode(r.owner()), pgoff, pgcnt, flags));
            }
            else
            {
                others.add(new OtherOwner(r.owner(), s, t - s, file, reported(r, s, t)));
            }
        }
        // each file page of an inode once: rows of one inode whose page ranges overlap merge (unwritten if every
        // row is, shared if any is); rows that only touch stay apart
        rows.sort(null);
        final List<AddressSpace> as = new ArrayList<>();
        for (final AddressSpace row : rows)
        {
            final AddressSpace last = as.isEmpty() ? null : as.get(as.size() - 1);
            if (last != null && last.inode() == row.inode() && row.pgoff() < last.pgoff() + last.pgcnt())
            {
                final long pgend = Math.max(last.pgoff() + last.pgcnt(), row.pgoff() + row.pgcnt());
                final int flags = (last.flags() & row.flags() & MappingFlags.UNWRITTEN) |
                    ((last.flags() | row.flags()) & MappingFlags.SHARED);
                as.set(as.size() - 1, new AddressSpace(last.inode(), last.pgoff(), pgend - last.pgoff(), flags));
            }
            else
            {
                as.add(row);
            }
        }
        as.sort(null);
        others.sort(null);
        return new PageAnswer(devOff, as, others);
    }

    /**
     * forward: the owner's records overlapping the file range, clipped, in file order, stored flags only.
     */
    List<Extent> forward(final long owner, final long fileOffset, final long length)
    {
        final long end = fileOffset + length;
        final List<Extent> out = new ArrayList<>();
        for (final Extent e : extents(owner))
        {
            if (e.fileOffset() < end && e.fileEnd() > fileOffset)
            {
                final long s = Math.max(e.fileOffset(), fileOffset);
                final long t = Math.min(e.fileEnd(), end);
                out.add(new Extent(s, e.deviceOffset() + (s - e.fileOffset()), t - s, e.flags()));
            }
        }
        return out;
    }

    // -------------------------------------------------------------------------------------------- self checks

    /**
     * Check the model's own invariants; returns a description of the first violation or null.
     */
    String checkInvariants()
    {
        for (final Map.Entry<Long, TreeMap<Long, Extent>> o : owners.entrySet())
        {
            final long owner = o.getKey();
            final boolean file = Owner.hasFileOffset(owner);
            if (o.getValue().isEmpty())
            {
                return "empty owner kept: " + Owner.toString(owner);
            }
            Extent prev = null;
            for (final Map.Entry<Long, Extent> x : o.getValue().entrySet())
            {
                final Extent e = x.getValue();
                if (x.getKey() != (file ? e.fileOffset() : e.deviceOffset()) || e.length() <= 0 ||
                    e.deviceOffset() < 0 || e.deviceEnd() > geometry.size() || (!file && e.fileOffset() != 0))
                {
                    return "bad extent " + e + " of " + Owner.toString(owner);
                }
                if (prev != null)
                {
                    final long prevEnd = file ? prev.fileEnd() : prev.deviceEnd();
                    final long start = file ? e.fileOffset() : e.deviceOffset();
                    if (prevEnd > start)
                    {
                        return "overlap " + prev + " " + e + " of " + Owner.toString(owner);
                    }
                    if (prevEnd == start && prev.deviceEnd() == e.deviceOffset() && prev.flags() == e.flags())
                    {
                        return "not canonical " + prev + " " + e + " of " + Owner.toString(owner);
                    }
                }
                prev = e;
            }
        }
        final List<Rec> nonData = new ArrayList<>();
        for (final Rec r : records())
        {
            if (!Owner.isFileData(r.owner()))
            {
                nonData.add(r);
            }
        }
        for (final Rec r : nonData)
        {
            for (final Rec q : records())
            {
                if (q != r && q.deviceOffset() < r.deviceEnd() && q.deviceEnd() > r.deviceOffset())
                {
                    return "device overlap with non-data " + r + " " + q;
                }
            }
        }
        return null;
    }
}
