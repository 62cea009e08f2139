package io.daxrmap.index;

import java.nio.ByteBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/** The cost of first touches of fresh arena memory: one write per 4 KiB page of 16 MiB slabs, timed per slab. */
public final class FaultProbe
{
    public static void main(final String[] args)
    {
        final int size = 16 << 20;
        for (int r = 0; r < 8; r++)
        {
            final long a0 = System.nanoTime();
            final ByteBuffer b = AnonymousMemory.allocate(size);
            final long alloc = System.nanoTime() - a0;
            final UnsafeBuffer u = new UnsafeBuffer(b);
            long start = System.nanoTime();
            for (int at = 0; at < size; at += 4096) u.putLong(at, at);
            final long first = System.nanoTime() - start;
            start = System.nanoTime();
            for (int at = 0; at < size; at += 4096) u.putLong(at + 8, at);
            final long second = System.nanoTime() - start;
            System.out.printf("alloc %.2f ms, " , alloc / 1e6); System.out.printf("slab %d: first touch %.2f ms (%.0f us per 2 MiB), touched again %.3f ms%n", r, first / 1e6, first / 1e3 / 8, second / 1e6);
        }
    }
}
