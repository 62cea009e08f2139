package io.daxrmap.cli;

import io.daxrmap.source.WalkStats;
import io.daxrmap.store.FilesystemIndex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The catalog pass of {@code daxrmap index} with GETFSMAP (the walk that names inodes after GETFSMAP gave the extents)
 * shows progress as the FIEMAP walk does: a count on one line of standard error, rewritten, erased at the end. The
 * walk itself needs no XFS: any directory tree will do.
 */
class PathWalkProgressTest
{
    private static final int FILES = 40;

    @TempDir
    Path temp;

    private Path tree() throws IOException
    {
        final Path root = Files.createDirectories(temp.resolve("tree"));
        for (int i = 0; i < FILES; i++)
        {
            Files.writeString(Files.createDirectories(root.resolve("d" + i % 4)).resolve("f" + i), "x");
        }
        return root;
    }

    @Test
    void shouldCountEveryPathOnTheProgressLineAndEraseItWhenTheWalkEnds() throws IOException
    {
        final Path root = tree();
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        final FilesystemIndex catalog = new FilesystemIndex();
        final WalkStats stats = IndexCommand.namePaths(root, Set.of(), catalog,
            Progress.shownOn(err, IndexCommand.PATHS_WALKED, 0));
        // the root, four directories and the files
        final int paths = 1 + 4 + FILES;
        assertEquals(FILES, stats.files());
        assertEquals(paths, catalog.paths().size());

        final String shown = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(shown.startsWith("\r"), shown);
        final List<String> lines = new ArrayList<>(List.of(shown.substring(1).split("\r", -1)));
        // the last two pieces: the line blanked, and the cursor back at its start for what follows
        assertEquals("", lines.remove(lines.size() - 1));
        final String blank = lines.remove(lines.size() - 1);
        assertEquals(" ".repeat(blank.length()), blank);
        assertEquals(paths, lines.size(), shown);
        for (int i = 0; i < lines.size(); i++)
        {
            assertEquals(IndexCommand.PATHS_WALKED + ": " + (i + 1), lines.get(i).stripTrailing());
        }
        assertEquals((IndexCommand.PATHS_WALKED + ": " + paths).length(), blank.length());
    }

    @Test
    void shouldShowNothingWhereProgressIsNotShown() throws IOException
    {
        final Path root = tree();
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final PrintStream saved = System.err;
        System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try
        {
            // standard error of a test is a pipe or a file, never a terminal: the rules show no progress there
            final boolean terminal = Progress.standardErrorIsATerminal();
            final FilesystemIndex catalog = new FilesystemIndex();
            IndexCommand.namePaths(root, Set.of(), catalog, Progress.onTerminal(IndexCommand.PATHS_WALKED));
            assertEquals(1 + 4 + FILES, catalog.paths().size());
            if (!terminal)
            {
                assertEquals("", bytes.toString(StandardCharsets.UTF_8));
            }
        }
        finally
        {
            System.setErr(saved);
        }
    }
}
