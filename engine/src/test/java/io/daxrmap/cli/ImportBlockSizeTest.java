package io.daxrmap.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A dump whose records are not whole blocks of {@code --block-size} imports as it is, and the user is told, with the
 * first such record's place and, where {@code filefrag -v} states the block size it counts in, that size.
 */
class ImportBlockSizeTest
{
    @TempDir
    Path temp;

    /** A file of a filesystem of 1 KiB blocks: 3 blocks at block 101, which is not on a 4 KiB boundary. */
    private Path filefrag1k(final String flags) throws IOException
    {
        final Path filefrag = temp.resolve("small-blocks.filefrag");
        Files.writeString(filefrag, "Filesystem type is: 58465342\n" + listing("/mnt/a", flags));
        return filefrag;
    }

    private static String listing(final String path, final String flags)
    {
        return "File size of " + path + " is 3072 (3 blocks of 1024 bytes)\n" +
            " ext:     logical_offset:        physical_offset: length:   expected: flags:\n" +
            "   0:        0..       2:        101..       103:      3:             " + flags + "\n" +
            path + ": 1 extent found\n";
    }

    private static String warning(final int count, final String first, final String advice)
    {
        return "daxrmap import: warning: records not in whole blocks of 4096 bytes (--block-size): " + count +
            ", the first at " + first + "; held as they are, but dump and query with --units blocks refuse them; " +
            advice + "\n";
    }

    @Test
    void shouldNameTheBlockSizeAFilefragListingCountsInWhereItsExtentsAreNotWholeBlocksOfTheIndexs()
        throws IOException
    {
        final Path filefrag = filefrag1k("last,eof");
        final CliRun told = CliRun.run("import", "--format", "fiemap", filefrag.toString(), "-o",
            temp.resolve("4k").toString());
        assertEquals(0, told.status(), told.err());
        assertEquals(warning(1, filefrag + ":4", "that listing counts in blocks of 1024 bytes: --block-size 1024 if " +
            "that is the filesystem's"), told.err());
        final CliRun refused = CliRun.run("dump", temp.resolve("4k").toString(), "--units", "blocks");
        assertEquals(2, refused.status(), "as the warning says");
        // held as they are: the extent's bytes, whatever the block size
        final CliRun dumped = CliRun.run("dump", temp.resolve("4k").toString());
        assertTrue(dumped.out().contains(",202,207,inode_1_data,0,5,6\n"), dumped.out());

        final CliRun right = CliRun.run("import", "--format", "fiemap", "--block-size", "1024", filefrag.toString(),
            "-o", temp.resolve("1k").toString());
        assertEquals(0, right.status(), right.err());
        assertEquals("", right.err());
        final CliRun blocks = CliRun.run("dump", temp.resolve("1k").toString(), "--units", "blocks");
        assertEquals(0, blocks.status(), blocks.err());
        assertTrue(blocks.out().contains(",101,103,inode_1_data,0,2,3\n"), blocks.out());
    }

    @Test
    void shouldTellExtentsTheKernelSaysNeedNotBeAlignedApartWithoutABlockSizeToSuggest() throws IOException
    {
        for (final String flag : new String[] {"not_aligned", "tail_packed"})
        {
            final Path filefrag = filefrag1k("last," + flag + ",eof");
            final CliRun result = CliRun.run("import", "--format", "fiemap", filefrag.toString(), "-o",
                temp.resolve(flag).toString());
            assertEquals(0, result.status(), result.err());
            assertEquals("daxrmap import: warning: extents flagged not_aligned or tail_packed, not in whole blocks of " +
                "4096 bytes: 1, the first at " + filefrag + ":4; held as they are, but dump and query with --units " +
                "blocks refuse them\n", result.err(), flag);
        }
    }

    @Test
    void shouldCountAHardLinkListedAgainOnceAndNameTheFirstRecordAcrossFiles() throws IOException
    {
        final Path aligned = temp.resolve("aligned.filefrag");
        Files.writeString(aligned, "Filesystem type is: 58465342\n" +
            "File size of /mnt/c is 4096 (1 block of 4096 bytes)\n" +
            " ext:     logical_offset:        physical_offset: length:   expected: flags:\n" +
            "   0:        0..       0:         50..        50:      1:             last,eof\n" +
            "/mnt/c: 1 extent found\n");
        final Path linked = temp.resolve("linked.filefrag");
        Files.writeString(linked, "Filesystem type is: 58465342\n" + listing("/mnt/a", "last,eof") +
            listing("/mnt/b", "last,eof"));
        final Path inodes = temp.resolve("inodes");
        Files.writeString(inodes, "7 /mnt/c\n5 /mnt/a\n5 /mnt/b\n");
        final CliRun result = CliRun.run("import", "--format", "fiemap", "--inodes", inodes.toString(),
            aligned.toString(), linked.toString(), "-o", temp.resolve("index").toString());
        assertEquals(0, result.status(), result.err());
        assertEquals(warning(1, linked + ":4", "that listing counts in blocks of 1024 bytes: --block-size 1024 if " +
            "that is the filesystem's"), result.err());
    }

    @Test
    void shouldCountTheFsmapRecordsThatAreNotWholeBlocksAndNameTheFirst() throws IOException
    {
        final Path csv = temp.resolve("sectors.csv");
        Files.writeString(csv, "EXT,MAJOR,MINOR,PSTART,PEND,OWNER,OSTART,OEND,LENGTH\n" +
            "0,7,0,0,7,special_0:1,,,8\n1,7,0,8,9,inode_131_data,0,1,2\n2,7,0,10,15,special_0:1,,,6\n");
        final CliRun result = CliRun.run("import", csv.toString(), "-o", temp.resolve("index").toString());
        assertEquals(0, result.status(), result.err());
        assertEquals(warning(2, csv + ":3", "give the block size of the filesystem they were dumped from"),
            result.err());
        final CliRun sectors = CliRun.run("import", "--block-size", "512", csv.toString(), "-o",
            temp.resolve("sectors").toString());
        assertEquals("", sectors.err());
    }
}
