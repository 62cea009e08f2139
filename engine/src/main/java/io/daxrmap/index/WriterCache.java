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
     * The copy kept for a stripe, whoever owns it now (its {@link MutableStripe#batch}), or null.
     *
     * @param stripeIndex the stripe.
     */
    MutableStripe stripe(final int stripeIndex)
    {
        return stripes.get(stripeIndex);
    }

    /**
     * Give a batch the working copy of a stripe: the kept copy if it holds the block the batch's base names, else a
     * copy decoded from that block, kept from now on. Either is marked taken and the batch's until it commits: left in
     * the map, so that the batch finds it there again, and whatever the batch does with it, no other batch takes it
     * (an aborted batch's copies stay marked, and the next batch to reach those stripes decodes them again).
     *
     * @param kept    what {@link #stripe} gave for the stripe.
     * @param address the block the batch's base snapshot names for it.
     * @param base    the batch's base snapshot, to decode from.
     * @param batch   the batch's number.
     * @return the batch's copy.
     */
    MutableStripe takeStripe(
        final int stripeIndex, final MutableStripe kept, final long address, final Snapshot base, final long batch)
    {
        MutableStripe stripe = kept;
        if (stripe != null && stripe.block == address)
        {
            hits++;
        }
        else
        {
            misses++;
            stripe = new MutableStripe(stripeIndex, base.stripeStart(stripeIndex), base.stripeEnd(stripeIndex), address,
                base.buffer(address), Arena.offset(address));
            // no trim here: the map holds the open batch's copies, which must stay where the batch finds them
            stripes.put(stripeIndex, stripe);
        }
        stripe.block = TAKEN;
        stripe.batch = batch;
        return stripe;
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
     * Keep a forward map whose window and chunks are those of its root {@link MutableExtents#root()}.
     */
    void putForward(final MutableExtents forward)
    {
        put(forwards, forward.ownerId, forward);
    }

    /**
     * Once no batch is open: forget the stripes if more than {@link #LIMIT} are kept.
     */
    void trim()
    {
        if (stripes.size() > LIMIT)
        {
            stripes.clear();
        }
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
