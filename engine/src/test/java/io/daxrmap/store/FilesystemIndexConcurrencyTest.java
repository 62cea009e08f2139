package io.daxrmap.store;

import io.daxrmap.failure.FailureEvent;
import io.daxrmap.failure.FailureReport;
import io.daxrmap.failure.FailureService;
import io.daxrmap.failure.Region;
import io.daxrmap.failure.Regions;
import io.daxrmap.failure.Verdict;
import io.daxrmap.format.DeviceNumber;
import io.daxrmap.model.Owner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Readers of a loaded index (path lookups, the whole catalog, the device list, failure reports) while another
 * thread puts one index directory and then another in its place and refreshes, again and again: every answer is the
 * answer of one of the two indexes, and none throws. Before refreshes were safe beside readers, a lookup could find
 * the catalog closed (an exception from Chronicle Map) or missing (a null path) while a refresh swapped it.
 */
class FilesystemIndexConcurrencyTest
{
    static final int DATA = DeviceNumber.encode(259, 0);
    static final int SECOND = DeviceNumber.encode(259, 16);
    static final long MIB = 1L << 20;
    static final long PMEM0 = 0x1_0000_0000L;
    static final long PMEM1 = 0x2_0000_0000L;
    static final Regions REGIONS = new Regions(List.of(
        new Region("pmem0", PMEM0, 64 * MIB, 0, 0, 0, Region.DATA_DEVICE, PMEM0),
        new Region("pmem1", PMEM1, 64 * MIB, 0, 0, 0, SECOND, PMEM1)));
    static final int READERS = 3;
    static final int SWAPS = 100;
    static final long MAX_NANOS = TimeUnit.SECONDS.toNanos(20);

    @TempDir
    Path temp;

    @Test
    void shouldAnswerFromOneIndexOrTheOtherWhileRefreshesSwapThem() throws Exception
    {
        final Path directory = temp.resolve("index");
        final Path spare = temp.resolve("spare");
        // A: one device, inode 131 at its start; B: two devices, inodes 141 and 142
        final FilesystemIndexBuilder a = new FilesystemIndexBuilder(4096);
        a.onRecord(259, 0, 0, 4096, Owner.data(131), 0, 0);
        a.device(DATA, 8 * MIB);
        a.target().path(131, "a/131");
        a.target().path(132, "a/132");
        IndexStore.create(a, directory).close();
        final FilesystemIndexBuilder b = new FilesystemIndexBuilder(4096);
        b.onRecord(259, 0, 0, 4096, Owner.data(141), 0, 0);
        b.onRecord(259, 16, 0, 4096, Owner.data(142), 0, 0);
        b.device(DATA, 8 * MIB);
        b.device(SECOND, 8 * MIB);
        b.dataDevice(DATA);
        b.target().path(131, "b/131");
        b.target().path(141, "b/141");
        b.target().path(142, "b/142");
        IndexStore.create(b, spare).close();
        final Set<Map<Long, String>> catalogs = Set.of(Map.of(131L, "a/131", 132L, "a/132"),
            Map.of(131L, "b/131", 141L, "b/141", 142L, "b/142"));
        final Set<String> paths131 = Set.of("a/131", "b/131");
        final Set<Set<Integer>> deviceLists = Set.of(Set.of(DATA), Set.of(DATA, SECOND));

        try (FilesystemIndex index = IndexStore.load(directory))
        {
            final AtomicBoolean stop = new AtomicBoolean();
            final Queue<String> wrong = new ConcurrentLinkedQueue<>();
            final AtomicLong answers = new AtomicLong();
            final List<Thread> readers = new ArrayList<>();
            for (int r = 0; r < READERS; r++)
            {
                final boolean reporting = r == 0;
                readers.add(new Thread(() ->
                {
                    final FailureService service = reporting ? FailureService.of(index, REGIONS) : null;
                    final FailureReport report = new FailureReport();
                    try
                    {
                        for (long i = 0; !stop.get(); i++)
                        {
                            check(wrong, "path(131)", index.path(131), paths131.contains(index.path(131)));
                            if ((i & 15) == 0)
                            {
                                final Map<Long, String> catalog = index.paths();
                                check(wrong, "paths()", catalog, catalogs.contains(catalog));
                                final Set<Integer> devices = index.devices().keySet();
                                check(wrong, "devices", devices, deviceLists.contains(devices));
                            }
                            if (service != null)
                            {
                                service.reportPage(FailureEvent.physical(PMEM0 + 100, 12), report);
                                check(wrong, "pmem0", report.verdict() + " " + report.killCount(),
                                    report.verdict() == Verdict.MAPPED && report.killCount() == 1 &&
                                    (report.killInode(0) == 131 || report.killInode(0) == 141));
                                service.reportPage(FailureEvent.physical(PMEM1 + 100, 12), report);
                                check(wrong, "pmem1", report.verdict() + " " + report.killCount(),
                                    report.verdict() == Verdict.OUTSIDE_FILESYSTEM ||
                                    report.verdict() == Verdict.MAPPED && report.killCount() == 1 &&
                                    report.killInode(0) == 142);
                            }
                            answers.incrementAndGet();
                        }
                    }
                    catch (final Throwable ex)
                    {
                        final StringWriter trace = new StringWriter();
                        ex.printStackTrace(new PrintWriter(trace));
                        wrong.add("reader threw " + trace);
                    }
                }, "reader-" + r));
            }
            readers.forEach(Thread::start);
            int swaps = 0;
            int taken = 0;
            final long deadline = System.nanoTime() + MAX_NANOS;
            try
            {
                while (swaps < SWAPS && System.nanoTime() < deadline && wrong.isEmpty())
                {
                    final long before = answers.get();
                    assumeTrue(DirectoryExchange.exchange(spare, directory), "directories cannot be exchanged here");
                    swaps++;
                    if (index.refreshCatalog())
                    {
                        taken++;
                    }
                    // let the readers answer from each index between the swaps
                    while (answers.get() < before + READERS && System.nanoTime() < deadline && wrong.isEmpty())
                    {
                        Thread.onSpinWait();
                    }
                }
            }
            finally
            {
                stop.set(true);
                for (final Thread reader : readers)
                {
                    reader.join();
                }
            }
            assertEquals(List.of(), List.copyOf(wrong).subList(0, Math.min(10, wrong.size())));
            assertTrue(swaps >= 50, "swaps=" + swaps);
            assertTrue(taken > 0, "taken=" + taken);
            // the last directory in place is the one answered from once all have refreshed
            index.refreshCatalog();
            assertEquals(swaps % 2 == 0 ? "a/131" : "b/131", index.path(131));
        }
    }

    private static void check(final Queue<String> wrong, final String what, final Object answer, final boolean valid)
    {
        if (!valid)
        {
            wrong.add(what + " answered " + answer);
        }
    }
}
