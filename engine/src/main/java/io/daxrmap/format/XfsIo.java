package io.daxrmap.format;

/**
 * Facts about how {@code xfs_io -c fsmap} (xfsprogs {@code io/fsmap.c}) prints what it reads, shared by the
 * {@code -m} and {@code -v} formats.
 * <p>
 * xfsprogs 6.1.0 reads the map with one buffer of {@link #BATCH} records (128 KiB of {@code struct fsmap}, without
 * {@code -n}), calling GETFSMAP again from the last record until a call returns nothing or a record marked last,
 * and prints each batch on its own as it comes: record i is in batch {@code i / BATCH}, whatever the size of the
 * map (it asks for no count first; older versions did, and read a map of N records past 2050 in batches of
 * {@code 11 * N / 10}). {@code -v} sizes its columns per batch (its header, sized for the first batch, is printed
 * once), so the widths may change at records 2048, 4096 and so on. {@code -m} prints its header once in xfsprogs
 * 6.1.0; some other versions print it before every batch, which readers therefore accept. Record numbers (the EXT
 * column) run on across batches. When there are no records nothing at all is printed, not even a header.
 */
public final class XfsIo
{
    /** Bytes in the unit of both formats: the 512-byte sector (basic block). */
    public static final int SECTOR = 512;
    /** Records per GETFSMAP call, and so per printed batch: {@code 131072 / sizeof(struct fsmap)}. */
    public static final int BATCH = 131072 / 64;

    private XfsIo()
    {
    }
}
