package io.daxrmap.source;

import io.daxrmap.format.DeviceNumber;
import io.daxrmap.format.FiemapTextHandler;
import io.daxrmap.format.FiemapTextReader;
import io.daxrmap.format.FsmapCsvReader;
import io.daxrmap.format.FsmapRecordHandler;
import io.daxrmap.format.FsmapVerboseReader;
import io.daxrmap.model.MappingFlags;
import io.daxrmap.model.Owner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GETFSMAP and the FIEMAP walk against the kernel and xfs_io, on a real loop-mounted XFS after the capture
 * workload ({@link Workloads#XFS}), with a tmpfs mounted inside it that the walk must not enter.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class XfsSourceTest
{
    private static final long IMAGE_SIZE = 64L << 20;
    private static final int BLOCK = 4096;
    private static final int COMPARED_FLAGS = MappingFlags.SHARED | MappingFlags.UNWRITTEN | MappingFlags.ATTR_FORK;

    private LoopFilesystem fs;
    private final Map<Long, String> walkedInodes = new LinkedHashMap<>();
    private final Map<Long, FileKind> walkedKinds = new HashMap<>();
    private final Map<String, List<String>> walkedExtents = new LinkedHashMap<>();
    private final Set<String> walkedBlocks = new TreeSet<>();
    private WalkStats stats;

    @BeforeAll
    void mountAndWalk() throws IOException
    {
        LoopFilesystem.requireEnvironment("mkfs.xfs", "xfs_io", "xfs_spaceman", "setfattr", "mount", "umount");
        fs = LoopFilesystem.xfs(IMAGE_SIZE);
        fs.run(Workloads.XFS);
        fs.mountTmpfs("tree/mounted");
        fs.run("echo hidden > tree/mounted/hidden");
        fs.settle();
        try (FiemapWalker walker = new FiemapWalker())
        {
            stats = walker.walk(fs.mountPoint(), new FiemapHandler()
            {
                @Override
                public void onInode(final long inode, final String path, final FileKind kind)
                {
                    walkedInodes.put(inode, path);
                    walkedKinds.put(inode, kind);
                    if (kind == FileKind.REGULAR)
                    {
                        walkedExtents.put(path, new ArrayList<>());
                    }
                }

                @Override
                public void onExtent(
                    final long inode,
                    final String path,
                    final long fileOffset,
                    final long physical,
                    final long length,
                    final int flags)
                {
                    walkedExtents.get(path).add(extent(fileOffset, physical, length, flags));
                    if ((flags & (FiemapWalker.FIEMAP_EXTENT_UNKNOWN | FiemapWalker.FIEMAP_EXTENT_DATA_INLINE)) == 0)
                    {
                        addBlocks(walkedBlocks, inode, fileOffset, physical, length);
                    }
                }
            });
        }
    }

    @AfterAll
    void unmount()
    {
        if (fs != null)
        {
            fs.close();
        }
    }

    @Test
    void shouldDeliverWhatXfsIoFsmapPrintsWhenReadingTheWholeFilesystem() throws IOException
    {
        final List<String> expected = new ArrayList<>();
        new FsmapCsvReader().read(text(fs.run("xfs_io -c 'fsmap -m' \"$MNT\"")), "fsmap -m",
            (major, minor, deviceOffset, length, owner, fileOffset, flags) ->
                expected.add(record(major, minor, deviceOffset, length, owner, fileOffset, flags)));

        final List<String> actual = new ArrayList<>();
        final List<Integer> flagsSeen = new ArrayList<>();
        final long records;
        try (GetFsmap getFsmap = new GetFsmap())
        {
            records = getFsmap.readAll(fs.mountPoint(), (major, minor, deviceOffset, length, owner, fileOffset, flags) ->
            {
                actual.add(record(major, minor, deviceOffset, length, owner, fileOffset,
                    flags & ~(MappingFlags.SHARED | MappingFlags.UNWRITTEN)));
                flagsSeen.add(flags);
            });
            assertEquals(records, getFsmap.count(fs.mountPoint()));
        }

        assertEquals(expected.size(), records);
        assertTrue(records > 500, () -> "records=" + records);
        assertEquals(expected, actual);
        assertTrue(flagsSeen.stream().anyMatch(f -> (f & MappingFlags.SHARED) != 0), "some record is shared");
        assertTrue(flagsSeen.stream().anyMatch(f -> (f & MappingFlags.UNWRITTEN) != 0), "some record is unwritten");
        assertTrue(flagsSeen.stream().noneMatch(f -> (f & MappingFlags.LAST) != 0), "FMR_OF_LAST is not delivered");
    }

    @Test
    void shouldAgreeWithXfsIoVerboseFlagsWhenRecordsAreSharedUnwrittenOrAttrFork() throws IOException
    {
        final List<long[]> verbose = new ArrayList<>();
        new FsmapVerboseReader().read(text(fs.run("xfs_io -c 'fsmap -v' \"$MNT\"")), "fsmap -v",
            (major, minor, deviceOffset, length, owner, fileOffset, flags) ->
                verbose.add(new long[]{deviceOffset, length, owner, flags}));
        final List<long[]> kernel = new ArrayList<>();
        try (GetFsmap getFsmap = new GetFsmap())
        {
            getFsmap.readAll(fs.mountPoint(), (major, minor, deviceOffset, length, owner, fileOffset, flags) ->
                kernel.add(new long[]{deviceOffset, length, owner, flags}));
        }

        assertEquals(verbose.size(), kernel.size());
        int flagged = 0;
        for (int i = 0; i < kernel.size(); i++)
        {
            final long[] k = kernel.get(i);
            final long[] v = verbose.get(i);
            final int kind = Owner.kind(k[2]);
            final boolean bmbt = kind == Owner.KIND_DATA_BMBT || kind == Owner.KIND_ATTR_BMBT;
            final long mask = bmbt ? MappingFlags.SHARED | MappingFlags.UNWRITTEN : COMPARED_FLAGS;
            final String where = "record=" + i + " offset=" + k[0];
            assertEquals(k[0], v[0], where);
            assertEquals(k[1], v[1], where);
            assertEquals(bmbt ? Owner.dataBmbt(Owner.inode(k[2])) : k[2], v[2], where);
            assertEquals(k[3] & mask, v[3] & mask, where);
            if ((k[3] & COMPARED_FLAGS) != 0)
            {
                flagged++;
            }
        }
        assertTrue(flagged > 20, "flagged=" + flagged);
    }

    @Test
    void shouldDeliverTheSameRecordsWhenBatchesAreSmall() throws IOException
    {
        final List<String> big = new ArrayList<>();
        final List<String> small = new ArrayList<>();
        try (GetFsmap oneBatch = new GetFsmap(GetFsmap.MAX_BATCH); GetFsmap sevens = new GetFsmap(7))
        {
            oneBatch.readAll(fs.mountPoint(), collect(big));
            sevens.readAll(fs.mountPoint(), collect(small));
            assertEquals(1, oneBatch.calls());
            assertEquals((big.size() + 6) / 7, sevens.calls(), "calls");
        }
        assertEquals(big, small);
    }

    @Test
    void shouldDeliverEveryOverlappingRecordWhenReadingARange() throws IOException
    {
        final List<long[]> all = new ArrayList<>();
        try (GetFsmap getFsmap = new GetFsmap(16))
        {
            getFsmap.readAll(fs.mountPoint(), (major, minor, deviceOffset, length, owner, fileOffset, flags) ->
                all.add(new long[]{DeviceNumber.encode(major, minor), deviceOffset, length, owner}));
            final int device = (int)all.get(0)[0];
            final List<long[]> owned = all.stream().filter(r -> r[0] == device && r[3] != Owner.FREE).toList();
            final long[] middle = owned.get(owned.size() / 2);
            final long first = middle[1] + middle[2] / 2;
            final long last = first + (1L << 20) + 511;
            final List<String> expected = new ArrayList<>();
            for (final long[] r : all)
            {
                if (r[0] == device && r[1] <= last && r[1] + r[2] - 1 >= first && r[3] != Owner.FREE)
                {
                    expected.add(r[1] + "+" + r[2] + " " + Owner.toString(r[3]));
                }
            }
            final List<String> actual = new ArrayList<>();
            getFsmap.readRange(fs.mountPoint(), device, first, last,
                (major, minor, deviceOffset, length, owner, fileOffset, flags) ->
                {
                    if (owner != Owner.FREE)
                    {
                        actual.add(deviceOffset + "+" + length + " " + Owner.toString(owner));
                    }
                });
            assertTrue(expected.size() > 10, () -> "expected=" + expected.size());
            assertEquals(expected, actual);
            final List<String> again = new ArrayList<>();
            try (GetFsmap.Opened opened = getFsmap.open(fs.mountPoint()))
            {
                for (int i = 0; i < 2; i++)
                {
                    again.clear();
                    opened.readRange(device, first, last, (major, minor, deviceOffset, length, owner, fo, fl) ->
                    {
                        if (owner != Owner.FREE)
                        {
                            again.add(deviceOffset + "+" + length + " " + Owner.toString(owner));
                        }
                    });
                    assertEquals(expected, again, "an open filesystem answers as a path does, every time");
                }
            }
        }
    }

    @Test
    void shouldMatchXfsIoFiemapWhenWalkingEveryRegularFile() throws IOException
    {
        final StringBuilder script = new StringBuilder("while IFS= read -r f; do xfs_io -r -c 'fiemap -v' \"$f\"; " +
            "done <<'LIST'\n");
        walkedExtents.keySet().forEach(path -> script.append(path).append('\n'));
        script.append("LIST\n");
        final Map<String, List<String>> expected = new LinkedHashMap<>();
        new FiemapTextReader().read(text(fs.run(script.toString())), "fiemap -v", new FiemapTextHandler()
        {
            @Override
            public void onFile(final String path, final long size)
            {
                expected.put(path, new ArrayList<>());
            }

            @Override
            public void onExtent(
                final String path, final long fileOffset, final long physical, final long length, final int flags)
            {
                expected.get(path).add(extent(fileOffset, physical, length, flags));
            }
        });

        assertEquals(expected.keySet(), walkedExtents.keySet());
        for (final Map.Entry<String, List<String>> file : expected.entrySet())
        {
            assertEquals(file.getValue(), walkedExtents.get(file.getKey()), file.getKey());
        }
        assertEquals(400, walkedExtents.get("frag/f").size());
        assertTrue(walkedExtents.get("links/empty").isEmpty());
    }

    @Test
    void shouldCoverTheKernelsDataForkRecordsBlockByBlock() throws IOException
    {
        final Set<String> kernelBlocks = new TreeSet<>();
        try (GetFsmap getFsmap = new GetFsmap())
        {
            getFsmap.readAll(fs.mountPoint(), (major, minor, deviceOffset, length, owner, fileOffset, flags) ->
            {
                if (Owner.isFileData(owner) && walkedKinds.get(Owner.inode(owner)) == FileKind.REGULAR)
                {
                    addBlocks(kernelBlocks, Owner.inode(owner), fileOffset, deviceOffset, length);
                }
            });
        }

        assertTrue(kernelBlocks.size() > 1000, () -> "blocks=" + kernelBlocks.size());
        final Set<String> missing = new TreeSet<>(kernelBlocks);
        missing.removeAll(walkedBlocks);
        final Set<String> extra = new TreeSet<>(walkedBlocks);
        extra.removeAll(kernelBlocks);
        assertEquals(Set.of(), missing, "blocks GETFSMAP has and the walk has not");
        assertEquals(Set.of(), extra, "blocks the walk has and GETFSMAP has not");
    }

    @Test
    void shouldReportEveryInodeOnceUnderItsFirstSortedPathWhenWalking() throws IOException
    {
        final Map<Long, String> expected = new HashMap<>();
        final TreeMap<String, Long> byPath = new TreeMap<>();
        for (final String line : fs.run("find . -xdev -printf '%i %P\\n'").split("\n"))
        {
            final int space = line.indexOf(' ');
            byPath.put(line.substring(space + 1), Long.parseLong(line.substring(0, space)));
        }
        byPath.remove("tree/mounted");
        byPath.forEach((path, inode) -> expected.putIfAbsent(inode, path));

        assertEquals(expected, walkedInodes);
        assertEquals(new ArrayList<>(new TreeSet<>(walkedInodes.values())), new ArrayList<>(walkedInodes.values()),
            "walk order is sorted path order");
        assertEquals("", walkedInodes.values().iterator().next());
    }

    @Test
    void shouldCountDirectoriesSymlinksLinksAndMountPointsWhenWalking() throws IOException
    {
        final long regular = Long.parseLong(fs.run("find . -xdev -type f -printf '%i\\n' | sort -u | wc -l").trim());
        final long paths = Long.parseLong(fs.run("find . -xdev -type f | wc -l").trim());
        final long dirs = Long.parseLong(fs.run("find . -xdev -type d | wc -l").trim()) - 1;
        final long links = Long.parseLong(fs.run("find . -xdev -type l | wc -l").trim());

        assertEquals(regular, stats.files(), stats.toString());
        assertEquals(paths - regular, stats.hardLinks(), stats.toString());
        assertEquals(1, stats.hardLinks(), stats.toString());
        assertEquals(dirs, stats.directories(), stats.toString());
        assertEquals(links, stats.symlinks(), stats.toString());
        assertEquals(1, stats.mountPoints(), stats.toString());
        assertEquals(stats.directories(), stats.unsupported(), "XFS refuses FIEMAP on directories: " + stats);
        assertEquals(0, stats.vanished(), stats.toString());
        assertEquals(0, stats.failed(), stats.toString());
        assertEquals(List.of(), stats.failures());
        assertEquals(walkedExtents.values().stream().mapToLong(List::size).sum(), stats.extents());
        assertTrue(walkedInodes.values().stream().noneMatch(p -> p.startsWith("tree/mounted")));
    }

    private static FsmapRecordHandler collect(final List<String> out)
    {
        return (major, minor, deviceOffset, length, owner, fileOffset, flags) ->
            out.add(record(major, minor, deviceOffset, length, owner, fileOffset, flags));
    }

    private static String record(
        final int major,
        final int minor,
        final long deviceOffset,
        final long length,
        final long owner,
        final long fileOffset,
        final int flags)
    {
        return major + ":" + minor + " " + deviceOffset + "+" + length + " " + Owner.toString(owner) + " @" +
            fileOffset + " 0x" + Integer.toHexString(flags);
    }

    private static String extent(final long fileOffset, final long physical, final long length, final int flags)
    {
        return fileOffset + " " + physical + " " + length + " 0x" + Integer.toHexString(flags);
    }

    private static void addBlocks(
        final Set<String> blocks, final long inode, final long fileOffset, final long physical, final long length)
    {
        assertEquals(0, fileOffset % BLOCK, "fileOffset");
        assertEquals(0, physical % BLOCK, "physical");
        assertEquals(0, length % BLOCK, "length");
        for (long b = 0; b < length; b += BLOCK)
        {
            blocks.add(inode + ":" + (fileOffset + b) / BLOCK + ":" + (physical + b) / BLOCK);
        }
    }

    private static BufferedReader text(final String text)
    {
        return new BufferedReader(new StringReader(text));
    }
}
