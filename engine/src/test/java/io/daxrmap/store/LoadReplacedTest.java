package io.daxrmap.store;

import io.daxrmap.format.DeviceNumber;
import io.daxrmap.index.IndexReader;
import io.daxrmap.model.Owner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A load's device indexes and catalog are of one import, though the directory is replaced while it loads, and though
 * its catalog was missing at the load's first look (the two renames of a replacement where directories cannot be
 * exchanged, or the first import arriving).
 */
class LoadReplacedTest
{
    private static final int DEVICE = DeviceNumber.encode(259, 0);

    @TempDir
    Path temp;

    private static FilesystemIndexBuilder builder(final long inode)
    {
        final FilesystemIndexBuilder builder = new FilesystemIndexBuilder(4096);
        builder.onRecord(259, 0, 8192, 4096, Owner.data(inode), 0, 0);
        builder.device(DEVICE, 1 << 20);
        builder.target().path(inode, "file" + inode);
        return builder;
    }

    /** The inode whose data the device index holds at byte 8192. */
    private static long inodeAt8192(final FilesystemIndex index)
    {
        final IndexReader reader = index.device(DEVICE).newReader();
        final long[] inode = {-1};
        reader.scan(8192, 8192, (deviceOffset, length, owner, fileOffset, flags) ->
        {
            inode[0] = Owner.inode(owner);
            return false;
        });
        return inode[0];
    }

    @Test
    void shouldLoadAgainWhenTheCatalogMissingAtTheFirstLookIsOfAnotherImportThanTheDevices() throws IOException
    {
        final Path first = temp.resolve("first");
        final Path second = temp.resolve("second");
        IndexStore.create(builder(1001), first).close();
        IndexStore.create(builder(1002), second).close();
        final Path index = temp.resolve("index"); // not there at the first look: no catalog to compare
        final int[] looks = {0};
        final int[] catalogs = {0};
        try (FilesystemIndex loaded = IndexStore.load(index,
            () ->
            {
                if (looks[0]++ == 0)
                {
                    Files.move(first, index); // the first import arrives
                }
            },
            () ->
            {
                if (catalogs[0]++ == 0)
                {
                    // its devices are open; the second import takes its place before its catalog is
                    Files.move(index, temp.resolve("first-old"));
                    Files.move(second, index);
                }
            }))
        {
            assertEquals(2, looks[0], "loaded again");
            assertEquals(1002, inodeAt8192(loaded));
            assertEquals("file1002", loaded.path(1002));
            assertEquals(1, loaded.paths().size(), loaded.paths().toString());
        }
    }
}
