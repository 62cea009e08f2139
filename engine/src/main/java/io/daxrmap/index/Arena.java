package io.daxrmap.index;

import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.util.Arrays;

/**
 * Append-only off-heap memory for immutable blocks (stripes, extent lists), addressed by a {@code long}.
 * <p>
 * An address is {@code slab << 32 | offset}. Blocks are never changed once a snapshot that names them is published:
 * the writer copies a block to change it and the old copy becomes garbage. Readers reach slabs through the
 * {@link #slabs()} array captured in their snapshot; slabs no snapshot reaches are freed with their buffers by the
 * garbage collector, so a compaction (a fresh arena holding only the live blocks) needs no reader coordination.
 * <p>
 * Only the writer thread allocates.
 */
final class Arena
{
    /**
     * Blocks are aligned to this many bytes: every field of a narrow block (16-bit starts, 32-bit values) stays
     * naturally aligned, and the padding is smaller than at 8 bytes (narrow chunks of 13-byte extents rarely end on an
     * 8-byte boundary): on unshared-1e7, 0.12 bytes per record instead of 0.57. Wide fields may sit 4 bytes off; x86
     * and AArch64 read them unaligned.
     */
    static final int ALIGNMENT = 4;

    private static final int DEFAULT_SLAB_SIZE = 16 << 20;

    private final int slabSize;
    private final SlabFiles files;
    private final int firstOffset;
    private UnsafeBuffer[] slabs;
    private int[] slabSizes;
    private int slabCount;
    private int slabPosition;
    private int currentSlabSize;
    private long allocatedBytes;
    private long reservedBytes;
    private int forcedSlab;
    private int forcedPosition;
    /**
     * The end of the current slab's bytes whose disk space is reserved ({@link SlabFiles#reserve}); the slab's end in
     * memory, where there is nothing to reserve.
     */
    private int spaceEnd;

    Arena()
    {
        this(DEFAULT_SLAB_SIZE);
    }

    Arena(final int slabSize)
    {
        this(slabSize, null);
    }

    /**
     * An arena whose slabs are memory-mapped files, or anonymous memory advised for huge pages
     * ({@link AnonymousMemory}) when {@code files} is null.
     */
    Arena(final int slabSize, final SlabFiles files)
    {
        if (slabSize < 4096 || (slabSize & (ALIGNMENT - 1)) != 0)
        {
            throw new IllegalArgumentException("bad slab size: slabSize=" + slabSize);
        }
        this.slabSize = slabSize;
        this.files = files;
        this.firstOffset = files == null ? 0 : SlabFiles.HEADER_LENGTH;
        this.slabs = new UnsafeBuffer[4];
        this.slabSizes = new int[4];
    }

    /**
     * Whether chunks written here may be packed ({@link ExtentsDescriptor#PACKED}) and stripes keyed
     * ({@link StripeDescriptor#KEYED}): in memory, or in slabs of a format that has them.
     */
    boolean denseBlocks()
    {
        return files == null || files.denseBlocks();
    }

    /**
     * Whether a forward map of one chunk may be written without a root ({@link ForwardRootDescriptor#LONE}): in
     * memory, or where the generation's log is of a format that has them.
     */
    boolean loneChunks()
    {
        return files == null || files.loneChunks();
    }

    /**
     * Map the existing slabs of a persistent arena; new blocks go to new slabs, never into an existing one (whose
     * tail may hold the unreferenced blocks of a batch that never committed).
     *
     * @throws CorruptIndexException if a slab file is damaged or another index's (its header names another log:
     *                               {@link SlabFiles#open}).
     */
    static Arena reopen(final int slabSize, final SlabFiles files, final int slabCount) throws IOException
    {
        final Arena arena = new Arena(slabSize, files);
        for (int number = 0; number < slabCount; number++)
        {
            final UnsafeBuffer slab = files.open(number);
            arena.append(slab, slab.capacity());
        }
        arena.slabPosition = arena.currentSlabSize;
        arena.spaceEnd = arena.currentSlabSize;
        arena.forcedSlab = arena.slabCount;
        arena.forcedPosition = 0;
        return arena;
    }

    /**
     * Map the slabs another process added since this read-only arena was opened. The files are opened by their path,
     * which may name another index's slabs by now (the directory exchanged): {@link SlabFiles#open} refuses those.
     *
     * @return this arena, with a new slab array.
     * @throws CorruptIndexException if a slab file is damaged or another index's.
     */
    Arena mapMore(final int count) throws IOException
    {
        for (int number = slabCount; number < count; number++)
        {
            final UnsafeBuffer slab = files.open(number);
            append(slab, slab.capacity());
        }
        return this;
    }

    /**
     * Whether the slabs are files.
     */
    boolean persistent()
    {
        return files != null;
    }

    /**
     * Whether blocks written here get their checksums ({@link BlockChecksum}): only in slab files, which a reopen or
     * another process reads back and checks. Nothing reads anonymous memory back from anywhere; a checksum there
     * would guard nothing, and a batch of 256 scattered CoW cycles spent 8% of its time computing them.
     *
     * @return whether the arena is backed by slab files.
     */
    boolean sealsBlocks()
    {
        return files != null;
    }

    SlabFiles files()
    {
        return files;
    }

    int slabCount()
    {
        return slabCount;
    }

    /**
     * Flush every block allocated since the last call to the device (no-op for anonymous memory).
     */
    void force()
    {
        if (files == null)
        {
            return;
        }
        for (int slab = forcedSlab; slab < slabCount; slab++)
        {
            final int from = slab == forcedSlab ? Math.max(forcedPosition, firstOffset) : firstOffset;
            final int to = slab == slabCount - 1 ? slabPosition : slabSizes[slab];
            files.force(slab, from, to);
        }
        forcedSlab = Math.max(0, slabCount - 1);
        forcedPosition = slabPosition;
    }

    /**
     * Allocate a block.
     *
     * @param length bytes; a block larger than a slab gets a slab of its own.
     * @return the block's address.
     */
    long allocate(final int length)
    {
        if (length < 0 || length > Integer.MAX_VALUE - ALIGNMENT)
        {
            throw new IllegalArgumentException("bad block length: length=" + length);
        }
        final int size = footprint(length);
        if (size > slabSize - firstOffset)
        {
            // A block larger than a slab (a file of a million extents) gets a slab of its own.
            addSlab(size + firstOffset);
            reserveSpace(size + firstOffset);
            slabPosition = size + firstOffset;
            allocatedBytes += size;
            return (long)(slabCount - 1) << 32 | firstOffset;
        }
        if (slabCount == 0 || slabPosition + size > currentSlabSize)
        {
            addSlab(slabSize);
        }
        if (slabPosition + size > spaceEnd)
        {
            reserveSpace(slabPosition + size);
        }
        final long address = ((long)(slabCount - 1) << 32) | slabPosition;
        slabPosition += size;
        allocatedBytes += size;
        return address;
    }

    /**
     * Leave {@code bytes} of the current slab unused, so that the next block starts after them, if a block of
     * {@code footprint} bytes still fits in the slab after them; else nothing.
     *
     * @param bytes     a multiple of {@link #ALIGNMENT}.
     * @param footprint the next block's footprint.
     * @return whether the bytes were skipped.
     */
    boolean skip(final int bytes, final int footprint)
    {
        if (slabCount == 0 || (long)slabPosition + bytes + footprint > currentSlabSize ||
            (bytes & (ALIGNMENT - 1)) != 0)
        {
            return false;
        }
        if (slabPosition + bytes > spaceEnd)
        {
            reserveSpace(slabPosition + bytes);
        }
        slabPosition += bytes;
        allocatedBytes += bytes;
        return true;
    }

    /**
     * The slab the next block goes in, if it fits there; -1 before the first.
     *
     * @return the slab's index.
     */
    int currentSlab()
    {
        return slabCount - 1;
    }

    /**
     * Where the next block starts in the current slab, if it fits there.
     *
     * @return the slab offset.
     */
    int position()
    {
        return slabPosition;
    }

    /**
     * The buffer of the slab an address lies in.
     *
     * @param address a block address.
     * @return the slab buffer.
     */
    UnsafeBuffer buffer(final long address)
    {
        return slabs[slab(address)];
    }

    /**
     * The slabs as they are now; the array is replaced, never changed in place, when a slab is added.
     *
     * @return the slab array to capture in a snapshot.
     */
    UnsafeBuffer[] slabs()
    {
        return slabs;
    }

    /**
     * Bytes handed out so far, alignment included.
     *
     * @return allocated bytes.
     */
    long allocatedBytes()
    {
        return allocatedBytes;
    }

    /**
     * Bytes reserved from the operating system.
     *
     * @return slab bytes.
     */
    long reservedBytes()
    {
        return reservedBytes;
    }

    /**
     * Bytes a block of {@code length} bytes takes in an arena, alignment included: what live-byte counts add up, so
     * that they equal what the arena hands out.
     *
     * @param length the block's bytes.
     * @return bytes taken.
     */
    static int footprint(final int length)
    {
        return Math.max((length + ALIGNMENT - 1) & -ALIGNMENT, ALIGNMENT);
    }

    /**
     * The index of the slab an address lies in.
     *
     * @param address a block address.
     * @return the slab's index in the slab array.
     */
    static int slab(final long address)
    {
        return (int)(address >>> 32);
    }

    /**
     * The slab-relative offset of an address.
     *
     * @param address a block address.
     * @return the offset within the slab.
     */
    static int offset(final long address)
    {
        return (int)address;
    }

    private void addSlab(final int size)
    {
        append(files == null ? new UnsafeBuffer(AnonymousMemory.allocate(size)) :
            files.create(slabCount, size), size);
        slabPosition = firstOffset;
        spaceEnd = files == null ? size : SlabFiles.firstSpace(size);
    }

    /**
     * Disk space for the current slab's bytes up to {@code end}, before blocks are written there.
     */
    private void reserveSpace(final int end)
    {
        if (end > spaceEnd)
        {
            spaceEnd = files.reserve(slabCount - 1, spaceEnd, end, currentSlabSize);
        }
    }

    private void append(final UnsafeBuffer slab, final int size)
    {
        final UnsafeBuffer[] next = Arrays.copyOf(slabs, Math.max(slabs.length, slabCount + 1));
        next[slabCount] = slab;
        slabs = next;
        if (slabCount == slabSizes.length)
        {
            slabSizes = Arrays.copyOf(slabSizes, slabSizes.length * 2);
        }
        slabSizes[slabCount] = size;
        slabCount++;
        currentSlabSize = size;
        reservedBytes += size;
    }
}
