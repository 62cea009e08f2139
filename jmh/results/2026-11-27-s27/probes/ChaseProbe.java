package io.daxrmap.index;

public class ChaseProbe
{
    public static void main(String[] args)
    {
        final int mib = Integer.parseInt(args[0]);
        final int nodes = (mib << 18) / 16;
        final int[] cycle = new int[nodes];
        for (int i = 0; i < nodes; i++) cycle[i] = i;
        final java.util.SplittableRandom random = new java.util.SplittableRandom(42);
        for (int i = nodes - 1; i > 0; i--) { final int j = random.nextInt(i); final int t = cycle[i]; cycle[i] = cycle[j]; cycle[j] = t; }
        final int[] next = new int[mib << 18];
        for (int i = 0; i < nodes; i++) next[cycle[i] * 16] = cycle[(i + 1) % nodes] * 16;
        int p = 0;
        for (int round = 0; round < 5; round++)
        {
            final long t0 = System.nanoTime();
            for (int i = 0; i < 5_000_000; i++) p = next[p];
            System.out.printf("chase %d MiB: %.1f ns%n", mib, (System.nanoTime() - t0) / 5e6);
        }
        System.out.println(p);
    }
}
