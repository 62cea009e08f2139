package io.daxrmap.index;

import io.daxrmap.testdata.Dataset;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.HashSet;
import java.util.Set;

/** Session 31: the live off-heap bytes split into distinct stripes, roots, chunks, and the rest (the placement's padding). */
public final class LiveProbe
{
    public static void main(final String[] args)
    {
        final Dataset data = BenchData.load(args[0]);
        final ReverseIndex index = data.index();
        final Snapshot s = index.current();
        final Set<Long> seen = new HashSet<>();
        long stripeBytes = 0;
        for (int i = 0; i < s.stripes.length(); i++)
        {
            final long a = s.stripes.get(i);
            if (seen.add(a))
            {
                stripeBytes += Arena.footprint(StripeDescriptor.blockLength(s.buffer(a), Arena.offset(a)));
            }
        }
        long rootBytes = 0;
        long chunkBytes = 0;
        long oneChunkRoots = 0;
        long oneChunkRootBytes = 0;
        for (int o = 0; o < s.extents.length(); o++)
        {
            final long root = s.extents.get(o);
            if (root == Snapshot.NO_EXTENTS)
            {
                continue;
            }
            final int rootFootprint = ForwardRootDescriptor.entryRootFootprint(s.slabs, root);
            rootBytes += rootFootprint;
            final int n = ForwardRootDescriptor.entryChunks(s.slabs, root);
            if (n == 1 && !ForwardRootDescriptor.isLone(root))
            {
                oneChunkRoots++;
                oneChunkRootBytes += rootFootprint;
            }
            for (int c = 0; c < n; c++)
            {
                final long chunk = ForwardRootDescriptor.entryChunk(s.slabs, root, c);
                if (seen.add(chunk))
                {
                    chunkBytes += Arena.footprint(ExtentsDescriptor.blockLength(s.buffer(chunk), Arena.offset(chunk)));
                }
            }
        }
        final double r = data.records();
        final long live = index.liveOffHeapBytes();
        System.out.printf("%s: live off-heap %.2f B/record: distinct stripes %.2f, roots %.2f (of one chunk: %d, %.2f), " +
            "distinct chunks %.2f, the rest (placement padding and markers) %.2f; stripe dir %.2f, extents dir %.2f " +
            "(length %d), owners %.2f; memoryBytes %.2f%n", args[0], live / r, stripeBytes / r, rootBytes / r, oneChunkRoots,
            oneChunkRootBytes / r, chunkBytes / r, (live - stripeBytes - rootBytes - chunkBytes) / r, s.stripes.bytes() / r,
            s.extents.bytes() / r, s.extents.length(), index.owners.bytes() / r, index.memoryBytes() / r);
    }
}
