package io.daxrmap.index;

import io.daxrmap.model.DeviceGeometry;
import io.daxrmap.model.MappingFlags;
import io.daxrmap.model.Owner;
import io.daxrmap.model.Pagemap;
import org.agrona.concurrent.UnsafeBuffer;
import org.roaringbitmap.IntConsumer;
import org.roaringbitmap.IntIteratorFlyweight;
import org.roaringbitmap.RoaringBitmap;

/**
 * Queries over one snapshot of a {@link ReverseIndex}: byte queries, page queries, ordered scans, forward lookups.
 * <p>
 * A reader is bound to the snapshot of its last {@link #refresh()} and answers every query from it, however many
 * batches commit meanwhile. It is not thread-safe: give each thread its own. Queries deliver results to visitors as
 * primitives and reuse the reader's scratch space: once warm, byte and page queries allocate nothing.
 * <h2>Records</h2>
 * A record is a maximal run of device bytes held by one reference: the same owner, the same delta between file and
 * device offsets, the same stored flags. Records are what GETFSMAP reports once neighbouring rmap records are
 * merged; they are derived from the pieces at query time, so a record crossing many pieces (a clone extent that
 * other clones diverged from in places) is still reported once.
 */
public final class IndexReader
{
    private static final int MODE_BYTES = 0;
    private static final int MODE_PAGE = 1;
    private static final int MODE_PAGE_DIRECT = 2;
    private static final int MODE_SCAN_FIRST = 3;
    private static final int MODE_SCAN = 4;

    private static final int FREE_REF = -1;
    private static final int BATCH = 16;
    private static final int CACHE_LINE = 64;
    /** Cache lines of each stripe the batched lookups load before searching: 8 to 16 narrow pieces span 2 or 3. */
    private static final int BATCH_STRIPE_LINES = 3;
    /**
     * Owners of a bitmap share group delivered one by one before {@code forEach} takes the rest, in a set of more: a
     * visitor that stops within them is asked nothing more and costs nothing more, and one that takes every owner pays
     * the stepping iterator's set-up and slower pace (its container iterators are called through an interface) for
     * these only. A set of this many or fewer goes to forEach whole, which tells a stopped visitor nothing more.
     */
    static final int STEPPED_OWNERS = 16;
    /** The most owners of a walked share group whose records are followed over the next pieces together. */
    static final int CHUNK = 256;

    private final ReverseIndex index;
    private final PieceCursor cursor = new PieceCursor();
    private final PieceCursor look = new PieceCursor();
    private final IntConsumer pageGroupConsumer = this::onPageGroupOwner;
    private final IntConsumer groupOwnerConsumer = this::onGroupOwner;
    private final IntConsumer rangeGroupConsumer = this::onRangeGroupOwnerAfter;
    /**
     * Steps through a share group's owner ids: its first ones where a visitor may stop, or a walked group's
     * ({@link #visitGroupRefs}); reused, so queries allocate nothing.
     */
    private final IntIteratorFlyweight groupIds = new IntIteratorFlyweight();
    /** {@link #visitGroupRefs}: the piece before's bitmap of the walked group's (delta, flags). */
    private final IntIteratorFlyweight previousIds = new IntIteratorFlyweight();
    /** {@link #keepHeld}: a followed piece's bitmap of the walked group's (delta, flags). */
    private final IntIteratorFlyweight heldIds = new IntIteratorFlyweight();
    /** A walked group's owners whose records start on the cursor's piece, a chunk at a time ({@link #visitGroupRefs}). */
    private final int[] chunkIds = new int[CHUNK];
    /** Where each of the chunk's records ends ({@link #followChunk}). */
    private final long[] chunkEnds = new long[CHUNK];
    /** The chunk's owners still followed, as indexes into {@link #chunkIds}, in ascending id. */
    private final int[] chunkAlive = new int[CHUNK];
    /**
     * {@link #findHeld}'s answer: a piece's owner ids of one (delta, flags), heldFirst to heldLast, all of them or, if
     * not null, those of heldBitmap.
     */
    private int heldFirst;
    private int heldLast;
    private RoaringBitmap heldBitmap;
    /** The last owner id delivered by stepping, which forEach skips up to; past every id once stopped. */
    private int resumeAfter;
    private final RecordBuffer records = new RecordBuffer();
    private final long[] batchOffsets = new long[BATCH];
    private final long[] batchStripes = new long[BATCH];
    private final int[] batchValues = new int[BATCH];
    private final PieceCursor[] batchCursors = new PieceCursor[BATCH];
    /** The snapshot the batch cursors were last bound to: {@link #pageQueries} binds them when it differs. */
    private Snapshot batchSnapshot;
    /**
     * Groups of pages {@link #pageQueries} has begun to look up: one begun by a visitor's own call, within a group,
     * moved the batch state the pages after it were found with.
     */
    private long batchGroupsBegun;
    /** Sums what the batched lookups loaded, so the loads are not optimised away. */
    private long batchTouched;
    private Snapshot snapshot;

    private int mode;
    private long queryStart;
    private long queryEnd;
    private boolean stopped;
    private boolean hasPrevious;
    private int previousValue;
    private long previousDelta;
    private long groupDelta;
    private int groupFlags;
    private long groupPgoff;
    private long groupPgcnt;
    private long groupStart;
    private long groupLength;
    private long groupFileOffset;
    private int pageShift;
    private RecordVisitor recordVisitor;
    private PageVisitor pageVisitor;
    /**
     * A byte, page or range query is walking pieces between its visitor's calls: {@link #refresh} would move its
     * cursors, and another such query ({@link #refuseWhileWalking}) would move its cursor and records. Each query
     * restores the value it found, so a forward lookup nested in a scan's visitor leaves the scan guarded.
     */
    private boolean walking;
    /**
     * A forward lookup is walking its chunks between its visitor's calls: {@link #refresh} would change the snapshot
     * it reads the next chunk from. Byte, page and range queries share nothing with it, and may be asked.
     */
    private boolean forwarding;

    IndexReader(final ReverseIndex index)
    {
        this.index = index;
        for (int i = 0; i < BATCH; i++)
        {
            batchCursors[i] = new PieceCursor();
        }
        refresh();
    }

    /**
     * Bind to the latest committed snapshot. A visitor may call it from {@link PageBatchVisitor#onPage} of
     * {@link #pageQueries}, but not while a query is delivering a page's or a range's records: that query's cursors
     * would lose their place.
     *
     * @return the version now visible.
     * @throws IllegalStateException if called by a visitor of a query that goes on walking the index after the call:
     *                               any query but a byte or page query that lies in one piece of one reference, and
     *                               also after a lookup nested in such a visitor (the flag is restored, not cleared).
     */
    public long refresh()
    {
        if (walking || forwarding)
        {
            throw new IllegalStateException("refresh() from a visitor while its query walks the index: refresh after " +
                "the query returns, or in pageQueries' onPage");
        }
        final Snapshot latest = index.refreshed();
        if (latest == snapshot)
        {
            // nothing new: the cursors keep their place (pageQueries' found pieces stay valid for the pages after)
            return snapshot.version;
        }
        // the other cursors take the snapshot where they start (look copies cursor, the batch cursors are bound at
        // each group of pageQueries), so they are only let go of the old one here: null stores, which cost less than
        // binding them. A refresh that finds a new snapshot follows lines the writer's core holds; little else.
        snapshot = latest;
        cursor.snapshot(snapshot);
        look.snapshot(null);
        if (batchSnapshot != null)
        {
            for (final PieceCursor batchCursor : batchCursors)
            {
                batchCursor.snapshot(null);
            }
            batchSnapshot = null;
        }
        return snapshot.version;
    }

    /**
     * Refuse a byte, page or range query asked by a visitor of this reader's query while that query walks the index:
     * the two share the cursor and the record buffer, and the walk would go on from where the inner query left them
     * (a scan lost its records after the first). A forward lookup shares neither, and another reader nothing.
     */
    private void refuseWhileWalking(final String query)
    {
        if (walking)
        {
            throw new IllegalStateException(query + " from a visitor while its query walks the index: ask it after " +
                "the query returns, in pageQueries' onPage, or of another reader");
        }
    }

    /**
     * The version of the snapshot this reader answers from.
     *
     * @return the number of batches committed when this reader last refreshed.
     */
    public long version()
    {
        return snapshot.version;
    }

    /**
     * The device geometry of the snapshot this reader answers from: a read-only index that followed a replaced index
     * directory may have taken another one at the last {@link #refresh()}.
     *
     * @return the geometry.
     */
    public DeviceGeometry geometry()
    {
        return snapshot.geometry;
    }

    /**
     * Every record overlapping {@code [offset, offset + length)}, clipped to it, in device order.
     * File offsets are those of the clipped start; {@link MappingFlags#SHARED} is judged on the clipped bytes.
     * Free space is not reported.
     *
     * @param offset  first device byte.
     * @param length  bytes; the range must lie in the device.
     * @param visitor receives the records; returning false stops the query.
     * @throws IllegalStateException if asked by a visitor of this reader's query while that query walks the index, as
     *                               {@link #refresh} is refused: ask another reader, or after the query returns.
     */
    public void byteQuery(final long offset, final long length, final RecordVisitor visitor)
    {
        refuseWhileWalking("byteQuery()");
        checkRange(offset, length);
        cursor.seek(offset);
        final int value = cursor.value();
        if (PieceValue.isSingle(value) && cursor.end() >= offset + length)
        {
            // the range lies in one piece of one reference: one record, as the walk would report it; a keyed
            // stripe holds the owner inline, as for a page
            final long owner =
                cursor.keyed() ? Owner.data(cursor.inode()) : snapshot.ownerKeys[PieceValue.ownerId(value)];
            visitor.onRecord(offset, length, owner, Owner.hasFileOffset(owner) ? offset + cursor.delta() : 0,
                PieceValue.flags(value) | Owner.fmrFlags(owner));
            return;
        }
        answerRange(value, offset, length, visitor);
    }

    /**
     * {@link #byteQuery} of a range that is not one piece of one reference, the cursor on its first piece.
     */
    private void answerRange(final int value, final long offset, final long length, final RecordVisitor visitor)
    {
        recordVisitor = visitor;
        final boolean wasWalking = walking;
        walking = true;
        try
        {
            if (PieceValue.isShared(value) &&
                (cursor.end() >= offset + length || uniform(value, cursor.delta(), offset + length)))
            {
                final int setId = PieceValue.setId(value);
                final long[] firstGroups = snapshot.setFirstGroups;
                if (OwnerSetTable.isOneRun(firstGroups, setId))
                {
                    visitRangeRun(OwnerSetTable.firstDelta(firstGroups, setId),
                        OwnerSetTable.firstFlags(firstGroups, setId), OwnerSetTable.firstOwner(firstGroups, setId),
                        OwnerSetTable.lastOwner(firstGroups, setId), offset, length);
                }
                else
                {
                    visitRangeGroups(snapshot.sets[setId], offset, length);
                }
            }
            else
            {
                walk(MODE_BYTES, offset, offset + length);
            }
        }
        finally
        {
            recordVisitor = null;
            walking = wasWalking;
        }
    }

    /**
     * The address_spaces that map a page and the other owners on it, as the kill path needs them.
     *
     * @param pfn     page frame number.
     * @param pagemap the device's physical window.
     * @param visitor receives each (inode, pgoff) once and every non-file owner.
     * @return the device offset of the page, or {@link Pagemap#OUTSIDE} (also past the index's device end) or
     * {@link Pagemap#METADATA_AREA}.
     * @throws IllegalStateException if asked by a visitor of this reader's query while that query walks the index, as
     *                               {@link #refresh} is refused: ask another reader, or after the query returns.
     */
    public long pageQuery(final long pfn, final Pagemap pagemap, final PageVisitor visitor)
    {
        refuseWhileWalking("pageQuery()");
        final long deviceOffset = pagemap.locate(pfn);
        if (deviceOffset < 0)
        {
            return deviceOffset;
        }
        final long size = snapshot.geometry.size();
        if (deviceOffset >= size)
        {
            return Pagemap.OUTSIDE;
        }
        cursor.seek(deviceOffset);
        answerPage(deviceOffset, Math.min(size, deviceOffset + pagemap.pageSize()), pagemap.pageShift(), visitor);
        return deviceOffset;
    }

    /**
     * The answer of {@link #pageQuery} for the page {@code [deviceOffset, pageEnd)}, the cursor on its first piece.
     */
    private void answerPage(final long deviceOffset, final long pageEnd, final int shift, final PageVisitor visitor)
    {
        final int value = cursor.value();
        if (PieceValue.isSingle(value) && cursor.end() >= pageEnd)
        {
            answerSinglePage(value, deviceOffset, pageEnd, shift, visitor);
            return;
        }
        pageVisitor = visitor;
        pageShift = shift;
        final boolean wasWalking = walking;
        walking = true;
        try
        {
            answerWalkedPage(value, deviceOffset, pageEnd, visitor);
        }
        finally
        {
            pageVisitor = null;
            walking = wasWalking;
        }
    }

    /**
     * {@link #answerPage} of a page that is not one piece of one reference.
     */
    private void answerWalkedPage(final int value, final long deviceOffset, final long pageEnd, final PageVisitor visitor)
    {
        final boolean inSet = PieceValue.isShared(value);
        final int setId = inSet ? PieceValue.setId(value) : -1;
        final long[] firstGroups = snapshot.setFirstGroups;
        final boolean oneRun = inSet && OwnerSetTable.isOneRun(firstGroups, setId);
        if (uniform(value, cursor.delta(), pageEnd) && (!inSet || oneRun || snapshot.sets[setId].groupCount() == 1))
        {
            // One owner set over the whole page, one reference per owner: no (inode, pgoff) can repeat.
            if (oneRun)
            {
                // the set's first group is all of it, a run: from the table of first groups, not the set's object
                startPageGroup(OwnerSetTable.firstDelta(firstGroups, setId),
                    OwnerSetTable.firstFlags(firstGroups, setId), deviceOffset, pageEnd);
                visitPageRun(OwnerSetTable.firstOwner(firstGroups, setId), OwnerSetTable.lastOwner(firstGroups, setId));
            }
            else if (inSet)
            {
                visitPageGroup(snapshot.sets[setId], deviceOffset, pageEnd);
            }
            else
            {
                walk(MODE_PAGE_DIRECT, deviceOffset, pageEnd);
            }
            return;
        }
        records.clear();
        walk(MODE_PAGE, deviceOffset, pageEnd);
        records.sortByOwnerThenStart();
        // Rows of one inode whose page ranges overlap merge: unaligned records of one file on one device page can
        // touch the same file page with different first pgoffs (file bytes [3072, 5120) and [5120, 6144) both lie in
        // page 1), and each (inode, pgoff) must be named once. Rows that only touch stay apart, with their own flags.
        final int count = records.count;
        int i = 0;
        while (i < count)
        {
            final int first = records.order[i];
            final long inode = records.owner[first];
            final long pgoff = records.start[first];
            long pgend = pgoff + records.length[first];
            int unwritten = records.flags[first] & MappingFlags.UNWRITTEN;
            int shared = records.flags[first] & MappingFlags.SHARED;
            i++;
            while (i < count && records.owner[records.order[i]] == inode && records.start[records.order[i]] < pgend)
            {
                final int next = records.order[i];
                pgend = Math.max(pgend, records.start[next] + records.length[next]);
                unwritten &= records.flags[next];
                shared |= records.flags[next] & MappingFlags.SHARED;
                i++;
            }
            visitor.onAddressSpace(inode, pgoff, pgend - pgoff, unwritten | shared);
        }
    }

    /**
     * The page lies in one piece of one reference: the answer of the general path (one address space, or one other
     * owner, over the page), without its walk.
     */
    private void answerSinglePage(
        final int value, final long start, final long end, final int shift, final PageVisitor visitor)
    {
        // a keyed stripe holds the owner, a data fork, inline: no load from the owner table, a miss of its own
        final long owner = cursor.keyed() ? Owner.data(cursor.inode()) : snapshot.ownerKeys[PieceValue.ownerId(value)];
        visitPageRef(visitor, owner, start, end - start, Owner.hasFileOffset(owner) ? start + cursor.delta() : 0,
            PieceValue.flags(value) | Owner.fmrFlags(owner), shift);
    }

    /**
     * One reference's bytes of a page, as the kill path takes them: an address space if it is file data, else another
     * owner.
     */
    private static void visitPageRef(
        final PageVisitor visitor, final long owner, final long start, final long length, final long fileOffset,
        final int reported, final int shift)
    {
        if (Owner.isFileData(owner))
        {
            final long pgoff = fileOffset >> shift;
            visitor.onAddressSpace(Owner.inode(owner), pgoff, pageCount(fileOffset, length, shift), reported);
        }
        else
        {
            visitor.onOtherOwner(owner, start, length, fileOffset, reported);
        }
    }

    /**
     * Pages of {@code 1 << shift} bytes that {@code length} bytes from {@code fileOffset} touch.
     */
    private static long pageCount(final long fileOffset, final long length, final int shift)
    {
        return ((fileOffset + length - 1) >> shift) - (fileOffset >> shift) + 1;
    }

    /**
     * Many page queries at once, answered in order as {@link #pageQuery} answers each. The pages are looked up in
     * groups of {@value #BATCH}, one level of the index at a time: every page's stripe directory entry, then the first
     * {@value #BATCH_STRIPE_LINES} cache lines of every page's stripe (where a stripe of a few narrow pieces lies
     * whole), then every page's piece, then what each piece names (a single owner's key, or a shared set), and only
     * then the answers, each from its page's piece as found. Within a level the loads of different pages do not
     * depend on one another, so their cache misses overlap; the piece search, whose branches depend on what it loads,
     * runs once the stripes are cached. A visitor that refreshes this reader in {@code onPage} gets that page and the
     * ones after from the snapshot it refreshed to, as single queries would ({@link #refresh} says where else it may
     * not); one that asks pageQueries of its own there gets the rest of that group's pages answered as single queries.
     * Allocates nothing.
     *
     * @param pfns    page frame numbers.
     * @param from    first index into {@code pfns}.
     * @param to      end index into {@code pfns}.
     * @param pagemap the device's physical window.
     * @param visitor told which page each answer is for, then given the answer.
     * @throws IllegalStateException if asked by a visitor of this reader's query while that query walks the index, as
     *                               {@link #refresh} is refused: ask another reader, or after the query returns.
     */
    public void pageQueries(
        final long[] pfns, final int from, final int to, final Pagemap pagemap, final PageBatchVisitor visitor)
    {
        refuseWhileWalking("pageQueries()");
        for (int group = from; group < to; group += BATCH)
        {
            // per group: a visitor that refreshed this reader while the group before was answered moved the cursors
            final Snapshot s = snapshot;
            // a visitor that asks pageQueries of its own moves the batch state this group's pages were found with
            final long begun = ++batchGroupsBegun;
            final long size = s.geometry.size();
            final int pages = Math.min(to, group + BATCH) - group;
            if (batchSnapshot != s)
            {
                for (final PieceCursor batchCursor : batchCursors)
                {
                    batchCursor.snapshot(s);
                }
                batchSnapshot = s;
            }
            long touched = 0;
            for (int i = 0; i < pages; i++)
            {
                final long deviceOffset = pagemap.locate(pfns[group + i]);
                final boolean inside = deviceOffset >= 0 && deviceOffset < size;
                batchOffsets[i] = inside ? deviceOffset : -1;
                batchStripes[i] = inside ? s.stripeAddress((int)(deviceOffset >>> s.stripeShift)) : -1;
            }
            for (int i = 0; i < pages; i++)
            {
                final long address = batchStripes[i];
                if (address >= 0)
                {
                    final UnsafeBuffer buffer = s.buffer(address);
                    final int offset = Arena.offset(address);
                    final int last = buffer.capacity() - Long.BYTES;
                    for (int line = 0; line < BATCH_STRIPE_LINES; line++)
                    {
                        touched += buffer.getLong(Math.min(offset + line * CACHE_LINE, last));
                    }
                }
            }
            for (int i = 0; i < pages; i++)
            {
                if (batchOffsets[i] >= 0)
                {
                    batchCursors[i].seekLoaded(batchOffsets[i]);
                    batchValues[i] = batchCursors[i].value();
                }
            }
            for (int i = 0; i < pages; i++)
            {
                if (batchOffsets[i] >= 0)
                {
                    final int value = batchValues[i];
                    if (PieceValue.isEmpty(value))
                    {
                        continue;
                    }
                    // single, else shared: the order of the tests as in contains(), for the same reason; a keyed
                    // stripe holds its single owners inline
                    if (PieceValue.isSingle(value))
                    {
                        touched += batchCursors[i].keyed() ? batchCursors[i].inode() :
                            s.ownerKeys[PieceValue.ownerId(value)];
                    }
                    else
                    {
                        touched += s.sets[PieceValue.setId(value)].groupCount();
                    }
                }
            }
            batchTouched += touched;
            for (int i = 0; i < pages; i++)
            {
                final long deviceOffset = batchOffsets[i];
                if (snapshot != s || batchGroupsBegun != begun)
                {
                    // the visitor refreshed this reader: what was found belongs to the snapshot before, whose device
                    // may even have had another size; or it asked pageQueries, which found other pages in its place
                    answerAlone(group + i, pfns[group + i], pagemap, visitor);
                }
                else if (deviceOffset < 0)
                {
                    final long outside = pagemap.locate(pfns[group + i]);
                    visitor.onPage(group + i, outside < 0 ? outside : Pagemap.OUTSIDE);
                }
                else
                {
                    visitor.onPage(group + i, deviceOffset);
                    if (snapshot != s || batchGroupsBegun != begun)
                    {
                        // refreshed, or asked pageQueries, in onPage: the answer as a single query right after it
                        pageQuery(pfns[group + i], pagemap, visitor);
                    }
                    else
                    {
                        cursor.copyFrom(batchCursors[i]);
                        answerPage(deviceOffset, Math.min(size, deviceOffset + pagemap.pageSize()),
                            pagemap.pageShift(), visitor);
                    }
                }
            }
        }
    }

    /**
     * One page of {@link #pageQueries}, told and answered as a single {@link #pageQuery} of the current snapshot.
     */
    private void answerAlone(final int index, final long pfn, final Pagemap pagemap, final PageBatchVisitor visitor)
    {
        final long located = pagemap.locate(pfn);
        if (located < 0 || located >= snapshot.geometry.size())
        {
            visitor.onPage(index, located < 0 ? located : Pagemap.OUTSIDE);
            return;
        }
        visitor.onPage(index, located);
        pageQuery(pfn, pagemap, visitor);
    }

    /**
     * Every record overlapping {@code [lowDevice, highDevice]} (inclusive, as GETFSMAP's keys), unclipped, free space
     * included as {@link Owner#FREE} records, ordered by device offset, then owner, then file offset.
     *
     * @param lowDevice  first device byte.
     * @param highDevice last device byte, inclusive; clamped to the device.
     * @param visitor    receives the records; returning false stops the scan.
     * @throws IllegalStateException if asked by a visitor of this reader's query while that query walks the index, as
     *                               {@link #refresh} is refused: ask another reader, or after the query returns.
     */
    public void scan(final long lowDevice, final long highDevice, final RecordVisitor visitor)
    {
        scan(lowDevice, highDevice, false, 0, 0, visitor);
    }

    /**
     * Resume a scan after a record: the records of {@code scan(deviceOffset, highDevice)} whose key
     * (device offset, then owner and file offset compared unsigned, as XFS compares its rmap keys) is greater than the
     * given one. A file offset of -1 (GETFSMAP's all-ones high key) resumes past every record of that device offset and
     * owner; an owner of -1 past every record of that device offset.
     *
     * @param deviceOffset device offset of the last record seen.
     * @param owner        owner of the last record seen.
     * @param fileOffset   file offset of the last record seen.
     * @param highDevice   last device byte, inclusive.
     * @param visitor      receives the records; returning false stops the scan.
     * @throws IllegalStateException if asked by a visitor of this reader's query while that query walks the index, as
     *                               {@link #refresh} is refused: ask another reader, or after the query returns.
     */
    public void scanAfter(
        final long deviceOffset, final long owner, final long fileOffset, final long highDevice,
        final RecordVisitor visitor)
    {
        scan(deviceOffset, highDevice, true, owner, fileOffset, visitor);
    }

    /**
     * The device ranges behind a file range of a data or attr fork, in file order, clipped to the range.
     *
     * @param owner      a data or attr fork.
     * @param fileOffset first file byte.
     * @param length     bytes.
     * @param visitor    receives the extents; returning false stops.
     */
    public void forward(final long owner, final long fileOffset, final long length, final ExtentVisitor visitor)
    {
        if (!Owner.hasFileOffset(owner))
        {
            throw new IllegalArgumentException("forward lookup needs a data or attr fork: owner=" + Owner.toString(owner));
        }
        if (fileOffset < 0 || length <= 0 || fileOffset + length < 0)
        {
            throw new IllegalArgumentException("bad file range: fileOffset=" + fileOffset + " length=" + length);
        }
        final int ownerId = snapshot.ownerId(owner);
        if (ownerId < 0)
        {
            return;
        }
        final long address = snapshot.extentsAddress(ownerId);
        if (address == Snapshot.NO_EXTENTS)
        {
            return;
        }
        final boolean wasForwarding = forwarding;
        forwarding = true;
        try
        {
            forwardExtents(address, fileOffset, fileOffset + length, visitor);
        }
        finally
        {
            forwarding = wasForwarding;
        }
    }

    private void forwardExtents(final long address, final long fileOffset, final long end, final ExtentVisitor visitor)
    {
        if (ForwardRootDescriptor.isLone(address))
        {
            forwardChunk(ForwardRootDescriptor.loneChunk(address), fileOffset, end, visitor);
            return;
        }
        final UnsafeBuffer root = snapshot.buffer(address);
        final int rootOffset = Arena.offset(address);
        final int chunks = ForwardRootDescriptor.count(root, rootOffset);
        for (int c = ForwardRootDescriptor.chunkFor(root, rootOffset, fileOffset); c < chunks; c++)
        {
            if (!forwardChunk(ForwardRootDescriptor.address(root, rootOffset, c), fileOffset, end, visitor))
            {
                return;
            }
        }
    }

    /**
     * Visit a chunk's extents that end after {@code fileOffset}, up to {@code end}.
     *
     * @return whether the next chunk is to be visited: false once past {@code end} or when the visitor stops.
     */
    private boolean forwardChunk(final long chunk, final long fileOffset, final long end, final ExtentVisitor visitor)
    {
        final UnsafeBuffer buffer = snapshot.buffer(chunk);
        final int offset = Arena.offset(chunk);
        final int count = ExtentsDescriptor.count(buffer, offset);
        for (int i = ExtentsDescriptor.firstEndingAfter(buffer, offset, fileOffset); i < count; i++)
        {
            final long extentFile = ExtentsDescriptor.fileOffset(buffer, offset, i);
            if (extentFile >= end)
            {
                return false;
            }
            final long start = Math.max(fileOffset, extentFile);
            final long stop = Math.min(end, extentFile + ExtentsDescriptor.length(buffer, offset, i));
            final long device = ExtentsDescriptor.deviceOffset(buffer, offset, i) + (start - extentFile);
            if (!visitor.onExtent(start, device, stop - start, ExtentsDescriptor.flags(buffer, offset, i)))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * A page that one share group of a single (delta, flags) covers whole: every sharer maps the page's bytes at the
     * same file offset, so the pgoff, the page count and the flags are the group's, worked out once, and each sharer
     * costs only its owner lookup and the visitor's call.
     */
    private void visitPageGroup(final OwnerSet set, final long start, final long end)
    {
        startPageGroup(set.groupDelta(0), set.groupFlags(0), start, end);
        if (set.groupIsRun(0))
        {
            visitPageRun(set.groupFirst(0), set.groupLast(0));
        }
        else
        {
            set.groupBitmap(0).forEach(pageGroupConsumer);
        }
    }

    /**
     * What every owner of a page's share group of one (delta, flags) reports, worked out once.
     */
    private void startPageGroup(final long delta, final int flags, final long start, final long end)
    {
        final long fileOffset = start + delta;
        groupPgoff = fileOffset >> pageShift;
        groupPgcnt = pageCount(fileOffset, end - start, pageShift);
        groupStart = start;
        groupLength = end - start;
        groupFileOffset = fileOffset;
        groupFlags = flags | MappingFlags.SHARED;
    }

    /**
     * The page group's owners {@code first} to {@code last}, once {@link #startPageGroup} set what they report.
     */
    private void visitPageRun(final int first, final int last)
    {
        for (int ownerId = first; ownerId <= last; ownerId++)
        {
            onPageGroupOwner(ownerId);
        }
    }

    /**
     * {@link #visitRangeGroups} of a set that is one group whose owner ids are the run {@code first} to {@code last},
     * from the table of first groups.
     */
    private void visitRangeRun(
        final long delta, final int flags, final int first, final int last, final long start, final long length)
    {
        stopped = false;
        groupStart = start;
        groupLength = length;
        groupFileOffset = start + delta;
        groupFlags = flags | MappingFlags.SHARED;
        for (int ownerId = first; ownerId <= last && !stopped; ownerId++)
        {
            onRangeGroupOwner(ownerId);
        }
    }

    /**
     * A byte range that one share group covers whole: every reference's record is the range itself, at its group's
     * file offset, so only the owner differs from one record to the next.
     */
    private void visitRangeGroups(final OwnerSet set, final long start, final long length)
    {
        stopped = false;
        groupStart = start;
        groupLength = length;
        for (int g = 0, n = set.groupCount(); g < n && !stopped; g++)
        {
            groupFileOffset = start + set.groupDelta(g);
            groupFlags = set.groupFlags(g) | MappingFlags.SHARED;
            // every group keeps its smallest id beside its run or bitmap: a visitor that stops at the first owner
            // never opens the bitmap, and both kinds take the same path to it
            final int firstId = set.groupFirst(g);
            onRangeGroupOwner(firstId);
            if (stopped)
            {
                return;
            }
            if (set.groupIsRun(g))
            {
                for (int ownerId = firstId + 1, last = set.groupLast(g); ownerId <= last && !stopped; ownerId++)
                {
                    onRangeGroupOwner(ownerId);
                }
            }
            else
            {
                visitBitmapGroup(set, set.groupBitmap(g), rangeGroupConsumer, true, firstId);
            }
        }
    }

    /**
     * A bitmap group's owners after {@code after}, in ascending id order, to {@code each} (which skips ids up to
     * {@link #resumeAfter}). Where the visitor may stop and the set has more than {@link #STEPPED_OWNERS} owners, the
     * group's first ones go one by one through {@link #groupIds}, so that a visitor stopping early does not wait for
     * the other 10,000; the rest, or all of a smaller set (forEach costs less than setting the iterator up), at
     * forEach's pace.
     */
    private void visitBitmapGroup(
        final OwnerSet set, final RoaringBitmap ids, final IntConsumer each, final boolean mayStop, final int after)
    {
        resumeAfter = after;
        if (mayStop && set.cardinality() > STEPPED_OWNERS)
        {
            groupIds.wrap(ids);
            for (int k = 0; k < STEPPED_OWNERS && !stopped && groupIds.hasNext(); k++)
            {
                final int ownerId = groupIds.next();
                each.accept(ownerId);
                resumeAfter = ownerId; // once stopped, neither this loop nor forEach runs again
            }
        }
        if (!stopped)
        {
            ids.forEach(each);
        }
    }

    /**
     * forEach's owner of a share group covering a byte range: one compare skips those delivered already and, once the
     * visitor stopped ({@link #stop} moves {@link #resumeAfter} past every id), all the rest.
     */
    private void onRangeGroupOwnerAfter(final int ownerId)
    {
        if (ownerId > resumeAfter)
        {
            onRangeGroupOwner(ownerId);
        }
    }

    /**
     * forEach's owner of a walked piece's share group, as {@link #onRangeGroupOwnerAfter}.
     */
    private void onGroupOwner(final int ownerId)
    {
        if (ownerId > resumeAfter)
        {
            onRef(ownerId, groupDelta, groupFlags);
        }
    }

    /**
     * The visitor said stop: nothing more is delivered, and a share group's forEach skips its remaining owners.
     */
    private void stop()
    {
        stopped = true;
        resumeAfter = Integer.MAX_VALUE;
    }

    private void onRangeGroupOwner(final int ownerId)
    {
        final long owner = snapshot.ownerKeys[ownerId];
        if (!recordVisitor.onRecord(groupStart, groupLength, owner,
            Owner.hasFileOffset(owner) ? groupFileOffset : 0, groupFlags | Owner.fmrFlags(owner)))
        {
            stop();
        }
    }

    private void onPageGroupOwner(final int ownerId)
    {
        final long owner = snapshot.ownerKeys[ownerId];
        if (Owner.isFileData(owner))
        {
            pageVisitor.onAddressSpace(Owner.inode(owner), groupPgoff, groupPgcnt, groupFlags);
        }
        else
        {
            pageVisitor.onOtherOwner(owner, groupStart, groupLength, Owner.hasFileOffset(owner) ? groupFileOffset : 0,
                groupFlags | Owner.fmrFlags(owner));
        }
    }

    /**
     * Whether every piece from the cursor's up to {@code end} holds the same value (a piece cut only by stripes).
     */
    private boolean uniform(final int value, final long delta, final long end)
    {
        look.copyFrom(cursor);
        while (look.end() < end)
        {
            if (!look.next() || look.value() != value || look.delta() != delta)
            {
                return false;
            }
        }
        return true;
    }

    private void scan(
        final long lowDevice, final long highDevice, final boolean resume, final long afterOwner,
        final long afterFileOffset, final RecordVisitor visitor)
    {
        refuseWhileWalking(resume ? "scanAfter()" : "scan()");
        final long size = snapshot.geometry.size();
        if (lowDevice < 0 || lowDevice >= size)
        {
            throw new IllegalArgumentException("scan start outside the device: lowDevice=" + lowDevice + " size=" + size);
        }
        if (highDevice < lowDevice)
        {
            return;
        }
        final long high = Math.min(highDevice, size - 1);
        stopped = false;
        records.clear();
        cursor.seek(lowDevice);
        mode = MODE_SCAN_FIRST;
        hasPrevious = false;
        final boolean wasWalking = walking;
        walking = true;
        try
        {
            visitPieceRefs();
            emitSorted(visitor, resume, lowDevice, afterOwner, afterFileOffset);
            mode = MODE_SCAN;
            while (!stopped && cursor.end() <= high)
            {
                previousValue = cursor.value();
                previousDelta = cursor.delta();
                hasPrevious = true;
                if (!cursor.next())
                {
                    break;
                }
                records.clear();
                visitPieceRefs();
                emitSorted(visitor, resume, lowDevice, afterOwner, afterFileOffset);
            }
        }
        finally
        {
            walking = wasWalking;
        }
    }

    private void emitSorted(
        final RecordVisitor visitor, final boolean resume, final long afterStart, final long afterOwner,
        final long afterFileOffset)
    {
        records.sortByKey();
        for (int k = 0; k < records.count && !stopped; k++)
        {
            final int i = records.order[k];
            if (resume && RecordBuffer.compareKey(
                records.start[i], records.owner[i], records.file[i], afterStart, afterOwner, afterFileOffset) <= 0)
            {
                continue;
            }
            if (!visitor.onRecord(records.start[i], records.length[i], records.owner[i], records.file[i], records.flags[i]))
            {
                stop();
            }
        }
    }

    /**
     * Visit the pieces of {@code [start, end)} and report each reference's run once, from the piece where it starts.
     * The caller has already sought the cursor to {@code start}.
     */
    private void walk(final int walkMode, final long start, final long end)
    {
        mode = walkMode;
        queryStart = start;
        queryEnd = end;
        stopped = false;
        hasPrevious = false;
        while (true)
        {
            // A piece equal to the one before (cut from it only by a stripe boundary) holds only references that
            // were reported with the piece before and extended over it: skip it whole instead of asking each.
            if (!hasPrevious || cursor.value() != previousValue || cursor.delta() != previousDelta)
            {
                visitPieceRefs();
            }
            if (stopped || cursor.end() >= end)
            {
                return;
            }
            previousValue = cursor.value();
            previousDelta = cursor.delta();
            hasPrevious = true;
            cursor.next();
        }
    }

    private void visitPieceRefs()
    {
        final int value = cursor.value();
        if (PieceValue.isEmpty(value))
        {
            if (mode >= MODE_SCAN_FIRST)
            {
                onRef(FREE_REF, 0, 0);
            }
        }
        else if (PieceValue.isSingle(value))
        {
            onRef(PieceValue.ownerId(value), cursor.delta(), PieceValue.flags(value));
        }
        else if (mode != MODE_SCAN_FIRST)
        {
            // shared: the order of the tests as in contains(), for the same reason
            final OwnerSet set = snapshot.sets[PieceValue.setId(value)];
            for (int g = 0, n = set.groupCount(); g < n && !stopped; g++)
            {
                visitGroupRefs(set, g);
            }
        }
        else
        {
            // a scan's first piece: each reference is followed back too (onRef), owner by owner
            final OwnerSet set = snapshot.sets[PieceValue.setId(value)];
            for (int g = 0, n = set.groupCount(); g < n && !stopped; g++)
            {
                groupDelta = set.groupDelta(g);
                groupFlags = set.groupFlags(g);
                if (set.groupIsRun(g))
                {
                    final int last = set.groupLast(g);
                    for (int ownerId = set.groupFirst(g); ownerId <= last && !stopped; ownerId++)
                    {
                        onRef(ownerId, groupDelta, groupFlags);
                    }
                }
                else
                {
                    visitBitmapGroup(set, set.groupBitmap(g), groupOwnerConsumer, false, -1);
                }
            }
        }
    }

    /**
     * The references of one (delta, flags) group of the cursor's shared piece that start on it (those the piece
     * before does not hold), reported in ascending owner id as {@link #onRef} would report them one by one. They go
     * a chunk at a time, and a chunk's records are followed over the pieces after it together: one ascending pass
     * over each piece's matching group, where asking each piece's set about each owner ({@link #contains}) would look
     * the group up and search its bitmap once per owner and piece. The first chunk is the group's first owner alone,
     * taken without opening a bitmap, as a visitor may stop there; chunks then double, up to {@link #CHUNK}.
     */
    private void visitGroupRefs(final OwnerSet set, final int g)
    {
        final long delta = set.groupDelta(g);
        final int flags = set.groupFlags(g);
        // what the piece before holds of (delta, flags): owner ids previousFirst to previousLast, all of them or those
        // of previousBitmap; none where previousLast < previousFirst
        findHeld(hasPrevious ? previousValue : PieceValue.EMPTY, previousDelta, delta, flags);
        final int previousFirst = heldFirst;
        final int previousLast = heldLast;
        final RoaringBitmap previousBitmap = heldBitmap;
        if (previousBitmap != null)
        {
            previousIds.wrap(previousBitmap);
        }
        final RoaringBitmap bitmap = set.groupBitmap(g);
        final int first = set.groupFirst(g);
        final int last = set.groupLast(g);
        int taken = first - 1; // the last owner id taken from the group: none yet
        boolean opened = false;
        boolean exhausted = false;
        int chunk = 1;
        while (!exhausted && !stopped)
        {
            int count = 0;
            while (count < chunk)
            {
                final int id;
                if (taken < first)
                {
                    id = first;
                }
                else if (bitmap == null)
                {
                    if (taken >= last)
                    {
                        exhausted = true;
                        break;
                    }
                    id = taken + 1;
                }
                else
                {
                    if (!opened)
                    {
                        groupIds.wrap(bitmap);
                        groupIds.advanceIfNeeded(taken + 1);
                        opened = true;
                    }
                    if (!groupIds.hasNext())
                    {
                        exhausted = true;
                        break;
                    }
                    id = groupIds.next();
                }
                taken = id;
                if (id < previousFirst || id > previousLast)
                {
                    chunkIds[count++] = id;
                }
                else if (previousBitmap == null)
                {
                    // the piece before holds a run of this group's ids: their records started there; skip it whole
                    taken = previousLast;
                    if (opened)
                    {
                        groupIds.advanceIfNeeded(previousLast + 1);
                    }
                }
                else
                {
                    previousIds.advanceIfNeeded(id);
                    if (!previousIds.hasNext() || previousIds.peekNext() != id)
                    {
                        chunkIds[count++] = id;
                    }
                }
            }
            if (count > 0)
            {
                followChunk(delta, flags, count);
                reportChunk(delta, flags, count);
            }
            chunk = Math.min(chunk << 1, CHUNK);
        }
    }

    /**
     * Where the records of the chunk's owners (each a reference of (delta, flags) on the cursor's piece) end: the
     * start of the first piece after it that does not hold the reference, else the query's limit or the device's end.
     */
    private void followChunk(final long delta, final int flags, final int count)
    {
        final long limit = walkLimit();
        long end = cursor.end();
        int alive = count;
        for (int k = 0; k < count; k++)
        {
            chunkAlive[k] = k;
        }
        if (end < limit)
        {
            look.copyFrom(cursor);
            int lastValue = cursor.value();
            long lastDelta = cursor.delta();
            while (end < limit && look.next())
            {
                final int nextValue = look.value();
                final long nextDelta = look.delta();
                // A piece with the same value as the last (cut only by a stripe boundary) holds the references too.
                if (nextValue != lastValue || nextDelta != lastDelta)
                {
                    alive = keepHeld(nextValue, nextDelta, delta, flags, alive, end);
                    if (alive == 0)
                    {
                        return;
                    }
                }
                end = look.end();
                lastValue = nextValue;
                lastDelta = nextDelta;
            }
        }
        final long stop = Math.min(end, limit);
        for (int k = 0; k < alive; k++)
        {
            chunkEnds[chunkAlive[k]] = stop;
        }
    }

    /**
     * Of the chunk's owners still followed ({@link #chunkAlive}'s first {@code alive}, in ascending id), keep those
     * whose reference of (delta, flags) the piece of {@code value} and {@code pieceDelta} holds, as {@link #contains}
     * tells; the others' records end at {@code end}, where the piece starts.
     *
     * @return how many are kept.
     */
    private int keepHeld(
        final int value, final long pieceDelta, final long delta, final int flags, final int alive, final long end)
    {
        findHeld(value, pieceDelta, delta, flags);
        final int first = heldFirst;
        final int last = heldLast;
        final RoaringBitmap bitmap = heldBitmap;
        if (bitmap != null && alive > 1)
        {
            heldIds.wrap(bitmap);
        }
        int kept = 0;
        for (int k = 0; k < alive; k++)
        {
            final int at = chunkAlive[k];
            final int id = chunkIds[at];
            boolean held = first <= id && id <= last;
            if (held && bitmap != null)
            {
                if (alive == 1)
                {
                    held = bitmap.contains(id);
                }
                else
                {
                    heldIds.advanceIfNeeded(id);
                    held = heldIds.hasNext() && heldIds.peekNext() == id;
                }
            }
            if (held)
            {
                chunkAlive[kept++] = at;
            }
            else
            {
                chunkEnds[at] = end;
            }
        }
        return kept;
    }

    /**
     * Set {@link #heldFirst}, {@link #heldLast} and {@link #heldBitmap} to the owner ids of one (delta, flags) that a
     * piece holds, as {@link #contains} tells them: none where heldLast < heldFirst.
     */
    private void findHeld(final int value, final long pieceDelta, final long delta, final int flags)
    {
        heldFirst = 0;
        heldLast = -1;
        heldBitmap = null;
        // the order of the tests as in contains(), for the same reason
        if (PieceValue.isEmpty(value))
        {
            return;
        }
        if (PieceValue.isSingle(value))
        {
            if (pieceDelta == delta && PieceValue.flags(value) == flags)
            {
                heldFirst = PieceValue.ownerId(value);
                heldLast = heldFirst;
            }
            return;
        }
        final OwnerSet set = snapshot.sets[PieceValue.setId(value)];
        final int group = set.group(delta, flags);
        if (group >= 0)
        {
            heldFirst = set.groupFirst(group);
            heldLast = set.groupLast(group);
            heldBitmap = set.groupBitmap(group);
        }
    }

    /**
     * Report the chunk's records, as {@link #onRef} would have one by one: each starts on the cursor's piece, which is
     * shared.
     */
    private void reportChunk(final long delta, final int flags, final int count)
    {
        final long start = mode <= MODE_PAGE_DIRECT ? Math.max(cursor.start(), queryStart) : cursor.start();
        for (int k = 0; k < count && !stopped; k++)
        {
            report(chunkIds[k], delta, flags, start, chunkEnds[k], true);
        }
    }

    /**
     * Where the walk's records are cut: a query's end; a scan reports each record whole.
     */
    private long walkLimit()
    {
        return mode >= MODE_SCAN_FIRST ? Long.MAX_VALUE : queryEnd;
    }

    private void onRef(final int ownerId, final long delta, final int flags)
    {
        if (hasPrevious && contains(previousValue, previousDelta, ownerId, delta, flags))
        {
            return;
        }
        long start = cursor.start();
        long end = cursor.end();
        boolean shared = PieceValue.isShared(cursor.value());
        final long limit = walkLimit();
        if (mode == MODE_SCAN_FIRST)
        {
            look.copyFrom(cursor);
            while (look.previous() && contains(look.value(), look.delta(), ownerId, delta, flags))
            {
                start = look.start();
                shared |= PieceValue.isShared(look.value());
            }
        }
        else if (mode <= MODE_PAGE_DIRECT)
        {
            start = Math.max(start, queryStart);
        }
        if (end < limit)
        {
            look.copyFrom(cursor);
            int lastValue = cursor.value();
            long lastDelta = cursor.delta();
            while (end < limit && look.next())
            {
                final int nextValue = look.value();
                final long nextDelta = look.delta();
                // A piece with the same value as the last (cut only by a stripe boundary) holds the reference too.
                if ((nextValue != lastValue || nextDelta != lastDelta) &&
                    !contains(nextValue, nextDelta, ownerId, delta, flags))
                {
                    break;
                }
                end = look.end();
                shared |= PieceValue.isShared(nextValue);
                lastValue = nextValue;
                lastDelta = nextDelta;
            }
        }
        report(ownerId, delta, flags, start, Math.min(end, limit), shared);
    }

    /**
     * A reference's record, {@code [start, end)}, as the walk's mode takes it.
     */
    private void report(
        final int ownerId, final long delta, final int flags, final long start, final long end, final boolean shared)
    {
        if (ownerId == FREE_REF)
        {
            records.add(start, end - start, Owner.FREE, 0, MappingFlags.SPECIAL_OWNER);
            return;
        }
        final long owner = snapshot.ownerKeys[ownerId];
        final long fileOffset = Owner.hasFileOffset(owner) ? start + delta : 0;
        final int reported = flags | Owner.fmrFlags(owner) | (shared ? MappingFlags.SHARED : 0);
        switch (mode)
        {
            case MODE_BYTES:
                if (!recordVisitor.onRecord(start, end - start, owner, fileOffset, reported))
                {
                    stop();
                }
                break;
            case MODE_PAGE:
                if (Owner.isFileData(owner))
                {
                    final long pgoff = fileOffset >> pageShift;
                    records.add(pgoff, pageCount(fileOffset, end - start, pageShift), Owner.inode(owner), 0, reported);
                }
                else
                {
                    pageVisitor.onOtherOwner(owner, start, end - start, fileOffset, reported);
                }
                break;
            case MODE_PAGE_DIRECT:
                visitPageRef(pageVisitor, owner, start, end - start, fileOffset, reported, pageShift);
                break;
            default:
                records.add(start, end - start, owner, fileOffset, reported);
                break;
        }
    }

    private boolean contains(final int value, final long pieceDelta, final int ownerId, final long delta, final int flags)
    {
        if (ownerId == FREE_REF)
        {
            return value == PieceValue.EMPTY;
        }
        // EMPTY first, then single, else shared: one relational compare of the value. Written "isSingle, else
        // isShared", C2 of JDK 17.0.15 compiled this wrong (most likely folding the two compares into one unsigned
        // compare, JDK-8346420's family; never with C1 or this method left interpreted): a long-lived reader then
        // missed references of shared pieces. CompiledReaderTest.
        if (PieceValue.isEmpty(value))
        {
            return false;
        }
        if (PieceValue.isSingle(value))
        {
            return PieceValue.ownerId(value) == ownerId && pieceDelta == delta && PieceValue.flags(value) == flags;
        }
        return snapshot.sets[PieceValue.setId(value)].contains(ownerId, delta, flags);
    }

    private void checkRange(final long offset, final long length)
    {
        final long size = snapshot.geometry.size();
        if (offset < 0 || length <= 0 || offset + length < 0 || offset + length > size)
        {
            throw new IllegalArgumentException("bad device range: offset=" + offset + " length=" + length + " size=" + size);
        }
    }
}
