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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

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
 * any of them refreshes. The devices, the data device, the geometry and the catalog are one immutable
 * {@link Layout}, replaced whole with one volatile write: a caller that wants them consistent reads {@link #layout()}
 * once, and names inodes with {@link #path(Layout, long)}. A refresh opens
 * everything the new directory has (its added devices, its catalog) before it publishes any of it, and publishes
 * nothing if any of it fails: the index then answers as before. A device the new directory no longer has is closed
 * once its layout is replaced; readers of it keep answering from the snapshot they hold, as for any closed
 * {@link ReverseIndex}. The catalog is a Chronicle Map, replaced with its layout: a path lookup, a copy of the
 * catalog or a {@link Layout#hold()} holds the one it began with (a count, no lock), and the replaced one is closed
 * when the last of them lets it go, so a refresh never waits for a lookup, nor a lookup for a refresh. The new catalog opens beside the old one:
 * {@link Catalog#open} names the file to Chronicle Map by its identity too. The building methods
 * ({@link #addDevice}, {@link #dataDevice(int)}, {@link #path(long, String)}, ...) are for the thread that builds the
 * index.
 */
public final class FilesystemIndex implements AutoCloseable
{
    /**
     * The devices of an index, its data device, its XFS geometry and its catalog, as one immutable value: what one
     * import says, with the device indexes and the catalog opened. Paths of inodes the devices name are looked up in
     * the layout's own catalog ({@link FilesystemIndex#path(Layout, long)}), never in another import's.
     */
    public static final class Layout
    {
        private static final Layout EMPTY = new Layout(new TreeMap<>(Integer::compareUnsigned), -1, null, null);

        private final Map<Integer, ReverseIndex> devices;
        private final int dataDevice;
        private final FsmapVerboseGeometry xfsGeometry;
        /** The stored catalog of this import, or null (paths built in memory, or none). */
        private final Held catalog;

        private Layout(final TreeMap<Integer, ReverseIndex> devices, final int dataDevice,
            final FsmapVerboseGeometry xfsGeometry, final Held catalog)
        {
            this.devices = Collections.unmodifiableMap(devices);
            this.dataDevice = dataDevice;
            this.xfsGeometry = xfsGeometry;
            this.catalog = catalog;
        }

        /**
         * Keep this layout's catalog open until {@link #release()}, though a refresh replaces the layout meanwhile: a
         * report answered from this layout names its inodes from it. A count, no lock, no allocation.
         *
         * @return false if it is closed already (the index let it go, after putting another layout in its place):
         * then there is nothing to release, and {@link FilesystemIndex#path(Layout, long)} answers null.
         */
        public boolean hold()
        {
            return catalog == null || catalog.enter();
        }

        /**
         * Let go of what {@link #hold()} held: the catalog is closed if the index let it go too and nobody else holds
         * it.
         */
        public void release()
        {
            if (catalog != null)
            {
                catalog.leave();
            }
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

    /**
     * A catalog and who reads it: the index holds one reference while the catalog is current, each lookup one while it
     * is inside. The catalog is closed when the last reference is let go. A lookup that comes too late (all let go)
     * reads {@link #layout} again: the index let its reference go only after putting another layout there.
     */
    private static final class Held
    {
        private final Catalog catalog;
        private final AtomicInteger references = new AtomicInteger(1);

        Held(final Catalog catalog)
        {
            this.catalog = catalog;
        }

        boolean enter()
        {
            for (int count = references.get(); count > 0; count = references.get())
            {
                if (references.compareAndSet(count, count + 1))
                {
                    return true;
                }
            }
            return false;
        }

        void leave()
        {
            if (references.decrementAndGet() == 0)
            {
                catalog.close();
            }
        }
    }

    private final TreeMap<Long, String> paths = new TreeMap<>();
    /** The current devices, data device, geometry and catalog; replaced whole, with one volatile write. */
    private volatile Layout layout = Layout.EMPTY;
    /** The followed catalog file, or null; set once, before the index is shared. */
    private Path catalogFile;
    /** The identity of the catalog file the layout's catalog was opened from. */
    private volatile Object catalogKey;
    /**
     * The identity of a catalog file whose directory could not be taken in, or null: the index answers as before,
     * and takes that directory in again only after {@link #retryNanos}, or at once if another comes in its place.
     */
    private volatile Object refusedKey;
    /** Why the directory of {@link #refusedKey} could not be taken in, or null. */
    private volatile IOException refusal;
    /** When the directory of {@link #refusedKey} was last tried ({@link System#nanoTime()}). */
    private volatile long refusedAt;
    /** Whether the followed catalog file was missing at the last refresh. */
    private volatile boolean missingAtRefresh;
    /** How long a directory that could not be taken in is left alone before it is tried again. */
    long retryNanos = TimeUnit.SECONDS.toNanos(1);
    /** Set on close, under this object's lock: a refresh after it opens nothing. */
    private boolean closed;
    /** What a refresh runs just before it opens a new catalog: where tests replace the directory again. */
    Step beforeCatalogOpen = () -> { };
    /** What {@link #paths()} runs inside the catalog it copies: where tests hold a copy in progress. */
    Runnable insideCatalogCopy = () -> { };

    /**
     * A step where tests act.
     */
    @FunctionalInterface
    interface Step
    {
        void run() throws IOException;
    }

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
        layout = new Layout(devices, old.dataDevice == -1 ? device : old.dataDevice, old.xfsGeometry, old.catalog);
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
        layout = new Layout(old.copyDevices(), device, old.xfsGeometry, old.catalog);
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
     * @param stored the catalog; closed with this index, or once another replaces it and no lookup is inside it.
     */
    public synchronized void catalog(final Catalog stored)
    {
        final Layout old = layout;
        final Held previous = old.catalog;
        layout = new Layout(old.copyDevices(), old.dataDevice, old.xfsGeometry, stored == null ? null : new Held(stored));
        catalogFile = null;
        catalogKey = null;
        if (previous != null)
        {
            previous.leave();
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
    public synchronized void followCatalog(final Path file) throws IOException
    {
        // the identity the catalog was opened from, the same before and after its open: a catalog replaced later is
        // opened again on the next refresh, never missed
        final Catalog opened = Catalog.open(file);
        catalog(opened);
        if (opened.identity() != null)
        {
            catalogFile = file;
            catalogKey = opened.identity();
        }
    }

    /**
     * The identity of a file (device and inode on Linux), or null where the filesystem gives none.
     */
    /** The identity of the catalog file followed, or null. */
    Object followedKey()
    {
        return catalogKey;
    }

    private static Object fileKey(final Path file) throws IOException
    {
        return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    }

    /**
     * Take in a new import that replaced the index directory this index was loaded from: its devices (each opened
     * anew from it, following only its own directory; the old import's are closed, their readers keeping their
     * snapshots, so that a layout's devices and catalog are always of one import), its data
     * device, its geometry and its catalog. One {@code stat} when nothing changed. Without a followed directory
     * ({@link #followCatalog}, on a filesystem that gives files an identity) nothing changes.
     * <p>
     * Safe beside readers and other refreshes, in any thread.
     *
     * @return true if this index now answers from a replacing directory.
     * @throws IOException if the new directory's index file, a new device's index or its catalog cannot be opened;
     * nothing of it is then taken in and the index answers as before ({@link #refusal()} tells why). It is thrown once
     * per directory: later refreshes return false, leave that directory alone for a while (one {@code stat} each),
     * then try it again, and take in at once another directory put in its place. A directory caught between the two
     * renames of a replacement (where directories cannot be exchanged), or replaced again while it is read, is not an
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
        missingAtRefresh = key == null;
        if (key == null)
        {
            return false; // between the two renames of a replacement (later), or gone
        }
        if (key.equals(catalogKey))
        {
            if (refusal != null)
            {
                clearRefusal(key); // the directory taken in is back in place of the one refused
            }
            return false;
        }
        if (key.equals(refusedKey) && !retryDue())
        {
            return false; // the directory refused: left alone for a while
        }
        synchronized (this)
        {
            return !closed && replace(file);
        }
    }

    private boolean retryDue()
    {
        return System.nanoTime() - refusedAt >= retryNanos;
    }

    private synchronized void clearRefusal(final Object key)
    {
        if (key.equals(catalogKey))
        {
            refusedKey = null;
            refusal = null;
        }
    }

    /**
     * Why the index directory in place now could not be taken in: the index answers as the one taken in before
     * said, and each device's readers should keep their snapshots (a device directory of the refused import may well
     * open). Null once a directory is taken in, or the one taken in before is back.
     *
     * @return the failure of the last refresh that tried the directory in place, or null.
     */
    public IOException refusal()
    {
        return refusal;
    }

    /**
     * Whether the followed index directory was missing at the last {@link #refresh()}, as {@link #directoryMissing()}
     * says, without a {@code stat} of its own.
     *
     * @return true if its catalog file was gone then; false if there, or if this index follows no directory.
     */
    public boolean missingAtRefresh()
    {
        return missingAtRefresh;
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
        if (key == null || key.equals(catalogKey) || key.equals(refusedKey) && !retryDue())
        {
            return false;
        }
        final Path directory = file.getParent();
        final Layout old = layout;
        final TreeMap<Integer, ReverseIndex> devices = new TreeMap<>(Integer::compareUnsigned);
        final IndexStore.IndexFile stored;
        final Catalog opened;
        // everything new is opened before anything is published: a failure leaves the index as it was
        try
        {
            stored = IndexStore.readIndexFile(directory);
            for (final int device : stored.devices())
            {
                // opened anew, never kept from the old layout: a device index follows only the import it was opened
                // from, so that a layout's devices and its catalog are always of one import
                devices.put(device, IndexStore.openDevice(directory, device)); // readIndexFile refuses duplicates
            }
            beforeCatalogOpen.run();
            // beside the old catalog, though at the same path: Catalog.open names the file by its identity too
            opened = Catalog.open(file);
        }
        catch (final IOException | RuntimeException ex)
        {
            closeOpened(devices);
            if (!key.equals(fileKeyOrNull(file)))
            {
                return false; // replaced again, or caught between two renames: the next refresh reads what is there
            }
            final boolean first = !key.equals(refusedKey);
            refusal = ex instanceof IOException ? (IOException)ex : new IOException(ex.getMessage(), ex);
            refusedKey = key;
            refusedAt = System.nanoTime();
            if (first)
            {
                throw ex;
            }
            return false; // told once, when this directory was first refused
        }
        if (!key.equals(opened.identity()))
        {
            // replaced again while the devices were read: they may be of either directory
            opened.close();
            closeOpened(devices);
            return false;
        }
        final int dataDevice = stored.dataDevice() != -1 && devices.containsKey(stored.dataDevice()) ?
            stored.dataDevice() : devices.isEmpty() ? -1 : stored.devices()[0];
        final Held previous = old.catalog;
        // the devices and their catalog in one write: a caller that reads the layout has both of one import
        layout = new Layout(devices, dataDevice, stored.geometry(), new Held(opened));
        catalogKey = key;
        refusedKey = null;
        refusal = null;
        if (previous != null)
        {
            previous.leave(); // closed now, or by the last lookup still inside it
        }
        // the old import's devices: their readers keep the snapshots they hold
        for (final ReverseIndex device : old.devices.values())
        {
            device.close();
        }
        return true;
    }

    /**
     * Close the device indexes a failed replacement opened.
     */
    private static void closeOpened(final Map<Integer, ReverseIndex> devices)
    {
        devices.values().forEach(ReverseIndex::close);
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
     * @return the path, or null if unknown (unlinked, never catalogued, or the index closed).
     */
    public String path(final long inode)
    {
        final Held held = enterCatalog();
        if (held == null)
        {
            return catalogFile != null ? null : paths.get(inode);
        }
        try
        {
            return pathIn(held.catalog, inode);
        }
        finally
        {
            held.leave();
        }
    }

    /**
     * The catalog of the layout in place, entered (the caller leaves it), or null if the layout has none.
     */
    private Held enterCatalog()
    {
        for (Layout now = layout; ; now = layout)
        {
            final Held held = now.catalog;
            if (held == null || held.enter())
            {
                return held;
            }
            // let go meanwhile: another layout is there now
        }
    }

    private static String pathIn(final Catalog catalog, final long inode)
    {
        final Catalog.Entry entry = catalog.get(inode);
        return entry == null ? null : entry.path();
    }

    /**
     * The path of an inode in the catalog of one layout of this index: the import a report was answered from,
     * though a refresh replaced it since.
     *
     * @param answered a layout of this index, {@link Layout#hold() held} for as long as its paths are looked up.
     * @param inode    inode number.
     * @return the path, or null if unknown, or if the layout's catalog is closed (not held, and let go).
     */
    public String path(final Layout answered, final long inode)
    {
        final Held held = answered.catalog;
        if (held == null)
        {
            return catalogFile != null ? null : paths.get(inode);
        }
        if (!held.enter())
        {
            return null;
        }
        try
        {
            return pathIn(held.catalog, inode);
        }
        finally
        {
            held.leave();
        }
    }

    /**
     * The catalog: inode to path.
     *
     * @return an unmodifiable map, by inode: a copy of a stored catalog, a view of one built in memory.
     */
    public Map<Long, String> paths()
    {
        final Held held = enterCatalog();
        if (held == null)
        {
            return Collections.unmodifiableMap(catalogFile != null ? new TreeMap<>() : paths);
        }
        try
        {
            insideCatalogCopy.run();
            return Collections.unmodifiableMap(held.catalog.paths());
        }
        finally
        {
            held.leave();
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
        layout = new Layout(old.copyDevices(), old.dataDevice, geometry, old.catalog);
    }

    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        final Layout old = layout;
        old.devices.values().forEach(ReverseIndex::close);
        final Held previous = old.catalog;
        layout = new Layout(old.copyDevices(), old.dataDevice, old.xfsGeometry, null);
        if (previous != null)
        {
            previous.leave();
        }
    }
}
