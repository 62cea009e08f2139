package io.daxrmap.cli;

import io.daxrmap.format.Captures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code daxrmap failure} over the xfs-small capture: the JSON contract, agreement with {@code query --pfn}, standard
 * input, and one-line errors with exit status 2.
 */
class FailureCliTest
{
    @TempDir
    static Path temp;

    private static Path index;
    private static Path regions;

    @BeforeAll
    static void importCapture() throws IOException
    {
        index = temp.resolve("index");
        final CliRun result = CliRun.run("import", "--format", "fsmap-verbose",
            Captures.xfsSmall("fsmap-v.txt").toString(), "-o", index.toString());
        assertEquals(0, result.status(), result.err());
        regions = temp.resolve("regions.json");
        Files.writeString(regions, "{\"regions\":[{\"name\":\"pmem0\",\"physBase\":\"0x100000000\",\"size\":\"0x4000000\"," +
            "\"dataOffset\":0,\"partitionOffset\":0}]}");
    }

    @Test
    void shouldFindTheProcessesMappingAFileOfTheRealtimeDeviceByTheDataDevicesNumber() throws IOException
    {
        // inode 500's bytes lie on the realtime device 8:0; /proc/PID/maps names its files by the superblock's
        // device, the data device 7:0, as for every file of the filesystem
        final Path csv = temp.resolve("rt.csv");
        Files.writeString(csv, "EXT,MAJOR,MINOR,PSTART,PEND,OWNER,OSTART,OEND,LENGTH\n" +
            "0,7,0,0,7,special_88:1,,,8\n1,7,0,8,15,inode_131_data,0,7,8\n" +
            "2,8,0,0,7,inode_500_data,0,7,8\n3,8,0,8,15,special_0:1,,,8\n");
        final Path rt = temp.resolve("rt-index");
        final CliRun imported = CliRun.run("import", csv.toString(), "-o", rt.toString());
        assertEquals(0, imported.status(), imported.err());
        final Path rtRegions = temp.resolve("rt-regions.json");
        Files.writeString(rtRegions, "{\"regions\":[{\"name\":\"pmem0\",\"physBase\":\"0x100000000\",\"size\":" +
            "\"0x2000\",\"dataOffset\":0},{\"name\":\"pmem1\",\"physBase\":\"0x200000000\",\"size\":\"0x2000\"," +
            "\"dataOffset\":0,\"device\":\"8:0\"}]}");
        final Path proc = temp.resolve("rt-proc");
        Files.createDirectories(proc.resolve("300"));
        Files.writeString(proc.resolve("300/comm"), "rtreader\n");
        Files.writeString(proc.resolve("300/maps"),
            "7f0000000000-7f0000001000 r--s 00000000 07:00 500                        /mnt/rtfile\n" +
            "7f1000000000-7f1000001000 r--s 00000000 08:00 500                        /elsewhere/file\n");
        final CliRun failure = CliRun.run("failure", rt.toString(), "--regions", rtRegions.toString(), "--phys",
            "0x200000000", "--proc", proc.toString());
        assertEquals(0, failure.status(), failure.err());
        assertTrue(failure.out().contains("mapped: pmem1 device 8:0"), failure.out());
        assertTrue(failure.out().contains("  process pid 300 (rtreader) maps inode 500 pgoff 0 pgcnt 1 at " +
            "0x7f0000000000 (r--s)\n"), failure.out());
        assertFalse(failure.out().contains("0x7f1000000000"), "inode 500 of another filesystem: " + failure.out());
    }

    @Test
    void shouldKillWhatThePageQueryFindsWithTheContractsFields()
    {
        final CliRun query = CliRun.run("query", index.toString(), "--pfn", "0x100018", "--pagemap", "0x100000000:0x4000000",
            "--format", "json");
        assertEquals(0, query.status(), query.err());
        final CliRun failure = CliRun.run("failure", index.toString(), "--regions", regions.toString(), "--phys",
            "0x100018000", "--json", "--no-processes");
        assertEquals(0, failure.status(), failure.err());
        final String kill = between(query.out(), "\"kill\":[", "],\"owners\"");
        assertTrue(kill.contains("\"shared\""), "a shared page of the capture: " + kill);
        assertTrue(failure.out().startsWith("{\"event\":{\"type\":\"phys\",\"address\":\"0x100018000\",\"lsb\":12}," +
            "\"verdict\":\"mapped\",\"region\":\"pmem0\",\"phys\":\"0x100018000\",\"device\":"), failure.out());
        assertTrue(failure.out().contains("\"deviceOffset\":98304,\"length\":4096,\"kill\":[" + kill + "],\"fatal\":[],"),
            failure.out());
        final Matcher repair = Pattern.compile("\\{\"deviceOffset\":98304,\"length\":4096,\"kind\":\"data\",\"owner\":" +
            "\"inode_\\d+_data\",\"fileOffset\":\\d+}").matcher(failure.out());
        int segments = 0;
        while (repair.find())
        {
            segments++;
        }
        assertEquals(kill.split("\\{\"inode\"").length - 1, segments, "one repair segment per sharer: " + failure.out());
        assertEquals(1, failure.out().lines().count());
    }

    @Test
    void shouldExpandTheKillListToThePmdMappingSize()
    {
        final CliRun failure = CliRun.run("failure", index.toString(), "--regions", regions.toString(), "--phys",
            "0x100018000", "--json", "--no-processes", "--mapping-size", "2m");
        assertEquals(0, failure.status(), failure.err());
        assertTrue(failure.out().contains("\"pgoffExpanded\":0,\"pgcntExpanded\":512"), failure.out());
    }

    @Test
    void shouldDiscoverTheRegionFromSysfs() throws IOException
    {
        final Path sys = temp.resolve("sys");
        final Path namespace = Files.createDirectories(sys.resolve("devices/ndbus0/region0/namespace0.0"));
        Files.writeString(namespace.resolve("resource"), "0x100000000\n");
        Files.writeString(namespace.resolve("size"), "67108864\n");
        final Path disk = Files.createDirectories(sys.resolve("block/pmem0"));
        Files.writeString(disk.resolve("dev"), "7:0\n");
        Files.createSymbolicLink(disk.resolve("device"), namespace);
        final CliRun failure = CliRun.run("failure", index.toString(), "--sysfs", sys.toString(), "--phys", "0x100018000",
            "--json", "--no-processes");
        assertEquals(0, failure.status(), failure.err());
        assertTrue(failure.out().contains("\"verdict\":\"mapped\",\"region\":\"pmem0\",\"phys\":\"0x100018000\"," +
            "\"device\":\"7:0\",\"deviceOffset\":98304,"), failure.out());
    }

    @Test
    void shouldStopAtTheFirstAnswerItCannotWriteAndSaySo() throws IOException
    {
        final Path events = temp.resolve("many.jsonl");
        Files.writeString(events, "{\"type\":\"phys\",\"address\":\"0x100018040\",\"lsb\":6}\n".repeat(1000));
        final int[] writes = {0};
        // standard output whose reader is gone or whose disk is full: every write fails
        final PrintStream full = new PrintStream(new java.io.OutputStream()
        {
            @Override
            public void write(final int b) throws IOException
            {
                writes[0]++;
                throw new IOException("No space left on device");
            }
        }, true, StandardCharsets.UTF_8);
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int status = Main.run(new String[] {"failure", index.toString(), "--regions", regions.toString(),
            "--events", events.toString(), "--no-processes"}, full, new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, status);
        assertEquals("daxrmap failure: cannot write standard output (closed, or its disk full)\n",
            err.toString(StandardCharsets.UTF_8));
        assertEquals(1, writes[0], "stopped at the first answer, not after the 1,000th");
        // and a command that writes once, at its end, does not end as a success either
        final ByteArrayOutputStream dumpErr = new ByteArrayOutputStream();
        assertEquals(2, Main.run(new String[] {"dump", index.toString()}, full,
            new PrintStream(dumpErr, true, StandardCharsets.UTF_8)));
        assertEquals("daxrmap dump: cannot write standard output (closed, or its disk full)\n",
            dumpErr.toString(StandardCharsets.UTF_8));
    }

    @Test
    void shouldReadEventsFromStandardInput()
    {
        final InputStream stdin = System.in;
        try
        {
            System.setIn(new ByteArrayInputStream(("{\"type\":\"memory_failure_event\",\"pfn\":\"0x100018\"}\n" +
                "{\"type\":\"phys\",\"address\":\"0xffff0000\",\"lsb\":6}\n").getBytes(StandardCharsets.UTF_8)));
            final CliRun run = CliRun.run("failure", index.toString(), "--regions", regions.toString(), "--events", "-",
                "--json");
            assertEquals(0, run.status(), run.err());
            assertEquals(2, run.out().lines().count(), run.out());
            assertTrue(run.out().lines().toList().get(1).startsWith("{\"event\":{\"type\":\"phys\",\"address\":" +
                "\"0xffff0000\",\"lsb\":6},\"verdict\":\"outside-devices\",\"region\":null,\"phys\":\"0xffff0000\"," +
                "\"device\":null,\"deviceOffset\":null,\"length\":64,\"kill\":[],\"fatal\":[],\"repair\":[]"), run.out());
        }
        finally
        {
            System.setIn(stdin);
        }
    }

    @Test
    void shouldPrintEachReportBeforeTheNextEventArrives() throws Exception
    {
        final InputStream stdin = System.in;
        final PipedOutputStream feed = new PipedOutputStream();
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        try
        {
            System.setIn(new PipedInputStream(feed));
            final CompletableFuture<Integer> status = CompletableFuture.supplyAsync(() -> Main.run(new String[]{
                "failure", index.toString(), "--regions", regions.toString(), "--events", "-", "--json",
                "--no-processes"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)));
            feed.write("{\"type\":\"phys\",\"address\":\"0xffff0000\",\"lsb\":6}\n".getBytes(StandardCharsets.UTF_8));
            feed.flush();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!out.toString(StandardCharsets.UTF_8).endsWith("\n") && System.nanoTime() < deadline)
            {
                Thread.sleep(10);
            }
            final String first = out.toString(StandardCharsets.UTF_8);
            feed.close();
            assertEquals(0, status.get(30, TimeUnit.SECONDS), err.toString(StandardCharsets.UTF_8));
            assertTrue(first.startsWith("{\"event\":{\"type\":\"phys\",\"address\":\"0xffff0000\""),
                "the first report before the input ends: \"" + first + "\"");
        }
        finally
        {
            feed.close();
            System.setIn(stdin);
        }
    }

    @Test
    void shouldPrintTheReportsOfTheLinesBeforeABadLine() throws IOException
    {
        final Path events = temp.resolve("good-then-bad.jsonl");
        Files.writeString(events, "{\"type\":\"phys\",\"address\":\"0xffff0000\",\"lsb\":6}\n{\"type\":\"phys\"}\n");
        final CliRun run = CliRun.run("failure", index.toString(), "--regions", regions.toString(), "--events",
            events.toString(), "--json");
        assertEquals(2, run.status(), run.out());
        assertEquals("daxrmap failure: " + events + ":2: field address: missing\n", run.err());
        assertEquals(1, run.out().lines().count(), run.out());
        assertTrue(run.out().startsWith("{\"event\":{\"type\":\"phys\",\"address\":\"0xffff0000\""), run.out());
    }

    @Test
    void shouldRefuseBadblocksPastTheEndOfTheRegionTheyName() throws IOException
    {
        final Path two = temp.resolve("two-regions.json");
        Files.writeString(two, "{\"regions\":[{\"name\":\"pmem0\",\"physBase\":\"0x100000000\",\"size\":\"0x4000000\"," +
            "\"dataOffset\":0},\n{\"name\":\"pmem1\",\"physBase\":\"0x104000000\",\"size\":\"0x4000000\",\"dataOffset\":0}]}");
        final Path events = temp.resolve("spill.jsonl");
        Files.writeString(events, "{\"type\":\"badblocks\",\"region\":\"pmem0\",\"sector\":\"0x1fff8\",\"count\":8}\n" +
            "{\"type\":\"badblocks\",\"region\":\"pmem0\",\"sector\":\"0x1fff8\",\"count\":16}\n");
        final CliRun spill = CliRun.run("failure", index.toString(), "--regions", two.toString(), "--events",
            events.toString(), "--json", "--no-processes");
        assertEquals(2, spill.status(), spill.out());
        assertEquals("daxrmap failure: " + events + ":2: field count: runs past the end of region pmem0 (131072 " +
            "sectors from the namespace data start): sector=131064 count=16\n", spill.err());
        assertTrue(spill.out().contains("\"region\":\"pmem0\""), spill.out());
        assertTrue(!spill.out().contains("pmem1"), spill.out());

        Files.writeString(events, "{\"type\":\"badblocks\",\"region\":\"pmem0\",\"sector\":\"0x30000\",\"count\":1}\n");
        assertError("daxrmap failure: " + events + ":1: field sector: past the end of region pmem0 (131072 sectors " +
            "from the namespace data start): sector=196608", "failure", index.toString(), "--regions", regions.toString(),
            "--events", events.toString());
    }

    @Test
    void shouldNameTheFileAndLineOfInputThatCannotBeReadOrDecoded() throws IOException
    {
        assertError("daxrmap failure: " + temp + ":1: cannot read: Is a directory", "failure", index.toString(),
            "--regions", regions.toString(), "--events", temp.toString());
        final Path latin1 = temp.resolve("latin1.jsonl");
        Files.write(latin1, "{\"type\":\"phys\",\"address\":1}\n{\"type\":\"pre-remove\",\"region\":\"pm\u00e9\"}\n"
            .getBytes(StandardCharsets.ISO_8859_1));
        assertError("daxrmap failure: " + latin1 + ":2: not UTF-8 at byte 34 of the line", "failure", index.toString(),
            "--regions", regions.toString(), "--events", latin1.toString(), "--no-processes");
        final InputStream stdin = System.in;
        try
        {
            System.setIn(new ByteArrayInputStream(Files.readAllBytes(latin1)));
            final CliRun run = CliRun.run("failure", index.toString(), "--regions", regions.toString(), "--events", "-",
                "--json", "--no-processes");
            assertEquals(2, run.status(), run.out());
            assertEquals("daxrmap failure: -:2: not UTF-8 at byte 34 of the line\n", run.err());
            assertEquals(1, run.out().lines().count(), run.out());
        }
        finally
        {
            System.setIn(stdin);
        }
        assertError("daxrmap failure: " + latin1 + ":2: not UTF-8 at byte offset 61", "failure", index.toString(),
            "--regions", latin1.toString(), "--phys", "1");
    }

    @Test
    void shouldExitTwoWithOneLineNamingFileLineAndField() throws IOException
    {
        final Path events = temp.resolve("events.jsonl");
        Files.writeString(events, "{\"type\":\"phys\",\"address\":4096}\n{\"type\":\"phys\",\"address\":4096,\"lsb\":\"6\"}\n");
        assertError("daxrmap failure: " + events + ":2: field lsb: not a number or \"0x\" string: \"6\"",
            "failure", index.toString(), "--regions", regions.toString(), "--events", events.toString());

        Files.writeString(events, "{\"type\":\"pre-remove\",\"region\":\"pmem9\"}\n");
        assertError("daxrmap failure: " + events + ":1: field region: no such region: region=pmem9",
            "failure", index.toString(), "--regions", regions.toString(), "--events", events.toString());

        final Path badRegions = temp.resolve("bad-regions.json");
        Files.writeString(badRegions, "{\"regions\":[\n{\"name\":\"pmem0\",\"physBase\":\"0x1000\",\"size\":4096,\"dataOffset\":4096}]}");
        assertError("daxrmap failure: " + badRegions + ":2: field regions[0]: offsets leave no data in the window: " +
            "name=pmem0 startPad=0 dataOffset=4096 partitionOffset=0 size=4096", "failure", index.toString(), "--regions",
            badRegions.toString(), "--phys", "0x1000");

        assertUsage("daxrmap failure: give exactly one of --phys and --events", "failure", index.toString(), "--regions",
            regions.toString());
        assertUsage("daxrmap failure: --regions FILE (or --sysfs ROOT) is required", "failure", index.toString(), "--phys", "1");
        assertUsage("daxrmap failure: --lsb must be 0..63: lsb=64", "failure", index.toString(), "--regions", regions.toString(),
            "--phys", "1", "--lsb", "64");
        assertUsage("daxrmap failure: --mapping-size must be 4k, 2m or 1g: mappingSize=3m", "failure", index.toString(),
            "--regions", regions.toString(), "--phys", "1", "--mapping-size", "3m");
    }

    private static void assertError(final String message, final String... args)
    {
        final CliRun run = CliRun.run(args);
        assertEquals(2, run.status(), run.out());
        assertEquals(message + "\n", run.err());
    }

    private static void assertUsage(final String message, final String... args)
    {
        final CliRun run = CliRun.run(args);
        assertEquals(2, run.status(), run.out());
        assertEquals(message + " (see 'daxrmap failure --help')\n", run.err(), "one line");
    }

    private static String between(final String text, final String from, final String to)
    {
        final int start = text.indexOf(from) + from.length();
        return text.substring(start, text.indexOf(to, start));
    }
}
