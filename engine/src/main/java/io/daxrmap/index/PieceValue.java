package io.daxrmap.index;

import io.daxrmap.model.MappingFlags;

/**
 * The owners of one piece (elementary segment) of the device, packed in an {@code int} beside a {@code long} delta.
 * <p>
 * A piece is owned by nobody, by one reference, or by a shared set of references. A reference is
 * (owner id, delta, stored flags) where delta is file offset minus device offset, constant along a record.
 * <pre>
 *   value == -1           EMPTY: free space
 *   value &lt;= -2         a shared {@link OwnerSet}, id = -2 - value; the piece's delta is 0
 *   value &gt;= 0          a single reference: owner id = value &gt;&gt;&gt; 1, bit 0 = UNWRITTEN, delta beside it
 * </pre>
 * A single reference is stored inline, so the common unshared piece needs no lookup of a share group; its owner's key
 * is in the owner table, or, for a file's data fork in a keyed stripe ({@link StripeDescriptor#KEYED}), beside it.
 */
final class PieceValue
{
    /** No owner. */
    static final int EMPTY = -1;

    /** The largest owner id a single reference can hold. */
    static final int MAX_OWNER_ID = Integer.MAX_VALUE >>> 1;

    /** The largest shared set id. */
    static final int MAX_SET_ID = Integer.MAX_VALUE - 1;

    private PieceValue()
    {
    }

    static int single(final int ownerId, final int flags)
    {
        assert ownerId >= 0 && ownerId <= MAX_OWNER_ID : "ownerId=" + ownerId;
        return ownerId << 1 | (flags & MappingFlags.UNWRITTEN);
    }

    static int shared(final int setId)
    {
        assert setId >= 0 && setId <= MAX_SET_ID : "setId=" + setId;
        return -2 - setId;
    }

    static boolean isEmpty(final int value)
    {
        return value == EMPTY;
    }

    static boolean isSingle(final int value)
    {
        return value >= 0;
    }

    static boolean isShared(final int value)
    {
        return value <= -2;
    }

    static int ownerId(final int value)
    {
        return value >>> 1;
    }

    static int flags(final int value)
    {
        return value & MappingFlags.UNWRITTEN;
    }

    static int setId(final int value)
    {
        return -2 - value;
    }
}
