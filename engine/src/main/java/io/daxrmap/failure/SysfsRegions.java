package io.daxrmap.failure;

import io.daxrmap.format.DeviceNumber;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * Regions discovered from sysfs: every {@code block/pmem*} disk, its nd namespace (and pfn device in fsdax mode)
 * and nd region, and the partition that holds an indexed filesystem.
 * <p>
 * What the kernel publishes (drivers/nvdimm): a namespace's {@code resource} is its first physical byte and
 * {@code size} its length; a pfn device's {@code resource} is where data begins, {@code res.start + start_pad +
 * dataoff}; a region's {@code resource} is the region base; a partition's {@code start} is in 512-byte sectors;
 * {@code dev} is {@code MAJOR:MINOR}. sysfs shows only the sum {@code start_pad + dataoff}, so discovered regions
 * carry it all as {@code dataOffset} with {@code startPad} 0: the device offsets are the same.
 * <p>
 * The root is a parameter so that tests can build a fake tree; on a host it is {@code /sys}.
 */
public final class SysfsRegions
{
    private SysfsRegions()
    {
    }

    /**
     * Discover the pmem regions under a sysfs root.
     *
     * @param sysfsRoot      the sysfs mount point, normally {@code /sys}.
     * @param indexedDevices which device numbers ({@code new_encode_dev}) an index covers: a partition that is one
     *                       of them sets the region's partition offset and device.
     * @return the regions found; none if there is no {@code block} directory or no pmem disk. Sector-mode (BTT)
     * disks are left out.
     * @throws IOException if the root is no directory, or an attribute of a pmem disk cannot be read or parsed.
     */
    public static Regions discover(final Path sysfsRoot, final IntPredicate indexedDevices) throws IOException
    {
        if (!Files.isDirectory(sysfsRoot))
        {
            // a mistyped root would otherwise find no device, and every failure would be outside them all
            throw new IOException(sysfsRoot + ": no such directory");
        }
        final List<Region> regions = new ArrayList<>();
        final Path block = sysfsRoot.resolve("block");
        if (!Files.isDirectory(block))
        {
            return new Regions(regions);
        }
        try (DirectoryStream<Path> disks = Files.newDirectoryStream(block, "pmem*"))
        {
            for (final Path disk : disks)
            {
                final Region region = region(disk, indexedDevices);
                if (region != null)
                {
                    regions.add(region);
                }
            }
        }
        return new Regions(regions);
    }

    /**
     * The region of a pmem disk, or null for a sector-mode (BTT) one: BTT translates its sectors through a table, so
     * no physical address maps to a device offset by an offset, nor can it be mapped with DAX.
     */
    private static Region region(final Path disk, final IntPredicate indexedDevices) throws IOException
    {
        final Path device = disk.resolve("device").toRealPath();
        if (device.getFileName().toString().startsWith("btt"))
        {
            return null;
        }
        final long physBase;
        final long size;
        final long dataOffset;
        if (Files.exists(device.resolve("namespace")))
        {
            final Path namespace = device.resolveSibling(read(device.resolve("namespace")));
            physBase = number(namespace.resolve("resource"));
            size = number(namespace.resolve("size"));
            dataOffset = number(device.resolve("resource")) - physBase;
        }
        else
        {
            physBase = number(device.resolve("resource"));
            size = number(device.resolve("size"));
            dataOffset = 0;
        }
        final Path ndRegion = device.getParent().resolve("resource");
        final long regionBase = Files.isRegularFile(ndRegion) ? number(ndRegion) : physBase;
        final String name = disk.getFileName().toString();
        int deviceNumber = deviceNumber(disk.resolve("dev"));
        long partitionOffset = 0;
        if (!indexedDevices.test(deviceNumber))
        {
            try (DirectoryStream<Path> parts = Files.newDirectoryStream(disk, name + "*"))
            {
                for (final Path part : parts)
                {
                    if (Files.isRegularFile(part.resolve("start")) && indexedDevices.test(deviceNumber(part.resolve("dev"))))
                    {
                        deviceNumber = deviceNumber(part.resolve("dev"));
                        partitionOffset = number(part.resolve("start")) * 512;
                    }
                }
            }
        }
        try
        {
            return new Region(name, physBase, size, 0, dataOffset, partitionOffset, deviceNumber, regionBase);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IOException(disk + ": inconsistent pmem attributes: " + ex.getMessage(), ex);
        }
    }

    private static int deviceNumber(final Path file) throws IOException
    {
        final String text = read(file);
        final int colon = text.indexOf(':');
        try
        {
            return DeviceNumber.encode(Integer.parseInt(text.substring(0, colon)), Integer.parseInt(text.substring(colon + 1)));
        }
        catch (final RuntimeException ex)
        {
            throw new IOException(file + ": not MAJOR:MINOR: \"" + text + "\"", ex);
        }
    }

    private static long number(final Path file) throws IOException
    {
        final String text = read(file);
        try
        {
            final long value = text.startsWith("0x") ? Long.parseUnsignedLong(text.substring(2), 16) : Long.parseLong(text);
            if (value < 0)
            {
                throw new NumberFormatException(text);
            }
            return value;
        }
        catch (final NumberFormatException ex)
        {
            throw new IOException(file + ": not a number: \"" + text + "\"", ex);
        }
    }

    private static String read(final Path file) throws IOException
    {
        return Files.readString(file, StandardCharsets.US_ASCII).trim();
    }
}
