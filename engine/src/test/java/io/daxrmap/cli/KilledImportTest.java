package io.daxrmap.cli;

import io.daxrmap.index.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * An import killed with SIGKILL while it builds leaves its build directory ({@code .NAME.tmp-*}) beside the target;
 * the next import of that target removes it. The killed import runs in a child JVM without the JIT, so that its
 * build lasts long enough to be caught.
 */
class KilledImportTest
{
    private static final String HEADER = "EXT,MAJOR,MINOR,PSTART,PEND,OWNER,OSTART,OEND,LENGTH\n";

    @TempDir
    Path tempDir;

    @Test
    void shouldRemoveWhatAKilledImportLeftWhenTheTargetIsImportedAgain() throws Exception
    {
        final Path temp = tempDir.toRealPath();
        final Path dump = temp.resolve("records.csv");
        try (BufferedWriter out = Files.newBufferedWriter(dump))
        {
            out.write(HEADER);
            for (int i = 0; i < 100_000; i++)
            {
                out.write(i + ",7,0," + i * 16L + "," + (i * 16L + 7) + ",inode_" + (1000 + i % 500) + "_data," +
                    (i / 500) * 8L + "," + ((i / 500) * 8L + 7) + ",8\n");
            }
        }
        final Path parent = Files.createDirectory(temp.resolve("out"));
        final Path index = parent.resolve("idx");
        final Process child = new ProcessBuilder(ChildJvm.command(List.of("-Xint"), Main.class, "import",
            dump.toString(), "-o", index.toString())).redirectErrorStream(true)
            .redirectOutput(temp.resolve("child.log").toFile()).start();
        try
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (leftovers(parent).isEmpty())
            {
                if (!child.isAlive())
                {
                    fail("the import ended before it was caught building: " +
                        Files.readString(temp.resolve("child.log")));
                }
                assertTrue(System.nanoTime() < deadline, "no build directory appeared");
                Thread.sleep(2);
            }
            // into its build: slabs being written
            Thread.sleep(200);
        }
        finally
        {
            child.destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        }
        assertEquals(1, leftovers(parent).size(), "the killed import left its build directory");

        final CliRun imported = CliRun.run("import", dump.toString(), "-o", index.toString());
        assertEquals(0, imported.status(), imported.err());
        assertEquals(List.of(), leftovers(parent), "the next import removed it");
        try (Stream<Path> entries = Files.list(parent))
        {
            assertEquals(List.of(index), entries.toList());
        }
    }

    private static List<Path> leftovers(final Path parent) throws IOException
    {
        try (Stream<Path> entries = Files.list(parent))
        {
            return entries.filter(entry -> entry.getFileName().toString().startsWith(".idx.")).toList();
        }
    }
}
