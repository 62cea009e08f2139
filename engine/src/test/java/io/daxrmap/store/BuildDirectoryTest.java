package io.daxrmap.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Build directories are locked while their builder holds them, and {@link BuildDirectory#sweep} removes only the ones
 * nobody holds, of the target it is asked about.
 */
class BuildDirectoryTest
{
    @TempDir
    Path parent;

    @Test
    void shouldKeepADirectoryItsBuilderHoldsAndRemoveItOnceReleased() throws IOException
    {
        final BuildDirectory build = BuildDirectory.create(parent, "idx");
        final Path path = build.path();
        Files.writeString(path.resolve("slab"), "x");
        assertTrue(path.getFileName().toString().startsWith(".idx.tmp-"), path.toString());
        assertEquals(List.of(path.getFileName().toString()), names(), "made under another name, then renamed");

        assertEquals(0, BuildDirectory.sweep(parent, "idx"));
        assertTrue(Files.exists(path.resolve("slab")), "held: kept");

        build.close();
        assertEquals(1, BuildDirectory.sweep(parent, "idx"));
        assertEquals(List.of(), names());
    }

    @Test
    void shouldRemoveLeftoversOfTheTargetOnly() throws IOException
    {
        final Path leftover = Files.createDirectories(parent.resolve(".idx.tmp-123/device-7-0"));
        Files.writeString(leftover.resolve("slab-1-0.dat"), "x");
        final Path other = Files.createDirectory(parent.resolve(".idy.tmp-1"));
        final Path unlike = Files.createDirectory(parent.resolve(".idx.tmpfoo"));
        final Path index = Files.createDirectory(parent.resolve("idx"));
        final Path file = Files.writeString(parent.resolve(".idx.tmp-file"), "not a directory");
        final Path target = Files.createDirectory(parent.resolve("elsewhere"));
        Files.writeString(target.resolve("kept"), "x");
        final Path link = Files.createSymbolicLink(parent.resolve(".idx.tmp-link"), target);
        // a name of the user's: not a random number after the prefix
        final Path notes = Files.createDirectory(parent.resolve(".idx.tmp-notes"));
        Files.writeString(notes.resolve("todo.txt"), "x");
        // made, then killed before it was locked and renamed: a leftover once a minute old, not before
        final Path madeLongAgo = Files.createDirectory(parent.resolve(".idx.new-456"));
        Files.setLastModifiedTime(madeLongAgo, FileTime.from(Instant.now().minus(Duration.ofMinutes(2))));
        final Path madeNow = Files.createDirectory(parent.resolve(".idx.new-789"));

        assertEquals(2, BuildDirectory.sweep(parent, "idx"));
        assertFalse(Files.exists(parent.resolve(".idx.tmp-123")));
        assertFalse(Files.exists(madeLongAgo));
        for (final Path kept : List.of(other, unlike, index, file, target.resolve("kept"), notes.resolve("todo.txt"),
            madeNow))
        {
            assertTrue(Files.exists(kept), kept.toString());
        }
        assertTrue(Files.isSymbolicLink(link), "a link is neither followed nor removed");
    }

    @Test
    void shouldSweepAMissingParentAsEmpty() throws IOException
    {
        assertEquals(0, BuildDirectory.sweep(parent.resolve("missing"), "idx"));
    }

    private List<String> names() throws IOException
    {
        try (Stream<Path> entries = Files.list(parent))
        {
            return entries.map(entry -> entry.getFileName().toString()).sorted().toList();
        }
    }
}
