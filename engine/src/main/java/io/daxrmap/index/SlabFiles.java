package io.daxrmap.index;

import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The slabs of a persistent {@link Arena}: one memory-mapped file per slab, {@code slab-GENERATION-NUMBER.dat}.
 * <pre>
 *   0 long magic "DXRSLAB\0" | 8 int format version | 12 int generation | 16 int slab number | 20 int size
 *  24 int CRC32C of bytes 0..24 | 28 int reserved (0)
 *  32 long log id (format 7 on: the id of the generation's {@link IndexLog}) | 40 int CRC32C of bytes 0..40
 *  44..64 reserved (0) | 64.. blocks
 * </pre>
 * Blocks are appended after the header and never changed once a committed snapshot names them, so a crash can
 * leave only unreferenced bytes past the last committed block. New slabs are created sparse, and their disk space is
 * reserved ({@link #reserve}) a step ahead of the blocks written: a full filesystem fails an allocation, never a write
 * through the mapping. {@link #force} flushes a written range to the device before the log record that names it is
 * written.
 * <p>
 * Slab files are opened by their path, and a path can come to name another index's slab: an index directory
 * exchanged for another while a reader follows it, a slab of another index of the same generation copied in. The
 * header's log id tells: a slab is mapped only if it carries the id of the log the index was read from (format 7 on).
 * A new generation's slabs are written before its log, so the id is chosen when its slabs are ({@link
 * IndexDirectory#slabs(int)}) and the log created with it. A slab whose header a crash left unwritten is one no log
 * record names yet (its header is forced before any record counts it), so no open maps it: a writer's open deletes
 * it, as every slab past the committed count.
 * <p>
 * Format 7 slabs are format 8 slabs without packed chunks and keyed stripes; they belong to logs of format 3, and a
 * writer adds format 7 slabs to such a generation, with neither, until a compaction writes a generation of the current
 * formats.
 * Format 6 slabs carry no log id; they belong to logs of format 1 and 2. Such a generation is still read, without
 * the check, and the slabs a writer adds to it are format 6 too, as its log stays in its own format; the next
 * compaction writes a log of the current format and slabs that carry its id. Which format a generation's slabs have
 * is told by its log, never by a slab: a format 6 slab in a generation whose log is of the current format is refused
 * as another index's.
 */
final class SlabFiles
{
    /** First eight bytes of a slab file. */
    static final long MAGIC = 0x4458_5253_4C41_4200L;
    /**
     * The slab format of this version: 2 since forward-map roots may be narrow ({@link ForwardRootDescriptor}), 3
     * since chunks may be ({@link ExtentsDescriptor}), 4 since stripes may be ({@link StripeDescriptor}), 5 since
     * narrow extents take 13 bytes, 6 since blocks are 4-byte aligned (narrow roots pack offsets in 4-byte units), 7
     * since the header carries the log id (the blocks are as in 6), 8 since chunks may be packed and stripes keyed
     * (header as in 7), 9 since the generation's log may name a chunk as an owner's whole map
     * ({@link ForwardRootDescriptor#LONE}; the blocks and the header are as in 8).
     */
    static final int VERSION = 9;
    /**
     * The format before lone chunks: the slabs of a log of format 4; still read, and written to such a log.
     */
    static final int VERSION_8 = 8;
    /**
     * The format before packed chunks and keyed stripes: the slabs of a log of format 3; still read, and written to
     * such a log.
     */
    static final int VERSION_7 = 7;
    /** The format before the log id: the slabs of a log of format 1 or 2; still read, and written to such a log. */
    static final int VERSION_6 = 6;
    /** Bytes before the first block. */
    static final int HEADER_LENGTH = 64;
    /**
     * Disk space is reserved ahead of the blocks written ({@link FileSpace}), in steps that double from this many
     * bytes, so that a small index stays small on disk...
     */
    static final int MIN_SPACE_STEP = 64 << 10;
    /** ...up to this many. */
    static final int MAX_SPACE_STEP = 1 << 20;
    /** Where a full step cannot be had, space is reserved in pages: what a write through the mapping faults in. */
    private static final int PAGE = 4096;

    private static final int MAGIC_OFFSET = 0;
    private static final int VERSION_OFFSET = MAGIC_OFFSET + Long.BYTES;
    private static final int GENERATION_OFFSET = VERSION_OFFSET + Integer.BYTES;
    private static final int NUMBER_OFFSET = GENERATION_OFFSET + Integer.BYTES;
    private static final int SIZE_OFFSET = NUMBER_OFFSET + Integer.BYTES;
    private static final int CRC_OFFSET = SIZE_OFFSET + Integer.BYTES;
    /** Format 7: the id of the log whose slab this is, and a CRC32C of the header up to it. */
    private static final int LOG_ID_OFFSET = 32;
    private static final int LOG_ID_CRC_OFFSET = LOG_ID_OFFSET + Long.BYTES;

    /**
     * Makes a directory's entries durable: {@link #forceDirectory} but where tests put one that fails.
     */
    @FunctionalInterface
    interface DirectoryForce
    {
        void force(Path directory) throws IOException;
    }

    private final Path directory;
    private final int generation;
    /**
     * The format of this generation's slabs: {@link #VERSION}, {@link #VERSION_8} for a log of format 4,
     * {@link #VERSION_7} for a log of format 3, or {@link #VERSION_6} for a log of format 1 or 2.
     */
    private final int version;
    /** The id of the generation's log, which every slab of format 7 on carries; unused for format 6. */
    private final long logId;
    private final DirectoryForce directoryForce;
    /** Opens the slab files {@link #open} maps: {@link FileChannel#open} but where tests take a file away first. */
    private final IndexLog.Opener opener;
    private MappedByteBuffer[] mapped = new MappedByteBuffer[4];

    /**
     * The slabs of a generation whose log has (or will have, for a new generation) the id {@code logId}.
     */
    SlabFiles(final Path directory, final int generation, final long logId)
    {
        this(directory, generation, VERSION, logId, SlabFiles::forceDirectory, FileChannel::open);
    }

    SlabFiles(final Path directory, final int generation, final long logId, final DirectoryForce directoryForce)
    {
        this(directory, generation, VERSION, logId, directoryForce, FileChannel::open);
    }

    private SlabFiles(final Path directory, final int generation, final int version, final long logId,
        final DirectoryForce directoryForce, final IndexLog.Opener opener)
    {
        this.directory = directory;
        this.generation = generation;
        this.version = version;
        this.logId = logId;
        this.directoryForce = directoryForce;
        this.opener = opener;
    }

    /**
     * The slabs of the generation a log was read from: they must carry its id, or, for a log of format 1 or 2, be of
     * format 6 (which has none).
     */
    static SlabFiles of(final Path directory, final LogReplay replay)
    {
        return of(directory, replay, FileChannel::open);
    }

    /**
     * As {@link #of(Path, LogReplay)}, the slab files opened through {@code opener}.
     */
    static SlabFiles of(final Path directory, final LogReplay replay, final IndexLog.Opener opener)
    {
        if (replay.format < IndexLog.VERSION_3)
        {
            return new SlabFiles(directory, replay.generation, VERSION_6, 0, SlabFiles::forceDirectory, opener);
        }
        final int version = replay.format == IndexLog.VERSION_3 ? VERSION_7 :
            replay.format == IndexLog.VERSION_4 ? VERSION_8 : VERSION;
        return new SlabFiles(directory, replay.generation, version, replay.logId(), SlabFiles::forceDirectory, opener);
    }

    /**
     * Whether this generation's slabs may hold packed chunks ({@link ExtentsDescriptor#PACKED}) and keyed stripes
     * ({@link StripeDescriptor#KEYED}): from format 8 on.
     */
    boolean denseBlocks()
    {
        return version >= VERSION_8;
    }

    /**
     * Whether this generation's log may name a chunk as an owner's whole map ({@link ForwardRootDescriptor#LONE}):
     * from format 9 on.
     */
    boolean loneChunks()
    {
        return version >= VERSION;
    }

    int generation()
    {
        return generation;
    }

    /**
     * The id of the log these slabs belong to (meaningless for format 6, whose slabs carry none).
     */
    long logId()
    {
        return logId;
    }

    Path file(final int number)
    {
        return file(directory, generation, number);
    }

    static Path file(final Path directory, final int generation, final int number)
    {
        return directory.resolve(String.format("slab-%d-%d.dat", generation, number));
    }

    /**
     * Create and map a new slab file. If that fails, the file is deleted again: no log record names it yet, and the
     * next allocation creates a slab of the same number.
     */
    UnsafeBuffer create(final int number, final int size)
    {
        final Path file = file(number);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
            StandardOpenOption.WRITE))
        {
            try
            {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
                // the header's blocks and the first blocks after it, before anything is written through the mapping
                FileSpace.reserve(file, 0, firstSpace(size));
                final MappedByteBuffer buffer = channel.map(FileChannel.MapMode.READ_WRITE, 0, size);
                buffer.order(ByteOrder.LITTLE_ENDIAN);
                buffer.putLong(MAGIC_OFFSET, MAGIC);
                buffer.putInt(VERSION_OFFSET, version);
                buffer.putInt(GENERATION_OFFSET, generation);
                buffer.putInt(NUMBER_OFFSET, number);
                buffer.putInt(SIZE_OFFSET, size);
                buffer.putInt(CRC_OFFSET, crc(buffer, CRC_OFFSET));
                if (version != VERSION_6)
                {
                    buffer.putLong(LOG_ID_OFFSET, logId);
                    buffer.putInt(LOG_ID_CRC_OFFSET, crc(buffer, LOG_ID_CRC_OFFSET));
                }
                // the header whole, before any log record counts this slab: none names a slab whose header a crash
                // may have left unwritten (see the class comment)
                buffer.force(0, HEADER_LENGTH);
                // the file's name too, before any log record names a block in it
                directoryForce.force(directory);
                remember(number, buffer);
                return new UnsafeBuffer(buffer);
            }
            catch (final IOException | RuntimeException | Error ex)
            {
                try
                {
                    Files.deleteIfExists(file);
                }
                catch (final IOException cleanup)
                {
                    ex.addSuppressed(cleanup);
                }
                throw ex;
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create slab: file=" + file, ex);
        }
    }

    /**
     * The bytes of a new slab whose disk space {@link #create} reserves.
     */
    static int firstSpace(final int size)
    {
        // the header's page: the first block reserves its step, or the pages it needs where the step does not fit
        return Math.min(size, PAGE);
    }

    /**
     * Reserve the disk space of a slab this index creates, up to at least a byte, before blocks are written there: a
     * full filesystem then fails the allocation with an {@link UncheckedIOException} rather than the write through
     * the mapping with an {@link InternalError}.
     *
     * @param number the slab.
     * @param from   the end of the space reserved so far.
     * @param to     the end of the blocks about to be written.
     * @param size   the slab's size.
     * @return the end of the space reserved now: past {@code to} by up to a step, at most {@code size}.
     */
    int reserve(final int number, final int from, final int to, final int size)
    {
        final long step = Math.min(MAX_SPACE_STEP, Math.max(MIN_SPACE_STEP, from));
        final int end =
            (int)Math.min(size, (Math.max(to, from + step) + MIN_SPACE_STEP - 1) & -(long)MIN_SPACE_STEP);
        final Path file = file(number);
        try
        {
            FileSpace.reserve(file, from, end - from);
        }
        catch (final IOException ex)
        {
            // a step ahead may not fit where the blocks do: a nearly full filesystem still takes the batch (found by a
            // hunt: every commit refused while 184 KiB were free), and the step is tried again at the next block
            final int least = (int)Math.min(size, ((long)to + PAGE - 1) & -(long)PAGE);
            if (least < end)
            {
                try
                {
                    FileSpace.reserve(file, from, least - from);
                    return least;
                }
                catch (final IOException again)
                {
                    throw new UncheckedIOException("cannot write slab: file=" + file, again);
                }
            }
            throw new UncheckedIOException("cannot write slab: file=" + file, ex);
        }
        return end;
    }

    /**
     * Map an existing slab file read-only, checking its header: the slab of this generation and number, of the size
     * the file has, and of this index (the log id).
     *
     * @throws CorruptIndexException if the file is not the slab it should be: damaged, or another index's; or
     *                               missing, also if it vanishes before it is opened (a compaction deleting it, the
     *                               directory replaced): then caused by a {@link java.nio.file.NoSuchFileException}.
     */
    UnsafeBuffer open(final int number) throws IOException
    {
        final Path file = file(number);
        if (!Files.isRegularFile(file))
        {
            throw LogReplay.missing(file);
        }
        final FileChannel opened;
        try
        {
            opened = opener.open(file, StandardOpenOption.READ);
        }
        catch (final java.nio.file.NoSuchFileException ex)
        {
            throw new CorruptIndexException(file, "missing", ex); // taken away since the check
        }
        try (FileChannel channel = opened)
        {
            final long size = channel.size();
            if (size < HEADER_LENGTH)
            {
                throw new CorruptIndexException(file, "truncated: size=" + size);
            }
            final MappedByteBuffer buffer = channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
            buffer.order(ByteOrder.LITTLE_ENDIAN);
            if (buffer.getLong(MAGIC_OFFSET) != MAGIC)
            {
                throw new CorruptIndexException(file, "not a slab: magic=0x" + Long.toHexString(buffer.getLong(0)));
            }
            if (buffer.getInt(CRC_OFFSET) != crc(buffer, CRC_OFFSET))
            {
                throw new CorruptIndexException(file, "header checksum mismatch");
            }
            final int fileVersion = buffer.getInt(VERSION_OFFSET);
            if (fileVersion != VERSION && fileVersion != VERSION_8 && fileVersion != VERSION_7 &&
                fileVersion != VERSION_6)
            {
                throw new CorruptIndexException(file, "unsupported slab version: version=" + fileVersion +
                    " supported=" + VERSION_6 + ".." + VERSION);
            }
            if (buffer.getInt(GENERATION_OFFSET) != generation || buffer.getInt(NUMBER_OFFSET) != number ||
                buffer.getInt(SIZE_OFFSET) != size)
            {
                throw new CorruptIndexException(file, "header names another slab: generation=" +
                    buffer.getInt(GENERATION_OFFSET) + " number=" + buffer.getInt(NUMBER_OFFSET) + " size=" +
                    buffer.getInt(SIZE_OFFSET) + " fileSize=" + size);
            }
            checkLogId(file, buffer, fileVersion);
            remember(number, buffer);
            return new UnsafeBuffer(buffer);
        }
    }

    /**
     * Check that a slab whose header is otherwise right belongs to this index: it carries the id of its log, or, if
     * the log is of a format before slabs carried one, it is of that format too.
     */
    private void checkLogId(final Path file, final ByteBuffer buffer, final int fileVersion)
        throws CorruptIndexException
    {
        if (version == VERSION_6)
        {
            if (fileVersion != VERSION_6)
            {
                throw new CorruptIndexException(file, "slab of another index: it carries a log id, and the index's " +
                    "log is of a format whose slabs carry none: version=" + fileVersion + " expected=" + VERSION_6);
            }
            return;
        }
        if (fileVersion == VERSION_6)
        {
            throw new CorruptIndexException(file, "slab of another index: it carries no log id, and the index's log " +
                "is of a format whose slabs carry its id: version=" + fileVersion + " expected=" + version);
        }
        if (fileVersion != version)
        {
            throw new CorruptIndexException(file, "slab of another index: its format is not the one of the index's " +
                "log: version=" + fileVersion + " expected=" + version);
        }
        if (buffer.getInt(LOG_ID_CRC_OFFSET) != crc(buffer, LOG_ID_CRC_OFFSET))
        {
            throw new CorruptIndexException(file, "header checksum mismatch: log id");
        }
        final long fileLogId = buffer.getLong(LOG_ID_OFFSET);
        if (fileLogId != logId)
        {
            throw new CorruptIndexException(file, String.format("slab of another index: logId=%016x expected=%016x " +
                "(the id of %s as the index read it)", fileLogId, logId, IndexLog.file(directory, generation)
                .getFileName()));
        }
    }

    /**
     * Flush bytes {@code [from, to)} of a slab to the device.
     */
    void force(final int number, final int from, final int to)
    {
        if (to > from)
        {
            mapped[number].force(from, to - from);
        }
    }

    static void forceDirectory(final Path directory) throws IOException
    {
        try (FileChannel parent = FileChannel.open(directory, StandardOpenOption.READ))
        {
            parent.force(true);
        }
    }

    private void remember(final int number, final MappedByteBuffer buffer)
    {
        if (number >= mapped.length)
        {
            mapped = Arrays.copyOf(mapped, Math.max(number + 1, mapped.length * 2));
        }
        mapped[number] = buffer;
    }

    /**
     * The CRC32C of header bytes {@code 0..to}.
     */
    private static int crc(final ByteBuffer buffer, final int to)
    {
        final CRC32C crc = new CRC32C();
        crc.update(buffer.duplicate().position(0).limit(to));
        return (int)crc.getValue();
    }
}
