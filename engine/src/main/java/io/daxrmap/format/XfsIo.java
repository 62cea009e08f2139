package io.daxrmap.format;

/**
 * Facts about how {@code xfs_io -c fsmap} (xfsprogs {@code io/fsmap.c}) prints what it reads, shared by the
 * {@code -m} and {@code -v} formats.
 * <p>
 * xfs_io first asks GETFSMAP for the number of records N, then reads them in batches of
 * {@link #batchSize(long)} records and prints each batch on its own. {@code -v} sizes its columns per batch
 * (its header, sized for the first batch, is printed once), so a map of 2049 or 2050 records has narrower or
 * wider columns in its last one or two lines (checked with xfsprogs 6.1.0). {@code -m} prints its header once
 * in xfsprogs 6.1.0; some other versions print it before every batch, which readers therefore accept. Record
 * numbers (the EXT column) run on across batches. When there are no records nothing at all is printed, not
 * even a header.
 */
public final class XfsIo
{
    /** Bytes in the unit of both formats: the 512-byte sector (basic block). */
    public static final int SECTOR = 512;
    /** Records per batch when N is small: 128 KiB of {@code struct fsmap}. */
    public static final int DEFAULT_BATCH = 131072 / 64;
    /** xfs_io's largest batch. */
    public static final int MAX_BATCH = 1 << 24;

    private XfsIo()
    {
    }

    /**
     * The batch size xfs_io uses for a map of {@code totalRecords} records.
     * <p>
     * {@link #DEFAULT_BATCH} unless N exceeds it by more than 2, then {@code 11 * N / 10} capped at
     * {@link #MAX_BATCH}. So N = 2049 or 2050 prints two batches, and maps over 2^24 records one batch per
     * 2^24 records. (Above about 1.95 * 10^8 records xfs_io's int arithmetic overflows; that is not modelled.)
     *
     * @param totalRecords N, the number of records of the whole answer; negative if unknown (one batch).
     * @return records per batch.
     */
    public static long batchSize(final long totalRecords)
    {
        if (totalRecords < 0)
        {
            return Long.MAX_VALUE;
        }
        if (totalRecords > DEFAULT_BATCH + 2)
        {
            return Math.min(11 * totalRecords / 10, MAX_BATCH);
        }
        return DEFAULT_BATCH;
    }
}
