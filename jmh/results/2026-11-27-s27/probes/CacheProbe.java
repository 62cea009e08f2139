package io.daxrmap.index;

public class CacheProbe
{
    public static void main(String[] args) throws Exception
    {
        MutationBenchmark b = new MutationBenchmark();
        b.kind = args[0];
        b.cycles = Integer.parseInt(args[1]);
        b.setUp();
        java.lang.reflect.Field f = MutationBenchmark.class.getDeclaredField("index");
        f.setAccessible(true);
        ReverseIndex index = (ReverseIndex)f.get(b);
        for (int round = 0; round < Integer.parseInt(args[2]); round++)
        {
            long h0 = index.writerCache.hits(), m0 = index.writerCache.misses(), c0 = index.compactions();
            long t0 = System.nanoTime();
            for (int i = 0; i < 1000; i++) b.mutate();
            long t1 = System.nanoTime();
            System.out.printf("round %d: %.0f ns/op hits %d misses %d compactions %d%n", round, (t1 - t0) / 1026000.0,
                index.writerCache.hits() - h0, index.writerCache.misses() - m0, index.compactions() - c0);
        }
    }
}
