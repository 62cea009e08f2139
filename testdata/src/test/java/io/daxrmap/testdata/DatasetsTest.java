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
 * The generators compute their final layouts directly and bulk-load them; the filesystem operations they stand for
 * (map, reflink, CoW remap, applied through batches) must give the same index.
 */
class DatasetsTest
{
    @Test
    void shouldComputeTheSameClonedLayoutAsTheOperations()
    {
        for (final long seed : new long[]{1, 2, 3})
        {
            final Dataset direct = Datasets.cloned(300, 20, 40, seed);
            final ReverseIndex byOperations = Datasets.clonedByOperations(300, 20, 40, seed);
            assertEquals(byOperations.geometry(), direct.index().geometry());
            final List<String> expected = dump(byOperations, 21);
            assertEquals(expected, dump(direct.index(), 21), "seed=" + seed);
            assertTrue(direct.records() > 300 * 21, "records=" + direct.records());
        }
    }

    @Test
    void shouldCountUnsharedRecordsAsGenerated()
    {
        final Dataset data = Datasets.unshared(10_000, 5);
        assertEquals(10_000, data.records());
        final Datasets.Records records = Datasets.unsharedRecords(10_000, 5);
        assertEquals(10_000, records.count());
        final List<String> scanned = new ArrayList<>();
        data.index().newReader().scan(0, data.index().geometry().size() - 1, (d, l, o, f, fl) ->
            scanned.add(o == Owner.FREE ? "free" : d + "+" + l + " " + Owner.toString(o) + "@" + f));
        scanned.removeIf("free"::equals);
        final List<String> generated = new ArrayList<>();
        for (int i = 0; i < records.count(); i++)
        {
            generated.add(records.deviceOffset[i] + "+" + records.length[i] + " " + Owner.toString(records.owner[i]) +
                "@" + records.fileOffset[i]);
        }
        assertEquals(generated, scanned);
    }

    private static List<String> dump(final ReverseIndex index, final int files)
    {
        final List<String> out = new ArrayList<>();
        final IndexReader reader = index.newReader();
        reader.scan(0, index.geometry().size() - 1, (d, l, o, f, fl) ->
            out.add(d + "+" + l + " " + Owner.toString(o) + "@" + f + " " + fl));
        for (int i = 0; i < files; i++)
        {
            final long owner = Owner.data(Datasets.FIRST_INODE + i);
            reader.forward(owner, 0, Long.MAX_VALUE >> 2, (f, d, l, fl) ->
                out.add(Owner.toString(owner) + " " + f + "->" + d + "+" + l));
        }
        return out;
    }
}
