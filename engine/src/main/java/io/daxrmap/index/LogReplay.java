package io.daxrmap.index;

import io.daxrmap.model.DeviceGeometry;
import org.agrona.collections.IntArrayList;
import org.roaringbitmap.RoaringBitmap;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.zip.CRC32C;

/**
 * Reads an {@link IndexLog} back into the state of its last committed snapshot: geometry, stripe and forward-map
 * block addresses, owners, share groups. Stops at a torn last record; refuses anything else that is wrong with a
 * {@link CorruptIndexException} naming the file and what is wrong.
 */
final class LogReplay
{
    /** What {@link #readMore} returns when the file at the log's path is another log now, or gone. */
    static final int ANOTHER_LOG = -1;
    /** The unit a device writes whole. */
    private static final long SECTOR = 512;
    /** How much of a log replay reads at once. */
    private static final int WINDOW = 1 << 20;

    final Path file;
    final int generation;
    final DeviceGeometry geometry;
    final int stripeShift;
    /** The log's format: {@link IndexLog#VERSION}, or one before it, {@link IndexLog#VERSION_4} down to 1. */
    final int format;
    final OwnerTable owners = new OwnerTable();
    final OwnerSetTable sets = new OwnerSetTable();
    LongDirectory.Editor stripes;
    LongDirectory.Editor extents;
    long version;
    long liveBytes;
    int slabCount;
    long emptyStripe;
    long validLength;
    /** The log's id (format 2 on), or the file's key (format 1): what {@link #sameLog} compares. */
    private Object identity;
    /** Where the checkpoint record ends: the log's length right after its generation began. */
    long checkpointEnd;
    int records;
    /** What records read after the first {@link #read} changed, for a reader that must check the blocks they name. */
    private IntArrayList changedStripes;
    private IntArrayList changedOwners;
    /** Where {@link #readMore} reads the log through. */
    private ByteBuffer window;

    private LogReplay(
        final Path file, final int generation, final DeviceGeometry geometry, final int stripeShift, final int format)
    {
        this.file = file;
        this.format = format;
        this.generation = generation;
        this.geometry = geometry;
        this.stripeShift = stripeShift;
    }

    static LogReplay read(final Path file, final int generation) throws IOException
    {
        return read(file, generation, FileChannel::open);
    }

    /**
     * As {@link #read(Path, int)}, opening the log through {@code opener} (where tests take it away between the check
     * that it is there and the open). A log that is not there, or vanishes before the open, is "missing": a
     * {@link CorruptIndexException} whose cause is a {@link NoSuchFileException}, by which a reader that finds the
     * index moved on meanwhile (a compaction, the directory replaced) tells it from damage.
     */
    static LogReplay read(final Path file, final int generation, final IndexLog.Opener opener) throws IOException
    {
        if (!Files.isRegularFile(file))
        {
            throw missing(file);
        }
        final FileChannel opened;
        try
        {
            opened = opener.open(file, StandardOpenOption.READ);
        }
        catch (final NoSuchFileException ex)
        {
            throw new CorruptIndexException(file, "missing", ex); // taken away since the check
        }
        try (FileChannel channel = opened)
        {
            final long size = channel.size();
            if (size < IndexLog.HEADER_LENGTH)
            {
                throw new CorruptIndexException(file, "truncated: size=" + size);
            }
            if (size > Integer.MAX_VALUE)
            {
                // a writer compacts long before: see ReverseIndex's log trigger
                throw new CorruptIndexException(file, "larger than a log can be replayed: size=" + size +
                    " limit=" + Integer.MAX_VALUE);
            }
            // read, not mapped: a writer may cut the log back meanwhile (a torn tail cut off at its open, a failed
            // append), and a read then comes back short where a mapped page past the end would fault
            final ByteBuffer window = ByteBuffer.allocateDirect((int)Math.min(WINDOW, size));
            final LogBytes bytes = new LogBytes(channel, window);
            final byte[] header = new byte[IndexLog.HEADER_LENGTH];
            try
            {
                bytes.get(0, header);
            }
            catch (final LogCutBack ex)
            {
                throw new CorruptIndexException(file, "truncated while read: size=" + channel.size());
            }
            catch (final UncheckedIOException ex)
            {
                throw ex.getCause();
            }
            final ByteBuffer head = ByteBuffer.wrap(header);
            if (head.getLong(0) != IndexLog.MAGIC)
            {
                throw new CorruptIndexException(file, "not a daxrmap index log: magic=0x" +
                    Long.toHexString(head.getLong(0)));
            }
            if (head.getInt(36) != IndexLog.crc(header, 0, 36))
            {
                throw new CorruptIndexException(file, "header checksum mismatch");
            }
            if (head.getInt(8) < IndexLog.VERSION_1 || head.getInt(8) > IndexLog.VERSION)
            {
                throw new CorruptIndexException(file, "unsupported format version: version=" + head.getInt(8) +
                    " supported=" + IndexLog.VERSION_1 + ".." + IndexLog.VERSION);
            }
            if (head.getInt(12) != generation)
            {
                throw new CorruptIndexException(file, "log of another generation: generation=" + head.getInt(12) +
                    " expected=" + generation);
            }
            final DeviceGeometry geometry;
            try
            {
                geometry = new DeviceGeometry(head.getInt(16), head.getLong(24), head.getInt(20));
            }
            catch (final IllegalArgumentException ex)
            {
                throw new CorruptIndexException(file, "bad geometry: " + ex.getMessage(), ex);
            }
            final int stripeShift = head.getInt(32);
            if (stripeShift < ReverseIndex.MIN_SPAN_SHIFT || stripeShift > 62 ||
                (geometry.size() >>> stripeShift) >= Integer.MAX_VALUE)
            {
                throw new CorruptIndexException(file, "bad stripe shift: stripeShift=" + stripeShift);
            }
            final LogReplay replay = new LogReplay(file, generation, geometry, stripeShift, head.getInt(8));
            replay.window = window;
            replay.identity = identity(file, head);
            replay.validLength = IndexLog.HEADER_LENGTH;
            replay.records(bytes, size);
            if (replay.records == 0)
            {
                throw new CorruptIndexException(file, "no checkpoint");
            }
            replay.changedStripes = new IntArrayList();
            replay.changedOwners = new IntArrayList();
            return replay;
        }
    }

    /**
     * The error for an index file that is not there (or not a file): "missing", caused by a
     * {@link NoSuchFileException} if nothing has its name.
     */
    static CorruptIndexException missing(final Path file)
    {
        return Files.exists(file) ? new CorruptIndexException(file, "missing") :
            new CorruptIndexException(file, "missing", new NoSuchFileException(file.toString()));
    }

    /**
     * The log's id, as read from its header: what the generation's slabs carry (format 3).
     *
     * @throws IllegalStateException for a log of format 1, which has none.
     */
    long logId()
    {
        if (!(identity instanceof Long))
        {
            throw new IllegalStateException("a log of format 1 has no id: file=" + file);
        }
        return (Long)identity;
    }

    /**
     * Whether the file at this log's path is still this log, not another that took its name (an index directory
     * replaced by a new import: its generation may be the same).
     */
    boolean sameLog() throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            return isThisLog(channel);
        }
        catch (final NoSuchFileException ex)
        {
            return false;
        }
    }

    /**
     * Whether a channel opened on this log's path reads this log: format 2 by the log id in the header read through
     * the channel itself; format 1 by the file's key, which only the path tells, looked up once the channel is open.
     */
    private boolean isThisLog(final FileChannel channel) throws IOException
    {
        final ByteBuffer head = ByteBuffer.allocate(IndexLog.HEADER_LENGTH);
        while (head.hasRemaining() && channel.read(head, head.position()) > 0)
        {
            // the buffer's position is the file's: read on from there
        }
        return !head.hasRemaining() && identity.equals(identity(file, head));
    }

    private static Object identity(final Path file, final ByteBuffer head) throws IOException
    {
        if (head.getInt(8) != IndexLog.VERSION_1)
        {
            if (head.getInt(IndexLog.ID_CRC_OFFSET) != IndexLog.crc(head.array(), 0, IndexLog.ID_CRC_OFFSET))
            {
                throw new CorruptIndexException(file, "header checksum mismatch: log id");
            }
            return head.getLong(IndexLog.ID_OFFSET);
        }
        return fileKey(file);
    }

    private static Object fileKey(final Path file) throws IOException
    {
        return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    }

    /**
     * Apply the records appended since the last read (a reader following a writer in another process), if the file
     * at this log's path is still this log. The log's id is checked on the channel the records are then read from,
     * so a log that took the name meanwhile (an index directory exchanged for another) is never read as the rest of
     * this one. A format 1 log has no id: its file's key is looked up before the open and after it.
     *
     * @return how many records were applied, or {@link #ANOTHER_LOG} if the file is another log now, or gone.
     */
    int readMore() throws IOException
    {
        final int before = records;
        try
        {
            if (format == IndexLog.VERSION_1 && !identity.equals(fileKey(file)))
            {
                return ANOTHER_LOG;
            }
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
            {
                if (!isThisLog(channel))
                {
                    return ANOTHER_LOG;
                }
                final long size = channel.size();
                if (size < validLength)
                {
                    // This version's writer cuts back only bytes no reader applies (a torn tail, a failed write); a log
                    // shorter than what this reader applied anyway is no longer the one it holds: reopen.
                    return ANOTHER_LOG;
                }
                if (size > validLength)
                {
                    // read, not mapped (see read): the log may be cut back meanwhile
                    if (window.capacity() < Math.min(WINDOW, size - validLength))
                    {
                        window = ByteBuffer.allocateDirect(WINDOW); // the log was small when opened
                    }
                    records(new LogBytes(channel, window), size);
                }
            }
        }
        catch (final NoSuchFileException ex)
        {
            return ANOTHER_LOG;
        }
        return records - before;
    }

    /**
     * The stripes that records applied since the last call changed (their addresses are in {@link #stripes}).
     */
    int[] takeChangedStripes()
    {
        final int[] changed = changedStripes.toIntArray();
        changedStripes.clear();
        return changed;
    }

    /**
     * The owners whose forward maps records applied since the last call changed.
     */
    int[] takeChangedOwners()
    {
        final int[] changed = changedOwners.toIntArray();
        changedOwners.clear();
        return changed;
    }

    /**
     * Directories of the state so far; later records go to fresh editors, so the returned ones never change.
     */
    LongDirectory buildStripes()
    {
        final LongDirectory built = stripes.build();
        stripes = built.edit(emptyStripe);
        return built;
    }

    LongDirectory buildExtents()
    {
        final LongDirectory built = extents.build();
        extents = built.edit(Snapshot.NO_EXTENTS);
        return built;
    }

    private void records(final LogBytes bytes, final long size) throws IOException
    {
        try
        {
            recordsUntilCut(bytes, size);
        }
        catch (final LogCutBack ex)
        {
            // a writer cut the log back while it was read: the bytes cut were never committed (a torn tail, a failed
            // write), and the records applied before them stand
        }
        catch (final UncheckedIOException ex)
        {
            throw ex.getCause();
        }
    }

    private void recordsUntilCut(final LogBytes bytes, final long size) throws CorruptIndexException
    {
        final int headerLength = IndexLog.recordHeader(format);
        long position = validLength;
        while (position + headerLength <= size)
        {
            final int length = bytes.getInt(position);
            final int crc = bytes.getInt(position + 4);
            final long end = position + headerLength + (long)length + IndexLog.RECORD_TRAILER;
            if (headerLength == IndexLog.RECORD_HEADER && !headerIntact(bytes, position))
            {
                if (headerUnwritten(bytes, position, size) && !wholeRecordAfter(bytes, position, size))
                {
                    return; // the header of a torn last record (a sector of it) never reached the device
                }
                throw new CorruptIndexException(file, "record header checksum mismatch at byte " + position);
            }
            if (length <= 0)
            {
                if (isZero(bytes, position, size))
                {
                    return; // the length of a torn record never reached the device
                }
                throw new CorruptIndexException(file, "bad record length at byte " + position + ": length=" + length);
            }
            if (end > size)
            {
                return; // torn last record: it was never acknowledged
            }
            final long trailer = end - IndexLog.RECORD_TRAILER;
            final boolean whole = bytes.getInt(trailer) == IndexLog.TRAILER_MAGIC &&
                bytes.getInt(trailer + 4) == length;
            if (!whole && end == size)
            {
                return; // torn last record
            }
            if (!whole)
            {
                // before the payload is allocated: a damaged length (format 1 has no header checksum) could ask for
                // more than the heap holds
                throw new CorruptIndexException(file, "record checksum mismatch at byte " + position);
            }
            final byte[] payload = new byte[length];
            bytes.get(position + headerLength, payload);
            if (IndexLog.crc(payload, 0, length) != crc)
            {
                if (end == size && hasZeroPage(bytes, position + headerLength, end))
                {
                    return; // torn last record, its pages written out of order
                }
                throw new CorruptIndexException(file, "record checksum mismatch at byte " + position);
            }
            try
            {
                apply(ByteBuffer.wrap(payload));
            }
            catch (final BufferUnderflowException | IllegalArgumentException | IllegalStateException ex)
            {
                throw new CorruptIndexException(file, "malformed record at byte " + position + ": " + ex, ex);
            }
            records++;
            position = end;
            validLength = position;
            if (records == 1)
            {
                checkpointEnd = position;
            }
        }
    }

    /**
     * Whether a sector holding (part of) the format 2 record header at {@code position}, which failed its checksum,
     * reads as one the device never wrote: zeros from the header to the end of that sector (or of the file). The part
     * of the first sector before the header is the record before, already on the device.
     * <p>
     * A first sector that holds 4 bytes of the header or more holds the whole length, which a written header never has
     * zero. One that holds 1-3 bytes holds the length's high bytes, zeros in most written headers too: a header
     * written whole and damaged since would pass for torn, and the last committed record be dropped. Those bytes
     * count as unwritten only if some other value of them makes the header pass its checksum, as the value the
     * device lost does. A damaged header passes with one of the 2^24 values for 3 bytes with a chance of 1 in 256,
     * with one of 2^16 or 2^8 values almost never.
     */
    private static boolean headerUnwritten(final LogBytes bytes, final long position, final long size)
    {
        final long sector = (position + SECTOR) & -SECTOR;
        final int inFirst = (int)(sector - position);
        if (isZero(bytes, position, Math.min(sector, size)) &&
            (inFirst >= Integer.BYTES || highBytesLost(bytes, position, inFirst)))
        {
            return true;
        }
        return sector < position + IndexLog.RECORD_HEADER && isZero(bytes, sector, Math.min(sector + SECTOR, size));
    }

    /**
     * Whether the format 2 record header at {@code position}, whose first {@code count} bytes (1-3, the length's high
     * bytes) read as zeros, passes its checksum with some other value of them.
     */
    private static boolean highBytesLost(final LogBytes bytes, final long position, final int count)
    {
        final byte[] header = new byte[2 * Integer.BYTES];
        bytes.get(position, header);
        final int expected = bytes.getInt(position + header.length);
        final CRC32C crc = new CRC32C();
        for (int value = 1; value < 1 << (Byte.SIZE * count); value++)
        {
            for (int i = 0; i < count; i++)
            {
                header[i] = (byte)(value >>> (Byte.SIZE * (count - 1 - i)));
            }
            crc.reset();
            crc.update(header, 0, header.length);
            if ((int)crc.getValue() == expected)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a whole record (format 2 header intact, its trailer in place) starts after {@code position}: a record
     * whose header reads as zeros is then damage in the middle of the log, not a torn last record whose header never
     * reached the device, and the records after it must not be dropped.
     */
    private static boolean wholeRecordAfter(final LogBytes bytes, final long position, final long size)
    {
        for (long trailer = position + 1; trailer + IndexLog.RECORD_TRAILER <= size; trailer++)
        {
            if (bytes.getInt(trailer) == IndexLog.TRAILER_MAGIC)
            {
                final int length = bytes.getInt(trailer + Integer.BYTES);
                final long start = trailer - length - IndexLog.RECORD_HEADER;
                if (length > 0 && start > position && bytes.getInt(start) == length &&
                    headerIntact(bytes, start))
                {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean headerIntact(final LogBytes bytes, final long position)
    {
        final byte[] header = new byte[2 * Integer.BYTES];
        bytes.get(position, header);
        return IndexLog.crc(header, 0, header.length) == bytes.getInt(position + header.length);
    }

    /**
     * Whether a page of the file (4 KiB, at a multiple of 4 KiB) inside {@code [from, to)} is all zeros: what a
     * crash leaves of a page the device had not yet written.
     */
    private static boolean hasZeroPage(final LogBytes bytes, final long from, final long to)
    {
        final long page = 4096;
        for (long start = (from + page - 1) & -page; start + page <= to; start += page)
        {
            boolean zero = true;
            for (long i = start; i < start + page && zero; i += Long.BYTES)
            {
                zero = bytes.getLong(i) == 0;
            }
            if (zero)
            {
                return true;
            }
        }
        return false;
    }

    private void apply(final ByteBuffer in) throws CorruptIndexException
    {
        final byte type = in.get();
        if (type != IndexLog.CHECKPOINT && type != IndexLog.BATCH)
        {
            throw new CorruptIndexException(file, "unknown record type: type=" + type);
        }
        if (type == IndexLog.BATCH && records == 0)
        {
            throw new CorruptIndexException(file, "batch before the checkpoint");
        }
        if (type == IndexLog.CHECKPOINT && records != 0)
        {
            throw new CorruptIndexException(file, "second checkpoint");
        }
        version = in.getLong();
        liveBytes = in.getLong();
        slabCount = in.getInt();
        emptyStripe = in.getLong();
        if (type == IndexLog.CHECKPOINT)
        {
            final int stripeCount = (int)((geometry.size() + (1L << stripeShift) - 1) >>> stripeShift);
            stripes = LongDirectory.filled(stripeCount, emptyStripe).edit(emptyStripe);
        }
        final int stripeUpdates = in.getInt();
        for (int i = 0; i < stripeUpdates; i++)
        {
            final int stripe = in.getInt();
            final long address = in.getLong();
            if (stripe < 0 || stripe >= stripes.length())
            {
                throw new CorruptIndexException(file, "stripe out of range: stripe=" + stripe);
            }
            stripes.set(stripe, address);
            if (changedStripes != null)
            {
                changedStripes.addInt(stripe);
            }
        }
        final int extentUpdates = in.getInt();
        if (type == IndexLog.CHECKPOINT)
        {
            // sized for the owners listed, so that it need not grow (and be laid out again): they come in ascending
            // order, an id and a block of 12 bytes each, so the last one's id bounds them (owners without a map are
            // not listed)
            final int entry = Integer.BYTES + Long.BYTES;
            int length = 0;
            if (extentUpdates > 0 && extentUpdates <= in.remaining() / entry)
            {
                final int last = in.getInt(in.position() + (extentUpdates - 1) * entry);
                length = last >= 0 && last < Integer.MAX_VALUE - LongDirectory.MAX_SPAN ? last + 1 : 0;
            }
            extents = LongDirectory.filled(length, Snapshot.NO_EXTENTS).edit(Snapshot.NO_EXTENTS);
        }
        for (int i = 0; i < extentUpdates; i++)
        {
            final int owner = in.getInt();
            final long address = in.getLong();
            if (owner < 0)
            {
                throw new CorruptIndexException(file, "owner id out of range: ownerId=" + owner);
            }
            extents.set(owner, address);
            if (changedOwners != null)
            {
                changedOwners.addInt(owner);
            }
        }
        final int newOwners = in.getInt();
        if (newOwners < 0 || newOwners > in.remaining() / Long.BYTES)
        {
            throw new CorruptIndexException(file, "bad owner count: owners=" + newOwners);
        }
        final long[] values = new long[newOwners];
        in.asLongBuffer().get(values);
        in.position(in.position() + newOwners * Long.BYTES);
        final int twice = owners.internNew(values, newOwners);
        if (twice >= 0)
        {
            throw new CorruptIndexException(file, "owner listed twice: ownerId=" + twice);
        }
        final int newSets = in.getInt();
        for (int i = 0; i < newSets; i++)
        {
            final int groups = in.getInt();
            if (groups < 1)
            {
                throw new CorruptIndexException(file, "bad share group: groups=" + groups);
            }
            final long[] deltas = new long[groups];
            final int[] flags = new int[groups];
            final RoaringBitmap[] bitmaps = new RoaringBitmap[groups];
            for (int g = 0; g < groups; g++)
            {
                deltas[g] = in.getLong();
                flags[g] = in.getInt();
                final int bytes = in.getInt();
                bitmaps[g] = new RoaringBitmap();
                try
                {
                    bitmaps[g].deserialize(in.slice().limit(bytes));
                }
                catch (final IOException ex)
                {
                    throw new CorruptIndexException(file, "bad bitmap: " + ex.getMessage(), ex);
                }
                in.position(in.position() + bytes);
            }
            final OwnerSet set = OwnerSet.of(deltas, flags, bitmaps);
            final int before = sets.count();
            if (set.cardinality() < 2 || sets.intern(set) != before)
            {
                throw new CorruptIndexException(file, "bad share group: setId=" + before);
            }
        }
        if (in.hasRemaining())
        {
            throw new CorruptIndexException(file, "trailing bytes in a record: bytes=" + in.remaining());
        }
    }

    private static boolean isZero(final LogBytes bytes, final long from, final long to)
    {
        for (long i = from; i < to; i++)
        {
            if (bytes.get(i) != 0)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * A log's bytes up to the size it had when the reading began, read through a window that moves on as they are
     * asked for: no mapping (a page past a file a writer cut back would fault) and no copy of the whole log on the heap
     * (a follower far behind has hundreds of megabytes to take in). A read that comes back short (the file is shorter
     * now) throws {@link LogCutBack}.
     */
    private static final class LogBytes
    {
        private final FileChannel channel;
        private final ByteBuffer window;
        private long windowStart;
        private int windowLength;

        /**
         * @param channel the log.
         * @param window  direct, so that the channel reads into it with no temporary buffer of its own (a heap
         *                buffer's read goes through a direct one of the read's size, which the JDK then keeps for the
         *                thread: a checkpoint's hundreds of megabytes).
         */
        LogBytes(final FileChannel channel, final ByteBuffer window)
        {
            this.channel = channel;
            this.window = window;
        }

        byte get(final long position)
        {
            return window.get(at(position, Byte.BYTES));
        }

        int getInt(final long position)
        {
            return window.getInt(at(position, Integer.BYTES));
        }

        long getLong(final long position)
        {
            return window.getLong(at(position, Long.BYTES));
        }

        void get(final long position, final byte[] destination)
        {
            for (int done = 0; done < destination.length; )
            {
                final int length = Math.min(window.capacity(), destination.length - done);
                window.get(at(position + done, length), destination, done, length);
                done += length;
            }
        }

        /**
         * The window's index of {@code position}, the window moved to it unless it holds {@code length} bytes there.
         */
        private int at(final long position, final int length)
        {
            if (position < windowStart || position + length > windowStart + windowLength)
            {
                windowStart = position;
                windowLength = 0;
                window.clear();
                readSome(window, position, length);
                windowLength = window.position();
            }
            return (int)(position - windowStart);
        }

        private void readSome(final ByteBuffer into, final long position, final int atLeast)
        {
            try
            {
                while (into.position() < atLeast && channel.read(into, position + into.position()) > 0)
                {
                    // positional reads, on until at least what is asked for is in (more if the file gives it)
                }
                if (into.position() < atLeast)
                {
                    throw new LogCutBack();
                }
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex); // unwrapped by records
            }
        }
    }

    /**
     * A log read came back short: a writer cut the log back while it was read.
     */
    private static final class LogCutBack extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        LogCutBack()
        {
            super("the log was cut back while it was read", null, false, false);
        }
    }
}
