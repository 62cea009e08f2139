package io.daxrmap.failure;

import io.daxrmap.index.ReverseIndex;
import io.daxrmap.model.Owner;
import io.daxrmap.store.FilesystemIndex;
import io.daxrmap.store.FilesystemIndexBuilder;
import io.daxrmap.store.IndexStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link FailureService#reportFromLastLook}: an event answered from the service's last look at a loaded index, as
 * the command answers a burst of events received together, takes in nothing new and allocates nothing.
 */
class LastLookTest
{
    private static final int DATA = FollowedDeviceListTest.DATA;
    private static final long MIB = FollowedDeviceListTest.MIB;
    private static final long PMEM0 = FollowedDeviceListTest.PMEM0;
    /** pmem0 over the data device; pmem1 over a device these indexes do not have. */
    private static final Regions REGIONS = FollowedDeviceListTest.REGIONS;

    @TempDir
    Path temp;

    /** Import {@code g}: inode 1000 + g holds the device's first 64 blocks, 2000 + g the next 64, named "g{g}". */
    private static void create(final int g, final Path directory) throws IOException
    {
        final FilesystemIndexBuilder builder = new FilesystemIndexBuilder(4096);
        builder.onRecord(259, 0, 0, 64 * 4096, Owner.data(1000 + g), 0, 0);
        builder.onRecord(259, 0, 64 * 4096, 64 * 4096, Owner.data(2000 + g), 0, 0);
        builder.device(DATA, 8 * MIB);
        builder.dataDevice(DATA);
        builder.target().path(1000 + g, "g" + g);
        IndexStore.create(builder, directory).close();
    }

    private static String kills(final FailureService service, final boolean look)
    {
        return kills(service, FailureEvent.physical(PMEM0 + 100, 12), look);
    }

    private static String kills(final FailureService service, final FailureEvent event, final boolean look)
    {
        final StringBuilder kills = new StringBuilder();
        final FailureService.ReportHandler handler = report ->
        {
            for (int i = 0; i < report.killCount(); i++)
            {
                kills.append(report.killInode(i)).append('=').append(service.path(report.killInode(i))).append(';');
            }
        };
        if (look)
        {
            service.report(event, new FailureReport(), handler);
        }
        else
        {
            service.reportFromLastLook(event, new FailureReport(), handler);
        }
        return kills.toString();
    }

    @Test
    void shouldAnswerFromTheLastLookUntilAReportLooksAgain() throws IOException
    {
        final Path directory = temp.resolve("index");
        create(0, directory);
        try (FilesystemIndex index = IndexStore.load(directory))
        {
            final FailureService service = FailureService.of(index, REGIONS);
            create(1, directory); // replaced before the service's first report
            assertEquals("1001=g1;", kills(service, false), "a service's first report looks");
            create(2, directory);
            assertEquals("1001=g1;", kills(service, false), "answered as the last look found, named from its catalog");
            assertEquals("1002=g2;", kills(service, true), "a report looks");
            assertEquals("1002=g2;", kills(service, false));
        }
    }

    @Test
    void shouldAnswerFromTheLastLookWithEveryDeviceAsNewAsThatLook() throws IOException
    {
        // an event outside every device looks at the index, then one on the device, received before that look, is
        // answered from it: its device must be as new as the look, though the look's own event touched no device
        for (final long looking : new long[]{PMEM0 + 4096, PMEM0 + 1024 * MIB})
        {
            final Path directory = temp.resolve("writer-" + looking);
            create(0, directory);
            final FailureEvent free = FailureEvent.physical(PMEM0 + 200 * 4096L, 12);
            try (FilesystemIndex index = IndexStore.load(directory))
            {
                final FailureService service = FailureService.of(index, REGIONS);
                assertEquals("", kills(service, free, true), "block 200 is free");
                try (ReverseIndex writer = ReverseIndex.open(directory.resolve(IndexStore.deviceDirectory(DATA))))
                {
                    writer.newBatch().map(Owner.data(3000), 0, 200 * 4096L, 4096, 0).commit();
                }
                kills(service, FailureEvent.physical(looking, 12), true);
                assertEquals("3000=null;", kills(service, free, false), "looked at from 0x" + Long.toHexString(looking));
            }
        }
    }

    @Test
    void shouldNotAllocateAnsweringFromTheLastLookAtALoadedIndex() throws IOException
    {
        final Path directory = temp.resolve("index");
        create(0, directory);
        try (FilesystemIndex index = IndexStore.load(directory))
        {
            final FailureService service = FailureService.of(index, REGIONS);
            final FailureReport report = new FailureReport();
            final long[] kills = {0};
            final FailureService.ReportHandler handler = r -> kills[0] += r.killCount() + r.repairCount();
            final FailureEvent[] events = new FailureEvent[128];
            for (int i = 0; i < events.length; i++)
            {
                events[i] = FailureEvent.physical(PMEM0 + i * 4096L + (i % 64) * 64, 6 + i % 7);
            }
            service.report(events[0], report, handler);
            final int rounds = 100_000;
            for (int i = 0; i < rounds; i++)
            {
                service.reportFromLastLook(events[i & (events.length - 1)], report, handler);
            }
            final com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
            final long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < rounds; i++)
            {
                service.reportFromLastLook(events[i & (events.length - 1)], report, handler);
            }
            final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertTrue(kills[0] >= 2L * rounds, "events found nothing: kills=" + kills[0]);
            assertTrue(allocated <= 4096, "allocated=" + allocated + " bytes over " + rounds + " events");
        }
    }
}
