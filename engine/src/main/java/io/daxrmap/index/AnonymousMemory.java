package io.daxrmap.index;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;

/**
 * Anonymous off-heap memory for in-memory arenas, advised for transparent huge pages.
 * <p>
 * A direct {@link ByteBuffer} comes from {@code malloc} and is zeroed (faulted in as 4 KiB pages) before anyone could
 * advise it. This maps the memory with {@code mmap}, advises it with {@code madvise(MADV_HUGEPAGE)} before the first
 * touch, and wraps it in a direct buffer whose unreachability unmaps it. On a machine whose THP mode is
 * {@code madvise} (as here) that is the only way off-heap memory gets 2 MiB pages: one TLB entry covers 512 times
 * more, and a random load skips most of the page walk. Where the calls are not available (not 64-bit Linux) or the
 * system property {@value #PROPERTY} is {@code false}, it falls back to a plain direct buffer.
 */
final class AnonymousMemory
{
    /** System property: {@code false} keeps in-memory arenas on plain direct buffers (4 KiB pages). */
    static final String PROPERTY = "daxrmap.hugePages";

    private static final long HUGE_PAGE = 2L << 20;
    private static final int PROT_READ = 0x1;
    private static final int PROT_WRITE = 0x2;
    private static final int MAP_PRIVATE = 0x02;
    private static final int MAP_ANONYMOUS = 0x20;
    private static final int MADV_HUGEPAGE = 14;
    private static final long MAP_FAILED = -1;

    private static final boolean AVAILABLE = bind();
    private static final Cleaner CLEANER = Cleaner.create();

    private AnonymousMemory()
    {
    }

    /**
     * Whether {@link #allocate} maps and advises memory itself.
     *
     * @return true on 64-bit Linux unless {@value #PROPERTY} is {@code false}.
     */
    static boolean advised()
    {
        return AVAILABLE && !"false".equals(System.getProperty(PROPERTY));
    }

    /**
     * Zeroed memory of {@code size} bytes, 64-byte aligned at least.
     *
     * @param size bytes.
     * @return a direct buffer over it; the memory is released when the buffer (and every view of it) is unreachable.
     */
    static ByteBuffer allocate(final int size)
    {
        if (!advised())
        {
            return org.agrona.BufferUtil.allocateDirectAligned(size, 64);
        }
        final long length = (size + HUGE_PAGE - 1) & -HUGE_PAGE;
        final long address;
        try
        {
            address = Pointer.nativeValue(mmap(null, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
        }
        catch (final LastErrorException ex)
        {
            throw new OutOfMemoryError("mmap of " + length + " bytes failed: errno=" + ex.getErrorCode());
        }
        if (address == MAP_FAILED || address == 0)
        {
            throw new OutOfMemoryError("mmap of " + length + " bytes failed");
        }
        try
        {
            madvise(new Pointer(address), length, MADV_HUGEPAGE);
        }
        catch (final LastErrorException ignored)
        {
            // THP disabled or not built in: the memory is still good, in 4 KiB pages
        }
        final ByteBuffer buffer = new Pointer(address).getByteBuffer(0, size);
        CLEANER.register(buffer, new Unmap(address, length));
        return buffer;
    }

    private static boolean bind()
    {
        if (!Platform.isLinux() || !Platform.is64Bit())
        {
            return false;
        }
        try
        {
            Native.register(AnonymousMemory.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
            return true;
        }
        catch (final UnsatisfiedLinkError | RuntimeException ex)
        {
            return false;
        }
    }

    private static native Pointer mmap(Pointer addr, long length, int prot, int flags, int fd, long offset)
        throws LastErrorException;

    private static native int madvise(Pointer addr, long length, int advice) throws LastErrorException;

    private static native int munmap(Pointer addr, long length) throws LastErrorException;

    /**
     * Unmaps one mapping; holds no reference to the buffer it cleans up after.
     */
    private record Unmap(long address, long length) implements Runnable
    {
        @Override
        public void run()
        {
            munmap(new Pointer(address), length);
        }
    }
}
