package io.daxrmap.index;

import org.roaringbitmap.RoaringBitmap;

import java.util.Arrays;

/**
 * An immutable set of two or more references (owner id, delta, stored flags) that share device bytes: a share group.
 * <p>
 * References are grouped by (delta, flags); each group keeps its owner ids in a {@link RoaringBitmap}. A full-file
 * clone adds one owner id to each group of the golden file, so memory and query time grow with distinct extents,
 * not with the number of clones: a thousand clones made in order are one run in one container.
 * Sets are interned by {@link OwnerSetTable}: equal sets have one id. Never change a set or its bitmaps.
 */
final class OwnerSet
{
    private final long[] deltas;
    private final int[] flags;
    private final RoaringBitmap[] owners;
    private final int cardinality;
    private final int hash;

    private OwnerSet(final long[] deltas, final int[] flags, final RoaringBitmap[] owners)
    {
        this.deltas = deltas;
        this.flags = flags;
        this.owners = owners;
        long total = 0;
        int h = 1;
        for (int i = 0; i < deltas.length; i++)
        {
            total += owners[i].getLongCardinality();
            h = 31 * h + Long.hashCode(deltas[i]);
            h = 31 * h + flags[i];
            h = 31 * h + owners[i].hashCode();
        }
        this.cardinality = (int)Math.min(Integer.MAX_VALUE, total);
        this.hash = h;
    }

    /**
     * A set of two distinct references.
     */
    static OwnerSet of(
        final int ownerA, final long deltaA, final int flagsA, final int ownerB, final long deltaB, final int flagsB)
    {
        final OwnerSet one = new OwnerSet(
            new long[]{deltaA}, new int[]{flagsA}, new RoaringBitmap[]{RoaringBitmap.bitmapOf(ownerA)});
        return one.with(ownerB, deltaB, flagsB);
    }

    /**
     * A set from its groups, as a log stores them: groups in (delta, flags) order, bitmaps not empty.
     *
     * @throws IllegalArgumentException if the groups are out of order or a bitmap is empty.
     */
    static OwnerSet of(final long[] deltas, final int[] flags, final RoaringBitmap[] owners)
    {
        for (int g = 0; g < deltas.length; g++)
        {
            if (owners[g].isEmpty())
            {
                throw new IllegalArgumentException("empty group: group=" + g);
            }
            if (g > 0 && (deltas[g - 1] > deltas[g] || (deltas[g - 1] == deltas[g] && flags[g - 1] >= flags[g])))
            {
                throw new IllegalArgumentException("groups out of order: group=" + g);
            }
        }
        return new OwnerSet(deltas, flags, owners);
    }

    int groupCount()
    {
        return deltas.length;
    }

    long groupDelta(final int group)
    {
        return deltas[group];
    }

    int groupFlags(final int group)
    {
        return flags[group];
    }

    RoaringBitmap groupOwners(final int group)
    {
        return owners[group];
    }

    /**
     * Whether a group's owner ids are one run, {@code first()} to {@code last()} with none missing, as the clones of a
     * file made one after another are. A reader then visits them by counting, where the bitmap's {@code forEach}
     * would make one call through its consumer interface per owner (measured: most of a page query on 100 clones).
     */
    boolean groupIsRun(final int group)
    {
        final RoaringBitmap bitmap = owners[group];
        return bitmap.last() - bitmap.first() + 1 == bitmap.getCardinality();
    }

    int cardinality()
    {
        return cardinality;
    }

    boolean contains(final int ownerId, final long delta, final int flags)
    {
        final int group = find(delta, flags);
        return group >= 0 && owners[group].contains(ownerId);
    }

    /**
     * This set with one more reference.
     *
     * @return the new set; the reference must not be in this set.
     */
    OwnerSet with(final int ownerId, final long delta, final int refFlags)
    {
        final int group = find(delta, refFlags);
        if (group >= 0)
        {
            assert !owners[group].contains(ownerId) : "ownerId=" + ownerId + " already in set";
            final RoaringBitmap[] newOwners = owners.clone();
            newOwners[group] = owners[group].clone();
            newOwners[group].add(ownerId);
            newOwners[group].runOptimize();
            return new OwnerSet(deltas, flags, newOwners);
        }
        final int at = -group - 1;
        final int n = deltas.length;
        final long[] newDeltas = new long[n + 1];
        final int[] newFlags = new int[n + 1];
        final RoaringBitmap[] newOwners = new RoaringBitmap[n + 1];
        System.arraycopy(deltas, 0, newDeltas, 0, at);
        System.arraycopy(flags, 0, newFlags, 0, at);
        System.arraycopy(owners, 0, newOwners, 0, at);
        newDeltas[at] = delta;
        newFlags[at] = refFlags;
        newOwners[at] = RoaringBitmap.bitmapOf(ownerId);
        System.arraycopy(deltas, at, newDeltas, at + 1, n - at);
        System.arraycopy(flags, at, newFlags, at + 1, n - at);
        System.arraycopy(owners, at, newOwners, at + 1, n - at);
        return new OwnerSet(newDeltas, newFlags, newOwners);
    }

    /**
     * This set without one reference; the caller turns a result of cardinality one into a single reference.
     *
     * @return the new set; the reference must be in this set.
     */
    OwnerSet without(final int ownerId, final long delta, final int refFlags)
    {
        final int group = find(delta, refFlags);
        assert group >= 0 && owners[group].contains(ownerId) : "ownerId=" + ownerId + " not in set";
        if (owners[group].getCardinality() > 1)
        {
            final RoaringBitmap[] newOwners = owners.clone();
            newOwners[group] = owners[group].clone();
            newOwners[group].remove(ownerId);
            newOwners[group].runOptimize();
            return new OwnerSet(deltas, flags, newOwners);
        }
        final int n = deltas.length;
        final long[] newDeltas = new long[n - 1];
        final int[] newFlags = new int[n - 1];
        final RoaringBitmap[] newOwners = new RoaringBitmap[n - 1];
        System.arraycopy(deltas, 0, newDeltas, 0, group);
        System.arraycopy(flags, 0, newFlags, 0, group);
        System.arraycopy(owners, 0, newOwners, 0, group);
        System.arraycopy(deltas, group + 1, newDeltas, group, n - group - 1);
        System.arraycopy(flags, group + 1, newFlags, group, n - group - 1);
        System.arraycopy(owners, group + 1, newOwners, group, n - group - 1);
        return new OwnerSet(newDeltas, newFlags, newOwners);
    }

    /**
     * Bytes this set takes on the heap, roughly: the bitmaps' serialized size plus the group arrays.
     *
     * @return estimated bytes.
     */
    long sizeInBytes()
    {
        long bytes = 48L + deltas.length * 12L;
        for (final RoaringBitmap bitmap : owners)
        {
            bytes += bitmap.getLongSizeInBytes();
        }
        return bytes;
    }

    @Override
    public boolean equals(final Object other)
    {
        if (this == other)
        {
            return true;
        }
        if (!(other instanceof OwnerSet))
        {
            return false;
        }
        final OwnerSet that = (OwnerSet)other;
        return hash == that.hash && Arrays.equals(deltas, that.deltas) && Arrays.equals(flags, that.flags) &&
            Arrays.equals(owners, that.owners);
    }

    @Override
    public int hashCode()
    {
        return hash;
    }

    private int find(final long delta, final int refFlags)
    {
        int low = 0;
        int high = deltas.length - 1;
        while (low <= high)
        {
            final int mid = (low + high) >>> 1;
            final int cmp = deltas[mid] != delta ? Long.compare(deltas[mid], delta) : Integer.compare(flags[mid], refFlags);
            if (cmp < 0)
            {
                low = mid + 1;
            }
            else if (cmp > 0)
            {
                high = mid - 1;
            }
            else
            {
                return mid;
            }
        }
        return -(low + 1);
    }
}
