package io.daxrmap.index;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Interns owners ({@link io.daxrmap.model.Owner} values) as dense int ids, so pieces and share groups hold 31 bits
 * instead of 64 and bitmaps of sharers stay dense.
 * <p>
 * Written by the writer only. Readers use the {@link #keys()} array and the {@link IdMap} captured in their snapshot:
 * both are only appended to beyond the ids that a published snapshot can name, and replaced, never changed in
 * place, when they grow. The id map is an open-addressing table whose keys are published with release stores, so a
 * reader may probe it while the writer adds owners.
 */
final class OwnerTable
{
    private long[] keys = new long[64];
    private IdMap idMap = new IdMap(64);
    private int count;

    int intern(final long owner)
    {
        final int id = idMap.get(owner);
        if (id >= 0)
        {
            return id;
        }
        if (count > PieceValue.MAX_OWNER_ID)
        {
            throw new IllegalStateException("too many owners: count=" + count);
        }
        if (count == keys.length)
        {
            keys = Arrays.copyOf(keys, keys.length * 2);
        }
        keys[count] = owner;
        if ((count + 1) * 2L > idMap.capacity())
        {
            final IdMap bigger = new IdMap(idMap.capacity() * 2);
            for (int i = 0; i < count; i++)
            {
                bigger.put(keys[i], i);
            }
            idMap = bigger;
        }
        idMap.put(owner, count);
        return count++;
    }

    int idOf(final long owner)
    {
        return idMap.get(owner);
    }

    long key(final int id)
    {
        return keys[id];
    }

    long[] keys()
    {
        return keys;
    }

    IdMap idMap()
    {
        return idMap;
    }

    int count()
    {
        return count;
    }

    /**
     * Owner value to id, linear probing; one writer, any number of readers.
     */
    static final class IdMap
    {
        private static final long EMPTY = -1;

        private final AtomicLongArray keys;
        private final int[] ids;
        private final int mask;

        IdMap(final int capacity)
        {
            keys = new AtomicLongArray(capacity);
            for (int i = 0; i < capacity; i++)
            {
                keys.lazySet(i, EMPTY);
            }
            ids = new int[capacity];
            mask = capacity - 1;
        }

        int capacity()
        {
            return mask + 1;
        }

        /**
         * The id of an owner, or -1.
         */
        int get(final long owner)
        {
            int slot = slot(owner);
            while (true)
            {
                final long key = keys.get(slot);
                if (key == owner)
                {
                    return ids[slot];
                }
                if (key == EMPTY)
                {
                    return -1;
                }
                slot = (slot + 1) & mask;
            }
        }

        void put(final long owner, final int id)
        {
            int slot = slot(owner);
            while (keys.get(slot) != EMPTY)
            {
                slot = (slot + 1) & mask;
            }
            ids[slot] = id;
            keys.lazySet(slot, owner);
        }

        private int slot(final long owner)
        {
            long h = owner * 0x9E3779B97F4A7C15L;
            h ^= h >>> 29;
            return (int)h & mask;
        }
    }
}
