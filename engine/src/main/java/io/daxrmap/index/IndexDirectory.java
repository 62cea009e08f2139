package io.daxrmap.index;

import io.daxrmap.model.DeviceGeometry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * The directory of a persistent {@link ReverseIndex}.
 * <pre>
 *   LOCK                 held (fcntl lock) by the one process that writes
 *   CURRENT              "daxrmap-index version 2 generation N crc X" and a newline, X the CRC32C of the text before
 *                        " crc " in 8 hex digits: the generation to open, replaced by rename
 *   log-N.dat            the generation's {@link IndexLog}: a checkpoint, then one record per committed batch
 *   slab-N-M.dat         the generation's memory-mapped slabs ({@link SlabFiles}), each carrying log-N.dat's id
 * </pre>
 * A compaction writes generation N+1 whole (slabs, then a log holding only a checkpoint), switches CURRENT, and
 * deletes generation N; a crash at any point leaves CURRENT naming a complete generation. The new log's id is chosen
 * with its slabs ({@link #slabs(int)}), which are written first. Files are readable by their owner only.
 */
final class IndexDirectory implements AutoCloseable
{
    static final String LOCK = "LOCK";
    static final String CURRENT = "CURRENT";
    private static final String CURRENT_PREFIX = "daxrmap-index version ";
    private static final int CURRENT_VERSION = 2;
    private static final Pattern GENERATION_FILE = Pattern.compile("(?:log-(\\d+)\\.dat|slab-(\\d+)-(\\d+)\\.dat)");

    final Path directory;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private IndexLog log;
    private int generation;
    /** The log's length once its checkpoint was written. */
    private long checkpointLength;
    /** The slabs of the generation being written ({@link #slabs(int)}), whose id its log is created with. */
    private SlabFiles newSlabs;

    private IndexDirectory(final Path directory, final FileChannel lockChannel, final FileLock lock)
    {
        this.directory = directory;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /**
     * Take the writer's lock on an index directory, creating the directory if needed.
     *
     * @throws IllegalStateException if another writer holds it.
     */
    static IndexDirectory lock(final Path directory) throws IOException
    {
        if (Files.exists(directory) && !Files.isDirectory(directory))
        {
            throw new IOException(directory + ": not a directory");
        }
        if (!Files.exists(directory))
        {
            Files.createDirectories(directory,
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        final Path lockFile = directory.resolve(LOCK);
        final FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = null;
        try
        {
            Files.setPosixFilePermissions(lockFile, PosixFilePermissions.fromString("rw-------"));
            lock = channel.tryLock();
        }
        catch (final OverlappingFileLockException ex)
        {
            lock = null;
        }
        catch (final IOException | RuntimeException ex)
        {
            channel.close();
            throw ex;
        }
        if (lock == null)
        {
            channel.close();
            throw new IllegalStateException("index is open for writing by another writer: directory=" + directory);
        }
        return new IndexDirectory(directory, channel, lock);
    }

    boolean exists()
    {
        return Files.exists(directory.resolve(CURRENT));
    }

    /**
     * Whether the directory holds nothing but the lock file.
     */
    boolean onlyLock() throws IOException
    {
        return holdsIndexOrNothing(directory) && !exists();
    }

    /**
     * Whether a directory holds an index (its CURRENT), or nothing but a lock file and what a create that did not
     * finish leaves: somewhere an index may be made.
     */
    static boolean holdsIndexOrNothing(final Path directory) throws IOException
    {
        if (Files.exists(directory.resolve(CURRENT)))
        {
            return true;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory))
        {
            for (final Path file : files)
            {
                if (!LOCK.equals(file.getFileName().toString()) && !leftByCreate(file))
                {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Whether a file is one a create killed before it wrote CURRENT leaves: CURRENT's temporary file, the first
     * generation's slabs, or its log holding no batch (none can commit before create returns). A log with batches
     * is an index whose CURRENT is gone, not such a remain: it is kept. Whether the log holds a batch is told by the
     * checkpoint's length, trusted only once its record header's checksum is right; a log whose header or checkpoint
     * header is damaged may hold batches, and is refused rather than deleted (unless all after its header reads as
     * zeros: a checkpoint that never reached the device, and nothing after it).
     *
     * @throws CorruptIndexException if the file is such a damaged log.
     */
    private static boolean leftByCreate(final Path file) throws IOException
    {
        final String name = file.getFileName().toString();
        if (name.equals(CURRENT + ".tmp") || name.startsWith("slab-1-") && GENERATION_FILE.matcher(name).matches())
        {
            return true;
        }
        if (!name.equals("log-1.dat"))
        {
            return false;
        }
        final long size = Files.size(file);
        if (size < IndexLog.HEADER_LENGTH + IndexLog.RECORD_HEADER)
        {
            return true; // not even the checkpoint's record header: no batch after it
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            final ByteBuffer head = ByteBuffer.allocate(IndexLog.HEADER_LENGTH + IndexLog.RECORD_HEADER);
            while (head.hasRemaining() && channel.read(head, head.position()) > 0)
            {
                // the buffer's position is the file's: read on from there
            }
            final byte[] bytes = head.array();
            if (head.hasRemaining() || head.getLong(0) != IndexLog.MAGIC)
            {
                return false; // not a log
            }
            final String kept = ": it may hold the batches of an index whose " + CURRENT + " is gone, so it is " +
                "kept and no index is created over it";
            if (head.getInt(36) != IndexLog.crc(bytes, 0, 36))
            {
                throw new CorruptIndexException(file, "header checksum mismatch" + kept);
            }
            if (head.getInt(8) < IndexLog.VERSION_2 || head.getInt(8) > IndexLog.VERSION)
            {
                // formats 2 and 3 share the header and record layout this reads, and a create of the version before
                // slabs carried the log id wrote format 2; a format 1 log was never taken for a leftover (its record
                // header has no checksum to trust the checkpoint's length by)
                return false;
            }
            final int checkpoint = IndexLog.HEADER_LENGTH;
            if (head.getInt(checkpoint + 2 * Integer.BYTES) != IndexLog.crc(bytes, checkpoint, 2 * Integer.BYTES))
            {
                if (zeroFrom(channel, checkpoint, size))
                {
                    return true; // the checkpoint never reached the device: nor did anything after it
                }
                throw new CorruptIndexException(file, "record header checksum mismatch at byte " + checkpoint + kept);
            }
            // header, then at most the checkpoint (whole or torn)
            return size <= checkpoint + IndexLog.RECORD_HEADER + Math.max(0, head.getInt(checkpoint)) +
                IndexLog.RECORD_TRAILER;
        }
    }

    /**
     * Whether bytes {@code [from, to)} of a file read as zeros.
     */
    private static boolean zeroFrom(final FileChannel channel, final long from, final long to) throws IOException
    {
        final ByteBuffer buffer = ByteBuffer.allocate(64 << 10);
        long position = from;
        while (position < to)
        {
            buffer.clear().limit((int)Math.min(buffer.capacity(), to - position));
            final int read = channel.read(buffer, position);
            if (read <= 0)
            {
                return false;
            }
            for (int i = 0; i < read; i++)
            {
                if (buffer.get(i) != 0)
                {
                    return false;
                }
            }
            position += read;
        }
        return true;
    }

    /**
     * Delete what a create that did not finish left (see {@link #holdsIndexOrNothing}); call only without CURRENT.
     */
    void clearInterruptedCreate() throws IOException
    {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory))
        {
            for (final Path file : files)
            {
                if (!LOCK.equals(file.getFileName().toString()) && leftByCreate(file))
                {
                    Files.delete(file);
                }
            }
        }
    }

    /**
     * Bytes of the batch records the log holds after its checkpoint.
     */
    long batchBytes()
    {
        return log == null ? 0 : log.length() - checkpointLength;
    }

    /**
     * Bytes of the log up to the end of its checkpoint.
     */
    long checkpointBytes()
    {
        return checkpointLength;
    }

    int generation()
    {
        return generation;
    }

    /**
     * The slabs of a new generation, which {@link #checkpoint} then starts: they carry the id its log is created
     * with. A later call for the same generation (a compaction tried again) takes a new id.
     */
    SlabFiles slabs(final int newGeneration)
    {
        newSlabs = new SlabFiles(directory, newGeneration, IndexLog.newId());
        return newSlabs;
    }

    /**
     * The slabs of the generation a log was read from: checked against its id when mapped.
     */
    SlabFiles slabs(final LogReplay replay)
    {
        return SlabFiles.of(directory, replay);
    }

    /**
     * The generation CURRENT names.
     */
    int readCurrent() throws IOException
    {
        return readCurrent(directory);
    }

    static int readCurrent(final Path directory) throws IOException
    {
        final Path current = directory.resolve(CURRENT);
        if (!Files.isRegularFile(current))
        {
            throw new CorruptIndexException(directory, "not an index directory: no " + CURRENT);
        }
        final String text;
        try
        {
            text = Files.readString(current, StandardCharsets.UTF_8).trim();
        }
        catch (final NoSuchFileException ex)
        {
            // gone since the look above (a directory replaced in two steps, between them): missing, as the callers
            // that wait for a CURRENT to come back take it, not an error of its own
            throw new CorruptIndexException(directory, "not an index directory: no " + CURRENT, ex);
        }
        if (!text.startsWith(CURRENT_PREFIX))
        {
            throw new CorruptIndexException(current, "not a daxrmap index: \"" + abbreviate(text) + "\"");
        }
        final String[] fields = text.split(" ");
        if (fields.length != 7 || !"generation".equals(fields[3]) || !"crc".equals(fields[5]))
        {
            throw new CorruptIndexException(current, "malformed: \"" + abbreviate(text) + "\"");
        }
        final String body = text.substring(0, text.lastIndexOf(" crc "));
        if (!fields[6].equals(crcHex(body)))
        {
            throw new CorruptIndexException(current, "checksum mismatch: \"" + abbreviate(text) + "\"");
        }
        try
        {
            final int version = Integer.parseInt(fields[2]);
            if (version != CURRENT_VERSION)
            {
                throw new CorruptIndexException(current, "unsupported format version: version=" + version +
                    " supported=" + CURRENT_VERSION);
            }
            return Integer.parseInt(fields[4]);
        }
        catch (final NumberFormatException ex)
        {
            throw new CorruptIndexException(current, "malformed: \"" + abbreviate(text) + "\"", ex);
        }
    }

    private static String crcHex(final String text)
    {
        final CRC32C crc = new CRC32C();
        crc.update(text.getBytes(StandardCharsets.UTF_8));
        return String.format("%08x", crc.getValue());
    }

    /**
     * Continue the log of a reopened generation after its last whole record.
     */
    void reopen(final LogReplay replay) throws IOException
    {
        generation = replay.generation;
        deleteFiles(replay.generation, replay.slabCount);
        log = IndexLog.openForAppend(replay.file, replay.format, replay.validLength);
        checkpointLength = replay.checkpointEnd;
    }

    /**
     * Start a generation from a snapshot whose blocks are already forced: write its log with a checkpoint, switch
     * CURRENT to it, and delete every other generation.
     */
    void checkpoint(
        final int newGeneration, final Snapshot snapshot, final long emptyStripe, final long liveBytes,
        final int slabCount) throws IOException
    {
        if (newSlabs == null || newSlabs.generation() != newGeneration)
        {
            throw new IllegalStateException("no slabs were made for generation " + newGeneration);
        }
        final long logId = newSlabs.logId();
        IndexLog newLog = null;
        try
        {
            newLog = IndexLog.create(directory, newGeneration, snapshot.geometry, snapshot.stripeShift, logId,
                FileChannel::open);
            final IndexLog.Writer writer = new IndexLog.Writer(
                IndexLog.CHECKPOINT, snapshot.version, liveBytes, slabCount, emptyStripe);
            final int[] stripes = new int[snapshot.stripeCount()];
            final long[] stripeBlocks = new long[stripes.length];
            int n = 0;
            for (int s = 0; s < snapshot.stripeCount(); s++)
            {
                if (snapshot.stripes.get(s) != emptyStripe)
                {
                    stripes[n] = s;
                    stripeBlocks[n++] = snapshot.stripes.get(s);
                }
            }
            writer.blocks(n, stripes, stripeBlocks);
            final int[] owners = new int[snapshot.extents.length()];
            final long[] ownerBlocks = new long[owners.length];
            int m = 0;
            for (int o = 0; o < snapshot.extents.length(); o++)
            {
                if (snapshot.extents.get(o) != Snapshot.NO_EXTENTS)
                {
                    owners[m] = o;
                    ownerBlocks[m++] = snapshot.extents.get(o);
                }
            }
            writer.blocks(m, owners, ownerBlocks);
            writer.owners(snapshot.ownerKeys, 0, snapshot.ownerCount);
            writer.sets(snapshot.sets, 0, snapshot.setCount);
            final byte[] payload = writer.payload();
            newLog.append(payload, payload.length);
            renameCurrent(newGeneration);
        }
        catch (final IOException | RuntimeException | Error ex)
        {
            // CURRENT still names the old generation: what was written of the new one goes, and the writer stays
            closeQuietly(newLog, ex);
            try
            {
                discard(newGeneration);
            }
            catch (final IOException cleanup)
            {
                ex.addSuppressed(cleanup);
            }
            throw ex;
        }
        // CURRENT names the new generation from here on: nothing below may leave the writer on the old one
        newSlabs = null;
        final IndexLog old = log;
        log = newLog;
        generation = newGeneration;
        checkpointLength = newLog.length();
        try
        {
            forceDirectory();
        }
        catch (final IOException ex)
        {
            // the rename may not be durable, and a crash could bring the old generation back: keep its files, and
            // take no batch that such a crash would lose
            newLog.refuse("the index directory could not be made durable after switching to generation " +
                newGeneration + ": " + ex);
            closeQuietly(old, null);
            return;
        }
        closeQuietly(old, null);
        try
        {
            deleteFiles(newGeneration, slabCount);
        }
        catch (final IOException ex)
        {
            // harmless: the next compaction or reopen deletes what is left of other generations
        }
    }

    /**
     * Delete every file of a generation CURRENT does not name: what a failed compaction left of it.
     */
    void discard(final int discarded) throws IOException
    {
        if (discarded == generation)
        {
            throw new IllegalArgumentException("the current generation: generation=" + discarded);
        }
        deleteGenerationFiles(matcher -> fileGeneration(matcher) == discarded);
    }

    private static int fileGeneration(final Matcher matcher)
    {
        return Integer.parseInt(matcher.group(1) != null ? matcher.group(1) : matcher.group(2));
    }

    private static void closeQuietly(final IndexLog log, final Throwable failure)
    {
        if (log == null)
        {
            return;
        }
        try
        {
            log.close();
        }
        catch (final IOException ex)
        {
            if (failure != null)
            {
                failure.addSuppressed(ex);
            }
        }
    }

    /**
     * Make a committed batch durable: its blocks are already forced.
     */
    void appendBatch(
        final Snapshot base, final Snapshot next, final int stripeCount, final int[] stripes, final long[] stripeBlocks,
        final int ownerCount, final int[] owners, final long[] ownerBlocks, final long liveBytes, final int slabCount,
        final long emptyStripe)
    {
        final IndexLog.Writer writer = new IndexLog.Writer(IndexLog.BATCH, next.version, liveBytes, slabCount, emptyStripe)
            .blocks(stripeCount, stripes, stripeBlocks)
            .blocks(ownerCount, owners, ownerBlocks)
            .owners(next.ownerKeys, base.ownerCount, next.ownerCount)
            .sets(next.sets, base.setCount, next.setCount);
        final byte[] payload = writer.payload();
        log.append(payload, payload.length);
    }

    @Override
    public void close()
    {
        try
        {
            if (log != null)
            {
                log.close();
            }
            lock.release();
            lockChannel.close();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot close index directory: directory=" + directory, ex);
        }
    }

    private void renameCurrent(final int newGeneration) throws IOException
    {
        final Path temp = directory.resolve(CURRENT + ".tmp");
        final String body = CURRENT_PREFIX + CURRENT_VERSION + " generation " + newGeneration;
        try
        {
            Files.writeString(temp, body + " crc " + crcHex(body) + "\n", StandardCharsets.UTF_8);
        }
        catch (final FileSystemException ex)
        {
            throw ex; // names the file already
        }
        catch (final IOException ex)
        {
            // the JDK names no file ("No space left on device")
            throw new IOException("cannot write " + temp + ": " + ex.getMessage(), ex);
        }
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE))
        {
            channel.force(true);
        }
        try
        {
            Files.move(temp, directory.resolve(CURRENT), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
        }
        catch (final AtomicMoveNotSupportedException ex)
        {
            Files.move(temp, directory.resolve(CURRENT), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private void forceDirectory() throws IOException
    {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ))
        {
            dir.force(true);
        }
    }

    /**
     * Delete the files of other generations, and this generation's slabs from {@code slabCount} on (made by a batch
     * that never committed).
     */
    private void deleteFiles(final int keep, final int slabCount) throws IOException
    {
        deleteGenerationFiles(matcher -> fileGeneration(matcher) != keep ||
            (matcher.group(3) != null && Integer.parseInt(matcher.group(3)) >= slabCount));
    }

    /**
     * Delete the log and slab files whose name {@code doomed} accepts (given the name's matcher).
     */
    private void deleteGenerationFiles(final Predicate<Matcher> doomed) throws IOException
    {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory))
        {
            for (final Path file : files)
            {
                final Matcher matcher = GENERATION_FILE.matcher(file.getFileName().toString());
                if (matcher.matches() && doomed.test(matcher))
                {
                    Files.deleteIfExists(file);
                }
            }
        }
    }

    private static String abbreviate(final String text)
    {
        return text.length() > 40 ? text.substring(0, 40) + "..." : text;
    }
}
