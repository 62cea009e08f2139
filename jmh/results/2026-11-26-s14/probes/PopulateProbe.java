package io.daxrmap.index;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/** Faulting in 16 MiB of huge-page-advised memory: by touching it, or by madvise(MADV_POPULATE_WRITE). */
public final class PopulateProbe
{
    static { Native.register(PopulateProbe.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME)); }
    private static native Pointer mmap(Pointer addr, long length, int prot, int flags, int fd, long offset) throws LastErrorException;
    private static native int madvise(Pointer addr, long length, int advice) throws LastErrorException;
    private static native int munmap(Pointer addr, long length) throws LastErrorException;

    public static void main(final String[] args)
    {
        final long len = 16L << 20;
        for (int r = 0; r < 6; r++)
        {
            for (int v = 0; v < 2; v++)
            {
                final Pointer p = mmap(null, len, 3, 0x22, -1, 0);
                madvise(p, len, 14);
                final long start = System.nanoTime();
                if (v == 0) { for (long at = 0; at < len; at += 4096) p.setLong(at, at); }
                else { madvise(p, len, 23); }
                final long ns = System.nanoTime() - start;
                final long s2 = System.nanoTime();
                for (long at = 0; at < len; at += 4096) p.setLong(at, at);
                System.out.printf("%s: %.2f ms, then touching %.2f ms%n", v == 0 ? "touch" : "populate", ns / 1e6, (System.nanoTime() - s2) / 1e6);
                if (args.length > 0) munmap(p, len);
            }
        }
    }
}
