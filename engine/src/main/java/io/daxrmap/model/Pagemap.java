package io.daxrmap.model;

/**
 * A device's physical window, as the kernel's {@code dev_pagemap} sees it.
 * <p>
 * Physical bytes {@code [physBase, physBase + size)} belong to the device; the first {@code dataOffset} of them
 * are its metadata area (the pfn superblock and struct page altmap); device offset 0 is physical address
 * {@code physBase + dataOffset}.
 *
 * @param physBase   physical address where the device's window starts.
 * @param size       bytes in the window, metadata area included.
 * @param dataOffset bytes of metadata area before device offset 0.
 * @param pageSize   page size in bytes, a power of two.
 */
public record Pagemap(long physBase, long size, long dataOffset, int pageSize)
{
    /** {@link #locate(long)}: the pfn is outside this pagemap. */
    public static final long OUTSIDE = -1;
    /** {@link #locate(long)}: the pfn lies in the device's metadata area. */
    public static final long METADATA_AREA = -2;

    /**
     * Validates every field.
     */
    public Pagemap
    {
        if (physBase < 0 || size <= 0 || physBase + size < 0)
        {
            throw new IllegalArgumentException("bad pagemap window: physBase=" + physBase + " size=" + size);
        }
        if (dataOffset < 0 || dataOffset >= size)
        {
            throw new IllegalArgumentException("bad data offset: dataOffset=" + dataOffset + " size=" + size);
        }
        if (pageSize <= 0 || Integer.bitCount(pageSize) != 1)
        {
            throw new IllegalArgumentException("page size must be a power of two: pageSize=" + pageSize);
        }
    }

    /**
     * log2 of the page size.
     *
     * @return the page shift.
     */
    public int pageShift()
    {
        return Integer.numberOfTrailingZeros(pageSize);
    }

    /**
     * The device offset of a page frame.
     *
     * @param pfn page frame number, physical address divided by the page size.
     * @return the device offset of the page's first byte, or {@link #OUTSIDE} or {@link #METADATA_AREA}.
     */
    public long locate(final long pfn)
    {
        if (pfn < 0 || pfn > (Long.MAX_VALUE >> pageShift()))
        {
            return OUTSIDE;
        }
        final long phys = pfn << pageShift();
        if (phys < physBase || phys - physBase >= size)
        {
            return OUTSIDE;
        }
        final long rel = phys - physBase;
        return rel < dataOffset ? METADATA_AREA : rel - dataOffset;
    }
}
