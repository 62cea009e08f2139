package io.daxrmap.index;

import org.agrona.collections.Long2LongHashMap;

/**
 * The writer's count of forward-map chunks that several owners' roots name (full-file clones share all but the
 * chunks their own writes changed), so that releasing one owner's reference frees the chunk's bytes only with the
 * last one.
 * <p>
 * Only chunks with more than one reference are kept, as the number of extra references. The count is bookkeeping
 * for {@link ReverseIndex#liveOffHeapBytes()} and the compaction trigger, never for correctness: blocks are never
 * freed one by one, compaction copies what the roots name. A reopened index starts with no counts (they are not
 * persisted): until its next compaction, releasing a shared chunk counts its bytes as freed, so live bytes are
 * under-counted and compaction comes early, not late.
 */
final class SharedChunks
{
    private final Long2LongHashMap extra = new Long2LongHashMap(0);

    /**
     * One more root names a chunk that was already written.
     *
     * @param address the chunk.
     */
    void share(final long address)
    {
        extra.put(address, extra.get(address) + 1);
    }

    /**
     * A root stops naming a chunk.
     *
     * @param address the chunk.
     * @return whether that was its last reference (its bytes are garbage now).
     */
    boolean release(final long address)
    {
        final long more = extra.get(address);
        if (more == 0)
        {
            return true;
        }
        if (more == 1)
        {
            extra.remove(address);
        }
        else
        {
            extra.put(address, more - 1);
        }
        return false;
    }

    /**
     * Chunks with more than one reference.
     *
     * @return the count.
     */
    int sharedCount()
    {
        return extra.size();
    }

    /**
     * Chunks written during one bulk load, by a hash of their extents: a chunk with the same extents as one written
     * before is not written again but shared (the caller checks the extents themselves, hashes can collide).
     */
    static final class Dedupe
    {
        private final Long2LongHashMap byHash = new Long2LongHashMap(-1);

        /**
         * The chunk written first with this hash, or -1.
         */
        long candidate(final long hash)
        {
            return byHash.get(hash);
        }

        /**
         * Remember a chunk just written (the first of its hash stays).
         */
        void remember(final long hash, final long address)
        {
            if (byHash.get(hash) == -1)
            {
                byHash.put(hash, address);
            }
        }
    }
}
