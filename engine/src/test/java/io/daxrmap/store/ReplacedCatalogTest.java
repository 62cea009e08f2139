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

    @Test
    void shouldKeepTheIndexAsItWasWhenTheNewCatalogDoesNotOpen() throws IOException
    {
        final Path directory = temp.resolve("index");
        final Path broken = temp.resolve("broken");
        IndexStore.create(oneDevice("a"), directory).close();
        IndexStore.create(twoDevices("b"), broken).close();
        try (FileChannel channel = FileChannel.open(broken.resolve(Catalog.FILE_NAME), StandardOpenOption.WRITE))
        {
            channel.truncate(0);
        }
        try (FilesystemIndex index = IndexStore.load(directory))
        {
            final FilesystemIndex.Layout before = index.layout();
            Files.move(directory, temp.resolve("old"));
            Files.move(broken, directory);

            final CorruptIndexException ex = assertThrows(CorruptIndexException.class, index::refresh);
            assertEquals(directory.resolve(Catalog.FILE_NAME) + ": empty", ex.getMessage());
            assertSame(before, index.layout(), "the old devices, data device and geometry");
            assertEquals("a/131", index.path(131), "the old catalog");
            assertEquals(Map.of(131L, "a/131"), index.paths());
            index.device(DATA).newReader(); // still open
            // not again at the next refresh: told once, left alone for a while, nothing taken in
            assertFalse(index.refresh());
            assertSame(before, index.layout());
            assertEquals(ex.getMessage(), index.refusal().getMessage());
            assertEquals("a/131", index.path(131));

            // a good import after it is taken in
            IndexStore.create(twoDevices("c"), directory).close();
            assertTrue(index.refresh());
            assertEquals(Set.of(DATA, SECOND), index.devices().keySet());
            assertEquals("c/131", index.path(131));
        }
    }

    @Test
    void shouldTryAgainLaterWhenTheCatalogGoesBetweenTheDevicesAndItsOpen() throws IOException
    {
        final Path directory = temp.resolve("index");
        final Path spare = temp.resolve("spare");
        IndexStore.create(oneDevice("a"), directory).close();
        IndexStore.create(twoDevices("b"), spare).close();
        try (FilesystemIndex index = IndexStore.load(directory))
        {
            final FilesystemIndex.Layout before = index.layout();
            IndexStore.create(twoDevices("c"), directory).close();
            // the new devices read; then, before the catalog opens, the first step of another replacement
            final AtomicBoolean moved = new AtomicBoolean();
            index.beforeCatalogOpen = () ->
            {
                if (!moved.getAndSet(true))
                {
                    Files.move(directory, temp.resolve("old"));
                }
            };
            assertFalse(index.refresh(), "caught between the two renames: not an error, later");
            assertSame(before, index.layout());
            assertEquals("a/131", index.path(131));

            Files.move(spare, directory);
            assertTrue(index.refresh());
            assertEquals(Set.of(DATA, SECOND), index.devices().keySet());
            assertEquals("b/131", index.path(131));
        }
    }

    @Test
    void shouldNotWaitForAnotherThreadsCopyOfTheCatalog() throws Exception
    {
        final Path directory = temp.resolve("index");
        IndexStore.create(oneDevice("a"), directory).close();
        final ExecutorService executor = Executors.newFixedThreadPool(2);
        final CountDownLatch inside = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        try (FilesystemIndex index = IndexStore.load(directory))
        {
            final AtomicBoolean held = new AtomicBoolean();
            index.insideCatalogCopy = () ->
            {
                if (!held.getAndSet(true))
                {
                    inside.countDown();
                    try
                    {
                        release.await();
                    }
                    catch (final InterruptedException ex)
                    {
                        Thread.currentThread().interrupt();
                    }
                }
            };
            final AtomicReference<Map<Long, String>> copy = new AtomicReference<>();
            final Future<?> copying = executor.submit(() -> copy.set(index.paths()));
            assertTrue(inside.await(10, TimeUnit.SECONDS));
            try
            {
                IndexStore.create(oneDevice("b"), directory).close();
                final Future<Boolean> refreshed = executor.submit(index::refresh);
                assertTrue(refreshed.get(5, TimeUnit.SECONDS), "the refresh waited for the copy");
                assertEquals("b/131", index.path(131));
                assertEquals(Map.of(131L, "b/131"), index.paths());
            }
            finally
            {
                release.countDown();
            }
            copying.get(10, TimeUnit.SECONDS);
            assertEquals(Map.of(131L, "a/131"), copy.get(), "the copy in progress is of the catalog it began with");
            assertEquals("b/131", index.path(131));
        }
        finally
        {
            release.countDown();
            executor.shutdownNow();
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

    // --- a directory that cannot be taken in is told once and tried again only later ---

    @Test
    void shouldTryADirectoryThatCannotBeTakenInAgainOnlyAfterAWhile() throws IOException
    {
        final Path directory = temp.resolve("index");
        final Path broken = temp.resolve("broken");
        final Path old = temp.resolve("old");
        IndexStore.create(oneDevice("a"), directory).close();
        IndexStore.create(twoDevices("b"), broken).close();
        try (FileChannel channel = FileChannel.open(broken.resolve(Catalog.FILE_NAME), StandardOpenOption.WRITE))
        {
            channel.truncate(0);
        }
        try (FilesystemIndex index = IndexStore.load(directory))
        {
            final int[] tries = {0};
            index.beforeCatalogOpen = () -> tries[0]++;
            index.retryNanos = Long.MAX_VALUE;
            Files.move(directory, old);
            Files.move(broken, directory);
            assertThrows(CorruptIndexException.class, index::refresh);
            for (int i = 0; i < 10; i++)
            {
                assertFalse(index.refresh());
            }
            assertEquals(1, tries[0], "one try until the back-off ends");

            // after the back-off: tried at each refresh, and not told again
            index.retryNanos = 0;
            assertFalse(index.refresh());
            assertFalse(index.refresh());
            assertEquals(3, tries[0]);
            assertEquals("a/131", index.path(131));

            // the directory taken in before, back in place: nothing refused any more
            Files.move(directory, broken);
            Files.move(old, directory);
            assertFalse(index.refresh());
            assertEquals(null, index.refusal());
            assertEquals(3, tries[0]);
        }
    }

    // --- the catalog is part of the layout: a layout held names its own import's paths ---

    @Test
    void shouldNameInodesFromTheCatalogOfTheLayoutHeld() throws IOException
    {
        final Path directory = temp.resolve("index");
        IndexStore.create(oneDevice("a"), directory).close();
        try (FilesystemIndex index = IndexStore.load(directory))
        {
            final FilesystemIndex.Layout first = index.layout();
            assertTrue(first.hold());
            IndexStore.create(oneDevice("b"), directory).close();
            assertTrue(index.refresh());
            final FilesystemIndex.Layout second = index.layout();
            assertEquals("b/131", index.path(131));
            assertEquals("b/131", index.path(second, 131), "the new layout with its own catalog, in one publish");
            assertEquals("a/131", index.path(first, 131), "the layout held keeps its catalog open");
            first.release();
            assertEquals(null, index.path(first, 131), "closed once let go by both");
            assertFalse(first.hold());
            assertEquals("b/131", index.path(second, 131));
        }
    }

    // --- one catalog file reached by two paths ---

    @Test
    void shouldLoadACatalogReachedByTwoPathsTwiceInOneJvm() throws IOException
    {
        final Path directory = temp.resolve("index");
        final Path link = temp.resolve("link");
        IndexStore.create(oneDevice("a"), directory).close();
        // cp -al index link: every file of the copy is a hard link to the index's
        try (java.util.stream.Stream<Path> walk = Files.walk(directory))
        {
            for (final Path from : (Iterable<Path>)walk::iterator)
            {
                final Path to = link.resolve(directory.relativize(from).toString());
                if (Files.isDirectory(from))
                {
                    Files.createDirectories(to);
                }
                else
                {
                    Files.createLink(to, from);
                }
            }
        }
        try (FilesystemIndex first = IndexStore.load(directory); FilesystemIndex second = IndexStore.load(link))
        {
            assertEquals("a/131", first.path(131));
            assertEquals("a/131", second.path(131));
        }
        // and each can be loaded again after the other is closed
        try (FilesystemIndex second = IndexStore.load(link))
        {
            assertEquals("a/131", second.path(131));
        }
    }
}
