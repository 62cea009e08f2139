package io.daxrmap.index;

import io.daxrmap.index.ReferenceModel.Extent;
import io.daxrmap.index.ReferenceModel.Rec;
import io.daxrmap.index.ReverseIndexPropertyTest.Kind;
import io.daxrmap.index.ReverseIndexPropertyTest.Op;
import io.daxrmap.index.ReverseIndexPropertyTest.Profile;
import io.daxrmap.model.DeviceGeometry;
import io.daxrmap.model.MappingFlags;
import io.daxrmap.model.Owner;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Generates operations from the model's current state: mostly valid ones that exercise sharing, plus
 * deliberately invalid ones.
 */
final class OpGenerator
{
    private static final long[] SPECIALS = {
        Owner.XFS_FS, Owner.XFS_LOG, Owner.XFS_AG, Owner.XFS_INOBT, Owner.XFS_INODES, Owner.XFS_REFC,
        Owner.XFS_COW, Owner.XFS_DEFECTIVE, Owner.UNKNOWN, Owner.METADATA};

    private final Random rnd;
    private final DeviceGeometry geometry;
    private final Profile profile;
    private final long unit;
    private final long block;
    private final long fileSpan;
    private final long[] files;
    private final long[] clones;
    private final long[] attrs;
    private final long[] metadata;

    OpGenerator(final Random rnd, final DeviceGeometry geometry, final Profile profile)
    {
        this.rnd = rnd;
        this.geometry = geometry;
        this.profile = profile;
        this.block = geometry.blockSize();
        this.unit = profile == Profile.UNALIGNED ? new long[] {1, 8, 64, 512}[rnd.nextInt(4)] : block;
        this.fileSpan = block * (profile == Profile.MANY_SHARERS ? 4 + rnd.nextInt(5) : 16 + rnd.nextInt(64));
        final int fileCount = profile == Profile.MANY_SHARERS ? 1 + rnd.nextInt(2) :
            profile == Profile.CLONES ? 2 + rnd.nextInt(3) : 3 + rnd.nextInt(6);
        files = new long[fileCount];
        for (int i = 0; i < fileCount; i++)
        {
            files[i] = Owner.data(i == 0 ? Owner.MAX_INODE : i == 1 ? (1L << 40) + 3 : 100 + i);
        }
        final int cloneCount = profile == Profile.MANY_SHARERS ? 200 + rnd.nextInt(400) :
            profile == Profile.CLONES ? 20 + rnd.nextInt(60) : 4 + rnd.nextInt(8);
        clones = new long[cloneCount];
        for (int i = 0; i < cloneCount; i++)
        {
            clones[i] = Owner.data(1000 + i);
        }
        attrs = new long[] {Owner.attr(101), Owner.attr(102), Owner.attr(Owner.MAX_INODE)};
        metadata = new long[] {
            Owner.dataBmbt(101), Owner.dataBmbt(102), Owner.attrBmbt(101), Owner.dataBmbt(Owner.MAX_INODE),
            SPECIALS[rnd.nextInt(SPECIALS.length)], SPECIALS[rnd.nextInt(SPECIALS.length)],
            SPECIALS[rnd.nextInt(SPECIALS.length)]};
    }

    List<Op> next(final ReferenceModel m)
    {
        final int pick = rnd.nextInt(100);
        if (profile == Profile.MANY_SHARERS)
        {
            if (pick < 12)
            {
                return cloneMany(m);
            }
            if (pick < 35)
            {
                return List.of(cowRemap(m, true));
            }
            if (pick < 50)
            {
                return List.of(punch(m, true));
            }
            if (pick < 55)
            {
                return List.of(new Op(Kind.TRUNCATE, clones[rnd.nextInt(clones.length)],
                    align(randomBelow(fileSpan)), 0, 0, 0));
            }
        }
        if (profile == Profile.CLONES)
        {
            if (pick < 10)
            {
                return cloneMany(m);
            }
            if (pick < 25)
            {
                return List.of(cowRemap(m, true));
            }
            if (pick < 35)
            {
                return List.of(punch(m, true));
            }
        }
        if (pick < 14)
        {
            return List.of(map(m, anyData(), rnd.nextInt(4) == 0 ? MappingFlags.UNWRITTEN : 0));
        }
        if (pick < 17)
        {
            final int flags = rnd.nextInt(8) == 0 ? MappingFlags.UNWRITTEN : 0;
            return List.of(map(m, attrs[rnd.nextInt(attrs.length)], flags));
        }
        if (pick < 22)
        {
            return List.of(insertShared(m));
        }
        if (pick < 24)
        {
            return List.of(insertMetadata(m));
        }
        if (pick < 28)
        {
            return List.of(allocMetadata(m));
        }
        if (pick < 31)
        {
            return List.of(freeMetadata(m));
        }
        if (pick < 39)
        {
            return List.of(punch(m, rnd.nextBoolean()));
        }
        if (pick < 42)
        {
            return List.of(truncate(m));
        }
        if (pick < 48)
        {
            return List.of(reflink(m, false));
        }
        if (pick < 51)
        {
            return cloneMany(m);
        }
        if (pick < 54)
        {
            return List.of(reflink(m, true));
        }
        if (pick < 58)
        {
            return List.of(dedupe(m));
        }
        if (pick < 68)
        {
            return List.of(cowRemap(m, rnd.nextBoolean()));
        }
        if (pick < 73)
        {
            return List.of(convert(m));
        }
        if (pick < 75)
        {
            return List.of(edge(m));
        }
        return pick < 82 ? List.of(invalid(m)) : List.of(map(m, anyData(), 0));
    }

    // ------------------------------------------------------------------------------------------ valid-intent

    private Op map(final ReferenceModel m, final long owner, final int flags)
    {
        final long[] dev = freeRange(m, maxLen());
        final long len = dev[1];
        return new Op(Kind.MAP, owner, hole(m, owner, len), dev[0], len, flags);
    }

    private Op insertShared(final ReferenceModel m)
    {
        final long owner = anyData();
        final long[] dev = rnd.nextInt(4) == 0 ? freeRange(m, maxLen()) : dataRange(m);
        return new Op(Kind.INSERT, owner, hole(m, owner, dev[1]), dev[0], dev[1],
            rnd.nextInt(6) == 0 ? MappingFlags.UNWRITTEN : 0);
    }

    private Op insertMetadata(final ReferenceModel m)
    {
        final long[] dev = freeRange(m, maxLen());
        if (rnd.nextInt(3) == 0)
        {
            final long owner = attrs[rnd.nextInt(attrs.length)];
            return new Op(Kind.INSERT, owner, hole(m, owner, dev[1]), dev[0], dev[1], 0);
        }
        return new Op(Kind.INSERT, metadata[rnd.nextInt(metadata.length)], 0, dev[0], dev[1], 0);
    }

    private Op allocMetadata(final ReferenceModel m)
    {
        final long[] dev = freeRange(m, rnd.nextBoolean() ? block : maxLen());
        return new Op(Kind.ALLOC_METADATA, metadata[rnd.nextInt(metadata.length)], dev[0], dev[1], 0, 0);
    }

    private Op freeMetadata(final ReferenceModel m)
    {
        final List<Rec> meta = new ArrayList<>();
        for (final Rec r : m.records())
        {
            if (!Owner.hasFileOffset(r.owner()))
            {
                meta.add(r);
            }
        }
        if (meta.isEmpty())
        {
            return allocMetadata(m);
        }
        final Rec r = meta.get(rnd.nextInt(meta.size()));
        final long[] sub = subRange(r.deviceOffset(), r.length());
        return new Op(Kind.FREE_METADATA, r.owner(), sub[0], sub[1], 0, 0);
    }

    private Op punch(final ReferenceModel m, final boolean preferShared)
    {
        final long[] range = mappedRange(m, forkOwnerWithData(m, preferShared), preferShared);
        return new Op(Kind.UNMAP, range[2], range[0], range[1], 0, 0);
    }

    private Op truncate(final ReferenceModel m)
    {
        final long owner = forkOwnerWithData(m, false);
        final long size = switch (rnd.nextInt(4))
        {
            case 0 -> 0;
            case 1 -> Long.MAX_VALUE;
            default -> align(randomBelow(fileSpan + block));
        };
        return new Op(Kind.TRUNCATE, owner, size, 0, 0, 0);
    }

    private Op reflink(final ReferenceModel m, final boolean self)
    {
        final long src = dataOwnerWithData(m);
        final long length = Math.max(unit, align(1 + randomBelow(rnd.nextBoolean() ? fileSpan / 2 : 4 * block)));
        final long srcOffset = align(randomBelow(fileSpan));
        if (self)
        {
            long dstOffset = rnd.nextBoolean() ? srcOffset + length + align(randomBelow(fileSpan)) :
                srcOffset - length - align(randomBelow(fileSpan));
            if (dstOffset < 0)
            {
                dstOffset = srcOffset + length;
            }
            if (rnd.nextInt(3) == 0)
            {
                dstOffset = srcOffset + (1L << 20);
            }
            return new Op(Kind.REFLINK, src, srcOffset, src, dstOffset, length);
        }
        final long dst = rnd.nextBoolean() ? anyData() : clones[rnd.nextInt(clones.length)];
        return new Op(Kind.REFLINK, src, srcOffset, dst, align(randomBelow(fileSpan)), length);
    }

    private List<Op> cloneMany(final ReferenceModel m)
    {
        final long src = dataOwnerWithData(m);
        final int n = 1 + rnd.nextInt(profile.cloning() ? clones.length : 6);
        final List<Op> ops = new ArrayList<>();
        final int first = rnd.nextInt(clones.length);
        for (int i = 0; i < n; i++)
        {
            final long dst = clones[(first + i) % clones.length];
            if (dst != src)
            {
                ops.add(new Op(Kind.REFLINK, src, 0, dst, 0, fileSpan * 2));
            }
        }
        return ops.isEmpty() ? List.of(reflink(m, false)) : ops;
    }

    private Op dedupe(final ReferenceModel m)
    {
        final long[] a = mappedRange(m, dataOwnerWithData(m), false);
        final long dst = dataOwnerWithData(m);
        final List<Extent> ext = m.extents(dst);
        long dstOffset = align(randomBelow(fileSpan));
        if (!ext.isEmpty())
        {
            final Extent e = ext.get(rnd.nextInt(ext.size()));
            dstOffset = e.fileOffset();
        }
        long length = a[1];
        if (!ext.isEmpty() && rnd.nextInt(3) != 0)
        {
            final List<Extent> fwd = m.forward(dst, dstOffset, Long.MAX_VALUE - dstOffset);
            long end = dstOffset;
            for (final Extent e : fwd)
            {
                if (e.fileOffset() != end)
                {
                    break;
                }
                end = e.fileEnd();
            }
            length = Math.max(unit, Math.min(length, end - dstOffset));
        }
        return new Op(Kind.DEDUPE, a[2], a[0], dst, dstOffset, length);
    }

    private Op cowRemap(final ReferenceModel m, final boolean preferShared)
    {
        final long owner = dataOwnerWithData(m);
        final long[] range = mappedRange(m, owner, preferShared);
        final long[] dev = freeRange(m, range[1]);
        final long length = rnd.nextInt(5) == 0 ? range[1] : Math.min(range[1], dev[1]);
        return new Op(Kind.COW_REMAP, range[2], range[0], length, dev[0], 0);
    }

    private Op convert(final ReferenceModel m)
    {
        final List<long[]> unwritten = new ArrayList<>();
        for (final long owner : m.owners())
        {
            if (Owner.hasFileOffset(owner))
            {
                for (final Extent e : m.extents(owner))
                {
                    if ((e.flags() & MappingFlags.UNWRITTEN) != 0)
                    {
                        unwritten.add(new long[] {owner, e.fileOffset(), e.length()});
                    }
                }
            }
        }
        if (unwritten.isEmpty())
        {
            final long[] range = mappedRange(m, forkOwnerWithData(m, false), false);
            return new Op(Kind.CONVERT_UNWRITTEN, range[2], range[0], range[1], 0, 0);
        }
        final long[] u = unwritten.get(rnd.nextInt(unwritten.size()));
        final long[] sub = rnd.nextInt(3) == 0 ? new long[] {u[1], u[2]} : subRange(u[1], u[2]);
        return new Op(Kind.CONVERT_UNWRITTEN, u[0], sub[0], sub[1], 0, 0);
    }

    /**
     * Valid but extreme arguments: file ranges ending at Long.MAX_VALUE, whole-device operations.
     */
    private Op edge(final ReferenceModel m)
    {
        final long[] dev = freeRange(m, maxLen());
        return switch (rnd.nextInt(4))
        {
            case 0 -> new Op(Kind.MAP, anyData(), Long.MAX_VALUE - dev[1], dev[0], dev[1], 0);
            case 1 -> new Op(Kind.REFLINK, dataOwnerWithData(m), 0, anyData(), Long.MAX_VALUE - fileSpan, fileSpan);
            case 2 -> new Op(Kind.TRUNCATE, anyData(), Long.MAX_VALUE - 1, 0, 0, 0);
            default -> new Op(Kind.UNMAP, anyData(), 0, Long.MAX_VALUE, 0, 0);
        };
    }

    // -------------------------------------------------------------------------------------------- invalid

    private Op invalid(final ReferenceModel m)
    {
        final long size = geometry.size();
        final List<Rec> recs = m.records();
        final Rec some = recs.isEmpty() ? null : recs.get(rnd.nextInt(recs.size()));
        switch (rnd.nextInt(22))
        {
            case 0:
                if (some != null)
                {
                    return new Op(Kind.MAP, anyData(), align(randomBelow(fileSpan)) + fileSpan * 4,
                        some.deviceOffset(), Math.min(some.length(), unit), 0);
                }
                return new Op(Kind.MAP, anyData(), 0, size - unit, 2 * unit, 0);
            case 1:
            {
                final long[] r = mappedRange(m, forkOwnerWithData(m, false), false);
                final long[] dev = freeRange(m, r[1]);
                return new Op(Kind.MAP, r[2], r[0], dev[0], Math.min(dev[1], r[1]), 0);
            }
            case 2:
                return new Op(Kind.MAP, anyData(), 0, size - unit / 2 - 1, unit + 1, 0);
            case 3:
                return new Op(Kind.MAP, anyData(), -unit, 0, unit, 0);
            case 4:
                return new Op(Kind.ALLOC_METADATA, metadata[0], -1, unit, 0, 0);
            case 5:
                return new Op(Kind.MAP, anyData(), 0, 0, rnd.nextBoolean() ? 0 : -unit, 0);
            case 6:
                return new Op(Kind.MAP, anyData(), Long.MAX_VALUE - unit + 1, freeRange(m, unit)[0], unit, 0);
            case 7:
                return new Op(Kind.REFLINK, dataOwnerWithData(m), 0, anyData(), Long.MAX_VALUE - 1, fileSpan);
            case 8:
                return new Op(Kind.COW_REMAP, dataOwnerWithData(m), 0, unit, Long.MAX_VALUE - 1, 0);
            case 9:
                return new Op(Kind.UNMAP, anyData(), hole(m, anyData(), unit), unit, 0, 0);
            case 10:
                if (some != null)
                {
                    return new Op(Kind.FREE_METADATA, metadata[rnd.nextInt(metadata.length)], some.deviceOffset(),
                        some.length(), 0, 0);
                }
                return new Op(Kind.FREE_METADATA, Owner.FREE, 0, unit, 0, 0);
            case 11:
                return new Op(Kind.INSERT, Owner.FREE, 0, freeRange(m, unit)[0], unit, 0);
            case 12:
                return new Op(Kind.INSERT, metadata[rnd.nextInt(metadata.length)], unit,
                    freeRange(m, unit)[0], unit, 0);
            case 13:
            {
                for (final Rec r : recs)
                {
                    if (!Owner.isFileData(r.owner()))
                    {
                        return new Op(Kind.INSERT, anyData(), fileSpan * 8, r.deviceOffset(), r.length(), 0);
                    }
                }
                return new Op(Kind.INSERT, anyData(), fileSpan * 8, size, unit, 0);
            }
            case 14:
                return new Op(Kind.MAP, anyData(), 0, freeRange(m, unit)[0], unit,
                    new int[] {MappingFlags.SHARED, MappingFlags.ATTR_FORK, MappingFlags.SPECIAL_OWNER, 0x40}
                        [rnd.nextInt(4)]);
            case 15:
                return new Op(Kind.MAP, metadata[rnd.nextInt(metadata.length)], 0, freeRange(m, unit)[0], unit, 0);
            case 16:
                return new Op(Kind.ALLOC_METADATA, rnd.nextBoolean() ? anyData() : attrs[0],
                    freeRange(m, unit)[0], unit, 0, 0);
            case 17:
            {
                final long src = dataOwnerWithData(m);
                final long off = align(randomBelow(fileSpan));
                final long len = Math.max(2 * unit, align(randomBelow(fileSpan)));
                return new Op(Kind.REFLINK, src, off, src, off + len / 2, len);
            }
            case 18:
                return new Op(Kind.DEDUPE, dataOwnerWithData(m), 0, anyData(), fileSpan * 3, fileSpan * 2);
            case 19:
            {
                final long[] r = mappedRange(m, dataOwnerWithData(m), false);
                final long dev = some != null ? some.deviceOffset() : 0;
                return new Op(Kind.COW_REMAP, r[2], r[0], r[1], dev, 0);
            }
            case 20:
                return new Op(Kind.TRUNCATE, rnd.nextBoolean() ? anyData() : metadata[0],
                    rnd.nextBoolean() ? -1 : Long.MIN_VALUE, 0, 0, 0);
            default:
                return new Op(Kind.REFLINK, attrs[0], 0, anyData(), 0, fileSpan);
        }
    }

    // ----------------------------------------------------------------------------------------------- helpers

    private long anyData()
    {
        return rnd.nextInt(4) == 0 ? clones[rnd.nextInt(clones.length)] : files[rnd.nextInt(files.length)];
    }

    private long dataOwnerWithData(final ReferenceModel m)
    {
        final List<Long> with = new ArrayList<>();
        for (final long o : m.owners())
        {
            if (Owner.isFileData(o))
            {
                with.add(o);
            }
        }
        return with.isEmpty() || rnd.nextInt(20) == 0 ? anyData() : with.get(rnd.nextInt(with.size()));
    }

    private long forkOwnerWithData(final ReferenceModel m, final boolean preferShared)
    {
        final List<Long> with = new ArrayList<>();
        for (final long o : m.owners())
        {
            if (Owner.hasFileOffset(o))
            {
                with.add(o);
            }
        }
        return with.isEmpty() || rnd.nextInt(20) == 0 ? anyData() : with.get(rnd.nextInt(with.size()));
    }

    private long maxLen()
    {
        return rnd.nextInt(3) == 0 ? unit * (1 + rnd.nextInt(32)) : block * (1 + rnd.nextInt(8));
    }

    private long align(final long v)
    {
        return v / unit * unit;
    }

    private long randomBelow(final long bound)
    {
        return bound <= 0 ? 0 : (long)(rnd.nextDouble() * bound);
    }

    /**
     * {start, length} of a random piece of a random free run (a random range if the device is full).
     */
    private long[] freeRange(final ReferenceModel m, final long maxLength)
    {
        final List<Rec> runs = m.freeRuns();
        if (runs.isEmpty())
        {
            final long start = align(randomBelow(geometry.size()));
            return new long[] {start, Math.max(1, Math.min(maxLength, geometry.size() - start))};
        }
        final Rec run = runs.get(rnd.nextInt(runs.size()));
        long start = run.deviceOffset();
        if (rnd.nextBoolean())
        {
            final long aligned = (start + unit - 1) / unit * unit + align(randomBelow(run.length()));
            if (aligned < run.deviceEnd())
            {
                start = aligned;
            }
        }
        final long room = run.deviceEnd() - start;
        long len = Math.min(room, Math.max(1, maxLength));
        if (rnd.nextBoolean() && len > unit)
        {
            len = Math.max(unit, align(1 + randomBelow(len)));
        }
        return new long[] {start, len};
    }

    /**
     * {start, length} of a piece of a random data record's device range.
     */
    private long[] dataRange(final ReferenceModel m)
    {
        final List<Rec> data = new ArrayList<>();
        for (final Rec r : m.records())
        {
            if (Owner.isFileData(r.owner()))
            {
                data.add(r);
            }
        }
        if (data.isEmpty())
        {
            return freeRange(m, maxLen());
        }
        final Rec r = data.get(rnd.nextInt(data.size()));
        if (rnd.nextInt(4) == 0)
        {
            final long end = Math.min(geometry.size(), r.deviceEnd() + block);
            return new long[] {r.deviceOffset(), end - r.deviceOffset()};
        }
        return subRange(r.deviceOffset(), r.length());
    }

    private long[] subRange(final long start, final long length)
    {
        if (rnd.nextInt(3) == 0 || length <= unit)
        {
            return new long[] {start, length};
        }
        final long s = start + align(randomBelow(length));
        final long room = start + length - s;
        return new long[] {s, Math.max(1, Math.min(room, Math.max(unit, align(1 + randomBelow(room)))))};
    }

    /**
     * A file offset where {@code length} bytes of the owner are unmapped, if one is found quickly.
     */
    private long hole(final ReferenceModel m, final long owner, final long length)
    {
        long fileOffset = align(randomBelow(fileSpan));
        for (int i = 0; i < 8; i++)
        {
            if (m.forward(owner, fileOffset, length).isEmpty())
            {
                return fileOffset;
            }
            fileOffset = align(randomBelow(fileSpan * 2));
        }
        return fileOffset;
    }

    /**
     * {fileOffset, length, owner} of a mapped file range of the owner, usually entirely mapped; spans
     * several file-contiguous extents sometimes. With {@code preferShared} tries shared extents first.
     */
    private long[] mappedRange(final ReferenceModel m, final long owner, final boolean preferShared)
    {
        long chosen = owner;
        List<Extent> ext = m.extents(chosen);
        if (preferShared)
        {
            final List<long[]> shared = new ArrayList<>();
            for (final Rec r : m.records())
            {
                if (Owner.isFileData(r.owner()) && m.shared(r.deviceOffset(), r.deviceEnd()))
                {
                    shared.add(new long[] {r.owner(), r.fileOffset(), r.length()});
                }
            }
            if (!shared.isEmpty())
            {
                final long[] s = shared.get(rnd.nextInt(shared.size()));
                final long[] sub = subRange(s[1], s[2]);
                return new long[] {sub[0], sub[1], s[0]};
            }
        }
        if (ext.isEmpty())
        {
            return new long[] {align(randomBelow(fileSpan)), Math.max(unit, align(randomBelow(4 * block))), chosen};
        }
        final int i = rnd.nextInt(ext.size());
        int j = i;
        while (j + 1 < ext.size() && ext.get(j + 1).fileOffset() == ext.get(j).fileEnd() && rnd.nextBoolean())
        {
            j++;
        }
        final Extent first = ext.get(i);
        final Extent last = ext.get(j);
        if (rnd.nextInt(10) == 0 && j + 1 < ext.size())
        {
            final Extent beyond = ext.get(j + 1);
            return new long[] {first.fileOffset(), beyond.fileEnd() - first.fileOffset(), chosen};
        }
        final long[] sub = subRange(first.fileOffset(), last.fileEnd() - first.fileOffset());
        return new long[] {sub[0], sub[1], chosen};
    }
}
