package io.daxrmap.index;

import org.agrona.collections.Int2ObjectHashMap;

/**
 * The writer's decoded copies of the stripes and forward maps that recent batches wrote, so that the next batch
 * touching one starts from its arrays instead of decoding its block again.
 * <p>
 * An entry is the state of one block: a batch takes it only if the directory of its base snapshot still names that
 * block, and owns it from then on (it changes the arrays in place). A batch that commits puts back what it wrote; one
 * that aborts or fails puts back nothing, so a half-applied copy is never seen again. Addresses identify blocks only
 * within one arena: the index empties the cache wherever it changes arena (a compaction, following another process),
 * and when a bulk load starts or the index closes.
 * <p>
 * Only the writer uses it. At most {@link #LIMIT} entries of each kind are kept: past that the kind is emptied, and
 * the next batches decode again.
 */
final class WriterCache
{
    /** Entries of each kind kept at most. */
    static final int LIMIT = 4096;
    /** The block of a stripe a batch took: no address. */
    private static final long TAKEN = -1;

    private final Int2ObjectHashMap<MutableStripe> stripes = new Int2ObjectHashMap<>();
    private final Int2ObjectHashMap<MutableExtents> forwards = new Int2ObjectHashMap<>();
    private long hits;
    private long misses;

    /**
     * The decoded copy of a stripe's block, now the caller's, or null.
     *
     * @param stripeIndex the stripe.
     * @param address     the block the caller's base snapshot names for it.
     */
    MutableStripe takeStripe(final int stripeIndex, final long address)
    {
        // left in the map, marked taken: a batch that commits puts it back under the same key (a replace, where a
        // removal shifted the probe chain and the put shifted it back); one that aborts leaves it marked, never taken
        final MutableStripe stripe = stripes.get(stripeIndex);
        if (stripe != null && stripe.block == address)
        {
            stripe.block = TAKEN;
            return counted(stripe);
        }
        return counted(null);
    }

    /**
     * The decoded copy of an owner's forward map, now the caller's, or null.
     *
     * @param ownerId the owner.
     * @param root    the root block the caller's base snapshot names for it.
     */
    MutableExtents takeForward(final int ownerId, final long root)
    {
        // removed, not marked as a stripe is: a batch reads the root it took, so the root cannot be the mark
        final MutableExtents forward = forwards.remove(ownerId);
        return counted(forward != null && forward.root() == root ? forward : null);
    }

    /**
     * Keep a stripe whose arrays hold exactly what its block {@link MutableStripe#block} holds.
     */
    void putStripe(final MutableStripe stripe)
    {
        put(stripes, stripe.index, stripe);
    }

    /**
     * Keep a forward map whose window and chunks are those of its root {@link MutableExtents#root()}.
     */
    void putForward(final MutableExtents forward)
    {
        put(forwards, forward.ownerId, forward);
    }

    /**
     * Forget every entry.
     */
    void clear()
    {
        stripes.clear();
        forwards.clear();
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

    private static <T> void put(final Int2ObjectHashMap<T> map, final int key, final T entry)
    {
        if (map.size() >= LIMIT && !map.containsKey(key))
        {
            map.clear();
        }
        map.put(key, entry);
    }
}
