package io.daxrmap.store;

import io.daxrmap.format.DeviceNumber;
import io.daxrmap.format.FsmapVerboseGeometry;
import io.daxrmap.index.CorruptIndexException;
import io.daxrmap.index.IndexReader;
import io.daxrmap.index.ReverseIndex;
import io.daxrmap.model.MappingFlags;
import io.daxrmap.model.Owner;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;

/**
 * An index directory as the command line keeps it between runs: one file, {@value #FILE_NAME}, holding every
 * device's records, the catalog and the XFS geometry, written whole to a temporary file and renamed into place so
 * an interrupted write leaves the previous index (or none), never half of one.
 * <pre>
 *   magic "DAXRMAP\0" | version int | device count int
 *   per device: device int | size long | block size int | record count long
 *               per record: device offset long | length long | owner long | file offset long | flags int
 *   catalog count int | per entry: inode long | path (modified UTF-8)
 *   has geometry byte | data major int | data minor int | agBlocks long | block size int | agCount long
 *                       | sunit long | swidth long
 *   data device int (-1 if none)
 *   CRC32C of everything before, int
 * </pre>
 * Big-endian ({@link DataOutputStream}). Reopening rebuilds the off-heap index from the records; the memory-mapped
 * store that reopens without a rebuild replaces this format (issue 4).
 */
public final class IndexStore
{
    /** The file in an index directory. */
    public static final String FILE_NAME = "index.daxrmap";
    /** First eight bytes of the file. */
    public static final long MAGIC = 0x4441_5852_4D41_5000L;
    /** The first format: records, catalog, geometry. */
    public static final int VERSION_RECORDS = 1;
    /** The version this code writes. */
    public static final int VERSION_CURRENT = VERSION_RECORDS;

    private IndexStore()
    {
    }

    /**
     * Write an index directory (created if missing) atomically.
     *
     * @param index     what to store.
     * @param directory the index directory.
     * @throws IOException if it cannot be written.
     */
    public static void save(final FilesystemIndex index, final Path directory) throws IOException
    {
        if (Files.exists(directory) && !Files.isDirectory(directory))
        {
            throw new IOException(directory + ": not a directory");
        }
        Files.createDirectories(directory);
        final Path temp = Files.createTempFile(directory, ".index-", ".tmp",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try
        {
            final CRC32C crc = new CRC32C();
            try (OutputStream file = Files.newOutputStream(temp);
                DataOutputStream out = new DataOutputStream(
                    new CheckedOutputStream(new BufferedOutputStream(file, 1 << 16), crc)))
            {
                out.writeLong(MAGIC);
                out.writeInt(VERSION_CURRENT);
                out.writeInt(index.devices().size());
                for (final Map.Entry<Integer, ReverseIndex> entry : index.devices().entrySet())
                {
                    writeDevice(out, entry.getValue());
                }
                out.writeInt(index.paths().size());
                for (final Map.Entry<Long, String> entry : index.paths().entrySet())
                {
                    out.writeLong(entry.getKey());
                    out.writeUTF(entry.getValue());
                }
                final FsmapVerboseGeometry geometry = index.xfsGeometry().orElse(null);
                out.writeByte(geometry == null ? 0 : 1);
                if (geometry != null)
                {
                    out.writeInt(geometry.dataMajor());
                    out.writeInt(geometry.dataMinor());
                    out.writeLong(geometry.agBlocks());
                    out.writeInt(geometry.blockSize());
                    out.writeLong(geometry.agCount());
                    out.writeLong(geometry.stripeUnitBlocks());
                    out.writeLong(geometry.stripeWidthBlocks());
                }
                out.writeInt(index.dataDevice());
                out.flush();
                final int checksum = (int)crc.getValue();
                file.write(ByteBuffer.allocate(Integer.BYTES).putInt(0, checksum).array());
            }
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE))
            {
                channel.force(true);
            }
            try
            {
                Files.move(temp, directory.resolve(FILE_NAME), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
            }
            catch (final AtomicMoveNotSupportedException ex)
            {
                Files.move(temp, directory.resolve(FILE_NAME), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        finally
        {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * Open an index directory.
     *
     * @param directory the index directory.
     * @return the index, rebuilt in memory.
     * @throws CorruptIndexException if the directory is not an index or its file is damaged.
     * @throws IOException           if it cannot be read.
     */
    public static FilesystemIndex load(final Path directory) throws IOException
    {
        if (!Files.isDirectory(directory))
        {
            throw new CorruptIndexException(directory, Files.exists(directory) ?
                "not an index directory" : "no such index directory");
        }
        final Path file = directory.resolve(FILE_NAME);
        if (!Files.isRegularFile(file))
        {
            throw new CorruptIndexException(directory, "not an index directory: no " + FILE_NAME);
        }
        final long size = Files.size(file);
        if (size < Long.BYTES + Integer.BYTES * 3)
        {
            throw new CorruptIndexException(file, "truncated: size=" + size);
        }
        checkChecksum(file, size);
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16)))
        {
            final long magic = in.readLong();
            if (magic != MAGIC)
            {
                throw new CorruptIndexException(file, "not a daxrmap index: magic=0x" + Long.toHexString(magic));
            }
            final int version = in.readInt();
            if (version != VERSION_CURRENT)
            {
                throw new CorruptIndexException(file, "unsupported format version: version=" + version +
                    " supported=" + VERSION_CURRENT);
            }
            final int deviceCount = in.readInt();
            if (deviceCount < 0 || deviceCount > 16)
            {
                throw new CorruptIndexException(file, "bad device count: deviceCount=" + deviceCount);
            }
            final FilesystemIndex index = new FilesystemIndex();
            for (int d = 0; d < deviceCount; d++)
            {
                final int device = in.readInt();
                final long deviceSize = in.readLong();
                final int blockSize = in.readInt();
                final long records = in.readLong();
                final FilesystemIndexBuilder builder = new FilesystemIndexBuilder(checkBlockSize(file, blockSize));
                builder.device(device, deviceSize);
                if (records < 0)
                {
                    throw new CorruptIndexException(file, "bad record count: records=" + records);
                }
                for (long r = 0; r < records; r++)
                {
                    final long deviceOffset = in.readLong();
                    final long length = in.readLong();
                    final long owner = in.readLong();
                    final long fileOffset = in.readLong();
                    final int flags = in.readInt();
                    if (deviceOffset < 0 || length <= 0 || deviceOffset + length > deviceSize)
                    {
                        throw new CorruptIndexException(file, "record outside its device: device=" + device +
                            " record=" + r + " deviceOffset=" + deviceOffset + " length=" + length);
                    }
                    builder.onRecord(DeviceNumber.major(device), DeviceNumber.minor(device), deviceOffset, length,
                        owner, fileOffset, flags);
                }
                index.addDevice(builder.build().device(device));
            }
            final int catalog = in.readInt();
            for (int i = 0; i < catalog; i++)
            {
                index.path(in.readLong(), in.readUTF());
            }
            if (in.readByte() != 0)
            {
                index.xfsGeometry(new FsmapVerboseGeometry(in.readInt(), in.readInt(), in.readLong(), in.readInt(),
                    in.readLong(), in.readLong(), in.readLong()));
            }
            final int dataDevice = in.readInt();
            if (dataDevice != -1 && index.device(dataDevice) != null)
            {
                index.dataDevice(dataDevice);
            }
            return index;
        }
        catch (final EOFException ex)
        {
            throw new CorruptIndexException(file, "truncated", ex);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CorruptIndexException(file, "inconsistent records: " + ex.getMessage(), ex);
        }
    }

    private static void writeDevice(final DataOutputStream out, final ReverseIndex index) throws IOException
    {
        out.writeInt(index.geometry().device());
        out.writeLong(index.geometry().size());
        out.writeInt(index.geometry().blockSize());
        final IndexReader reader = index.newReader();
        final long[] count = new long[1];
        reader.scan(0, Long.MAX_VALUE, (deviceOffset, length, owner, fileOffset, flags) ->
        {
            if (owner != Owner.FREE)
            {
                count[0]++;
            }
            return true;
        });
        out.writeLong(count[0]);
        try
        {
            reader.scan(0, Long.MAX_VALUE, (deviceOffset, length, owner, fileOffset, flags) ->
            {
                if (owner != Owner.FREE)
                {
                    try
                    {
                        out.writeLong(deviceOffset);
                        out.writeLong(length);
                        out.writeLong(owner);
                        out.writeLong(fileOffset);
                        out.writeInt(flags & MappingFlags.STORED);
                    }
                    catch (final IOException ex)
                    {
                        throw new UncheckedIOException(ex);
                    }
                }
                return true;
            });
        }
        catch (final UncheckedIOException ex)
        {
            throw ex.getCause();
        }
    }

    private static void checkChecksum(final Path file, final long size) throws IOException
    {
        final ByteBuffer stored = ByteBuffer.allocate(Integer.BYTES);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            channel.position(size - Integer.BYTES);
            while (stored.hasRemaining() && channel.read(stored) >= 0)
            {
                continue;
            }
        }
        final int expected = stored.getInt(0);
        final int computed = (int)computeCrc(file, size - Integer.BYTES);
        if (computed != expected)
        {
            throw new CorruptIndexException(file, "checksum mismatch: stored=0x" + Integer.toHexString(expected) +
                " computed=0x" + Integer.toHexString(computed));
        }
    }

    private static long computeCrc(final Path file, final long length) throws IOException
    {
        final CRC32C crc = new CRC32C();
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16))
        {
            final byte[] buffer = new byte[1 << 16];
            long remaining = length;
            while (remaining > 0)
            {
                final int read = in.read(buffer, 0, (int)Math.min(buffer.length, remaining));
                if (read < 0)
                {
                    throw new CorruptIndexException(file, "truncated");
                }
                crc.update(buffer, 0, read);
                remaining -= read;
            }
        }
        return crc.getValue();
    }

    private static int checkBlockSize(final Path file, final int blockSize) throws CorruptIndexException
    {
        if (blockSize <= 0 || Integer.bitCount(blockSize) != 1)
        {
            throw new CorruptIndexException(file, "bad block size: blockSize=" + blockSize);
        }
        return blockSize;
    }
}
