package io.daxrmap.index;

import org.agrona.concurrent.UnsafeBuffer;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.IntUnaryOperator;

/**
 * Checks the blocks of a reopened index before anything reads them, so that reopening costs the replay of the log
 * and not a read of every block (4.8 GB at 10^8 records, several seconds).
 * <p>
 * Every block a reopened snapshot names is checked once: that it lies inside its slab, then its CRC32C. A stripe is
 * checked by the first query or batch that reads it, an owner's forward map (root and every chunk) by the first that
 * reads any of it, and all of them by a background thread started on open, after which the checks cost one volatile
 * read. Damage met on touch is thrown to the reader as an {@link UncheckedIOException} whose cause is the
 * {@link CorruptIndexException}, so no query answers from damaged bytes; {@link #verifyAll()} throws the first damage
 * found anywhere.
 * <p>
 * Only the blocks the reopened snapshot names are this verifier's. A block written since is passed: a writer wrote it
 * itself, and a reader following another process checks what each new log record names when it takes the record in
 * ({@link #checkStripe}, {@link #checkForwardMap}).
 */
final class BlockVerifier
{
    private static final int EMPTY_STRIPE = 0;
    private static final int STRIPE = 1;
    private static final int ROOT = 2;
    private static final int CHUNK = 3;

    private final Path log;
    private final SlabFiles files;
    private final UnsafeBuffer[] slabs;
    private final int slabCount;
    private final long emptyStripe;
    private final LongDirectory stripes;
    private final LongDirectory extents;
    private final AtomicLongArray stripeChecked;
    private final AtomicLongArray ownerChecked;
    private Thread background;
    private volatile boolean complete;
    private volatile boolean stopped;
    private volatile CorruptIndexException damage;

    /**
     * Check the empty stripe (every unmapped stripe names it) now; the rest on touch and after
     * {@link #startBackground()}.
     *
     * @param log      the log that named the blocks, for messages.
     * @param arena    the slabs as mapped on open.
     * @param snapshot the reopened snapshot.
     * @throws CorruptIndexException if the empty stripe is damaged.
     */
    BlockVerifier(final Path log, final Arena arena, final Snapshot snapshot, final long emptyStripe)
        throws CorruptIndexException
    {
        this.log = log;
        this.files = arena.files();
        this.slabs = arena.slabs();
        this.slabCount = arena.slabCount();
        this.emptyStripe = emptyStripe;
        this.stripes = snapshot.stripes;
        this.extents = snapshot.extents;
        this.stripeChecked = new AtomicLongArray((stripes.length() + 63) >>> 6);
        this.ownerChecked = new AtomicLongArray((extents.length() + 63) >>> 6);
        checkBlock(log, files, slabs, slabCount, emptyStripe, StripeDescriptor.HEADER_LENGTH, StripeDescriptor::lengthOfHeader,
            EMPTY_STRIPE, 0, 0);
    }

    /**
     * Start checking every block in a background thread, until done or {@link #stop()}.
     */
    synchronized void startBackground()
    {
        if (background == null && !stopped)
        {
            background = new Thread(this::checkInBackground, "daxrmap-verify " + log);
            background.setDaemon(true);
            background.setPriority(Thread.MIN_PRIORITY);
            background.start();
        }
    }

    /**
     * Whether every block has been checked and found intact.
     *
     * @return true once the checks cost nothing more.
     */
    boolean complete()
    {
        return complete;
    }

    /**
     * How many stripes and owners' forward maps have been checked so far.
     *
     * @return the count, whichever thread checked them.
     */
    long checkedBlocks()
    {
        long checked = 0;
        for (int i = 0; i < stripeChecked.length(); i++)
        {
            checked += Long.bitCount(stripeChecked.get(i));
        }
        for (int i = 0; i < ownerChecked.length(); i++)
        {
            checked += Long.bitCount(ownerChecked.get(i));
        }
        return checked;
    }

    /**
     * The first damage found, on touch or in the background.
     *
     * @return the damage, or null.
     */
    CorruptIndexException damage()
    {
        return damage;
    }

    /**
     * Before a stripe block is read.
     *
     * @throws UncheckedIOException with a {@link CorruptIndexException} cause if it is damaged.
     */
    void stripe(final int stripe, final long address)
    {
        if (!complete)
        {
            try
            {
                checkStripeOnce(stripe, address);
            }
            catch (final CorruptIndexException ex)
            {
                throw new UncheckedIOException(ex.getMessage(), ex);
            }
        }
    }

    /**
     * Before any block of an owner's forward map is read.
     *
     * @throws UncheckedIOException with a {@link CorruptIndexException} cause if any of it is damaged.
     */
    void forwardMap(final int ownerId, final long root)
    {
        if (!complete)
        {
            try
            {
                checkForwardMapOnce(ownerId, root);
            }
            catch (final CorruptIndexException ex)
            {
                throw new UncheckedIOException(ex.getMessage(), ex);
            }
        }
    }

    /**
     * Check a stripe the reopened snapshot names, unless already checked; a block written since is passed.
     */
    private void checkStripeOnce(final int stripe, final long address) throws CorruptIndexException
    {
        if (isSet(stripeChecked, stripe) || address != stripes.get(stripe) || address == emptyStripe)
        {
            return;
        }
        try
        {
            checkStripe(log, files, slabs, slabCount, address, stripe);
        }
        catch (final CorruptIndexException ex)
        {
            throw remember(ex);
        }
        set(stripeChecked, stripe);
    }

    /**
     * Check an owner's forward map the reopened snapshot names, unless already checked; a map written since is passed.
     */
    private void checkForwardMapOnce(final int ownerId, final long root) throws CorruptIndexException
    {
        if (ownerId >= extents.length() || isSet(ownerChecked, ownerId) || root != extents.get(ownerId))
        {
            return;
        }
        try
        {
            checkForwardMap(log, files, slabs, slabCount, root, ownerId);
        }
        catch (final CorruptIndexException ex)
        {
            throw remember(ex);
        }
        set(ownerChecked, ownerId);
    }

    /**
     * Check every block not checked yet, in the caller's thread, after stopping the background.
     *
     * @throws CorruptIndexException the first damage found.
     */
    void verifyAll() throws CorruptIndexException
    {
        stop();
        if (!complete)
        {
            checkAll(false);
        }
    }

    /**
     * Stop the background checks (the index is closing) and wait for them to return.
     */
    void stop()
    {
        final Thread background;
        synchronized (this)
        {
            stopped = true;
            background = this.background;
        }
        if (background != null && Thread.currentThread() != background)
        {
            boolean interrupted = false;
            while (background.isAlive())
            {
                try
                {
                    background.join();
                }
                catch (final InterruptedException ex)
                {
                    interrupted = true;
                }
            }
            if (interrupted)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void checkInBackground()
    {
        try
        {
            checkAll(true);
        }
        catch (final CorruptIndexException ignored)
        {
            // kept in damage: touching the block throws it, and so does verifyAll
        }
    }

    private void checkAll(final boolean background) throws CorruptIndexException
    {
        final CorruptIndexException earlier = damage;
        if (earlier != null)
        {
            throw earlier;
        }
        for (int s = 0; s < stripes.length(); s++)
        {
            if (background && stopped)
            {
                return;
            }
            checkStripeOnce(s, stripes.get(s));
        }
        for (int o = 0; o < extents.length(); o++)
        {
            if (background && stopped)
            {
                return;
            }
            final long root = extents.get(o);
            if (root != Snapshot.NO_EXTENTS)
            {
                checkForwardMapOnce(o, root);
            }
        }
        complete = true;
    }

    private CorruptIndexException remember(final CorruptIndexException ex)
    {
        if (damage == null)
        {
            damage = ex;
        }
        return ex;
    }

    private static boolean isSet(final AtomicLongArray bits, final int index)
    {
        return (bits.get(index >>> 6) & (1L << index)) != 0;
    }

    private static void set(final AtomicLongArray bits, final int index)
    {
        final int at = index >>> 6;
        final long bit = 1L << index;
        long word = bits.get(at);
        while ((word & bit) == 0 && !bits.compareAndSet(at, word, word | bit))
        {
            word = bits.get(at);
        }
    }

    /**
     * Check one stripe block.
     */
    static void checkStripe(
        final Path log, final SlabFiles files, final UnsafeBuffer[] slabs, final int slabCount, final long address,
        final int stripe) throws CorruptIndexException
    {
        checkBlock(log, files, slabs, slabCount, address, StripeDescriptor.HEADER_LENGTH, StripeDescriptor::lengthOfHeader,
            STRIPE, stripe, 0);
    }

    /**
     * Check an owner's forward map: its root, then every chunk the root names; or its lone chunk.
     */
    static void checkForwardMap(
        final Path log, final SlabFiles files, final UnsafeBuffer[] slabs, final int slabCount, final long root,
        final int ownerId) throws CorruptIndexException
    {
        if (ForwardRootDescriptor.isLone(root))
        {
            checkBlock(log, files, slabs, slabCount, ForwardRootDescriptor.loneChunk(root), ExtentsDescriptor.HEADER_LENGTH,
                ExtentsDescriptor::lengthOfHeader, CHUNK, ownerId, 0);
            return;
        }
        checkBlock(log, files, slabs, slabCount, root, ForwardRootDescriptor.HEADER_LENGTH,
            ForwardRootDescriptor::lengthOfHeader, ROOT, ownerId, 0);
        final UnsafeBuffer buffer = slabs[Arena.slab(root)];
        final int chunks = ForwardRootDescriptor.count(buffer, Arena.offset(root));
        for (int c = 0; c < chunks; c++)
        {
            checkBlock(log, files, slabs, slabCount, ForwardRootDescriptor.address(buffer, Arena.offset(root), c),
                ExtentsDescriptor.HEADER_LENGTH, ExtentsDescriptor::lengthOfHeader, CHUNK, ownerId, c);
        }
    }

    /**
     * Check that a block (any kind: they share the header word and checksum) has a header its kind can have, lies
     * inside its slab and matches its checksum. What the block is ({@code kind}, {@code index}, {@code chunk}) is
     * spelled out only for a message.
     *
     * @param lengthOfHeader the block's bytes from its header word, negative for a header no block has.
     */
    private static void checkBlock(
        final Path log, final SlabFiles files, final UnsafeBuffer[] slabs, final int slabCount, final long address,
        final int headerLength, final IntUnaryOperator lengthOfHeader, final int kind, final int index, final int chunk)
        throws CorruptIndexException
    {
        final int slab = Arena.slab(address);
        final int offset = Arena.offset(address);
        if (address < 0 || slab >= slabCount || offset < 0 || offset + headerLength > slabs[slab].capacity())
        {
            throw new CorruptIndexException(log, "block address outside the slabs: " + what(kind, index, chunk) +
                " address=0x" +
                Long.toHexString(address));
        }
        final UnsafeBuffer buffer = slabs[slab];
        final int header = buffer.getInt(offset, StripeDescriptor.BYTE_ORDER);
        final int length = lengthOfHeader.applyAsInt(header);
        if (length < 0)
        {
            throw new CorruptIndexException(files.file(slab), "bad block header: " + what(kind, index, chunk) +
                " offset=" + offset + " header=0x" + Integer.toHexString(header));
        }
        if (length > buffer.capacity() - offset)
        {
            throw new CorruptIndexException(log, what(kind, index, chunk) + " block out of its slab: header=0x" +
                Integer.toHexString(header));
        }
        if (!BlockChecksum.intact(buffer, offset, length))
        {
            throw new CorruptIndexException(files.file(slab), "block checksum mismatch: " + what(kind, index, chunk) +
                " offset=" + offset);
        }
    }

    private static String what(final int kind, final int index, final int chunk)
    {
        switch (kind)
        {
            case EMPTY_STRIPE: return "empty stripe";
            case STRIPE: return "stripe " + index;
            case ROOT: return "forward map root of owner " + index;
            default: return "forward map of owner " + index + " chunk " + chunk;
        }
    }
}
