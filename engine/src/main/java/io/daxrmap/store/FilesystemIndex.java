package io.daxrmap.store;

import io.daxrmap.format.FsmapVerboseGeometry;
import io.daxrmap.index.ReverseIndex;

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
