package io.daxrmap.store;

import io.daxrmap.format.DeviceNumber;
import io.daxrmap.index.CorruptIndexException;
import io.daxrmap.model.Owner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CatalogTest
{
    @TempDir
    Path temp;

    @Test
    void shouldKeepEveryFieldAndPathsWithTabsAndNewlines() throws IOException
    {
        final Path file = temp.resolve(Catalog.FILE_NAME);
        final Map<Long, String> paths = new TreeMap<>();
        for (long inode = 128; inode < 1128; inode++)
        {
            paths.put(inode, "dir " + inode % 7 + "/file\t" + inode + (inode % 11 == 0 ? "\nodd" : ""));
        }
        Catalog.write(file, paths, 0x700);
        try (Catalog catalog = Catalog.open(file))
        {
            assertEquals(1000, catalog.size());
            assertEquals(paths, catalog.paths());
            assertEquals(new Catalog.Entry("dir 5/file\t131", -1, 0x700, -1), catalog.get(131));
            assertNull(catalog.get(5));
        }
    }

    @Test
    void shouldKeepTheSurrogateEscapesOfNamesThatAreNotUtf8() throws IOException
    {
        // a name's bytes that are not UTF-8 are held as the lone surrogates U+DC80..U+DCFF, one a byte (as Python's
        // surrogateescape): a catalog must give them back as they were, not as U+FFFD or '?'
        final Path file = temp.resolve(Catalog.FILE_NAME);
        final Map<Long, String> paths = new TreeMap<>();
        paths.put(131L, "bad\udcff\udcfename");
        paths.put(132L, "dir\udcfe/f1");
        paths.put(133L, "\udc80\u00e9\ud83d\ude00\udcff");
        // long ones among short ones: their entries are sized for 3 bytes an escape
        paths.put(134L, "\udcff".repeat(255));
        paths.put(135L, ("d" + "\udcfe".repeat(254) + "/").repeat(4) + "\udcff".repeat(255));
        paths.put(136L, "\ud83d\ude00".repeat(200));
        Catalog.write(file, paths, 0x700);
        try (Catalog catalog = Catalog.open(file))
        {
            assertEquals(paths, catalog.paths());
            assertEquals("bad\udcff\udcfename", catalog.get(131).path());
        }
    }

    /**
     * Paths longer than the 64 bytes the map was once sized by (found by a review): many of 200 bytes, one of 4,000
     * among short ones, long ones of multi-byte characters.
     */
    @Test
    void shouldHoldLongPaths() throws IOException
    {
        final Map<Long, String> deep = new TreeMap<>();
        for (long inode = 128; inode < 148; inode++)
        {
            deep.put(inode, "d/".repeat(99) + inode);
        }
        final Map<Long, String> oneLong = new TreeMap<>();
        for (long inode = 128; inode < 228; inode++)
        {
            oneLong.put(inode, inode == 150 ? "x".repeat(4000) : "f" + inode);
        }
        final Map<Long, String> wide = new TreeMap<>();
        for (long inode = 128; inode < 1128; inode++)
        {
            wide.put(inode, "\u00e9t\u00e9/".repeat(30) + "\u6587\u4ef6" + inode);
        }
        for (final Map<Long, String> paths : Arrays.asList(deep, oneLong, wide))
        {
            final Path file = Files.createTempFile(temp, "catalog", ".cmap");
            Files.delete(file);
            Catalog.write(file, paths, 0x700);
            try (Catalog catalog = Catalog.open(file))
            {
                assertEquals(paths, catalog.paths());
            }
        }
    }

    @Test
    void shouldLetASecondMappingSeeWhatTheFirstWrites() throws IOException
    {
        final Path file = temp.resolve(Catalog.FILE_NAME);
        Catalog.write(file, Map.of(1L, "one"), 7);
        try (Catalog writer = Catalog.open(file); Catalog reader = Catalog.open(file))
        {
            writer.put(2, new Catalog.Entry("two", 42, 7, 4096));
            assertEquals(new Catalog.Entry("two", 42, 7, 4096), reader.get(2));
        }
    }

    @Test
    void shouldFollowTheCatalogWhenANewImportReplacesTheIndexDirectory() throws IOException
    {
        final Path directory = temp.resolve("index");
        IndexStore.create(builder(131, "old/name"), directory).close();
        try (FilesystemIndex follower = IndexStore.load(directory))
        {
            assertEquals("old/name", follower.path(131));
            assertFalse(follower.refreshCatalog());

            IndexStore.create(builder(132, "new/name"), directory).close();
            assertTrue(follower.refreshCatalog());
            assertEquals("new/name", follower.path(132));
            assertNull(follower.path(131));
            assertEquals(Map.of(132L, "new/name"), follower.paths());
            assertFalse(follower.refreshCatalog());
        }
    }

    private static FilesystemIndexBuilder builder(final long inode, final String path)
    {
        final FilesystemIndexBuilder builder = new FilesystemIndexBuilder(4096);
        builder.onRecord(259, 0, 8192, 4096, Owner.data(inode), 0, 0);
        builder.device(DeviceNumber.encode(259, 0), 1 << 20);
        builder.target().path(inode, path);
        return builder;
    }

    @Test
    void shouldRefuseAMissingOrForeignFile() throws IOException
    {
        final CorruptIndexException missing = assertThrows(CorruptIndexException.class,
            () -> Catalog.open(temp.resolve("none")));
        assertTrue(missing.getMessage().endsWith(": missing"), missing.getMessage());
        final Path foreign = temp.resolve("foreign");
        Files.writeString(foreign, "x".repeat(5000));
        final CorruptIndexException ex = assertThrows(CorruptIndexException.class, () -> Catalog.open(foreign));
        assertTrue(ex.getMessage().startsWith(foreign + ": not a catalog"), ex.getMessage());
    }

    @Test
    void shouldRefuseAnUnfinishedHeaderAtOnceAndLeaveItAsItWas() throws IOException
    {
        final Path file = temp.resolve(Catalog.FILE_NAME);
        Catalog.write(file, Map.of(1L, "one"), 7);
        final byte[] bytes = Files.readAllBytes(file);
        Arrays.fill(bytes, 8, 12, (byte)0); // the header's size word, as a writer leaves it before the header is done
        Files.write(file, bytes);
        final long start = System.nanoTime();
        final CorruptIndexException ex = assertThrows(CorruptIndexException.class, () -> Catalog.open(file));
        assertEquals(file + ": header incomplete: sizeWord=0x0", ex.getMessage());
        assertTrue(System.nanoTime() - start < 10_000_000_000L, "refused at once, not after waiting for a writer");
        assertArrayEquals(bytes, Files.readAllBytes(file));
    }
}
