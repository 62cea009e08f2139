package io.daxrmap.index;

import io.daxrmap.model.DeviceGeometry;
import org.roaringbitmap.RoaringBitmap;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.CRC32C;

/**
 * The log of a persistent index, {@code log-GENERATION.dat}: what the off-heap blocks in the slab files mean.
 * <p>
 * The stripes and forward maps live in memory-mapped slab files ({@link SlabFiles}); this log holds the small rest
 * of each snapshot: which block each stripe and each owner's forward map is, the owner values, the share groups.
 * A generation starts with a checkpoint of all of it; every committed batch appends what it changed. Reopening
 * maps the slabs and replays this log: no record is inserted again.
 * <pre>
 *   header (64 bytes): 0 long magic "DXRLOG\0\0" | 8 int version | 12 int generation | 16 int device
 *                      | 20 int block size | 24 long device size | 32 int stripe shift | 36 int CRC32C of 0..36
 *                      | 40 long log id (format 2 on: random, one per log file) | 48 int CRC32C of 0..48
 *   record:            int payload length | int CRC32C of payload | int CRC32C of the 8 bytes before | payload
 *                      | int 0xD1A710C5 | int payload length
 *   payload:           byte type (1 checkpoint, 2 batch) | long version | long live bytes | int slab count
 *                      | long empty stripe block
 *                      | int n | n x (int stripe, long block) | int m | m x (int owner id, long block)
 *                      (an owner's block: its forward map's root, or from format 5 on its one chunk's address
 *                      with bit 0 set, {@link ForwardRootDescriptor#LONE})
 *                      | int new owners | long owner value... | int new sets | set...
 *   set:               int groups | groups x (long delta | int flags | int bitmap bytes | RoaringBitmap portable bytes)
 * </pre>
 * Big-endian. A checkpoint lists every stripe and every owner's block; a batch only those it changed (an owner
 * whose forward map became empty has block -1). A record is durable once {@link #append} returns: the blocks it
 * names were forced to the device first, the record after. Only the last record can be torn by a crash: it is then
 * short, or lacks its trailer, or (a record of several pages written out of order) holds a page of zeros, or (format
 * 2) a sector of its header never reached the device and reads as zeros, whatever of the rest did, as long as no whole
 * record follows it; such a record is ignored (and cut off by the next writer). Anything else that fails a checksum
 * is damage, refused: the header's own checksum tells a length that runs past the end of the file because the record
 * was torn from one that was damaged, and a header of zeros with whole records after it is damage too.
 * <p>
 * Format 1 records lack the header checksum; such logs are still read and appended to in their own format.
 * Format 3 is format 2 whose generation's slabs carry the log's id ({@link SlabFiles}, format 7): which of the two a
 * log is tells which slabs it may have (format 6, with no id, for logs of format 1 and 2). Format 4 is format 3 whose
 * slabs may hold packed chunks and keyed stripes (format 8). Format 5 is format 4 whose records may name a chunk as an
 * owner's whole forward map ({@link ForwardRootDescriptor#LONE}; slab format 9). A log of format 2, 3 or 4 is still
 * read and appended to as such, and its generation's new slabs are of its format: 6 for format 2, 7 for format 3, 8
 * for format 4.
 * <p>
 * An append that fails leaves the log as it was before it: what it wrote is cut off. If that fails too, or the
 * device could not confirm the record, the log refuses every later append, as its end is no longer known.
 */
final class IndexLog implements AutoCloseable
{
    static final long MAGIC = 0x4458_524C_4F47_0000L;
    /**
     * This version's format: 4 since the generation's slabs may hold packed chunks and keyed stripes (slab format 8;
     * records as in 2), 5 since its records may name lone chunks (slab format 9; records as in 2).
     */
    static final int VERSION = 5;
    /** The format before lone chunks, whose slabs may hold packed chunks and keyed stripes (format 8). */
    static final int VERSION_4 = 4;
    /** The format whose slabs carry the log's id, and neither packed chunks nor keyed stripes (format 7). */
    static final int VERSION_3 = 3;
    /** The format whose slabs carry no log id (records and header as in 3); still read and appended to. */
    static final int VERSION_2 = 2;
    /** The first format, whose records lack the header checksum; still read and appended to. */
    static final int VERSION_1 = 1;
    static final int HEADER_LENGTH = 64;
    /**
     * Where format 2 on keeps the log's id: a reader following a writer checks it to tell this log from another one
     * that took its name (an index replaced by a new import), whose generation may well be the same; an index checks
     * each slab it maps against it (format 3).
     */
    static final int ID_OFFSET = 40;
    static final int ID_CRC_OFFSET = 48;
    static final byte CHECKPOINT = 1;
    static final byte BATCH = 2;

    /** Record header: payload length, payload CRC32C, CRC32C of those two. */
    static final int RECORD_HEADER = 3 * Integer.BYTES;
    /** Record header of format 1: payload length, payload CRC32C. */
    static final int RECORD_HEADER_1 = 2 * Integer.BYTES;
    /** Record trailer: {@link #TRAILER_MAGIC}, payload length again. */
    static final int RECORD_TRAILER = 2 * Integer.BYTES;
    /** Marks a record written to its end: a torn write lacks it, a flipped byte elsewhere does not. */
    static final int TRAILER_MAGIC = 0xD1A7_10C5;

    private final Path file;
    private final FileChannel channel;
    private final int version;
    /** Where the next record goes: the end of the last whole record. */
    private long end;
    /** Why appends are refused, once the log's end is no longer known; null while it is. */
    private String failed;

    private IndexLog(final Path file, final FileChannel channel, final int version, final long end)
    {
        this.file = file;
        this.channel = channel;
        this.version = version;
        this.end = end;
    }

    /**
     * A log over an open channel whose whole records end at {@code end}; what {@link #openForAppend} does after its
     * checks, and how tests put a failing channel under a log.
     */
    static IndexLog over(final Path file, final FileChannel channel, final int version, final long end)
    {
        return new IndexLog(file, channel, version, end);
    }

    static int recordHeader(final int version)
    {
        return version == VERSION_1 ? RECORD_HEADER_1 : RECORD_HEADER;
    }

    static Path file(final Path directory, final int generation)
    {
        return directory.resolve("log-" + generation + ".dat");
    }

    /**
     * Opens a log's channel: {@link FileChannel#open(Path, OpenOption...)} but where tests put a failing channel.
     */
    @FunctionalInterface
    interface Opener
    {
        FileChannel open(Path file, OpenOption... options) throws IOException;
    }

    /**
     * A new log's id: random, so that two logs of one generation (an index and the one that replaces it) differ.
     */
    static long newId()
    {
        return ThreadLocalRandom.current().nextLong();
    }

    /**
     * Create a new log with its header and a new id.
     */
    static IndexLog create(final Path directory, final int generation, final DeviceGeometry geometry,
        final int stripeShift) throws IOException
    {
        return create(directory, generation, geometry, stripeShift, newId(), FileChannel::open);
    }

    /**
     * As {@link #create(Path, int, DeviceGeometry, int)}, opening the channel with {@code opener}.
     */
    static IndexLog create(final Path directory, final int generation, final DeviceGeometry geometry,
        final int stripeShift, final Opener opener) throws IOException
    {
        return create(directory, generation, geometry, stripeShift, newId(), opener);
    }

    /**
     * Create a new log with its header, whose id is {@code id}: the id the generation's slabs, written before the
     * log, carry ({@link SlabFiles}).
     */
    static IndexLog create(final Path directory, final int generation, final DeviceGeometry geometry,
        final int stripeShift, final long id, final Opener opener) throws IOException
    {
        final Path file = file(directory, generation);
        final FileChannel channel = opener.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
            StandardOpenOption.WRITE);
        try
        {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            final ByteBuffer header = ByteBuffer.allocate(HEADER_LENGTH);
            header.putLong(0, MAGIC).putInt(8, VERSION).putInt(12, generation).putInt(16, geometry.device())
                .putInt(20, geometry.blockSize()).putLong(24, geometry.size()).putInt(32, stripeShift);
            header.putInt(36, crc(header.array(), 0, 36));
            header.putLong(ID_OFFSET, id);
            header.putInt(ID_CRC_OFFSET, crc(header.array(), 0, ID_CRC_OFFSET));
            write(channel, header, 0);
            channel.force(true);
            return new IndexLog(file, channel, VERSION, HEADER_LENGTH);
        }
        catch (final IOException ex)
        {
            // the caller gets no log to close: the file itself is the caller's to delete (see IndexDirectory)
            closeAfterFailure(channel, ex);
            // the JDK names no file ("No space left on device")
            throw new IOException("cannot write the index log: file=" + file + ": " + ex.getMessage(), ex);
        }
        catch (final RuntimeException | Error ex)
        {
            closeAfterFailure(channel, ex);
            throw ex;
        }
    }

    /**
     * Open an existing log for appending after its last whole record, cutting off a torn one.
     */
    static IndexLog openForAppend(final Path file, final int version, final long validLength) throws IOException
    {
        return openForAppend(file, version, validLength, FileChannel::open);
    }

    /**
     * As {@link #openForAppend(Path, int, long)}, opening the channel with {@code opener}.
     */
    static IndexLog openForAppend(final Path file, final int version, final long validLength, final Opener opener)
        throws IOException
    {
        final FileChannel channel = opener.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try
        {
            if (channel.size() > validLength)
            {
                channel.truncate(validLength);
                channel.force(true);
            }
            return over(file, channel, version, validLength);
        }
        catch (final IOException | RuntimeException | Error ex)
        {
            closeAfterFailure(channel, ex);
            throw ex;
        }
    }

    private static void closeAfterFailure(final FileChannel channel, final Throwable failure)
    {
        try
        {
            channel.close();
        }
        catch (final IOException ex)
        {
            failure.addSuppressed(ex);
        }
    }

    /**
     * Append one record and make it durable.
     *
     * @throws UncheckedIOException if it cannot; the log is then as it was, or refuses every later append.
     * @throws IllegalStateException if it refuses appends since an earlier one failed.
     */
    void append(final byte[] payload, final int length)
    {
        if (failed != null)
        {
            throw new IllegalStateException("the index log refuses appends since an earlier one failed (" + failed +
                "): reopen the index: file=" + file);
        }
        final int header = recordHeader(version);
        final ByteBuffer record = ByteBuffer.allocate(header + length + RECORD_TRAILER);
        record.putInt(length).putInt(crc(payload, 0, length));
        if (header == RECORD_HEADER)
        {
            record.putInt(crc(record.array(), 0, 2 * Integer.BYTES));
        }
        record.put(payload, 0, length).putInt(TRAILER_MAGIC).putInt(length).flip();
        try
        {
            write(channel, record, end);
        }
        catch (final IOException ex)
        {
            cutBack(ex);
            throw new UncheckedIOException("cannot append to the index log: file=" + file, ex);
        }
        try
        {
            channel.force(false);
        }
        catch (final IOException ex)
        {
            // the record may be on the device or not: a later record must not follow it, nor may its batch be retried
            failed = "the device did not confirm a record: " + ex;
            throw new UncheckedIOException("cannot make the index log durable: file=" + file, ex);
        }
        end += record.limit();
    }

    /**
     * Bytes of the log up to the end of its last whole record.
     */
    long length()
    {
        return end;
    }

    /**
     * Refuse every later append, as after a record the device did not confirm.
     *
     * @param reason why, for the message of each refusal.
     */
    void refuse(final String reason)
    {
        failed = reason;
    }

    /**
     * Cut off what a failed append wrote; if that fails too, refuse every later append.
     */
    private void cutBack(final IOException cause)
    {
        try
        {
            channel.truncate(end);
            channel.force(false);
        }
        catch (final IOException ex)
        {
            cause.addSuppressed(ex);
            failed = "a failed append could not be cut off: " + ex;
        }
    }

    @Override
    public void close() throws IOException
    {
        channel.close();
    }

    /**
     * Encodes a record's payload.
     */
    static final class Writer
    {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final DataOutputStream out = new DataOutputStream(bytes);

        Writer(final byte type, final long version, final long liveBytes, final int slabCount, final long emptyStripe)
        {
            try
            {
                out.writeByte(type);
                out.writeLong(version);
                out.writeLong(liveBytes);
                out.writeInt(slabCount);
                out.writeLong(emptyStripe);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }

        Writer blocks(final int count, final int[] indexes, final long[] addresses)
        {
            try
            {
                out.writeInt(count);
                for (int i = 0; i < count; i++)
                {
                    out.writeInt(indexes[i]);
                    out.writeLong(addresses[i]);
                }
                return this;
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }

        Writer owners(final long[] keys, final int from, final int to)
        {
            try
            {
                out.writeInt(to - from);
                for (int i = from; i < to; i++)
                {
                    out.writeLong(keys[i]);
                }
                return this;
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }

        Writer sets(final OwnerSet[] sets, final int from, final int to)
        {
            try
            {
                out.writeInt(to - from);
                for (int i = from; i < to; i++)
                {
                    final OwnerSet set = sets[i];
                    out.writeInt(set.groupCount());
                    for (int g = 0; g < set.groupCount(); g++)
                    {
                        out.writeLong(set.groupDelta(g));
                        out.writeInt(set.groupFlags(g));
                        final RoaringBitmap bitmap = set.groupOwners(g);
                        final ByteBuffer buffer = ByteBuffer.allocate(bitmap.serializedSizeInBytes());
                        bitmap.serialize(buffer);
                        out.writeInt(buffer.capacity());
                        out.write(buffer.array());
                    }
                }
                return this;
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }

        byte[] payload()
        {
            return bytes.toByteArray();
        }
    }

    static int crc(final byte[] bytes, final int offset, final int length)
    {
        final CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return (int)crc.getValue();
    }

    private static void write(final FileChannel channel, final ByteBuffer buffer, final long at) throws IOException
    {
        long position = at;
        while (buffer.hasRemaining())
        {
            position += channel.write(buffer, position);
        }
    }
}
