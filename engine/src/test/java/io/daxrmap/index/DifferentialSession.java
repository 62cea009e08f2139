package io.daxrmap.index;

import io.daxrmap.index.ReferenceModel.AddressSpace;
import io.daxrmap.index.ReferenceModel.Extent;
import io.daxrmap.index.ReferenceModel.OtherOwner;
import io.daxrmap.index.ReferenceModel.PageAnswer;
import io.daxrmap.index.ReferenceModel.Rec;
import io.daxrmap.model.DeviceGeometry;
import io.daxrmap.model.MappingFlags;
import io.daxrmap.model.Owner;
import io.daxrmap.model.Pagemap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import io.daxrmap.index.ReverseIndexPropertyTest.Disagreement;
import io.daxrmap.index.ReverseIndexPropertyTest.Kind;
import io.daxrmap.index.ReverseIndexPropertyTest.Op;

/**
 * An engine and a model driven in lockstep.
 */
final class DifferentialSession implements AutoCloseable
{
    final ReverseIndex index;
    final ReferenceModel model;
    final IndexReader reader;
    final IndexReader staleReader;
    ReferenceModel staleModel;
    ReferenceModel snapshot;
    Batch batch;
    boolean failed;
    long operations;
    long refused;
    long batches;
    long queries;
    long sharedRecords;
    long unwrittenRecords;
    long maxRecords;
    final List<String> queryLog = new ArrayList<>();

    DifferentialSession(final DeviceGeometry geometry, final long expectedRecords)
    {
        index = ReverseIndex.create(new IndexConfig(geometry, expectedRecords));
        model = new ReferenceModel(geometry);
        reader = index.newReader();
        staleReader = index.newReader();
        staleModel = model.copy();
    }

    /**
     * A session over an index already loaded with the model's state in one committed batch (a bulk load).
     */
    DifferentialSession(final ReverseIndex index, final ReferenceModel model)
    {
        this.index = index;
        this.model = model;
        reader = index.newReader();
        staleReader = index.newReader();
        staleModel = model.copy();
    }

    @Override
    public void close()
    {
        index.close();
    }

    void begin()
    {
        snapshot = model.copy();
        batch = index.newBatch();
        failed = false;
    }

    /**
     * Apply one op to both; returns false when both refused it (the batch is then dead).
     */
    boolean step(final Op op)
    {
        operations++;
        RuntimeException modelError = null;
        try
        {
            op.apply(model);
        }
        catch (final InvalidMutationException ex)
        {
            modelError = ex;
        }
        RuntimeException engineError = null;
        try
        {
            op.apply(batch);
        }
        catch (final InvalidMutationException ex)
        {
            engineError = ex;
        }
        catch (final RuntimeException | AssertionError ex)
        {
            throw new Disagreement("engine threw " + ex + " on " + op, ex);
        }
        if (modelError == null && engineError != null)
        {
            throw new Disagreement("engine refused a valid op " + op + ": " + engineError.getMessage(),
                engineError);
        }
        if (modelError != null && engineError == null)
        {
            throw new Disagreement("engine accepted an invalid op " + op + " (model: " + modelError.getMessage() +
                ")", modelError);
        }
        if (modelError != null)
        {
            refused++;
            failed = true;
            model.restore(snapshot);
            try
            {
                batch.unmap(Owner.data(1), 0, 1);
                throw new Disagreement("dead batch accepted another op after " + op, null);
            }
            catch (final IllegalStateException expected)
            {
                // the batch is dead, as the contract says
            }
            try
            {
                batch.commit();
                throw new Disagreement("dead batch committed after " + op, null);
            }
            catch (final IllegalStateException expected)
            {
                // commit impossible
            }
            return false;
        }
        return true;
    }

    void end(final boolean abort)
    {
        batches++;
        try
        {
            if (failed)
            {
                batch.abort();
            }
            else if (abort)
            {
                batch.abort();
                model.restore(snapshot);
            }
            else
            {
                final long version = batch.commit();
                model.countCommit();
                if (version != model.committedBatches())
                {
                    throw new Disagreement("commit returned version=" + version + " expected=" +
                        model.committedBatches(), null);
                }
            }
        }
        catch (final RuntimeException | AssertionError ex)
        {
            if (ex instanceof Disagreement)
            {
                throw ex;
            }
            throw new Disagreement("engine threw " + ex + " ending a batch", ex);
        }
        batch = null;
    }

    // ----------------------------------------------------------------------------------------------- checks

    void check(final Random rnd, final boolean thorough)
    {
        try
        {
            final String self = model.checkInvariants();
            if (self != null)
            {
                throw new AssertionError("model invariant broken (test bug): " + self);
            }
            reader.refresh();
            queryLog.clear();
            expect("version", reader.version(), model.committedBatches());
            final long size = model.geometry().size();
            final List<Rec> full = model.scan(0, size - 1);
            for (final Rec r : full)
            {
                sharedRecords += (r.flags() & MappingFlags.SHARED) != 0 ? 1 : 0;
                unwrittenRecords += (r.flags() & MappingFlags.UNWRITTEN) != 0 ? 1 : 0;
            }
            maxRecords = Math.max(maxRecords, full.size());
            checkStale(rnd);
            // the reader reuses scratch state between queries: run the query kinds in a random order
            final List<Runnable> tasks = new ArrayList<>();
            tasks.add(() -> expect("scan(0, " + (size - 1) + ")", scan(reader, 0, size - 1), full));
            for (int i = 0; i < 2; i++)
            {
                final long low = randomOffset(rnd, size);
                final long high = rnd.nextInt(4) == 0 ? low : low + (long)(rnd.nextDouble() * (size - low));
                tasks.add(() -> expect("scan(" + low + ", " + high + ")", scan(reader, low, high),
                    model.scan(low, high)));
            }
            final int k = 1 + rnd.nextInt(5);
            tasks.add(() -> expect("paged scan k=" + k + " over the device", pagedScan(k, 0, size - 1, true),
                full));
            final long low = randomOffset(rnd, size);
            final long high = low + (long)(rnd.nextDouble() * (size - low));
            final int k2 = Math.max(k, full.size() / 16);
            tasks.add(() -> expect("paged scan k=" + k2 + " low=" + low + " high=" + high,
                pagedScan(k2, low, high, true), pagedScan(k2, low, high, false)));
            if (!full.isEmpty())
            {
                final Rec from = full.get(rnd.nextInt(full.size()));
                final long dev = rnd.nextBoolean() ? from.deviceOffset() : randomOffset(rnd, size);
                // now and then GETFSMAP's all-ones high key field: past every file offset of the owner
                final int pick = rnd.nextInt(4);
                final long fileOffset = pick == 0 ? from.fileOffset() + 1 : pick == 1 ? -1 : from.fileOffset();
                final long to = high < dev ? size - 1 : high;
                tasks.add(() ->
                {
                    queries++;
                    final List<Rec> got = new ArrayList<>();
                    queryLog.add("scanAfter(" + dev + ", " + ReverseIndexPropertyTest.ownerExpr(from.owner()) + ", " + fileOffset + ", " +
                        to + ")");
                    reader.scanAfter(dev, from.owner(), fileOffset, to, collect(got, -1));
                    expect("scanAfter(" + dev + ", " + Owner.toString(from.owner()) + ", " + fileOffset + ", " +
                        to + ")", got, model.scanAfter(dev, from.owner(), fileOffset, to));
                });
            }
            for (int i = 0; i < 4; i++)
            {
                final long[] range = randomByteRange(rnd);
                tasks.add(() -> checkByteQuery(range[0], range[1]));
            }
            for (int i = 0; i < 4; i++)
            {
                final long[] page = randomPage(rnd);
                final Pagemap pm = new Pagemap(page[1], page[2], page[3], (int)page[4]);
                tasks.add(() -> checkPage(page[0], pm));
            }
            for (int i = 0; i < 2; i++)
            {
                final long[] fwd = randomForward(rnd);
                tasks.add(() -> checkForward(fwd[0], fwd[1], fwd[2]));
            }
            Collections.shuffle(tasks, rnd);
            for (final Runnable task : tasks)
            {
                task.run();
            }
            if (thorough)
            {
                checkThorough(rnd);
            }
        }
        catch (final RuntimeException | AssertionError ex)
        {
            if (ex instanceof Disagreement)
            {
                throw ex;
            }
            throw new Disagreement("engine threw " + ex + " in a query", ex);
        }
    }

    private long[] randomByteRange(final Random rnd)
    {
        final DeviceGeometry g = model.geometry();
        final long size = g.size();
        switch (rnd.nextInt(4))
        {
            case 0:
            {
                final long offset = randomOffset(rnd, size);
                return new long[] {offset, 1 + rnd.nextInt((int)Math.min(64, size - offset))};
            }
            case 1:
            {
                final long blocks = size / g.blockSize();
                final long offset = (blocks == 0 ? 0 : rnd.nextInt((int)blocks)) * (long)g.blockSize();
                return new long[] {offset, Math.min(size - offset, (1 + rnd.nextInt(4)) * (long)g.blockSize())};
            }
            case 2:
            {
                final long offset = randomOffset(rnd, size);
                return new long[] {offset, 1 + (long)(rnd.nextDouble() * (size - offset - 1))};
            }
            default:
                return new long[] {0, size};
        }
    }

    private void checkStale(final Random rnd)
    {
        final long size = model.geometry().size();
        expect("stale reader version", staleReader.version(), staleModel.committedBatches());
        expect("stale reader scan", scan(staleReader, 0, size - 1), staleModel.scan(0, size - 1));
        if (rnd.nextInt(4) == 0)
        {
            staleReader.refresh();
            staleModel = model.copy();
        }
    }

    private void checkThorough(final Random rnd)
    {
        final DeviceGeometry g = model.geometry();
        final long size = g.size();
        final List<Runnable> tasks = new ArrayList<>();
        for (long off = 0; off < size; off += g.blockSize())
        {
            final long o = off;
            tasks.add(() -> checkByteQuery(o, Math.min(g.blockSize(), size - o)));
        }
        for (final Rec r : model.records())
        {
            tasks.add(() -> checkByteQuery(r.deviceOffset(), r.length()));
            if (r.length() > 1)
            {
                tasks.add(() -> checkByteQuery(r.deviceOffset() + 1, r.length() - 1));
            }
            if (r.deviceEnd() < size)
            {
                tasks.add(() -> checkByteQuery(r.deviceEnd() - 1, 2));
            }
            if (rnd.nextInt(Math.max(1, model.records().size() / 32)) == 0)
            {
                tasks.add(() -> expect("scan(" + r.deviceOffset() + ", " + r.deviceOffset() + ")",
                    scan(reader, r.deviceOffset(), r.deviceOffset()),
                    model.scan(r.deviceOffset(), r.deviceOffset())));
            }
        }
        for (final int pageSize : new int[] {g.blockSize(), 4096, g.blockSize() * 2})
        {
            final Pagemap pm = new Pagemap(1L << 30, size + pageSize * 2L, pageSize, pageSize);
            for (long pfn = (1L << 30) / pageSize; pfn < (1L << 30) / pageSize + size / pageSize + 3; pfn++)
            {
                final long p = pfn;
                tasks.add(() -> checkPage(p, pm));
            }
        }
        for (final long owner : model.owners())
        {
            if (Owner.hasFileOffset(owner))
            {
                tasks.add(() -> checkForward(owner, 0, Long.MAX_VALUE));
            }
        }
        tasks.add(() -> expect("full scan", scan(reader, 0, size - 1), model.scan(0, size - 1)));
        Collections.shuffle(tasks, rnd);
        for (final Runnable task : tasks)
        {
            task.run();
        }
    }

    private void checkByteQuery(final long offset, final long length)
    {
        queries++;
        final List<Rec> got = new ArrayList<>();
        queryLog.add("byteQuery(" + offset + ", " + length + ")");
        reader.byteQuery(offset, length, collect(got, -1));
        for (int i = 1; i < got.size(); i++)
        {
            if (got.get(i).deviceOffset() < got.get(i - 1).deviceOffset())
            {
                throw new Disagreement("byteQuery(" + offset + ", " + length + ") not in device order: " + got,
                    null);
            }
        }
        got.sort(null);
        final List<Rec> expected = model.byteQuery(offset, length);
        expect("byteQuery(" + offset + ", " + length + ")", got, expected);
        if (expected.size() > 1)
        {
            final List<Rec> one = new ArrayList<>();
            queryLog.add("byteQuery(" + offset + ", " + length + ") stopping after one record");
            reader.byteQuery(offset, length, collect(one, 1));
            expect("byteQuery(" + offset + ", " + length + ") stopped after one record: count", one.size(), 1);
        }
    }

    private long[] randomPage(final Random rnd)
    {
        final DeviceGeometry g = model.geometry();
        final long size = g.size();
        final int pageSize = switch (rnd.nextInt(5))
        {
            case 0, 1 -> 4096;
            case 2 -> g.blockSize();
            case 3 -> Math.max(64, g.blockSize() >> (1 + rnd.nextInt(3)));
            default -> g.blockSize() << (1 + rnd.nextInt(3));
        };
        final long physBase = (long)pageSize * (1 + rnd.nextInt(1 << 20)) + (rnd.nextInt(8) == 0 ? 512 : 0);
        final long dataOffset = rnd.nextInt(6) == 0 ? 0 :
            (rnd.nextInt(6) == 0 ? 1 + rnd.nextInt(3 * pageSize) : (long)pageSize * (1 + rnd.nextInt(8)));
        final long windowSize =
            dataOffset + (rnd.nextInt(4) == 0 ? size / 2 + 1 : size + rnd.nextInt(3 * pageSize));
        final long pfn;
        if (rnd.nextInt(20) == 0)
        {
            pfn = rnd.nextBoolean() ? -1 : physBase / pageSize - 1 - rnd.nextInt(3);
        }
        else
        {
            final long target =
                -dataOffset - pageSize + (long)(rnd.nextDouble() * (size + dataOffset + 3L * pageSize));
            pfn = (physBase + dataOffset + target) / pageSize;
        }
        return new long[] {pfn, physBase, windowSize, dataOffset, pageSize};
    }

    private void checkPage(final long pfn, final Pagemap pm)
    {
        queries++;
        final List<AddressSpace> spaces = new ArrayList<>();
        final List<OtherOwner> others = new ArrayList<>();
        queryLog.add("pageQuery(" + pfn + ", " + pm + ")");
        final long dev = reader.pageQuery(pfn, pm, new PageVisitor()
        {
            @Override
            public void onAddressSpace(final long inode, final long pgoff, final long pgcnt, final int flags)
            {
                spaces.add(new AddressSpace(inode, pgoff, pgcnt, flags));
            }

            @Override
            public void onOtherOwner(
                final long owner, final long deviceOffset, final long length, final long fileOffset,
                final int flags)
            {
                others.add(new OtherOwner(owner, deviceOffset, length, fileOffset, flags));
            }
        });
        spaces.sort(null);
        others.sort(null);
        final PageAnswer expected = model.pageQuery(pfn, pm);
        final String what = "pageQuery(" + pfn + ", " + pm + ")";
        expect(what + " result", dev, expected.deviceOffset());
        expect(what + " address spaces", spaces, expected.addressSpaces());
        expect(what + " other owners", others, expected.others());

        // the same page in a batch, among neighbours that may lie outside the window or the device
        final long[] pfns = {pfn + 5, pfn - 2, pfn, pfn + 1, pfn - 64};
        final List<AddressSpace> batchedSpaces = new ArrayList<>();
        final List<OtherOwner> batchedOthers = new ArrayList<>();
        final long[] batchedDev = {Long.MIN_VALUE};
        reader.pageQueries(pfns, 0, pfns.length, pm, new PageBatchVisitor()
        {
            private int page;

            @Override
            public void onPage(final int index, final long deviceOffset)
            {
                page = index;
                if (index == 2)
                {
                    batchedDev[0] = deviceOffset;
                }
            }

            @Override
            public void onAddressSpace(final long inode, final long pgoff, final long pgcnt, final int flags)
            {
                if (page == 2)
                {
                    batchedSpaces.add(new AddressSpace(inode, pgoff, pgcnt, flags));
                }
            }

            @Override
            public void onOtherOwner(
                final long owner, final long deviceOffset, final long length, final long fileOffset,
                final int flags)
            {
                if (page == 2)
                {
                    batchedOthers.add(new OtherOwner(owner, deviceOffset, length, fileOffset, flags));
                }
            }
        });
        batchedSpaces.sort(null);
        batchedOthers.sort(null);
        expect("batched " + what + " result", batchedDev[0], expected.deviceOffset());
        expect("batched " + what + " address spaces", batchedSpaces, expected.addressSpaces());
        expect("batched " + what + " other owners", batchedOthers, expected.others());
    }

    private long[] randomForward(final Random rnd)
    {
        final List<Long> owners = model.owners();
        long owner = owners.isEmpty() || rnd.nextInt(6) == 0 ? Owner.data(7777) :
            owners.get(rnd.nextInt(owners.size()));
        if (!Owner.hasFileOffset(owner))
        {
            owner = Owner.data(1);
        }
        final List<Extent> all = model.extents(owner);
        final long offset;
        final long length;
        if (all.isEmpty() || rnd.nextInt(4) == 0)
        {
            offset = 0;
            length = Long.MAX_VALUE;
        }
        else
        {
            final Extent e = all.get(rnd.nextInt(all.size()));
            offset = Math.max(0, e.fileOffset() - rnd.nextInt(3 * (int)Math.min(e.length() + 1, 1 << 16)));
            length = Math.min(1 + rnd.nextInt(1 << 17), Long.MAX_VALUE - offset);
        }
        return new long[] {owner, offset, length};
    }

    private void checkForward(final long owner, final long offset, final long length)
    {
        queries++;
        final List<Extent> got = new ArrayList<>();
        queryLog.add("forward(" + ReverseIndexPropertyTest.ownerExpr(owner) + ", " + offset + ", " + length + ")");
        reader.forward(owner, offset, length, (f, d, l, fl) ->
        {
            got.add(new Extent(f, d, l, fl));
            return true;
        });
        expect("forward(" + Owner.toString(owner) + ", " + offset + ", " + length + ")", got,
            model.forward(owner, offset, length));
    }

    private List<Rec> pagedScan(final int k, final long low, final long high, final boolean engine)
    {
        final List<Rec> out = new ArrayList<>();
        List<Rec> page = new ArrayList<>();
        if (engine)
        {
            queryLog.add("scan(" + low + ", " + high + ") stopping after " + k);
            reader.scan(low, high, collect(page, k));
        }
        else
        {
            page = first(model.scan(low, high), k);
        }
        int guard = 0;
        while (!page.isEmpty())
        {
            if (page.size() > k)
            {
                throw new Disagreement("scan visitor called after it returned false: k=" + k, null);
            }
            out.addAll(page);
            final Rec last = page.get(page.size() - 1);
            if (engine)
            {
                page = new ArrayList<>();
                queryLog.add("scanAfter(" + last.deviceOffset() + ", " + ReverseIndexPropertyTest.ownerExpr(last.owner()) + ", " +
                    last.fileOffset() + ", " + high + ") stopping after " + k);
                reader.scanAfter(last.deviceOffset(), last.owner(), last.fileOffset(), high, collect(page, k));
            }
            else
            {
                page = first(model.scanAfter(last.deviceOffset(), last.owner(), last.fileOffset(), high), k);
            }
            if (++guard > 100_000)
            {
                throw new Disagreement("paged scan does not end: " + out.subList(0, 20), null);
            }
        }
        return out;
    }

    private static List<Rec> first(final List<Rec> list, final int k)
    {
        return new ArrayList<>(list.subList(0, Math.min(k, list.size())));
    }

    private List<Rec> scan(final IndexReader r, final long low, final long high)
    {
        queries++;
        final List<Rec> got = new ArrayList<>();
        if (r == reader)
        {
            queryLog.add("scan(" + low + ", " + high + ")");
        }
        r.scan(low, high, collect(got, -1));
        return got;
    }

    private static RecordVisitor collect(final List<Rec> into, final int limit)
    {
        return (dev, len, owner, file, flags) ->
        {
            into.add(new Rec(dev, len, owner, file, flags));
            return limit < 0 || into.size() < limit;
        };
    }

    private static long randomOffset(final Random rnd, final long size)
    {
        return (long)(rnd.nextDouble() * size);
    }

    private void expect(final String what, final Object actual, final Object expected)
    {
        if (!Objects.equals(actual, expected))
        {
            final List<String> recent = queryLog.subList(Math.max(0, queryLog.size() - 6), queryLog.size());
            throw new Disagreement(what + "\n  expected (model): " + expected + "\n  actual (engine):  " + actual +
                "\n  last queries on this reader since refresh (" + queryLog.size() + " in all): " + recent, null);
        }
    }
}
