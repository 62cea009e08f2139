package io.daxrmap.index;

import org.roaringbitmap.RoaringBitmap;

import java.util.Arrays;

/**
 * An immutable set of two or more references (owner id, delta, stored flags) that share device bytes: a share group.
 * <p>
 * References are grouped by (delta, flags). A group whose owner ids are one run, first to last with none missing,
 * keeps only its first and last id; any other group keeps its ids in a {@link RoaringBitmap}. Clones made one after
 * another get consecutive owner ids, so a full-file clone usually extends a run by one: memory and query time grow
 * with distinct extents, not with the number of clones, and most sets are three small arrays. A group is a run
 * exactly when its ids are contiguous (never a bitmap then), so equal sets are equal field by field.
 * Sets are interned by {@link OwnerSetTable}: equal sets have one id. Never change a set or its bitmaps.
 */
final class OwnerSet
{
    /** Ints per group in {@link #groups}: stored flags, first owner id, last owner id. */
    private static final int GROUP_INTS = 3;
    private static final int FLAGS = 0;
    private static final int FIRST = 1;
    private static final int LAST = 2;

    /** Heap bytes of one object header, of one array header, and the alignment (compressed oops, 64-bit JVM). */
    private static final int OBJECT_HEADER = 12;
    private static final int ARRAY_HEADER = 16;
    private static final int REFERENCE = 4;
    private static final int ALIGNMENT = 8;

    private final long[] deltas;
    private final int[] groups;
    /** Per group, the owner ids of a group that is not a run, else null; null as a whole when every group is a run. */
    private final RoaringBitmap[] bitmaps;
    private final int cardinality;
    private final int hash;

    private OwnerSet(final long[] deltas, final int[] groups, final RoaringBitmap[] bitmaps)
    {
        this.deltas = deltas;
        this.groups = groups;
        this.bitmaps = bitmaps;
        long total = 0;
        int h = 1;
        for (int g = 0; g < deltas.length; g++)
        {
            final RoaringBitmap bitmap = bitmaps == null ? null : bitmaps[g];
            total += bitmap == null ? groups[g * GROUP_INTS + LAST] - groups[g * GROUP_INTS + FIRST] + 1L :
                bitmap.getLongCardinality();
            h = 31 * h + Long.hashCode(deltas[g]);
            h = 31 * h + groups[g * GROUP_INTS + FLAGS];
            h = 31 * h + groups[g * GROUP_INTS + FIRST];
            h = 31 * h + groups[g * GROUP_INTS + LAST];
            // not the bitmap's own hash: it differs between container kinds holding the same ids
            h = 31 * h + (bitmap == null ? 0 : bitmap.getCardinality());
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
        final OwnerSet one = new OwnerSet(new long[]{deltaA}, new int[]{flagsA, ownerA, ownerA}, null);
        return one.with(ownerB, deltaB, flagsB);
    }

    /**
     * A set of one group whose owner ids are the run {@code first} to {@code last}: what {@link #of} makes of such a
     * group, without a bitmap to build.
     */
    static OwnerSet ofRun(final long delta, final int flags, final int first, final int last)
    {
        if (first < 0 || last < first)
        {
            throw new IllegalArgumentException("bad run: first=" + first + " last=" + last);
        }
        return new OwnerSet(new long[]{delta}, new int[]{flags, first, last}, null);
    }

    /**
     * A set from its groups, as a log stores them: groups in (delta, flags) order, bitmaps not empty. The bitmaps of
     * groups that are not runs are kept, run-optimised, and must not be changed afterwards.
     *
     * @throws IllegalArgumentException if the groups are out of order or a bitmap is empty.
     */
    static OwnerSet of(final long[] deltas, final int[] flags, final RoaringBitmap[] owners)
    {
        final int n = deltas.length;
        final int[] groups = new int[n * GROUP_INTS];
        RoaringBitmap[] bitmaps = null;
        for (int g = 0; g < n; g++)
        {
            final RoaringBitmap bitmap = owners[g];
            if (bitmap.isEmpty())
            {
                throw new IllegalArgumentException("empty group: group=" + g);
            }
            if (g > 0 && (deltas[g - 1] > deltas[g] || (deltas[g - 1] == deltas[g] && flags[g - 1] >= flags[g])))
            {
                throw new IllegalArgumentException("groups out of order: group=" + g);
            }
            groups[g * GROUP_INTS + FLAGS] = flags[g];
            groups[g * GROUP_INTS + FIRST] = bitmap.first();
            groups[g * GROUP_INTS + LAST] = bitmap.last();
            if (!isRun(bitmap))
            {
                bitmap.runOptimize();
                if (bitmaps == null)
                {
                    bitmaps = new RoaringBitmap[n];
                }
                bitmaps[g] = bitmap;
            }
        }
        return new OwnerSet(deltas.clone(), groups, bitmaps);
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
        return groups[group * GROUP_INTS + FLAGS];
    }

    /**
     * Whether a group's owner ids are one run, {@link #groupFirst} to {@link #groupLast} with none missing, as the
     * clones of a file made one after another are. A reader then visits them by counting, where a bitmap's
     * {@code forEach} would make one call through its consumer interface per owner.
     */
    boolean groupIsRun(final int group)
    {
        return bitmaps == null || bitmaps[group] == null;
    }

    /**
     * The smallest owner id of a group.
     */
    int groupFirst(final int group)
    {
        return groups[group * GROUP_INTS + FIRST];
    }

    /**
     * The largest owner id of a group.
     */
    int groupLast(final int group)
    {
        return groups[group * GROUP_INTS + LAST];
    }

    /**
     * The owner ids of a group that is not a run, as stored (allocates nothing); null for a run.
     */
    RoaringBitmap groupBitmap(final int group)
    {
        return bitmaps == null ? null : bitmaps[group];
    }

    /**
     * A group's owner ids as a bitmap: the stored one, or a new one for a run. For the writer and the log, not for
     * queries.
     */
    RoaringBitmap groupOwners(final int group)
    {
        final RoaringBitmap bitmap = groupBitmap(group);
        return bitmap != null ? bitmap : RoaringBitmap.bitmapOfRange(groupFirst(group), groupLast(group) + 1L);
    }

    int cardinality()
    {
        return cardinality;
    }

    /**
     * The group of a (delta, flags), or a negative number if the set has none.
     */
    int group(final long delta, final int flags)
    {
        return find(delta, flags);
    }

    boolean contains(final int ownerId, final long delta, final int flags)
    {
        final int group = find(delta, flags);
        if (group < 0)
        {
            return false;
        }
        final RoaringBitmap bitmap = groupBitmap(group);
        return bitmap != null ? bitmap.contains(ownerId) : groupFirst(group) <= ownerId && ownerId <= groupLast(group);
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
            assert !contains(ownerId, delta, refFlags) : "ownerId=" + ownerId + " already in set";
            final RoaringBitmap bitmap = groupBitmap(group);
            if (bitmap == null && ownerId == groupLast(group) + 1)
            {
                return withRun(group, groupFirst(group), ownerId);
            }
            if (bitmap == null && ownerId == groupFirst(group) - 1)
            {
                return withRun(group, ownerId, groupLast(group));
            }
            // a run's bitmap is made fresh; a stored one is shared with this set and must be copied
            final RoaringBitmap changed = bitmap == null ? groupOwners(group) : bitmap.clone();
            changed.add(ownerId);
            return withGroup(group, changed);
        }
        final int at = -group - 1;
        final int n = deltas.length;
        final long[] newDeltas = new long[n + 1];
        final int[] newGroups = new int[(n + 1) * GROUP_INTS];
        System.arraycopy(deltas, 0, newDeltas, 0, at);
        System.arraycopy(groups, 0, newGroups, 0, at * GROUP_INTS);
        newDeltas[at] = delta;
        newGroups[at * GROUP_INTS + FLAGS] = refFlags;
        newGroups[at * GROUP_INTS + FIRST] = ownerId;
        newGroups[at * GROUP_INTS + LAST] = ownerId;
        System.arraycopy(deltas, at, newDeltas, at + 1, n - at);
        System.arraycopy(groups, at * GROUP_INTS, newGroups, (at + 1) * GROUP_INTS, (n - at) * GROUP_INTS);
        RoaringBitmap[] newBitmaps = null;
        if (bitmaps != null)
        {
            newBitmaps = new RoaringBitmap[n + 1];
            System.arraycopy(bitmaps, 0, newBitmaps, 0, at);
            System.arraycopy(bitmaps, at, newBitmaps, at + 1, n - at);
        }
        return new OwnerSet(newDeltas, newGroups, newBitmaps);
    }

    /**
     * This set without one reference; the caller turns a result of cardinality one into a single reference.
     *
     * @return the new set; the reference must be in this set.
     */
    OwnerSet without(final int ownerId, final long delta, final int refFlags)
    {
        final int group = find(delta, refFlags);
        assert group >= 0 && contains(ownerId, delta, refFlags) : "ownerId=" + ownerId + " not in set";
        final RoaringBitmap bitmap = groupBitmap(group);
        final int first = groupFirst(group);
        final int last = groupLast(group);
        if (bitmap == null && first == last)
        {
            return withoutGroup(group);
        }
        if (bitmap == null && ownerId == first)
        {
            return withRun(group, first + 1, last);
        }
        if (bitmap == null && ownerId == last)
        {
            return withRun(group, first, last - 1);
        }
        final RoaringBitmap changed = bitmap == null ? groupOwners(group) : bitmap.clone();
        changed.remove(ownerId);
        return withGroup(group, changed);
    }

    /**
     * Bytes this set takes on the heap, counted object by object as a 64-bit JVM with compressed references lays them
     * out; a bitmap's internals are estimated from {@link RoaringBitmap#getLongSizeInBytes} and its container count.
     *
     * @return bytes.
     */
    long sizeInBytes()
    {
        final int n = deltas.length;
        long bytes = align(OBJECT_HEADER + 3L * REFERENCE + 2L * Integer.BYTES) +
            align(ARRAY_HEADER + (long)n * Long.BYTES) + align(ARRAY_HEADER + (long)n * GROUP_INTS * Integer.BYTES);
        if (bitmaps != null)
        {
            bytes += align(ARRAY_HEADER + (long)n * REFERENCE);
            for (final RoaringBitmap bitmap : bitmaps)
            {
                if (bitmap != null)
                {
                    bytes += bitmapBytes(bitmap);
                }
            }
        }
        return bytes;
    }

    /**
     * A bitmap's heap bytes: the bitmap and its container array objects (about 120 bytes with their arrays), then per
     * container one object and its array headers (about 40 bytes), then the values themselves.
     */
    private static long bitmapBytes(final RoaringBitmap bitmap)
    {
        return 120L + 40L * bitmap.getContainerCount() + bitmap.getLongSizeInBytes();
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
        return hash == that.hash && Arrays.equals(deltas, that.deltas) && Arrays.equals(groups, that.groups) &&
            Arrays.equals(bitmaps, that.bitmaps);
    }

    @Override
    public int hashCode()
    {
        return hash;
    }

    private static boolean isRun(final RoaringBitmap bitmap)
    {
        return bitmap.last() - (long)bitmap.first() + 1 == bitmap.getLongCardinality();
    }

    private static long align(final long bytes)
    {
        return (bytes + ALIGNMENT - 1) & -ALIGNMENT;
    }

    /**
     * This set with one group's owners now the run {@code [first, last]}.
     */
    private OwnerSet withRun(final int group, final int first, final int last)
    {
        final int[] newGroups = groups.clone();
        newGroups[group * GROUP_INTS + FIRST] = first;
        newGroups[group * GROUP_INTS + LAST] = last;
        return new OwnerSet(deltas, newGroups, withBitmap(group, null));
    }

    /**
     * This set with one group's owners now these (not empty): kept as a run if they are one.
     */
    private OwnerSet withGroup(final int group, final RoaringBitmap owners)
    {
        if (isRun(owners))
        {
            return withRun(group, owners.first(), owners.last());
        }
        owners.runOptimize();
        final int[] newGroups = groups.clone();
        newGroups[group * GROUP_INTS + FIRST] = owners.first();
        newGroups[group * GROUP_INTS + LAST] = owners.last();
        return new OwnerSet(deltas, newGroups, withBitmap(group, owners));
    }

    /**
     * The bitmaps array with one group's entry replaced; null when no group then has a bitmap.
     */
    private RoaringBitmap[] withBitmap(final int group, final RoaringBitmap bitmap)
    {
        if (bitmaps == null && bitmap == null)
        {
            return null;
        }
        final RoaringBitmap[] newBitmaps = bitmaps == null ? new RoaringBitmap[deltas.length] : bitmaps.clone();
        newBitmaps[group] = bitmap;
        return nullIfAllRuns(newBitmaps);
    }

    private static RoaringBitmap[] nullIfAllRuns(final RoaringBitmap[] bitmaps)
    {
        for (final RoaringBitmap bitmap : bitmaps)
        {
            if (bitmap != null)
            {
                return bitmaps;
            }
        }
        return null;
    }

    private OwnerSet withoutGroup(final int group)
    {
        final int n = deltas.length;
        final long[] newDeltas = new long[n - 1];
        final int[] newGroups = new int[(n - 1) * GROUP_INTS];
        System.arraycopy(deltas, 0, newDeltas, 0, group);
        System.arraycopy(groups, 0, newGroups, 0, group * GROUP_INTS);
        System.arraycopy(deltas, group + 1, newDeltas, group, n - group - 1);
        System.arraycopy(groups, (group + 1) * GROUP_INTS, newGroups, group * GROUP_INTS, (n - group - 1) * GROUP_INTS);
        RoaringBitmap[] newBitmaps = null;
        if (bitmaps != null)
        {
            newBitmaps = new RoaringBitmap[n - 1];
            System.arraycopy(bitmaps, 0, newBitmaps, 0, group);
            System.arraycopy(bitmaps, group + 1, newBitmaps, group, n - group - 1);
            newBitmaps = nullIfAllRuns(newBitmaps);
        }
        return new OwnerSet(newDeltas, newGroups, newBitmaps);
    }

    private int find(final long delta, final int refFlags)
    {
        int low = 0;
        int high = deltas.length - 1;
        while (low <= high)
        {
            final int mid = (low + high) >>> 1;
            final int cmp = deltas[mid] != delta ? Long.compare(deltas[mid], delta) :
                Integer.compare(groups[mid * GROUP_INTS + FLAGS], refFlags);
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
