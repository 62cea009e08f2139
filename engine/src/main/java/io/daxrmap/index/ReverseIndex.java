package io.daxrmap.index;

import io.daxrmap.model.DeviceGeometry;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;

/**
 * The reverse map of one device: device byte ranges to every owner and file offset, kept current by atomic batches
 * of filesystem operations, read lock-free by any number of {@link IndexReader}s.
 * <h2>Structure</h2>
 * The device is cut into pieces (elementary segments) over which the set of owners is constant. Pieces live in
 * stripes of a fixed power-of-two span ({@link StripeDescriptor}); a directory maps a stripe number to the stripe's
 * block in off-heap memory ({@link Arena}), so a lookup is: shift, one directory load, one stripe. A piece names its
 * owners inline when it has one ({@link PieceValue}) and through an interned share group ({@link OwnerSet}) when it
 * has several. Each owner with file offsets also has a forward map ({@link ForwardRootDescriptor}) that the mutations use.
 * <h2>Concurrency</h2>
 * One writer: {@link #newBatch()} gives the only open batch, whose working copies are invisible until
 * {@link Batch#commit()} publishes a new {@link Snapshot} with one volatile write. Readers never block: each query
 * runs on the snapshot the reader last refreshed to, which never changes.
 */
public final class ReverseIndex implements AutoCloseable
{
    /**
     * Pieces per stripe the stripe span is sized for (spans are powers of two, so stripes hold about 8 to 16). Eight
     * narrow pieces take 88 bytes with the header: against 4, it saved 1.9 bytes per record of stripe headers and
     * directory entries, and page queries measured no slower at 10^6, 10^7 and 10^8 records (jar pairs alternated).
     */
    static final int TARGET_PIECES_PER_STRIPE = 8;
    /** The narrowest stripe span: one sector. */
    static final int MIN_SPAN_SHIFT = 9;
    /** A stripe spans at least 2^this blocks. */
    static final int MIN_BLOCKS_SHIFT = 2;
    /** Slab size of a persistent index: files are sparse, so this is address space, not disk. */
    static final int PERSISTENT_SLAB_SIZE = 64 << 20;
    /** Compact when garbage exceeds live bytes and this much. */
    static final long COMPACTION_SLACK = 32L << 20;
    /**
     * Compact when batches have written more than this share (a half) of the stripes that lay where the placement
     * predicts them elsewhere: a page query of such a stripe waits for its directory entry before it can load it.
     */
    static final int MOVED_STRIPES_SHIFT = 1;
    /** Fewer stripes placed than this (a region's) never make a compaction due by moving: their queries stay cheap. */
    static final int MIN_PLACED_STRIPES = StripePlacement.REGION_STRIPES;
    /** The most working copies a batch's lists may have held and still be lent to the next batch as they are. */
    static final int KEPT_LIST_SIZE = 8192;
    /** Compact when share groups no piece names may exceed the live ones and this many. */
    static final int SET_SLACK = 1 << 16;
    /** See {@link #logSlack}. */
    static final long LOG_SLACK = 64L << 20;

    private final DeviceGeometry geometry;
    private final int stripeShift;
    OwnerTable owners;
    OwnerSetTable sets;
    Arena arena;
    long emptyStripe;
    long liveBytes;
    private Throwable compactionFailure;
    private long compactionRetryBytes;
    private int compactionRetrySets;
    private long compactionRetryLog;
    /**
     * Stripes that lay where the snapshot's placement predicts them when it was laid out or read back (a bulk load, a
     * compaction, an open), not counting the empty ones; and how many of those a batch has written elsewhere since.
     */
    private int placedStripes;
    int movedStripes;
    /**
     * How far a persistent index's log may grow past twice its checkpoint before a commit compacts it into a new
     * generation: a log that only grows would take ever longer to replay on reopen, and past 2 GiB could not be.
     */
    private long logSlack = LOG_SLACK;
    /** Forward-map chunks that several roots name; replaced by each compaction. */
    SharedChunks sharedChunks = new SharedChunks();
    /** The writer's decoded copies of recently written blocks. */
    final WriterCache writerCache = new WriterCache();
    /**
     * The lists of the open batch's working copies ({@link Batch}), which stay in the writer cache: emptied, under this
     * index's lock, whenever the writer is freed, so that no batch starts from another's list (nor has its own emptied
     * by one that failed after publication).
     */
    private ArrayList<MutableStripe> batchStripes = new ArrayList<>();
    private ArrayList<MutableExtents> batchExtents = new ArrayList<>();
    /** The number of the last batch opened: the working copies it takes carry it ({@link MutableStripe#batch}). */
    private long batchNumber;
    private final IndexDirectory store;
    private final Path readOnlyDirectory;
    private LogReplay follower;
    private CorruptIndexException followDamage;
    private long compactions;
    private int liveSets;
    private volatile Snapshot current;
    private Batch openBatch;
    private boolean closed;
    /** Checks the blocks a reopened index names; null for a new index, or once compaction has checked them all. */
    private BlockVerifier verifier;

    private ReverseIndex(
        final DeviceGeometry geometry, final int stripeShift, final Arena arena, final long emptyStripe,
        final OwnerTable owners, final OwnerSetTable sets, final LongDirectory stripes, final LongDirectory extents,
        final long version, final long liveBytes, final IndexDirectory store)
    {
        this.geometry = geometry;
        this.stripeShift = stripeShift;
        this.arena = arena;
        this.emptyStripe = emptyStripe;
        this.owners = owners;
        this.sets = sets;
        this.liveBytes = liveBytes;
        this.liveSets = sets.count();
        this.store = store;
        this.readOnlyDirectory = null;
        this.current = new Snapshot(version, geometry, stripeShift, stripes, extents, arena.slabs(), owners.keys(),
            owners.idMap(), owners.count(), sets.sets(), sets.firstGroups(), sets.count(), null,
            StripePlacement.derive(stripes, stripes.length(), emptyStripe, arena.slabs()));
        laidOut(current);
    }

    /**
     * The stripes the placement found at the last layout ({@link #laidOut}); with {@link #movedStripes}, for tests and
     * the benchmarks' datasets.
     */
    int placedStripes()
    {
        return placedStripes;
    }

    /**
     * Count the stripes a snapshot's placement finds, none moved yet: after a bulk load or a compaction laid them out,
     * or an open read the placement back.
     */
    void laidOut(final Snapshot snapshot)
    {
        placedStripes =
            snapshot.placement.placed(snapshot.stripes, snapshot.stripeCount(), emptyStripe, snapshot.slabs);
        movedStripes = 0;
    }

    private ReverseIndex(final Path directory, final LogReplay replay, final Arena arena)
    {
        this.geometry = replay.geometry;
        this.stripeShift = replay.stripeShift;
        this.owners = replay.owners;
        this.store = null;
        this.readOnlyDirectory = directory;
        follow(replay, arena);
    }

    /**
     * Open a persistent index for reading only, without the writer's lock: another process may be writing it.
     * Readers see the batches committed when the index was opened, and more after each {@link IndexReader#refresh()}
     * (which reads what the writer has committed since, following it into new generations, and checks the blocks
     * that names). Blocks are checked as by {@link #open(Path)}.
     *
     * @param directory the index directory.
     * @return the read-only index; {@link #newBatch()} refuses.
     * @throws CorruptIndexException if the directory is not an index, or its CURRENT file, log or slab headers are damaged.
     */
    public static ReverseIndex openReadOnly(final Path directory) throws IOException
    {
        return openReadOnly(directory, true);
    }

    /** What a read-only index follows at its directory's path ({@link #openReadOnly(Path, Follow)}). */
    public enum Follow
    {
        /** The writer's batches and compactions, and any index put in place of the directory: adopted. */
        REPLACEMENTS,
        /**
         * Only the index opened: its writer's batches and compactions (new generations in the same directory). A
         * directory put in place of it (another import) is not adopted: the index keeps the snapshot it has, and
         * {@link #replaced()} tells it.
         */
        OWN_INDEX
    }

    /**
     * As {@link #openReadOnly(Path)}, following what {@code follow} says: {@link Follow#OWN_INDEX} ties the index to
     * the directory it was opened from (its file key, looked up before and after the open), for callers that hold
     * it with other files of the same import.
     *
     * @param directory the index directory.
     * @param follow    what to follow.
     * @return the read-only index.
     * @throws CorruptIndexException if the directory is not an index, is damaged, or keeps being replaced meanwhile.
     */
    public static ReverseIndex openReadOnly(final Path directory, final Follow follow) throws IOException
    {
        if (follow == Follow.REPLACEMENTS)
        {
            return openReadOnly(directory);
        }
        for (int looks = 1; ; looks++)
        {
            final Object before = directoryKey(directory);
            final ReverseIndex index = openReadOnly(directory);
            final Object after = directoryKey(directory);
            if (before != null && before.equals(after))
            {
                index.pinnedKey = before;
                return index;
            }
            index.close();
            if (looks >= OPEN_LOOKS)
            {
                throw new CorruptIndexException(directory, "replaced while it was opened, " + looks + " times");
            }
        }
    }

    /** The file key of a directory, or null if it is missing. */
    private static Object directoryKey(final Path directory) throws IOException
    {
        try
        {
            return Files.readAttributes(directory, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        }
        catch (final NoSuchFileException ex)
        {
            return null;
        }
    }

    /**
     * The key of the directory an index opened with {@link Follow#OWN_INDEX} follows; null for other indexes.
     * Guarded by this index's lock.
     */
    private Object pinnedKey;
    /** Whether an index that follows only its own directory found another one in its place. */
    private volatile boolean replaced;

    /**
     * Whether this index, opened with {@link Follow#OWN_INDEX}, found another directory (or none) at its path at its
     * last look that would have adopted one: it then keeps the snapshot it had.
     *
     * @return true if replaced.
     */
    public boolean replaced()
    {
        return replaced;
    }

    /**
     * For an index that follows only its own directory: whether the directory at its path is another one (or none);
     * if so, remembered.
     */
    private boolean replacedUnderPin() throws IOException
    {
        if (pinnedKey == null)
        {
            return false;
        }
        // looked up at each look that would adopt: a directory moved aside and back (where directories cannot be
        // exchanged) is followed again
        replaced = !pinnedKey.equals(directoryKey(readOnlyDirectory));
        return replaced;
    }

    /**
     * Adopt the index opened at the directory now, unless this index follows only its own directory and the one
     * opened may be another (looked up before and after the open).
     */
    private void adoptOpened(final ReverseIndexOpener opener) throws IOException
    {
        if (replacedUnderPin())
        {
            return;
        }
        final ReverseIndex fresh = opener.open();
        if (replacedUnderPin())
        {
            fresh.close();
            return;
        }
        adopt(fresh);
    }

    @FunctionalInterface
    private interface ReverseIndexOpener
    {
        ReverseIndex open() throws IOException;
    }

    /**
     * As {@link #openReadOnly(Path)}; without the background checks if {@code background} is false (blocks are then
     * checked only on first read: for tests of that path).
     */
    static ReverseIndex openReadOnly(final Path directory, final boolean background) throws IOException
    {
        return openReadOnly(directory, background, () -> { });
    }

    /**
     * As {@link #openReadOnly(Path, boolean)}, running {@code afterReplay} at each attempt between the read of the
     * log and the mapping of the slabs it names: where tests replace the index directory.
     */
    static ReverseIndex openReadOnly(final Path directory, final boolean background, final OpenStep afterReplay)
        throws IOException
    {
        return openReadOnly(directory, background, afterReplay, FileChannel::open, ReverseIndex::pauseForCurrent);
    }

    /**
     * As {@link #openReadOnly(Path, boolean, OpenStep)}, opening the log and slab files through {@code opener} and
     * running {@code pause} while waiting for a CURRENT file to come back: where tests make a file vanish between the
     * check that it is there and its open, and finish a replacement of the directory.
     * <p>
     * A look that fails because a file it needs is missing or refused is taken again (at most {@value #OPEN_LOOKS}
     * looks) if the index moved on meanwhile: CURRENT names another generation, or is gone (a directory replaced in
     * two steps, the old index moved away, then the new one in), or the log read is no longer at its path. Between
     * two steps of such a replacement there is no CURRENT: after a look that failed so, its return is waited for a
     * while ({@value #CURRENT_PAUSES} pauses). What fails with the index still there, or with no index coming back,
     * is thrown, the earlier failure suppressed in it.
     */
    static ReverseIndex openReadOnly(final Path directory, final boolean background, final OpenStep afterReplay,
        final IndexLog.Opener opener, final OpenStep pause) throws IOException
    {
        return openReadOnly(directory, background, afterReplay, opener, pause, null);
    }

    /**
     * As {@link #openReadOnly(Path, boolean, OpenStep, IndexLog.Opener, OpenStep)}, after an earlier look (a
     * follower's) that failed because the index moved on, if {@code failed} is not null: a CURRENT missing at the
     * first look is then waited for too.
     */
    private static ReverseIndex openReadOnly(final Path directory, final boolean background,
        final OpenStep afterReplay, final IndexLog.Opener opener, final OpenStep pause, final IOException earlier)
        throws IOException
    {
        IOException failed = earlier;
        int looks = 0;
        int pauses = 0;
        while (true)
        {
            final int generation;
            try
            {
                generation = IndexDirectory.readCurrent(directory);
            }
            catch (final CorruptIndexException ex)
            {
                if (failed == null || pauses >= CURRENT_PAUSES ||
                    Files.isRegularFile(directory.resolve(IndexDirectory.CURRENT)))
                {
                    if (failed != null)
                    {
                        ex.addSuppressed(failed);
                    }
                    throw ex;
                }
                pauses++;
                pause.run();
                continue;
            }
            looks++;
            LogReplay replay = null;
            try
            {
                replay = LogReplay.read(IndexLog.file(directory, generation), generation, opener);
                afterReplay.run();
                final Arena arena = Arena.reopen(PERSISTENT_SLAB_SIZE, SlabFiles.of(directory, replay, opener),
                    replay.slabCount);
                final ReverseIndex index = new ReverseIndex(directory, replay, arena);
                index.startVerifier(replay.file, background);
                return index;
            }
            catch (final CorruptIndexException ex)
            {
                // The writer may have switched generations and deleted this one meanwhile, or the whole directory
                // may have been replaced by another index (whose generation may be this one: its slabs then carry
                // another log id): look again. A slab refused while the log read is still there is refused.
                if (looks >= OPEN_LOOKS || !movedOn(directory, generation, replay, ex))
                {
                    throw ex;
                }
                failed = ex;
            }
        }
    }

    /** How many times a read-only open looks at an index that keeps moving on before it gives up. */
    private static final int OPEN_LOOKS = 4;
    /** How many pauses a read-only open waits for CURRENT to come back, after a look that failed without it. */
    private static final int CURRENT_PAUSES = 20;
    private static final long CURRENT_PAUSE_MILLIS = 5;

    private static void pauseForCurrent() throws IOException
    {
        try
        {
            Thread.sleep(CURRENT_PAUSE_MILLIS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for the index's CURRENT to come back");
        }
    }

    /**
     * Whether the index a failed look read has moved on since: CURRENT names another generation or none (CURRENT's
     * own damage is then reported by the next look, which reads it), the log read is no longer at its path, or, if
     * the log itself did not read because it was missing, one is there now.
     */
    private static boolean movedOn(final Path directory, final int generation, final LogReplay replay,
        final IOException failure) throws IOException
    {
        try
        {
            if (IndexDirectory.readCurrent(directory) != generation)
            {
                return true;
            }
        }
        catch (final CorruptIndexException ex)
        {
            return true;
        }
        if (replay != null)
        {
            return !stillThere(replay);
        }
        return failure.getCause() instanceof NoSuchFileException &&
            Files.isRegularFile(IndexLog.file(directory, generation));
    }

    /**
     * What {@link #openReadOnly(Path, boolean, OpenStep)} runs between reading the log and mapping the slabs.
     */
    @FunctionalInterface
    interface OpenStep
    {
        void run() throws IOException;
    }

    /**
     * Whether the file at a replayed log's path is still that log; not if it is another log, none, or one whose
     * header does not read (its damage is then reported by the next look, which reads it).
     */
    private static boolean stillThere(final LogReplay replay) throws IOException
    {
        try
        {
            return replay.sameLog();
        }
        catch (final CorruptIndexException ex)
        {
            return false;
        }
    }

    private void follow(final LogReplay replay, final Arena slabs)
    {
        follower = replay;
        arena = slabs;
        sets = replay.sets;
        emptyStripe = replay.emptyStripe;
        liveBytes = replay.liveBytes;
        final LongDirectory stripes = replay.buildStripes();
        // within one generation the placement only changes when a bulk load fills the empty index
        final StripePlacement placement = current != null && current.placement.settled() ? current.placement :
            StripePlacement.derive(stripes, stripes.length(), emptyStripe, slabs.slabs());
        current = new Snapshot(replay.version, replay.geometry, replay.stripeShift, stripes, replay.buildExtents(),
            slabs.slabs(), owners.keys(), owners.idMap(), owners.count(), sets.sets(), sets.firstGroups(),
            sets.count(), verifier,
            placement);
    }

    /**
     * The snapshot a refreshing reader gets: the latest one, after taking in, for a read-only index, what the
     * writer committed since the last look. A writable index's readers never wait here.
     */
    Snapshot refreshed()
    {
        if (readOnlyDirectory == null)
        {
            return current;
        }
        final Snapshot caught = catchUp(false);
        return caught != null ? caught : catchUpAfterWait();
    }

    /**
     * Wait a while ({@value #CURRENT_PAUSES} pauses at most) for a missing CURRENT to come back, without this index's
     * lock: other readers' looks, and {@link #close()}, do not queue behind the wait. Then look again.
     */
    private Snapshot catchUpAfterWait()
    {
        final Path file = readOnlyDirectory.resolve(IndexDirectory.CURRENT);
        try
        {
            for (int pauses = 0; pauses < CURRENT_PAUSES && !Files.isRegularFile(file); pauses++)
            {
                followPause.run();
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot follow the index: directory=" + readOnlyDirectory, ex);
        }
        return catchUp(true);
    }

    /**
     * What a mapping's addition runs between its reverse references and its forward extent: where tests make an
     * operation fail half applied.
     */
    Runnable betweenReverseAndForward = () -> { };

    /** What a follower runs while it waits for a CURRENT file to come back: where tests finish a replacement. */
    OpenStep followPause = ReverseIndex::pauseForCurrent;
    /**
     * Whether a follower waited for a missing CURRENT in vain and has not seen one since: a directory gone for good
     * is waited for once, not at every look.
     */
    private boolean currentWaitedFor;

    /**
     * Take in what the writer committed since the last look, or the index put in place of the directory.
     *
     * @param waited whether the caller waited for a missing CURRENT just before this look.
     * @return the latest snapshot, or null if CURRENT is missing and should be waited for (outside this lock).
     */
    private synchronized Snapshot catchUp(final boolean waited)
    {
        if (closed)
        {
            return current;
        }
        try
        {
            final int generation;
            try
            {
                generation = IndexDirectory.readCurrent(readOnlyDirectory);
            }
            catch (final CorruptIndexException ex)
            {
                if (replacedUnderPin())
                {
                    return current; // another import's directory, or none: not followed
                }
                if (Files.isRegularFile(readOnlyDirectory.resolve(IndexDirectory.CURRENT)))
                {
                    throw ex; // a damaged CURRENT, as an open reports it
                }
                // no CURRENT: a directory replaced in two steps, between them (or gone); its return is waited for a
                // while, as after a look of an open that failed so
                return missingCurrent(ex, waited);
            }
            currentWaitedFor = false;
            if (generation == follower.generation)
            {
                try
                {
                    if (followDamage != null)
                    {
                        throw followDamage;
                    }
                    // checks the log's id on the channel it reads from: no check here that an exchange could follow
                    final int read = follower.readMore();
                    if (read > 0)
                    {
                        final Arena slabs = follower.slabCount > arena.slabCount() ?
                            mapMore(follower.slabCount) : arena;
                        checkFollowed(follower, slabs);
                        follow(follower, slabs);
                    }
                    if (read != LogReplay.ANOTHER_LOG)
                    {
                        return current;
                    }
                }
                catch (final NoSuchFileException | CorruptIndexException ex)
                {
                    // told as a read-only open tells it: a log at the path whose header does not read is not this
                    // one (the next look, which reads it, reports its damage), and a CURRENT gone is a directory
                    // being replaced in two steps
                    if (!movedOn(readOnlyDirectory, follower.generation, follower, ex))
                    {
                        throw ex;
                    }
                    if (replacedUnderPin())
                    {
                        return current;
                    }
                    // The writer compacted into a new generation and deleted this one meanwhile, or the index was
                    // replaced: the next look waits for a CURRENT still missing, as after a look of an open.
                    if (!Files.isRegularFile(readOnlyDirectory.resolve(IndexDirectory.CURRENT)))
                    {
                        return missingCurrent(ex, waited);
                    }
                    waitForCurrent(ex);
                    return current;
                }
            }
            adoptOpened(() -> openReadOnly(readOnlyDirectory));
            return current;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot follow the index: directory=" + readOnlyDirectory, ex);
        }
    }

    /**
     * A look found no CURRENT: wait for it outside the lock (null), unless this look follows that wait, or an earlier
     * wait ran out and no CURRENT was seen since: then the index is gone, and the failure thrown.
     */
    private Snapshot missingCurrent(final IOException ex, final boolean waited) throws IOException
    {
        if (currentWaitedFor)
        {
            throw ex; // waited for once since CURRENT was last seen: gone, not between two renames
        }
        if (!waited)
        {
            return null;
        }
        currentWaitedFor = true;
        throw ex;
    }

    /**
     * Open the index at the directory again after a look that failed because it moved on, waiting a while for a
     * CURRENT that is missing, and adopt it; if it fails with CURRENT still missing, the wait ran out: remember that.
     */
    private void waitForCurrent(final IOException failed) throws IOException
    {
        try
        {
            adoptOpened(() -> openReadOnly(readOnlyDirectory, true, () -> { }, FileChannel::open, followPause, failed));
        }
        catch (final CorruptIndexException ex)
        {
            currentWaitedFor = !Files.isRegularFile(readOnlyDirectory.resolve(IndexDirectory.CURRENT));
            throw ex;
        }
    }

    /**
     * Map the slabs the log records just taken in count; a slab refused (damaged, or another index's) is refused again
     * at every later look, as the records are taken in.
     */
    private Arena mapMore(final int slabCount) throws IOException
    {
        try
        {
            return arena.mapMore(slabCount);
        }
        catch (final CorruptIndexException ex)
        {
            followDamage = ex;
            throw ex;
        }
    }

    /**
     * Check the blocks that the log records just taken in name: they were written by another process since the open,
     * so no {@link BlockVerifier} covers them.
     */
    private void checkFollowed(final LogReplay replay, final Arena slabs) throws CorruptIndexException
    {
        try
        {
            final int[] stripes = replay.takeChangedStripes();
            for (final int s : stripes)
            {
                final long address = replay.stripes.get(s);
                if (address != replay.emptyStripe)
                {
                    BlockVerifier.checkStripe(replay.file, slabs.files(), slabs.slabs(), slabs.slabCount(), address, s);
                }
            }
            final int[] owners = replay.takeChangedOwners();
            for (final int o : owners)
            {
                final long root = replay.extents.get(o);
                if (root != Snapshot.NO_EXTENTS)
                {
                    BlockVerifier.checkForwardMap(replay.file, slabs.files(), slabs.slabs(), slabs.slabCount(), root, o);
                }
            }
        }
        catch (final CorruptIndexException ex)
        {
            followDamage = ex; // the records are taken in: never publish a snapshot naming the damaged block
            throw ex;
        }
    }

    private void adopt(final ReverseIndex fresh)
    {
        if (verifier != null)
        {
            verifier.stop();
        }
        verifier = fresh.verifier;
        followDamage = null;
        writerCache.clear();
        follower = fresh.follower;
        owners = fresh.owners;
        arena = fresh.arena;
        sets = fresh.sets;
        emptyStripe = fresh.emptyStripe;
        liveBytes = fresh.liveBytes;
        // a replaced index may have another geometry and stripe span: the snapshot carries them
        current = new Snapshot(fresh.current.version, fresh.current.geometry, fresh.current.stripeShift,
            fresh.current.stripes, fresh.current.extents, fresh.current.slabs, fresh.owners.keys(),
            fresh.owners.idMap(), fresh.owners.count(), fresh.sets.sets(), fresh.sets.firstGroups(),
            fresh.sets.count(), verifier,
            fresh.current.placement);
    }

    /**
     * Create an empty index in memory: every byte of the device free.
     *
     * @param config device geometry and expected size.
     * @return the index.
     */
    public static ReverseIndex create(final IndexConfig config)
    {
        final DeviceGeometry geometry = checkGeometry(config.geometry());
        final int shift = stripeShift(geometry.size(), config.expectedRecords(), geometry.blockSize());
        final Arena arena = new Arena();
        final long empty = writeEmptyStripe(arena);
        return new ReverseIndex(geometry, shift, arena, empty, new OwnerTable(), new OwnerSetTable(),
            LongDirectory.filled(stripeCount(geometry.size(), shift), empty), LongDirectory.filled(0, Snapshot.NO_EXTENTS),
            0, 0, null);
    }

    /**
     * Create an empty persistent index in a directory (created if missing; it must not hold an index). Every batch
     * committed to it is durable when {@link Batch#commit()} returns.
     *
     * @param config    device geometry and expected size.
     * @param directory the index directory.
     * @return the index, holding the directory's writer lock until closed.
     * @throws IOException           if the directory cannot be written.
     * @throws IllegalStateException if it holds an index already or another writer has it open.
     * @throws CorruptIndexException if it holds no CURRENT and a damaged log that may hold committed batches: kept.
     */
    public static ReverseIndex create(final IndexConfig config, final Path directory) throws IOException
    {
        final DeviceGeometry geometry = checkGeometry(config.geometry());
        if (Files.isDirectory(directory) && !IndexDirectory.holdsIndexOrNothing(directory))
        {
            throw new IllegalStateException("directory is not empty and holds no index: directory=" + directory);
        }
        final IndexDirectory store = IndexDirectory.lock(directory);
        try
        {
            if (store.exists())
            {
                throw new IllegalStateException("an index exists already: directory=" + directory);
            }
            if (!store.onlyLock())
            {
                throw new IllegalStateException("directory is not empty and holds no index: directory=" + directory);
            }
            store.clearInterruptedCreate();
            final int shift = stripeShift(geometry.size(), config.expectedRecords(), geometry.blockSize());
            final Arena arena = new Arena(PERSISTENT_SLAB_SIZE, store.slabs(1));
            final long empty = writeEmptyStripe(arena);
            arena.force();
            final ReverseIndex index = new ReverseIndex(geometry, shift, arena, empty, new OwnerTable(),
                new OwnerSetTable(), LongDirectory.filled(stripeCount(geometry.size(), shift), empty),
                LongDirectory.filled(0, Snapshot.NO_EXTENTS), 0, 0, store);
            store.checkpoint(1, index.current, empty, 0, arena.slabCount());
            return index;
        }
        catch (final IOException | RuntimeException ex)
        {
            store.close();
            throw ex;
        }
    }

    /**
     * Reopen a persistent index: map its slabs and read its log, with no record inserted again. The index is as
     * the last batch whose {@link Batch#commit()} returned left it.
     * <p>
     * The slabs' blocks are not all read here: each is checked before its first read, and all of them in a background
     * thread ({@link BlockVerifier}). A query or batch that reaches a damaged block throws an
     * {@link UncheckedIOException} whose cause is a {@link CorruptIndexException}; {@link #verify()} checks them all.
     *
     * @param directory the index directory.
     * @return the index, holding the directory's writer lock until closed.
     * @throws CorruptIndexException if the directory is not an index, or its CURRENT file, log or slab headers are damaged.
     * @throws IllegalStateException if another writer has it open.
     */
    public static ReverseIndex open(final Path directory) throws IOException
    {
        if (!Files.isDirectory(directory))
        {
            throw new CorruptIndexException(directory, Files.exists(directory) ? "not an index directory" :
                "no such index directory");
        }
        IndexDirectory.readCurrent(directory);
        final IndexDirectory store = IndexDirectory.lock(directory);
        try
        {
            final int generation = store.readCurrent();
            final LogReplay replay = LogReplay.read(IndexLog.file(directory, generation), generation);
            final Arena arena = Arena.reopen(PERSISTENT_SLAB_SIZE, store.slabs(replay), replay.slabCount);
            final ReverseIndex index = new ReverseIndex(replay.geometry, replay.stripeShift, arena, replay.emptyStripe,
                replay.owners, replay.sets, replay.stripes.build(), replay.extents.build(), replay.version,
                replay.liveBytes, store);
            index.startVerifier(replay.file, true);
            store.reopen(replay);
            return index;
        }
        catch (final IOException | RuntimeException ex)
        {
            store.close();
            throw ex;
        }
    }

    /**
     * The device this index covers.
     *
     * @return the geometry.
     */
    public DeviceGeometry geometry()
    {
        return current.geometry; // a read-only index that followed a replaced directory took the new one
    }

    /**
     * Start the batch of mutations; only one may be open at a time.
     *
     * @return the batch.
     * @throws IllegalStateException if a batch is open or the index is closed.
     */
    public synchronized Batch newBatch()
    {
        ensureOpen();
        if (readOnlyDirectory != null)
        {
            throw new IllegalStateException("index is open read-only: directory=" + readOnlyDirectory);
        }
        if (openBatch != null)
        {
            throw new IllegalStateException("a batch is already open: version=" + current.version);
        }
        openBatch = new Batch(this, current, ++batchNumber, batchStripes, batchExtents);
        return openBatch;
    }

    /**
     * Start loading a whole device into this empty index in one sweep (see {@link BulkLoad}); it holds the writer's
     * place as a batch does until it commits or aborts.
     *
     * @param expectedRecords how many records will be added; sizes the buffers, may be 0.
     * @return the bulk load.
     * @throws IllegalStateException if the index is not empty, a batch is open, or the index is read-only or closed.
     */
    public synchronized BulkLoad bulkLoad(final int expectedRecords)
    {
        final Snapshot base = current;
        for (int s = 0; s < base.stripeCount(); s++)
        {
            if (base.stripes.get(s) != emptyStripe)
            {
                throw new IllegalStateException("bulk load needs an empty index: version=" + base.version);
            }
        }
        // the writer claimed first: a batch still open keeps its working copies in the cache
        final Batch claim = newBatch();
        try
        {
            writerCache.clear();
            return new BulkLoad(this, claim, base, expectedRecords);
        }
        catch (final RuntimeException | Error ex)
        {
            claim.abort(); // the buffers for expectedRecords may not fit the heap: the writer is free again
            throw ex;
        }
    }

    /**
     * A reader bound to the latest committed snapshot. Readers are cheap; use one per thread.
     *
     * @return the reader.
     */
    public IndexReader newReader()
    {
        ensureOpen();
        return new IndexReader(this);
    }

    /**
     * The number of committed batches.
     *
     * @return the version of the latest snapshot.
     */
    public long version()
    {
        return current.version;
    }

    /**
     * Off-heap bytes reserved for stripes and forward maps, garbage included.
     *
     * @return bytes.
     */
    public long offHeapBytes()
    {
        return arena.reservedBytes();
    }

    /**
     * Off-heap bytes that the latest snapshot uses.
     *
     * @return bytes.
     */
    public synchronized long liveOffHeapBytes()
    {
        return liveBytes;
    }

    /**
     * Every byte the latest snapshot needs, on and off the heap: its stripe and forward-map blocks, the two
     * directories that point at them, the share groups interned (dead ones too, until compaction) with the table
     * that finds them and the writer's cache of set transitions, and the owner table. Share groups are counted object
     * by object as the heap holds them ({@link OwnerSet#sizeInBytes}). Dead blocks awaiting compaction are not
     * counted; the padding a bulk load or compaction laid before stripes is, also before stripes batches moved since
     * ({@link StripePlacement.Writer#padding}). Walks every share group: for reports, not for hot paths; called while
     * a batch is open, the transition cache's size may be a moment old.
     *
     * @return bytes.
     */
    public synchronized long memoryBytes()
    {
        final Snapshot snapshot = current;
        long bytes = liveBytes + snapshot.stripes.bytes() + snapshot.extents.bytes();
        for (int s = 0; s < snapshot.setCount; s++)
        {
            final OwnerSet set = snapshot.sets[s];
            bytes += set == null ? 0 : set.sizeInBytes();
        }
        bytes += sets.tableBytes();
        bytes += (long)snapshot.ownerKeys.length * Long.BYTES + snapshot.ownerIds.bytes();
        return bytes;
    }

    /**
     * How many times the off-heap memory has been compacted.
     *
     * @return compactions.
     */
    public synchronized long compactions()
    {
        return compactions;
    }

    /**
     * log2 of the stripe span in bytes.
     *
     * @return the stripe shift.
     */
    public int stripeShift()
    {
        return current.stripeShift;
    }

    /**
     * Whether batches are durable (the index lives in a directory).
     *
     * @return true for an index made by {@link #create(IndexConfig, Path)} or {@link #open(Path)}.
     */
    public boolean persistent()
    {
        return store != null;
    }

    /**
     * Release the index; a persistent one releases its directory's writer lock. Readers keep working on the
     * snapshots they hold.
     */
    @Override
    public synchronized void close()
    {
        if (!closed && store != null)
        {
            store.close();
        }
        if (verifier != null)
        {
            verifier.stop();
        }
        writerCache.clear();
        closed = true;
    }

    /**
     * Check every block of a reopened index now, in the caller's thread. Reopening checks each block only before
     * its first read (and all of them in a background thread), so that it costs the log's replay and not a read of
     * every block; this is for callers that want all damage found up front, as a verify command does.
     *
     * @throws CorruptIndexException naming the file and the first damaged block.
     */
    public void verify() throws CorruptIndexException
    {
        final BlockVerifier pending;
        synchronized (this)
        {
            pending = verifier;
        }
        if (pending != null)
        {
            pending.verifyAll();
        }
    }

    /**
     * The next snapshot's block verifier: the writer's, until every block it covers has been checked.
     */
    BlockVerifier verifier()
    {
        return verifier;
    }

    Snapshot current()
    {
        return current;
    }

    synchronized void publish(
        final Batch batch, final Snapshot next, final int stripeCount, final int[] stripes, final long[] stripeBlocks,
        final int ownerCount, final int[] owners, final long[] ownerBlocks)
    {
        if (openBatch != batch)
        {
            throw new IllegalStateException("batch is not the open batch");
        }
        // a batch opened before close() must not publish after it, into an index whose writer cache is cleared
        ensureOpen();
        if (store != null)
        {
            arena.force();
            store.appendBatch(current, next, stripeCount, stripes, stripeBlocks, ownerCount, owners, ownerBlocks,
                liveBytes, arena.slabCount(), emptyStripe);
        }
        final boolean laidOut = next.placement != current.placement; // a bulk load's: batches keep their base's
        current = next;
        if (laidOut)
        {
            laidOut(next);
        }
        freeWriter();
        // batch records beyond what a checkpoint of this snapshot would take (12 bytes a stripe, 20 an owner): a bulk
        // load's one large record is about a checkpoint, and compacting it away would gain nothing
        final long logGrowth = store == null ? 0 :
            store.batchBytes() - Math.max(store.checkpointBytes(), 12L * next.stripeCount() + 20L * next.ownerCount);
        if ((arena.allocatedBytes() - liveBytes > liveBytes + COMPACTION_SLACK ||
            sets.count() - liveSets > liveSets + SET_SLACK || logGrowth > logSlack ||
            placedStripes >= MIN_PLACED_STRIPES && movedStripes > placedStripes >>> MOVED_STRIPES_SHIFT) &&
            // after a failed compaction, moves alone do not retry it (fewer than the stripes placed are left to move)
            (arena.allocatedBytes() >= compactionRetryBytes || sets.count() >= compactionRetrySets ||
            logGrowth >= compactionRetryLog))
        {
            try
            {
                compact();
            }
            catch (final RuntimeException | OutOfMemoryError ex)
            {
                // the batch is published and durable: its commit must not fail (a caller would apply it again).
                // Compaction maps a fresh arena beside the live one: the off-heap limit's OutOfMemoryError too.
                // The index stays as it was; the next try waits for as much garbage again as made this one due
                compactionFailure = ex;
                compactionRetryBytes = arena.allocatedBytes() + COMPACTION_SLACK;
                compactionRetrySets = sets.count() + SET_SLACK;
                compactionRetryLog = logGrowth + logSlack;
            }
        }
    }

    /**
     * Set {@link #logSlack} (tests: a small log compacts after a few batches).
     */
    synchronized void logSlack(final long bytes)
    {
        logSlack = bytes;
    }

    /**
     * Why the last compaction a commit started failed, if it did. Such a failure does not fail the commit (its batch
     * is published and durable); the index goes on in its old arena or generation, and tries again once as much
     * garbage has piled up again. {@link #compactNow} throws its failure.
     *
     * @return the failure, or null if none failed since the last compaction that succeeded.
     */
    public synchronized Throwable lastCompactionFailure()
    {
        return compactionFailure;
    }

    /**
     * Give up a batch whose commit failed: if it was not published, the live byte count goes back to what it was and
     * the writer is free again. A batch published before the failure (a compaction after it failed) stays published.
     */
    synchronized void abandon(final Batch batch, final long liveBefore, final int movedBefore)
    {
        if (openBatch == batch)
        {
            liveBytes = liveBefore;
            movedStripes = movedBefore;
            freeWriter();
        }
    }

    synchronized void release(final Batch batch)
    {
        if (openBatch == batch)
        {
            freeWriter();
        }
    }

    /**
     * Free the writer for the next batch, the open one's lists emptied: a committed batch's copies stay in the writer
     * cache as the state of the blocks it wrote, and an aborted or failed one's that it still owns leave the cache. A
     * list that a batch grew large (a large truncate) is replaced, so that later batches do not each hold it.
     */
    private void freeWriter()
    {
        openBatch = null;
        writerCache.release(batchStripes, batchExtents);
        batchStripes = emptied(batchStripes);
        batchExtents = emptied(batchExtents);
        writerCache.trim();
    }

    /**
     * A batch's list, empty for the next batch: a new one where a batch grew it large, not the capacity of the largest
     * batch ever.
     */
    private static <T> ArrayList<T> emptied(final ArrayList<T> list)
    {
        if (list.size() > KEPT_LIST_SIZE)
        {
            return new ArrayList<>();
        }
        list.clear();
        return list;
    }

    /**
     * Copy every live block into a fresh arena and every share group some piece names into a fresh table; the old
     * ones are freed once no reader's snapshot names them.
     */
    private void compact()
    {
        if (verifier != null)
        {
            // every block is copied, and sealed again: it must be checked before
            try
            {
                verifier.verifyAll();
            }
            catch (final CorruptIndexException ex)
            {
                throw new UncheckedIOException(ex.getMessage(), ex);
            }
            verifier = null;
        }
        final Snapshot from = current;
        final int nextGeneration = store == null ? 0 : store.generation() + 1;
        if (store != null)
        {
            try
            {
                store.discard(nextGeneration); // what an earlier compaction that failed may have left
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot clear generation " + nextGeneration + " for a compaction: " +
                    "directory=" + store.directory, ex);
            }
        }
        final Arena fresh = store == null ? new Arena() : new Arena(PERSISTENT_SLAB_SIZE, store.slabs(nextGeneration));
        final long freshEmpty = writeEmptyStripe(fresh);
        final OwnerSetTable freshSets = new OwnerSetTable();
        final int[] setIds = new int[from.setCount];
        Arrays.fill(setIds, -1);
        long live = 0;
        final LongDirectory.Editor stripeEditor = from.stripes.edit(freshEmpty);
        // the stripes first, in number order and nothing between them: where queries predict them
        final StripePlacement.Writer placer = new StripePlacement.Writer(fresh);
        for (int s = 0; s < from.stripeCount(); s++)
        {
            final long address = from.stripes.get(s);
            if (address == emptyStripe)
            {
                stripeEditor.set(s, freshEmpty);
                continue;
            }
            final UnsafeBuffer buffer = from.buffer(address);
            final int count = StripeDescriptor.count(buffer, Arena.offset(address));
            final int length = StripeDescriptor.blockLength(buffer, Arena.offset(address));
            final long copy = copyBlock(buffer, Arena.offset(address), length, fresh, placer, s);
            renumberSets(fresh.buffer(copy), Arena.offset(copy), count, from, freshSets, setIds, fresh.sealsBlocks());
            stripeEditor.set(s, copy);
            live += Arena.footprint(length);
        }
        live += placer.padding(); // as a bulk load counts it
        final LongDirectory.Editor extentsEditor = from.extents.edit(Snapshot.NO_EXTENTS);
        final SharedChunks freshShared = new SharedChunks();
        final ChunkReferences references = ChunkReferences.of(from);
        int reference = 0;
        long[] rootFirsts = new long[0];
        long[] rootChunks = new long[0];
        for (int o = 0; o < from.extents.length(); o++)
        {
            final long address = from.extents.get(o);
            if (address != Snapshot.NO_EXTENTS)
            {
                final int chunks = ForwardRootDescriptor.entryChunks(from.slabs, address);
                if (rootFirsts.length < chunks)
                {
                    rootFirsts = new long[chunks];
                    rootChunks = new long[chunks];
                }
                for (int c = 0; c < chunks; c++, reference++)
                {
                    final long chunk = ForwardRootDescriptor.entryChunk(from.slabs, address, c);
                    final int first = references.first(reference);
                    final long copy;
                    if (first == reference)
                    {
                        final UnsafeBuffer chunkBuffer = from.buffer(chunk);
                        final int chunkLength = ExtentsDescriptor.blockLength(chunkBuffer, Arena.offset(chunk));
                        copy = copyBlock(chunkBuffer, Arena.offset(chunk), chunkLength, fresh);
                        references.copied(reference, copy);
                        live += Arena.footprint(chunkLength);
                    }
                    else
                    {
                        // shared chunks stay shared
                        copy = references.copy(first);
                        freshShared.share(copy);
                    }
                    rootFirsts[c] = ForwardRootDescriptor.entryFirst(from.slabs, address, c);
                    rootChunks[c] = copy;
                }
                if (chunks == 1 && fresh.loneChunks())
                {
                    // a root of one chunk from a generation before lone chunks goes too
                    extentsEditor.set(o, ForwardRootDescriptor.lone(rootChunks[0]));
                    continue;
                }
                // rewritten, not copied: the new addresses may need the wide format where the old fitted narrow
                final long root = ForwardRootDescriptor.write(fresh, rootFirsts, rootChunks, chunks);
                live += Arena.footprint(ForwardRootDescriptor.length(fresh.buffer(root), Arena.offset(root)));
                extentsEditor.set(o, root);
            }
        }
        final LongDirectory stripes = stripeEditor.build();
        final Snapshot compacted = new Snapshot(
            from.version, geometry, stripeShift, stripes, extentsEditor.build(), fresh.slabs(),
            from.ownerKeys, from.ownerIds, from.ownerCount, freshSets.sets(), freshSets.firstGroups(),
            freshSets.count(), null,
            StripePlacement.derive(stripes, from.stripeCount(), freshEmpty, fresh.slabs()));
        if (store != null)
        {
            fresh.force();
            try
            {
                store.checkpoint(nextGeneration, compacted, freshEmpty, live, fresh.slabCount());
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot write compacted generation: directory=" + store.directory, ex);
            }
        }
        writerCache.clear();
        arena = fresh;
        emptyStripe = freshEmpty;
        liveBytes = live;
        sharedChunks = freshShared;
        sets = freshSets;
        liveSets = freshSets.count();
        compactions++;
        compactionFailure = null;
        compactionRetryBytes = 0;
        compactionRetrySets = 0;
        compactionRetryLog = 0;
        current = compacted;
        laidOut(compacted);
    }

    /**
     * Check the empty stripe now and every other block a reopened snapshot names before it is first read, so that no
     * query can read outside the slabs or answer from damaged bytes (refused, not met later as a wrong answer or a
     * fault).
     */
    private void startVerifier(final Path log, final boolean background) throws CorruptIndexException
    {
        final Snapshot opened = current;
        verifier = new BlockVerifier(log, arena, opened, emptyStripe);
        current = new Snapshot(opened.version, opened.geometry, opened.stripeShift, opened.stripes, opened.extents,
            opened.slabs, opened.ownerKeys, opened.ownerIds, opened.ownerCount, opened.sets,
            opened.setFirstGroups, opened.setCount,
            verifier, opened.placement);
        if (background)
        {
            verifier.startBackground();
        }
    }

    private static DeviceGeometry checkGeometry(final DeviceGeometry geometry)
    {
        if (geometry.size() > ExtentsDescriptor.LENGTH_MASK)
        {
            throw new IllegalArgumentException("device too large: size=" + geometry.size());
        }
        return geometry;
    }

    private static int stripeCount(final long size, final int shift)
    {
        return (int)((size + (1L << shift) - 1) >>> shift);
    }

    private static void renumberSets(
        final UnsafeBuffer buffer, final int offset, final int count, final Snapshot from, final OwnerSetTable to,
        final int[] setIds, final boolean seal)
    {
        for (int i = 0; i < count; i++)
        {
            final int value = StripeDescriptor.value(buffer, offset, i);
            if (PieceValue.isShared(value))
            {
                final int oldId = PieceValue.setId(value);
                if (setIds[oldId] < 0)
                {
                    setIds[oldId] = to.intern(from.sets[oldId]);
                }
                StripeDescriptor.value(buffer, offset, i, PieceValue.shared(setIds[oldId]));
            }
        }
        if (seal)
        {
            StripeDescriptor.seal(buffer, offset);
        }
    }

    /**
     * Share groups that the latest snapshot can name, live or not yet compacted away.
     *
     * @return the count.
     */
    public synchronized int shareGroups()
    {
        return sets.count();
    }

    /**
     * Compact now: reclaim off-heap garbage and share groups no piece names.
     */
    public synchronized void compactNow()
    {
        ensureOpen();
        if (openBatch != null)
        {
            throw new IllegalStateException("cannot compact while a batch is open");
        }
        compact();
    }

    private static long copyBlock(final UnsafeBuffer buffer, final int offset, final int length, final Arena to)
    {
        return copyBlock(buffer, offset, length, to, null, 0);
    }

    /**
     * A block copied to another arena, where a placer puts it if there is one.
     */
    private static long copyBlock(
        final UnsafeBuffer buffer, final int offset, final int length, final Arena to,
        final StripePlacement.Writer placer, final int stripe)
    {
        final long address = placer == null ? to.allocate(length) : placer.allocate(stripe, length);
        to.buffer(address).putBytes(Arena.offset(address), buffer, offset, length);
        return address;
    }

    private static long writeEmptyStripe(final Arena arena)
    {
        return MutableStripe.write(
            arena, null, 0, 1, new int[] {0}, new int[] {PieceValue.EMPTY}, new long[] {0}, null);
    }

    static int stripeShift(final long deviceSize, final long expectedRecords, final int blockSize)
    {
        final long stripes = Math.max(1, expectedRecords / TARGET_PIECES_PER_STRIPE);
        final long span = Math.max(1, deviceSize / stripes);
        int shift = 64 - Long.numberOfLeadingZeros(span - 1);
        // Records count sharers, pieces do not: a clone-heavy device has far fewer pieces than records, and a
        // stripe narrower than a few blocks would cut every block-aligned page in two.
        final int minShift = Math.max(MIN_SPAN_SHIFT, Integer.numberOfTrailingZeros(blockSize) + MIN_BLOCKS_SHIFT);
        shift = Math.max(minShift, Math.min(StripeDescriptor.MAX_SPAN_SHIFT, shift));
        while ((deviceSize >>> shift) >= Integer.MAX_VALUE - LongDirectory.MAX_SPAN)
        {
            shift++;
        }
        return shift;
    }

    private void ensureOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("index is closed");
        }
    }
}
