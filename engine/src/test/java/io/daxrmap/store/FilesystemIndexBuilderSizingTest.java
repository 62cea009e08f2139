package io.daxrmap.store;

import io.daxrmap.format.DeviceNumber;
import io.daxrmap.model.MappingFlags;
import io.daxrmap.model.Owner;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The stripes of an index built from a filesystem's records follow its extents, not its sharers.
 */
class FilesystemIndexBuilderSizingTest
{
    private static final int BLOCK = 4096;
    private static final long DEVICE_SIZE = 256L << 20;
    private static final long GOLDEN = 128L << 20;
    private static final long GOLDEN_LENGTH = 2L << 20;
    private static final int PRIVATE_FILES = 4096;
    private static final int DEVICE = DeviceNumber.encode(7, 0);

    @Test
    void shouldGiveAnExtentSharedByTenThousandFilesTheStripesOfOneOwnedByOne()
    {
        final int one = stripeShift(1, true, false);
        final int many = stripeShift(10_000, true, false);
        assertEquals(one, many, "10,000 sharers listed one after another, as GETFSMAP lists them");
        // listed apart by a source that lists every byte, the sharers count: the stripes are narrower
        assertTrue(stripeShift(10_000, false, false) < one, "sharers listed apart, every byte listed");
    }

    @Test
    void shouldCountSharersListedFileByFileOnceWhereTheSourceLeavesBytesUnlisted()
    {
        // a FIEMAP walk or a dump of forward maps lists file by file and leaves free space unlisted
        final int one = stripeShift(1, true, true);
        assertEquals(one, stripeShift(10_000, true, true), "listed one after another");
        // counted record by record, the 10,000 sharers would take the 8,195 pieces (4,096 private files, the golden
        // file's 2 extents, the 4,097 gaps around them) to 28,193 records, and halve the span
        assertEquals(one, stripeShift(10_000, false, true), "listed apart");
    }

    private static int stripeShift(final int sharers, final boolean together, final boolean unlistedUnknown)
    {
        final FilesystemIndexBuilder builder = new FilesystemIndexBuilder(BLOCK);
        if (unlistedUnknown)
        {
            builder.unlistedUnknown();
        }
        builder.device(DEVICE, DEVICE_SIZE);
        final int flags = sharers > 1 ? MappingFlags.SHARED : 0;
        for (int file = 0; file < PRIVATE_FILES; file++)
        {
            builder.onRecord(7, 0, file * 5L * BLOCK, 4L * BLOCK, Owner.data(100_000 + file), 0, 0);
        }
        // the golden file is two extents; each sharer maps both
        final long half = GOLDEN_LENGTH / 2;
        if (together)
        {
            // device order, as GETFSMAP lists them: an extent's sharers one after another
            for (int extent = 0; extent < 2; extent++)
            {
                for (int sharer = 0; sharer < sharers; sharer++)
                {
                    builder.onRecord(7, 0, GOLDEN + extent * half, half, Owner.data(1_000_000 + sharer),
                        extent * half, flags);
                }
            }
        }
        else
        {
            // file by file, as a walk of forward maps lists them: no record covers what the one before it did
            for (int sharer = 0; sharer < sharers; sharer++)
            {
                for (int extent = 0; extent < 2; extent++)
                {
                    builder.onRecord(7, 0, GOLDEN + extent * half, half, Owner.data(1_000_000 + sharer),
                        extent * half, flags);
                }
            }
        }
        try (FilesystemIndex index = builder.build())
        {
            final int shift = index.device(DEVICE).stripeShift();
            // and the index answers as built: every sharer on the golden extent
            final long[] owners = new long[1];
            index.device(DEVICE).newReader().byteQuery(GOLDEN + BLOCK, 64, (d, l, owner, f, fl) -> ++owners[0] > 0);
            assertEquals(sharers, owners[0]);
            return shift;
        }
    }
}
