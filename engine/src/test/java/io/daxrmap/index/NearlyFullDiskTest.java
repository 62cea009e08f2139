package io.daxrmap.index;

import io.daxrmap.source.LoopFilesystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A persistent index on a nearly full filesystem takes batches as long as their blocks fit: the space reserved ahead
 * of the slab's blocks (SlabFiles.reserve) is a step of up to 1 MiB, and where a step does not fit any more the pages
 * the blocks need are reserved instead. A hunt found every commit refused while 184 KiB were free. After the
 * filesystem fills, freeing space lets commits go on. Needs root (a tmpfs): skipped with the reason outside CI, failed
 * under CI=true.
 */
class NearlyFullDiskTest
{
    private static final long KEEP_FREE = 600_000;

    @TempDir
    Path temp;

    @Test
    void shouldTakeBatchesWhileTheirBlocksFitAndGoOnOnceSpaceIsFreed() throws Exception
    {
        LoopFilesystem.requireEnvironment("mount", "umount");
        final Path mount = Files.createDirectory(temp.resolve("tmpfs"));
        LoopFilesystem.runCommand("mount", "-t", "tmpfs", "-o", "size=4m", "daxrmap-test", mount.toString());
        try
        {
            final Path filler = mount.resolve("filler");
            long committed = 0;
            try (ReverseIndex index = ReverseIndex.create(Workload.config(), mount.resolve("idx")))
            {
                index.logSlack(64L << 20); // no compaction: the log and the slab grow
                try (OutputStream out = Files.newOutputStream(filler))
                {
                    final byte[] page = new byte[4096];
                    while (Files.getFileStore(mount).getUsableSpace() > KEEP_FREE)
                    {
                        out.write(page);
                        out.flush();
                    }
                }
                long freeAtFailure = -1;
                for (long k = 1; k <= 100_000; k++)
                {
                    try
                    {
                        Workload.apply(index, 7, k);
                        committed = k;
                    }
                    catch (final UncheckedIOException ex)
                    {
                        assertTrue(String.valueOf(ex.getCause()).contains("No space left on device"), ex.toString());
                        freeAtFailure = Files.getFileStore(mount).getUsableSpace();
                        break;
                    }
                }
                assertTrue(freeAtFailure >= 0, "the filesystem filled up");
                assertTrue(freeAtFailure < 64 << 10, "refused only when the blocks do not fit: " + freeAtFailure +
                    " bytes free after " + committed + " batches");

                Files.delete(filler);
                Workload.apply(index, 7, committed + 1);
                committed++;
            }
            final ReverseIndex expected = ReverseIndex.create(Workload.config());
            for (long k = 1; k <= committed; k++)
            {
                Workload.apply(expected, 7, k);
            }
            try (ReverseIndex reopened = ReverseIndex.open(mount.resolve("idx")); expected)
            {
                assertEquals(committed, reopened.version(), "every acknowledged batch");
                assertEquals(Workload.scan(expected), Workload.scan(reopened), "every acknowledged batch, once");
            }
        }
        finally
        {
            LoopFilesystem.unmount(mount);
        }
    }

}
