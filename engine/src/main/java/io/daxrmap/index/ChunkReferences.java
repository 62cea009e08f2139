package io.daxrmap.index;

/**
 * Every forward-map chunk reference of a snapshot, in the order a compaction copies them (owner by owner, each root's
 * chunks in order), and for each the first reference to the same chunk: clones share chunks, and a compaction copies
 * each chunk once, where its first reference is, and names that copy from the others.
 * <p>
 * The first references are found by sorting the references by address, not with a hash map from every chunk to its
 * copy. At 10^8 records that map held 6 million chunks; its lookups were each a cache miss and took three quarters of
 * a compaction's Java samples.
 */
final class ChunkReferences
{
    /** Per reference, the first reference to the same chunk (itself if it is the first). */
    private final int[] first;
    /** Per reference that is a first, the chunk's copy once made; the sort's keys, reused. */
    private final long[] copies;

    private ChunkReferences(final int[] first, final long[] copies)
    {
        this.first = first;
        this.copies = copies;
    }

    /**
     * Collect and sort the chunk references of a snapshot's forward maps.
     *
     * @param snapshot the snapshot a compaction copies.
     * @return the references.
     */
    static ChunkReferences of(final Snapshot snapshot)
    {
        long total = 0;
        final int owners = snapshot.extents.length();
        for (int o = 0; o < owners; o++)
        {
            final long entry = snapshot.extents.get(o);
            if (entry != Snapshot.NO_EXTENTS)
            {
                total += ForwardRootDescriptor.entryChunks(snapshot.slabs, entry);
            }
        }
        if (total > Integer.MAX_VALUE - 8)
        {
            throw new IllegalStateException("too many forward-map chunk references to compact: references=" + total);
        }
        final int count = (int)total;
        final long[] addresses = new long[count];
        final int[] order = new int[count];
        int r = 0;
        for (int o = 0; o < owners; o++)
        {
            final long entry = snapshot.extents.get(o);
            if (entry != Snapshot.NO_EXTENTS)
            {
                final int chunks = ForwardRootDescriptor.entryChunks(snapshot.slabs, entry);
                for (int c = 0; c < chunks; c++, r++)
                {
                    addresses[r] = ForwardRootDescriptor.entryChunk(snapshot.slabs, entry, c);
                    order[r] = r;
                }
            }
        }
        // stable: among the references to one chunk, the first in copy order comes first
        RadixSort.sort(addresses, order, 0, count);
        final int[] first = new int[count];
        int lead = -1;
        for (int i = 0; i < count; i++)
        {
            if (i == 0 || addresses[i] != addresses[i - 1])
            {
                lead = order[i];
            }
            first[order[i]] = lead;
        }
        return new ChunkReferences(first, addresses);
    }

    /**
     * The first reference to the chunk a reference names.
     *
     * @param reference the reference's number, in copy order.
     * @return the first reference's number: {@code reference} itself if no earlier reference names the chunk.
     */
    int first(final int reference)
    {
        return first[reference];
    }

    /**
     * Record the copy made for a first reference.
     */
    void copied(final int reference, final long copy)
    {
        copies[reference] = copy;
    }

    /**
     * The copy recorded for a first reference.
     */
    long copy(final int reference)
    {
        return copies[reference];
    }
}
