package io.daxrmap.index;

import io.daxrmap.model.DeviceGeometry;
import io.daxrmap.model.Owner;
import io.daxrmap.model.Pagemap;
import org.junit.jupiter.api.Test;

import java.lang.ref.Reference;
import java.lang.ref.WeakReference;

import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * A reader that refreshes lets go of the snapshot it answered from before, whichever of its cursors the queries used:
 * a snapshot keeps its arena's slabs, and a compaction's retired arena goes back to the mapping pool only once no
 * snapshot names it. (Since session 30 a refresh binds only the query cursor; the others take the snapshot where
 * they start.)
 */
class RefreshReleaseTest
{
    private static final long KIB = 1024;
    private static final long MIB = 1024 * KIB;

    /**
     * A batch keeps its base snapshot: committed in a method of its own, it is out of reach once committed.
     */
    private static void commitOneMap(final ReverseIndex index)
    {
        final Batch batch = index.newBatch();
        batch.map(Owner.data(102), 0, MIB, 4 * KIB, 0);
        batch.commit();
    }

    @Test
    void shouldLetGoOfTheSnapshotBeforeOnceRefreshedAfterEveryKindOfQuery() throws InterruptedException
    {
        try (ReverseIndex index = ReverseIndex.create(IndexConfig.of(new DeviceGeometry(0x10301, 64 * MIB, 4096))))
        {
            final IndexReader reader = index.newReader();
            final Batch first = index.newBatch();
            // two extents of one file side by side (a range over both walks a second piece with look) and a clone
            first.map(Owner.data(100), 0, 0, 64 * KIB, 0);
            first.map(Owner.data(100), 64 * KIB, 64 * KIB, 64 * KIB, 0);
            first.reflink(Owner.data(100), 0, Owner.data(101), 0, 64 * KIB);
            first.commit();
            reader.refresh();
            final WeakReference<Snapshot> before = new WeakReference<>(index.current());
            final Pagemap pagemap = new Pagemap(0, 64 * MIB, 0, 4096);
            final PageBatchVisitor pages = new QuietPageBatchVisitor();
            reader.pageQueries(new long[] {0, 1, 17, 40}, 0, 4, pagemap, pages);
            reader.pageQuery(3, pagemap, pages);
            reader.byteQuery(0, 128 * KIB, (d, l, owner, f, flags) -> true);
            reader.scan(0, 128 * KIB, (d, l, owner, f, flags) -> true);
            reader.forward(Owner.data(100), 0, 128 * KIB, (f, d, l, flags) -> true);

            commitOneMap(index);
            reader.refresh();
            for (int i = 0; i < 100 && before.get() != null; i++)
            {
                System.gc();
                Thread.sleep(10);
            }
            assertNull(before.get(), "the reader still holds the snapshot it answered from before its refresh");
            // the reader must stay reachable through the collections: collected whole, it would pass for any code
            Reference.reachabilityFence(reader);
        }
    }
}
