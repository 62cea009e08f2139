package io.daxrmap.cli;

import io.daxrmap.format.DeviceNumber;
import io.daxrmap.format.FiemapText;
import io.daxrmap.format.FiemapTextHandler;
import io.daxrmap.format.FiemapTextReader;
import io.daxrmap.format.FormatException;
import io.daxrmap.format.FsmapRecordHandler;
import io.daxrmap.model.MappingFlags;
import io.daxrmap.model.Owner;
import io.daxrmap.store.FilesystemIndex;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Turns forward maps ({@code xfs_io -c 'fiemap -v'}, {@code filefrag -v}) into file-data records of one device:
 * each file's extents become records of its inode's data fork; extents without a device location (unknown,
 * delayed allocation, inline data) are skipped.
 */
final class FiemapImport
{
    private static final int NOT_ON_DEVICE = FiemapText.UNKNOWN | FiemapText.DELALLOC | FiemapText.DATA_INLINE;

    private final Map<String, Long> inodes = new HashMap<>();
    private final FiemapTextReader reader = new FiemapTextReader();
    private final boolean numbered;
    private final int device;
    private long nextInode = 1;

    FiemapImport(final Path inodeFile, final String device) throws IOException
    {
        final String[] parts = device.split(":");
        if (parts.length != 2)
        {
            throw new IllegalArgumentException("--device takes MAJOR:MINOR: device=" + device);
        }
        this.device = DeviceNumber.encode(devicePart(parts[0], "MAJOR", DeviceNumber.MAX_MAJOR, device),
            devicePart(parts[1], "MINOR", DeviceNumber.MAX_MINOR, device));
        this.numbered = inodeFile != null;
        if (inodeFile != null)
        {
            readInodes(inodeFile);
        }
    }

    /**
     * One number of {@code --device}, checked before it is narrowed to an int: 4294967303 is not 7.
     */
    private static int devicePart(final String text, final String name, final int max, final String device)
    {
        final long value = Units.parseNumber(text, name);
        if (value < 0 || value > max)
        {
            throw new IllegalArgumentException("--device " + name + " out of range 0.." + max + ": device=" + device);
        }
        return (int)value;
    }

    int device()
    {
        return device;
    }

    /**
     * The line of the text being read: while a record handler takes an extent, the extent's line.
     */
    long line()
    {
        return reader.line();
    }

    void read(final Path file, final FsmapRecordHandler records, final FilesystemIndex catalog) throws IOException
    {
        final int major = DeviceNumber.major(device);
        final int minor = DeviceNumber.minor(device);
        reader.read(file, new FiemapTextHandler()
        {
            @Override
            public void onFile(final String path, final long size)
            {
                catalog.path(inode(path), path);
            }

            @Override
            public void onExtent(
                final String path, final long fileOffset, final long physical, final long length, final int flags)
                throws IOException
            {
                if ((flags & NOT_ON_DEVICE) == 0)
                {
                    records.onRecord(major, minor, physical, length, Owner.data(inode(path)), fileOffset,
                        (flags & FiemapText.UNWRITTEN) != 0 ? MappingFlags.UNWRITTEN : 0);
                }
            }
        });
    }

    private long inode(final String path)
    {
        final Long inode = inodes.get(path);
        if (inode != null)
        {
            return inode;
        }
        if (numbered)
        {
            throw new IllegalArgumentException("path not in the --inodes file: path=" + path);
        }
        inodes.put(path, nextInode);
        return nextInode++;
    }

    private void readInodes(final Path file) throws IOException
    {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8))
        {
            String line;
            long number = 0;
            while ((line = in.readLine()) != null)
            {
                number++;
                final int space = line.indexOf(' ');
                if (space <= 0)
                {
                    throw new FormatException(file.toString(), number, "INODE", "expected 'INODE PATH': \"" + line +
                        "\"");
                }
                final long inode;
                try
                {
                    inode = Long.parseLong(line.substring(0, space));
                }
                catch (final NumberFormatException ex)
                {
                    throw new FormatException(file.toString(), number, "INODE", "not a number: \"" +
                        line.substring(0, space) + "\"");
                }
                inodes.putIfAbsent(line.substring(space + 1), inode);
            }
        }
    }
}
