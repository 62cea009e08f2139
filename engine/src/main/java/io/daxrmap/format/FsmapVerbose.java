package io.daxrmap.format;

import io.daxrmap.model.Owner;

import java.util.List;

/**
 * The {@code fsmap-verbose} format: exactly what {@code xfs_io -c 'fsmap -v' MOUNTPOINT} prints (xfsprogs
 * {@code io/fsmap.c}, {@code dump_map_verbose}).
 * <pre>
 *  EXT: DEV BLOCK-RANGE       OWNER              FILE-OFFSET        AG AG-OFFSET        TOTAL FLAGS
 *    0: 7:0 [0..7]:           static fs metadata                    0  (0..7)               8
 *    8: 7:0 [120..127]:       135                0..7               0  (120..127)           8 1000000
 *  131: 7:0 [90720..90727]:   90246              extent map         2  (25184..25191)       8
 *  FLAG Values:
 *     01000000 Attribute fork
 *     ...
 * </pre>
 * Columns, separated by one space and padded to a width computed per xfs_io batch ({@link XfsIo}):
 * EXT (record number and colon, right-aligned, at least 4), DEV ({@code major:minor}, at least 3), BLOCK-RANGE
 * ({@code [first..last]:} in sectors, at least 16), OWNER (inode number or the special owner's name, at least
 * 16), FILE-OFFSET ({@code first..last} in sectors, {@code extent map} for bmbt blocks, blank for special
 * owners, at least 16), AG (left-aligned in the rows, right-aligned in the header, at least 2 or the digits of
 * the AG count), AG-OFFSET ({@code (first..last)} within the AG, at least 16), TOTAL (sectors, right-aligned,
 * at least 5) and FLAGS (seven octal digits, printed only when not zero, never for bmbt blocks). AG and
 * AG-OFFSET are blank for devices other than the data device.
 * <p>
 * The header has {@code  FLAGS} when some record of the first batch has the attr fork, shared or unwritten
 * flag (an attr fork bmbt block counts though its row shows no flags), and the flag legend ends the text when
 * some batch had one. Bmbt rows do not tell the data fork from the attr fork: a reader reports them as data fork
 * bmbt blocks.
 */
public final class FsmapVerbose
{
    /** Column and field name: record number. */
    public static final String EXT = "EXT";
    /** Column and field name: device. */
    public static final String DEV = "DEV";
    /** Column and field name: device sectors. */
    public static final String BLOCK_RANGE = "BLOCK-RANGE";
    /** Column and field name: owner. */
    public static final String OWNER = "OWNER";
    /** Column and field name: file sectors. */
    public static final String FILE_OFFSET = "FILE-OFFSET";
    /** Column and field name: allocation group. */
    public static final String AG = "AG";
    /** Column and field name: sectors within the allocation group. */
    public static final String AG_OFFSET = "AG-OFFSET";
    /** Column and field name: sectors in the record. */
    public static final String TOTAL = "TOTAL";
    /** Column and field name: octal flags. */
    public static final String FLAGS = "FLAGS";

    /** Text of FILE-OFFSET for bmbt blocks. */
    public static final String EXTENT_MAP = "extent map";

    /** Octal flag: attr fork. */
    public static final int FLAG_ATTR_FORK = 01000000;
    /** Octal flag: shared extent. */
    public static final int FLAG_SHARED = 0100000;
    /** Octal flag: unwritten (preallocated) extent. */
    public static final int FLAG_PREALLOC = 010000;
    /** Octal flag: does not begin on a stripe unit. */
    public static final int FLAG_BEGIN_STRIPE_UNIT = 01000;
    /** Octal flag: does not end on a stripe unit. */
    public static final int FLAG_END_STRIPE_UNIT = 0100;
    /** Octal flag: does not begin on a stripe width. */
    public static final int FLAG_BEGIN_STRIPE_WIDTH = 010;
    /** Octal flag: does not end on a stripe width. */
    public static final int FLAG_END_STRIPE_WIDTH = 01;
    /** Every octal flag. */
    public static final int FLAG_ALL = 01111111;
    /** Digits of the FLAGS column. */
    public static final int FLAG_DIGITS = 7;

    /** The flag legend printed after the table, one entry per line, without line feeds. */
    public static final List<String> LEGEND = List.of(
        " FLAG Values:",
        "    01000000 Attribute fork",
        "    00100000 Shared extent",
        "    00010000 Unwritten preallocated extent",
        "    00001000 Doesn't begin on stripe unit",
        "    00000100 Doesn't end   on stripe unit",
        "    00000010 Doesn't begin on stripe width",
        "    00000001 Doesn't end   on stripe width");

    static final int MIN_EXT_WIDTH = 4;
    static final int MIN_DEV_WIDTH = 3;
    static final int MIN_RANGE_WIDTH = 16;
    static final int MIN_AG_WIDTH = 2;
    static final int MIN_TOTAL_WIDTH = 5;

    private static final long[] NAMED_OWNERS = {
        Owner.FREE, Owner.UNKNOWN, Owner.XFS_FS, Owner.XFS_LOG, Owner.XFS_AG, Owner.XFS_INOBT, Owner.XFS_INODES,
        Owner.XFS_REFC, Owner.XFS_COW, Owner.XFS_DEFECTIVE};
    private static final String[] OWNER_NAMES = {
        "free space", "unknown", "static fs metadata", "journalling log", "per-AG metadata", "inode btree", "inodes",
        "refcount btree", "cow reservation", "defective"};

    private FsmapVerbose()
    {
    }

    /**
     * The OWNER text of a special owner: its name, or {@code special T:C} for owners xfs_io does not name
     * (such as {@code FMR_OWN_METADATA}, {@code special 0:3}).
     *
     * @param owner a special owner.
     * @return the name.
     */
    public static String specialOwnerName(final long owner)
    {
        for (int i = 0; i < NAMED_OWNERS.length; i++)
        {
            if (NAMED_OWNERS[i] == owner)
            {
                return OWNER_NAMES[i];
            }
        }
        return Owner.toString(owner).replace('_', ' ');
    }

    /**
     * The special owner whose name starts the given words, or -1.
     *
     * @param words tokens of a row, from {@code from} on.
     * @param from  index of the first owner token.
     * @return the owner, or -1 if no name matches; {@link #specialOwnerWords(long)} tells how many tokens it used.
     */
    static long parseSpecialOwner(final List<String> words, final int from)
    {
        for (int i = 0; i < OWNER_NAMES.length; i++)
        {
            if (startsWith(words, from, OWNER_NAMES[i]))
            {
                return NAMED_OWNERS[i];
            }
        }
        if (from + 1 < words.size() && words.get(from).equals("special"))
        {
            final String name = "special_" + words.get(from + 1);
            try
            {
                final long owner = Owner.parse(name);
                if (!Owner.isInode(owner) && Owner.toString(owner).equals(name) && !isNamed(owner))
                {
                    return owner;
                }
            }
            catch (final IllegalArgumentException ex)
            {
                return -1;
            }
        }
        return -1;
    }

    /**
     * The number of space-separated words in a special owner's name.
     *
     * @param owner a special owner.
     * @return the words.
     */
    static int specialOwnerWords(final long owner)
    {
        return specialOwnerName(owner).split(" ").length;
    }

    private static boolean isNamed(final long owner)
    {
        for (final long named : NAMED_OWNERS)
        {
            if (named == owner)
            {
                return true;
            }
        }
        return false;
    }

    private static boolean startsWith(final List<String> words, final int from, final String name)
    {
        final String[] parts = name.split(" ");
        if (from + parts.length > words.size())
        {
            return false;
        }
        for (int i = 0; i < parts.length; i++)
        {
            if (!words.get(from + i).equals(parts[i]))
            {
                return false;
            }
        }
        return true;
    }
}
