package io.daxrmap.testdata;

import io.daxrmap.index.IndexReader;
import io.daxrmap.index.ReverseIndex;
import io.daxrmap.model.Owner;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The capture replayed side by side holds each copy as the capture alone holds it.
 */
class CapturesTest
{
    /** 1,296 rows of xfs_io's table less the 430 free-space rows (testdata/capture/README.md). */
    private static final long RMAP_RECORDS = 866;
    private static final long TILE = 64L << 20;

    @Test
    void shouldHoldEveryCopyAsTheCaptureAloneAndCountItsRmapRecords()
    {
        final Dataset one = Captures.xfsSmall(1, 1);
        final Dataset three = Captures.xfsSmall(3, 1);
        assertEquals(RMAP_RECORDS, one.records());
        assertEquals(3 * RMAP_RECORDS, three.records());
        assertEquals(TILE, one.index().geometry().size());
        assertEquals(3 * TILE, three.index().geometry().size());
        final List<String> alone = records(one.index(), 0, 0);
        // the table's rows, merged where the index joins neighbours of one owner: at least the rmap records
        assertTrue(alone.size() >= RMAP_RECORDS, "records=" + alone.size());
        for (int copy = 0; copy < 3; copy++)
        {
            assertEquals(alone, records(three.index(), copy, copy * TILE), "copy " + copy);
        }
    }

    @Test
    void shouldProbeFileDataOnly()
    {
        final Dataset data = Captures.xfsSmall(2, 7);
        final IndexReader reader = data.index().newReader();
        for (final long probe : data.mappedOffsets())
        {
            final boolean[] fileData = {false};
            reader.byteQuery(probe, 64, (d, l, owner, f, flags) ->
            {
                fileData[0] |= Owner.isFileData(owner);
                return true;
            });
            assertTrue(fileData[0], "probe " + probe);
        }
    }

    /**
     * A copy's records, moved back to the first copy's device offsets and inode numbers.
     */
    private static List<String> records(final ReverseIndex index, final int copy, final long from)
    {
        final List<String> out = new ArrayList<>();
        index.newReader().scan(from, from + TILE - 1, (d, l, owner, f, flags) ->
            out.add((d - from) + "+" + l + " " + Owner.toString(Captures.copyOwner(owner, -copy)) + "@" + f + " " +
                flags));
        return out;
    }
}
