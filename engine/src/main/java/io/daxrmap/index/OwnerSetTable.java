package io.daxrmap.index;

import java.util.Arrays;
import java.util.HashMap;

/**
 * Interns {@link OwnerSet}s: every distinct share group gets one id, and pieces hold the id.
 * <p>
 * Written by the writer only; readers read {@link #sets()} captured in their snapshot (append-only, replaced when it
 * grows, like {@link OwnerTable}). Sets no piece names any more stay until the index is compacted.
 * <p>
 * Transitions (set, add or remove one reference) are cached: cloning a file into many clones applies the same
 * transition to every extent of the golden file.
 */
final class OwnerSetTable
{
    private static final int TRANSITION_CACHE_LIMIT = 1 << 20;

    private final HashMap<OwnerSet, Integer> ids = new HashMap<>();
    private final HashMap<Transition, Integer> transitions = new HashMap<>();
    private OwnerSet[] sets = new OwnerSet[64];
    private int count;

    private record Transition(int setId, int ownerId, long delta, int flags, boolean add)
    {
    }

    int intern(final OwnerSet set)
    {
        final Integer id = ids.get(set);
        if (id != null)
        {
            return id;
        }
        if (count > PieceValue.MAX_SET_ID)
        {
            throw new IllegalStateException("too many share groups: count=" + count);
        }
        if (count == sets.length)
        {
            sets = Arrays.copyOf(sets, sets.length * 2);
        }
        sets[count] = set;
        ids.put(set, count);
        return count++;
    }

    OwnerSet get(final int id)
    {
        return sets[id];
    }

    OwnerSet[] sets()
    {
        return sets;
    }

    int count()
    {
        return count;
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
            transitions.clear();
        }
        transitions.put(new Transition(setId, ownerId, delta, flags, add), result);
    }
}
