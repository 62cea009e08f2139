package io.daxrmap.failure;

import io.daxrmap.format.DeviceNumber;
import io.daxrmap.index.Batch;
import io.daxrmap.index.IndexConfig;
import io.daxrmap.index.ReverseIndex;
import io.daxrmap.model.DeviceGeometry;
import io.daxrmap.model.MappingFlags;
import io.daxrmap.model.Owner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Hand-computed failure reports over a small in-memory device: private, shared, unwritten, CoW, inode-chunk,
 * attr-fork and free bytes behind a region with a start pad, a data offset and a partition offset.
 */
class FailureServiceTest
{
    static final int DEVICE = DeviceNumber.encode(259, 0);
    static final long MIB = 1L << 20;
    static final long PHYS_BASE = 0x1_0000_0000L;
    static final long START_PAD = 0x1000;
    static final long DATA_OFFSET = 2 * MIB;
    static final long PARTITION_OFFSET = MIB;
    static final long FS_START = PHYS_BASE + START_PAD + DATA_OFFSET + PARTITION_OFFSET;
    static final long DEVICE_SIZE = 64 * MIB;
    static final long WINDOW = 128 * MIB;
    static final long REGION_BASE = PHYS_BASE - 16 * MIB;

    private static ReverseIndex index;
    private static FailureService service;

    @BeforeAll
    static void load()
    {
        index = ReverseIndex.create(new IndexConfig(new DeviceGeometry(DEVICE, DEVICE_SIZE, 4096), 1024));
        index.newBatch()
            .map(Owner.data(100), 0, MIB, 64 * 1024, 0)
            .reflink(Owner.data(100), 0, Owner.data(101), 32 * 1024, 16 * 1024)
            .map(Owner.data(102), 0, 2 * MIB, 8192, MappingFlags.UNWRITTEN)
            .allocMetadata(Owner.XFS_COW, 3 * MIB, 4096)
            .allocMetadata(Owner.XFS_INODES, 4 * MIB, 8192)
            .map(Owner.data(103), 0, 4 * MIB + 8192, 4096, 0)
            .map(Owner.attr(104), 0, 5 * MIB, 4096, 0)
            .commit();
        final Regions regions = new Regions(List.of(new Region("pmem0", PHYS_BASE, WINDOW, START_PAD, DATA_OFFSET,
            PARTITION_OFFSET, Region.DATA_DEVICE, REGION_BASE)));
        service = new FailureService(regions, Map.of(DEVICE, index), DEVICE);
    }

    @AfterAll
    static void close()
    {
        index.close();
    }

    @Test
    void shouldKeepA64ByteErrorIn64BytesOfOneFileWhenDataIsPrivate()
    {
        final List<String> reports = answer(FailureEvent.physical(FS_START + MIB + 5 * 4096 + 0x47, 6));
        assertEquals(List.of(String.join("\n",
            "mapped 0x" + Long.toHexString(FS_START + MIB + 5 * 4096 + 0x40) + " device " + (MIB + 5 * 4096 + 0x40) + " +64",
            "kill 100 pgoff 5 pgcnt 1 flags 0",
            "repair " + (MIB + 5 * 4096 + 0x40) + " +64 DATA inode_100_data file " + (5 * 4096 + 0x40))), reports);
    }

    @Test
    void shouldListEverySharerWithItsPgoffWhenThePageIsShared()
    {
        final List<String> reports = answer(FailureEvent.physical(FS_START + MIB + 100, 12));
        assertEquals(List.of(String.join("\n",
            "mapped 0x" + Long.toHexString(FS_START + MIB) + " device " + MIB + " +4096",
            "kill 100 pgoff 0 pgcnt 1 flags 8",
            "kill 101 pgoff 8 pgcnt 1 flags 8",
            "repair " + MIB + " +4096 DATA inode_100_data file 0",
            "repair " + MIB + " +4096 DATA inode_101_data file 32768")), reports);
    }

    @Test
    void shouldMergeThePagesOfEachAddressSpaceWhenBadblocksCoverSeveralPages()
    {
        final long sector = (PARTITION_OFFSET + MIB) / 512;
        final List<String> reports = answer(FailureEvent.badblocks("pmem0", sector, 32, FailureEvent.Origin.NAMESPACE, "{}"));
        assertEquals(List.of(String.join("\n",
            "mapped 0x" + Long.toHexString(FS_START + MIB) + " device " + MIB + " +16384",
            "kill 100 pgoff 0 pgcnt 4 flags 8",
            "kill 101 pgoff 8 pgcnt 4 flags 8",
            "repair " + MIB + " +16384 DATA inode_100_data file 0",
            "repair " + MIB + " +16384 DATA inode_101_data file 32768")), reports);
    }

    @Test
    void shouldReZeroUnwrittenBytesAndStillKillAsTheKernelDoes()
    {
        final List<String> reports = answer(FailureEvent.physical(FS_START + 2 * MIB + 4096 + 512, 9));
        assertEquals(List.of(String.join("\n",
            "mapped 0x" + Long.toHexString(FS_START + 2 * MIB + 4096 + 512) + " device " + (2 * MIB + 4096 + 512) + " +512",
            "kill 102 pgoff 1 pgcnt 1 flags 1",
            "repair " + (2 * MIB + 4096 + 512) + " +512 UNWRITTEN inode_102_data file 4608")), reports);
    }

    @Test
    void shouldGiveAPageAlignedRecoveryWriteForFreeSpaceAndKillNothing()
    {
        final List<String> reports = answer(FailureEvent.physical(FS_START + 6 * MIB + 100, 6));
        assertEquals(List.of(String.join("\n",
            "mapped 0x" + Long.toHexString(FS_START + 6 * MIB + 64) + " device " + (6 * MIB + 64) + " +64",
            "repair " + (6 * MIB + 64) + " +64 FREE special_0:1 file -1")), reports);
    }

    @Test
    void shouldCallCowStagingDiscardableAndFatal()
    {
        final List<String> reports = answer(FailureEvent.physical(FS_START + 3 * MIB + 256, 8));
        assertEquals(List.of(String.join("\n",
            "mapped 0x" + Long.toHexString(FS_START + 3 * MIB + 256) + " device " + (3 * MIB + 256) + " +256",
            "fatal special_88:7 " + 3 * MIB + " +4096",
            "repair " + (3 * MIB + 256) + " +256 COW special_88:7 file -1")), reports);
    }

    @Test
    void shouldSplitBadblocksStraddlingAMetadataBlockBoundary()
    {
        final long sector = (PARTITION_OFFSET + 4 * MIB + 8192 - 512) / 512;
        final List<String> reports = answer(FailureEvent.badblocks("pmem0", sector, 2, FailureEvent.Origin.NAMESPACE, "{}"));
        assertEquals(List.of(String.join("\n",
            "mapped 0x" + Long.toHexString(FS_START + 4 * MIB + 8192 - 512) + " device " + (4 * MIB + 8192 - 512) + " +1024",
            "kill 103 pgoff 0 pgcnt 1 flags 0",
            "fatal special_88:5 " + (4 * MIB + 4096) + " +4096",
            "repair " + (4 * MIB + 8192 - 512) + " +512 METADATA special_88:5 file -1",
            "repair " + (4 * MIB + 8192) + " +512 DATA inode_103_data file 0")), reports);
    }

    @Test
    void shouldTreatAnAttrForkAsMetadataWithItsFileOffset()
    {
        final List<String> reports = answer(FailureEvent.pfn((FS_START + 5 * MIB) >> 12, "{}"));
        assertEquals(List.of(String.join("\n",
            "mapped 0x" + Long.toHexString(FS_START + 5 * MIB) + " device " + 5 * MIB + " +4096",
            "fatal inode_104_attr " + 5 * MIB + " +4096",
            "repair " + 5 * MIB + " +4096 METADATA inode_104_attr file 0")), reports);
    }

    @Test
    void shouldGiveAVerdictAtEveryRegionEdge()
    {
        assertEquals(List.of("outside-devices 0x" + Long.toHexString(PHYS_BASE - 1) + " +1"), answer(FailureEvent.physical(PHYS_BASE - 1, 0)));
        assertEquals(List.of("device-metadata-area 0x" + Long.toHexString(PHYS_BASE) + " +1"), answer(FailureEvent.physical(PHYS_BASE, 0)));
        final long dataStart = PHYS_BASE + START_PAD + DATA_OFFSET;
        assertEquals(List.of("device-metadata-area 0x" + Long.toHexString(dataStart - 1) + " +1"), answer(FailureEvent.physical(dataStart - 1, 0)));
        assertEquals(List.of("outside-filesystem 0x" + Long.toHexString(dataStart) + " +1"), answer(FailureEvent.physical(dataStart, 0)));
        assertEquals(List.of("outside-filesystem 0x" + Long.toHexString(FS_START - 1) + " +1"), answer(FailureEvent.physical(FS_START - 1, 0)));
        assertEquals(List.of("mapped 0x" + Long.toHexString(FS_START) + " device 0 +1\nrepair 0 +1 FREE special_0:1 file -1"),
            answer(FailureEvent.physical(FS_START, 0)));
        final long last = FS_START + DEVICE_SIZE - 1;
        assertEquals(List.of("mapped 0x" + Long.toHexString(last) + " device " + (DEVICE_SIZE - 1) + " +1\nrepair " +
            (DEVICE_SIZE - 1) + " +1 FREE special_0:1 file -1"), answer(FailureEvent.physical(last, 0)));
        assertEquals(List.of("outside-filesystem 0x" + Long.toHexString(last + 1) + " +1"), answer(FailureEvent.physical(last + 1, 0)));
        assertEquals(List.of("outside-filesystem 0x" + Long.toHexString(PHYS_BASE + WINDOW - 1) + " +1"),
            answer(FailureEvent.physical(PHYS_BASE + WINDOW - 1, 0)));
        assertEquals(List.of("outside-devices 0x" + Long.toHexString(PHYS_BASE + WINDOW) + " +1"),
            answer(FailureEvent.physical(PHYS_BASE + WINDOW, 0)));
    }

    @Test
    void shouldAnswerEachAreaOfABadblocksRangeAcrossTheDataStart()
    {
        final long dataStart = PHYS_BASE + START_PAD + DATA_OFFSET;
        final long sector = (dataStart - REGION_BASE) / 512 - 1;
        assertEquals(List.of("device-metadata-area 0x" + Long.toHexString(dataStart - 512) + " +512",
            "outside-filesystem 0x" + Long.toHexString(dataStart) + " +512"),
            answer(FailureEvent.badblocks("pmem0", sector, 2, FailureEvent.Origin.REGION, "{}")));
    }

    @Test
    void shouldTakeEveryPageOfAGranuleAboveThePage()
    {
        // an LSB of 21: bits 0-20 of the address are not valid, and nfit_handle_mce() records the 2 MiB around it;
        // here [0x100400000, 0x100600000), device [1 MiB - 4 KiB, 3 MiB - 4 KiB): files 100 to 102, not the CoW
        // staging extent at 3 MiB
        final long granule = (FS_START + MIB + 5 * 4096 + 7) & -(2 * MIB);
        final long device = granule - FS_START;
        assertEquals(MIB - 4096, device);
        assertEquals(List.of(String.join("\n",
            "mapped 0x" + Long.toHexString(granule) + " device " + device + " +" + 2 * MIB,
            "kill 100 pgoff 0 pgcnt 16 flags 8",
            "kill 101 pgoff 8 pgcnt 4 flags 8",
            "kill 102 pgoff 0 pgcnt 2 flags 1",
            "repair " + device + " +4096 FREE special_0:1 file -1",
            "repair " + MIB + " +65536 DATA inode_100_data file 0",
            "repair " + MIB + " +16384 DATA inode_101_data file 32768",
            "repair " + (MIB + 65536) + " +" + (MIB - 65536) + " FREE special_0:1 file -1",
            "repair " + 2 * MIB + " +8192 UNWRITTEN inode_102_data file 0",
            "repair " + (2 * MIB + 8192) + " +" + (MIB - 4096 - 8192) + " FREE special_0:1 file -1")),
            answer(FailureEvent.physical(FS_START + MIB + 5 * 4096 + 7, 21)));
    }

    @Test
    void shouldListEveryOwnerOfTheDeviceAndNoMetadataOnPreRemove()
    {
        assertEquals(List.of(String.join("\n",
            "mapped 0x" + Long.toHexString(FS_START) + " device 0 +" + DEVICE_SIZE,
            "kill 100 pgoff 0 pgcnt 16 flags 8",
            "kill 101 pgoff 8 pgcnt 4 flags 8",
            "kill 102 pgoff 0 pgcnt 2 flags 1",
            "kill 103 pgoff 0 pgcnt 1 flags 0")), answer(FailureEvent.preRemove("pmem0", "{}")));
    }

    @Test
    void shouldExpandTheKillListToThePmdMapping()
    {
        final Regions regions = service.regions();
        final FailureService pmd = new FailureService(regions, Map.of(DEVICE, index), DEVICE)
            .mappingShift(FailureService.PMD_MAPPING_SHIFT);
        final FailureReport report = pmd.reportPage(FailureEvent.physical(FS_START + MIB, 12), new FailureReport());
        assertEquals(2, report.killCount());
        assertEquals(101, report.killInode(1));
        assertEquals(8, report.killPgoff(1));
        assertEquals(0, report.killPgoffExpanded(1));
        assertEquals(512, report.killPgcntExpanded(1));
    }

    @Test
    void shouldAnswerFromTheNewDeviceWhenAFollowedIndexDirectoryIsReplaced(@TempDir final Path temp) throws IOException
    {
        final Path directory = temp.resolve("index");
        build(directory, 8 * MIB, b -> b.map(Owner.data(200), 0, MIB, 4096, 0));
        final Path wider = temp.resolve("wider");
        build(wider, 32 * MIB, b -> b.map(Owner.data(210), 8192, 16 * MIB, 4096, 0));
        final Path narrower = temp.resolve("narrower");
        build(narrower, 4 * MIB, b -> b.map(Owner.data(220), 0, MIB, 4096, 0));
        try (ReverseIndex follower = ReverseIndex.openReadOnly(directory))
        {
            final FailureService followed = new FailureService(service.regions(), Map.of(DEVICE, follower), DEVICE);
            assertEquals(List.of(String.join("\n",
                "mapped 0x" + Long.toHexString(FS_START + MIB) + " device " + MIB + " +4096",
                "kill 200 pgoff 0 pgcnt 1 flags 0",
                "repair " + MIB + " +4096 DATA inode_200_data file 0")),
                answer(followed, FailureEvent.physical(FS_START + MIB + 100, 12)));

            // a new import put in place of the directory, of a larger device: the follower adopts it on refresh
            Files.move(directory, temp.resolve("old-1"));
            Files.move(wider, directory);
            assertEquals(List.of(String.join("\n",
                "mapped 0x" + Long.toHexString(FS_START + 16 * MIB) + " device " + 16 * MIB + " +4096",
                "kill 210 pgoff 2 pgcnt 1 flags 0",
                "repair " + 16 * MIB + " +4096 DATA inode_210_data file 8192")),
                answer(followed, FailureEvent.physical(FS_START + 16 * MIB + 100, 12)));
            assertEquals(List.of(String.join("\n",
                "mapped 0x" + Long.toHexString(FS_START) + " device 0 +" + 32 * MIB,
                "kill 210 pgoff 2 pgcnt 1 flags 0")), answer(followed, FailureEvent.preRemove("pmem0", "{}")));

            // and of a smaller one: bytes past its end are outside the filesystem, not a query past the device
            Files.move(directory, temp.resolve("old-2"));
            Files.move(narrower, directory);
            assertEquals(List.of("outside-filesystem 0x" + Long.toHexString(FS_START + 6 * MIB) + " +4096"),
                answer(followed, FailureEvent.physical(FS_START + 6 * MIB + 100, 12)));
            assertEquals(List.of(String.join("\n",
                "mapped 0x" + Long.toHexString(FS_START + MIB) + " device " + MIB + " +4096",
                "kill 220 pgoff 0 pgcnt 1 flags 0",
                "repair " + MIB + " +4096 DATA inode_220_data file 0")),
                answer(followed, FailureEvent.physical(FS_START + MIB + 100, 12)));
        }
    }

    private static void build(final Path directory, final long size, final Consumer<Batch> ops) throws IOException
    {
        try (ReverseIndex built = ReverseIndex.create(
            new IndexConfig(new DeviceGeometry(DEVICE, size, 4096), 1024), directory))
        {
            final Batch batch = built.newBatch();
            ops.accept(batch);
            batch.commit();
        }
    }

    @Test
    void shouldRefuseBadblocksPastTheEndOfTheirRegionNamingSectorOrCount()
    {
        final long sectors = (WINDOW - START_PAD - DATA_OFFSET) / 512;
        assertEquals(List.of("outside-filesystem 0x" + Long.toHexString(PHYS_BASE + WINDOW - 512) + " +512"),
            answer(FailureEvent.badblocks("pmem0", sectors - 1, 1, FailureEvent.Origin.NAMESPACE, "{}")));
        final FailureService.BadEventException spill = assertThrows(FailureService.BadEventException.class,
            () -> answer(FailureEvent.badblocks("pmem0", sectors - 1, 2, FailureEvent.Origin.NAMESPACE, "{}")));
        assertEquals("count", spill.field());
        assertEquals("runs past the end of region pmem0 (" + sectors + " sectors from the namespace data start): " +
            "sector=" + (sectors - 1) + " count=2", spill.getMessage());
        final FailureService.BadEventException past = assertThrows(FailureService.BadEventException.class,
            () -> answer(FailureEvent.badblocks("pmem0", sectors, 1, FailureEvent.Origin.NAMESPACE, "{}")));
        assertEquals("sector", past.field());
        final long regionSectors = (PHYS_BASE + WINDOW - REGION_BASE) / 512;
        assertEquals("sector", assertThrows(FailureService.BadEventException.class,
            () -> answer(FailureEvent.badblocks("pmem0", regionSectors, 1, FailureEvent.Origin.REGION, "{}"))).field());
        assertEquals(1, answer(FailureEvent.badblocks("pmem0", regionSectors - 1, 1, FailureEvent.Origin.REGION, "{}"))
            .size());
    }

    @Test
    void shouldRefuseAnUnknownRegionName()
    {
        final IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
            () -> answer(FailureEvent.preRemove("pmem7", "{}")));
        assertEquals("no such region: region=pmem7", error.getMessage());
    }

    /**
     * A report as text, one line per row; rows in the report's order.
     */
    static String describe(final FailureReport report)
    {
        return describe(report, true);
    }

    /**
     * A report as text, one line per row, with or without the kill rows' flags.
     */
    static String describe(final FailureReport report, final boolean flagsShown)
    {
        final StringBuilder out = new StringBuilder(report.verdict().json()).append(" 0x")
            .append(Long.toHexString(report.phys()));
        if (report.verdict() == Verdict.MAPPED)
        {
            out.append(" device ").append(report.deviceOffset());
        }
        out.append(" +").append(report.length());
        for (int i = 0; i < report.killCount(); i++)
        {
            out.append("\nkill ").append(report.killInode(i)).append(" pgoff ").append(report.killPgoff(i))
                .append(" pgcnt ").append(report.killPgcnt(i)).append(" flags ").append(flagsShown ? Integer.toString(report.killFlags(i)) : "*");
        }
        for (int i = 0; i < report.fatalCount(); i++)
        {
            out.append("\nfatal ").append(Owner.toString(report.fatalOwner(i))).append(' ')
                .append(report.fatalDeviceOffset(i)).append(" +").append(report.fatalLength(i));
        }
        for (int i = 0; i < report.repairCount(); i++)
        {
            out.append("\nrepair ").append(report.repairDeviceOffset(i)).append(" +").append(report.repairLength(i))
                .append(' ').append(report.repairKind(i)).append(' ').append(Owner.toString(report.repairOwner(i)))
                .append(" file ").append(report.repairFileOffset(i));
        }
        return out.toString();
    }

    private static List<String> answer(final FailureEvent event)
    {
        return answer(service, event);
    }

    private static List<String> answer(final FailureService answering, final FailureEvent event)
    {
        final List<String> reports = new ArrayList<>();
        answering.report(event, new FailureReport(), report -> reports.add(describe(report)));
        return reports;
    }
}
