package io.daxrmap.failure;

import io.daxrmap.index.IndexReader;
import io.daxrmap.index.PageVisitor;
import io.daxrmap.index.RecordVisitor;
import io.daxrmap.index.ReverseIndex;
import io.daxrmap.model.MappingFlags;
import io.daxrmap.model.Owner;
import io.daxrmap.model.Pagemap;
import io.daxrmap.store.FilesystemIndex;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The memory-failure service: from an event (poisoned physical bytes, bad sectors, a device removal) to the report
 * of what lives there, answered from the indexes of one filesystem's devices.
 * <h2>Semantics</h2>
 * <ul>
 *   <li><b>Locating.</b> The region whose window holds the address; device offset = phys - physBase - startPad -
 *       dataOffset - partitionOffset. Bytes outside every region, in a metadata area, or outside the indexed
 *       filesystem get that verdict and nothing else. An event whose bytes span two of these areas (a badblocks
 *       range across a data start) is answered with one report per area, in address order.</li>
 *   <li><b>Kill list</b>, as the kernel acts: mm sees only a pfn, so the page(s) holding the poisoned bytes are
 *       queried whole, as {@code xfs_dax_notify_failure()} queries the rmapbt for the page-aligned range the pmem
 *       driver passes it; every data fork record on them gives
 *       {@code pgoff = (rm_offset + max(0, start - rm_startblock)) >> PAGE_SHIFT} as
 *       {@code xfs_dax_failure_fn()} computes it. Each (inode, pgoff) appears once: rows of one inode that overlap
 *       or touch merge. Unwritten extents are killed too, as the kernel does, and flagged. The kernel skips inodes
 *       not in memory (no process can map them); the list names every owner, and {@link ProcMaps} says which
 *       processes actually map the pages.</li>
 *   <li><b>Fatal list</b>: every non-data owner on those pages (static metadata, the log, btree blocks, inode
 *       chunks, attr forks, bmbt blocks, CoW staging): the owners for which {@code xfs_dax_failure_fn()} sets
 *       {@code want_shutdown}.</li>
 *   <li><b>Repair segments</b>, better than the kernel: exactly the poisoned bytes, split by owner: free space
 *       (re-zero through a page-aligned recovery write), unwritten (re-zero), file data (this file byte range is
 *       lost), CoW staging (discard) or metadata (this structure). Shared bytes give one segment per sharer.</li>
 *   <li><b>Device removal</b> ({@code MF_MEM_PRE_REMOVE}): every data owner of the device with every page it has
 *       there. Non-data owners are not listed as fatal: {@code xfs_dax_failure_fn()} skips them on pre-remove (the
 *       filesystem is shut down regardless), and there are no repair segments: nothing is poisoned.</li>
 * </ul>
 * A service is not thread-safe (it owns one {@link IndexReader} per device and reuses its scratch state); give each
 * thread its own. Reports of poisoned bytes within one page allocate nothing once warm.
 * <h2>A replaced index directory</h2>
 * A service of a {@link FilesystemIndex} ({@link #of}) follows it: before each event (but those answered by
 * {@link #reportFromLastLook}, which take in only what a device's writer committed since the last look, for a device
 * that look did not refresh) it has the index take in a new import put in place of its directory
 * ({@link FilesystemIndex#refresh()}, one {@code stat}), and answers from the
 * devices the index then has: a device the new import added is answered, one it removed is outside the filesystem,
 * and the data device is the new one. Each device's reader then takes in what its writer committed since (its own
 * index only: a device index of a followed index never adopts another import put in place of its directory, which
 * only a new layout brings in) before the offset is judged, so that an event's devices and catalog are of one import. A report's inodes are named ({@link #path(long)}) from the catalog of the import it was answered from, held
 * open until its handler returns. A directory the index cannot take in (a damaged import) is told once
 * ({@link #onFollowError}), tried again later, and meanwhile events are answered as the index taken in before said,
 * its devices' readers keeping their snapshots. A service over a fixed map of devices (the constructor) answers from
 * those devices only.
 */
public final class FailureService
{
    /** A 4 KiB page mapping. */
    public static final int PAGE_MAPPING_SHIFT = FailureEvent.PAGE_SHIFT;
    /** A PMD (2 MiB) mapping. */
    public static final int PMD_MAPPING_SHIFT = 21;
    /** A PUD (1 GiB) mapping. */
    public static final int PUD_MAPPING_SHIFT = 30;

    private static final long PAGE_SIZE = 1L << FailureEvent.PAGE_SHIFT;
    /** {@link #looks} before the first look; also the look no device was refreshed at ({@code refreshedAt} is 0). */
    private static final long NO_LOOK = 0;

    /**
     * Receives the reports of an event.
     */
    @FunctionalInterface
    public interface ReportHandler
    {
        /**
         * One report; the object is reused for the event's next report and the next event.
         *
         * @param report the report.
         */
        void onReport(FailureReport report);
    }

    private final Regions regions;
    /** The index this service follows, or null for a fixed map of devices. */
    private final FilesystemIndex followed;
    /** The layout of {@link #followed} the arrays below were made for. */
    private FilesystemIndex.Layout layout;
    private int dataDevice;
    private int[] deviceNumbers;
    private ReverseIndex[] indexes;
    private IndexReader[] readers;
    private long[] deviceSizes;
    private Pagemap[] pagemaps;
    private final PageVisitor pageVisitor = new KillCollector();
    private final RecordVisitor repairVisitor = this::onRepairRecord;
    private final RecordVisitor removalVisitor = this::onRemovalRecord;
    private int mappingShift = PAGE_MAPPING_SHIFT;
    /** Whether this report looks at the index first; false only in {@link #reportFromLastLook} after a look. */
    private boolean looking = true;
    /**
     * The looks taken so far, from {@link #NO_LOOK}: a device's reader refreshed at the last one need not be again
     * until the next.
     */
    private long looks = NO_LOOK;
    /** Per bound device, the look its reader was last refreshed at ({@link #NO_LOOK}: never). */
    private long[] refreshedAt;
    private FailureReport current;
    /** What runs between the read of the followed index's layout and the binding of its devices: where tests act. */
    private final Runnable beforeBind;
    /** Told once of each index directory the followed index could not take in. */
    private Consumer<IOException> followErrors = ex -> { };
    /** Told once each time the followed index's directory is found gone. */
    private Runnable directoryGone = () -> { };
    /** Whether the followed directory was missing at the last look that looked, and that was told. */
    private boolean goneTold;

    /**
     * A service over a filesystem's device indexes.
     *
     * @param regions    the pmem regions of the host.
     * @param devices    the indexes by device number ({@code new_encode_dev}).
     * @param dataDevice the data device: regions with {@link Region#DATA_DEVICE} refer to it.
     */
    public FailureService(final Regions regions, final Map<Integer, ReverseIndex> devices, final int dataDevice)
    {
        this.regions = regions;
        this.followed = null;
        this.beforeBind = null;
        bind(devices, dataDevice);
    }

    private FailureService(final Regions regions, final FilesystemIndex index, final Runnable beforeBind)
    {
        this.regions = regions;
        this.followed = index;
        this.beforeBind = beforeBind;
        bindLatest();
    }

    /**
     * A service over an index's devices that follows the index: a new import put in place of its directory is
     * answered from, with the devices it has.
     *
     * @param index   the filesystem's index.
     * @param regions the pmem regions of the host.
     * @return the service.
     */
    public static FailureService of(final FilesystemIndex index, final Regions regions)
    {
        return new FailureService(regions, index, () -> { });
    }

    /**
     * As {@link #of(FilesystemIndex, Regions)}, running {@code beforeBind} each time the devices of a layout just read
     * are about to be bound: where tests have another refresh replace that layout.
     */
    static FailureService of(final FilesystemIndex index, final Regions regions, final Runnable beforeBind)
    {
        return new FailureService(regions, index, beforeBind);
    }

    /**
     * Answer from these devices: a device answered before keeps its reader (and its size, taken in again on refresh),
     * a new one gets a reader.
     */
    private void bind(final Map<Integer, ReverseIndex> devices, final int data)
    {
        final int count = devices.size();
        final int[] numbers = new int[count];
        final ReverseIndex[] boundIndexes = new ReverseIndex[count];
        final IndexReader[] boundReaders = new IndexReader[count];
        final long[] sizes = new long[count];
        final Pagemap[] maps = new Pagemap[count];
        int i = 0;
        for (final Map.Entry<Integer, ReverseIndex> device : devices.entrySet())
        {
            numbers[i] = device.getKey();
            boundIndexes[i] = device.getValue();
            final int previous = indexes == null ? -1 : indexOf(indexes, device.getValue());
            if (previous >= 0)
            {
                boundReaders[i] = readers[previous];
                sizes[i] = deviceSizes[previous];
                maps[i] = pagemaps[previous];
            }
            else
            {
                boundReaders[i] = device.getValue().newReader();
                sizes[i] = boundReaders[i].geometry().size();
                maps[i] = devicePagemap(sizes[i]);
            }
            i++;
        }
        deviceNumbers = numbers;
        indexes = boundIndexes;
        readers = boundReaders;
        refreshedAt = new long[count];
        deviceSizes = sizes;
        pagemaps = maps;
        dataDevice = data;
    }

    private static int indexOf(final ReverseIndex[] indexes, final ReverseIndex index)
    {
        for (int i = 0; i < indexes.length; i++)
        {
            if (indexes[i] == index)
            {
                return i;
            }
        }
        return -1;
    }

    /**
     * Where to tell that the followed index could not take in a directory put in place of its own (a damaged
     * import): events are then answered as the index taken in before said, and the directory is tried again later
     * ({@link FilesystemIndex#refresh()}). Told once per such directory, in the thread answering the event.
     *
     * @param sink receives the failure; by default nothing does ({@link #followError()} still tells it).
     * @return this service.
     */
    public FailureService onFollowError(final Consumer<IOException> sink)
    {
        followErrors = sink;
        return this;
    }

    /**
     * Where to tell that the followed index's directory is gone (deleted or moved away, with nothing put in its
     * place): events are then answered from the index taken in before, as ever, and a directory put there later is
     * taken in. Told once each time it is found gone, in the thread answering the event; a replacement by two renames
     * (where directories cannot be exchanged) may be told if an event comes between them.
     *
     * @param sink runs when the directory is found gone; by default nothing does.
     * @return this service.
     */
    public FailureService onDirectoryGone(final Runnable sink)
    {
        directoryGone = sink;
        return this;
    }

    /**
     * Why the followed index answers from a directory taken in before rather than the one in place now.
     *
     * @return the failure to take in the directory in place, or null.
     */
    public IOException followError()
    {
        return followed == null ? null : followed.refusal();
    }

    /**
     * Have the followed index take in a replaced directory, and answer from the devices it then has. A directory
     * that cannot be taken in is told of once, and the event answered from the devices bound before. Allocates only
     * when the index was replaced (and in the {@code stat} of a followed directory).
     */
    private void follow()
    {
        if (followed == null || !looking)
        {
            return;
        }
        try
        {
            followed.refresh();
        }
        catch (final IOException ex)
        {
            // the index answers as before, and so does this service: a damaged import stops no daemon
            followErrors.accept(ex);
        }
        if (followed.layout() != layout)
        {
            bindLatest();
        }
        tellIfGone();
    }

    private void tellIfGone()
    {
        // as the refresh of this look found it: no stat of its own
        final boolean gone = followed.missingAtRefresh();
        if (gone && !goneTold)
        {
            directoryGone.run();
        }
        goneTold = gone;
    }

    /** How many layouts one event binds at most while other threads' refreshes keep replacing them. */
    private static final int BIND_TRIES = 4;

    /**
     * Bind the devices of the followed index's latest layout. Another thread's refresh may replace the layout just
     * read and close a device of it before its reader opens ({@link ReverseIndex#newReader()} then refuses), or a
     * new device's directory may be replaced again first: the newer layout is bound then. Failing that, the event is
     * answered from the devices bound before, as the index before said, and the next event binds again.
     */
    private void bindLatest()
    {
        FilesystemIndex.Layout now = followed.layout();
        for (int tries = 1; now != layout; tries++)
        {
            try
            {
                beforeBind.run();
                bind(now.devices(), now.dataDevice());
                layout = now;
            }
            catch (final UncheckedIOException | IllegalStateException ex)
            {
                if (!movedOn(now))
                {
                    throw ex; // a device closed with the index itself, or a directory that is damaged where it stands
                }
                final FilesystemIndex.Layout newer = followed.layout();
                if (newer != now && tries < BIND_TRIES)
                {
                    now = newer;
                }
                else if (layout == null)
                {
                    throw ex; // no devices bound before to answer from
                }
                else
                {
                    return;
                }
            }
        }
    }

    /**
     * Expand kill lists to a mapping size: what a PMD or PUD mapping of the file tears down.
     *
     * @param shift {@link #PAGE_MAPPING_SHIFT}, {@link #PMD_MAPPING_SHIFT} or {@link #PUD_MAPPING_SHIFT}.
     * @return this service.
     */
    public FailureService mappingShift(final int shift)
    {
        if (shift != PAGE_MAPPING_SHIFT && shift != PMD_MAPPING_SHIFT && shift != PUD_MAPPING_SHIFT)
        {
            throw new IllegalArgumentException("mapping shift must be 12, 21 or 30: shift=" + shift);
        }
        mappingShift = shift;
        return this;
    }

    /**
     * The regions this service locates addresses in.
     *
     * @return the regions.
     */
    public Regions regions()
    {
        return regions;
    }

    /**
     * Answer an event: one report per area its bytes lie in (one, unless a range crosses a region's edge).
     *
     * @param event   the event.
     * @param report  the report to fill, reused for each of the event's reports.
     * @param handler receives each report.
     * @throws BadEventException if the event names a region that does not exist, or sectors past its end.
     */
    public void report(final FailureEvent event, final FailureReport report, final ReportHandler handler)
    {
        if (looking)
        {
            looks++;
        }
        // the layout answered from stays open until the handler has named the paths of its reports (path(long))
        final FilesystemIndex.Layout held = followAndHold();
        try
        {
            answer(event, report, handler);
        }
        finally
        {
            if (held != null)
            {
                held.release();
            }
        }
    }

    /**
     * Answer an event as {@link #report} does, from the index as this service's last look at it found: without taking
     * in a replaced directory, nor what the devices' writers committed since (but for a device that look did not
     * refresh, which is refreshed now, once). For an event received before that look (a burst of events read together:
     * the look of the burst's first event came after every one of them arrived), the answer is as new as
     * {@link #report}'s, and costs no look: a look at an index loaded from its directory reads files ({@code CURRENT},
     * the log's head) and allocates, where answering from it allocates nothing once each device the events fall on
     * was refreshed for it. The first report of a service looks.
     *
     * @param event   the event.
     * @param report  the report to fill, reused for each of the event's reports.
     * @param handler receives each report.
     * @throws BadEventException as {@link #report}.
     */
    public void reportFromLastLook(final FailureEvent event, final FailureReport report, final ReportHandler handler)
    {
        if (looks == NO_LOOK)
        {
            report(event, report, handler);
            return;
        }
        looking = false;
        try
        {
            report(event, report, handler);
        }
        finally
        {
            looking = true;
        }
    }

    /**
     * The path of an inode, as the import this service answered its last event from names it: during a
     * {@link ReportHandler}'s call, the import its report was answered from, though a refresh in another thread
     * replaced it since.
     *
     * @param inode inode number.
     * @return the path, or null if unknown, if this service has a fixed map of devices, or (after
     * {@link #reportPage}) if that import's catalog was closed since.
     */
    public String path(final long inode)
    {
        return followed == null ? null : followed.path(layout, inode);
    }

    /**
     * Follow the index and hold the layout bound: another thread's refresh may have closed its catalog since it was
     * bound, and the newer one is bound then.
     *
     * @return the layout held, or null if none (a fixed map of devices, or a layout replaced at each try: its paths
     * are then unknown).
     */
    private FilesystemIndex.Layout followAndHold()
    {
        follow();
        if (followed == null)
        {
            return null;
        }
        for (int tries = 1; ; tries++)
        {
            final FilesystemIndex.Layout bound = layout;
            if (bound.hold())
            {
                return bound;
            }
            if (tries >= BIND_TRIES)
            {
                return null;
            }
            bindLatest();
        }
    }

    private void answer(final FailureEvent event, final FailureReport report, final ReportHandler handler)
    {
        switch (event.kind())
        {
            case PHYSICAL:
                reportRange(event, event.address(), event.address() + event.length(), report, handler);
                break;
            case BADBLOCKS:
            {
                final Region region = namedRegion(event);
                final long origin = event.origin() == FailureEvent.Origin.REGION ? region.regionBase() : region.dataStart();
                // a device's bad sectors lie on that device: a range past its end is bad input, not another
                // device's poison (origin < end always: the window holds data past the metadata area)
                final long room = region.end() - origin;
                if (event.address() >= room)
                {
                    throw new BadEventException("sector", "past the end of region " + region.name() + " (" +
                        (room >>> 9) + " sectors from the " + originName(event) + "): sector=" + (event.address() >>> 9));
                }
                if (event.length() > room - event.address())
                {
                    throw new BadEventException("count", "runs past the end of region " + region.name() + " (" +
                        (room >>> 9) + " sectors from the " + originName(event) + "): sector=" +
                        (event.address() >>> 9) + " count=" + (event.length() >>> 9));
                }
                reportRange(event, origin + event.address(), origin + event.address() + event.length(), report, handler);
                break;
            }
            case PRE_REMOVE:
                reportRemoval(event, namedRegion(event), report);
                handler.onReport(report);
                break;
            default:
                throw new IllegalStateException("unknown event kind: kind=" + event.kind());
        }
    }

    /**
     * Answer one poisoned physical range within a page: the kill path and the repair segments. Allocates nothing.
     *
     * @param event  the event (echoed in the report); its bytes must lie within one page.
     * @param report the report to fill.
     * @return the report.
     */
    public FailureReport reportPage(final FailureEvent event, final FailureReport report)
    {
        final long start = event.address();
        if (event.kind() != FailureEvent.Kind.PHYSICAL || (start >>> FailureEvent.PAGE_SHIFT) !=
            ((start + event.length() - 1) >>> FailureEvent.PAGE_SHIFT))
        {
            throw new IllegalArgumentException("not a physical range within one page: address=" + start +
                " length=" + event.length());
        }
        looks++;
        follow();
        reportPiece(event, start, start + event.length(), report);
        return report;
    }

    private void reportRange(
        final FailureEvent event, final long start, final long end, final FailureReport report,
        final ReportHandler handler)
    {
        long from = start;
        while (from < end)
        {
            from = reportPiece(event, from, end, report);
            handler.onReport(report);
        }
    }

    /**
     * Fill the report for the bytes from {@code start} that lie in the same area as {@code start}.
     *
     * @return where that area's part of {@code [start, end)} ends.
     */
    private long reportPiece(final FailureEvent event, final long start, final long end, final FailureReport report)
    {
        report.reset(event, mappingShift);
        report.filesystem(dataDevice);
        final Region region = regions.find(start);
        if (region == null)
        {
            final long pieceEnd = Math.min(end, regions.nextStart(start));
            report.locate(Verdict.OUTSIDE_DEVICES, null, Region.DATA_DEVICE, start, -1, pieceEnd - start);
            report.finish(false);
            return pieceEnd;
        }
        if (start < region.dataStart())
        {
            final long pieceEnd = Math.min(end, region.dataStart());
            report.locate(Verdict.DEVICE_METADATA_AREA, region, Region.DATA_DEVICE, start, -1, pieceEnd - start);
            report.finish(false);
            return pieceEnd;
        }
        final int device = region.device() == Region.DATA_DEVICE ? dataDevice : region.device();
        final int d = deviceIndex(device);
        if (d >= 0)
        {
            refresh(d);
        }
        if (start < region.filesystemStart() || d < 0 || region.deviceOffset(start) >= deviceSizes[d])
        {
            final long pieceEnd = Math.min(end, start < region.filesystemStart() ? region.filesystemStart() : region.end());
            report.locate(Verdict.OUTSIDE_FILESYSTEM, region, device, start, -1, pieceEnd - start);
            report.finish(false);
            return pieceEnd;
        }
        final long pieceEnd = Math.min(end, Math.min(region.end(), region.phys(deviceSizes[d])));
        final long deviceOffset = region.deviceOffset(start);
        final long length = pieceEnd - start;
        report.locate(Verdict.MAPPED, region, device, start, deviceOffset, length);
        final IndexReader reader = readers[d];
        current = report;
        final long lastPage = (deviceOffset + length - 1) >>> FailureEvent.PAGE_SHIFT;
        for (long page = deviceOffset >>> FailureEvent.PAGE_SHIFT; page <= lastPage; page++)
        {
            reader.pageQuery(page, pagemaps[d], pageVisitor);
        }
        reader.byteQuery(deviceOffset, length, repairVisitor);
        current = null;
        report.finish(true);
        return pieceEnd;
    }

    private void reportRemoval(final FailureEvent event, final Region region, final FailureReport report)
    {
        report.reset(event, mappingShift);
        report.filesystem(dataDevice);
        final int device = region.device() == Region.DATA_DEVICE ? dataDevice : region.device();
        final int d = deviceIndex(device);
        if (d < 0)
        {
            report.locate(Verdict.OUTSIDE_FILESYSTEM, region, device, region.physBase(), -1, region.size());
            report.finish(false);
            return;
        }
        refresh(d);
        report.locate(Verdict.MAPPED, region, device, region.filesystemStart(), 0, deviceSizes[d]);
        final IndexReader reader = readers[d];
        current = report;
        reader.scan(0, deviceSizes[d] - 1, removalVisitor);
        current = null;
        report.finish(false);
    }

    /**
     * Bind a device's reader to its index's latest snapshot and take in that snapshot's device size. A device index
     * of a followed index takes in only what its own import's writer committed, never another import put in place of
     * its directory (that comes in only with a new layout, by {@link #follow()}): an event's device data and the
     * catalog that names its inodes are of one import.
     * Allocates only when the size changed.
     */
    private void refresh(final int d)
    {
        try
        {
            // a device not refreshed at the last look is, even when answering from that look: an event answered so
            // arrived before the look, and its device must be at least as new as the look (which refreshed only the
            // device its own event was on)
            if ((looking || refreshedAt[d] != looks) && (followed == null || followed.refusal() == null))
            {
                // not while the index refuses the directory in place (its device indexes would not take it in either)
                readers[d].refresh();
                refreshedAt[d] = looks; // only once refreshed: a refresh that failed is tried again by the next event
            }
        }
        catch (final UncheckedIOException ex)
        {
            if (!movedOn(layout))
            {
                throw ex;
            }
            // the directory was replaced after this event's look at it, by one without this device, or is caught
            // between the two renames of a replacement (the reader waited a while for the new one): the reader keeps
            // the snapshot it had, and the event is answered as the index before said
        }
        final long size = readers[d].geometry().size();
        if (size != deviceSizes[d])
        {
            deviceSizes[d] = size;
            pagemaps[d] = devicePagemap(size);
        }
    }

    /**
     * Whether the followed index moved on since it had this layout: replaced by a new import, or its directory
     * missing, as between the two renames of a replacement where directories cannot be exchanged.
     */
    private boolean movedOn(final FilesystemIndex.Layout seen)
    {
        if (followed == null)
        {
            return false;
        }
        try
        {
            return followed.refresh() || followed.layout() != seen || followed.directoryMissing();
        }
        catch (final IOException ex)
        {
            followErrors.accept(ex); // a directory put in place that cannot be taken in: told once, here or in follow()
            return true;
        }
        catch (final RuntimeException ex)
        {
            return true; // a directory that cannot be read now is not the one this service bound
        }
    }

    /**
     * Device offsets as page frame numbers: the region arithmetic is done before the page query.
     */
    private static Pagemap devicePagemap(final long deviceSize)
    {
        return new Pagemap(0, deviceSize, 0, (int)PAGE_SIZE);
    }

    private boolean onRepairRecord(
        final long deviceOffset, final long length, final long owner, final long fileOffset, final int flags)
    {
        final RepairKind kind;
        if (Owner.isFileData(owner))
        {
            kind = (flags & MappingFlags.UNWRITTEN) != 0 ? RepairKind.UNWRITTEN : RepairKind.DATA;
        }
        else
        {
            kind = owner == Owner.XFS_COW ? RepairKind.COW : RepairKind.METADATA;
        }
        current.addRepair(deviceOffset, length, kind, owner, Owner.hasFileOffset(owner) ? fileOffset : -1, flags);
        return true;
    }

    private boolean onRemovalRecord(
        final long deviceOffset, final long length, final long owner, final long fileOffset, final int flags)
    {
        if (Owner.isFileData(owner))
        {
            final long pgoff = fileOffset >>> FailureEvent.PAGE_SHIFT;
            current.addKill(Owner.inode(owner), pgoff,
                ((fileOffset + length - 1) >>> FailureEvent.PAGE_SHIFT) - pgoff + 1, flags);
        }
        return true;
    }

    private Region namedRegion(final FailureEvent event)
    {
        final Region region = regions.byName(event.region());
        if (region == null)
        {
            throw new BadEventException("region", "no such region: region=" + event.region());
        }
        return region;
    }

    private static String originName(final FailureEvent event)
    {
        return event.origin() == FailureEvent.Origin.REGION ? "nd region base" : "namespace data start";
    }

    /**
     * An event that does not fit the regions: a region name that does not exist, or sectors past the end of the
     * region they name.
     */
    public static final class BadEventException extends IllegalArgumentException
    {
        private static final long serialVersionUID = 1L;

        private final String field;

        /**
         * An event field at fault.
         *
         * @param field  the event field at fault ({@code region}, {@code sector} or {@code count}).
         * @param detail what is wrong, with the offending values.
         */
        public BadEventException(final String field, final String detail)
        {
            super(detail);
            this.field = field;
        }

        /**
         * The event field at fault.
         *
         * @return its name as the event line spells it.
         */
        public String field()
        {
            return field;
        }
    }

    private int deviceIndex(final int device)
    {
        for (int i = 0; i < deviceNumbers.length; i++)
        {
            if (deviceNumbers[i] == device)
            {
                return i;
            }
        }
        return -1;
    }

    private final class KillCollector implements PageVisitor
    {
        @Override
        public void onAddressSpace(final long inode, final long pgoff, final long pgcnt, final int flags)
        {
            current.addKill(inode, pgoff, pgcnt, flags);
        }

        @Override
        public void onOtherOwner(
            final long owner, final long deviceOffset, final long length, final long fileOffset, final int flags)
        {
            current.addFatal(owner, deviceOffset, length);
        }
    }
}
