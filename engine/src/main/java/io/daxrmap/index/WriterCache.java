package io.daxrmap.index;

import org.agrona.collections.Int2ObjectHashMap;

/**
 * The writer's decoded copies of the stripes and forward maps that recent batches wrote, so that the next batch
 * touching one starts from its arrays instead of decoding its block again.
 * <p>
 * An entry is the state of one block: a batch takes it only if the directory of its base snapshot still names that
 * block, and owns it from then on (it changes the arrays in place). A batch that commits puts back what it wrote; one
 * that aborts or fails puts back nothing, so a half-applied copy is never seen again. Addresses identify blocks only
 * within one arena, so the cache is emptied whenever the index changes arena (compaction, a bulk load, following
 * another process).
 * <p>
 * Only the writer uses it. At most {@link #LIMIT} entries of each kind are kept: past that the kind is emptied, and
 * the next batches decode again.
 */
final class WriterCache
{
    /** Entries of each kind kept at most. */
    static final int LIMIT = 4096;

    private final Int2ObjectHashMap<MutableStripe> stripes = new Int2ObjectHashMap<>();
    private final Int2ObjectHashMap<MutableExtents> forwards = new Int2ObjectHashMap<>();
    private Arena arena;
    private long hits;
    private long misses;

    /**
     * The decoded copy of a stripe's block, now the caller's, or null.
     *
     * @param stripeIndex the stripe.
     * @param address     the block the caller's base snapshot names for it.
     * @param current     the index's arena.
     */
    MutableStripe takeStripe(final int stripeIndex, final long address, final Arena current)
    {
        if (!valid(current))
        {
            return null;
        }
        final MutableStripe stripe = stripes.remove(stripeIndex);
        return counted(stripe != null && stripe.block == address ? stripe : null);
    }

    /**
     * The decoded copy of an owner's forward map, now the caller's, or null.
     *
     * @param ownerId the owner.
     * @param root    the root block the caller's base snapshot names for it.
     * @param current the index's arena.
     */
    MutableExtents takeForward(final int ownerId, final long root, final Arena current)
    {
        if (!valid(current))
        {
            return null;
        }
        final MutableExtents forward = forwards.remove(ownerId);
        return counted(forward != null && forward.root() == root ? forward : null);
    }

    /**
     * Keep a stripe whose arrays hold exactly what its block {@link MutableStripe#block} holds.
     */
    void putStripe(final MutableStripe stripe, final Arena current)
    {
        put(stripes, stripe.index, stripe, current);
    }

    /**
     * Keep a forward map whose window and chunks are those of its root {@link MutableExtents#root()}.
     */
    void putForward(final MutableExtents forward, final Arena current)
    {
        put(forwards, forward.ownerId, forward, current);
    }

    /**
     * Forget every entry.
     */
    void clear()
    {
        stripes.clear();
        forwards.clear();
        arena = null;
    }

    /**
     * The forward map kept for an owner, left in the cache; for tests.
     */
    MutableExtents peekForward(final int ownerId)
    {
        return forwards.get(ownerId);
    }

    int size()
    {
        return stripes.size() + forwards.size();
    }

    long hits()
    {
        return hits;
    }

    long misses()
    {
        return misses;
    }

    private boolean valid(final Arena current)
    {
        if (current != arena)
        {
            clear();
            misses++;
            return false;
        }
        return true;
    }

    private <T> T counted(final T found)
    {
        if (found == null)
        {
            misses++;
        }
        else
        {
            hits++;
        }
        return found;
    }

    private <T> void put(final Int2ObjectHashMap<T> map, final int key, final T entry, final Arena current)
    {
        if (current != arena)
        {
            clear();
            arena = current;
        }
        if (map.size() >= LIMIT && !map.containsKey(key))
        {
            map.clear();
        }
        map.put(key, entry);
    }
}
