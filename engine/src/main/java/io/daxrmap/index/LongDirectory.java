package io.daxrmap.index;

import java.util.Arrays;

/**
 * An immutable array of {@code long}s in groups of {@link #GROUP_SIZE}, changed by copying only the groups that change.
 * <p>
 * It maps stripe numbers to stripe addresses and owner ids to forward map addresses. A snapshot holds one; the writer
 * derives the next one through an {@link Editor}, which copies the top array once and each touched group once.
 */
final class LongDirectory
{
    static final int GROUP_SHIFT = 10;
    static final int GROUP_SIZE = 1 << GROUP_SHIFT;
    static final int GROUP_MASK = GROUP_SIZE - 1;

    private final long[][] groups;
    private final int length;

    private LongDirectory(final long[][] groups, final int length)
    {
        this.groups = groups;
        this.length = length;
    }

    /**
     * A directory whose entries all hold one value.
     *
     * @param length entries.
     * @param fill   the value of every entry.
     * @return the directory.
     */
    static LongDirectory filled(final int length, final long fill)
    {
        final long[] shared = new long[GROUP_SIZE];
        Arrays.fill(shared, fill);
        final long[][] groups = new long[(length + GROUP_SIZE - 1) >>> GROUP_SHIFT][];
        Arrays.fill(groups, shared);
        return new LongDirectory(groups, length);
    }

    int length()
    {
        return length;
    }

    long get(final int index)
    {
        return groups[index >>> GROUP_SHIFT][index & GROUP_MASK];
    }

    Editor edit(final long fill)
    {
        return new Editor(this, fill);
    }

    /**
     * Derives a new directory; the one it started from is never changed.
     */
    static final class Editor
    {
        private final long fill;
        private long[][] groups;
        private boolean[] copiedGroups;
        private int length;

        private Editor(final LongDirectory from, final long fill)
        {
            this.fill = fill;
            this.groups = from.groups.clone();
            this.copiedGroups = new boolean[groups.length];
            this.length = from.length;
        }

        long get(final int index)
        {
            return index < length ? groups[index >>> GROUP_SHIFT][index & GROUP_MASK] : fill;
        }

        int length()
        {
            return length;
        }

        void set(final int index, final long value)
        {
            if (index >= length)
            {
                grow(index + 1);
            }
            final int group = index >>> GROUP_SHIFT;
            if (!copiedGroups[group])
            {
                groups[group] = groups[group].clone();
                copiedGroups[group] = true;
            }
            groups[group][index & GROUP_MASK] = value;
        }

        LongDirectory build()
        {
            return new LongDirectory(groups, length);
        }

        private void grow(final int minLength)
        {
            final int newLength = Math.max(minLength, length + (length >>> 1));
            final int groupCount = (newLength + GROUP_SIZE - 1) >>> GROUP_SHIFT;
            if (groupCount > groups.length)
            {
                final int oldCount = groups.length;
                groups = Arrays.copyOf(groups, groupCount);
                copiedGroups = Arrays.copyOf(copiedGroups, groupCount);
                for (int i = oldCount; i < groupCount; i++)
                {
                    final long[] group = new long[GROUP_SIZE];
                    Arrays.fill(group, fill);
                    groups[i] = group;
                    copiedGroups[i] = true;
                }
            }
            length = newLength;
        }
    }
}
