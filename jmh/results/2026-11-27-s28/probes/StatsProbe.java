package io.daxrmap.index;

public class StatsProbe
{
    public static void main(String[] args) throws Exception
    {
        ReverseIndex index = io.daxrmap.index.BenchData.load(args[0]).index();
        Snapshot s = index.current();
        long pieces = 0, bytes = 0; int n = 0; int[] hist = new int[20];
        for (int i = 0; i < s.stripeCount(); i++)
        {
            long a = s.stripeAddress(i);
            int c = StripeDescriptor.count(s.buffer(a), Arena.offset(a));
            pieces += c; bytes += StripeDescriptor.blockLength(s.buffer(a), Arena.offset(a)); n++;
            hist[Math.min(19, c / 4)]++;
        }
        System.out.printf("stripes %d pieces/stripe %.2f bytes/stripe %.1f span %d%n", n, pieces / (double)n, bytes / (double)n, 1L << index.current().stripeShift);
        System.out.println(java.util.Arrays.toString(hist));
    }
}
