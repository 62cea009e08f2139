package io.daxrmap.cli;

import io.daxrmap.format.Captures;
import io.daxrmap.source.LoopFilesystem;
import io.daxrmap.store.Catalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An index on a read-only mount answers as it does where it was written: Chronicle Map maps every file for writing, so
 * its catalog used to be refused, and {@code verify} called the index damaged. The index is seen through a read-only
 * bind mount of the directory it was imported into. Needs root: skipped with the reason outside CI, failed under
 * CI=true.
 */
class ReadOnlyIndexTest
{
    @TempDir
    Path tempDir;

    @Test
    void shouldAnswerFromAnIndexOnAReadOnlyMountAsFromTheSameIndexWritable() throws Exception
    {
        LoopFilesystem.requireEnvironment("mount", "umount");
        final Path temp = tempDir.toRealPath();
        final Path written = Files.createDirectory(temp.resolve("written"));
        final Path view = Files.createDirectory(temp.resolve("view"));
        final CliRun imported = CliRun.run("import", "--format", "fiemap",
            Captures.xfsSmall("fiemap-v.txt").toString(), "--inodes", Captures.xfsSmall("inodes.txt").toString(),
            "-o", written.resolve("idx").toString());
        assertEquals(0, imported.status(), imported.err());
        final Set<Path> tempFilesBefore = catalogCopies();
        LoopFilesystem.runCommand("mount", "--bind", written.toString(), view.toString());
        try
        {
            LoopFilesystem.runCommand("mount", "-o", "remount,ro,bind", view.toString());
            assertFalse(Files.isWritable(view.resolve("idx").resolve(Catalog.FILE_NAME)), "the view is read-only");
            for (final List<String> command : List.of(
                List.of("verify"), List.of("dump"), List.of("inspect"),
                List.of("query", "--range", "192:199"),
                List.of("query", "--pfn", "0x100018", "--pagemap", "0x100000000:0x4000000")))
            {
                final CliRun expected = runOn(command, written.resolve("idx"));
                final CliRun seen = runOn(command, view.resolve("idx"));
                assertEquals(0, seen.status(), command + ": " + seen.err());
                assertEquals(expected.out().replace(written.toString(), view.toString()), seen.out(),
                    command.toString());
                if (command.contains("--pfn"))
                {
                    assertTrue(seen.out().contains(" clones/a.1\n"), "paths from the catalog: " + seen.out());
                }
                assertEquals("", seen.err(), command.toString());
            }
            assertEquals(tempFilesBefore, catalogCopies(), "no copy of a catalog is left behind");
        }
        finally
        {
            LoopFilesystem.unmount(view);
        }
    }

    private static CliRun runOn(final List<String> command, final Path index)
    {
        final String[] args = Stream.concat(Stream.of(command.get(0), index.toString()),
            command.stream().skip(1)).toArray(String[]::new);
        return CliRun.run(args);
    }

    private static Set<Path> catalogCopies() throws IOException
    {
        try (Stream<Path> files = Files.list(Path.of(System.getProperty("java.io.tmpdir"))))
        {
            return files.filter(file -> file.getFileName().toString().startsWith("daxrmap-catalog-"))
                .collect(Collectors.toSet());
        }
    }

}
