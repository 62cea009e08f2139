package io.daxrmap.failure;

import io.daxrmap.format.DeviceNumber;
import io.daxrmap.model.Pagemap;

/**
 * One pmem device's physical window and where the indexed filesystem's device offset 0 lies in it.
 * <pre>
 *  physBase                                                                          physBase + size
 *  |  startPad  |  dataOffset  |  partitionOffset  |  filesystem device offsets 0, 1, ...          |
 *  |<-- metadata area -------->|<-- /dev/pmemN sector 0 (the namespace's data start)              |
 * </pre>
 * Device offset = phys - physBase - startPad - dataOffset - partitionOffset (DESIGN.md section 6). The first
 * {@code startPad + dataOffset} bytes are the device's metadata area (the pfn superblock and the struct page
 * altmap, which {@code memory_failure_dev_pagemap()} refuses with "device metadata space is not recoverable");
 * the {@code partitionOffset} bytes after them belong to the device but not to the filesystem (a partition table,
 * another partition), as {@code xfs_dax_translate_range()} refuses them.
 *
 * @param name            device name, e.g. {@code pmem0}: events and reports name regions by it.
 * @param physBase        physical address of the namespace resource's first byte.
 * @param size            bytes of the physical window from {@code physBase}, metadata area included.
 * @param startPad        bytes of alignment padding before the pfn superblock's data offset.
 * @param dataOffset      bytes of the pfn device's metadata area ({@code pfn_sb->dataoff}).
 * @param partitionOffset bytes from the pmem block device's sector 0 to the filesystem's partition.
 * @param device          the index device the filesystem's offsets refer to ({@code new_encode_dev}), or
 *                        {@link #DATA_DEVICE} for the index's data device.
 * @param regionBase      physical base of the nd region, the origin of region-relative badblocks sectors.
 */
public record Region(
    String name, long physBase, long size, long startPad, long dataOffset, long partitionOffset, int device,
    long regionBase)
{
    /** {@link #device()}: the index's data device. */
    public static final int DATA_DEVICE = -1;
    /** The page size of the kill path. */
    public static final int PAGE_SIZE = 4096;

    /**
     * Validates every field.
     */
    public Region
    {
        if (name == null || name.isEmpty())
        {
            throw new IllegalArgumentException("region needs a name: name=" + name);
        }
        if (physBase < 0 || size <= 0 || physBase > Long.MAX_VALUE - size)
        {
            throw new IllegalArgumentException("bad physical window: name=" + name + " physBase=" + physBase +
                " size=" + size);
        }
        // partial sums, so that offsets near 2^63 cannot wrap around to a small total
        if (startPad < 0 || dataOffset < 0 || partitionOffset < 0 || startPad >= size || dataOffset >= size - startPad ||
            partitionOffset >= size - startPad - dataOffset)
        {
            throw new IllegalArgumentException("offsets leave no data in the window: name=" + name + " startPad=" +
                startPad + " dataOffset=" + dataOffset + " partitionOffset=" + partitionOffset + " size=" + size);
        }
        if (((physBase + startPad + dataOffset + partitionOffset) & (PAGE_SIZE - 1)) != 0)
        {
            throw new IllegalArgumentException("filesystem start not page aligned: name=" + name + " start=0x" +
                Long.toHexString(physBase + startPad + dataOffset + partitionOffset));
        }
        if (regionBase < 0 || regionBase > physBase)
        {
            throw new IllegalArgumentException("nd region base after the namespace: name=" + name + " regionBase=" +
                regionBase + " physBase=" + physBase);
        }
    }

    /**
     * A region on the index's data device whose nd region starts at the namespace.
     *
     * @param name            device name.
     * @param physBase        physical base.
     * @param size            window size.
     * @param startPad        start pad.
     * @param dataOffset      data offset.
     * @param partitionOffset partition offset.
     * @return the region.
     */
    public static Region of(
        final String name, final long physBase, final long size, final long startPad, final long dataOffset,
        final long partitionOffset)
    {
        return new Region(name, physBase, size, startPad, dataOffset, partitionOffset, DATA_DEVICE, physBase);
    }

    /**
     * The first physical address past the window.
     *
     * @return {@code physBase + size}.
     */
    public long end()
    {
        return physBase + size;
    }

    /**
     * Whether a physical address lies in the window (metadata area included).
     *
     * @param phys physical address.
     * @return true if inside.
     */
    public boolean contains(final long phys)
    {
        return phys >= physBase && phys - physBase < size;
    }

    /**
     * The physical address of the pmem block device's sector 0: the end of the metadata area.
     *
     * @return {@code physBase + startPad + dataOffset}.
     */
    public long dataStart()
    {
        return physBase + startPad + dataOffset;
    }

    /**
     * The physical address of the filesystem's device offset 0.
     *
     * @return {@code dataStart() + partitionOffset}.
     */
    public long filesystemStart()
    {
        return dataStart() + partitionOffset;
    }

    /**
     * The filesystem device offset of a physical address.
     *
     * @param phys physical address in the window.
     * @return {@code phys - filesystemStart()}: negative in the metadata area and before the partition.
     */
    public long deviceOffset(final long phys)
    {
        return phys - filesystemStart();
    }

    /**
     * The physical address of a filesystem device offset.
     *
     * @param deviceOffset device offset.
     * @return the physical address.
     */
    public long phys(final long deviceOffset)
    {
        return filesystemStart() + deviceOffset;
    }

    /**
     * The window as a page query sees it: the metadata area and the partition offset together before device
     * offset 0.
     *
     * @return the pagemap.
     */
    public Pagemap pagemap()
    {
        return new Pagemap(physBase, size, startPad + dataOffset + partitionOffset, PAGE_SIZE);
    }

    /**
     * The region's device as {@code MAJOR:MINOR}, or {@code data} for the index's data device.
     *
     * @return the name.
     */
    public String deviceName()
    {
        return device == DATA_DEVICE ? "data" : DeviceNumber.major(device) + ":" + DeviceNumber.minor(device);
    }
}
