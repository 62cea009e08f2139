package io.daxrmap.index;

import io.daxrmap.model.DeviceGeometry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Appends that fail: the log must be left as it was, or refuse every later append, never hold a partial record that
 * later records follow.
 */
class IndexLogTest
{
    private static final DeviceGeometry GEOMETRY = new DeviceGeometry(0, 1L << 30, 4096);
    private static final int STRIPE_SHIFT = 20;

    @TempDir
    Path temp;

    @Test
    void shouldCutOffWhatAFailedAppendWroteAndAppendAfterTheLastWholeRecord() throws IOException
    {
        final Path file = logWithACheckpoint();
        final long whole = Files.size(file);
        try (FailingChannel channel = new FailingChannel(FileChannel.open(file, StandardOpenOption.READ,
            StandardOpenOption.WRITE)); IndexLog log = IndexLog.over(file, channel, IndexLog.VERSION, whole))
        {
            channel.failWriteAfter = 10; // a short write, then the device is full
            assertThrows(UncheckedIOException.class, () -> log.append(batch(2), batch(2).length));
            assertEquals(whole, Files.size(file), "the partial record is cut off");
            channel.failWriteAfter = -1;
            log.append(batch(2), batch(2).length);
            log.append(batch(3), batch(3).length);
        }
        final LogReplay replay = LogReplay.read(file, 1);
        assertEquals(3, replay.records);
        assertEquals(3, replay.version);
        assertEquals(Files.size(file), replay.validLength);
    }

    @Test
    void shouldRefuseEveryAppendAfterTheDeviceFailedToConfirmOne() throws IOException
    {
        final Path file = logWithACheckpoint();
        try (FailingChannel channel = new FailingChannel(FileChannel.open(file, StandardOpenOption.READ,
            StandardOpenOption.WRITE)); IndexLog log = IndexLog.over(file, channel, IndexLog.VERSION, Files.size(file)))
        {
            channel.failForce = true;
            assertThrows(UncheckedIOException.class, () -> log.append(batch(2), batch(2).length));
            channel.failForce = false;
            final IllegalStateException refused =
                assertThrows(IllegalStateException.class, () -> log.append(batch(3), batch(3).length));
            assertTrue(refused.getMessage().startsWith("the index log refuses appends since an earlier one failed"),
                refused.getMessage());
        }
        // the record the device did not confirm may be there: it is, and nothing follows it
        assertEquals(2, LogReplay.read(file, 1).version);
    }

    @Test
    void shouldCloseTheChannelWhenWritingTheHeaderOfANewLogFails()
    {
        final FailingChannel[] opened = new FailingChannel[1];
        assertThrows(IOException.class, () -> IndexLog.create(temp, 1, GEOMETRY, STRIPE_SHIFT, (file, options) ->
        {
            opened[0] = new FailingChannel(FileChannel.open(file, options));
            opened[0].failWriteAfter = 0; // the device is full
            return opened[0];
        }));
        assertFalse(opened[0].isOpen(), "the channel is closed");
    }

    @Test
    void shouldCloseTheChannelWhenCuttingOffATornTailFails() throws IOException
    {
        final Path file = logWithACheckpoint();
        final long whole = Files.size(file);
        Files.write(file, new byte[100], StandardOpenOption.APPEND);
        final FailingChannel[] opened = new FailingChannel[1];
        assertThrows(IOException.class, () -> IndexLog.openForAppend(file, IndexLog.VERSION, whole, (path, options) ->
        {
            opened[0] = new FailingChannel(FileChannel.open(path, options));
            opened[0].failTruncate = true;
            return opened[0];
        }));
        assertFalse(opened[0].isOpen(), "the channel is closed");
    }

    private Path logWithACheckpoint() throws IOException
    {
        try (IndexLog log = IndexLog.create(temp, 1, GEOMETRY, STRIPE_SHIFT))
        {
            log.append(checkpoint(), checkpoint().length);
        }
        return IndexLog.file(temp, 1);
    }

    private static byte[] checkpoint()
    {
        return new IndexLog.Writer(IndexLog.CHECKPOINT, 1, 0, 0, 0)
            .blocks(0, new int[0], new long[0]).blocks(0, new int[0], new long[0])
            .owners(new long[0], 0, 0).sets(new OwnerSet[0], 0, 0).payload();
    }

    private static byte[] batch(final long version)
    {
        return new IndexLog.Writer(IndexLog.BATCH, version, 0, 0, 0)
            .blocks(0, new int[0], new long[0]).blocks(0, new int[0], new long[0])
            .owners(new long[0], 0, 0).sets(new OwnerSet[0], 0, 0).payload();
    }

    /**
     * A file channel that can write only part of a buffer and then fail, or fail to force or truncate.
     */
    private static final class FailingChannel extends FileChannel
    {
        private final FileChannel file;
        int failWriteAfter = -1;
        boolean failForce;
        boolean failTruncate;

        FailingChannel(final FileChannel file)
        {
            this.file = file;
        }

        @Override
        public int write(final ByteBuffer src, final long position) throws IOException
        {
            if (failWriteAfter >= 0)
            {
                final ByteBuffer part = src.duplicate();
                part.limit(part.position() + Math.min(failWriteAfter, part.remaining()));
                file.write(part, position);
                throw new IOException("No space left on device");
            }
            return file.write(src, position);
        }

        @Override
        public void force(final boolean metaData) throws IOException
        {
            if (failForce)
            {
                throw new IOException("Input/output error");
            }
            file.force(metaData);
        }

        @Override
        public FileChannel truncate(final long size) throws IOException
        {
            if (failTruncate)
            {
                throw new IOException("Input/output error");
            }
            file.truncate(size);
            return this;
        }

        @Override
        public long size() throws IOException
        {
            return file.size();
        }

        @Override
        public int read(final ByteBuffer dst) throws IOException
        {
            return file.read(dst);
        }

        @Override
        public long read(final ByteBuffer[] dsts, final int offset, final int length) throws IOException
        {
            return file.read(dsts, offset, length);
        }

        @Override
        public int write(final ByteBuffer src) throws IOException
        {
            throw new UnsupportedOperationException("the log writes at positions");
        }

        @Override
        public long write(final ByteBuffer[] srcs, final int offset, final int length)
        {
            throw new UnsupportedOperationException("the log writes at positions");
        }

        @Override
        public long position() throws IOException
        {
            return file.position();
        }

        @Override
        public FileChannel position(final long newPosition) throws IOException
        {
            file.position(newPosition);
            return this;
        }

        @Override
        public long transferTo(final long position, final long count, final WritableByteChannel target)
            throws IOException
        {
            return file.transferTo(position, count, target);
        }

        @Override
        public long transferFrom(final ReadableByteChannel src, final long position, final long count)
        {
            throw new UnsupportedOperationException("the log writes at positions");
        }

        @Override
        public int read(final ByteBuffer dst, final long position) throws IOException
        {
            return file.read(dst, position);
        }

        @Override
        public MappedByteBuffer map(final MapMode mode, final long position, final long size) throws IOException
        {
            return file.map(mode, position, size);
        }

        @Override
        public FileLock lock(final long position, final long size, final boolean shared) throws IOException
        {
            return file.lock(position, size, shared);
        }

        @Override
        public FileLock tryLock(final long position, final long size, final boolean shared) throws IOException
        {
            return file.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException
        {
            file.close();
        }
    }
}
