package io.daxrmap.index;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Interns owners ({@link io.daxrmap.model.Owner} values) as dense int ids, so pieces and share groups hold 31 bits
 * instead of 64 and bitmaps of sharers stay dense.
 * <p>
 * Written by the writer only. Readers use the {@link #keys()} array and the {@link IdMap} captured in their snapshot:
 * both are only appended to beyond the ids that a published snapshot can name, and replaced, never changed in
 * place, when they grow. The id map is an open-addressing table of ids whose entries are published with release
 * stores after the key they name, so a reader may probe it while the writer adds owners.
 * <p>
 * Memory: the keys grow by a quarter, not by doubling, and a bulk load leaves them sized to its owners
 * ({@link #trim}); the id map holds ids alone (4 bytes a slot) and finds an owner's key in the keys. Where owners
 * are many for their records (a real filesystem: 7 records an owner in the xfs-small capture), 8-byte keys doubled
 * and 12-byte slots had cost 5.2 bytes a record; this costs about 2.2.
 */
final class OwnerTable
{
    /**
     * The id map grows before it is more than two thirds full: linear probing at two thirds full still finds a key in
     * two probes on average.
     */
    private static final long LOAD_NUMERATOR = 2;
    private static final long LOAD_DENOMINATOR = 3;
    private static final int MIN_KEYS = 64;

    private long[] keys = new long[MIN_KEYS];
    private IdMap idMap = new IdMap(64);
    private int count;

    private static boolean overloaded(final long owners, final int capacity)
    {
        return owners * LOAD_DENOMINATOR > capacity * LOAD_NUMERATOR;
    }

    private static int grown(final int length, final int needed)
    {
        return (int)Math.min(Integer.MAX_VALUE - 8,
            Math.max(needed, Math.max(MIN_KEYS, length + (long)(length >> 2))));
    }

    int intern(final long owner)
    {
        final int id = idMap.get(owner, keys, count);
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
            keys = Arrays.copyOf(keys, grown(keys.length, count + 1));
        }
        keys[count] = owner;
        if (overloaded(count + 1, idMap.capacity()))
        {
            final IdMap bigger = new IdMap(idMap.capacity() * 2);
            bigger.putAllInSlotOrder(keys, 0, count);
            idMap = bigger;
        }
        idMap.put(owner, count, keys);
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
            keys = Arrays.copyOf(keys, grown(keys.length, total));
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

    /**
     * Let go of the keys' room to grow: a bulk load calls this once it has interned all its owners. The next owner
     * interned grows them again.
     */
    void trim()
    {
        if (keys.length > Math.max(count, MIN_KEYS))
        {
            keys = Arrays.copyOf(keys, Math.max(count, MIN_KEYS));
        }
    }

    int idOf(final long owner)
    {
        return idMap.get(owner, keys, count);
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
     * Heap bytes of the keys and the id map.
     */
    long bytes()
    {
        return (long)keys.length * Long.BYTES + idMap.bytes();
    }

    /**
     * Owner value to id, linear probing over ids; the keys are the owner table's. One writer, any number of readers:
     * a reader passes the keys and the owner count of its snapshot, and passes over the ids it cannot name, which
     * are owners added after its snapshot and so never the one it looks for.
     */
    static final class IdMap
    {
        private static final int EMPTY = -1;

        private final AtomicIntegerArray ids;
        private final int mask;

        IdMap(final int capacity)
        {
            ids = new AtomicIntegerArray(capacity);
            for (int i = 0; i < capacity; i++)
            {
                ids.lazySet(i, EMPTY);
            }
            mask = capacity - 1;
        }

        int capacity()
        {
            return mask + 1;
        }

        long bytes()
        {
            return (long)capacity() * Integer.BYTES;
        }

        /**
         * The id of an owner, or -1.
         *
         * @param owner the owner.
         * @param keys  owner keys by id, written for every id below {@code count}.
         * @param count the ids that may be answered: those below it.
         */
        int get(final long owner, final long[] keys, final int count)
        {
            int slot = slot(owner);
            while (true)
            {
                final int id = ids.get(slot);
                if (id == EMPTY)
                {
                    return -1;
                }
                if (id < count && keys[id] == owner)
                {
                    return id;
                }
                slot = (slot + 1) & mask;
            }
        }

        void put(final long owner, final int id, final long[] keys)
        {
            putIfAbsent(owner, id, keys);
        }

        /**
         * Put the ids {@code [from, to)} of {@code owners}, grouped by the region of the table their slot falls in.
         *
         * @param owners owner keys by id: those of the ids already in the map too.
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
                if (putIfAbsent(sortedOwners[i], sortedIds[i], owners) >= 0)
                {
                    return sortedIds[i];
                }
            }
            return -1;
        }

        /**
         * Put an id unless its owner is present; {@code keys[id]} must hold the owner already.
         *
         * @return -1, or the id already present.
         */
        private int putIfAbsent(final long owner, final int id, final long[] keys)
        {
            int slot = slot(owner);
            while (true)
            {
                final int present = ids.get(slot);
                if (present == EMPTY)
                {
                    ids.lazySet(slot, id);
                    return -1;
                }
                if (keys[present] == owner)
                {
                    return present;
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
