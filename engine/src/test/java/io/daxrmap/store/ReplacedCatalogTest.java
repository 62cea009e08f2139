package io.daxrmap.store;

import io.daxrmap.format.DeviceNumber;
import io.daxrmap.index.CorruptIndexException;
import io.daxrmap.model.Owner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The catalog a loaded index follows, when a new import replaces the index directory: a copy loaded beside another
 * in the same JVM takes in the new catalog (Chronicle Map shares one open file per path within a JVM, and kept the
 * old one), a new catalog that does not open leaves the index as it was, and a refresh does not wait for another
 * thread's copy of the whole catalog.
 */
class ReplacedCatalogTest
{
    static final int DATA = DeviceNumber.encode(259, 0);
    static final int SECOND = DeviceNumber.encode(259, 16);
    static final long MIB = 1L << 20;

    @TempDir
    Path temp;

    @Test
    void shouldTakeInTheNewCatalogInEachOfTwoCopiesLoadedInOneJvm() throws IOException
    {
        final Path directory = temp.resolve("index");
        IndexStore.create(oneDevice("a"), directory).close();
        try (FilesystemIndex first = IndexStore.load(directory); FilesystemIndex second = IndexStore.load(directory))
        {
            assertEquals("a/131", first.path(131));
            assertEquals("a/131", second.path(131));

            IndexStore.create(oneDevice("b"), directory).close();
            assertTrue(first.refresh());
            assertTrue(second.refresh());
            assertEquals("b/131", first.path(131));
            assertEquals("b/131", second.path(131));
            assertEquals(Map.of(131L, "b/131"), first.paths());
            assertEquals(Map.of(131L, "b/131"), second.paths());

            // and the copy a replacing import returns while the others are loaded
            try (FilesystemIndex created = IndexStore.create(oneDevice("c"), directory))
            {
                assertEquals("c/131", created.path(131));
                assertTrue(first.refresh());
                assertEquals("c/131", first.path(131));
            }
            assertTrue(second.refresh());
            assertEquals("c/131", second.path(131));
            assertEquals("c/131", first.path(131));
        }
    }

    private static FilesystemIndexBuilder oneDevice(final String name)
    {
        final FilesystemIndexBuilder builder = new FilesystemIndexBuilder(4096);
        builder.onRecord(259, 0, 0, 4096, Owner.data(131), 0, 0);
        builder.device(DATA, 8 * MIB);
        builder.dataDevice(DATA);
        builder.target().path(131, name + "/131");
        return builder;
    }

    private static FilesystemIndexBuilder twoDevices(final String name)
    {
        final FilesystemIndexBuilder builder = new FilesystemIndexBuilder(4096);
        builder.onRecord(259, 0, 0, 4096, Owner.data(131), 0, 0);
        builder.onRecord(259, 16, 0, 4096, Owner.data(142), 0, 0);
        builder.device(DATA, 8 * MIB);
        builder.device(SECOND, 4 * MIB);
        builder.dataDevice(DATA);
        builder.target().path(131, name + "/131");
        builder.target().path(142, name + "/142");
        return builder;
    }
}
