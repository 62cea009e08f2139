package io.daxrmap.testdata;

import io.daxrmap.format.DeviceNumber;
import io.daxrmap.format.FsmapVerboseReader;
import io.daxrmap.index.ReverseIndex;
import io.daxrmap.model.Owner;
import io.daxrmap.store.FilesystemIndex;
import io.daxrmap.store.FilesystemIndexBuilder;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Real captures replayed as datasets. {@code testdata/capture/xfs-small/fsmap-v.txt} is what {@code xfs_io fsmap -v}
 * printed for a 64 MiB XFS after reflinks, copy-on-write, dedupe, punches, preallocation, xattrs, bmbt blocks,
 * directories and symlinks (testdata/capture/README.md): 1,296 rows, 430 of them free space, so 866 records of its
 * rmapbt. {@link #xfsSmall(int, long)} lays copies of it side by side on one device, as the import command reads it
 * ({@link FilesystemIndexBuilder}), to the size a benchmark needs: a device whose owners are a real filesystem's
 * (per-AG headers, inode and refcount btrees, the log, attr forks, bmbt blocks, shared and unwritten extents), where
 * the generated datasets hold file data alone. Its bmbt rows come in as data-fork bmbt blocks: the table does not say
 * which fork a bmbt block maps ({@link FsmapVerboseReader}), so one attr-fork bmbt block a copy is counted as the data
 * fork's.
 */
public final class Captures
{
    /** Where the build puts the capture in this module's jar (testdata/pom.xml). */
    static final String XFS_SMALL = "capture/xfs-small/fsmap-v.txt";
    /** The inode numbers of copy {@code c} are the capture's plus {@code c} times this; the capture's are far below. */
    public static final long INODE_STRIDE = 1L << 32;

    private Captures()
    {
    }

    /**
     * The capture's rows, in bytes, as {@link FsmapVerboseReader} delivers them: all of one device, the one copies are
     * laid side by side on.
     */
    static final class Rows
    {
        int count;
        /** The device every row names (its major and minor, as {@link DeviceNumber#encode} packs them), or -1. */
        int device = -1;
        long[] deviceOffset = new long[1024];
        long[] length = new long[1024];
        long[] owner = new long[1024];
        long[] fileOffset = new long[1024];
        int[] flags = new int[1024];
        /** The end of the last row: the capture lists every byte of its device, free space included. */
        long end;

        void add(
            final int major, final int minor, final long deviceOffset, final long length, final long owner,
            final long fileOffset, final int flags)
        {
            final int rowDevice = DeviceNumber.encode(major, minor);
            if (device != -1 && rowDevice != device)
            {
                throw new IllegalArgumentException("a capture of one device only: row " + count + " names " + major +
                    ":" + minor);
            }
            device = rowDevice;
            if (count == this.deviceOffset.length)
            {
                final int grown = count * 2;
                this.deviceOffset = Arrays.copyOf(this.deviceOffset, grown);
                this.length = Arrays.copyOf(this.length, grown);
                this.owner = Arrays.copyOf(this.owner, grown);
                this.fileOffset = Arrays.copyOf(this.fileOffset, grown);
                this.flags = Arrays.copyOf(this.flags, grown);
            }
            this.deviceOffset[count] = deviceOffset;
            this.length[count] = length;
            this.owner[count] = owner;
            this.fileOffset[count] = fileOffset;
            this.flags[count] = flags;
            count++;
            end = Math.max(end, deviceOffset + length);
        }
    }

    /**
     * Read a capture shipped in this module's jar.
     *
     * @param resource its name under this class's package.
     * @return its rows.
     */
    static Rows read(final String resource)
    {
        final Rows rows = new Rows();
        try (InputStream in = Captures.class.getResourceAsStream(resource))
        {
            if (in == null)
            {
                throw new IllegalStateException("capture not in the testdata jar: " + resource +
                    " (testdata/pom.xml copies testdata/capture/ there)");
            }
            new FsmapVerboseReader().read(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)),
                resource, rows::add);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return rows;
    }

    /**
     * {@code copies} copies of the xfs-small capture side by side on one device of {@code copies} x 64 MiB: copy
     * {@code c}'s rows start {@code c} x 64 MiB further, and its inode numbers are {@code c} x {@link #INODE_STRIDE}
     * higher; metadata and free space keep their owners. Records count 866 a copy, as its rmapbt holds them.
     *
     * @param copies how many copies; 1,155 make about 10^6 records.
     * @param seed   seed of the probes (the layout is the capture's).
     * @return the dataset; probes lie in file data.
     */
    public static Dataset xfsSmall(final int copies, final long seed)
    {
        final Rows rows = read(XFS_SMALL);
        final FilesystemIndexBuilder builder = new FilesystemIndexBuilder(Datasets.BLOCK_SIZE);
        builder.unlistedUnknown();
        long records = 0;
        int dataRows = 0;
        for (int r = 0; r < rows.count; r++)
        {
            records += rows.owner[r] == Owner.FREE ? 0 : 1;
            dataRows += Owner.isFileData(rows.owner[r]) ? 1 : 0;
        }
        final long[] dataStarts = new long[dataRows * copies];
        final long[] dataLengths = new long[dataStarts.length];
        int data = 0;
        for (int c = 0; c < copies; c++)
        {
            final long shift = c * rows.end;
            for (int r = 0; r < rows.count; r++)
            {
                final long owner = copyOwner(rows.owner[r], c);
                builder.onRecord(DeviceNumber.major(rows.device), DeviceNumber.minor(rows.device),
                    rows.deviceOffset[r] + shift, rows.length[r], owner, rows.fileOffset[r], rows.flags[r]);
                if (Owner.isFileData(owner))
                {
                    dataStarts[data] = rows.deviceOffset[r] + shift;
                    dataLengths[data++] = rows.length[r];
                }
            }
        }
        builder.device(rows.device, copies * rows.end);
        final FilesystemIndex filesystem = builder.build();
        final ReverseIndex index = filesystem.device(filesystem.dataDevice());
        return new Dataset("xfs-small(copies=" + copies + ",seed=" + seed + ")", index, records * copies,
            probesByByte(dataStarts, dataLengths, data, seed));
    }

    /**
     * Device offsets, 64-byte aligned, drawn uniformly over the bytes of the given extents: where a poisoned byte of
     * file data lies. (Drawn by extent, as the generated sets are, 81% of them would fall in the capture's 640
     * one-block extents of {@code frag/f}, which hold 22% of its data bytes.)
     */
    static long[] probesByByte(final long[] starts, final long[] lengths, final int count, final long seed)
    {
        final long[] before = new long[count + 1];
        for (int e = 0; e < count; e++)
        {
            before[e + 1] = before[e] + lengths[e];
        }
        final SplittableRandom random = new SplittableRandom(seed ^ 0x5DEECE66DL);
        final long[] probes = new long[Datasets.PROBES];
        for (int i = 0; i < probes.length; i++)
        {
            final long at = random.nextLong(before[count]);
            // the extent holding byte `at`: the last one that starts at or before it
            int e = Arrays.binarySearch(before, 0, count + 1, at);
            e = e >= 0 ? e : -e - 2;
            while (lengths[e] == 0)
            {
                e++;
            }
            probes[i] = starts[e] + (at - before[e] & -64L);
        }
        return probes;
    }

    /**
     * The owner of a row in copy {@code copy}: an inode's fork or bmbt blocks move to the copy's inode number.
     *
     * @param owner the row's owner.
     * @param copy  the copy (a negative one moves a copy's owner back).
     * @return the owner in that copy.
     */
    public static long copyOwner(final long owner, final int copy)
    {
        if (!Owner.isInode(owner))
        {
            return owner;
        }
        final long inode = Owner.inode(owner) + copy * INODE_STRIDE;
        return switch (Owner.kind(owner))
        {
            case Owner.KIND_DATA -> Owner.data(inode);
            case Owner.KIND_ATTR -> Owner.attr(inode);
            case Owner.KIND_DATA_BMBT -> Owner.dataBmbt(inode);
            case Owner.KIND_ATTR_BMBT -> Owner.attrBmbt(inode);
            default -> throw new IllegalArgumentException("not an inode's owner: " + Owner.toString(owner));
        };
    }
}
