package io.daxrmap.cli;

import io.daxrmap.format.DeviceNumber;
import io.daxrmap.format.FiemapText;
import io.daxrmap.format.FiemapTextHandler;
import io.daxrmap.format.FiemapTextReader;
import io.daxrmap.format.FormatException;
import io.daxrmap.format.FsmapRecordHandler;
import io.daxrmap.format.Utf8LineReader;
import io.daxrmap.model.MappingFlags;
import io.daxrmap.model.Owner;
import io.daxrmap.source.FiemapWalker;
import io.daxrmap.store.FilesystemIndex;
import io.daxrmap.store.FilesystemIndexBuilder;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Turns forward maps ({@code xfs_io -c 'fiemap -v'}, {@code filefrag -v}) into file-data records of one device:
 * each file's extents become records of its inode's data fork; extents without a device location (unknown,
 * delayed allocation, inline data) are skipped.
 * <p>
 * The {@code --inodes} file gives each path one inode: a path listed again with the same inode is taken, with another
 * inode refused. An inode may have several paths (hard links), and the forward maps may list it under each: the
 * first listing is taken (its path catalogued), and every later one must list the same extents on the device, and is
 * skipped. Without {@code --inodes} each path is a file of its own, so a path listed twice maps its file range twice
 * and is refused.
 * <p>
 * Forward maps do not tell the device's size. With {@code --device-size} (a whole number of blocks, as a DAX device
 * is, no larger than an index holds) every extent must end within it (an extent past it is refused, naming its line);
 * without, the device ends with the block of the last extent.
 */
final class FiemapImport
{
    private static final int NOT_ON_DEVICE = FiemapText.UNKNOWN | FiemapText.DELALLOC | FiemapText.DATA_INLINE;
    /** Extents the kernel says need not lie on block boundaries. */
    private static final int UNALIGNED = FiemapText.NOT_ALIGNED | FiemapText.DATA_TAIL;
    private static final String INODE = "INODE";
    private static final String PATH = "PATH";
    private static final String DEVICE_SIZE = "--device-size";

    private final Map<String, Long> inodes = new HashMap<>();
    /** Inodes with more than one path in the {@code --inodes} file, and how the forward maps first listed them. */
    private final Map<Long, Listing> linked = new HashMap<>();
    private final Path inodeFile;
    private final FiemapTextReader reader = new FiemapTextReader();
    private final boolean numbered;
    private final int device;
    /** The device's size in bytes from {@code --device-size}; 0 if not given. */
    private final long deviceSize;
    /** {@code --block-size}. */
    private final int blockSize;
    /** The extents not in whole blocks. */
    private final ImportCommand.Unaligned unaligned;
    private long nextInode = 1;

    /**
     * @param inodeFile  the {@code --inodes} file, or null to number inodes in order of appearance.
     * @param device     {@code --device}, {@code MAJOR:MINOR}.
     * @param deviceSize {@code --device-size}, decimal or {@code 0x} hex bytes, or null if not given.
     * @param blockSize  {@code --block-size}: the device size must be a whole number of such blocks.
     * @param unaligned  takes the extents not in whole blocks, and whether the kernel says they need not be.
     */
    FiemapImport(final Path inodeFile, final String device, final String deviceSize, final int blockSize,
        final ImportCommand.Unaligned unaligned) throws IOException
    {
        final String[] parts = device.split(":");
        if (parts.length != 2)
        {
            throw new IllegalArgumentException("--device takes MAJOR:MINOR: device=" + device);
        }
        this.device = DeviceNumber.encode(devicePart(parts[0], "MAJOR", DeviceNumber.MAX_MAJOR, device),
            devicePart(parts[1], "MINOR", DeviceNumber.MAX_MINOR, device));
        this.deviceSize = deviceSize == null ? 0 : parseDeviceSize(deviceSize, blockSize);
        this.blockSize = blockSize;
        this.unaligned = unaligned;
        this.numbered = inodeFile != null;
        this.inodeFile = inodeFile;
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

    /**
     * {@code --device-size}: a number as the other options take it, at least one byte (a hex number past
     * {@link Long#MAX_VALUE} comes out negative, and is refused with it), no more than an index holds, and a whole
     * number of blocks: a DAX device is, and the device is indexed in blocks, so a size between two block boundaries
     * would either cut a block or give the device bytes the option did not.
     */
    private static long parseDeviceSize(final String text, final int blockSize)
    {
        final long size = Units.parseNumber(text, DEVICE_SIZE);
        if (size <= 0)
        {
            throw new IllegalArgumentException(DEVICE_SIZE + " must be positive: " + DEVICE_SIZE + "=" + text);
        }
        final long max = FilesystemIndexBuilder.maxDeviceSize(blockSize);
        if (size > max)
        {
            throw new IllegalArgumentException(DEVICE_SIZE + " is larger than an index holds: at most " + max +
                " bytes with --block-size " + blockSize + ": " + DEVICE_SIZE + "=" + text);
        }
        if (size % blockSize != 0)
        {
            throw new IllegalArgumentException(DEVICE_SIZE + " is not a whole number of " + blockSize +
                "-byte blocks (--block-size): " + DEVICE_SIZE + "=" + text);
        }
        return size;
    }

    int device()
    {
        return device;
    }

    /**
     * The device's size in bytes as {@code --device-size} gave it, or 0 if it did not: then the device ends where the
     * last extent does.
     */
    long deviceSize()
    {
        return deviceSize;
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
        final Listings listings = new Listings(file.toString(), records, catalog);
        reader.read(file, listings);
        listings.finish();
    }

    /**
     * The files of one text and their extents, taken as records of their inodes.
     */
    private final class Listings implements FiemapTextHandler
    {
        private final String name;
        private final FsmapRecordHandler records;
        private final FilesystemIndex catalog;
        private final int major = DeviceNumber.major(device);
        private final int minor = DeviceNumber.minor(device);
        /** The extents of the file being listed, as far as they are compared. */
        private final Listing current = new Listing();
        private long inode;
        /** How the file's inode was first listed, if it has other paths; null for an inode of one path. */
        private Listing first;
        /** The inode was listed before: this listing is checked against the first, not taken. */
        private boolean again;
        private String path;
        private long line;

        Listings(final String name, final FsmapRecordHandler records, final FilesystemIndex catalog)
        {
            this.name = name;
            this.records = records;
            this.catalog = catalog;
        }

        @Override
        public void onFile(final String path, final long size) throws IOException
        {
            finish();
            this.path = path;
            line = reader.line();
            inode = inode(path, name);
            first = linked.get(inode);
            again = first != null && first.where != null;
            current.clear();
            catalog.path(inode, path);
        }

        @Override
        public void onExtent(
            final String path, final long fileOffset, final long physical, final long length, final int flags)
            throws IOException
        {
            if ((flags & NOT_ON_DEVICE) == 0)
            {
                if (deviceSize > 0 && physical + length > deviceSize)
                {
                    // the reader checked that the end fits in a long
                    throw new FormatException(name, reader.line(), null, "extent at device bytes [" + physical + ", " +
                        (physical + length) + ") ends past " + DEVICE_SIZE + " " + deviceSize);
                }
                // a hard link listed again is checked against the first listing, not taken: nor counted here
                if (!again && (physical % blockSize != 0 || length % blockSize != 0))
                {
                    unaligned.add(name, reader.line(), reader.statedBlockSize(), (flags & UNALIGNED) != 0);
                }
                final int stored = (flags & FiemapText.UNWRITTEN) != 0 ? MappingFlags.UNWRITTEN : 0;
                if (first != null)
                {
                    current.add(fileOffset, physical, length, stored);
                }
                if (!again)
                {
                    records.onRecord(major, minor, physical, length, Owner.data(inode), fileOffset, stored);
                }
            }
        }

        /**
         * The end of a file's listing: the first of a linked inode is kept, a later one must agree with it.
         */
        void finish() throws FormatException
        {
            if (first == null)
            {
                return;
            }
            if (!again)
            {
                first.where = name + ":" + line;
                first.extents = current.extents;
                first.fingerprint = current.fingerprint;
            }
            else if (first.extents != current.extents || first.fingerprint != current.fingerprint)
            {
                throw new FormatException(name, line, PATH, "a hard link of inode " + inode +
                    " with other extents than at " + first.where + ": \"" + path + "\"");
            }
            first = null;
        }
    }

    /**
     * The extents on the device one listing of a linked inode gave: their count and a fingerprint of their order,
     * offsets, lengths and flags, enough to tell two listings apart without keeping them.
     */
    private static final class Listing
    {
        /** Where the inode was first listed, FILE:LINE; null until it is. */
        String where;
        long extents;
        long fingerprint;

        void clear()
        {
            extents = 0;
            fingerprint = 0;
        }

        void add(final long fileOffset, final long physical, final long length, final int flags)
        {
            extents++;
            fingerprint = mix(mix(mix(mix(fingerprint, fileOffset), physical), length), flags);
        }

        private static long mix(final long hash, final long value)
        {
            final long h = (hash ^ value) * 0x9E3779B97F4A7C15L;
            return h ^ (h >>> 29);
        }
    }

    private long inode(final String path, final String file) throws FormatException
    {
        final Long inode = inodes.get(path);
        if (inode != null)
        {
            return inode;
        }
        if (numbered)
        {
            throw new FormatException(file, reader.line(), PATH, "not in the --inodes file " + inodeFile + ": \"" +
                path + "\"");
        }
        inodes.put(path, nextInode);
        return nextInode++;
    }

    /**
     * Name in the catalog the inodes of the {@code --inodes} file the forward maps did not list: directories, symbolic
     * links, empty files. A walk of the filesystem names them all ({@code index}); so must an import, or
     * {@code verify --against} takes a directory's blocks, which GETFSMAP names, for a file made since. An inode of
     * several paths is named by the first in code point order, as a walk names it.
     *
     * @param catalog the index being built, whose catalog the listings filled.
     */
    void catalogUnlisted(final FilesystemIndex catalog)
    {
        if (inodeFile == null)
        {
            return;
        }
        final Map<Long, String> first = new HashMap<>();
        for (final Map.Entry<String, Long> entry : inodes.entrySet())
        {
            first.merge(entry.getValue(), entry.getKey(),
                (a, b) -> FiemapWalker.compareCodePoints(a, b) <= 0 ? a : b);
        }
        for (final Map.Entry<Long, String> entry : first.entrySet())
        {
            if (catalog.path(entry.getKey()) == null)
            {
                catalog.path(entry.getKey(), entry.getValue());
            }
        }
    }

    /**
     * Read lines {@code INODE PATH}. A path listed again must have the same inode; inodes listed with more than one
     * path are the linked ones, whose listings in the forward maps are compared.
     */
    private void readInodes(final Path file) throws IOException
    {
        final String name = file.toString();
        // line by line: a line that is not UTF-8 is named exactly
        try (BufferedReader in = new BufferedReader(Utf8LineReader.open(file)))
        {
            String line;
            long number = 0;
            while ((line = in.readLine()) != null)
            {
                number++;
                final int space = line.indexOf(' ');
                if (space <= 0)
                {
                    throw new FormatException(name, number, INODE, "expected 'INODE PATH': \"" + line + "\"");
                }
                final long inode = parseInode(name, number, line.substring(0, space));
                final String path = line.substring(space + 1);
                final Long before = inodes.putIfAbsent(path, inode);
                if (before != null && before != inode)
                {
                    throw new FormatException(name, number, PATH, "listed before with inode " + before + " (line " +
                        firstLine(file, path) + "): \"" + path + "\"");
                }
            }
        }

        final long[] numbers = new long[inodes.size()];
        int n = 0;
        for (final long inode : inodes.values())
        {
            numbers[n++] = inode;
        }
        Arrays.sort(numbers);
        for (int i = 1; i < n; i++)
        {
            if (numbers[i] == numbers[i - 1])
            {
                linked.putIfAbsent(numbers[i], new Listing());
            }
        }
    }

    /**
     * An inode number: decimal digits, no sign, within {@link Owner#MAX_INODE}.
     */
    private static long parseInode(final String file, final long line, final String text) throws FormatException
    {
        if (text.startsWith("-") && text.length() > 1)
        {
            throw new FormatException(file, line, INODE, "negative: \"" + text + "\"");
        }
        for (int i = 0; i < text.length(); i++)
        {
            if (text.charAt(i) < '0' || text.charAt(i) > '9')
            {
                throw new FormatException(file, line, INODE, "not a number: \"" + text + "\"");
            }
        }
        final long inode;
        try
        {
            inode = Long.parseLong(text);
        }
        catch (final NumberFormatException ex)
        {
            throw new FormatException(file, line, INODE, "out of range 0.." + Owner.MAX_INODE + ": \"" + text + "\"");
        }
        if (inode > Owner.MAX_INODE)
        {
            throw new FormatException(file, line, INODE, "out of range 0.." + Owner.MAX_INODE + ": \"" + text + "\"");
        }
        return inode;
    }

    /**
     * The first line of the {@code --inodes} file that lists a path, for the message that refuses a later one: read
     * again, so that the lines of the paths are not kept.
     */
    private static long firstLine(final Path file, final String path) throws IOException
    {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8))
        {
            String line;
            long number = 0;
            while ((line = in.readLine()) != null)
            {
                number++;
                final int space = line.indexOf(' ');
                if (space > 0 && line.substring(space + 1).equals(path))
                {
                    return number;
                }
            }
        }
        throw new IllegalStateException("path no longer in the --inodes file: path=" + path);
    }
}
