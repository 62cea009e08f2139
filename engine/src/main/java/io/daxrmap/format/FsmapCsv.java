package io.daxrmap.format;

/**
 * The {@code fsmap-csv} format: exactly what {@code xfs_io -c 'fsmap -m' MOUNTPOINT} prints.
 * <pre>
 * EXT,MAJOR,MINOR,PSTART,PEND,OWNER,OSTART,OEND,LENGTH
 * 0,7,0,0,7,special_88:1,,,8
 * 6,7,0,104,111,inode_139_data,0,7,8
 * 131,7,0,90720,90727,inode_90246_attr_bmbt,,,8
 * </pre>
 * <ul>
 * <li>EXT: record number, from 0, continuing across batches ({@link XfsIo}).</li>
 * <li>MAJOR, MINOR: the device ({@code fmr_device} decoded as by glibc, see {@link DeviceNumber}).</li>
 * <li>PSTART, PEND: first and last sector of the record on the device (inclusive end).</li>
 * <li>OWNER: {@code inode_N_data}, {@code inode_N_attr}, {@code inode_N_data_bmbt}, {@code inode_N_attr_bmbt}
 *     or {@code special_T:C}, see {@link io.daxrmap.model.Owner#toString(long)}.</li>
 * <li>OSTART, OEND: first and last file sector, for data and attr fork owners only; empty for bmbt blocks and
 *     special owners.</li>
 * <li>LENGTH: sectors in the record, {@code PEND - PSTART + 1}.</li>
 * </ul>
 * There is no flags column: unwritten and shared extents look like plain data. xfsprogs 6.1.0 prints the header
 * once; other versions print it before every batch of records ({@link XfsIo}), so a reader accepts it again
 * anywhere. An empty map is an empty text, without header.
 * xfs_io prints byte values truncated to sectors ({@code BTOBBT}); this package requires whole units instead.
 */
public final class FsmapCsv
{
    /** The header line, without its line feed. */
    public static final String HEADER = "EXT,MAJOR,MINOR,PSTART,PEND,OWNER,OSTART,OEND,LENGTH";

    /** Field name: record number. */
    public static final String EXT = "EXT";
    /** Field name: device major number. */
    public static final String MAJOR = "MAJOR";
    /** Field name: device minor number. */
    public static final String MINOR = "MINOR";
    /** Field name: first device unit. */
    public static final String PSTART = "PSTART";
    /** Field name: last device unit, inclusive. */
    public static final String PEND = "PEND";
    /** Field name: owner name. */
    public static final String OWNER = "OWNER";
    /** Field name: first file unit. */
    public static final String OSTART = "OSTART";
    /** Field name: last file unit, inclusive. */
    public static final String OEND = "OEND";
    /** Field name: units in the record. */
    public static final String LENGTH = "LENGTH";

    /** Number of comma-separated fields in a line. */
    public static final int FIELD_COUNT = 9;

    private FsmapCsv()
    {
    }

    static long checkUnit(final long unit)
    {
        if (unit <= 0 || Long.bitCount(unit) != 1)
        {
            throw new IllegalArgumentException("unit must be a power of two: unit=" + unit);
        }
        return unit;
    }
}
