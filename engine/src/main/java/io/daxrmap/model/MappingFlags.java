package io.daxrmap.model;

/**
 * Flags of a mapping record, with the bit values of GETFSMAP's {@code FMR_OF_*} so they pass through unchanged.
 * <p>
 * Only {@link #UNWRITTEN} is stored; the others follow from the owner ({@link Owner#fmrFlags(long)}) or, for
 * {@link #SHARED}, from the number of data references on the bytes of the record.
 */
public final class MappingFlags
{
    /** {@code FMR_OF_PREALLOC}: unwritten (preallocated) extent; reads return zeroes. */
    public static final int UNWRITTEN = 0x1;
    /** {@code FMR_OF_ATTR_FORK}: the record belongs to an attr fork. */
    public static final int ATTR_FORK = 0x2;
    /** {@code FMR_OF_EXTENT_MAP}: the record is a bmbt block. */
    public static final int EXTENT_MAP = 0x4;
    /** {@code FMR_OF_SHARED}: some byte of the record is mapped by more than one file data reference. */
    public static final int SHARED = 0x8;
    /** {@code FMR_OF_SPECIAL_OWNER}: the owner is a special owner. */
    public static final int SPECIAL_OWNER = 0x10;
    /** {@code FMR_OF_LAST}: the last record of a GETFSMAP answer. */
    public static final int LAST = 0x20;

    /** The flags a caller may store with a mapping. */
    public static final int STORED = UNWRITTEN;

    private MappingFlags()
    {
    }
}
