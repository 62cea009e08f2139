package io.daxrmap.cli;

import io.daxrmap.format.Captures;
import io.daxrmap.store.Catalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code daxrmap failure --events -} as a daemon: events piped in one by one while the index directory is replaced.
 */
class FailureDaemonCliTest
{
    private static final String EVENT = "{\"type\":\"phys\",\"address\":\"0x100018000\",\"lsb\":12}\n";

    @TempDir
    Path temp;

    @Test
    void shouldKeepAnsweringFromTheIndexBeforeWhenADamagedImportIsPutInItsPlace() throws Exception
    {
        final Path index = imported("index");
        final Path broken = imported("broken");
        try (FileChannel channel = FileChannel.open(broken.resolve(Catalog.FILE_NAME), StandardOpenOption.WRITE))
        {
            channel.truncate(0);
        }
        final Path regions = regions("regions.json");
        final InputStream stdin = System.in;
        final PipedOutputStream feed = new PipedOutputStream();
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        try
        {
            final CompletableFuture<Integer> status = daemon(index, regions, feed, out, err);
            send(feed, out, status, 1);
            // mv index old && mv broken index
            Files.move(index, temp.resolve("old"));
            Files.move(broken, index);
            send(feed, out, status, 2);
            send(feed, out, status, 3);
            feed.close();
            assertEquals(0, status.get(30, TimeUnit.SECONDS), err.toString(StandardCharsets.UTF_8));
            final List<String> reports = out.toString(StandardCharsets.UTF_8).lines().toList();
            assertEquals(3, reports.size(), reports.toString());
            assertTrue(reports.get(0).contains("\"verdict\":\"mapped\""), reports.get(0));
            assertEquals(reports.get(0), reports.get(1), "answered from the index before");
            assertEquals(reports.get(0), reports.get(2), "answered from the index before");
            final List<String> errors = err.toString(StandardCharsets.UTF_8).lines().toList();
            assertEquals(List.of("daxrmap failure: cannot take in the index put in place of " + index +
                ", answering from the one before: " + index.resolve(Catalog.FILE_NAME) + ": empty"), errors, "told once");
        }
        finally
        {
            feed.close();
            System.setIn(stdin);
        }
    }

    @Test
    void shouldSayOnceEachTimeTheIndexDirectoryIsGoneAndKeepAnswering() throws Exception
    {
        final Path index = imported("index");
        final Path regions = regions("regions.json");
        final InputStream stdin = System.in;
        final PipedOutputStream feed = new PipedOutputStream();
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final String gone = "daxrmap failure: warning: " + index + " is gone (deleted or moved away), answering from " +
            "the index taken in before; an index put there is taken in";
        try
        {
            final CompletableFuture<Integer> status = daemon(index, regions, feed, out, err);
            send(feed, out, status, 1);
            Files.move(index, temp.resolve("away"));
            send(feed, out, status, 2);
            send(feed, out, status, 3);
            assertEquals(List.of(gone), err.toString(StandardCharsets.UTF_8).lines().toList(), "told once");
            imported("index");
            send(feed, out, status, 4);
            CliRun.run("import", "--format", "fsmap-verbose", Captures.xfsSmall("fsmap-v.txt").toString(), "-o",
                temp.resolve("again").toString());
            Files.move(index, temp.resolve("away-again"));
            send(feed, out, status, 5);
            feed.close();
            assertEquals(0, status.get(30, TimeUnit.SECONDS), err.toString(StandardCharsets.UTF_8));
            final List<String> reports = out.toString(StandardCharsets.UTF_8).lines().toList();
            assertTrue(reports.get(0).contains("\"verdict\":\"mapped\""), reports.get(0));
            assertEquals(List.of(reports.get(0), reports.get(0), reports.get(0), reports.get(0), reports.get(0)),
                reports, "answered from the index taken in before, and from the one put in its place alike");
            assertEquals(List.of(gone, gone), err.toString(StandardCharsets.UTF_8).lines().toList(),
                "told again when gone again, not when back");
        }
        finally
        {
            feed.close();
            System.setIn(stdin);
        }
    }

    @Test
    void shouldAnswerABurstOfEventsReceivedAfterAReplacementFromTheNewImport() throws Exception
    {
        final Path index = imported("index");
        final Path csv = temp.resolve("other.csv");
        // the first MiB of device 7:0 is inode 777's
        Files.writeString(csv, "EXT,MAJOR,MINOR,PSTART,PEND,OWNER,OSTART,OEND,LENGTH\n" +
            "0,7,0,0,2047,inode_777_data,0,2047,2048\n");
        final Path other = temp.resolve("other");
        final CliRun imported = CliRun.run("import", "--format", "fsmap-csv", csv.toString(), "-o", other.toString());
        assertEquals(0, imported.status(), imported.err());
        final Path regions = regions("regions-burst.json");
        final InputStream stdin = System.in;
        final PipedOutputStream feed = new PipedOutputStream();
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        try
        {
            final CompletableFuture<Integer> status = daemon(index, regions, feed, out, err);
            send(feed, out, status, 1);
            Files.move(index, temp.resolve("old-burst"));
            Files.move(other, index);
            // three events in one write: answered from one look, which came after the replacement
            send(feed, out, status, EVENT + EVENT + EVENT, 4);
            feed.close();
            assertEquals(0, status.get(30, TimeUnit.SECONDS), err.toString(StandardCharsets.UTF_8));
            final List<String> reports = out.toString(StandardCharsets.UTF_8).lines().toList();
            assertEquals(4, reports.size(), reports.toString());
            assertTrue(reports.get(0).contains("\"verdict\":\"mapped\"") && !reports.get(0).contains("777"),
                reports.get(0));
            for (int i = 1; i < 4; i++)
            {
                assertTrue(reports.get(i).contains("\"kill\":[{\"inode\":777,"), i + ": " + reports.get(i));
            }
            assertEquals("", err.toString(StandardCharsets.UTF_8));
        }
        finally
        {
            feed.close();
            System.setIn(stdin);
        }
    }

    @Test
    void shouldAnswerEventsReadFromAFifoByPath() throws Exception
    {
        final Path index = imported("fifo-index");
        final Path regions = regions("regions-fifo.json");
        final Path fifo = temp.resolve("events.fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor());
        final CompletableFuture<CliRun> run = CompletableFuture.supplyAsync(() -> CliRun.run("failure", index.toString(),
            "--regions", regions.toString(), "--events", fifo.toString(), "--json", "--no-processes"));
        // as a daemon's producer writes: a FIFO, whose position cannot be asked (its streams refuse a seek)
        Files.writeString(fifo, EVENT + EVENT);
        final CliRun answered = run.get(30, TimeUnit.SECONDS);
        assertEquals(0, answered.status(), answered.err());
        final List<String> reports = answered.out().lines().toList();
        assertEquals(2, reports.size(), answered.out());
        assertTrue(reports.get(0).contains("\"verdict\":\"mapped\""), reports.get(0));
    }

    /** The regions file of the capture's device: pmem0 at 0x100000000, 64 MiB, no metadata area. */
    private Path regions(final String name) throws IOException
    {
        final Path regions = temp.resolve(name);
        Files.writeString(regions, "{\"regions\":[{\"name\":\"pmem0\",\"physBase\":\"0x100000000\",\"size\":\"0x4000000\"," +
            "\"dataOffset\":0,\"partitionOffset\":0}]}");
        return regions;
    }

    /**
     * Start {@code failure --events -} reading what is written to {@code feed} (through System.in, which the caller
     * restores), its reports and messages in {@code out} and {@code err}.
     */
    private static CompletableFuture<Integer> daemon(final Path index, final Path regions, final PipedOutputStream feed,
        final ByteArrayOutputStream out, final ByteArrayOutputStream err) throws IOException
    {
        System.setIn(new PipedInputStream(feed));
        return CompletableFuture.supplyAsync(() -> Main.run(new String[]{
            "failure", index.toString(), "--regions", regions.toString(), "--events", "-", "--json",
            "--no-processes"}, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8)));
    }

    private Path imported(final String name)
    {
        final Path directory = temp.resolve(name);
        final CliRun result = CliRun.run("import", "--format", "fsmap-verbose",
            Captures.xfsSmall("fsmap-v.txt").toString(), "-o", directory.toString());
        assertEquals(0, result.status(), result.err());
        return directory;
    }

    /**
     * Write one event and wait for its report (or the end of the command).
     */
    private static void send(final PipedOutputStream feed, final ByteArrayOutputStream out,
        final CompletableFuture<Integer> status, final int reports) throws IOException, InterruptedException
    {
        send(feed, out, status, EVENT, reports);
    }

    /**
     * Write events in one write and wait until as many reports as {@code reports} were written in all.
     */
    private static void send(final PipedOutputStream feed, final ByteArrayOutputStream out,
        final CompletableFuture<Integer> status, final String events, final int reports)
        throws IOException, InterruptedException
    {
        feed.write(events.getBytes(StandardCharsets.UTF_8));
        feed.flush();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (out.toString(StandardCharsets.UTF_8).lines().count() < reports && !status.isDone() &&
            System.nanoTime() < deadline)
        {
            Thread.sleep(10);
        }
        assertEquals(reports, out.toString(StandardCharsets.UTF_8).lines().count(),
            "report " + reports + " before the next event; status " + (status.isDone() ? status.join() : "running"));
    }
}
