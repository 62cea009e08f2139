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
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The reverse maps of one filesystem: one {@link ReverseIndex} per device (data, log, realtime), the catalog of
 * inode paths, and the XFS geometry when it is known.
 * <h2>Following a replaced index directory</h2>
 * An index loaded from a directory ({@link IndexStore#load}) follows it: a new import or {@code daxrmap index -o}
 * puts a whole new directory in its place, and {@link #refresh()} takes it in. Each device index follows its own
 * subdirectory on its readers' {@code refresh()}; this index follows the rest: the device list (a device added or
 * removed), the data device, the XFS geometry ({@link #layout()}) and the catalog. A replacement is noticed by the
 * identity of the catalog file (one {@code stat} per refresh); the catalog is held open, so its identity cannot be
 * reused by another file while it is followed.
 * <h2>Concurrency</h2>
 * Once built, any number of threads may read ({@link #layout()}, {@link #devices()}, {@link #path(long)}, ...) while
 * any of them refreshes. The devices, the data device and the geometry are one immutable {@link Layout}, replaced
 * whole with one volatile write: a caller that wants them consistent reads {@link #layout()} once. A device the new
 * directory no longer has is closed when its layout is replaced; readers of it keep answering from the snapshot they
 * hold, as for any closed {@link ReverseIndex}. The catalog is a Chronicle Map, which shares one open file per path
 * within a JVM: the new catalog can be opened only once the old one is closed, and the old one is closed only when no
 * path lookup is inside it. Lookups therefore hold a read lock on it, and wait only while a refresh swaps the
 * catalogs (the close of one map and the open of the other). The building methods ({@link #addDevice},
 * {@link #dataDevice(int)}, {@link #path(long, String)}, ...) are for the thread that builds the index.
 */
public final class FilesystemIndex implements AutoCloseable
{
    /**
     * The devices of an index, its data device and its XFS geometry, as one immutable value: what its
     * {@value IndexStore#FILE_NAME} says, with the device indexes opened.
     */
    public static final class Layout
    {
        private static final Layout EMPTY = new Layout(new TreeMap<>(Integer::compareUnsigned), -1, null);

        private final Map<Integer, ReverseIndex> devices;
        private final int dataDevice;
        private final FsmapVerboseGeometry xfsGeometry;

        private Layout(
            final TreeMap<Integer, ReverseIndex> devices, final int dataDevice, final FsmapVerboseGeometry xfsGeometry)
        {
            this.devices = Collections.unmodifiableMap(devices);
            this.dataDevice = dataDevice;
            this.xfsGeometry = xfsGeometry;
        }

        /**
         * The indexes by device number ({@code new_encode_dev}), in GETFSMAP device order.
         *
         * @return an unmodifiable map, the same object for as long as this layout is current.
         */
        public Map<Integer, ReverseIndex> devices()
        {
            return devices;
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
         * The XFS geometry for {@code fsmap -v} output, when known.
         *
         * @return the geometry.
         */
        public Optional<FsmapVerboseGeometry> xfsGeometry()
        {
            return Optional.ofNullable(xfsGeometry);
        }

        private TreeMap<Integer, ReverseIndex> copyDevices()
        {
            final TreeMap<Integer, ReverseIndex> copy = new TreeMap<>(Integer::compareUnsigned);
            copy.putAll(devices);
            return copy;
        }
    }

    private final TreeMap<Long, String> paths = new TreeMap<>();
    /** The current devices, data device and geometry; replaced whole. */
    private volatile Layout layout = Layout.EMPTY;
    /**
     * Guards {@link #catalog}: lookups read it, a swap or close writes it. A waiting writer holds new readers back;
     * beside three threads of lookups a {@code StampedLock}, whose readers barge in, kept a refresh waiting for up to
     * 0.8 s.
     */
    private final ReentrantReadWriteLock catalogLock = new ReentrantReadWriteLock();
    private Catalog catalog;
    /** The followed catalog file, or null; set once, before the index is shared. */
    private Path catalogFile;
    /** The identity of the catalog file {@link #catalog} was opened from; null to open it again on refresh. */
    private volatile Object catalogKey;
    /** Set on close, under this object's lock: a refresh after it opens nothing. */
    private boolean closed;

    /**
     * Add a device's index.
     *
     * @param index the index; its geometry names the device.
     */
    public synchronized void addDevice(final ReverseIndex index)
    {
        final int device = index.geometry().device();
        final Layout old = layout;
        if (old.devices.containsKey(device))
        {
            throw new IllegalArgumentException("device already present: device=" + device);
        }
        final TreeMap<Integer, ReverseIndex> devices = old.copyDevices();
        devices.put(device, index);
        layout = new Layout(devices, old.dataDevice == -1 ? device : old.dataDevice, old.xfsGeometry);
    }

    /**
     * The devices, data device and geometry as they are now, consistent with each other.
     *
     * @return the layout; a refresh that takes in a replaced index directory puts another one in its place.
     */
    public Layout layout()
    {
        return layout;
    }

    /**
     * The indexes by device number ({@code new_encode_dev}), in GETFSMAP device order.
     *
     * @return an unmodifiable map of the current {@link #layout()}.
     */
    public Map<Integer, ReverseIndex> devices()
    {
        return layout.devices;
    }

    /**
     * The index of a device.
     *
     * @param device device number.
     * @return the index or null.
     */
    public ReverseIndex device(final int device)
    {
        return layout.devices.get(device);
    }

    /**
     * The data device: what {@code xfs_io fsmap -d} ranges apply to.
     *
     * @return the device number, or -1 if there is no device.
     */
    public int dataDevice()
    {
        return layout.dataDevice;
    }

    /**
     * Name the data device.
     *
     * @param device a device of this index.
     */
    public synchronized void dataDevice(final int device)
    {
        final Layout old = layout;
        if (!old.devices.containsKey(device))
        {
            throw new IllegalArgumentException("no such device: device=" + device);
        }
        layout = new Layout(old.copyDevices(), device, old.xfsGeometry);
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
        catalogLock.writeLock().lock();
        try
        {
            catalog = stored;
            catalogFile = null;
            catalogKey = null;
        }
        finally
        {
            catalogLock.writeLock().unlock();
        }
    }

    /**
     * Read paths from the catalog file of an index directory and follow the directory: {@link #refresh()} takes in
     * a new import put in its place.
     *
     * @param file the catalog file of an index directory, beside its {@value IndexStore#FILE_NAME}.
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
     * Take in a new import that replaced the index directory this index was loaded from: its devices (an added one
     * is opened, a removed one closed, the others follow their own directories on their readers' refresh), its data
     * device, its geometry and its catalog. One {@code stat} when nothing changed. Without a followed directory
     * ({@link #followCatalog}, on a filesystem that gives files an identity) nothing changes.
     * <p>
     * Safe beside readers and other refreshes, in any thread.
     *
     * @return true if this index now answers from a replacing directory.
     * @throws IOException if the new directory's index file, a new device's index or its catalog cannot be opened.
     * A directory caught between the two renames of a replacement (where directories cannot be exchanged) is not an
     * error: a later refresh takes it in.
     */
    public boolean refresh() throws IOException
    {
        final Path file = catalogFile;
        if (file == null)
        {
            return false;
        }
        final Object key = fileKeyOrNull(file);
        if (key == null || key.equals(catalogKey))
        {
            return false; // unchanged, or between the two renames of a replacement: later
        }
        synchronized (this)
        {
            return !closed && replace(file);
        }
    }

    /**
     * Whether the followed index directory is missing now: its catalog file is gone, as between the two renames of a
     * replacement where directories cannot be exchanged (or after the directory was removed). One {@code stat}.
     *
     * @return true if missing; false if there, or if this index follows no directory.
     * @throws IOException if it cannot be looked at.
     */
    public boolean directoryMissing() throws IOException
    {
        final Path file = catalogFile;
        return file != null && fileKeyOrNull(file) == null;
    }

    /**
     * As {@link #refresh()}, which it was named before the devices followed too.
     *
     * @return true if this index now answers from a replacing directory.
     * @throws IOException as {@link #refresh()}.
     */
    public boolean refreshCatalog() throws IOException
    {
        return refresh();
    }

    private boolean replace(final Path file) throws IOException
    {
        // the identity first (again: another refresh may have taken it in meanwhile): what is read after it is as new
        // as it, or newer, and then the next refresh reads again; a replacement is never missed
        final Object key = fileKeyOrNull(file);
        if (key == null || key.equals(catalogKey))
        {
            return false;
        }
        final Path directory = file.getParent();
        final Layout old = layout;
        final TreeMap<Integer, ReverseIndex> devices = new TreeMap<>(Integer::compareUnsigned);
        final int dataDevice;
        final IndexStore.IndexFile stored;
        try
        {
            stored = IndexStore.readIndexFile(directory);
            for (final int device : stored.devices())
            {
                final ReverseIndex kept = old.devices.get(device);
                // a kept device index follows its own directory, which the new import replaced with the rest
                if (devices.putIfAbsent(device, kept != null ? kept : IndexStore.openDevice(directory, device)) != null)
                {
                    throw new CorruptIndexException(directory.resolve(IndexStore.FILE_NAME),
                        "inconsistent: device already present: device=" + device);
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            closeOpened(devices, old);
            if (!key.equals(fileKeyOrNull(file)))
            {
                return false; // replaced again, or caught between two renames: the next refresh reads what is there
            }
            throw ex;
        }
        dataDevice = stored.dataDevice() != -1 && devices.containsKey(stored.dataDevice()) ? stored.dataDevice() :
            devices.isEmpty() ? -1 : stored.devices()[0];
        catalogLock.writeLock().lock();
        try
        {
            // the new devices are published while lookups wait: no lookup that starts once they are visible answers
            // from the old catalog
            layout = new Layout(devices, dataDevice, stored.geometry());
            // Chronicle Map shares one open file per path within a JVM: the old one must be closed before the new
            // opens, and no lookup is inside it while this lock is held
            if (catalog != null)
            {
                catalog.close();
                catalog = null;
            }
            catalogKey = null; // should the open fail, paths are unknown and the next refresh tries again
            catalog = Catalog.open(file);
            catalogKey = key;
        }
        finally
        {
            catalogLock.writeLock().unlock();
            // the devices the new directory lacks: their readers keep the snapshots they hold
            for (final Map.Entry<Integer, ReverseIndex> device : old.devices.entrySet())
            {
                if (devices.get(device.getKey()) != device.getValue())
                {
                    device.getValue().close();
                }
            }
        }
        return true;
    }

    /**
     * Close the device indexes a failed replacement opened, not the ones it kept.
     */
    private static void closeOpened(final Map<Integer, ReverseIndex> devices, final Layout old)
    {
        for (final Map.Entry<Integer, ReverseIndex> device : devices.entrySet())
        {
            if (old.devices.get(device.getKey()) != device.getValue())
            {
                device.getValue().close();
            }
        }
    }

    private static Object fileKeyOrNull(final Path file) throws IOException
    {
        try
        {
            return fileKey(file);
        }
        catch (final NoSuchFileException ex)
        {
            return null;
        }
    }

    /**
     * The path of an inode.
     *
     * @param inode inode number.
     * @return the path, or null if unknown (unlinked, never catalogued, or the catalog of a replacing directory could
     * not be opened).
     */
    public String path(final long inode)
    {
        catalogLock.readLock().lock();
        try
        {
            if (catalog != null)
            {
                final Catalog.Entry entry = catalog.get(inode);
                return entry == null ? null : entry.path();
            }
            return catalogFile != null ? null : paths.get(inode);
        }
        finally
        {
            catalogLock.readLock().unlock();
        }
    }

    /**
     * The catalog: inode to path.
     *
     * @return an unmodifiable map, by inode: a copy of a stored catalog, a view of one built in memory.
     */
    public Map<Long, String> paths()
    {
        catalogLock.readLock().lock();
        try
        {
            if (catalog != null)
            {
                return Collections.unmodifiableMap(catalog.paths());
            }
            return Collections.unmodifiableMap(catalogFile != null ? new TreeMap<>() : paths);
        }
        finally
        {
            catalogLock.readLock().unlock();
        }
    }

    /**
     * The XFS geometry for {@code fsmap -v} output, when known.
     *
     * @return the geometry.
     */
    public Optional<FsmapVerboseGeometry> xfsGeometry()
    {
        return layout.xfsGeometry();
    }

    /**
     * Set the XFS geometry.
     *
     * @param geometry the geometry, or null.
     */
    public synchronized void xfsGeometry(final FsmapVerboseGeometry geometry)
    {
        final Layout old = layout;
        layout = new Layout(old.copyDevices(), old.dataDevice, geometry);
    }

    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        layout.devices.values().forEach(ReverseIndex::close);
        catalogLock.writeLock().lock();
        try
        {
            if (catalog != null)
            {
                catalog.close();
                catalog = null;
            }
        }
        finally
        {
            catalogLock.writeLock().unlock();
        }
    }
}
