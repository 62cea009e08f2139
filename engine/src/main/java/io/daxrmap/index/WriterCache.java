package io.daxrmap.index;

import org.agrona.collections.Int2ObjectHashMap;

import java.util.ArrayList;

/**
 * The writer's decoded copies of the stripes and forward maps that recent batches wrote, so that the next batch
 * touching one starts from its arrays instead of decoding its block again.
 * <p>
 * An entry is the state of one block: a batch takes it only if the directory of its base snapshot still names that
 * block, and owns it from then on (it changes the arrays in place). A batch decodes what it finds no entry for and
 * keeps the copy here too. Its copies stay here while it is open, marked as its own, so that it finds them again; once
 * it commits they are the state of the blocks it wrote. When the writer is freed after a batch that aborted or
 * failed, the copies it still owns leave the cache; those a failed commit had already written name blocks no
 * snapshot names, so no batch takes them either, or a lone chunk it kept ({@link ForwardRootDescriptor#LONE}), which
 * is the whole of any map whose entry names it. A half-applied copy is never taken again. Addresses identify blocks
 * only within one arena: the index empties the cache wherever it changes arena (a compaction, following another
 * process), and when a bulk load starts or the index closes.
 * <p>
 * Only the writer uses it. At most {@link #LIMIT} entries of each kind are kept between batches: past that, once the
 * batch is done, the kind is emptied, and the next batches decode again.
 */
final class WriterCache
{
    /** Entries of each kind kept at most between batches. */
    static final int LIMIT = 4096;
    /** The batch number of a copy no batch owns. */
    static final long FREE = 0;

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
     * Give a batch the working copy of a stripe: the kept copy if no batch owns it and it holds the block the batch's
     * base names, else a copy decoded from that block, kept from now on. Either is the batch's until it commits: left
     * in the map, so that the batch finds it there again, and owned by no other batch (an aborted batch's copies leave
     * the cache when the writer is freed, {@link #release}).
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
        if (stripe != null && stripe.batch == FREE && stripe.block == address)
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
        stripe.batch = batch;
        return stripe;
    }

    /**
     * The copy kept for an owner's forward map, whoever owns it now (its {@link MutableExtents#batch}), or null.
     *
     * @param ownerId the owner.
     */
    MutableExtents forward(final int ownerId)
    {
        return forwards.get(ownerId);
    }

    /**
     * Give a batch the working copy of an owner's forward map: the kept copy if no batch owns it and it holds the
     * root the batch's base names, else a copy decoded from that root (an empty one if there is none), kept from now
     * on. Either is the batch's until it commits: left in the map, so that the batch finds it there again, and owned
     * by no other batch (an aborted batch's copies leave the cache when the writer is freed, {@link #release}).
     * Unlike a stripe's block, the root stays as it was: the batch reads the chunks it names.
     *
     * @param kept  what {@link #forward} gave for the owner.
     * @param root  the root the batch's base snapshot names for it, or {@link Snapshot#NO_EXTENTS}.
     * @param base  the batch's base snapshot, to decode from.
     * @param batch the batch's number.
     * @return the batch's copy.
     */
    MutableExtents takeForward(
        final int ownerId, final MutableExtents kept, final long root, final Snapshot base, final long batch)
    {
        MutableExtents forward = kept;
        if (root == Snapshot.NO_EXTENTS)
        {
            forward = new MutableExtents(ownerId);
            forwards.put(ownerId, forward);
        }
        else if (forward != null && forward.batch == FREE && forward.root() == root)
        {
            hits++;
        }
        else
        {
            misses++;
            forward = new MutableExtents(ownerId, base, root);
            forwards.put(ownerId, forward);
        }
        forward.batch = batch;
        return forward;
    }

    /**
     * After a batch committed: its copy of a stripe is the state of the block it wrote ({@link MutableStripe#block}),
     * free for the next batch to take.
     */
    void keepStripe(final MutableStripe stripe)
    {
        stripe.batch = FREE;
    }

    /**
     * After a batch committed: its copy of a forward map is the state of its root {@link MutableExtents#root()}, free
     * for the next batch to take.
     */
    void keepForward(final MutableExtents forward)
    {
        forward.batch = FREE;
    }

    /**
     * After a batch committed: its copy of a forward map names no root (the owner maps nothing), and is not kept.
     */
    void dropForward(final MutableExtents forward)
    {
        removeIfKept(forwards, forward.ownerId, forward);
    }

    /**
     * Remove a copy if it is still the one kept under its key (a later batch may have decoded another).
     */
    private static <T> void removeIfKept(final Int2ObjectHashMap<T> map, final int key, final T copy)
    {
        if (map.get(key) == copy)
        {
            map.remove(key);
        }
    }

    /**
     * When the writer is freed: drop the copies a batch took and still owns (it aborted, or failed before it kept
     * them), so that they do not stay in memory until the next batch reaches their stripe or owner. A committed
     * batch's copies are the state of the blocks it wrote, and stay.
     *
     * @param stripes  the batch's stripe copies.
     * @param forwards the batch's forward-map copies.
     */
    void release(final ArrayList<MutableStripe> stripes, final ArrayList<MutableExtents> forwards)
    {
        for (int i = 0, n = stripes.size(); i < n; i++)
        {
            final MutableStripe stripe = stripes.get(i);
            if (stripe.batch != FREE)
            {
                removeIfKept(this.stripes, stripe.index, stripe);
            }
        }
        for (int i = 0, n = forwards.size(); i < n; i++)
        {
            final MutableExtents forward = forwards.get(i);
            if (forward.batch != FREE)
            {
                dropForward(forward);
            }
        }
    }

    /**
     * Once no batch is open: forget the entries of a kind if more than {@link #LIMIT} are kept.
     */
    void trim()
    {
        if (stripes.size() > LIMIT)
        {
            stripes.clear();
        }
        if (forwards.size() > LIMIT)
        {
            forwards.clear();
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
}
