package io.daxrmap.cli;

import io.daxrmap.format.Captures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A dump or an {@code --inodes} file that is not UTF-8 is refused naming the line and byte, in every format; the
 * paths an import catalogs come out of the text output escaped.
 */
class ImportTextTest
{
    @TempDir
    Path temp;

    @Test
    void shouldNameTheLineOfADumpOrInodesFileThatIsNotUtf8() throws IOException
    {
        final byte[] latin1 = {'/', 'm', 'n', 't', '/', 'c', 'a', 'f', (byte)0xe9};
        final Path csv = temp.resolve("latin1.csv");
        Files.write(csv, concat("EXT,MAJOR,MINOR,PSTART,PEND,OWNER,OSTART,OEND,LENGTH\n0,7,0,0,7,special_88:1,,,8\n" +
            "1,7,0,8,15,special_88:1", new byte[] {(byte)0xe9}, ",,,8\n"));
        assertEquals("daxrmap import: " + csv + ":3: not UTF-8 at byte 24 of the line\n",
            CliRun.run("import", csv.toString(), "-o", temp.resolve("never").toString()).err());
        final Path filefrag = temp.resolve("latin1.filefrag");
        Files.write(filefrag, concat("Filesystem type is: 58465342\nFile size of ", latin1, " is 3072 (3 blocks of " +
            "1024 bytes)\n"));
        assertEquals("daxrmap import: " + filefrag + ":2: not UTF-8 at byte 22 of the line\n", CliRun.run("import",
            "--format", "fiemap", filefrag.toString(), "-o", temp.resolve("never").toString()).err());
        final Path aligned = temp.resolve("aligned.filefrag");
        Files.writeString(aligned, "Filesystem type is: 58465342\n" +
            "File size of /mnt/a is 4096 (1 block of 4096 bytes)\n" +
            " ext:     logical_offset:        physical_offset: length:   expected: flags:\n" +
            "   0:        0..       0:         50..        50:      1:             last,eof\n/mnt/a: 1 extent found\n");
        final Path inodes = temp.resolve("latin1.inodes");
        Files.write(inodes, concat("7 /mnt/a\n8 ", latin1, "\n"));
        assertEquals("daxrmap import: " + inodes + ":2: not UTF-8 at byte 11 of the line\n", CliRun.run("import",
            "--format", "fiemap", "--inodes", inodes.toString(), aligned.toString(), "-o",
            temp.resolve("never").toString()).err());
    }

    @Test
    void shouldPrintAPathInTheQuerysTextAsTheFailureCommandDoes() throws IOException
    {
        final Path filefrag = temp.resolve("odd.filefrag");
        Files.writeString(filefrag, "Filesystem type is: 58465342\n" +
            "File size of /mnt/odd name\tx is 4096 (1 block of 4096 bytes)\n" +
            " ext:     logical_offset:        physical_offset: length:   expected: flags:\n" +
            "   0:        0..       0:         50..        50:      1:             last,eof\n" +
            "/mnt/odd name\tx: 1 extent found\n");
        final Path inodes = temp.resolve("odd.inodes");
        Files.writeString(inodes, "5 /mnt/odd name\tx\n");
        final Path index = temp.resolve("odd");
        assertEquals(0, CliRun.run("import", "--format", "fiemap", "--inodes", inodes.toString(), filefrag.toString(),
            "-o", index.toString()).status());
        // as ls -b prints it: a space or a control character cannot run into the next word or forge a line
        assertEquals("pfn 0x100032: mapped at device offset 204800\nkill  inode 5 pgoff 0 pgcnt 1 /mnt/odd\\ " +
            "name\\tx\n", CliRun.run("query", index.toString(), "--pfn", "0x100032", "--pagemap",
            "0x100000000:0x4000000").out());
    }

    private static byte[] concat(final String first, final byte[] bytes, final String last)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(first.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(bytes);
        out.writeBytes(last.getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    @Test
    void shouldClipUnknownSpaceToARangeAsFreeSpace() throws IOException
    {
        // a FIEMAP import knows nothing of the bytes no file maps: they are the kernel's missing owner, as free space
        // is where there is a reverse map, and a range cuts them the same way
        final Path index = temp.resolve("fiemap-index");
        final CliRun imported = CliRun.run("import", "--format", "fiemap", Captures.xfsSmall("fiemap-v.txt").toString(),
            "--inodes", Captures.xfsSmall("inodes.txt").toString(), "-o", index.toString());
        assertEquals(0, imported.status(), imported.err());
        final String header = "EXT,MAJOR,MINOR,PSTART,PEND,OWNER,OSTART,OEND,LENGTH\n";
        assertTrue(CliRun.run("dump", index.toString()).out().startsWith(header + "0,0,0,0,103,special_0:2,,,104\n"));
        assertEquals(header + "0,0,0,40,41,special_0:2,,,2\n", CliRun.run("query", index.toString(), "--range",
            "40:41").out());
        assertEquals(header + "0,0,0,100,103,special_0:2,,,4\n1,0,0,104,111,inode_139_data,0,7,8\n",
            CliRun.run("query", index.toString(), "--range", "100:104").out());
    }

    @Test
    void shouldDumpAnFsmapVerboseImportWithItsXfsInfoAsXfsIoPrintedIt() throws IOException
    {
        // differential: xfs_io -c 'fsmap -v' of the captured filesystem, through import and dump, byte for byte
        final Path index = temp.resolve("verbose-index");
        final CliRun imported = CliRun.run("import", "--format", "fsmap-verbose",
            Captures.xfsSmall("fsmap-v.txt").toString(), "--xfs-info", Captures.xfsSmall("geometry.txt").toString(),
            "-o", index.toString());
        assertEquals(0, imported.status(), imported.err());
        final CliRun dumped = CliRun.run("dump", index.toString(), "--format", "fsmap-verbose");
        assertEquals(0, dumped.status(), dumped.err());
        assertEquals(Files.readString(Captures.xfsSmall("fsmap-v.txt")), dumped.out());

        final Path without = temp.resolve("without");
        assertEquals(0, CliRun.run("import", "--format", "fsmap-verbose", Captures.xfsSmall("fsmap-v.txt").toString(),
            "-o", without.toString()).status());
        assertEquals("daxrmap dump: fsmap-verbose needs the XFS geometry, which this index does not have: it was " +
            "indexed from another filesystem than XFS, or imported without --xfs-info\n",
            CliRun.run("dump", without.toString(), "--format", "fsmap-verbose").err());

        // a row whose AG columns contradict its block range is a damaged dump
        final String capture = Files.readString(Captures.xfsSmall("fsmap-v.txt"));
        final Path damaged = Files.writeString(temp.resolve("damaged-ag.txt"), capture.replaceFirst(
            "(   0: 7:0 \\[0\\.\\.7\\]: +static fs metadata +0  )\\(0\\.\\.7\\)", "$1(8..15)"));
        final CliRun refused = CliRun.run("import", "--format", "fsmap-verbose", damaged.toString(), "-o",
            temp.resolve("damaged").toString());
        assertEquals(2, refused.status());
        assertEquals("daxrmap import: " + damaged + ":2: field AG-OFFSET: in AG 0 the offset is the block range's " +
            "start: offset=8 start=0\n", refused.err());

        // another filesystem's geometry is refused: the dump's AG columns say where its AGs are
        final Path otherInfo = Files.writeString(temp.resolve("other-xfs-info.txt"),
            Files.readString(Captures.xfsSmall("geometry.txt")).replace("agcount=4, agsize=4096", "agcount=2, agsize=8192"));
        final CliRun mismatch = CliRun.run("import", "--format", "fsmap-verbose", Captures.xfsSmall("fsmap-v.txt")
            .toString(), "--xfs-info", otherInfo.toString(), "-o", temp.resolve("mismatch").toString());
        assertEquals(2, mismatch.status());
        assertEquals("daxrmap import: --xfs-info " + otherInfo + " gives AGs of 65536 sectors (agsize=8192 " +
            "bsize=4096), but the AG columns of " + Captures.xfsSmall("fsmap-v.txt") + ":54 put them at 32768\n",
            mismatch.err());

        final CliRun other = CliRun.run("import", "--format", "fsmap-verbose", Captures.xfsSmall("fsmap-v.txt").toString(),
            "--xfs-info", Captures.xfsSmall("geometry.txt").toString(), "--block-size", "1024", "-o",
            temp.resolve("other").toString());
        assertEquals(2, other.status());
        assertEquals("daxrmap import: --block-size 1024 is not the block size " + Captures.xfsSmall("geometry.txt") +
            " gives: bsize=4096\n", other.err());
    }

    @Test
    void shouldTakeTheDeviceWithTheSuperblockForTheDataDeviceWhereARealtimeDeviceComesFirst() throws IOException
    {
        // GETFSMAP lists devices in dev_t order: a realtime device numbered before the data device comes first. The
        // data device is the one with the superblock and AG headers, and --xfs-info's geometry is its.
        // a realtime device of rt groups has a superblock of its own, which GETFSMAP names static fs metadata: the AG
        // headers tell the data device
        final Path realtime = Files.writeString(temp.resolve("rt.csv"),
            "EXT,MAJOR,MINOR,PSTART,PEND,OWNER,OSTART,OEND,LENGTH\n0,1,5,0,7,special_88:1,,,8\n" +
            "1,1,5,8,15,inode_999_data,0,7,8\n");
        final Path index = temp.resolve("rt-first");
        final CliRun imported = CliRun.run("import", realtime.toString(), Captures.xfsSmall("fsmap-m.csv").toString(),
            "--xfs-info", Captures.xfsSmall("geometry.txt").toString(), "-o", index.toString());
        assertEquals(0, imported.status(), imported.err());
        final CliRun range = CliRun.run("query", index.toString(), "--range", "0:7");
        assertEquals("EXT,MAJOR,MINOR,PSTART,PEND,OWNER,OSTART,OEND,LENGTH\n0,7,0,0,7,special_88:1,,,8\n",
            range.out(), "the data device's first sector: the superblock");
        final String verbose = CliRun.run("dump", index.toString(), "--format", "fsmap-verbose").out();
        assertTrue(verbose.lines().anyMatch(line -> line.matches(" +\\d+: 7:0 \\[0\\.\\.7\\]: +static fs metadata +0 +\\(0\\.\\.7\\) +8")),
            verbose);
        assertTrue(verbose.lines().anyMatch(line -> line.matches(" +\\d+: 1:5 \\[8\\.\\.15\\]: +999 +0\\.\\.7 +8")),
            verbose);
    }
}
