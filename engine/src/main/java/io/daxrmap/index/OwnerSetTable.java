package io.daxrmap.index;

import java.util.Arrays;
import java.util.HashMap;

/**
 * Interns {@link OwnerSet}s: every distinct share group gets one id, and pieces hold the id.
 * <p>
 * Written by the writer only; readers read {@link #sets()} captured in their snapshot (append-only, replaced when it
 * grows, like {@link OwnerTable}). Sets no piece names any more stay until the index is compacted.
 * <p>
 * Sets are found again through an open-addressing table of ids (4 bytes a slot, where a {@code HashMap} entry with a
 * boxed id takes about 56 bytes).
 * <p>
 * Transitions (set, add or remove one reference) are cached: cloning a file into many clones applies the same
 * transition to every extent of the golden file.
 */
final class OwnerSetTable
{
    /**
     * Transitions cached before the cache starts again: the repeats it catches are the pieces of one extent, which
     * follow one another, so a small cache catches them and its memory stays small (about
     * {@value #TRANSITION_ENTRY_BYTES} bytes an entry).
     */
    static final int TRANSITION_CACHE_LIMIT = 1 << 16;
    /** Heap bytes of one cached transition: the map's node, the key record, the boxed id, table slots. */
    static final int TRANSITION_ENTRY_BYTES = 96;
    private static final int MIN_SLOTS = 64;

    /** Longs a set takes in {@link #firstGroups}. */
    static final int FIRST_GROUP_LONGS = 3;
    /** In a set's third long of {@link #firstGroups}: the set is one group whose owner ids are a run. */
    static final long ONE_RUN = 1L << 32;

    private HashMap<Transition, Integer> transitions = new HashMap<>();
    private OwnerSet[] sets = new OwnerSet[64];
    /**
     * Per set, beside {@link #sets}: group 0's delta, its first and last owner ids (low and high 32 bits), and its
     * stored flags with {@link #ONE_RUN} where the set is that one group and a run, as most are. A query of such a set
     * reads these 24 bytes, which lie beside the other sets' in one array, instead of the set's object and its arrays
     * scattered over the heap: on a large index those are cache misses of their own.
     */
    private long[] firstGroups = new long[64 * FIRST_GROUP_LONGS];
    private int count;
    /** Open addressing: set id + 1 per slot, 0 when free; grown at two thirds full. */
    private int[] slots = new int[MIN_SLOTS];

    private record Transition(int setId, int ownerId, long delta, int flags, boolean add)
    {
    }

    int intern(final OwnerSet set)
    {
        final int mask = slots.length - 1;
        int slot = mix(set.hashCode()) & mask;
        while (slots[slot] != 0)
        {
            final int id = slots[slot] - 1;
            if (sets[id].equals(set))
            {
                return id;
            }
            slot = (slot + 1) & mask;
        }
        if (count > PieceValue.MAX_SET_ID)
        {
            throw new IllegalStateException("too many share groups: count=" + count);
        }
        if (count == sets.length)
        {
            sets = Arrays.copyOf(sets, sets.length * 2);
            firstGroups = Arrays.copyOf(firstGroups, sets.length * FIRST_GROUP_LONGS);
        }
        sets[count] = set;
        final int at = count * FIRST_GROUP_LONGS;
        firstGroups[at] = set.groupDelta(0);
        firstGroups[at + 1] = set.groupFirst(0) & 0xFFFF_FFFFL | (long)set.groupLast(0) << Integer.SIZE;
        firstGroups[at + 2] = set.groupFlags(0) & 0xFFFF_FFFFL |
            (set.groupCount() == 1 && set.groupIsRun(0) ? ONE_RUN : 0);
        slots[slot] = count + 1;
        count++;
        if (count * 3L > slots.length * 2L)
        {
            rehash(slots.length * 2);
        }
        return count - 1;
    }

    OwnerSet get(final int id)
    {
        return sets[id];
    }

    OwnerSet[] sets()
    {
        return sets;
    }

    /**
     * Group 0 of every set, {@value #FIRST_GROUP_LONGS} longs a set (see {@link #firstGroups}); append-only like
     * {@link #sets()}, and replaced with it when it grows.
     */
    long[] firstGroups()
    {
        return firstGroups;
    }

    /**
     * Whether a set is one group whose owner ids are a run, as {@link #firstGroups()} tells it.
     */
    static boolean isOneRun(final long[] firstGroups, final int setId)
    {
        return (firstGroups[setId * FIRST_GROUP_LONGS + 2] & ONE_RUN) != 0;
    }

    /**
     * A set's group 0's delta, from {@link #firstGroups()}.
     */
    static long firstDelta(final long[] firstGroups, final int setId)
    {
        return firstGroups[setId * FIRST_GROUP_LONGS];
    }

    /**
     * A set's group 0's stored flags, from {@link #firstGroups()}.
     */
    static int firstFlags(final long[] firstGroups, final int setId)
    {
        return (int)firstGroups[setId * FIRST_GROUP_LONGS + 2];
    }

    /**
     * A set's group 0's smallest owner id, from {@link #firstGroups()}.
     */
    static int firstOwner(final long[] firstGroups, final int setId)
    {
        return (int)firstGroups[setId * FIRST_GROUP_LONGS + 1];
    }

    /**
     * A set's group 0's largest owner id, from {@link #firstGroups()}.
     */
    static int lastOwner(final long[] firstGroups, final int setId)
    {
        return (int)(firstGroups[setId * FIRST_GROUP_LONGS + 1] >>> Integer.SIZE);
    }

    int count()
    {
        return count;
    }

    /**
     * Heap bytes of the table itself, not of its sets: the id slots, the sets array's references, cached transitions.
     */
    long tableBytes()
    {
        return (long)slots.length * Integer.BYTES + (long)sets.length * Integer.BYTES +
            (long)firstGroups.length * Long.BYTES +
            (long)transitions.size() * TRANSITION_ENTRY_BYTES;
    }

    Integer cachedTransition(final int setId, final int ownerId, final long delta, final int flags, final boolean add)
    {
        return transitions.get(new Transition(setId, ownerId, delta, flags, add));
    }

    void cacheTransition(
        final int setId, final int ownerId, final long delta, final int flags, final boolean add, final int result)
    {
        if (transitions.size() >= TRANSITION_CACHE_LIMIT)
        {
            transitions = new HashMap<>(); // not clear(): that keeps the grown table
        }
        transitions.put(new Transition(setId, ownerId, delta, flags, add), result);
    }

    private void rehash(final int capacity)
    {
        final int[] fresh = new int[capacity];
        final int mask = capacity - 1;
        for (int id = 0; id < count; id++)
        {
            int slot = mix(sets[id].hashCode()) & mask;
            while (fresh[slot] != 0)
            {
                slot = (slot + 1) & mask;
            }
            fresh[slot] = id + 1;
        }
        slots = fresh;
    }

    private static int mix(final int hash)
    {
        final int h = hash * 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}
