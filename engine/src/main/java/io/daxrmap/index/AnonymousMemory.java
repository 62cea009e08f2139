package io.daxrmap.index;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

import org.agrona.concurrent.UnsafeBuffer;

import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Anonymous off-heap memory for in-memory arenas, advised for transparent huge pages.
 * <p>
 * A direct {@link ByteBuffer} comes from {@code malloc} and is zeroed (faulted in as 4 KiB pages) before anyone could
 * advise it. This maps the memory with {@code mmap}, advises it with {@code madvise(MADV_HUGEPAGE)} before the first
 * touch, and wraps it in a direct buffer whose unreachability unmaps it. On a machine whose THP mode is
 * {@code madvise} (as here) that is the only way off-heap memory gets 2 MiB pages: one TLB entry covers 512 times
 * more, and a random load skips most of the page walk. Where the calls are not available (not 64-bit Linux) or the
 * system property {@value #PROPERTY} is {@code false}, it falls back to a plain direct buffer.
 * <p>
 * Like direct buffers, mappings are released only when the collector finds their buffers unreachable, and a retired
 * arena's buffers may sit in the old generation long after a compaction dropped them. The JDK bounds direct buffers
 * by {@code -XX:MaxDirectMemorySize} and collects when the bound is reached; this keeps the same bound on what it
 * has mapped (the heap's maximum, as the JDK's default, or {@value #LIMIT_PROPERTY} bytes): past it, an allocation
 * first asks for a collection and waits for the unmapping, then fails with {@link OutOfMemoryError} as a direct
 * buffer would.
 * <p>
 * A released mapping is kept for the next allocation of its length, up to {@value #POOL_BYTES} bytes of them, and
 * zeroed when handed out again: memory the process has not touched before costs a page fault per page, and on this
 * project's machines (Firecracker guests, whose host backs guest memory on first touch) a 16 MiB slab took 22-33 ms
 * to fault in against 1.5-2 ms to zero again. Kept mappings still count as mapped, and are unmapped first when the
 * limit is reached.
 */
final class AnonymousMemory
{
    /** System property: {@code false} keeps in-memory arenas on plain direct buffers (4 KiB pages). */
    static final String PROPERTY = "daxrmap.hugePages";
    /** System property: the most bytes mapped at once, by default the heap's maximum size. */
    static final String LIMIT_PROPERTY = "daxrmap.anonymousMemoryLimit";

    private static final long HUGE_PAGE = 2L << 20;
    private static final int PROT_READ = 0x1;
    private static final int PROT_WRITE = 0x2;
    private static final int MAP_PRIVATE = 0x02;
    private static final int MAP_ANONYMOUS = 0x20;
    private static final int MADV_HUGEPAGE = 14;
    private static final long MAP_FAILED = -1;

    private static final boolean AVAILABLE = bind();
    private static final Cleaner CLEANER = Cleaner.create();
    private static final AtomicLong MAPPED = new AtomicLong();
    /** The most bytes of released mappings kept for reuse: an arena of a 10^7-record index, about. */
    static final long POOL_BYTES = 256L << 20;
    /** Released mappings kept for reuse, newest last; guarded by itself. */
    private static final ArrayDeque<Unmap> POOL = new ArrayDeque<>();
    private static long pooledBytes;
    private static final AtomicLong REUSED = new AtomicLong();
    private static final int COLLECTION_WAITS = 9;

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
        final Unmap kept = takePooled(length);
        if (kept != null)
        {
            new UnsafeBuffer(kept.address, size).setMemory(0, size, (byte)0);
            REUSED.incrementAndGet();
            return register(kept.address, length, size);
        }
        reserve(length);
        final long address;
        try
        {
            address = Pointer.nativeValue(mmap(null, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
        }
        catch (final LastErrorException ex)
        {
            MAPPED.addAndGet(-length);
            throw new OutOfMemoryError("mmap of " + length + " bytes failed: errno=" + ex.getErrorCode());
        }
        if (address == MAP_FAILED || address == 0)
        {
            MAPPED.addAndGet(-length);
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
        return register(address, length, size);
    }

    private static ByteBuffer register(final long address, final long length, final int size)
    {
        final ByteBuffer buffer = new Pointer(address).getByteBuffer(0, size);
        CLEANER.register(buffer, new Unmap(address, length));
        return buffer;
    }

    /**
     * Bytes of released mappings kept for reuse now.
     *
     * @return bytes, counted in {@link #mappedBytes()} too.
     */
    static long pooledBytes()
    {
        synchronized (POOL)
        {
            return pooledBytes;
        }
    }

    /**
     * Allocations served from kept mappings so far.
     *
     * @return a count.
     */
    static long reusedMappings()
    {
        return REUSED.get();
    }

    /**
     * Whether the mapping at an address is kept for reuse now.
     */
    static boolean pooled(final long address)
    {
        synchronized (POOL)
        {
            for (final Unmap kept : POOL)
            {
                if (kept.address == address)
                {
                    return true;
                }
            }
            return false;
        }
    }

    private static Unmap takePooled(final long length)
    {
        synchronized (POOL)
        {
            for (final Iterator<Unmap> it = POOL.descendingIterator(); it.hasNext(); )
            {
                final Unmap kept = it.next();
                if (kept.length == length)
                {
                    it.remove();
                    pooledBytes -= length;
                    return kept;
                }
            }
            return null;
        }
    }

    private static boolean pool(final Unmap released)
    {
        synchronized (POOL)
        {
            if (pooledBytes + released.length > POOL_BYTES)
            {
                return false;
            }
            POOL.addLast(released);
            pooledBytes += released.length;
            return true;
        }
    }

    /**
     * Unmap every kept mapping: room under the limit for a mapping of another length.
     */
    static void drainPool()
    {
        while (true)
        {
            final Unmap kept;
            synchronized (POOL)
            {
                kept = POOL.pollFirst();
                if (kept == null)
                {
                    return;
                }
                pooledBytes -= kept.length;
            }
            kept.unmap();
        }
    }

    /**
     * Bytes mapped now and not yet unmapped.
     *
     * @return bytes.
     */
    static long mappedBytes()
    {
        return MAPPED.get();
    }

    /**
     * Count {@code length} bytes as mapped, first collecting unreachable mappings if the limit would be passed.
     */
    private static void reserve(final long length)
    {
        final long limit = limit();
        if (tryReserve(length, limit))
        {
            return;
        }
        drainPool();
        if (tryReserve(length, limit))
        {
            return;
        }
        // as java.nio.Bits does for direct buffers: collect, then give the cleaner time to release; what it releases
        // goes to the pool, which is emptied again before each try
        System.gc();
        long sleep = 1;
        for (int wait = 0; wait < COLLECTION_WAITS; wait++)
        {
            drainPool();
            if (tryReserve(length, limit))
            {
                return;
            }
            try
            {
                Thread.sleep(sleep);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                break;
            }
            sleep <<= 1;
        }
        drainPool();
        if (!tryReserve(length, limit))
        {
            throw new OutOfMemoryError("cannot map " + length + " more bytes for index arenas: mapped=" + MAPPED.get() +
                " limit=" + limit + " (the heap's maximum, or -D" + LIMIT_PROPERTY + ")");
        }
    }

    private static boolean tryReserve(final long length, final long limit)
    {
        while (true)
        {
            final long mapped = MAPPED.get();
            if (mapped + length > limit)
            {
                return false;
            }
            if (MAPPED.compareAndSet(mapped, mapped + length))
            {
                return true;
            }
        }
    }

    private static long limit()
    {
        final String value = System.getProperty(LIMIT_PROPERTY);
        if (value != null && !value.isEmpty())
        {
            try
            {
                return Long.parseLong(value);
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException("-D" + LIMIT_PROPERTY + " takes a number of bytes: " + value, ex);
            }
        }
        return Runtime.getRuntime().maxMemory();
    }

    private static boolean bind()
    {
        return bindLibc(AnonymousMemory.class);
    }

    /**
     * Bind the native methods of a class of this package to libc by JNA direct mapping, on 64-bit Linux only.
     *
     * @return whether they are bound.
     */
    static boolean bindLibc(final Class<?> type)
    {
        if (!Platform.isLinux() || !Platform.is64Bit())
        {
            return false;
        }
        try
        {
            Native.register(type, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
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
     * Releases one mapping once its buffer is unreachable: keeps it for reuse, or unmaps it. Holds no reference to the
     * buffer it cleans up after.
     */
    private record Unmap(long address, long length) implements Runnable
    {
        @Override
        public void run()
        {
            if (!pool(this))
            {
                unmap();
            }
        }

        void unmap()
        {
            try
            {
                munmap(new Pointer(address), length);
            }
            finally
            {
                MAPPED.addAndGet(-length);
            }
        }
    }
}
