package io.daxrmap.model;

/**
 * Owners of device bytes, encoded in a {@code long} so that no Java object exists per owner or record.
 * <p>
 * Layout of an owner value:
 * <pre>
 *   63   60 59                                                   0
 *  +-------+------------------------------------------------------+
 *  | kind  | inode number (inode kinds) or FMR_OWNER(type, code)   |
 *  +-------+------------------------------------------------------+
 * </pre>
 * The kinds are an inode's data fork, its attr fork, the bmbt blocks of either fork, and the special owners
 * of GETFSMAP ({@code FMR_OWN_*} and XFS's {@code FMR_OWNER('X', 1..8)}). The special code is exactly
 * GETFSMAP's {@code fmr_owner} value, so it can be written to and read from {@code struct fsmap} directly.
 * <p>
 * Only data and attr fork owners have file offsets; every other owner reports file offset 0, as GETFSMAP does.
 */
public final class Owner
{
    /** Kind: an inode's data fork (file data, the only kind that reflink may share). */
    public static final int KIND_DATA = 0;
    /** Kind: an inode's attr fork blocks (extended attributes). */
    public static final int KIND_ATTR = 1;
    /** Kind: a bmbt (extent map btree) block of an inode's data fork. */
    public static final int KIND_DATA_BMBT = 2;
    /** Kind: a bmbt block of an inode's attr fork. */
    public static final int KIND_ATTR_BMBT = 3;
    /** Kind: a special owner, the value being GETFSMAP's {@code FMR_OWNER(type, code)}. */
    public static final int KIND_SPECIAL = 4;

    /** The largest inode number an owner can carry. */
    public static final long MAX_INODE = (1L << 60) - 1;

    private static final int KIND_SHIFT = 60;
    private static final long VALUE_MASK = MAX_INODE;

    /** GETFSMAP type for XFS's own special owners: the character 'X'. */
    public static final int TYPE_XFS = 'X';

    /** {@code FMR_OWN_FREE}: free space. Never stored; reported by scans for unowned ranges. */
    public static final long FREE = special(0, 1);
    /** {@code FMR_OWN_UNKNOWN}: owned by something the filesystem cannot name. */
    public static final long UNKNOWN = special(0, 2);
    /** {@code FMR_OWN_METADATA}: generic filesystem metadata. */
    public static final long METADATA = special(0, 3);
    /** XFS static fs metadata (superblocks, AG headers). */
    public static final long XFS_FS = special(TYPE_XFS, 1);
    /** XFS journalling log. */
    public static final long XFS_LOG = special(TYPE_XFS, 2);
    /** XFS per-AG metadata (free space btrees, rmapbt). */
    public static final long XFS_AG = special(TYPE_XFS, 3);
    /** XFS inode btree blocks. */
    public static final long XFS_INOBT = special(TYPE_XFS, 4);
    /** XFS inode chunks. */
    public static final long XFS_INODES = special(TYPE_XFS, 5);
    /** XFS reference count btree blocks. */
    public static final long XFS_REFC = special(TYPE_XFS, 6);
    /** XFS copy-on-write staging extents. */
    public static final long XFS_COW = special(TYPE_XFS, 7);
    /** XFS bad blocks. */
    public static final long XFS_DEFECTIVE = special(TYPE_XFS, 8);

    private Owner()
    {
    }

    /**
     * The data fork of an inode.
     *
     * @param inode inode number, 0..{@link #MAX_INODE}.
     * @return the owner value.
     */
    public static long data(final long inode)
    {
        return inodeOwner(KIND_DATA, inode);
    }

    /**
     * The attr fork of an inode.
     *
     * @param inode inode number, 0..{@link #MAX_INODE}.
     * @return the owner value.
     */
    public static long attr(final long inode)
    {
        return inodeOwner(KIND_ATTR, inode);
    }

    /**
     * The bmbt blocks of an inode's data fork.
     *
     * @param inode inode number, 0..{@link #MAX_INODE}.
     * @return the owner value.
     */
    public static long dataBmbt(final long inode)
    {
        return inodeOwner(KIND_DATA_BMBT, inode);
    }

    /**
     * The bmbt blocks of an inode's attr fork.
     *
     * @param inode inode number, 0..{@link #MAX_INODE}.
     * @return the owner value.
     */
    public static long attrBmbt(final long inode)
    {
        return inodeOwner(KIND_ATTR_BMBT, inode);
    }

    /**
     * A special owner, GETFSMAP's {@code FMR_OWNER(type, code)}.
     *
     * @param type owner type: 0 for the generic codes, 'X' (88) for XFS.
     * @param code owner code within the type.
     * @return the owner value.
     */
    public static long special(final int type, final int code)
    {
        if (type < 0 || type > 0xFFFF || code < 0)
        {
            throw new IllegalArgumentException("special owner out of range: type=" + type + " code=" + code);
        }
        return ((long)KIND_SPECIAL << KIND_SHIFT) | ((long)type << 32) | code;
    }

    /**
     * The special owner for a GETFSMAP {@code fmr_owner} value of a record flagged {@code FMR_OF_SPECIAL_OWNER}.
     *
     * @param fmrOwner {@code fmr_owner}.
     * @return the owner value.
     */
    public static long fromFmrSpecial(final long fmrOwner)
    {
        return special((int)(fmrOwner >>> 32), (int)fmrOwner);
    }

    /**
     * The kind of an owner.
     *
     * @param owner owner value.
     * @return one of the {@code KIND_*} constants.
     */
    public static int kind(final long owner)
    {
        return (int)(owner >>> KIND_SHIFT);
    }

    /**
     * The inode number of an inode owner.
     *
     * @param owner owner value of an inode kind.
     * @return the inode number.
     */
    public static long inode(final long owner)
    {
        return owner & VALUE_MASK;
    }

    /**
     * Whether the owner belongs to an inode (either fork or its bmbt blocks).
     *
     * @param owner owner value.
     * @return true for the inode kinds.
     */
    public static boolean isInode(final long owner)
    {
        return kind(owner) != KIND_SPECIAL;
    }

    /**
     * Whether the owner is an inode's data fork: the only kind the kill path signals and reflink shares.
     *
     * @param owner owner value.
     * @return true for {@link #KIND_DATA}.
     */
    public static boolean isFileData(final long owner)
    {
        return kind(owner) == KIND_DATA;
    }

    /**
     * Whether records of this owner carry file offsets (data and attr forks).
     *
     * @param owner owner value.
     * @return true for the data and attr fork kinds.
     */
    public static boolean hasFileOffset(final long owner)
    {
        final int kind = kind(owner);
        return kind == KIND_DATA || kind == KIND_ATTR;
    }

    /**
     * GETFSMAP's {@code fmr_owner} for this owner: the inode number or {@code FMR_OWNER(type, code)}.
     *
     * @param owner owner value.
     * @return {@code fmr_owner}.
     */
    public static long fmrOwner(final long owner)
    {
        return owner & VALUE_MASK;
    }

    /**
     * The GETFSMAP flags that follow from the owner alone: attr fork, extent map, special owner.
     *
     * @param owner owner value.
     * @return a combination of {@link MappingFlags} bits.
     */
    public static int fmrFlags(final long owner)
    {
        switch (kind(owner))
        {
            case KIND_ATTR: return MappingFlags.ATTR_FORK;
            case KIND_DATA_BMBT: return MappingFlags.EXTENT_MAP;
            case KIND_ATTR_BMBT: return MappingFlags.ATTR_FORK | MappingFlags.EXTENT_MAP;
            case KIND_SPECIAL: return MappingFlags.SPECIAL_OWNER;
            default: return 0;
        }
    }

    /**
     * The owner named by a GETFSMAP record's {@code fmr_owner} and {@code fmr_flags}.
     *
     * @param fmrOwner {@code fmr_owner}.
     * @param fmrFlags {@code fmr_flags}.
     * @return the owner value.
     */
    public static long fromFsmap(final long fmrOwner, final int fmrFlags)
    {
        if ((fmrFlags & MappingFlags.SPECIAL_OWNER) != 0)
        {
            return fromFmrSpecial(fmrOwner);
        }
        final boolean attrFork = (fmrFlags & MappingFlags.ATTR_FORK) != 0;
        final boolean extentMap = (fmrFlags & MappingFlags.EXTENT_MAP) != 0;
        if (extentMap)
        {
            return attrFork ? attrBmbt(fmrOwner) : dataBmbt(fmrOwner);
        }
        return attrFork ? attr(fmrOwner) : data(fmrOwner);
    }

    /**
     * The owner's name as {@code xfs_io -c 'fsmap -m'} prints it: {@code inode_N_data}, {@code inode_N_attr},
     * {@code inode_N_data_bmbt}, {@code inode_N_attr_bmbt} or {@code special_T:C}.
     *
     * @param owner owner value.
     * @return the name.
     */
    public static String toString(final long owner)
    {
        switch (kind(owner))
        {
            case KIND_DATA: return "inode_" + inode(owner) + "_data";
            case KIND_ATTR: return "inode_" + inode(owner) + "_attr";
            case KIND_DATA_BMBT: return "inode_" + inode(owner) + "_data_bmbt";
            case KIND_ATTR_BMBT: return "inode_" + inode(owner) + "_attr_bmbt";
            default: return "special_" + (owner >>> 32 & 0xFFFF) + ":" + (owner & 0xFFFF_FFFFL);
        }
    }

    /**
     * Parse a name printed by {@link #toString(long)}.
     *
     * @param name owner name.
     * @return the owner value.
     * @throws IllegalArgumentException if the name is not an owner name.
     */
    public static long parse(final String name)
    {
        try
        {
            if (name.startsWith("special_"))
            {
                final int colon = name.indexOf(':');
                return special(Integer.parseInt(name.substring(8, colon)), Integer.parseInt(name.substring(colon + 1)));
            }
            if (name.startsWith("inode_"))
            {
                final int sep = name.indexOf('_', 6);
                final long inode = Long.parseLong(name.substring(6, sep));
                switch (name.substring(sep + 1))
                {
                    case "data": return data(inode);
                    case "attr": return attr(inode);
                    case "data_bmbt": return dataBmbt(inode);
                    case "attr_bmbt": return attrBmbt(inode);
                    default: break;
                }
            }
        }
        catch (final RuntimeException ex)
        {
            throw new IllegalArgumentException("not an owner name: owner=" + name, ex);
        }
        throw new IllegalArgumentException("not an owner name: owner=" + name);
    }

    private static long inodeOwner(final int kind, final long inode)
    {
        if (inode < 0 || inode > MAX_INODE)
        {
            throw new IllegalArgumentException("inode out of range: inode=" + inode);
        }
        return ((long)kind << KIND_SHIFT) | inode;
    }
}
