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
    /** frag/f (testdata/capture/xfs-small/inodes.txt). */
    private static final long FRAGMENTED_INODE = 98437;

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
        for (int copy = 0; copy < 3; copy++)
        {
            assertEquals(alone, records(three.index(), copy, copy * TILE), "copy " + copy);
        }
    }

    @Test
    void shouldAnswerEveryRowOfTheCaptureInEveryCopy()
    {
        final Captures.Rows rows = Captures.read(Captures.XFS_SMALL);
        assertEquals(1296, rows.count);
        final Dataset three = Captures.xfsSmall(3, 1);
        final IndexReader reader = three.index().newReader();
        for (int copy = 0; copy < 3; copy += 2)
        {
            for (int r = 0; r < rows.count; r++)
            {
                final long start = rows.deviceOffset[r] + copy * TILE;
                final long end = start + rows.length[r];
                final long owner = Captures.copyOwner(rows.owner[r], copy);
                final long fileOffset = rows.fileOffset[r];
                final long[] held = {0};
                final String row = "copy " + copy + " row " + r + " " + Owner.toString(owner) + " " + start + "+" +
                    rows.length[r];
                reader.scan(start, end - 1, (d, l, o, f, flags) ->
                {
                    final long from = Math.max(d, start);
                    // the same file byte at the same device byte as the row says (a file reflinked onto itself holds
                    // the bytes again at other file offsets: other rows)
                    if (o == owner && (!Owner.hasFileOffset(owner) || f + (from - d) == fileOffset + (from - start)))
                    {
                        held[0] += Math.min(d + l, end) - from;
                    }
                    return true;
                });
                assertEquals(rows.length[r], held[0], row);
            }
        }
    }

    @Test
    void shouldProbeFileDataByByte()
    {
        final Dataset data = Captures.xfsSmall(2, 7);
        final IndexReader reader = data.index().newReader();
        long inFragmented = 0;
        for (final long probe : data.mappedOffsets())
        {
            final long[] inode = {-1};
            reader.byteQuery(probe, 64, (d, l, owner, f, flags) ->
            {
                inode[0] = Owner.isFileData(owner) ? Owner.inode(owner) % Captures.INODE_STRIDE : inode[0];
                return true;
            });
            assertTrue(inode[0] >= 0, "probe " + probe);
            inFragmented += inode[0] == FRAGMENTED_INODE ? 1 : 0;
        }
        // frag/f's 640 one-block extents are 81% of the data rows and 22% of the data bytes
        final double share = inFragmented / (double)data.mappedOffsets().length;
        assertTrue(share > 0.15 && share < 0.30, "share of probes in frag/f: " + share);
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
