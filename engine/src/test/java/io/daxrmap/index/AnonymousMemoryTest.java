package io.daxrmap.index;

import org.agrona.BufferUtil;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class AnonymousMemoryTest
{
    private static final int SIZE = 16 << 20;

    @Test
    void shouldHandOutZeroedWritableMemory()
    {
        final ByteBuffer buffer = AnonymousMemory.allocate(SIZE);
        assertEquals(SIZE, buffer.capacity());
        assertTrue(buffer.isDirect());
        assertEquals(0, BufferUtil.address(buffer) % 64, "64-byte aligned");
        for (int i = 0; i < SIZE; i += 4096)
        {
            assertEquals(0, buffer.get(i), "zeroed at " + i);
            buffer.putLong(i, i + 1L);
        }
        for (int i = 0; i < SIZE; i += 4096)
        {
            assertEquals(i + 1L, buffer.getLong(i));
        }
    }

    /**
     * The kernel's own account of the mapping: with THP in {@code madvise} or {@code always} mode, the advised slab is
     * backed by huge pages (the kernel may fall back to 4 KiB pages when it cannot find free 2 MiB ones, so this asks
     * for some, not all).
     */
    @Test
    void shouldBeBackedByHugePagesWhereTheKernelOffersThem() throws IOException
    {
        final Path mode = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");
        requireOrSkip(AnonymousMemory.advised(), "huge pages are not advised on this platform");
        requireOrSkip(Files.isReadable(mode) && !Files.readString(mode).contains("[never]"),
            "transparent huge pages are disabled on this kernel");
        final ByteBuffer buffer = AnonymousMemory.allocate(SIZE);
        for (int i = 0; i < SIZE; i += 4096)
        {
            buffer.put(i, (byte)1);
        }
        final long address = BufferUtil.address(buffer);
        final long hugeKilobytes = anonHugePages(address);
        assertTrue(hugeKilobytes > 0, "AnonHugePages of the slab's mapping: " + hugeKilobytes + " kB");
    }

    /**
     * A released mapping is kept and handed out again, zeroed, instead of faulting in fresh memory.
     */
    @Test
    void shouldHandOutAReleasedMappingAgainZeroed() throws InterruptedException
    {
        requireOrSkip(AnonymousMemory.advised(), "plain direct buffers are the JDK's to release");
        final long length = SIZE;
        // other tests' dropped arenas could fill the pool just before this mapping is released: it must find room
        MappingPool.settleAndEmpty();
        final long pooledBefore = AnonymousMemory.pooledBytes();
        ByteBuffer dropped = AnonymousMemory.allocate(SIZE);
        final long address = BufferUtil.address(dropped);
        for (int i = 0; i < SIZE; i += 8)
        {
            dropped.putLong(i, -1L);
        }
        dropped = null;
        for (int wait = 0; wait < 200 && !AnonymousMemory.pooled(address); wait++)
        {
            System.gc();
            Thread.sleep(10);
        }
        assertTrue(AnonymousMemory.pooled(address), "kept once unreachable: pooled=" + AnonymousMemory.pooledBytes() +
            " mapped=" + AnonymousMemory.mappedBytes() + " reused=" + AnonymousMemory.reusedMappings());
        final long pooled = AnonymousMemory.pooledBytes();
        assertTrue(pooled >= pooledBefore + length, "pooled=" + pooled + " before=" + pooledBefore);
        final long mapped = AnonymousMemory.mappedBytes();

        final ByteBuffer again = AnonymousMemory.allocate(SIZE);
        assertEquals(pooled - length, AnonymousMemory.pooledBytes(), "taken from the pool");
        assertEquals(mapped, AnonymousMemory.mappedBytes(), "nothing newly mapped");
        for (int i = 0; i < SIZE; i += 8)
        {
            if (again.getLong(i) != 0)
            {
                throw new AssertionError("not zeroed at " + i);
            }
        }
    }

    /**
     * Slabs dropped without a collection in sight (as a compaction drops a whole arena) do not pile up past the
     * limit: an allocation that would pass it collects and waits for the unmapping, and one that still cannot fit
     * fails as a direct buffer would.
     */
    @Test
    void shouldReclaimDroppedSlabsBeforePassingTheLimitAndRefuseBeyondIt()
    {
        requireOrSkip(AnonymousMemory.advised(), "plain direct buffers are bounded by the JDK itself here");
        final long limit = AnonymousMemory.mappedBytes() + 4L * SIZE;
        withLimit(limit, () ->
        {
            for (int i = 0; i < 40; i++)
            {
                final ByteBuffer dropped = AnonymousMemory.allocate(SIZE);
                dropped.put(0, (byte)1);
                assertTrue(AnonymousMemory.mappedBytes() <= limit, "mapped=" + AnonymousMemory.mappedBytes());
            }
            // other tests' dropped arenas may still be unmapped meanwhile and make room: allocate until refused
            final List<ByteBuffer> held = new java.util.ArrayList<>();
            assertThrows(OutOfMemoryError.class, () ->
            {
                for (int i = 0; i < 256; i++)
                {
                    held.add(AnonymousMemory.allocate(SIZE));
                }
            });
            assertTrue(AnonymousMemory.mappedBytes() <= limit, "mapped=" + AnonymousMemory.mappedBytes());
            assertTrue(held.size() < 256, "held=" + held.size());
        });
    }

    /**
     * A batch whose commit runs out of off-heap memory (an {@link OutOfMemoryError}, not a runtime exception) leaves
     * the index as it was and the writer free for the next batch.
     */
    @Test
    void shouldFreeTheWriterAndKeepTheIndexWhenACommitRunsOutOfMemory()
    {
        requireOrSkip(AnonymousMemory.advised(), "plain direct buffers are bounded by the JDK itself here");
        final ReverseIndex index = ReverseIndex.create(
            new IndexConfig(new io.daxrmap.model.DeviceGeometry(0, 1L << 40, 4096), 1 << 20));
        final long block = 4096;
        final int perBatch = 2000;
        // earlier tests' dropped arenas wait in the pool, and reusing them passes no limit: hold them
        final List<ByteBuffer> held = holdPooledSlabs();
        final long[] refusedMaps = new long[2];
        final Batch[] next = new Batch[1];
        withLimit(AnonymousMemory.mappedBytes() + 3L * SIZE, () ->
        {
            long maps = 0;
            long liveBefore = 0;
            long versionBefore = 0;
            OutOfMemoryError refused = null;
            while (refused == null && maps < 4_000_000)
            {
                while (AnonymousMemory.pooledBytes() >= SIZE)
                {
                    held.add(AnonymousMemory.allocate(SIZE)); // arenas a collection dropped meanwhile
                }
                liveBefore = index.liveBytes;
                versionBefore = index.version();
                final Batch batch = index.newBatch();
                for (int i = 0; i < perBatch; i++, maps++)
                {
                    batch.map(io.daxrmap.model.Owner.data(1 + maps), 0, 2 * block * maps, block, 0);
                }
                try
                {
                    batch.commit();
                }
                catch (final OutOfMemoryError ex)
                {
                    refused = ex;
                }
            }
            assertTrue(refused != null, "the limit was never reached: maps=" + maps);
            assertEquals(versionBefore, index.version());
            assertEquals(liveBefore, index.liveBytes, "live bytes as before the batch");
            final long firstRefused = maps - perBatch;
            refusedMaps[0] = firstRefused;
            refusedMaps[1] = maps;
            final IndexReader reader = index.newReader();
            reader.scan(2 * block * firstRefused, 2 * block * maps, (d, l, o, f, fl) ->
            {
                assertEquals(io.daxrmap.model.Owner.FREE, o, "nothing of the refused batch: device=" + d);
                return true;
            });
            next[0] = index.newBatch(); // the writer is free
        });
        held.clear();
        // the refused batch again, now that memory is there: the next batch starts from none of its working copies
        final Batch again = next[0];
        for (long m = refusedMaps[0]; m < refusedMaps[1]; m++)
        {
            again.map(io.daxrmap.model.Owner.data(1 + m), 0, 2 * block * m, block, 0);
        }
        again.commit();
        final long[] owners = new long[1];
        index.newReader().scan(2 * block * refusedMaps[0], 2 * block * refusedMaps[1] - 1, (d, l, o, f, fl) ->
        {
            if (o != io.daxrmap.model.Owner.FREE)
            {
                assertEquals(io.daxrmap.model.Owner.data(1 + d / (2 * block)), o, "device=" + d);
                owners[0]++;
            }
            return true;
        });
        assertEquals(refusedMaps[1] - refusedMaps[0], owners[0], "each map of the batch again, once");
        index.newBatch().map(io.daxrmap.model.Owner.data(1), block, block, block, 0).commit();
        index.close();
    }

    /**
     * A commit whose batch starts a compaction that runs out of off-heap memory still commits: the batch is
     * published, and the failure is kept for {@link ReverseIndex#lastCompactionFailure()}.
     */
    @Test
    void shouldCommitWhenTheCompactionItStartsRunsOutOfMemory()
    {
        requireOrSkip(AnonymousMemory.advised(), "plain direct buffers are bounded by the JDK itself here");
        final ReverseIndex index = ReverseIndex.create(Workload.config());
        Workload.apply(index, 42, 4);
        final List<ByteBuffer> held = holdPooledSlabs();
        final long version = index.version();
        withLimit(AnonymousMemory.mappedBytes(), () ->
        {
            // 70,000 share groups in one batch: past the count that starts a compaction, in the arena's first slab
            final Batch batch = index.newBatch();
            for (int i = 0; i < 70_000; i++)
            {
                batch.reflink(io.daxrmap.model.Owner.data(104), 0, io.daxrmap.model.Owner.data(100_000 + i), 0,
                    Workload.BLOCK);
            }
            batch.commit();
            assertEquals(version + 1, index.version());
            assertEquals(0, index.compactions());
            assertTrue(index.lastCompactionFailure() instanceof OutOfMemoryError, "" + index.lastCompactionFailure());
        });
        held.clear();
        index.compactNow();
        assertEquals(1, index.compactions());
        index.close();
    }

    /**
     * Take every slab the pool holds, and those that collections of earlier tests' arenas bring to it, until a
     * collection brings none: reusing them passes no limit.
     */
    private static List<ByteBuffer> holdPooledSlabs()
    {
        final List<ByteBuffer> held = new java.util.ArrayList<>();
        for (int round = 0; round < 20; round++)
        {
            final int before = held.size();
            System.gc();
            try
            {
                Thread.sleep(50);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                break;
            }
            while (AnonymousMemory.pooledBytes() >= SIZE)
            {
                held.add(AnonymousMemory.allocate(SIZE));
            }
            if (round > 0 && held.size() == before)
            {
                break;
            }
        }
        return held;
    }

    /**
     * Run with {@link AnonymousMemory#LIMIT_PROPERTY} set, then restore it.
     */
    private static void withLimit(final long limit, final Runnable body)
    {
        final String before = System.getProperty(AnonymousMemory.LIMIT_PROPERTY);
        System.setProperty(AnonymousMemory.LIMIT_PROPERTY, Long.toString(limit));
        try
        {
            body.run();
        }
        finally
        {
            if (before == null)
            {
                System.clearProperty(AnonymousMemory.LIMIT_PROPERTY);
            }
            else
            {
                System.setProperty(AnonymousMemory.LIMIT_PROPERTY, before);
            }
        }
    }

    /**
     * Skip the test with the reason, or fail it under {@code CI=true}: CI's machine has the calls and THP, so there
     * it must run (as {@code LoopFilesystem} does for the real-filesystem tests).
     */
    private static void requireOrSkip(final boolean condition, final String reason)
    {
        if (!condition && "true".equals(System.getenv("CI")))
        {
            fail("CI=true: " + reason);
        }
        assumeTrue(condition, reason);
    }

    private static long anonHugePages(final long address) throws IOException
    {
        final List<String> lines = Files.readAllLines(Path.of("/proc/self/smaps"));
        boolean inside = false;
        for (final String line : lines)
        {
            final int dash = line.indexOf('-');
            final int space = line.indexOf(' ');
            if (dash > 0 && space > dash && line.substring(0, dash).matches("[0-9a-f]+"))
            {
                final long start = Long.parseUnsignedLong(line.substring(0, dash), 16);
                final long end = Long.parseUnsignedLong(line.substring(dash + 1, space), 16);
                inside = start <= address && address < end;
            }
            else if (inside && line.startsWith("AnonHugePages:"))
            {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new AssertionError("no mapping holds address 0x" + Long.toHexString(address));
    }
}
