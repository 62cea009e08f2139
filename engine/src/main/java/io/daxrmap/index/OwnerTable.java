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
    /**
     * The id map grows before it is more than two thirds full. A slot is 12 bytes: growing at half full cost a third
     * of a byte more per record on unshared-1e7, and linear probing at two thirds full still finds a key in two probes
     * on average.
     */
    private static final long LOAD_NUMERATOR = 2;
    private static final long LOAD_DENOMINATOR = 3;

    private long[] keys = new long[64];
    private IdMap idMap = new IdMap(64);
    private int count;

    private static boolean overloaded(final long owners, final int capacity)
    {
        return owners * LOAD_DENOMINATOR > capacity * LOAD_NUMERATOR;
    }

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
        if (overloaded(count + 1, idMap.capacity()))
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

    /**
     * Intern owners that must all be new, as the next ids in their order: what a log record lists. The id map is
     * filled in the order of its slots, so that its writes stay in a window the cache holds instead of missing once
     * per owner, which dominates reopening an index of millions of owners.
     *
     * @param values owners, the first {@code n} of which are interned.
     * @param n      how many.
     * @return -1, or the id of an owner that was already known or is listed twice (the table is then unusable).
     */
    int internNew(final long[] values, final int n)
    {
        if (count + (long)n > PieceValue.MAX_OWNER_ID + 1L)
        {
            throw new IllegalStateException("too many owners: count=" + (count + (long)n));
        }
        final int first = count;
        final int total = count + n;
        if (total > keys.length)
        {
            keys = Arrays.copyOf(keys, Math.max(total, keys.length * 2));
        }
        System.arraycopy(values, 0, keys, first, n);
        count = total;
        final int from;
        if (overloaded(total, idMap.capacity()))
        {
            int capacity = idMap.capacity();
            while (overloaded(total, capacity))
            {
                capacity *= 2;
            }
            idMap = new IdMap(capacity);
            from = 0;
        }
        else
        {
            from = first;
        }
        return idMap.putAllInSlotOrder(keys, from, total);
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
            final int slot = find(owner);
            return keys.get(slot) == owner ? ids[slot] : -1;
        }

        void put(final long owner, final int id)
        {
            putIfAbsent(owner, id);
        }

        /**
         * Put the ids {@code [from, to)} of {@code owners}, grouped by the region of the table their slot falls in.
         *
         * @return -1, or an id whose owner was already present.
         */
        int putAllInSlotOrder(final long[] owners, final int from, final int to)
        {
            final int n = to - from;
            final int regionBits = Math.min(12, Integer.numberOfTrailingZeros(capacity()));
            final int shift = Integer.numberOfTrailingZeros(capacity()) - regionBits;
            final int[] starts = new int[(1 << regionBits) + 1];
            for (int id = from; id < to; id++)
            {
                starts[(slot(owners[id]) >>> shift) + 1]++;
            }
            for (int r = 0; r < 1 << regionBits; r++)
            {
                starts[r + 1] += starts[r];
            }
            // the owners themselves are moved, not only their ids: reading them in slot order would miss instead
            final long[] sortedOwners = new long[n];
            final int[] sortedIds = new int[n];
            for (int id = from; id < to; id++)
            {
                final long owner = owners[id];
                final int at = starts[slot(owner) >>> shift]++;
                sortedOwners[at] = owner;
                sortedIds[at] = id;
            }
            for (int i = 0; i < n; i++)
            {
                if (putIfAbsent(sortedOwners[i], sortedIds[i]) >= 0)
                {
                    return sortedIds[i];
                }
            }
            return -1;
        }

        private int putIfAbsent(final long owner, final int id)
        {
            final int slot = find(owner);
            if (keys.get(slot) == owner)
            {
                return ids[slot];
            }
            ids[slot] = id;
            keys.lazySet(slot, owner);
            return -1;
        }

        /**
         * The slot holding an owner, or the empty slot where it would go.
         */
        private int find(final long owner)
        {
            int slot = slot(owner);
            while (true)
            {
                final long key = keys.get(slot);
                if (key == owner || key == EMPTY)
                {
                    return slot;
                }
                slot = (slot + 1) & mask;
            }
        }

        private int slot(final long owner)
        {
            long h = owner * 0x9E3779B97F4A7C15L;
            h ^= h >>> 29;
            return (int)h & mask;
        }
    }
}
