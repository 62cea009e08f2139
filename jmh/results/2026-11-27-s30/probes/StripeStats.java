package io.daxrmap.index;

import io.daxrmap.testdata.Dataset;

public final class StripeStats
{
    public static void main(final String[] args)
    {
        final Dataset data = BenchData.load(args[0]);
        final ReverseIndex index = data.index();
        final Snapshot s = index.current();
        final int stripes = s.stripes.length();
        long pieces = 0;
        long keyed = 0;
        final int[] hist = new int[9];
        for (int i = 0; i < stripes; i++)
        {
            final long a = s.stripes.get(i);
            final org.agrona.concurrent.UnsafeBuffer b = s.buffer(a);
            final int off = Arena.offset(a);
            final int c = StripeDescriptor.count(b, off);
            pieces += c;
            hist[Math.min(8, 32 - Integer.numberOfLeadingZeros(c))]++;
            if (StripeDescriptor.keyed(StripeDescriptor.header(b, off))) keyed++;
        }
        long probesKeyed = 0;
        for (final long probe : data.mappedOffsets())
        {
            final long a = s.stripes.get((int)(probe >>> s.stripeShift));
            if (StripeDescriptor.keyed(StripeDescriptor.header(s.buffer(a), Arena.offset(a)))) probesKeyed++;
        }
        System.out.printf("probes in keyed stripes: %d of %d%n", probesKeyed, data.mappedOffsets().length);
        System.out.printf("stripes=%d pieces=%d avg=%.1f keyed=%d owners=%d stripeShift=%d%n", stripes, pieces,
            pieces / (double)stripes, keyed, s.ownerCount, s.stripeShift);
        for (int h = 0; h < 9; h++) System.out.printf("  count < 2^%d: %d%n", h, hist[h]);
    }
}
