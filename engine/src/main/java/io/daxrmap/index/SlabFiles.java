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
 *  24 int CRC32C of bytes 0..24 | 28..64 reserved (0) | 64.. blocks
 * </pre>
 * Blocks are appended after the header and never changed once a committed snapshot names them, so a crash can
 * leave only unreferenced bytes past the last committed block. New slabs are created sparse; {@link #force}
 * flushes a written range to the device before the log record that names it is written.
 */
final class SlabFiles
{
    /** First eight bytes of a slab file. */
    static final long MAGIC = 0x4458_5253_4C41_4200L;
    /**
     * The slab format of this version: 2 since forward-map roots may be narrow ({@link ForwardRootDescriptor}), 3
     * since chunks may be ({@link ExtentsDescriptor}), 4 since stripes may be ({@link StripeDescriptor}), 5 since
     * narrow extents take 13 bytes, 6 since blocks are 4-byte aligned (narrow roots pack offsets in 4-byte units).
     */
    static final int VERSION = 6;
    /** Bytes before the first block. */
    static final int HEADER_LENGTH = 64;

    private static final int MAGIC_OFFSET = 0;
    private static final int VERSION_OFFSET = MAGIC_OFFSET + Long.BYTES;
    private static final int GENERATION_OFFSET = VERSION_OFFSET + Integer.BYTES;
    private static final int NUMBER_OFFSET = GENERATION_OFFSET + Integer.BYTES;
    private static final int SIZE_OFFSET = NUMBER_OFFSET + Integer.BYTES;
    private static final int CRC_OFFSET = SIZE_OFFSET + Integer.BYTES;

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
    private final DirectoryForce directoryForce;
    private MappedByteBuffer[] mapped = new MappedByteBuffer[4];

    SlabFiles(final Path directory, final int generation)
    {
        this(directory, generation, SlabFiles::forceDirectory);
    }

    SlabFiles(final Path directory, final int generation, final DirectoryForce directoryForce)
    {
        this.directory = directory;
        this.generation = generation;
        this.directoryForce = directoryForce;
    }

    int generation()
    {
        return generation;
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
                final MappedByteBuffer buffer = channel.map(FileChannel.MapMode.READ_WRITE, 0, size);
                buffer.order(ByteOrder.LITTLE_ENDIAN);
                buffer.putLong(MAGIC_OFFSET, MAGIC);
                buffer.putInt(VERSION_OFFSET, VERSION);
                buffer.putInt(GENERATION_OFFSET, generation);
                buffer.putInt(NUMBER_OFFSET, number);
                buffer.putInt(SIZE_OFFSET, size);
                buffer.putInt(CRC_OFFSET, headerCrc(buffer));
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
     * Map an existing slab file read-only, checking its header.
     *
     * @throws CorruptIndexException if the file is not the slab it should be.
     */
    UnsafeBuffer open(final int number) throws IOException
    {
        final Path file = file(number);
        if (!Files.isRegularFile(file))
        {
            throw new CorruptIndexException(file, "missing");
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
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
            if (buffer.getInt(CRC_OFFSET) != headerCrc(buffer))
            {
                throw new CorruptIndexException(file, "header checksum mismatch");
            }
            if (buffer.getInt(VERSION_OFFSET) != VERSION)
            {
                throw new CorruptIndexException(file, "unsupported slab version: version=" +
                    buffer.getInt(VERSION_OFFSET) + " supported=" + VERSION);
            }
            if (buffer.getInt(GENERATION_OFFSET) != generation || buffer.getInt(NUMBER_OFFSET) != number ||
                buffer.getInt(SIZE_OFFSET) != size)
            {
                throw new CorruptIndexException(file, "header names another slab: generation=" +
                    buffer.getInt(GENERATION_OFFSET) + " number=" + buffer.getInt(NUMBER_OFFSET) + " size=" +
                    buffer.getInt(SIZE_OFFSET) + " fileSize=" + size);
            }
            remember(number, buffer);
            return new UnsafeBuffer(buffer);
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

    private static int headerCrc(final ByteBuffer buffer)
    {
        final CRC32C crc = new CRC32C();
        crc.update(buffer.duplicate().position(0).limit(CRC_OFFSET));
        return (int)crc.getValue();
    }
}
