package io.daxrmap.index;

import io.daxrmap.testdata.Dataset;
import org.agrona.concurrent.UnsafeBuffer;

/** Sessions 30-31: where a dataset's bytes go: stripes, forward roots and chunks, directories, owners, sets. */
public final class MemoryProbe
{
    public static void main(final String[] args)
    {
        final Dataset data = BenchData.load(args[0]);
        final ReverseIndex index = data.index();
        final Snapshot s = index.current();
        long stripeBytes = 0;
        for (int i = 0; i < s.stripes.length(); i++)
        {
            final long a = s.stripes.get(i);
            stripeBytes += Arena.footprint(StripeDescriptor.blockLength(s.buffer(a), Arena.offset(a)));
        }
        long rootBytes = 0;
        long chunkBytes = 0;
        long owners = 0;
        long chunks = 0;
        for (int o = 0; o < s.extents.length(); o++)
        {
            final long root = s.extents.get(o);
            if (root == Snapshot.NO_EXTENTS)
            {
                continue;
            }
            owners++;
            rootBytes += ForwardRootDescriptor.entryRootFootprint(s.slabs, root);
            final int n = ForwardRootDescriptor.entryChunks(s.slabs, root);
            for (int c = 0; c < n; c++)
            {
                final long chunk = ForwardRootDescriptor.entryChunk(s.slabs, root, c);
                chunkBytes += Arena.footprint(ExtentsDescriptor.blockLength(s.buffer(chunk), Arena.offset(chunk)));
                chunks++;
            }
        }
        final double r = data.records();
        System.out.printf("records %d, owners %d (with a forward map %d), chunks %d%n", data.records(), s.ownerCount,
            owners, chunks);
        System.out.printf("B/record: stripes %.2f, forward roots %.2f, chunks %.2f, stripe dir %.2f, extents dir %.2f, " +
            "owner keys+map %.2f, all %.2f (liveOffHeap %.2f)%n", stripeBytes / r, rootBytes / r, chunkBytes / r,
            s.stripes.bytes() / r, s.extents.bytes() / r,
            index.owners.bytes() / r, index.memoryBytes() / r,
            index.liveOffHeapBytes() / r);
    }
}
