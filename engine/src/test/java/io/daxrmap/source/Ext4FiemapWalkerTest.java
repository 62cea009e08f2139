package io.daxrmap.source;

import io.daxrmap.format.FiemapTextHandler;
import io.daxrmap.format.FiemapTextReader;
import io.daxrmap.model.Owner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The FIEMAP walk on a real loop-mounted ext4 ({@link Workloads#EXT4}, inline data on), against {@code filefrag -v};
 * and ext4's GETFSMAP, which names no file owners.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Ext4FiemapWalkerTest
{
    private static final long IMAGE_SIZE = 32L << 20;

    private LoopFilesystem fs;
    private final Map<String, List<String>> walkedExtents = new LinkedHashMap<>();
    private final Map<String, FileKind> walkedKinds = new LinkedHashMap<>();
    private WalkStats stats;

    @BeforeAll
    void mountAndWalk() throws IOException
    {
        LoopFilesystem.requireEnvironment("mkfs.ext4", "filefrag", "fallocate", "mount", "umount");
        fs = LoopFilesystem.ext4(IMAGE_SIZE);
        fs.run(Workloads.EXT4);
        fs.settle();
        try (FiemapWalker walker = new FiemapWalker(3, true))
        {
            stats = walker.walk(fs.mountPoint(), new FiemapHandler()
            {
                @Override
                public void onInode(final long inode, final String path, final FileKind kind)
                {
                    walkedKinds.put(path, kind);
                    walkedExtents.put(path, new ArrayList<>());
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
                    walkedExtents.get(path).add(fileOffset + " " + physical + " " + length + " 0x" +
                        Integer.toHexString(flags));
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
    void shouldMatchFilefragWhenWalkingEveryRegularFile() throws IOException
    {
        final StringBuilder script = new StringBuilder("while IFS= read -r f; do filefrag -v \"$f\"; done <<'LIST'\n");
        final List<String> files = new ArrayList<>();
        walkedKinds.forEach((path, kind) ->
        {
            if (kind == FileKind.REGULAR)
            {
                files.add(path);
                script.append(path).append('\n');
            }
        });
        script.append("LIST\n");
        final Map<String, List<String>> expected = new LinkedHashMap<>();
        new FiemapTextReader().read(new BufferedReader(new StringReader(fs.run(script.toString()))), "filefrag -v",
            new FiemapTextHandler()
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
                    expected.get(path).add(fileOffset + " " + physical + " " + length + " 0x" +
                        Integer.toHexString(flags));
                }
            });

        assertEquals(files, new ArrayList<>(expected.keySet()));
        for (final String file : files)
        {
            assertEquals(expected.get(file), walkedExtents.get(file), file);
        }
        assertEquals(100, walkedExtents.get("frag/f").size(), "frag/f");
        assertTrue(walkedExtents.get("small/t1").get(0).endsWith(" 0x301"), () -> "inline: " +
            walkedExtents.get("small/t1"));
        assertTrue(walkedExtents.get("sparse/unwritten").get(0).endsWith(" 0x801"), () -> "unwritten: " +
            walkedExtents.get("sparse/unwritten"));
    }

    @Test
    void shouldMapDirectoriesAndCountEverythingWhenWalkingExt4() throws IOException
    {
        final long regular = Long.parseLong(fs.run("find . -xdev -type f -printf '%i\\n' | sort -u | wc -l").trim());
        final long dirs = Long.parseLong(fs.run("find . -xdev -type d | wc -l").trim());
        final long links = Long.parseLong(fs.run("find . -xdev -type l | wc -l").trim());

        assertEquals(regular, stats.files(), stats.toString());
        assertEquals(dirs, stats.directories(), stats.toString());
        assertEquals(links, stats.symlinks(), stats.toString());
        assertEquals(1, stats.hardLinks(), stats.toString());
        assertEquals(0, stats.unsupported(), "ext4 maps directories: " + stats);
        assertEquals(0, stats.vanished() + stats.failed(), stats.toString());
        assertTrue(walkedExtents.get("data/sub").size() >= 1, "a directory's block");
        assertTrue(walkedKinds.containsKey("lost+found"));
        assertEquals(FileKind.SYMLINK, walkedKinds.get("links/sym"));
        assertTrue(stats.bytes() >= (1L << 20) + 300000, stats.toString());
    }

    @Test
    void shouldReportNoFileOwnersWhenReadingExt4Fsmap() throws IOException
    {
        assertTrue(GetFsmap.isSupported(fs.mountPoint()));
        final long[] counts = new long[2];
        try (GetFsmap getFsmap = new GetFsmap())
        {
            getFsmap.readAll(fs.mountPoint(), (major, minor, deviceOffset, length, owner, fileOffset, flags) ->
            {
                counts[0]++;
                if (Owner.isInode(owner))
                {
                    counts[1]++;
                }
            });
        }
        assertTrue(counts[0] > 0, "records");
        assertEquals(0, counts[1], "ext4 names no inode owners");
    }
}
