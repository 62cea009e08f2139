package io.daxrmap.index;

import io.daxrmap.model.DeviceGeometry;
import io.daxrmap.model.Owner;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CompactionTest
{
    private static final int BLOCK = 4096;

    @Test
    void shouldAnswerTheSameAndFreeDeadShareGroupsWhenCompacted()
    {
        final ReverseIndex index = ReverseIndex.create(new IndexConfig(new DeviceGeometry(0, 16L << 20, BLOCK), 256));
        Batch batch = index.newBatch();
        for (int extent = 0; extent < 32; extent++)
        {
            batch.map(Owner.data(10), extent * 4L * BLOCK, extent * 8L * BLOCK, 4L * BLOCK, 0);
        }
        batch.commit();
        for (int clone = 0; clone < 20; clone++)
        {
            index.newBatch().reflink(Owner.data(10), 0, Owner.data(100 + clone), 0, 128L * BLOCK).commit();
        }
        final IndexReader before = index.newReader();
        final List<String> scanBefore = scan(before);
        final int groupsBefore = index.shareGroups();

        index.compactNow();

        final IndexReader after = index.newReader();
        assertEquals(scanBefore, scan(after));
        assertEquals(32, index.shareGroups(), "one live share group per golden extent");
        assertTrue(groupsBefore > index.shareGroups(), "groupsBefore=" + groupsBefore);

        batch = index.newBatch();
        batch.cowRemap(Owner.data(105), 0, BLOCK, 8L << 20);
        batch.commit();
        assertEquals(scanBefore, scan(before), "a reader keeps its snapshot across compaction and later batches");
        after.refresh();
        assertTrue(scan(after).contains("8388608+4096 inode_105_data@0 0x0"));
    }

    @Test
    void shouldCompactOffHeapGarbageOnItsOwnWhenMostBlocksAreDead()
    {
        final ReverseIndex index = ReverseIndex.create(new IndexConfig(new DeviceGeometry(0, 1L << 30, BLOCK), 64));
        for (int round = 0; round < 20_000; round++)
        {
            final Batch batch = index.newBatch();
            for (int i = 0; i < 64; i++)
            {
                batch.map(Owner.data(1 + i), 0, (round % 2) * (512L << 20) + i * (8L << 20), BLOCK, 0);
            }
            batch.commit();
            final Batch undo = index.newBatch();
            for (int i = 0; i < 64; i++)
            {
                undo.unmap(Owner.data(1 + i), 0, BLOCK);
            }
            undo.commit();
        }
        assertTrue(index.compactions() > 0, "compactions=" + index.compactions());
        final List<String> records = scan(index.newReader());
        assertEquals(List.of("0+1073741824 special_0:1@0 0x10"), records);
    }

    private static List<String> scan(final IndexReader reader)
    {
        final List<String> out = new ArrayList<>();
        reader.scan(0, Long.MAX_VALUE, (deviceOffset, length, owner, fileOffset, flags) ->
        {
            out.add(deviceOffset + "+" + length + " " + Owner.toString(owner) + "@" + fileOffset + " 0x" +
                Integer.toHexString(flags));
            return true;
        });
        return out;
    }
}
