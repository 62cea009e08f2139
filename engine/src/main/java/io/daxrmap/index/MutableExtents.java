package io.daxrmap.index;

import org.agrona.concurrent.UnsafeBuffer;

import java.nio.LongBuffer;
import java.util.Arrays;

/**
 * The writer's working copy of one owner's forward map during a batch: canonical, file-ordered extents.
 */
final class MutableExtents
{
    final int ownerId;
    int count;
    long[] file;
    long[] device;
    long[] length;
    int[] flags;

    MutableExtents(final int ownerId)
    {
        this(ownerId, 4);
    }

    MutableExtents(final int ownerId, final int capacity)
    {
        this.ownerId = ownerId;
        file = new long[capacity];
        device = new long[capacity];
        length = new long[capacity];
        flags = new int[capacity];
    }

    MutableExtents(final int ownerId, final UnsafeBuffer buffer, final int offset)
    {
        this.ownerId = ownerId;
        count = ExtentsDescriptor.count(buffer, offset);
        final int capacity = count + 4;
        file = new long[capacity];
        device = new long[capacity];
        length = new long[capacity];
        flags = new int[capacity];
        final LongBuffer extents = extents(buffer, offset, count);
        for (int i = 0, at = 0; i < count; i++, at += 3)
        {
            file[i] = extents.get(at);
            device[i] = extents.get(at + 1);
            final long lengthAndFlags = extents.get(at + 2);
            length[i] = lengthAndFlags & ExtentsDescriptor.LENGTH_MASK;
            flags[i] = (int)(lengthAndFlags >>> ExtentsDescriptor.FLAGS_SHIFT);
        }
    }

    /**
     * The extents of a block as longs, three per extent, for bulk copies in and out of the arena.
     */
    private static LongBuffer extents(final UnsafeBuffer buffer, final int offset, final int count)
    {
        final int start = buffer.wrapAdjustment() + offset + ExtentsDescriptor.HEADER_LENGTH;
        return buffer.byteBuffer().duplicate().position(start).limit(start + count * ExtentsDescriptor.EXTENT_LENGTH)
            .slice().order(ExtentsDescriptor.BYTE_ORDER).asLongBuffer();
    }

    /**
     * The first extent that ends after a file offset, or {@code count}.
     */
    int firstEndingAfter(final long fileOffset)
    {
        int low = 0;
        int high = count;
        while (low < high)
        {
            final int mid = (low + high) >>> 1;
            if (file[mid] + length[mid] <= fileOffset)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }
        return low;
    }

    /**
     * Bytes of {@code [fileOffset, fileOffset + len)} that are mapped.
     */
    long mappedBytes(final long fileOffset, final long len)
    {
        final long fileEnd = fileOffset + len;
        long mapped = 0;
        for (int i = firstEndingAfter(fileOffset); i < count && file[i] < fileEnd; i++)
        {
            mapped += Math.min(fileEnd, file[i] + length[i]) - Math.max(fileOffset, file[i]);
        }
        return mapped;
    }

    /**
     * Add an extent that overlaps none; merges with contiguous neighbours of the same flags.
     */
    void add(final long fileOffset, final long deviceOffset, final long len, final int extentFlags)
    {
        // appending after the last extent, as loaders do, needs no search
        final int at = count == 0 || file[count - 1] + length[count - 1] <= fileOffset ?
            count : firstEndingAfter(fileOffset);
        assert at >= count || file[at] >= fileOffset + len : "overlap at fileOffset=" + fileOffset;
        final boolean joinLeft = at > 0 && file[at - 1] + length[at - 1] == fileOffset &&
            device[at - 1] + length[at - 1] == deviceOffset && flags[at - 1] == extentFlags;
        final boolean joinRight = at < count && file[at] == fileOffset + len &&
            device[at] == deviceOffset + len && flags[at] == extentFlags;
        if (joinLeft && joinRight)
        {
            length[at - 1] += len + length[at];
            removeRange(at, at + 1);
        }
        else if (joinLeft)
        {
            length[at - 1] += len;
        }
        else if (joinRight)
        {
            file[at] = fileOffset;
            device[at] = deviceOffset;
            length[at] += len;
        }
        else
        {
            ensureCapacity(count + 1);
            System.arraycopy(file, at, file, at + 1, count - at);
            System.arraycopy(device, at, device, at + 1, count - at);
            System.arraycopy(length, at, length, at + 1, count - at);
            System.arraycopy(flags, at, flags, at + 1, count - at);
            file[at] = fileOffset;
            device[at] = deviceOffset;
            length[at] = len;
            flags[at] = extentFlags;
            count++;
        }
    }

    /**
     * Remove every mapping of {@code [fileOffset, fileOffset + len)}, splitting extents that straddle its ends.
     */
    void remove(final long fileOffset, final long len)
    {
        final long fileEnd = fileOffset + len;
        int first = firstEndingAfter(fileOffset);
        if (first >= count || file[first] >= fileEnd)
        {
            return;
        }
        if (file[first] < fileOffset && file[first] + length[first] > fileEnd)
        {
            // The range lies inside one extent: split it in two.
            ensureCapacity(count + 1);
            System.arraycopy(file, first + 1, file, first + 2, count - first - 1);
            System.arraycopy(device, first + 1, device, first + 2, count - first - 1);
            System.arraycopy(length, first + 1, length, first + 2, count - first - 1);
            System.arraycopy(flags, first + 1, flags, first + 2, count - first - 1);
            count++;
            final long cut = fileEnd - file[first];
            file[first + 1] = fileEnd;
            device[first + 1] = device[first] + cut;
            length[first + 1] = length[first] - cut;
            flags[first + 1] = flags[first];
            length[first] = fileOffset - file[first];
            return;
        }
        if (file[first] < fileOffset)
        {
            length[first] = fileOffset - file[first];
            first++;
        }
        int last = first;
        while (last < count && file[last] + length[last] <= fileEnd)
        {
            last++;
        }
        if (last < count && file[last] < fileEnd)
        {
            final long cut = fileEnd - file[last];
            file[last] += cut;
            device[last] += cut;
            length[last] -= cut;
        }
        removeRange(first, last);
    }

    int byteLength()
    {
        return ExtentsDescriptor.length(count);
    }

    long write(final Arena arena)
    {
        final long address = arena.allocate(byteLength());
        final UnsafeBuffer buffer = arena.buffer(address);
        final int offset = Arena.offset(address);
        ExtentsDescriptor.count(buffer, offset, count);
        final LongBuffer extents = extents(buffer, offset, count);
        for (int i = 0, at = 0; i < count; i++, at += 3)
        {
            extents.put(at, file[i]);
            extents.put(at + 1, device[i]);
            extents.put(at + 2, length[i] | (long)flags[i] << ExtentsDescriptor.FLAGS_SHIFT);
        }
        ExtentsDescriptor.seal(buffer, offset);
        return address;
    }

    private void removeRange(final int from, final int to)
    {
        if (to > from)
        {
            System.arraycopy(file, to, file, from, count - to);
            System.arraycopy(device, to, device, from, count - to);
            System.arraycopy(length, to, length, from, count - to);
            System.arraycopy(flags, to, flags, from, count - to);
            count -= to - from;
        }
    }

    private void ensureCapacity(final int capacity)
    {
        if (capacity > file.length)
        {
            final int newCapacity = Math.max(capacity, file.length * 2);
            file = Arrays.copyOf(file, newCapacity);
            device = Arrays.copyOf(device, newCapacity);
            length = Arrays.copyOf(length, newCapacity);
            flags = Arrays.copyOf(flags, newCapacity);
        }
    }
}
