package io.daxrmap.failure;

import io.daxrmap.format.DeviceNumber;
import io.daxrmap.model.MappingFlags;
import io.daxrmap.model.Owner;
import io.daxrmap.store.FilesystemIndex;
import io.daxrmap.store.FilesystemIndexBuilder;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Failure reports over an index of forward maps alone: the bytes no file maps hold metadata, a journal, directories
 * as often as free space, so they are never reported free (re-zeroing them would destroy the filesystem). Free space
 * a source enumerates (GETFSMAP, an fsmap dump) stays free.
 */
class ForwardMapFailureTest
{
    private static final int MAJOR = 259;
    private static final int MINOR = 3;
    private static final int DEVICE = DeviceNumber.encode(MAJOR, MINOR);
    private static final long PHYS_BASE = 0x1_0000_0000L;
    private static final long MIB = 1L << 20;
    private static final long DEVICE_SIZE = 8 * MIB;
    private static final Regions REGIONS = new Regions(List.of(Region.of("pmem0", PHYS_BASE, 16 * MIB, 0, 0, 0)));

    @Test
    void shouldReportNoFreeBytesWhereNoFileMapsAndFreeSpaceWasNotListed()
    {
        final FilesystemIndexBuilder builder = forwardMaps().unlistedUnknown();
        try (FilesystemIndex index = builder.build())
        {
            final FailureService service = FailureService.of(index, REGIONS);
            // offset 0: the superblock of any filesystem, which no file maps
            assertEquals(List.of("0 +64 METADATA special_0:2"), repairs(service, 0, 6));
            // the last block of a file's extent, and the unmapped block after it
            assertEquals(List.of("1105920 +4096 DATA inode_100_data"), repairs(service, MIB + 56 * 1024, 12));
            assertEquals(List.of("1110016 +4096 METADATA special_0:2"), repairs(service, MIB + 60 * 1024, 12));
            // between two shared extents that touch: nothing unknown
            assertEquals(List.of("2097152 +64 DATA inode_101_data", "2097152 +64 DATA inode_102_data"),
                repairs(service, 2 * MIB, 6));
            assertEquals(List.of("2105344 +64 DATA inode_101_data"), repairs(service, 2 * MIB + 8192, 6));
            // past the last record, to the device's end
            assertEquals(List.of("8388544 +64 METADATA special_0:2"), repairs(service, DEVICE_SIZE - 64, 6));
        }
    }

    @Test
    void shouldKeepFreeSpaceTheSourceListedFree()
    {
        final FilesystemIndexBuilder builder = forwardMaps();
        builder.onRecord(MAJOR, MINOR, 0, MIB, Owner.FREE, 0, MappingFlags.SPECIAL_OWNER);
        try (FilesystemIndex index = builder.build())
        {
            assertEquals(List.of("0 +64 FREE special_0:1"), repairs(FailureService.of(index, REGIONS), 0, 6));
        }
    }

    /**
     * File data as forward maps give it: a private extent, two files sharing a range, and an extent that touches it.
     */
    private static FilesystemIndexBuilder forwardMaps()
    {
        final FilesystemIndexBuilder builder = new FilesystemIndexBuilder(4096);
        builder.device(DEVICE, DEVICE_SIZE);
        builder.onRecord(MAJOR, MINOR, MIB, 60 * 1024, Owner.data(100), 0, 0);
        builder.onRecord(MAJOR, MINOR, 2 * MIB, 8192, Owner.data(101), 0, 0);
        builder.onRecord(MAJOR, MINOR, 2 * MIB, 4096, Owner.data(102), 0, 0);
        builder.onRecord(MAJOR, MINOR, 2 * MIB + 8192, 4096, Owner.data(101), 8192, 0);
        return builder;
    }

    private static List<String> repairs(final FailureService service, final long deviceOffset, final int lsb)
    {
        final List<String> rows = new ArrayList<>();
        service.report(FailureEvent.physical(PHYS_BASE + deviceOffset, lsb), new FailureReport(), report ->
        {
            for (int row = 0; row < report.repairCount(); row++)
            {
                rows.add(report.repairDeviceOffset(row) + " +" + report.repairLength(row) + " " +
                    report.repairKind(row) + " " + Owner.toString(report.repairOwner(row)));
            }
        });
        return rows;
    }
}
