package io.daxrmap.index;

public class FreeStripesProbe
{
    public static void main(String[] args) throws Exception
    {
        MutationBenchmark b = new MutationBenchmark();
        b.kind = "cowRemap";
        b.cycles = 1;
        b.setUp();
        java.lang.reflect.Field f = MutationBenchmark.class.getDeclaredField("index");
        f.setAccessible(true);
        ReverseIndex index = (ReverseIndex)f.get(b);
        java.lang.reflect.Field fr = MutationBenchmark.class.getDeclaredField("free");
        fr.setAccessible(true);
        long[] free = (long[])fr.get(b);
        java.lang.reflect.Field dv = MutationBenchmark.class.getDeclaredField("device");
        dv.setAccessible(true);
        long[] device = (long[])dv.get(b);
        int shift = index.current().stripeShift;
        java.util.Set<Long> fs = new java.util.TreeSet<>(), ds = new java.util.TreeSet<>();
        for (long x : free) fs.add(x >>> shift);
        for (long x : device) ds.add(x >>> shift);
        System.out.println("stripe span " + (1L << shift) + " B; free blocks in " + fs.size() + " stripes " +
            fs.stream().limit(10).toList() + "...; records in " + ds.size() + " stripes");
        int per16 = 0;
        for (int g = 0; g < 512; g += 16)
        {
            java.util.Set<Long> s = new java.util.HashSet<>();
            for (int i = g; i < g + 16; i++) s.add(free[i] >>> shift);
            per16 += s.size();
        }
        System.out.println("distinct free stripes per 16 consecutive slots, mean " + per16 / 32.0);
    }
}
