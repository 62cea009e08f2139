package io.daxrmap.store;

import io.daxrmap.index.CorruptIndexException;
import net.openhft.chronicle.core.OS;
import net.openhft.chronicle.hash.impl.SizePrefixedBlob;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
    private static final double VALUE_HEADROOM = 1.25;
    private static final int CHUNK_BYTES = 64;
    private static final double MAX_BLOAT = 4.0;
    /** The largest header Chronicle Map reads (its own limit): a size word beyond it is no catalog's. */
    private static final int MAX_HEADER_BYTES = 16 << 10;
    /** How Chronicle Map refuses a file shorter than its data store; the catalog says "truncated" instead. */
    private static final Pattern SHORTER_THAN_STORE = Pattern.compile(
        "has unexpected length (\\d+), probably corrupted\\. Data store size is (\\d+)");

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

    /** How many times an open tries a catalog file that is replaced while it opens it. */
    private static final int OPEN_TRIES = 4;

    private final ChronicleMap<Long, CharSequence> map;
    private final Object identity;

    private Catalog(final ChronicleMap<Long, CharSequence> map, final Object identity)
    {
        this.map = map;
        this.identity = identity;
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
        long valueBytes = 0;
        int longest = 0;
        for (final Map.Entry<Long, String> entry : paths.entrySet())
        {
            final int bytes = valueBytes(encode(new Entry(entry.getValue(), -1, device, -1)));
            valueBytes += bytes;
            longest = Math.max(longest, bytes);
        }
        try (ChronicleMap<Long, CharSequence> map =
            builder(paths.size(), valueBytes, longest).createPersistedTo(file.toFile()))
        {
            for (final Map.Entry<Long, String> entry : paths.entrySet())
            {
                map.put(entry.getKey(), encode(new Entry(entry.getValue(), -1, device, -1)));
            }
        }
        catch (final IOException ex)
        {
            // Chronicle Map names no file ("Not enough space to fallocate 0 MiB to / unallocated was 0 MiB")
            throw new IOException("cannot write the catalog: file=" + file + ": " + ex.getMessage(), ex);
        }
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        // Chronicle Map writes through a mapping and its close does not msync: the pages reach the device only now
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            channel.force(true);
        }
    }

    /**
     * Open the catalog file of an index: an existing, whole one, never created or rewritten here.
     * <p>
     * Chronicle Map has no call that only opens: {@code createPersistedTo} makes a new, empty map of a missing or
     * empty file, grows a file that ends inside a page back to its size, and waits a minute for a header it finds
     * unfinished (its writer may still be at it); {@code recoverPersistedTo} rewrites the header and the segments.
     * A catalog is whole when its directory takes its name ({@link Catalog#write} runs in the new index directory
     * before it is renamed into place) and readers never write it, so the file is checked first and handed to
     * {@code createPersistedTo} only as one it opens as it is: a complete header, and whole pages (the map and every
     * tier bulk it adds end on a page). A file shorter than the map its header describes Chronicle Map refuses before
     * mapping it.
     * <p>
     * Chronicle Map shares one open file among the maps of one JVM persisted to the same {@link File} (its
     * {@code CanonicalRandomAccessFiles}, keyed by {@link File#getCanonicalFile()}): a map opened at a path whose
     * file another map still holds open would map that file, not the one now at the path (a new import put in place
     * of the index directory while another copy of the index is loaded). Here the file is named to Chronicle Map by
     * its identity ({@link #identity()}), so that maps of the same file share one open file (and its lock) by whatever
     * path they reach it, and only they, and a map of the file now at the path is of that file. The identity is read before and after the open: a file
     * replaced meanwhile is opened again.
     * <p>
     * A file this process may not write (an index on a read-only mount) is opened as a private copy, since Chronicle
     * Map maps every file for writing; {@link #put} then writes the copy only.
     *
     * @param file the catalog file.
     * @return the catalog.
     * @throws CorruptIndexException if the file is missing, empty, truncated, mis-sized or not a catalog, or was replaced
     *                               at each of {@value #OPEN_TRIES} tries.
     * @throws IOException           if it cannot be read.
     */
    public static Catalog open(final Path file) throws IOException
    {
        for (int tries = 1; ; tries++)
        {
            final Object identity = identity(file);
            checkWhole(file);
            final ChronicleMap<Long, CharSequence> map = Files.isWritable(file) ?
                openMap(file, identity == null ? file.toFile() : new IdentifiedFile(file.toString(), identity)) :
                openCopy(file);
            final Object after;
            try
            {
                after = identity == null ? null : identityOrNull(file);
            }
            catch (final IOException | RuntimeException ex)
            {
                map.close();
                throw ex;
            }
            if (identity == null || identity.equals(after))
            {
                return new Catalog(map, identity);
            }
            map.close(); // replaced meanwhile: what was opened may be either file
            if (tries >= OPEN_TRIES)
            {
                throw new CorruptIndexException(file, "replaced while being opened, " + tries + " times");
            }
        }
    }

    /**
     * Open a private copy of a catalog file this process may not write: Chronicle Map opens every file it maps for
     * writing (its {@code CanonicalRandomAccessFiles}, "rw"), so a catalog on a read-only mount would be refused. A
     * catalog is never written after its index directory takes its name, so the copy holds what the file holds. The
     * copy is deleted as soon as it is mapped: nothing is left behind, however the process ends.
     */
    private static ChronicleMap<Long, CharSequence> openCopy(final Path file) throws IOException
    {
        Path copy = null;
        try
        {
            copy = Files.createTempFile("daxrmap-catalog-", ".cmap");
            Files.copy(file, copy, StandardCopyOption.REPLACE_EXISTING);
        }
        catch (final IOException ex)
        {
            if (copy != null)
            {
                try
                {
                    Files.deleteIfExists(copy); // a part copied before the temporary directory filled up
                }
                catch (final IOException cleanup)
                {
                    ex.addSuppressed(cleanup);
                }
            }
            throw new IOException(file + ": not writable here (a read-only mount), so read from a copy in the " +
                "temporary directory " + System.getProperty("java.io.tmpdir") + ", which failed: " + ex, ex);
        }
        try
        {
            return openMap(file, copy.toFile());
        }
        finally
        {
            Files.deleteIfExists(copy);
        }
    }

    private static ChronicleMap<Long, CharSequence> openMap(final Path file, final File named) throws IOException
    {
        try
        {
            return builder(1, AVERAGE_VALUE_BYTES, AVERAGE_VALUE_BYTES).createPersistedTo(named);
        }
        catch (final IOException | RuntimeException ex)
        {
            final Matcher shorter = SHORTER_THAN_STORE.matcher(String.valueOf(ex.getMessage()));
            if (shorter.find())
            {
                throw new CorruptIndexException(file, "truncated: size=" + shorter.group(1) + " storeSize=" +
                    shorter.group(2), ex);
            }
            throw new CorruptIndexException(file, "not a catalog: " + ex.getMessage(), ex);
        }
    }

    /**
     * The identity of a file (device and inode on Linux), or null where the filesystem gives none.
     *
     * @throws CorruptIndexException if it is missing.
     */
    private static Object identity(final Path file) throws IOException
    {
        try
        {
            return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        }
        catch (final NoSuchFileException ex)
        {
            throw new CorruptIndexException(file, "missing", ex);
        }
    }

    private static Object identityOrNull(final Path file) throws IOException
    {
        try
        {
            return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        }
        catch (final NoSuchFileException ex)
        {
            return null;
        }
    }

    /**
     * The identity of the file this catalog was opened from ({@link BasicFileAttributes#fileKey()}: device and inode
     * on Linux), the same before and after its open.
     *
     * @return the identity, or null where the filesystem gives files none.
     */
    public Object identity()
    {
        return identity;
    }

    /**
     * A file as Chronicle Map's registry of open files knows it: by its identity. Its canonical form, which Chronicle
     * Map takes as the key, keeps the identity; two such files are equal if their identities are, whatever paths
     * reach them.
     */
    private static final class IdentifiedFile extends File
    {
        private static final long serialVersionUID = 1L;

        private final transient Object identity;

        IdentifiedFile(final String path, final Object identity)
        {
            super(path);
            this.identity = identity;
        }

        @Override
        public File getCanonicalFile() throws IOException
        {
            final String canonical = getCanonicalPath();
            return canonical.equals(getPath()) ? this : new IdentifiedFile(canonical, identity);
        }

        @Override
        public File getAbsoluteFile()
        {
            final String absolute = getAbsolutePath();
            return absolute.equals(getPath()) ? this : new IdentifiedFile(absolute, identity);
        }

        @Override
        public boolean equals(final Object other)
        {
            // the identity alone: one file reached by two paths (a hard-linked copy of the index, a bind mount) is
            // one open file with one lock; two would refuse each other's shared lock (OverlappingFileLockException)
            return other instanceof IdentifiedFile && identity.equals(((IdentifiedFile)other).identity);
        }

        @Override
        public int hashCode()
        {
            return identity.hashCode();
        }
    }

    /**
     * Refuse a catalog file that Chronicle Map would create, rewrite or wait on rather than open as it is.
     */
    private static void checkWhole(final Path file) throws IOException
    {
        if (!Files.isRegularFile(file))
        {
            throw new CorruptIndexException(file, "missing");
        }
        final ByteBuffer sizeWord = ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        final long size;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            size = channel.size();
            while (sizeWord.hasRemaining() && channel.read(sizeWord, SizePrefixedBlob.SIZE_WORD_OFFSET +
                sizeWord.position()) > 0)
            {
                // the header's size word, if the file is that long
            }
        }
        if (size == 0)
        {
            throw new CorruptIndexException(file, "empty");
        }
        if (size < SizePrefixedBlob.SELF_BOOTSTRAPPING_HEADER_OFFSET)
        {
            throw new CorruptIndexException(file, "truncated: size=" + size);
        }
        final int word = sizeWord.getInt(0);
        if (!SizePrefixedBlob.isReady(word))
        {
            throw new CorruptIndexException(file, "header incomplete: sizeWord=0x" + Integer.toHexString(word));
        }
        final int headerSize = SizePrefixedBlob.extractSize(word);
        if (headerSize > MAX_HEADER_BYTES)
        {
            throw new CorruptIndexException(file, "not a catalog: headerSize=" + headerSize);
        }
        if (SizePrefixedBlob.SELF_BOOTSTRAPPING_HEADER_OFFSET + headerSize > size)
        {
            throw new CorruptIndexException(file, "truncated: size=" + size + " headerEnd=" +
                (SizePrefixedBlob.SELF_BOOTSTRAPPING_HEADER_OFFSET + headerSize));
        }
        if (size % OS.pageSize() != 0)
        {
            throw new CorruptIndexException(file, "mis-sized: size=" + size + " not a multiple of pageSize=" +
                OS.pageSize());
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

    /**
     * A map sized for its values: Chronicle Map reserves {@code entries} times the average value, and refuses an entry
     * of more chunks than its maximum. Sized by a fixed average of 64 bytes, a catalog of paths of 200 bytes ran out
     * of room at 15 entries, and one path of 4,000 bytes was refused (found by a review). The file of an existing map
     * keeps the sizes it was made with; these only make a new one.
     *
     * @param entries    how many entries.
     * @param valueBytes their values' bytes, in all.
     * @param longest    the longest value's bytes.
     */
    private static ChronicleMapBuilder<Long, CharSequence> builder(
        final long entries, final long valueBytes, final int longest)
    {
        final double average = Math.max(AVERAGE_VALUE_BYTES, VALUE_HEADROOM * valueBytes / Math.max(1, entries));
        return ChronicleMapBuilder.of(Long.class, CharSequence.class)
            .name(NAME)
            .entries(Math.max(16, entries))
            .averageValueSize(average)
            .actualChunkSize(CHUNK_BYTES)
            // the longest value, its key and the entry's own fields, in whole chunks
            .maxChunksPerEntry((longest + CHUNK_BYTES) / CHUNK_BYTES + 2)
            // room for entries put after the write (Catalog.put) beyond what the sizes reserve
            .maxBloatFactor(MAX_BLOAT);
    }

    /**
     * A value's bytes as Chronicle Map stores a CharSequence, at most: UTF-8 after a length of up to 5 bytes, each
     * char on its own, so a lone surrogate (the escape of a name's byte that is not UTF-8) takes 3 bytes, as does each
     * half of a pair. {@code getBytes(UTF_8)} counts a lone surrogate as the one byte of its replacement, and a name of
     * 200 such bytes sized its entry 2 chunks short (found by a review).
     */
    private static int valueBytes(final String value)
    {
        int bytes = 5;
        for (int i = 0; i < value.length(); i++)
        {
            final char c = value.charAt(i);
            bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
        }
        return bytes;
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
