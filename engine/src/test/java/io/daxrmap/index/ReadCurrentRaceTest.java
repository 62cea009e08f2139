package io.daxrmap.index;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A CURRENT that goes away while it is read (a directory replaced in two steps, between them) reads as a missing
 * CURRENT, the one failure its callers wait out, never as an I/O error of its own.
 */
class ReadCurrentRaceTest
{
    private static final long ROUNDS = 200_000;

    @TempDir
    Path temp;

    @Test
    void shouldTellACurrentThatVanishesWhileReadAsMissing() throws Exception
    {
        final Path directory = temp.resolve("index");
        ReverseIndex.create(Workload.config(), directory).close();
        final Path current = directory.resolve(IndexDirectory.CURRENT);
        final Path aside = temp.resolve("CURRENT.aside");
        final int generation = IndexDirectory.readCurrent(directory);
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicReference<Throwable> moverFailure = new AtomicReference<>();
        final Thread mover = new Thread(() ->
        {
            try
            {
                while (!stop.get())
                {
                    Files.move(current, aside, StandardCopyOption.ATOMIC_MOVE);
                    Files.move(aside, current, StandardCopyOption.ATOMIC_MOVE);
                }
            }
            catch (final IOException ex)
            {
                moverFailure.set(ex);
            }
        }, "mover");
        mover.start();
        long read = 0;
        long missing = 0;
        try
        {
            for (long i = 0; i < ROUNDS; i++)
            {
                try
                {
                    assertEquals(generation, IndexDirectory.readCurrent(directory));
                    read++;
                }
                catch (final CorruptIndexException ex)
                {
                    assertTrue(ex.getMessage().endsWith("not an index directory: no " + IndexDirectory.CURRENT),
                        ex.getMessage());
                    missing++;
                }
            }
        }
        finally
        {
            stop.set(true);
            mover.join();
        }
        assertNull(moverFailure.get());
        assertTrue(read > 0 && missing > 0, "read " + read + " missing " + missing);
    }
}
