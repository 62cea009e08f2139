package io.daxrmap.failure;

import io.daxrmap.format.DeviceNumber;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A failure service of a loaded index follows the device list of a new import put in place of the index directory:
 * a device the new import adds is answered, one it removes is outside the filesystem, a new data device is the one
 * regions of the data device name.
 */
class FollowedDeviceListTest
{
    static final int DATA = DeviceNumber.encode(259, 0);
    static final int SECOND = DeviceNumber.encode(259, 16);
    static final long MIB = 1L << 20;
    static final long PMEM0 = 0x1_0000_0000L;
    static final long PMEM1 = 0x2_0000_0000L;
    static final Regions REGIONS = new Regions(List.of(
        new Region("pmem0", PMEM0, 64 * MIB, 0, 0, 0, Region.DATA_DEVICE, PMEM0),
        new Region("pmem1", PMEM1, 64 * MIB, 0, 0, 0, SECOND, PMEM1)));

    @TempDir
    Path temp;

    @Test
    void shouldAnswerAnAddedDeviceAndNotARemovedOne() throws IOException
    {
        final Path directory = temp.resolve("index");
        IndexStore.create(oneDevice(131), directory).close();
        try (FilesystemIndex index = IndexStore.load(directory))
        {
            final FailureService service = FailureService.of(index, REGIONS);
            assertEquals(List.of(mapped(PMEM0, 0, 131, 0)), answer(service, FailureEvent.physical(PMEM0 + 100, 12)));
            assertEquals(List.of(outside(PMEM1 + MIB)), answer(service, FailureEvent.physical(PMEM1 + MIB + 100, 12)));

            // a new import with a second device: both are answered as it says
            IndexStore.create(twoDevices(141, 142), directory).close();
            assertEquals(List.of(mapped(PMEM0, 0, 141, 0)), answer(service, FailureEvent.physical(PMEM0 + 100, 12)));
            assertEquals(List.of(mapped(PMEM1 + MIB, MIB, 142, 0)),
                answer(service, FailureEvent.physical(PMEM1 + MIB + 100, 12)));
            assertEquals(List.of(String.join("\n", "mapped 0x" + Long.toHexString(PMEM1) + " device 0 +" + 4 * MIB,
                "kill 142 pgoff 0 pgcnt 1 flags 0")), answer(service, FailureEvent.preRemove("pmem1", "{}")));
            assertEquals(Set.of(DATA, SECOND), index.devices().keySet());
            assertEquals("two/142", index.path(142));

            // and one with a device fewer again: the removed device is outside the filesystem, not its old answer
            IndexStore.create(oneDevice(151), directory).close();
            assertEquals(List.of(outside(PMEM1 + MIB)), answer(service, FailureEvent.physical(PMEM1 + MIB + 100, 12)));
            assertEquals(List.of("outside-filesystem 0x" + Long.toHexString(PMEM1) + " +" + 64 * MIB),
                answer(service, FailureEvent.preRemove("pmem1", "{}")));
            assertEquals(List.of(mapped(PMEM0, 0, 151, 0)), answer(service, FailureEvent.physical(PMEM0 + 100, 12)));
            assertEquals(Set.of(DATA), index.devices().keySet());
            assertNull(index.device(SECOND));
            assertNull(index.path(142));
        }
    }

    @Test
    void shouldTakeTheNewDataDevice() throws IOException
    {
        final Path directory = temp.resolve("index");
        IndexStore.create(oneDevice(131), directory).close();
        try (FilesystemIndex index = IndexStore.load(directory))
        {
            final FailureService service = FailureService.of(index, REGIONS);
            assertEquals(DATA, index.dataDevice());

            // the new import has only the second device, its data device: regions of the data device name it now
            final FilesystemIndexBuilder secondOnly = new FilesystemIndexBuilder(4096);
            secondOnly.onRecord(259, 16, 0, 4096, Owner.data(161), 0, 0);
            secondOnly.device(SECOND, 4 * MIB);
            secondOnly.dataDevice(SECOND);
            secondOnly.target().path(161, "second/161");
            IndexStore.create(secondOnly, directory).close();
            assertEquals(List.of(mapped(PMEM0, 0, 161, 0)), answer(service, FailureEvent.physical(PMEM0 + 100, 12)));
            assertEquals(List.of(mapped(PMEM1, 0, 161, 0)), answer(service, FailureEvent.physical(PMEM1 + 100, 12)));
            final FilesystemIndex.Layout layout = index.layout();
            assertEquals(SECOND, layout.dataDevice());
            assertEquals(Set.of(SECOND), layout.devices().keySet());
            assertFalse(index.refresh());
        }
    }

    @Test
    void shouldFollowTheDeviceListWithoutAService() throws IOException
    {
        final Path directory = temp.resolve("index");
        IndexStore.create(oneDevice(131), directory).close();
        try (FilesystemIndex index = IndexStore.load(directory))
        {
            final FilesystemIndex.Layout first = index.layout();
            assertFalse(index.refresh());
            assertEquals(first, index.layout());

            IndexStore.create(twoDevices(141, 142), directory).close();
            assertTrue(index.refresh());
            assertEquals(Set.of(DATA, SECOND), index.devices().keySet());
            // the device both have is opened anew from the new import: a layout's devices and catalog are of one
            // import (a device index follows only its own directory)
            assertNotSame(first.devices().get(DATA), index.device(DATA));
            assertEquals(4 * MIB, index.device(SECOND).geometry().size());
            assertEquals(Map.of(141L, "two/141", 142L, "two/142"), index.paths());
            assertFalse(index.refresh());
        }
    }

    private static FilesystemIndexBuilder oneDevice(final long inode)
    {
        final FilesystemIndexBuilder builder = new FilesystemIndexBuilder(4096);
        builder.onRecord(259, 0, 0, 4096, Owner.data(inode), 0, 0);
        builder.device(DATA, 8 * MIB);
        builder.dataDevice(DATA);
        builder.target().path(inode, "one/" + inode);
        return builder;
    }

    private static FilesystemIndexBuilder twoDevices(final long first, final long second)
    {
        final FilesystemIndexBuilder builder = new FilesystemIndexBuilder(4096);
        builder.onRecord(259, 0, 0, 4096, Owner.data(first), 0, 0);
        builder.onRecord(259, 16, MIB, 4096, Owner.data(second), 0, 0);
        builder.device(DATA, 8 * MIB);
        builder.device(SECOND, 4 * MIB);
        builder.dataDevice(DATA);
        builder.target().path(first, "two/" + first);
        builder.target().path(second, "two/" + second);
        return builder;
    }

    private static String mapped(final long phys, final long deviceOffset, final long inode, final long pgoff)
    {
        return String.join("\n", "mapped 0x" + Long.toHexString(phys) + " device " + deviceOffset + " +4096",
            "kill " + inode + " pgoff " + pgoff + " pgcnt 1 flags 0",
            "repair " + deviceOffset + " +4096 DATA inode_" + inode + "_data file " + pgoff * 4096);
    }

    private static String outside(final long phys)
    {
        return "outside-filesystem 0x" + Long.toHexString(phys) + " +4096";
    }

    static List<String> answer(final FailureService service, final FailureEvent event)
    {
        final List<String> reports = new ArrayList<>();
        service.report(event, new FailureReport(), report -> reports.add(FailureServiceTest.describe(report)));
        return reports;
    }

    // --- a replacement in two steps, and a refresh in another thread between a layout's read and its binding ---

    @Test
    void shouldAnswerEventsBetweenTheTwoRenamesOfAReplacement() throws IOException
    {
        final Path directory = temp.resolve("index");
        final Path spare = temp.resolve("spare");
        IndexStore.create(oneDevice(131), directory).close();
        IndexStore.create(twoDevices(141, 142), spare).close();
        try (FilesystemIndex index = IndexStore.load(directory))
        {
            final FailureService service = FailureService.of(index, REGIONS);
            assertEquals(List.of(mapped(PMEM0, 0, 131, 0)), answer(service, FailureEvent.physical(PMEM0 + 100, 12)));

            // where directories cannot be exchanged: the old index moved away, an event, then the new one moved in
            Files.move(directory, temp.resolve("old"));
            assertEquals(List.of(mapped(PMEM0, 0, 131, 0)), answer(service, FailureEvent.physical(PMEM0 + 100, 12)),
                "from the snapshot held");
            assertEquals(List.of(mapped(PMEM0, 0, 131, 0)),
                List.of(FailureServiceTest.describe(service.reportPage(FailureEvent.physical(PMEM0 + 100, 12),
                    new FailureReport()))));
            assertEquals(List.of(outside(PMEM1 + MIB)), answer(service, FailureEvent.physical(PMEM1 + MIB + 100, 12)));
            assertEquals("one/131", index.path(131));

            Files.move(spare, directory);
            assertEquals(List.of(mapped(PMEM0, 0, 141, 0)), answer(service, FailureEvent.physical(PMEM0 + 100, 12)));
            assertEquals(List.of(mapped(PMEM1 + MIB, MIB, 142, 0)),
                answer(service, FailureEvent.physical(PMEM1 + MIB + 100, 12)));
            assertEquals("two/142", index.path(142));
        }
    }

    @Test
    void shouldBindTheNewerLayoutWhenAnotherRefreshClosesADeviceOfTheOneRead() throws IOException
    {
        final Path directory = temp.resolve("index");
        IndexStore.create(oneDevice(131), directory).close();
        try (FilesystemIndex index = IndexStore.load(directory))
        {
            final AtomicBoolean armed = new AtomicBoolean();
            // another thread's refresh, between this service's read of the layout and the opening of its readers
            final FailureService service = FailureService.of(index, REGIONS, () ->
            {
                if (armed.getAndSet(false))
                {
                    replaceAndRefresh(index, oneDevice(151), directory);
                }
            });
            assertEquals(List.of(mapped(PMEM0, 0, 131, 0)), answer(service, FailureEvent.physical(PMEM0 + 100, 12)));

            // this event's look finds two devices; the other refresh takes in one device again and closes the second
            IndexStore.create(twoDevices(141, 142), directory).close();
            armed.set(true);
            assertEquals(List.of(outside(PMEM1 + MIB)), answer(service, FailureEvent.physical(PMEM1 + MIB + 100, 12)));
            assertFalse(armed.get());
            assertEquals(List.of(mapped(PMEM0, 0, 151, 0)), answer(service, FailureEvent.physical(PMEM0 + 100, 12)));
        }
    }

    @Test
    void shouldBindTheNewerLayoutWhenAnotherRefreshClosesADeviceAsTheServiceIsMade() throws IOException
    {
        final Path directory = temp.resolve("index");
        IndexStore.create(twoDevices(141, 142), directory).close();
        try (FilesystemIndex index = IndexStore.load(directory))
        {
            final AtomicBoolean armed = new AtomicBoolean(true);
            final FailureService service = FailureService.of(index, REGIONS, () ->
            {
                if (armed.getAndSet(false))
                {
                    replaceAndRefresh(index, oneDevice(151), directory);
                }
            });
            assertFalse(armed.get());
            assertEquals(List.of(outside(PMEM1 + MIB)), answer(service, FailureEvent.physical(PMEM1 + MIB + 100, 12)));
            assertEquals(List.of(mapped(PMEM0, 0, 151, 0)), answer(service, FailureEvent.physical(PMEM0 + 100, 12)));
        }
    }

    private static void replaceAndRefresh(
        final FilesystemIndex index, final FilesystemIndexBuilder builder, final Path directory)
    {
        try
        {
            IndexStore.create(builder, directory).close();
            assertTrue(index.refresh());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    // --- a damaged import put in place of the index: answered from the one before, told once, tried again later ---

    @Test
    void shouldKeepAnsweringFromTheIndexBeforeWhenADamagedImportIsPutInItsPlace() throws IOException
    {
        final Path directory = temp.resolve("index");
        final Path broken = temp.resolve("broken");
        IndexStore.create(oneDevice(131), directory).close();
        IndexStore.create(twoDevices(141, 142), broken).close();
        try (FileChannel channel = FileChannel.open(broken.resolve(Catalog.FILE_NAME), StandardOpenOption.WRITE))
        {
            channel.truncate(0);
        }
        try (FilesystemIndex index = IndexStore.load(directory))
        {
            final List<IOException> told = new ArrayList<>();
            final FailureService service = FailureService.of(index, REGIONS).onFollowError(told::add);
            assertEquals(List.of(mapped(PMEM0, 0, 131, 0)), answer(service, FailureEvent.physical(PMEM0 + 100, 12)));

            Files.move(directory, temp.resolve("old"));
            Files.move(broken, directory);
            for (int i = 0; i < 5; i++)
            {
                // the device directories of the damaged import open: its data device (141) must not be answered from
                assertEquals(List.of(mapped(PMEM0, 0, 131, 0)), answer(service, FailureEvent.physical(PMEM0 + 100, 12)));
                assertEquals(List.of(mapped(PMEM0, 0, 131, 0)),
                    List.of(FailureServiceTest.describe(service.reportPage(FailureEvent.physical(PMEM0 + 100, 12),
                        new FailureReport()))));
                assertEquals(List.of(outside(PMEM1 + MIB)),
                    answer(service, FailureEvent.physical(PMEM1 + MIB + 100, 12)));
            }
            assertEquals(1, told.size(), "told once: " + told);
            assertEquals(directory.resolve(Catalog.FILE_NAME) + ": empty", told.get(0).getMessage());
            assertEquals(told.get(0).getMessage(), service.followError().getMessage());
            assertEquals("one/131", index.path(131));

            // a good import in its place is taken in at the next event
            IndexStore.create(twoDevices(151, 152), directory).close();
            assertEquals(List.of(mapped(PMEM0, 0, 151, 0)), answer(service, FailureEvent.physical(PMEM0 + 100, 12)));
            assertEquals(List.of(mapped(PMEM1 + MIB, MIB, 152, 0)),
                answer(service, FailureEvent.physical(PMEM1 + MIB + 100, 12)));
            assertNull(service.followError());
            assertEquals(1, told.size());
        }
    }

    // --- a report names the paths of the import it was answered from ---

    @Test
    void shouldNameThePathsOfTheImportTheReportWasAnsweredFrom() throws IOException
    {
        final Path directory = temp.resolve("index");
        IndexStore.create(oneDevice(131), directory).close();
        try (FilesystemIndex index = IndexStore.load(directory))
        {
            final FailureService service = FailureService.of(index, REGIONS);
            final List<String> named = new ArrayList<>();
            service.report(FailureEvent.physical(PMEM0 + 100, 12), new FailureReport(), report ->
            {
                // another thread's refresh takes in a new import between the answer and the naming of its inodes:
                // the same inode number, another file
                final FilesystemIndexBuilder renamed = new FilesystemIndexBuilder(4096);
                renamed.onRecord(259, 0, MIB, 4096, Owner.data(131), 0, 0);
                renamed.device(DATA, 8 * MIB);
                renamed.dataDevice(DATA);
                renamed.target().path(131, "new/131");
                replaceAndRefresh(index, renamed, directory);
                assertEquals("new/131", index.path(131));
                for (int i = 0; i < report.killCount(); i++)
                {
                    named.add(report.killInode(i) + " " + service.path(report.killInode(i)));
                }
            });
            assertEquals(List.of("131 one/131"), named, "the old import's path for the old import's inode");
            // the next event is answered from the new import, and names its paths
            assertEquals(List.of("none"), answerKills(service, FailureEvent.physical(PMEM0 + 100, 12)));
            final List<String> next = answerKills(service, FailureEvent.physical(PMEM0 + MIB + 100, 12));
            assertEquals(List.of("131 new/131"), next);
        }
    }

    /** The kill list of an event's reports as "inode path", named while the report is handled; "none" if empty. */
    private static List<String> answerKills(final FailureService service, final FailureEvent event)
    {
        final List<String> kills = new ArrayList<>();
        service.report(event, new FailureReport(), report ->
        {
            for (int i = 0; i < report.killCount(); i++)
            {
                kills.add(report.killInode(i) + " " + service.path(report.killInode(i)));
            }
            if (report.killCount() == 0)
            {
                kills.add("none");
            }
        });
        return kills;
    }
}
