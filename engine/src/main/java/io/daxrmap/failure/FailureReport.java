package io.daxrmap.failure;

import io.daxrmap.model.MappingFlags;
import io.daxrmap.model.Owner;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The answer to one memory-failure event, as DESIGN.md section 6 lays it out: the verdict, where the poisoned bytes
 * are, the kill list (page granular, each address_space and pgoff once), the fatal list (the owners on which XFS
 * would shut down) and the repair segments (byte granular, covering exactly the poisoned bytes).
 * <p>
 * A report is a reusable flyweight over primitive arrays: {@link FailureService} clears and refills it for every
 * event, so that once its arrays have grown to the answers' size, answering allocates nothing. Rows are read with
 * index accessors; copy what must outlive the next event.
 */
public final class FailureReport
{
    private static final int INITIAL_ROWS = 16;
    private static final RepairKind[] KINDS = RepairKind.values();

    private final KillTable kill = new KillTable();
    private final FatalTable fatal = new FatalTable();
    private final RepairTable repair = new RepairTable();
    private final List<ProcessMapping> processes = new ArrayList<>();
    private FailureEvent event;
    private Verdict verdict;
    private Region region;
    private int device;
    private int filesystemDevice;
    private long phys;
    private long deviceOffset;
    private long length;
    private int mappingShift = FailureEvent.PAGE_SHIFT;

    void reset(final FailureEvent event, final int mappingShift)
    {
        this.event = event;
        this.mappingShift = mappingShift;
        verdict = null;
        region = null;
        device = Region.DATA_DEVICE;
        filesystemDevice = Region.DATA_DEVICE;
        phys = -1;
        deviceOffset = -1;
        length = 0;
        kill.count = 0;
        fatal.count = 0;
        repair.count = 0;
        processes.clear();
    }

    void locate(final Verdict verdict, final Region region, final int device, final long phys,
        final long deviceOffset, final long length)
    {
        this.verdict = verdict;
        this.region = region;
        this.device = device;
        this.phys = phys;
        this.deviceOffset = deviceOffset;
        this.length = length;
    }

    /**
     * The event this report answers.
     *
     * @return the event.
     */
    public FailureEvent event()
    {
        return event;
    }

    /**
     * Where the bytes lie.
     *
     * @return the verdict.
     */
    public Verdict verdict()
    {
        return verdict;
    }

    /**
     * The region holding the bytes.
     *
     * @return the region, or null for {@link Verdict#OUTSIDE_DEVICES}.
     */
    public Region region()
    {
        return region;
    }

    /**
     * The index device of the bytes ({@code new_encode_dev}).
     *
     * @return the device number, or {@link Region#DATA_DEVICE} when not mapped.
     */
    public int device()
    {
        return device;
    }

    /**
     * The device by which processes' {@code /proc/PID/maps} name the files of the report's filesystem: the
     * superblock's device, which is the data device, whichever device (a realtime one) holds the bytes.
     *
     * @return the filesystem's data device, or {@link #device()} if the report was not told it.
     */
    public int filesystemDevice()
    {
        return filesystemDevice == Region.DATA_DEVICE ? device : filesystemDevice;
    }

    /**
     * Say which device is the filesystem's data device ({@link #filesystemDevice()}).
     */
    void filesystem(final int dataDevice)
    {
        filesystemDevice = dataDevice;
    }

    /**
     * The first poisoned physical address this report covers.
     *
     * @return the address, or -1 for a device removal.
     */
    public long phys()
    {
        return phys;
    }

    /**
     * The filesystem device offset of the first poisoned byte.
     *
     * @return the offset, or -1 unless {@link Verdict#MAPPED}.
     */
    public long deviceOffset()
    {
        return deviceOffset;
    }

    /**
     * The poisoned bytes this report covers.
     *
     * @return the length in bytes (the device's size for a removal).
     */
    public long length()
    {
        return length;
    }

    /**
     * log2 of the mapping size the kill list is expanded to.
     *
     * @return 12 (pages), 21 (PMD) or 30 (PUD).
     */
    public int mappingShift()
    {
        return mappingShift;
    }

    /**
     * Rows of the kill list, sorted by inode then pgoff.
     *
     * @return the number of (address_space, pgoff range) rows.
     */
    public int killCount()
    {
        return kill.count;
    }

    /**
     * The inode of a kill row (its device is {@link #device()}).
     *
     * @param row row index.
     * @return the inode number.
     */
    public long killInode(final int row)
    {
        return kill.inode[row];
    }

    /**
     * The first file page of a kill row.
     *
     * @param row row index.
     * @return the pgoff.
     */
    public long killPgoff(final int row)
    {
        return kill.pgoff[row];
    }

    /**
     * The file pages of a kill row.
     *
     * @param row row index.
     * @return the page count.
     */
    public long killPgcnt(final int row)
    {
        return kill.pgcnt[row];
    }

    /**
     * The flags of a kill row: {@link MappingFlags#SHARED} if any page is shared, {@link MappingFlags#UNWRITTEN} if
     * every one is unwritten.
     *
     * @param row row index.
     * @return the flags.
     */
    public int killFlags(final int row)
    {
        return kill.flags[row];
    }

    /**
     * The first file page of a kill row expanded to the mapping size: what a PMD or PUD mapping tears down.
     *
     * @param row row index.
     * @return the pgoff aligned down to the mapping size.
     */
    public long killPgoffExpanded(final int row)
    {
        final long pages = 1L << (mappingShift - FailureEvent.PAGE_SHIFT);
        return kill.pgoff[row] & -pages;
    }

    /**
     * The pages of a kill row expanded to the mapping size.
     *
     * @param row row index.
     * @return the page count from {@link #killPgoffExpanded(int)} to the end aligned up.
     */
    public long killPgcntExpanded(final int row)
    {
        final long pages = 1L << (mappingShift - FailureEvent.PAGE_SHIFT);
        final long end = (kill.pgoff[row] + kill.pgcnt[row] + pages - 1) & -pages;
        return end - killPgoffExpanded(row);
    }

    /**
     * Rows of the fatal list, sorted by owner then device offset.
     *
     * @return the number of rows.
     */
    public int fatalCount()
    {
        return fatal.count;
    }

    /**
     * The owner of a fatal row: metadata, an attr fork, a bmbt block, CoW staging.
     *
     * @param row row index.
     * @return the owner, see {@link Owner}.
     */
    public long fatalOwner(final int row)
    {
        return fatal.owner[row];
    }

    /**
     * The first device byte of the owner's record on the poisoned page(s).
     *
     * @param row row index.
     * @return the device offset.
     */
    public long fatalDeviceOffset(final int row)
    {
        return fatal.offset[row];
    }

    /**
     * The bytes of the owner's record on the poisoned page(s).
     *
     * @param row row index.
     * @return the length.
     */
    public long fatalLength(final int row)
    {
        return fatal.length[row];
    }

    /**
     * Rows of the repair list, sorted by device offset, then kind, then owner.
     *
     * @return the number of segments.
     */
    public int repairCount()
    {
        return repair.count;
    }

    /**
     * The first device byte of a repair segment.
     *
     * @param row row index.
     * @return the device offset.
     */
    public long repairDeviceOffset(final int row)
    {
        return repair.offset[row];
    }

    /**
     * The bytes of a repair segment.
     *
     * @param row row index.
     * @return the length.
     */
    public long repairLength(final int row)
    {
        return repair.length[row];
    }

    /**
     * What a repair segment holds.
     *
     * @param row row index.
     * @return the kind.
     */
    public RepairKind repairKind(final int row)
    {
        return KINDS[repair.kind[row]];
    }

    /**
     * The owner of a repair segment.
     *
     * @param row row index.
     * @return the owner, or {@link Owner#FREE} for free space.
     */
    public long repairOwner(final int row)
    {
        return repair.owner[row];
    }

    /**
     * The file offset of a repair segment's first byte, for data and attr forks.
     *
     * @param row row index.
     * @return the file offset, or -1 when the owner has none.
     */
    public long repairFileOffset(final int row)
    {
        return repair.fileOffset[row];
    }

    /**
     * The mapping flags of a repair segment's record.
     *
     * @param row row index.
     * @return {@link MappingFlags} bits.
     */
    public int repairFlags(final int row)
    {
        return repair.flags[row];
    }

    /**
     * The processes that map a page of the kill list, when they were looked for ({@link ProcMaps}).
     *
     * @return the mappings found, in pid order.
     */
    public List<ProcessMapping> processes()
    {
        return processes;
    }

    void addKill(final long inode, final long pgoff, final long pgcnt, final int flags)
    {
        kill.add(inode, pgoff, pgcnt, flags);
    }

    void addFatal(final long owner, final long offset, final long length)
    {
        fatal.add(owner, offset, length);
    }

    void addRepair(final long offset, final long length, final RepairKind kind, final long owner,
        final long fileOffset, final int flags)
    {
        repair.add(offset, length, kind.ordinal(), owner, fileOffset, flags);
    }

    void finish(final boolean addFreeGaps)
    {
        kill.sortAndMerge();
        fatal.sortAndMerge();
        repair.sort(repair.count);
        if (addFreeGaps && verdict == Verdict.MAPPED)
        {
            repair.addFreeGaps(deviceOffset, deviceOffset + length);
            repair.sort(repair.count);
        }
    }

    private static final class KillTable extends ParallelSort
    {
        private long[] inode = new long[INITIAL_ROWS];
        private long[] pgoff = new long[INITIAL_ROWS];
        private long[] pgcnt = new long[INITIAL_ROWS];
        private int[] flags = new int[INITIAL_ROWS];
        private int count;

        void add(final long rowInode, final long rowPgoff, final long rowPgcnt, final int rowFlags)
        {
            if (count == inode.length)
            {
                final int capacity = count * 2;
                inode = Arrays.copyOf(inode, capacity);
                pgoff = Arrays.copyOf(pgoff, capacity);
                pgcnt = Arrays.copyOf(pgcnt, capacity);
                flags = Arrays.copyOf(flags, capacity);
            }
            inode[count] = rowInode;
            pgoff[count] = rowPgoff;
            pgcnt[count] = rowPgcnt;
            flags[count] = rowFlags & (MappingFlags.SHARED | MappingFlags.UNWRITTEN);
            count++;
        }

        void sortAndMerge()
        {
            sort(count);
            int out = -1;
            for (int i = 0; i < count; i++)
            {
                if (out >= 0 && inode[out] == inode[i] && pgoff[i] <= pgoff[out] + pgcnt[out])
                {
                    pgcnt[out] = Math.max(pgoff[out] + pgcnt[out], pgoff[i] + pgcnt[i]) - pgoff[out];
                    flags[out] = (flags[out] | flags[i]) & MappingFlags.SHARED |
                        (flags[out] & flags[i] & MappingFlags.UNWRITTEN);
                    continue;
                }
                out++;
                inode[out] = inode[i];
                pgoff[out] = pgoff[i];
                pgcnt[out] = pgcnt[i];
                flags[out] = flags[i];
            }
            count = out + 1;
        }

        @Override
        int compare(final int i, final int j)
        {
            final int byInode = Long.compare(inode[i], inode[j]);
            return byInode != 0 ? byInode : Long.compare(pgoff[i], pgoff[j]);
        }

        @Override
        void swap(final int i, final int j)
        {
            long t = inode[i];
            inode[i] = inode[j];
            inode[j] = t;
            t = pgoff[i];
            pgoff[i] = pgoff[j];
            pgoff[j] = t;
            t = pgcnt[i];
            pgcnt[i] = pgcnt[j];
            pgcnt[j] = t;
            final int f = flags[i];
            flags[i] = flags[j];
            flags[j] = f;
        }
    }

    private static final class FatalTable extends ParallelSort
    {
        private long[] owner = new long[INITIAL_ROWS];
        private long[] offset = new long[INITIAL_ROWS];
        private long[] length = new long[INITIAL_ROWS];
        private int count;

        void add(final long rowOwner, final long rowOffset, final long rowLength)
        {
            if (count == owner.length)
            {
                final int capacity = count * 2;
                owner = Arrays.copyOf(owner, capacity);
                offset = Arrays.copyOf(offset, capacity);
                length = Arrays.copyOf(length, capacity);
            }
            owner[count] = rowOwner;
            offset[count] = rowOffset;
            length[count] = rowLength;
            count++;
        }

        void sortAndMerge()
        {
            sort(count);
            int out = -1;
            for (int i = 0; i < count; i++)
            {
                if (out >= 0 && owner[out] == owner[i] && offset[i] <= offset[out] + length[out])
                {
                    length[out] = Math.max(offset[out] + length[out], offset[i] + length[i]) - offset[out];
                    continue;
                }
                out++;
                owner[out] = owner[i];
                offset[out] = offset[i];
                length[out] = length[i];
            }
            count = out + 1;
        }

        @Override
        int compare(final int i, final int j)
        {
            final int byOwner = Long.compareUnsigned(owner[i], owner[j]);
            return byOwner != 0 ? byOwner : Long.compare(offset[i], offset[j]);
        }

        @Override
        void swap(final int i, final int j)
        {
            long t = owner[i];
            owner[i] = owner[j];
            owner[j] = t;
            t = offset[i];
            offset[i] = offset[j];
            offset[j] = t;
            t = length[i];
            length[i] = length[j];
            length[j] = t;
        }
    }

    private static final class RepairTable extends ParallelSort
    {
        private long[] offset = new long[INITIAL_ROWS];
        private long[] length = new long[INITIAL_ROWS];
        private int[] kind = new int[INITIAL_ROWS];
        private long[] owner = new long[INITIAL_ROWS];
        private long[] fileOffset = new long[INITIAL_ROWS];
        private int[] flags = new int[INITIAL_ROWS];
        private int count;

        void add(final long rowOffset, final long rowLength, final int rowKind, final long rowOwner,
            final long rowFileOffset, final int rowFlags)
        {
            if (count == offset.length)
            {
                final int capacity = count * 2;
                offset = Arrays.copyOf(offset, capacity);
                length = Arrays.copyOf(length, capacity);
                kind = Arrays.copyOf(kind, capacity);
                owner = Arrays.copyOf(owner, capacity);
                fileOffset = Arrays.copyOf(fileOffset, capacity);
                flags = Arrays.copyOf(flags, capacity);
            }
            offset[count] = rowOffset;
            length[count] = rowLength;
            kind[count] = rowKind;
            owner[count] = rowOwner;
            fileOffset[count] = rowFileOffset;
            flags[count] = rowFlags;
            count++;
        }

        /**
         * Add a free segment for every byte of {@code [start, end)} that no segment covers; rows must be sorted.
         * <p>
         * The byte query reports owned bytes only: a byte it leaves uncovered is one the index holds as free, and the
         * index holds bytes free only where its source said so. The bytes a source does not list (those no file maps
         * in forward maps, FIEMAP; those ext4's GETFSMAP leaves out) are stored as {@link Owner#UNKNOWN}, which the
         * query reports and which become metadata segments, never free ones (see
         * {@code FilesystemIndexBuilder.unlistedUnknown()}).
         */
        void addFreeGaps(final long start, final long end)
        {
            long covered = start;
            final int rows = count;
            for (int i = 0; i < rows; i++)
            {
                if (offset[i] > covered)
                {
                    add(covered, offset[i] - covered, RepairKind.FREE.ordinal(), Owner.FREE, -1,
                        MappingFlags.SPECIAL_OWNER);
                }
                covered = Math.max(covered, offset[i] + length[i]);
            }
            if (covered < end)
            {
                add(covered, end - covered, RepairKind.FREE.ordinal(), Owner.FREE, -1,
                    MappingFlags.SPECIAL_OWNER);
            }
        }

        @Override
        int compare(final int i, final int j)
        {
            int by = Long.compare(offset[i], offset[j]);
            if (by == 0)
            {
                by = Integer.compare(kind[i], kind[j]);
            }
            return by != 0 ? by : Long.compareUnsigned(owner[i], owner[j]);
        }

        @Override
        void swap(final int i, final int j)
        {
            long t = offset[i];
            offset[i] = offset[j];
            offset[j] = t;
            t = length[i];
            length[i] = length[j];
            length[j] = t;
            t = owner[i];
            owner[i] = owner[j];
            owner[j] = t;
            t = fileOffset[i];
            fileOffset[i] = fileOffset[j];
            fileOffset[j] = t;
            int s = kind[i];
            kind[i] = kind[j];
            kind[j] = s;
            s = flags[i];
            flags[i] = flags[j];
            flags[j] = s;
        }
    }
}
