package io.daxrmap.index;

import io.daxrmap.testdata.Dataset;
import org.agrona.concurrent.UnsafeBuffer;

/** Session 30: where a dataset's bytes go: stripes, forward roots and chunks, directories, owners, sets. */
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
            final UnsafeBuffer b = s.buffer(root);
            final int off = Arena.offset(root);
            rootBytes += Arena.footprint(ForwardRootDescriptor.length(b, off));
            final int n = ForwardRootDescriptor.count(b, off);
            for (int c = 0; c < n; c++)
            {
                final long chunk = ForwardRootDescriptor.address(b, off, c);
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
            ((long)s.ownerKeys.length * 8 + index.owners.idMap().capacity() * 12L) / r, index.memoryBytes() / r,
            index.liveOffHeapBytes() / r);
    }
}
