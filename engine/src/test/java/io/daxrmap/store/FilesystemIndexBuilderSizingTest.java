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
        final int one = stripeShift(1, true);
        final int many = stripeShift(10_000, true);
        assertEquals(one, many, "10,000 sharers listed one after another, as GETFSMAP lists them");
        // listed apart, as a walk of forward maps lists them, the sharers still count: the stripes are narrower
        assertTrue(stripeShift(10_000, false) < one, "sharers listed apart");
    }

    private static int stripeShift(final int sharers, final boolean together)
    {
        final FilesystemIndexBuilder builder = new FilesystemIndexBuilder(BLOCK);
        builder.device(DEVICE, DEVICE_SIZE);
        for (int file = 0; file < PRIVATE_FILES; file++)
        {
            builder.onRecord(7, 0, file * 5L * BLOCK, 4L * BLOCK, Owner.data(100_000 + file), 0, 0);
        }
        final int flags = sharers > 1 ? MappingFlags.SHARED : 0;
        if (together)
        {
            for (int sharer = 0; sharer < sharers; sharer++)
            {
                builder.onRecord(7, 0, GOLDEN, GOLDEN_LENGTH, Owner.data(1_000_000 + sharer), 0, flags);
            }
        }
        else
        {
            // each sharer's extent between two private records of its own, as a file-by-file walk would list them
            for (int sharer = 0; sharer < sharers; sharer++)
            {
                builder.onRecord(7, 0, GOLDEN, GOLDEN_LENGTH, Owner.data(1_000_000 + sharer), 0, flags);
                builder.onRecord(7, 0, GOLDEN + GOLDEN_LENGTH + sharer * (long)BLOCK, BLOCK,
                    Owner.data(1_000_000 + sharer), GOLDEN_LENGTH, 0);
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
