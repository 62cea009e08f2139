package io.daxrmap.cli;

import io.daxrmap.store.IndexStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An index is built in a directory beside it whose name is the index's and 26 bytes more, within the 255 bytes of a
 * file name: a longer {@code -o} name is refused before any input is read (the input here is a FIFO nobody writes,
 * which a read would wait on forever), and a name of the longest length works.
 */
class OutputNameLengthTest
{
    private static final String HEADER = "EXT,MAJOR,MINOR,PSTART,PEND,OWNER,OSTART,OEND,LENGTH\n";

    @TempDir
    Path temp;

    @Test
    void shouldRefuseANameTooLongForItsBuildDirectoryBeforeReading() throws Exception
    {
        final Path fifo = temp.resolve("never-written");
        final Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertTrue(mkfifo.waitFor(30, TimeUnit.SECONDS) && mkfifo.exitValue() == 0, "mkfifo");
        final Path output = temp.resolve("a/b/" + "x".repeat(IndexStore.LONGEST_NAME + 1));
        final CliRun refused = assertTimeoutPreemptively(Duration.ofSeconds(30),
            () -> CliRun.run("import", fifo.toString(), "-o", output.toString()));
        assertEquals(2, refused.status());
        assertEquals("daxrmap import: " + output + ": name too long: 230 bytes; an index directory's name may have " +
            "229 (the directory it is built in beside it takes the name and 26 more)\n", refused.err());
        assertEquals(List.of(fifo), list(temp), "nothing made");
    }

    @Test
    void shouldImportIntoANameOfTheLongestLength() throws IOException
    {
        final Path dump = Files.writeString(temp.resolve("one.csv"), HEADER + "0,7,0,0,7,inode_131_data,0,7,8\n");
        final Path output = temp.resolve("x".repeat(IndexStore.LONGEST_NAME));
        final CliRun imported = CliRun.run("import", dump.toString(), "-o", output.toString());
        assertEquals(0, imported.status(), imported.err());
        assertEquals(List.of(dump, output), list(temp));
        assertEquals(HEADER + "0,7,0,0,7,inode_131_data,0,7,8\n", CliRun.run("dump", output.toString()).out());
    }

    private static List<Path> list(final Path directory) throws IOException
    {
        try (Stream<Path> entries = Files.list(directory))
        {
            return entries.sorted().toList();
        }
    }
}
