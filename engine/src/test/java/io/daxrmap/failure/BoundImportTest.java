package io.daxrmap.failure;

import io.daxrmap.model.Owner;
import io.daxrmap.store.Catalog;
import io.daxrmap.store.FilesystemIndex;
import io.daxrmap.store.FilesystemIndexBuilder;
import io.daxrmap.store.IndexStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An event is answered from the device data of the import whose catalog names it: a device reader never takes in an
 * import put in place of the directory after the service bound its layout, good or damaged; only the next event's
 * follow of the index brings a replacement in.
 */
class BoundImportTest
{
    private static final int DATA = FollowedDeviceListTest.DATA;
    private static final long MIB = FollowedDeviceListTest.MIB;
    private static final long PMEM0 = FollowedDeviceListTest.PMEM0;
    /** pmem0 over the data device; pmem1 over a device these indexes do not have. */
    private static final Regions REGIONS = FollowedDeviceListTest.REGIONS;

    @TempDir
    Path temp;

    /** Import {@code g}: the device's first block is inode 1000 + g's, which its catalog names "g{g}/{inode}". */
    private static FilesystemIndexBuilder generation(final int g)
    {
        final FilesystemIndexBuilder builder = new FilesystemIndexBuilder(4096);
        builder.onRecord(259, 0, 0, 4096, Owner.data(1000 + g), 0, 0);
        builder.device(DATA, 8 * MIB);
        builder.dataDevice(DATA);
        builder.target().path(1000 + g, name(1000 + g));
        return builder;
    }

    private static String name(final long inode)
    {
        return "g" + (inode - 1000) + "/" + inode;
    }

    /** The kills of one event at the device's first block, each with the name the service gives it. */
    private static String kills(final FailureService service)
    {
        final StringBuilder kills = new StringBuilder();
        service.report(FailureEvent.physical(PMEM0 + 100, 12), new FailureReport(), report ->
        {
            for (int i = 0; i < report.killCount(); i++)
            {
                kills.append(report.killInode(i)).append('=').append(service.path(report.killInode(i))).append(';');
            }
        });
        return kills.toString();
    }

    private static void create(final int g, final Path directory)
    {
        try
        {
            IndexStore.create(generation(g), directory).close();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    @Test
    void shouldAnswerFromTheBoundImportWhenAGoodOneReplacesItBeforeTheDeviceIsRead() throws IOException
    {
        final Path directory = temp.resolve("index");
        create(0, directory);
        try (FilesystemIndex index = IndexStore.load(directory))
        {
            final AtomicBoolean armed = new AtomicBoolean();
            final FailureService service = FailureService.of(index, REGIONS, () ->
            {
                if (armed.getAndSet(false))
                {
                    create(2, directory); // after the event's follow took import 1 in, before its device is read
                }
            });
            assertEquals("1000=g0/1000;", kills(service));
            create(1, directory);
            armed.set(true);
            assertEquals("1001=g1/1001;", kills(service), "import 1's data, named from its catalog");
            assertEquals("1002=g2/1002;", kills(service), "the next event follows the index to import 2");
            assertNull(service.followError());
        }
    }

    @Test
    void shouldNotTakeInTheDeviceDataOfADamagedImportPutInPlaceBeforeTheDeviceIsRead() throws IOException
    {
        final Path directory = temp.resolve("index");
        final Path broken = temp.resolve("broken");
        create(0, directory);
        create(2, broken);
        try (FileChannel catalog = FileChannel.open(broken.resolve(Catalog.FILE_NAME), StandardOpenOption.WRITE))
        {
            catalog.truncate(0); // good device directories, a damaged catalog
        }
        try (FilesystemIndex index = IndexStore.load(directory))
        {
            final AtomicBoolean armed = new AtomicBoolean();
            final FailureService service = FailureService.of(index, REGIONS, () ->
            {
                if (armed.getAndSet(false))
                {
                    try
                    {
                        Files.move(directory, temp.resolve("old1"));
                        Files.move(broken, directory);
                    }
                    catch (final IOException ex)
                    {
                        throw new UncheckedIOException(ex);
                    }
                }
            });
            final AtomicReference<IOException> told = new AtomicReference<>();
            service.onFollowError(told::set);
            assertEquals("1000=g0/1000;", kills(service));
            create(1, directory);
            armed.set(true);
            for (int event = 1; event <= 4; event++)
            {
                assertEquals("1001=g1/1001;", kills(service),
                    "event " + event + ": import 1's data, never the refused import's");
            }
            assertNotNull(told.get(), "the damaged import was told");
            assertNotNull(service.followError());
        }
    }

    @Test
    void shouldNameEveryKillFromTheImportItWasAnsweredFromUnderContinuousReplacement() throws Exception
    {
        final Path directory = temp.resolve("index");
        create(0, directory);
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        try (FilesystemIndex index = IndexStore.load(directory))
        {
            final Thread replacer = new Thread(() ->
            {
                try
                {
                    for (int g = 1; !stop.get(); g++)
                    {
                        create(g, directory);
                    }
                }
                catch (final Throwable t)
                {
                    failure.compareAndSet(null, t);
                }
            });
            replacer.start();
            final FailureService service = FailureService.of(index, REGIONS);
            final FailureReport report = new FailureReport();
            final StringBuilder wrong = new StringBuilder();
            long named = 0;
            final long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            try
            {
                while (System.nanoTime() < end && wrong.length() == 0)
                {
                    final long[] counted = {0};
                    service.report(FailureEvent.physical(PMEM0 + 100, 12), report, r ->
                    {
                        for (int i = 0; i < r.killCount(); i++)
                        {
                            final long inode = r.killInode(i);
                            final String path = service.path(inode);
                            if (name(inode).equals(path))
                            {
                                counted[0]++;
                            }
                            else if (wrong.length() == 0)
                            {
                                wrong.append("kill ").append(inode).append(" named ").append(path);
                            }
                        }
                    });
                    named += counted[0];
                }
            }
            finally
            {
                stop.set(true);
                replacer.join();
            }
            assertNull(failure.get());
            assertEquals("", wrong.toString());
            assertTrue(named > 0);
        }
    }
}
