package io.daxrmap.failure;

import io.daxrmap.format.DeviceNumber;
import io.daxrmap.index.Batch;
import io.daxrmap.index.IndexConfig;
import io.daxrmap.index.ReverseIndex;
import io.daxrmap.model.DeviceGeometry;
import io.daxrmap.model.Owner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The page path (an event within one page -> kill, fatal and repair lists) allocates nothing once warm: private,
 * shared by 100 clones, self-shared, metadata and free pages, with sub-page and whole-page errors, measured with the
 * JVM's per-thread allocation counter.
 */
class AllocationFreeFailureTest
{
    private static final int BLOCK = 4096;
    private static final int EVENTS = 100_000;
    private static final long TOLERATED_BYTES = 4096;
    private static final long PHYS_BASE = 1L << 36;
    private static final long DATA_OFFSET = 2L << 20;
    private static final int DEVICE = DeviceNumber.encode(259, 1);

    private static ReverseIndex index;

    private long sink;

    @BeforeAll
    static void load()
    {
        index = ReverseIndex.create(new IndexConfig(new DeviceGeometry(DEVICE, 64L << 20, BLOCK), 4096));
        final Batch batch = index.newBatch();
        // 64 files of 16 extents of 1-8 blocks, a quarter unwritten, with holes; an inode chunk after each file.
        final SplittableRandom random = new SplittableRandom(3);
        long next = 0;
        for (int inode = 1000; inode < 1064; inode++)
        {
            for (int extent = 0; extent < 16; extent++)
            {
                final long blocks = 1 + random.nextInt(8);
                batch.map(Owner.data(inode), extent * 9L * BLOCK, next, blocks * BLOCK, random.nextInt(4) == 0 ? 1 : 0);
                next += (blocks + random.nextInt(2)) * BLOCK;
            }
            batch.allocMetadata(Owner.XFS_INODES, next, 2 * BLOCK);
            next += 3 * BLOCK;
        }
        for (int clone = 0; clone < 100; clone++)
        {
            batch.reflink(Owner.data(1000), 0, Owner.data(5000 + clone), 0, 1 << 20);
        }
        batch.reflink(Owner.data(1001), 0, Owner.data(1001), 8L << 20, 64 * BLOCK);
        batch.commit();
    }

    @AfterAll
    static void close()
    {
        index.close();
    }

    @Test
    void shouldNotAllocateOnThePagePathWhenWarm()
    {
        final Regions regions = new Regions(List.of(Region.of("pmem0", PHYS_BASE, (64L << 20) + DATA_OFFSET, 0,
            DATA_OFFSET, 0)));
        final FailureService service = new FailureService(regions, Map.of(DEVICE, index), DEVICE);
        final FailureReport report = new FailureReport();
        final FailureEvent[] events = new FailureEvent[4096];
        final SplittableRandom random = new SplittableRandom(11);
        for (int i = 0; i < events.length; i++)
        {
            final long phys = PHYS_BASE + DATA_OFFSET + random.nextLong(5L << 20);
            events[i] = i % 3 == 0 ? FailureEvent.pfn(phys >>> 12, "{}") : FailureEvent.physical(phys, 6 + i % 7);
        }

        run(service, report, events);
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long before = threads.getCurrentThreadAllocatedBytes();
        run(service, report, events);
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertTrue(sink > EVENTS, "events found nothing: sink=" + sink);
        assertTrue(allocated <= TOLERATED_BYTES, "allocated=" + allocated + " bytes over " + EVENTS + " events");
    }

    private void run(final FailureService service, final FailureReport report, final FailureEvent[] events)
    {
        for (int i = 0; i < EVENTS; i++)
        {
            service.reportPage(events[i & (events.length - 1)], report);
            sink += report.killCount() + report.fatalCount() + report.repairCount();
        }
    }
}
