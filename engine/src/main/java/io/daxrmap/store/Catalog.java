package io.daxrmap.store;

import io.daxrmap.index.CorruptIndexException;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.TreeMap;

/**
 * The catalog of an index: inode to path, generation, device and size, in a persisted Chronicle Map that another
 * process can read while this one writes it.
 * <p>
 * Values are text, {@code GENERATION TAB DEVICE TAB SIZE TAB PATH}; a generation or size of -1 is unknown (GETFSMAP
 * and FIEMAP give neither). Chronicle's usage analytics must be off ({@code -Dchronicle.analytics.disable=true}),
 * as every JVM the project starts sets it.
 */
public final class Catalog implements AutoCloseable
{
    /** The catalog file in an index directory. */
    public static final String FILE_NAME = "catalog.cmap";

    private static final String NAME = "daxrmap-catalog";
    private static final int AVERAGE_VALUE_BYTES = 64;

    /**
     * What the catalog says of an inode.
     *
     * @param path       path relative to the filesystem root.
     * @param generation inode generation, -1 if unknown.
     * @param device     device number of the filesystem's data device.
     * @param size       file size in bytes, -1 if unknown.
     */
    public record Entry(String path, long generation, int device, long size)
    {
    }

    private final ChronicleMap<Long, CharSequence> map;

    private Catalog(final ChronicleMap<Long, CharSequence> map)
    {
        this.map = map;
    }

    /**
     * Write a catalog file holding these paths.
     *
     * @param file   the catalog file to create.
     * @param paths  inode to path.
     * @param device the data device.
     * @throws IOException if it cannot be written.
     */
    public static void write(final Path file, final Map<Long, String> paths, final int device) throws IOException
    {
        try (ChronicleMap<Long, CharSequence> map = builder(paths.size()).createPersistedTo(file.toFile()))
        {
            for (final Map.Entry<Long, String> entry : paths.entrySet())
            {
                map.put(entry.getKey(), encode(new Entry(entry.getValue(), -1, device, -1)));
            }
        }
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        // Chronicle Map writes through a mapping and its close does not msync: the pages reach the device only now
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            channel.force(true);
        }
    }

    /**
     * Open a catalog file.
     *
     * @param file the catalog file.
     * @return the catalog.
     * @throws IOException if it cannot be read.
     */
    public static Catalog open(final Path file) throws IOException
    {
        if (!Files.isRegularFile(file))
        {
            throw new CorruptIndexException(file, "missing");
        }
        try
        {
            return new Catalog(builder(1).createPersistedTo(file.toFile()));
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new CorruptIndexException(file, "not a catalog: " + ex.getMessage(), ex);
        }
    }

    /**
     * The entry of an inode.
     *
     * @param inode inode number.
     * @return the entry, or null.
     */
    public Entry get(final long inode)
    {
        final CharSequence value = map.get(inode);
        return value == null ? null : decode(value.toString());
    }

    /**
     * Every inode's path, by inode.
     *
     * @return a copy.
     */
    public Map<Long, String> paths()
    {
        final TreeMap<Long, String> paths = new TreeMap<>();
        map.forEach((inode, value) -> paths.put(inode, decode(value.toString()).path()));
        return paths;
    }

    /**
     * Record an inode; readers of the same file in other processes see it at once.
     *
     * @param inode inode number.
     * @param entry what to record.
     */
    public void put(final long inode, final Entry entry)
    {
        map.put(inode, encode(entry));
    }

    /**
     * Entries in the catalog.
     *
     * @return the count.
     */
    public long size()
    {
        return map.longSize();
    }

    @Override
    public void close()
    {
        map.close();
    }

    private static ChronicleMapBuilder<Long, CharSequence> builder(final long entries)
    {
        return ChronicleMapBuilder.of(Long.class, CharSequence.class)
            .name(NAME)
            .entries(Math.max(16, entries))
            .averageValueSize(AVERAGE_VALUE_BYTES);
    }

    private static String encode(final Entry entry)
    {
        return entry.generation() + "\t" + entry.device() + "\t" + entry.size() + "\t" + entry.path();
    }

    private static Entry decode(final String value)
    {
        final String[] fields = value.split("\t", 4);
        return new Entry(fields[3], Long.parseLong(fields[0]), Integer.parseInt(fields[1]), Long.parseLong(fields[2]));
    }
}
