package io.daxrmap.format;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * xfs_info's output as {@link XfsInfo} reads it: the real capture, a striped filesystem whose log has a stripe unit of
 * its own, and what is not xfs_info output.
 */
class XfsInfoTest
{
    @TempDir
    Path temp;

    @Test
    void shouldReadTheCapturedGeometry() throws IOException
    {
        assertEquals(new XfsInfo(4, 4096, 4096, 16384, 0, 0), XfsInfo.read(Captures.xfsSmall("geometry.txt")));
    }

    @Test
    void shouldTakeTheDataSectionsStripeNotTheLogs() throws IOException
    {
        final Path file = Files.writeString(temp.resolve("striped.txt"), String.join("\n",
            "meta-data=/dev/pmem0             isize=512    agcount=16, agsize=1638400 blks",
            "         =                       sectsz=4096  attr=2, projid32bit=1",
            "         =                       crc=1        finobt=1, sparse=1, rmapbt=1",
            "data     =                       bsize=4096   blocks=26214400, imaxpct=25",
            "         =                       sunit=64     swidth=256 blks",
            "naming   =version 2              bsize=4096   ascii-ci=0, ftype=1",
            "log      =internal log           bsize=4096   blocks=12800, version=2",
            "         =                       sectsz=4096  sunit=8 blks, lazy-count=1",
            "realtime =none                   extsz=4096   blocks=0, rtextents=0", ""));
        assertEquals(new XfsInfo(16, 1638400, 4096, 26214400, 64, 256), XfsInfo.read(file));
    }

    @Test
    void shouldNameWhatIsMissingOrWrong() throws IOException
    {
        final Path inodes = Files.writeString(temp.resolve("inodes.txt"), "131 a\n132 b\n");
        assertEquals(inodes + ":2: not xfs_info output: no agcount= in its meta-data section",
            assertThrows(FormatException.class, () -> XfsInfo.read(inodes)).getMessage());
        final Path odd = Files.writeString(temp.resolve("odd.txt"), String.join("\n",
            "meta-data=/dev/pmem0 agcount=4, agsize=4096 blks",
            "data     =           bsize=3000   blocks=16384, imaxpct=25",
            "         =           sunit=0      swidth=0 blks", ""));
        assertEquals(odd + ":2: field bsize: not a block size (a power of two, 512 to 65536): 3000",
            assertThrows(FormatException.class, () -> XfsInfo.read(odd)).getMessage());
        final Path overflow = Files.writeString(temp.resolve("overflow.txt"), String.join("\n",
            "meta-data=/dev/pmem0 agcount=4, agsize=4096 blks",
            "data     =           bsize=4096   blocks=4503599627501568, imaxpct=25",
            "         =           sunit=0      swidth=0 blks", ""));
        assertEquals(overflow + ":2: field blocks: not the data section of agcount=4 agsize=4096: 4503599627501568",
            assertThrows(FormatException.class, () -> XfsInfo.read(overflow)).getMessage());
        final Path text = Files.writeString(temp.resolve("text.txt"), String.join("\n",
            "meta-data=/dev/pmem0 agcount=four, agsize=4096 blks", ""));
        assertEquals(text + ":1: field agcount: not a number: \"four\"",
            assertThrows(FormatException.class, () -> XfsInfo.read(text)).getMessage());
    }
}
