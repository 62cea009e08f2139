package io.daxrmap.store;

import io.daxrmap.format.FsmapVerboseGeometry;
import io.daxrmap.index.CorruptIndexException;
import io.daxrmap.index.ReverseIndex;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The reverse maps of one filesystem: one {@link ReverseIndex} per device (data, log, realtime), the catalog of
 * inode paths, and the XFS geometry when it is known.
 */
public final class FilesystemIndex implements AutoCloseable
{
    private final TreeMap<Integer, ReverseIndex> devices = new TreeMap<>(Integer::compareUnsigned);
    private final TreeMap<Long, String> paths = new TreeMap<>();
    private Catalog catalog;
    private Path catalogFile;
    private Object catalogKey;
    private int dataDevice = -1;
    private FsmapVerboseGeometry xfsGeometry;

    /**
     * Add a device's index.
     *
     * @param index the index; its geometry names the device.
     */
    public void addDevice(final ReverseIndex index)
    {
        final int device = index.geometry().device();
        if (devices.putIfAbsent(device, index) != null)
        {
            throw new IllegalArgumentException("device already present: device=" + device);
        }
        if (dataDevice == -1)
        {
            dataDevice = device;
        }
    }

    /**
     * The indexes by device number ({@code new_encode_dev}), in GETFSMAP device order.
     *
     * @return an unmodifiable view.
     */
    public Map<Integer, ReverseIndex> devices()
    {
        return Collections.unmodifiableMap(devices);
    }

    /**
     * The index of a device.
     *
     * @param device device number.
     * @return the index or null.
     */
    public ReverseIndex device(final int device)
    {
        return devices.get(device);
    }

    /**
     * The data device: what {@code xfs_io fsmap -d} ranges apply to.
     *
     * @return the device number, or -1 if there is no device.
     */
    public int dataDevice()
    {
        return dataDevice;
    }

    /**
     * Name the data device.
     *
     * @param device a device of this index.
     */
    public void dataDevice(final int device)
    {
        if (!devices.containsKey(device))
        {
            throw new IllegalArgumentException("no such device: device=" + device);
        }
        dataDevice = device;
    }

    /**
     * Record the path of an inode (the first one given wins, as for hard links).
     *
     * @param inode inode number.
     * @param path  path relative to the filesystem root.
     */
    public void path(final long inode, final String path)
    {
        paths.putIfAbsent(inode, path);
    }

    /**
     * Read paths from a stored catalog instead of the in-memory one.
     *
     * @param stored the catalog; closed with this index.
     */
    public void catalog(final Catalog stored)
    {
        catalog = stored;
        catalogFile = null;
        catalogKey = null;
    }

    /**
     * Read paths from a catalog file and follow it: {@link #refreshCatalog()} opens the file again once a new import
     * has put another one in its place.
     *
     * @param file the catalog file of an index directory.
     * @throws CorruptIndexException if it is missing or damaged.
     * @throws IOException           if it cannot be read.
     */
    public void followCatalog(final Path file) throws IOException
    {
        // the identity first: a catalog replaced between the two is opened again on the next refresh, never missed
        final Object key;
        try
        {
            key = fileKey(file);
        }
        catch (final NoSuchFileException ex)
        {
            throw new CorruptIndexException(file, "missing", ex); // every index has one, if only an empty one
        }
        catalog(Catalog.open(file));
        if (key != null)
        {
            catalogFile = file;
            catalogKey = key;
        }
    }

    /**
     * The identity of a file (device and inode on Linux), or null where the filesystem gives none.
     */
    private static Object fileKey(final Path file) throws IOException
    {
        return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    }

    /**
     * Take in the catalog of a new import that replaced the index directory this index was loaded from: the device
     * indexes follow the directory on their readers' {@code refresh()}, the catalog on this call (one {@code stat}).
     * Without a followed file ({@link #followCatalog}, on a filesystem that gives files an identity) nothing changes.
     * Not to be called while another thread reads paths.
     *
     * @return true if the catalog was replaced and is now read from the new file.
     * @throws IOException if the new catalog cannot be opened.
     */
    public boolean refreshCatalog() throws IOException
    {
        if (catalogFile == null)
        {
            return false;
        }
        final Object key;
        try
        {
            key = fileKey(catalogFile);
        }
        catch (final NoSuchFileException ex)
        {
            return false; // between the two renames of a replacement where directories cannot be exchanged: later
        }
        if (key == null || key.equals(catalogKey))
        {
            return false;
        }
        // Chronicle Map shares one open file per path within a JVM: the old one must be closed before the new opens
        if (catalog != null)
        {
            catalog.close();
            catalog = null;
            catalogKey = null; // should the open fail, the next refresh tries again
        }
        catalog = Catalog.open(catalogFile);
        catalogKey = key;
        return true;
    }

    /**
     * The path of an inode.
     *
     * @param inode inode number.
     * @return the path, or null if unknown (unlinked, or never catalogued).
     */
    public String path(final long inode)
    {
        if (catalog != null)
        {
            final Catalog.Entry entry = catalog.get(inode);
            return entry == null ? null : entry.path();
        }
        return paths.get(inode);
    }

    /**
     * The catalog: inode to path.
     *
     * @return an unmodifiable view, by inode.
     */
    public Map<Long, String> paths()
    {
        return Collections.unmodifiableMap(catalog != null ? catalog.paths() : paths);
    }

    /**
     * The XFS geometry for {@code fsmap -v} output, when known.
     *
     * @return the geometry.
     */
    public Optional<FsmapVerboseGeometry> xfsGeometry()
    {
        return Optional.ofNullable(xfsGeometry);
    }

    /**
     * Set the XFS geometry.
     *
     * @param geometry the geometry, or null.
     */
    public void xfsGeometry(final FsmapVerboseGeometry geometry)
    {
        xfsGeometry = geometry;
    }

    @Override
    public void close()
    {
        devices.values().forEach(ReverseIndex::close);
        if (catalog != null)
        {
            catalog.close();
        }
    }
}
