package io.daxrmap.cli;

import io.daxrmap.format.FsmapRecordHandler;
import io.daxrmap.model.Owner;
import io.daxrmap.source.LoopFilesystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code daxrmap index} on a filesystem that changes while GETFSMAP reads it: a file range rewritten by
 * copy-on-write between two batches shows at its old place and at its new one, which the index refuses. The change
 * is made deterministic by a stand-in for the kernel's GETFSMAP that gives the kernel's records of a real
 * loop-mounted XFS with one file range also at a place that was free, on as many reads as asked: the index reads
 * the filesystem again, and fails, naming the mount, only when every read was refused. The index that is written is
 * checked against the kernel's own {@code xfs_io -c 'fsmap -m'}. Needs root and xfsprogs: skipped with the reason
 * outside CI, failed under CI=true.
 */
class IndexReadAgainTest
{
    private static final long IMAGE_SIZE = 32L << 20;

    @TempDir
    static Path temp;

    private static LoopFilesystem xfs;

    @BeforeAll
    static void createFilesystem() throws IOException
    {
        LoopFilesystem.requireEnvironment("mkfs.xfs", "xfs_io", "xfs_spaceman");
        xfs = LoopFilesystem.xfs(IMAGE_SIZE);
        xfs.run("xfs_io -f -c 'pwrite -S 0x61 0 256k' -c fsync a >/dev/null && cp --reflink=always a b && " +
            "xfs_io -c 'pwrite -S 0x62 0 8k' -c fsync b >/dev/null");
        xfs.settle();
    }

    @AfterAll
    static void removeFilesystem()
    {
        if (xfs != null)
        {
            xfs.close();
        }
    }

    @Test
    void shouldReadAgainWhenTheFirstReadSawAFileRangeTwice() throws IOException
    {
        final ChangingReader reader = new ChangingReader(1);
        final Path index = temp.resolve("changed-once");
        final CliRun run = run(reader, "index", xfs.mountPoint().toString(), "-o", index.toString());

        assertEquals(0, run.status(), run.err());
        assertEquals(2, reader.reads);
        final String[] warnings = run.err().split("\n");
        assertEquals(1, warnings.length, run.err());
        assertTrue(warnings[0].startsWith("daxrmap index: warning: " + xfs.mountPoint() +
            " changed while GETFSMAP read it (device "), run.err());
        assertTrue(warnings[0].contains(" refused: record "), run.err());
        assertTrue(warnings[0].contains(": file range already mapped: owner=" + Owner.toString(reader.moved[4]) +
            " fileOffset=" + reader.moved[5] + " "), run.err());
        assertTrue(warnings[0].endsWith("); reading it again, read 2 of " + IndexCommand.FSMAP_READS), run.err());
        assertTrue(run.out().startsWith("indexed " + xfs.mountPoint() + " with GETFSMAP: "), run.out());
        // the index holds what the second read saw, the kernel's map
        assertEquals(xfs.run("xfs_io -c 'fsmap -m' \"$MNT\""), CliRun.run("dump", index.toString()).out());
    }

    @Test
    void shouldFailNamingTheMountWhenEveryReadSawAFileRangeTwice() throws IOException
    {
        final ChangingReader reader = new ChangingReader(Integer.MAX_VALUE, true);
        final Path parent = temp.resolve("always-changed");
        final Path index = parent.resolve("index");
        final CliRun run = run(reader, "index", xfs.mountPoint().toString(), "-o", index.toString());

        assertEquals(Main.EXIT_BAD_INPUT, run.status(), run.err());
        assertEquals(IndexCommand.FSMAP_READS, reader.reads);
        final String[] lines = run.err().split("\n");
        assertEquals(IndexCommand.FSMAP_READS, lines.length, run.err());
        for (int read = 2; read <= IndexCommand.FSMAP_READS; read++)
        {
            assertTrue(lines[read - 2].startsWith("daxrmap index: warning: " + xfs.mountPoint() + " changed while "),
                run.err());
            assertTrue(lines[read - 2].endsWith("reading it again, read " + read + " of " + IndexCommand.FSMAP_READS),
                run.err());
        }
        final String error = lines[lines.length - 1];
        assertTrue(error.startsWith("daxrmap index: " + xfs.mountPoint() + ": the filesystem kept changing while " +
            "GETFSMAP read it: its records were refused in " + IndexCommand.FSMAP_READS + " reads, the last: device "),
            error);
        assertTrue(error.contains(": file range already mapped: owner=" + Owner.toString(reader.moved[4])), error);
        assertEquals("", run.out());
        assertFalse(Files.exists(index));
        assertFalse(Files.exists(parent), "nothing is left of the refused indexes, nor the directory made for them");
        try (Stream<Path> left = Files.list(temp))
        {
            assertTrue(left.noneMatch(entry -> entry.getFileName().toString().startsWith(".")), "no build directory");
        }
    }

    @Test
    void shouldNotSayTheFilesystemChangedWhenEveryReadIsRefusedTheSameWay() throws IOException
    {
        final ChangingReader reader = new ChangingReader(Integer.MAX_VALUE, false);
        final Path index = temp.resolve("same-refusal").resolve("index");
        final CliRun run = run(reader, "index", xfs.mountPoint().toString(), "-o", index.toString());

        assertEquals(Main.EXIT_BAD_INPUT, run.status(), run.err());
        assertEquals(IndexCommand.FSMAP_READS, reader.reads);
        final String[] lines = run.err().split("\n");
        final String error = lines[lines.length - 1];
        assertTrue(error.startsWith("daxrmap index: " + xfs.mountPoint() + ": GETFSMAP's records were refused the " +
            "same way in " + IndexCommand.FSMAP_READS + " reads, so not for changes between its batches: device "),
            error);
        assertFalse(Files.exists(index));
    }

    private static CliRun run(final IndexCommand.FsmapReader reader, final String... args)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final CommandLine.IFactory factory = new CommandLine.IFactory()
        {
            @Override
            public <K> K create(final Class<K> type) throws Exception
            {
                return type == IndexCommand.class ? type.cast(new IndexCommand(reader)) :
                    CommandLine.defaultFactory().create(type);
            }
        };
        final int status = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8), factory);
        return new CliRun(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * The kernel's GETFSMAP records; on the first {@code changedReads} reads, the first file-data record is given
     * again in the first free record that can hold it, as a file range rewritten by copy-on-write between two
     * batches is: read at its old place before, at its new one after.
     */
    private static final class ChangingReader implements IndexCommand.FsmapReader
    {
        private final int changedReads;
        /** Whether each read gives another record twice, as a filesystem changing between reads would. */
        private final boolean another;
        private int reads;
        /** The record given twice: major, minor, device offset, length, owner, file offset, flags. */
        private long[] moved;

        ChangingReader(final int changedReads)
        {
            this(changedReads, false);
        }

        ChangingReader(final int changedReads, final boolean another)
        {
            this.changedReads = changedReads;
            this.another = another;
        }

        @Override
        public long readAll(final Path path, final FsmapRecordHandler handler) throws IOException
        {
            reads++;
            if (reads > changedReads)
            {
                return IndexCommand.KERNEL.readAll(path, handler);
            }
            final List<long[]> records = new ArrayList<>();
            IndexCommand.KERNEL.readAll(path, (major, minor, deviceOffset, length, owner, fileOffset, flags) ->
                records.add(new long[]{major, minor, deviceOffset, length, owner, fileOffset, flags}));
            final List<long[]> files = records.stream().filter(r -> Owner.isFileData(r[4])).toList();
            final long[] data = files.get(another ? (reads - 1) % files.size() : 0);
            final long[] free = records.stream().filter(r -> r[4] == Owner.FREE && r[3] >= data[3] &&
                r[0] == data[0] && r[1] == data[1]).findFirst().orElseThrow();
            moved = data;
            for (final long[] r : records)
            {
                if (r == free)
                {
                    handler.onRecord((int)r[0], (int)r[1], r[2], data[3], data[4], data[5], (int)data[6]);
                    if (r[3] > data[3])
                    {
                        handler.onRecord((int)r[0], (int)r[1], r[2] + data[3], r[3] - data[3], r[4], r[5], (int)r[6]);
                    }
                }
                else
                {
                    handler.onRecord((int)r[0], (int)r[1], r[2], r[3], r[4], r[5], (int)r[6]);
                }
            }
            return records.size() + 1;
        }
    }
}
