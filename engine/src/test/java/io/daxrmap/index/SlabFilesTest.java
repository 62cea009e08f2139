package io.daxrmap.index;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Slab files whose creation fails: nothing left behind that would stop the next one.
 */
class SlabFilesTest
{
    private static final int SIZE = 1 << 16;
    private static final long LOG_ID = 0x5EED_1D00_0000_0001L;

    @TempDir
    Path temp;

    @Test
    void shouldLeaveNoSlabFileWhenItsNameCannotBeMadeDurableAndCreateItAgainLater() throws IOException
    {
        final boolean[] fail = {true};
        final SlabFiles files = new SlabFiles(temp, 1, LOG_ID, directory ->
        {
            if (fail[0])
            {
                throw new IOException("Input/output error");
            }
            SlabFiles.forceDirectory(directory);
        });
        assertThrows(UncheckedIOException.class, () -> files.create(0, SIZE));
        assertFalse(Files.exists(files.file(0)), "the slab file is deleted");

        // the arena's next allocation asks for the same slab number
        fail[0] = false;
        final UnsafeBuffer slab = files.create(0, SIZE);
        assertEquals(SIZE, slab.capacity());
        assertEquals(SIZE, Files.size(files.file(0)));
        assertEquals(SIZE, new SlabFiles(temp, 1, LOG_ID).open(0).capacity());
    }
}
