package io.daxrmap.index;

import io.daxrmap.index.ReferenceModel.AddressSpace;
import io.daxrmap.index.ReferenceModel.Extent;
import io.daxrmap.index.ReferenceModel.OtherOwner;
import io.daxrmap.index.ReferenceModel.Rec;
import io.daxrmap.model.DeviceGeometry;
import io.daxrmap.model.MappingFlags;
import io.daxrmap.model.Owner;
import io.daxrmap.model.Pagemap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hand-computed cases: every expected value below is written out by hand from API.md, not computed by the model
 * ({@link ReferenceModel}'s records are used only as value types).
 */
class ReverseIndexCasesTest
{
    private static final long KIB = 1024;
    private static final long MIB = 1024 * KIB;
    private static final int S = MappingFlags.SHARED;
    private static final int U = MappingFlags.UNWRITTEN;
    private static final int SPECIAL = MappingFlags.SPECIAL_OWNER;

    private ReverseIndex index;

    @AfterEach
    void closeIndex()
    {
        if (index != null)
        {
            index.close();
        }
    }

    private IndexReader create(final long size, final int blockSize)
    {
        index = ReverseIndex.create(IndexConfig.of(new DeviceGeometry(0x10301, size, blockSize)));
        return index.newReader();
    }

    private void commit(final Consumer<Batch> ops)
    {
        final Batch batch = index.newBatch();
        ops.accept(batch);
        batch.commit();
    }

    @Test
    void shouldRefuseARefreshFromAVisitorWhileItsQueryWalksTheIndex()
    {
        final IndexReader reader = create(64 * MIB, 4096);
        commit(b ->
        {
            // two files side by side (a range over both walks two pieces), and a file shared by 20 clones whose ids
            // are apart (a bitmap group)
            b.map(Owner.data(100), 0, 0, 64 * KIB, 0);
            b.map(Owner.data(101), 0, 64 * KIB, 64 * KIB, 0);
            b.map(Owner.data(300), 0, MIB, 64 * KIB, 0);
            for (int clone = 1; clone <= 20; clone++)
            {
                b.map(Owner.data(400 + clone), 0, 2 * MIB + clone * 4 * KIB, 4 * KIB, 0);
                b.reflink(Owner.data(300), 0, Owner.data(500 + clone), 0, 64 * KIB);
            }
        });
        final long seen = reader.refresh();
        // what a refresh would move the reader to
        commit(b -> b.map(Owner.data(999), 0, 32 * MIB, 4 * KIB, 0));
        final Pagemap pagemap = new Pagemap(0, 64 * MIB, 0, 4096);
        final PageVisitor refreshing = new PageVisitor()
        {
            @Override
            public void onAddressSpace(final long inode, final long pgoff, final long pgcnt, final int flags)
            {
                reader.refresh();
            }

            @Override
            public void onOtherOwner(
                final long owner, final long deviceOffset, final long length, final long fileOffset, final int flags)
            {
                reader.refresh();
            }
        };
        final RecordVisitor refreshingRecords = (d, l, owner, f, flags) -> reader.refresh() >= 0;
        final List<Runnable> queries = List.of(
            () -> reader.byteQuery(0, 128 * KIB, refreshingRecords),
            () -> reader.byteQuery(MIB + 4 * KIB, 64, refreshingRecords),
            () -> reader.byteQuery(MIB, 64 * KIB, refreshingRecords),
            () -> reader.pageQuery(MIB / 4096 + 1, pagemap, refreshing),
            () -> reader.pageQuery(0, new Pagemap(0, 64 * MIB, 0, 128 * 1024), refreshing),
            () -> reader.scan(0, 128 * KIB, refreshingRecords),
            () -> reader.forward(Owner.data(300), 0, 64 * KIB, (f, d, l, flags) -> reader.refresh() >= 0));
        for (int q = 0; q < queries.size(); q++)
        {
            final IllegalStateException refused = assertThrows(IllegalStateException.class, queries.get(q)::run,
                "query " + q);
            assertTrue(refused.getMessage().startsWith("refresh() from a visitor while its query walks the index"),
                refused.getMessage());
            assertEquals(seen, reader.version(), "query " + q);
            // the refusal leaves the reader whole: the next query answers from where it was
            final List<Long> owners = new ArrayList<>();
            reader.byteQuery(MIB + 4 * KIB, 64, (d, l, owner, f, flags) -> owners.add(Owner.inode(owner)));
            assertEquals(21, owners.size(), "query " + q);
        }
        // a forward lookup nested in the visitor (it shares no cursor with the scan) leaves the scan guarded
        final IllegalStateException nested = assertThrows(IllegalStateException.class,
            () -> reader.scan(0, 128 * KIB, (d, l, owner, f, flags) ->
            {
                reader.forward(owner, 0, 4 * KIB, (file, device, extent, extentFlags) -> true);
                return reader.refresh() >= 0;
            }));
        assertTrue(nested.getMessage().startsWith("refresh() from a visitor while its query walks the index"),
            nested.getMessage());
        assertEquals(seen, reader.version());
        assertEquals(seen + 1, reader.refresh());
        final List<Long> owners = new ArrayList<>();
        reader.byteQuery(32 * MIB, 64, (d, l, owner, f, flags) -> owners.add(Owner.inode(owner)));
        assertEquals(List.of(999L), owners);
    }

    @Test
    void shouldRefuseAQueryFromAVisitorWhileItsQueryWalksTheIndex()
    {
        final IndexReader reader = create(64 * MIB, 4096);
        commit(b ->
        {
            // three files side by side (a scan over them walks three pieces), and a file shared by 20 clones
            b.map(Owner.data(100), 0, 0, 64 * KIB, 0);
            b.map(Owner.data(101), 0, 64 * KIB, 64 * KIB, 0);
            b.map(Owner.data(102), 0, 128 * KIB, 64 * KIB, 0);
            b.map(Owner.data(300), 0, MIB, 64 * KIB, 0);
            for (int clone = 1; clone <= 20; clone++)
            {
                b.reflink(Owner.data(300), 0, Owner.data(500 + clone), 0, 64 * KIB);
            }
        });
        reader.refresh();
        final Pagemap pagemap = new Pagemap(0, 64 * MIB, 0, 4096);
        final PageBatchVisitor quiet = new QuietPageBatchVisitor();
        final List<Runnable> inner = List.of(
            () -> reader.byteQuery(MIB, 4096, (d, l, owner, f, flags) -> true),
            () -> reader.pageQuery(0, pagemap, quiet),
            () -> reader.pageQueries(new long[] {0, 1}, 0, 2, pagemap, quiet),
            () -> reader.scan(MIB, MIB + 4095, (d, l, owner, f, flags) -> true),
            () -> reader.scanAfter(MIB, Owner.data(300), 0, MIB + 4095, (d, l, owner, f, flags) -> true));
        final List<String> names = List.of("byteQuery()", "pageQuery()", "pageQueries()", "scan()", "scanAfter()");
        final List<String> expected = List.of("0+65536 inode_100_data", "65536+65536 inode_101_data",
            "131072+65536 inode_102_data");
        for (int q = 0; q < inner.size(); q++)
        {
            final Runnable asked = inner.get(q);
            final List<String> seen = new ArrayList<>();
            final IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> reader.scan(0, 192 * KIB - 1, (d, l, owner, f, flags) ->
                {
                    seen.add(d + "+" + l + " " + Owner.toString(owner));
                    asked.run();
                    return true;
                }), names.get(q));
            assertTrue(refused.getMessage().startsWith(names.get(q) + " from a visitor while its query walks the index"),
                refused.getMessage());
            // the range query of shared bytes walks too; the refusal leaves the reader whole
            assertThrows(IllegalStateException.class,
                () -> reader.byteQuery(MIB, 64 * KIB, (d, l, owner, f, flags) ->
                {
                    asked.run();
                    return true;
                }), names.get(q));
            final List<String> after = new ArrayList<>();
            reader.scan(0, 192 * KIB - 1, (d, l, owner, f, flags) -> after.add(d + "+" + l + " " + Owner.toString(owner)));
            assertEquals(expected, after, names.get(q));
        }
        // a byte query in one piece of one reference walks nothing after its visitor: a query from there answers
        final List<Long> nested = new ArrayList<>();
        reader.byteQuery(4096, 64, (d, l, owner, f, flags) ->
        {
            reader.byteQuery(MIB, 64, (d2, l2, owner2, f2, flags2) -> nested.add(Owner.inode(owner2)));
            return true;
        });
        assertEquals(21, nested.size());
        // nor after a page query's visitor where the page lies in one piece of one reference
        final List<Long> fromPage = new ArrayList<>();
        reader.pageQuery(1, pagemap, new PageVisitor()
        {
            @Override
            public void onAddressSpace(final long inode, final long pgoff, final long pgcnt, final int flags)
            {
                reader.byteQuery(MIB, 64, (d, l, owner, f, fl) -> fromPage.add(Owner.inode(owner)));
            }

            @Override
            public void onOtherOwner(
                final long owner, final long deviceOffset, final long length, final long fileOffset, final int flags)
            {
            }
        });
        assertEquals(21, fromPage.size());
        // a forward lookup's visitor may ask reverse queries (they share nothing with it), though not refresh
        final List<Long> extents = new ArrayList<>();
        final List<String> fromForward = new ArrayList<>();
        commit(b -> b.map(Owner.data(100), 64 * KIB, 4 * MIB, 64 * KIB, 0));
        reader.refresh();
        reader.forward(Owner.data(100), 0, 128 * KIB, (file, device, extent, extentFlags) ->
        {
            extents.add(device);
            reader.scan(0, 192 * KIB - 1, (d, l, owner, f, flags) -> fromForward.add(Owner.toString(owner)));
            return true;
        });
        assertEquals(List.of(0L, 4 * MIB), extents);
        assertEquals(6, fromForward.size());
        // and a forward lookup shares nothing with the scan around it
        final List<String> withForward = new ArrayList<>();
        reader.scan(0, 192 * KIB - 1, (d, l, owner, f, flags) ->
        {
            reader.forward(owner, 0, 4 * KIB, (file, device, extent, extentFlags) -> true);
            return withForward.add(d + "+" + l + " " + Owner.toString(owner));
        });
        assertEquals(expected, withForward);
    }

    /**
     * One batch goes back and forth between three stripes and three owners, two of them unknown when first named
     * (a truncate of one finds nothing; a reflink creates the other): what the batch remembers of the owners and
     * stripes it reached last must not leak into the next operation. Expected records worked out by hand.
     */
    @Test
    void shouldApplyInterleavedOwnersAndStripesInOneBatch()
    {
        final IndexReader reader = create(64 * MIB, 4096);
        // three neighbouring stripes, last in the middle
        final long stripe = 1L << index.current().stripeShift;
        final long a = 2 * stripe;
        final long b = 3 * stripe;
        final long c = stripe;
        commit(batch -> batch
            .truncate(Owner.data(7), 0)
            .map(Owner.data(7), 0, a, 4 * KIB, 0)
            .map(Owner.data(8), 0, b, 4 * KIB, 0)
            .cowRemap(Owner.data(7), 0, 4 * KIB, c)
            .cowRemap(Owner.data(8), 0, 4 * KIB, a)
            .reflink(Owner.data(8), 0, Owner.data(9), 0, 4 * KIB)
            .unmap(Owner.data(7), 0, 4 * KIB)
            .map(Owner.data(7), 4 * KIB, c, 4 * KIB, 0));
        reader.refresh();
        final List<String> records = new ArrayList<>();
        reader.scan(0, 64 * MIB, (deviceOffset, length, owner, fileOffset, flags) ->
        {
            if (owner != Owner.FREE)
            {
                records.add(deviceOffset + "+" + length + " inode " + Owner.inode(owner) + " at " + fileOffset);
            }
            return true;
        });
        assertEquals(List.of(
            c + "+" + 4 * KIB + " inode 7 at " + 4 * KIB,
            a + "+" + 4 * KIB + " inode 8 at 0",
            a + "+" + 4 * KIB + " inode 9 at 0"), records);
        final List<String> forward = new ArrayList<>();
        for (final long inode : new long[] {7, 8, 9})
        {
            reader.forward(Owner.data(inode), 0, 64 * MIB, (file, device, length, flags) ->
                forward.add(inode + ": " + file + "->" + device + "+" + length));
        }
        assertEquals(List.of("7: " + 4 * KIB + "->" + c + "+" + 4 * KIB, "8: 0->" + a + "+" + 4 * KIB,
            "9: 0->" + a + "+" + 4 * KIB), forward);
    }

    @Test
    void shouldTellAVisitorThatStopsNothingMoreWhateverTheShareGroup()
    {
        final IndexReader reader = create(64 * MIB, 4096);
        commit(b ->
        {
            b.map(Owner.data(100), 0, 0, 64 * KIB, 0);
            // clones 201..205 one after another: ids 1..5, a run with the golden file's 0
            for (int clone = 1; clone <= 5; clone++)
            {
                b.reflink(Owner.data(100), 0, Owner.data(200 + clone), 0, 64 * KIB);
            }
            // at 1 MiB: clones with a private file made between each two, so the group's ids are apart (a bitmap)
            b.map(Owner.data(300), 0, MIB, 64 * KIB, 0);
            for (int clone = 1; clone <= 5; clone++)
            {
                b.map(Owner.data(400 + clone), 0, 2 * MIB + clone * 4 * KIB, 4 * KIB, 0);
                b.reflink(Owner.data(300), 0, Owner.data(500 + clone), 0, 64 * KIB);
            }
            // at 8 MiB: more clones, apart, than the reader steps through one by one before forEach takes over
            b.map(Owner.data(900), 0, 8 * MIB, 64 * KIB, 0);
            for (int clone = 1; clone <= IndexReader.STEPPED_OWNERS + 36; clone++)
            {
                b.map(Owner.data(1000 + clone), 0, 16 * MIB + clone * 4 * KIB, 4 * KIB, 0);
                b.reflink(Owner.data(900), 0, Owner.data(2000 + clone), 0, 64 * KIB);
            }
            // the last clone of each writes its own copy of one block: a 64 KiB query then walks pieces
            b.cowRemap(Owner.data(205), 8 * KIB, 4 * KIB, 4 * MIB);
            b.cowRemap(Owner.data(505), 8 * KIB, 4 * KIB, 4 * MIB + 4 * KIB);
            b.cowRemap(Owner.data(2000 + IndexReader.STEPPED_OWNERS + 36), 8 * KIB, 4 * KIB, 4 * MIB + 8 * KIB);
        });
        reader.refresh();
        final long[] many = new long[IndexReader.STEPPED_OWNERS + 37];
        many[0] = 900;
        for (int clone = 1; clone < many.length; clone++)
        {
            many[clone] = 2000 + clone;
        }
        final long[][] owners = {{100, 201, 202, 203, 204, 205}, {300, 501, 502, 503, 504, 505}, many};
        final long[] starts = {0, MIB, 8 * MIB};
        for (int group = 0; group < owners.length; group++)
        {
            final long start = starts[group];
            // uniform: 64 bytes in one share group, every sharer at file offset 4096
            assertStopsAfterEach(reader, start + 4 * KIB, 64, owners[group]);
            // walked: the whole file, every sharer's run of it from the first byte, in owner order, then the diverged
            // clone's second run, after its own block
            final List<Long> walked = new ArrayList<>();
            reader.byteQuery(start, 64 * KIB, (d, l, owner, f, flags) -> walked.add(Owner.inode(owner)));
            final List<Long> expected = new ArrayList<>();
            for (final long inode : owners[group])
            {
                expected.add(inode);
            }
            expected.add(owners[group][owners[group].length - 1]);
            assertEquals(expected, walked, "records of the walk");
            for (int stopAt = 1; stopAt <= walked.size(); stopAt++)
            {
                final List<Long> told = new ArrayList<>();
                final int limit = stopAt;
                reader.byteQuery(start, 64 * KIB, (d, l, owner, f, flags) ->
                {
                    told.add(Owner.inode(owner));
                    return told.size() < limit;
                });
                assertEquals(walked.subList(0, stopAt), told, "walk stopped after " + stopAt);
            }
        }
    }

    private static void assertStopsAfterEach(
        final IndexReader reader, final long offset, final long length, final long[] inodes)
    {
        for (int stopAt = 1; stopAt <= inodes.length; stopAt++)
        {
            final List<Long> told = new ArrayList<>();
            final int limit = stopAt;
            reader.byteQuery(offset, length, (d, l, owner, f, flags) ->
            {
                assertEquals(offset, d);
                assertEquals(4 * KIB, f, "file offset");
                assertEquals(S, flags);
                told.add(Owner.inode(owner));
                return told.size() < limit;
            });
            final List<Long> expected = new ArrayList<>();
            for (int i = 0; i < stopAt; i++)
            {
                expected.add(inodes[i]);
            }
            assertEquals(expected, told, "stopped after " + stopAt);
        }
    }

    @Test
    void shouldAbortABatchWhoseOperationFailsWithAnErrorHalfApplied()
    {
        final IndexReader reader = create(MIB, 4096);
        commit(b -> b.map(Owner.data(10), 0, 0, 64 * KIB, 0));
        final long version = index.current().version;
        final Batch batch = index.newBatch();
        // out of heap after the reverse references are in and before the forward extent is
        index.betweenReverseAndForward = () ->
        {
            throw new OutOfMemoryError("Java heap space");
        };
        assertThrows(OutOfMemoryError.class, () -> batch.map(Owner.data(11), 0, 64 * KIB, 64 * KIB, 0));
        index.betweenReverseAndForward = () -> { };
        assertThrows(IllegalStateException.class, batch::commit, "the batch is dead, not committed half applied");
        assertEquals(version, index.current().version);

        commit(b -> b.map(Owner.data(12), 0, 64 * KIB, 64 * KIB, 0));
        reader.refresh();
        final StringBuilder owners = new StringBuilder();
        reader.byteQuery(0, 256 * KIB, (d, l, o, f, fl) ->
        {
            owners.append(d / KIB).append('+').append(l / KIB).append(' ').append(Owner.toString(o)).append(';');
            return true;
        });
        assertEquals("0+64 inode_10_data;64+64 inode_12_data;", owners.toString(), "nothing of inode 11");
    }

    @Test
    void shouldRefuseToCommitABatchOpenedBeforeTheIndexWasClosed()
    {
        create(MIB, 4096);
        commit(b -> b.map(Owner.data(10), 0, 0, 512 * KIB, 0));
        final long version = index.current().version;
        final Batch batch = index.newBatch();
        batch.unmap(Owner.data(10), 4096, 4096);
        index.close();
        assertEquals("index is closed", assertThrows(IllegalStateException.class, batch::commit).getMessage());
        assertEquals(version, index.current().version, "nothing published after close");
    }

    private static Rec rec(final long dev, final long len, final long owner, final long file, final int flags)
    {
        return new Rec(dev, len, owner, file, flags);
    }

    private static Rec free(final long dev, final long len)
    {
        return new Rec(dev, len, Owner.FREE, 0, SPECIAL);
    }

    private static List<Rec> bytes(final IndexReader reader, final long offset, final long length)
    {
        final List<Rec> out = new ArrayList<>();
        reader.byteQuery(offset, length, (d, l, o, f, fl) -> out.add(new Rec(d, l, o, f, fl)));
        return out;
    }

    private static List<Rec> sortedBytes(final IndexReader reader, final long offset, final long length)
    {
        final List<Rec> out = bytes(reader, offset, length);
        out.sort(null);
        return out;
    }

    private static List<Rec> scan(final IndexReader reader, final long low, final long high)
    {
        final List<Rec> out = new ArrayList<>();
        reader.scan(low, high, (d, l, o, f, fl) -> out.add(new Rec(d, l, o, f, fl)));
        return out;
    }

    private static List<Rec> scanAfter(
        final IndexReader reader, final long dev, final long owner, final long file, final long high)
    {
        final List<Rec> out = new ArrayList<>();
        reader.scanAfter(dev, owner, file, high, (d, l, o, f, fl) -> out.add(new Rec(d, l, o, f, fl)));
        return out;
    }

    private static List<Extent> forward(final IndexReader reader, final long owner, final long file, final long len)
    {
        final List<Extent> out = new ArrayList<>();
        reader.forward(owner, file, len, (f, d, l, fl) -> out.add(new Extent(f, d, l, fl)));
        return out;
    }

    /**
     * The answer of a page query: the returned device offset and both kinds of calls, each sorted.
     */
    private record Page(long deviceOffset, List<AddressSpace> spaces, List<OtherOwner> others)
    {
    }

    private static Page page(final IndexReader reader, final long pfn, final Pagemap pagemap)
    {
        final List<AddressSpace> spaces = new ArrayList<>();
        final List<OtherOwner> others = new ArrayList<>();
        final long dev = reader.pageQuery(pfn, pagemap, new PageVisitor()
        {
            @Override
            public void onAddressSpace(final long inode, final long pgoff, final long pgcnt, final int flags)
            {
                spaces.add(new AddressSpace(inode, pgoff, pgcnt, flags));
            }

            @Override
            public void onOtherOwner(
                final long owner, final long deviceOffset, final long length, final long fileOffset, final int flags)
            {
                others.add(new OtherOwner(owner, deviceOffset, length, fileOffset, flags));
            }
        });
        spaces.sort(null);
        others.sort(null);
        return new Page(dev, spaces, others);
    }

    private static Page page(final long dev, final List<AddressSpace> spaces, final List<OtherOwner> others)
    {
        final List<AddressSpace> s = new ArrayList<>(spaces);
        final List<OtherOwner> o = new ArrayList<>(others);
        s.sort(null);
        o.sort(null);
        return new Page(dev, s, o);
    }

    private static AddressSpace as(final long inode, final long pgoff, final long pgcnt, final int flags)
    {
        return new AddressSpace(inode, pgoff, pgcnt, flags);
    }

    // ----------------------------------------------------------------------------------------------- byte ranges

    @Test
    void shouldClipToSixtyFourBytesWhenQueryingInsideBlock()
    {
        final IndexReader reader = create(MIB, 4096);
        commit(b -> b.map(Owner.data(131), 8192, 40960, 8192, 0));
        reader.refresh();

        assertEquals(List.of(rec(45184, 64, Owner.data(131), 12416, 0)), bytes(reader, 45184, 64));
        assertEquals(List.of(rec(49120, 32, Owner.data(131), 16352, 0)), bytes(reader, 49120, 64));
        assertEquals(List.of(rec(40960, 64, Owner.data(131), 8192, 0)), bytes(reader, 40896, 128));
        assertEquals(List.of(), bytes(reader, 49152, 64));
        assertEquals(List.of(), bytes(reader, 0, 40960));
    }

    @Test
    void shouldClipToUnalignedStartWhenRecordStartsMidBlock()
    {
        final IndexReader reader = create(MIB, 4096);
        commit(b -> b
            .map(Owner.data(9), 100, 5096, 3000, 0)
            .map(Owner.data(9), 4000, 8192, 200, 0));
        reader.refresh();

        assertEquals(List.of(rec(5096, 3000, Owner.data(9), 100, 0)), bytes(reader, 4096, 4096));
        assertEquals(List.of(rec(5096, 4, Owner.data(9), 100, 0)), bytes(reader, 5000, 100));
        assertEquals(List.of(rec(8095, 1, Owner.data(9), 3099, 0), rec(8192, 1, Owner.data(9), 4000, 0)),
            bytes(reader, 8095, 98));

        assertEquals(List.of(free(0, 5096), rec(5096, 3000, Owner.data(9), 100, 0), free(8096, 96)),
            scan(reader, 0, 8191));
        assertEquals(List.of(free(0, 5096), rec(5096, 3000, Owner.data(9), 100, 0), free(8096, 96),
            rec(8192, 200, Owner.data(9), 4000, 0)), scan(reader, 0, 8192));
        assertEquals(List.of(rec(8192, 200, Owner.data(9), 4000, 0), free(8392, MIB - 8392)),
            scan(reader, 8192, MIB - 1));

        final Pagemap pm = new Pagemap(0, 2 * MIB, 0, 4096);
        assertEquals(page(4096, List.of(as(9, 0, 1, 0)), List.of()), page(reader, 1, pm));
        assertEquals(page(8192, List.of(as(9, 0, 2, 0)), List.of()), page(reader, 2, pm));
    }

    @Test
    void shouldRefuseQueryWhenRangeLeavesDevice()
    {
        final IndexReader reader = create(MIB, 4096);
        assertThrows(IllegalArgumentException.class, () -> bytes(reader, MIB - 64, 128));
        assertThrows(IllegalArgumentException.class, () -> bytes(reader, -1, 64));
        assertThrows(IllegalArgumentException.class, () -> bytes(reader, 64, Long.MAX_VALUE));
    }

    // ------------------------------------------------------------------------------------------------- pagemaps

    @Test
    void shouldLocatePageWhenPagemapHasDataOffset()
    {
        final IndexReader reader = create(32 * MIB, 4096);
        commit(b -> b.map(Owner.data(7), 0, 65536, 16384, 0));
        reader.refresh();
        final Pagemap pm = new Pagemap(0x1_0000_0000L, 64 * MIB, 2 * MIB, 4096);

        assertEquals(page(69632, List.of(as(7, 1, 1, 0)), List.of()), page(reader, 0x100211, pm));
        assertEquals(page(65536, List.of(as(7, 0, 1, 0)), List.of()), page(reader, 0x100210, pm));
        assertEquals(page(Pagemap.METADATA_AREA, List.of(), List.of()), page(reader, 0x100000, pm));
        assertEquals(page(Pagemap.METADATA_AREA, List.of(), List.of()), page(reader, 0x1001FF, pm));
        assertEquals(page(0, List.of(), List.of()), page(reader, 0x100200, pm));
        assertEquals(page(32 * MIB - 4096, List.of(), List.of()), page(reader, 0x1021FF, pm));
        assertEquals(page(Pagemap.OUTSIDE, List.of(), List.of()), page(reader, 0x102200, pm));
        assertEquals(page(Pagemap.OUTSIDE, List.of(), List.of()), page(reader, 0xFFFFF, pm));
        assertEquals(page(Pagemap.OUTSIDE, List.of(), List.of()), page(reader, 0x104000, pm));
        assertEquals(page(Pagemap.OUTSIDE, List.of(), List.of()), page(reader, -1, pm));
    }

    @Test
    void shouldCountTwoFilePagesWhenDataOffsetIsNotPageAligned()
    {
        final IndexReader reader = create(MIB, 4096);
        commit(b -> b.map(Owner.data(8), 0, 0, 16384, 0));
        reader.refresh();
        final Pagemap pm = new Pagemap(0x1000_0000L, 2 * MIB, 2048, 4096);

        assertEquals(page(2048, List.of(as(8, 0, 2, 0)), List.of()), page(reader, 0x10001, pm));
        assertEquals(page(Pagemap.METADATA_AREA, List.of(), List.of()), page(reader, 0x10000, pm));
        final long lastPage = 0x10000 + (2048 + MIB - 4096) / 4096;
        assertEquals(page(MIB - 6144, List.of(), List.of()), page(reader, lastPage, pm));
        assertEquals(page(MIB - 2048, List.of(), List.of()), page(reader, lastPage + 1, pm));
    }

    @Test
    void shouldClipPageToDeviceEndWhenLastPageIsPartial()
    {
        final IndexReader reader = create(MIB - 1024, 1024);
        commit(b -> b
            .map(Owner.data(3), 8192, MIB - 3072, 1024, 0)
            .allocMetadata(Owner.XFS_LOG, MIB - 1024 - 1024, 1024));
        reader.refresh();
        final Pagemap pm = new Pagemap(0, 4 * MIB, 0, 4096);

        assertEquals(page(MIB - 4096, List.of(as(3, 2, 1, 0)),
            List.of(new OtherOwner(Owner.XFS_LOG, MIB - 2048, 1024, 0, SPECIAL))), page(reader, 255, pm));
        assertEquals(page(Pagemap.OUTSIDE, List.of(), List.of()), page(reader, 256, pm));
    }

    @Test
    void shouldReportEveryFileWhenPageHoldsFourFilesOfSmallBlocks()
    {
        final IndexReader reader = create(MIB, 1024);
        commit(b -> b
            .map(Owner.data(11), 0, 8192, 1024, 0)
            .map(Owner.data(12), 3072, 9216, 1024, 0)
            .map(Owner.data(13), 5120, 10240, 1024, U)
            .map(Owner.data(14), MIB, 11264, 1024, 0)
            .map(Owner.attr(11), 2048, 12288, 1024, 0)
            .allocMetadata(Owner.dataBmbt(11), 13312, 1024)
            .allocMetadata(Owner.XFS_LOG, 14336, 4096));
        reader.refresh();
        final Pagemap pm = new Pagemap(0, MIB, 0, 4096);

        assertEquals(page(8192, List.of(as(11, 0, 1, 0), as(12, 0, 1, 0), as(13, 1, 1, U), as(14, 256, 1, 0)),
            List.of()), page(reader, 2, pm));
        assertEquals(page(12288, List.of(), List.of(
            new OtherOwner(Owner.attr(11), 12288, 1024, 2048, MappingFlags.ATTR_FORK),
            new OtherOwner(Owner.dataBmbt(11), 13312, 1024, 0, MappingFlags.EXTENT_MAP),
            new OtherOwner(Owner.XFS_LOG, 14336, 2048, 0, SPECIAL))), page(reader, 3, pm));
        assertEquals(page(16384, List.of(), List.of(new OtherOwner(Owner.XFS_LOG, 16384, 2048, 0, SPECIAL))),
            page(reader, 4, pm));

        assertEquals(List.of(rec(10240 + 500, 64, Owner.data(13), 5120 + 500, U)), bytes(reader, 10240 + 500, 64));
        assertEquals(List.of(rec(12288, 1024, Owner.attr(11), 2048, MappingFlags.ATTR_FORK),
            rec(13312, 1024, Owner.dataBmbt(11), 0, MappingFlags.EXTENT_MAP),
            rec(14336, 4096, Owner.XFS_LOG, 0, SPECIAL)), bytes(reader, 12288, 8192));
    }

    @Test
    void shouldMergeOnePgoffWhenTwoRecordsOfOneFileShareAPage()
    {
        final IndexReader reader = create(MIB, 1024);
        commit(b -> b
            .map(Owner.data(21), 0, 8192, 1024, U)
            .map(Owner.data(21), 2048, 9216, 1024, 0)
            .map(Owner.data(21), 5120, 10240, 1024, U)
            .map(Owner.data(21), 4096, 11264, 1024, U));
        reader.refresh();
        final Pagemap pm = new Pagemap(0, MIB, 0, 4096);

        assertEquals(page(8192, List.of(as(21, 0, 1, 0), as(21, 1, 1, U)), List.of()), page(reader, 2, pm));
    }

    @Test
    void shouldReportEachPgoffOnceWhenUnalignedRecordsOfOneFileOverlapInPages()
    {
        final IndexReader reader = create(MIB, 1024);
        commit(b -> b
            .map(Owner.data(31), 3072, 0, 2048, U)
            .map(Owner.data(31), 5120, 3072, 1024, 0)
            .map(Owner.data(32), 4096, 2048, 1024, 0)
            .map(Owner.data(33), 11264, 4096, 2048, U)
            .map(Owner.data(33), 14336, 6144, 512, U)
            .map(Owner.data(33), 16384, 7168, 1024, 0));
        reader.refresh();
        final Pagemap pm = new Pagemap(0, MIB, 0, 4096);

        // inode 31: file [3072, 5120) touches pages 0 and 1, file [5120, 6144) page 1 again: page 1 is named once
        assertEquals(page(0, List.of(as(31, 0, 2, 0), as(32, 1, 1, 0)), List.of()), page(reader, 0, pm));
        // inode 33: pages 2..3 and page 3 merge (both unwritten); page 4 only touches them and keeps its own flags
        assertEquals(page(4096, List.of(as(33, 2, 2, U), as(33, 4, 1, 0)), List.of()), page(reader, 1, pm));
        final List<AddressSpace> batched = new ArrayList<>();
        reader.pageQueries(new long[] {0, 1}, 0, 2, pm, new PageBatchVisitor()
        {
            @Override
            public void onPage(final int index, final long deviceOffset)
            {
            }

            @Override
            public void onAddressSpace(final long inode, final long pgoff, final long pgcnt, final int flags)
            {
                batched.add(new AddressSpace(inode, pgoff, pgcnt, flags));
            }

            @Override
            public void onOtherOwner(
                final long owner, final long deviceOffset, final long length, final long fileOffset, final int flags)
            {
            }
        });
        batched.sort(null);
        assertEquals(List.of(as(31, 0, 2, 0), as(32, 1, 1, 0), as(33, 2, 2, U), as(33, 4, 1, 0)), batched);
    }

    // ------------------------------------------------------------------------------------------------ sharing

    @Test
    void shouldReportEachAddressSpaceOnceWhenTenThousandFilesShareOnePage()
    {
        final IndexReader reader = create(64 * MIB, 4096);
        commit(b -> b.map(Owner.data(1), 0, 40960, 4096, 0));
        commit(b ->
        {
            for (long i = 1; i < 10_000; i++)
            {
                b.reflink(Owner.data(1), 0, Owner.data(1000 + i), i * 4096, 4096);
            }
        });
        reader.refresh();

        final Page answer = page(reader, 10, new Pagemap(0, 128 * MIB, 0, 4096));
        assertEquals(40960, answer.deviceOffset());
        assertEquals(List.of(), answer.others());
        assertEquals(10_000, answer.spaces().size());
        final Set<Long> inodes = new HashSet<>();
        for (final AddressSpace space : answer.spaces())
        {
            assertTrue(inodes.add(space.inode()), "inode reported twice: " + space);
            final long expectedPgoff = space.inode() == 1 ? 0 : space.inode() - 1000;
            assertEquals(as(space.inode(), expectedPgoff, 1, S), space);
        }
        assertTrue(inodes.contains(1L) && inodes.contains(1001L) && inodes.contains(10_999L));

        final List<Rec> records = sortedBytes(reader, 40960 + 100, 64);
        assertEquals(10_000, records.size());
        for (final Rec r : records)
        {
            final long inode = Owner.inode(r.owner());
            final long fileOffset = inode == 1 ? 100 : (inode - 1000) * 4096 + 100;
            assertEquals(rec(41060, 64, Owner.data(inode), fileOffset, S), r);
        }
    }

    @Test
    void shouldDropHalfTheAddressSpacesWhenTruncatingEveryOtherOfSixThousandClones()
    {
        final IndexReader reader = create(64 * MIB, 4096);
        commit(b -> b.map(Owner.data(1), 0, 40960, 4096, 0));
        commit(b ->
        {
            for (long i = 1; i < 6_000; i++)
            {
                b.reflink(Owner.data(1), 0, Owner.data(1000 + i), i * 4096, 4096);
            }
        });
        commit(b ->
        {
            for (long i = 1; i < 6_000; i += 2)
            {
                b.truncate(Owner.data(1000 + i), 0);
            }
            b.cowRemap(Owner.data(1002), 8192, 4096, 81920);
        });
        reader.refresh();
        final Pagemap pm = new Pagemap(0, 128 * MIB, 0, 4096);

        final Page answer = page(reader, 10, pm);
        final List<AddressSpace> expected = new ArrayList<>();
        expected.add(as(1, 0, 1, S));
        for (long i = 4; i < 6_000; i += 2)
        {
            expected.add(as(1000 + i, i, 1, S));
        }
        assertEquals(page(40960, expected, List.of()), answer);
        assertEquals(page(81920, List.of(as(1002, 2, 1, 0)), List.of()), page(reader, 20, pm));

        commit(b ->
        {
            for (long i = 4; i < 6_000; i += 2)
            {
                b.unmap(Owner.data(1000 + i), i * 4096, 4096);
            }
        });
        reader.refresh();
        assertEquals(List.of(rec(40960, 4096, Owner.data(1), 0, 0)), bytes(reader, 40960, 4096));
    }

    @Test
    void shouldKeepSixtyFourBitOffsetsWhenDeviceIsLarge()
    {
        index = ReverseIndex.create(new IndexConfig(new DeviceGeometry(7, 1L << 40, 4096), 1024));
        final IndexReader reader = index.newReader();
        final long dev = (1L << 39) + 3 * 4096;
        commit(b -> b
            .map(Owner.data(77), 1L << 45, dev, 8192, 0)
            .map(Owner.data(78), 0, (1L << 40) - 4096, 4096, 0)
            .reflink(Owner.data(77), 1L << 45, Owner.data(79), Long.MAX_VALUE - 8192, 8192));
        reader.refresh();

        assertEquals(List.of(rec(dev + 4106, 64, Owner.data(77), (1L << 45) + 4106, S),
            rec(dev + 4106, 64, Owner.data(79), Long.MAX_VALUE - 8192 + 4106, S)), sortedBytes(reader, dev + 4106, 64));
        assertEquals(List.of(free(0, dev)), scan(reader, 0, 4095));
        assertEquals(List.of(rec(dev, 8192, Owner.data(77), 1L << 45, S),
            rec(dev, 8192, Owner.data(79), Long.MAX_VALUE - 8192, S)), scan(reader, dev, dev));
        assertEquals(List.of(rec((1L << 40) - 4096, 4096, Owner.data(78), 0, 0)),
            scan(reader, (1L << 40) - 1, (1L << 40) - 1));

        final Pagemap pm = new Pagemap(1L << 44, (1L << 40) + 4 * MIB, 2 * MIB, 4096);
        assertEquals(page(dev + 4096, List.of(as(77, (1L << 33) + 1, 1, S), as(79, (1L << 51) - 2, 2, S)),
            List.of()), page(reader, 4429185540L, pm));
        assertEquals(page(dev, List.of(as(77, 1L << 33, 1, S), as(79, (1L << 51) - 3, 2, S)), List.of()),
            page(reader, 4429185539L, pm));
        assertEquals(page((1L << 40) - 4096, List.of(as(78, 0, 1, 0)), List.of()), page(reader, 4563403263L, pm));
        assertEquals(page(Pagemap.OUTSIDE, List.of(), List.of()), page(reader, 4563403264L, pm));
        assertEquals(List.of(new Extent(Long.MAX_VALUE - 8192, dev, 8192, 0)),
            forward(reader, Owner.data(79), 0, Long.MAX_VALUE));
    }

    @Test
    void shouldReportBothFileOffsetsWhenFileSharesBlockWithItself()
    {
        final IndexReader reader = create(4 * MIB, 4096);
        commit(b -> b
            .map(Owner.data(5), 0, 8192, 4096, 0)
            .reflink(Owner.data(5), 0, Owner.data(5), MIB, 4096));
        reader.refresh();

        assertEquals(List.of(rec(8192, 4096, Owner.data(5), 0, S), rec(8192, 4096, Owner.data(5), MIB, S)),
            sortedBytes(reader, 8192, 4096));
        assertEquals(page(8192, List.of(as(5, 0, 1, S), as(5, 256, 1, S)), List.of()),
            page(reader, 2, new Pagemap(0, 8 * MIB, 0, 4096)));
        assertEquals(List.of(new Extent(0, 8192, 4096, 0), new Extent(MIB, 8192, 4096, 0)),
            forward(reader, Owner.data(5), 0, Long.MAX_VALUE));
        assertEquals(List.of(free(0, 8192), rec(8192, 4096, Owner.data(5), 0, S),
            rec(8192, 4096, Owner.data(5), MIB, S), free(12288, 4 * MIB - 12288)), scan(reader, 0, 4 * MIB - 1));

        commit(b -> b.unmap(Owner.data(5), 0, 4096));
        reader.refresh();
        assertEquals(List.of(rec(8192, 4096, Owner.data(5), MIB, 0)), bytes(reader, 8192, 4096));
    }

    @Test
    void shouldSplitSharedExtentWhenCowRemapping()
    {
        final IndexReader reader = create(MIB, 4096);
        commit(b -> b
            .map(Owner.data(1), 0, 65536, 16384, 0)
            .reflink(Owner.data(1), 0, Owner.data(2), 0, 16384));
        commit(b -> b.cowRemap(Owner.data(2), 4096, 4096, 262144));
        reader.refresh();

        final List<Rec> expected = List.of(
            free(0, 65536),
            rec(65536, 16384, Owner.data(1), 0, S),
            rec(65536, 4096, Owner.data(2), 0, S),
            rec(73728, 8192, Owner.data(2), 8192, S),
            free(81920, 180224),
            rec(262144, 4096, Owner.data(2), 4096, 0),
            free(266240, 782336));
        assertEquals(expected, scan(reader, 0, MIB - 1));
        assertEquals(List.of(rec(69632, 4096, Owner.data(1), 4096, 0)), bytes(reader, 69632, 4096));
        assertEquals(List.of(rec(65536, 16384, Owner.data(1), 0, S), rec(65536, 4096, Owner.data(2), 0, S),
            rec(73728, 8192, Owner.data(2), 8192, S)), sortedBytes(reader, 65536, 16384));
        assertEquals(List.of(new Extent(0, 65536, 4096, 0), new Extent(4096, 262144, 4096, 0),
            new Extent(8192, 73728, 8192, 0)), forward(reader, Owner.data(2), 0, 16384));
        assertEquals(expected.subList(2, 7), scanAfter(reader, 65536, Owner.data(1), 0, MIB - 1));
        assertEquals(expected.subList(3, 5), scanAfter(reader, 65536, Owner.data(2), 0, 200000));
    }

    @Test
    void shouldResumePastEveryFileOffsetWhenKeyCarriesTheHighSentinel()
    {
        final IndexReader reader = create(MIB, 4096);
        commit(b -> b
            .map(Owner.data(5), 0, 8192, 4096, 0)
            .reflink(Owner.data(5), 0, Owner.data(5), MIB, 4096)
            .reflink(Owner.data(5), 0, Owner.data(6), 0, 4096)
            .allocMetadata(Owner.XFS_LOG, 16384, 4096));
        reader.refresh();

        final List<Rec> expected = List.of(
            free(0, 8192),
            rec(8192, 4096, Owner.data(5), 0, S),
            rec(8192, 4096, Owner.data(5), MIB, S),
            rec(8192, 4096, Owner.data(6), 0, S),
            free(12288, 4096),
            rec(16384, 4096, Owner.XFS_LOG, 0, SPECIAL),
            free(20480, MIB - 20480));
        assertEquals(expected, scan(reader, 0, MIB - 1));
        // file offsets are keyed unsigned, as XFS's rmap keys: -1 (GETFSMAP's all-ones high key) is the largest
        assertEquals(expected.subList(3, 7), scanAfter(reader, 8192, Owner.data(5), -1, MIB - 1));
        assertEquals(expected.subList(6, 7), scanAfter(reader, 16384, Owner.XFS_LOG, -1, MIB - 1));
        assertEquals(expected.subList(4, 7), scanAfter(reader, 8192, -1, -1, MIB - 1));
        assertEquals(expected.subList(2, 7), scanAfter(reader, 8192, Owner.data(5), 0, MIB - 1));
    }

    @Test
    void shouldSplitRecordWhenPunchingHoleInSharedExtent()
    {
        final IndexReader reader = create(MIB, 4096);
        commit(b -> b
            .map(Owner.data(1), 0, 65536, 16384, 0)
            .reflink(Owner.data(1), 0, Owner.data(2), 0, 16384));
        commit(b -> b.unmap(Owner.data(2), 4096, 8192));
        reader.refresh();

        assertEquals(List.of(free(0, 65536),
            rec(65536, 16384, Owner.data(1), 0, S),
            rec(65536, 4096, Owner.data(2), 0, S),
            rec(77824, 4096, Owner.data(2), 12288, S),
            free(81920, MIB - 81920)), scan(reader, 0, MIB - 1));
        assertEquals(List.of(rec(69632, 8192, Owner.data(1), 4096, 0)), bytes(reader, 69632, 8192));
        assertEquals(List.of(rec(69632, 8193, Owner.data(1), 4096, S), rec(77824, 1, Owner.data(2), 12288, S)),
            bytes(reader, 69632, 8193));
    }

    @Test
    void shouldSkipUnwrittenSourceBytesWhenReflinking()
    {
        final IndexReader reader = create(MIB, 4096);
        commit(b -> b.map(Owner.data(3), 0, 0, 8192, U).convertUnwritten(Owner.data(3), 4096, 4096));
        commit(b -> b.reflink(Owner.data(3), 0, Owner.data(4), 0, 8192));
        reader.refresh();

        assertEquals(List.of(rec(0, 4096, Owner.data(3), 0, U), rec(4096, 4096, Owner.data(3), 4096, S),
            rec(4096, 4096, Owner.data(4), 4096, S), free(8192, MIB - 8192)), scan(reader, 0, MIB - 1));
        assertEquals(List.of(new Extent(4096, 4096, 4096, 0)), forward(reader, Owner.data(4), 0, 8192));
    }

    @Test
    void shouldMergeRecordsWhenTruncatingAndRemapping()
    {
        final IndexReader reader = create(MIB, 4096);
        commit(b -> b
            .map(Owner.data(6), 0, 8192, 4096, 0)
            .map(Owner.data(6), 4096, 12288, 4096, 0)
            .map(Owner.data(6), 8192, 16384, 4096, 0)
            .insert(Owner.data(7), 4096, 12288, 8192, 0));
        reader.refresh();
        assertEquals(List.of(rec(8192, 12288, Owner.data(6), 0, S), rec(12288, 8192, Owner.data(7), 4096, S)),
            bytes(reader, 8192, 12288));

        commit(b -> b.truncate(Owner.data(6), 6000).truncate(Owner.data(7), 0));
        reader.refresh();
        assertEquals(List.of(free(0, 8192), rec(8192, 6000, Owner.data(6), 0, 0), free(14192, MIB - 14192)),
            scan(reader, 0, MIB - 1));
    }

    // ------------------------------------------------------------------------------------------ invalid input

    @Test
    void shouldLeaveIndexUnchangedWhenOpIsInvalid()
    {
        final IndexReader reader = create(MIB, 4096);
        commit(b -> b.map(Owner.data(1), 0, 4096, 8192, 0).allocMetadata(Owner.XFS_LOG, 65536, 4096));
        reader.refresh();
        final List<Rec> before = List.of(free(0, 4096), rec(4096, 8192, Owner.data(1), 0, 0), free(12288, 53248),
            rec(65536, 4096, Owner.XFS_LOG, 0, SPECIAL), free(69632, MIB - 69632));
        assertEquals(before, scan(reader, 0, MIB - 1));

        expectRefused(b -> b.map(Owner.data(2), 0, 8192, 4096, 0), "deviceOffset=8192");
        expectRefused(b -> b.map(Owner.data(2), 0, MIB - 4096, 8192, 0), "deviceOffset=" + (MIB - 4096));
        expectRefused(b -> b.map(Owner.data(2), -4096, 0, 4096, 0), "fileOffset=-4096");
        expectRefused(b -> b.map(Owner.data(2), 0, -1, 4096, 0), "deviceOffset=-1");
        expectRefused(b -> b.map(Owner.data(2), 0, 0, -4096, 0), "length=-4096");
        expectRefused(b -> b.map(Owner.data(2), 0, 0, 0, 0), "length=0");
        expectRefused(b -> b.map(Owner.data(2), Long.MAX_VALUE - 100, 0, 4096, 0),
            "fileOffset=" + (Long.MAX_VALUE - 100));
        expectRefused(b -> b.cowRemap(Owner.data(1), 0, 4096, Long.MAX_VALUE - 10), "" + (Long.MAX_VALUE - 10));
        expectRefused(b -> b.unmap(Owner.data(1), 8192, 4096), "fileOffset=8192");
        expectRefused(b -> b.unmap(Owner.data(1), 4096, 8192), "fileOffset=4096");
        expectRefused(b -> b.map(Owner.data(1), 4096, 32768, 4096, 0), "fileOffset=4096");
        expectRefused(b -> b.insert(Owner.data(2), 0, 65536, 4096, 0), "deviceOffset=65536");
        expectRefused(b -> b.insert(Owner.FREE, 0, 32768, 4096, 0), "owner=");
        expectRefused(b -> b.freeMetadata(Owner.XFS_FS, 65536, 4096), "owner=");
        expectRefused(b -> b.map(Owner.data(2), 0, 32768, 4096, MappingFlags.SHARED), "flags=0x8");
        expectRefused(b -> b.reflink(Owner.data(1), 0, Owner.data(1), 4096, 8192), "length=8192");
        expectRefused(b -> b.dedupe(Owner.data(1), 0, Owner.data(2), 0, 4096), "owner=");
        expectRefused(b -> b.truncate(Owner.data(1), -1), "size=-1");
        expectRefused(b -> b.map(Owner.data(2), 0, 32768, 4096, 0).map(Owner.data(2), 4096, 32768, 4096, 0),
            "deviceOffset=32768");

        reader.refresh();
        assertEquals(1, reader.version());
        assertEquals(before, scan(reader, 0, MIB - 1));
        assertEquals(List.of(new Extent(0, 4096, 8192, 0)), forward(reader, Owner.data(1), 0, Long.MAX_VALUE));
        assertEquals(List.of(), forward(reader, Owner.data(2), 0, Long.MAX_VALUE));
    }

    @Test
    void shouldAllowOneOpenBatchWhenBatchesOverlap()
    {
        final IndexReader reader = create(MIB, 4096);
        final Batch open = index.newBatch();
        open.map(Owner.data(1), 0, 0, 4096, 0);
        assertThrows(IllegalStateException.class, index::newBatch);
        open.abort();
        final Batch next = index.newBatch();
        next.map(Owner.data(1), 0, 4096, 4096, 0);
        assertEquals(1, next.commit());
        assertThrows(IllegalStateException.class, () -> next.map(Owner.data(2), 0, 8192, 4096, 0));
        assertThrows(IllegalStateException.class, next::commit);

        assertEquals(0, reader.version());
        assertEquals(List.of(free(0, MIB)), scan(reader, 0, MIB - 1));
        assertEquals(1, reader.refresh());
        assertEquals(List.of(free(0, 4096), rec(4096, 4096, Owner.data(1), 0, 0), free(8192, MIB - 8192)),
            scan(reader, 0, MIB - 1));
    }

    private void expectRefused(final Consumer<Batch> ops, final String messagePart)
    {
        final Batch batch = index.newBatch();
        final InvalidMutationException ex = assertThrows(InvalidMutationException.class, () -> ops.accept(batch));
        assertTrue(ex.getMessage().contains(messagePart), "message=" + ex.getMessage() + " lacks " + messagePart);
        assertThrows(IllegalStateException.class, () -> batch.unmap(Owner.data(1), 0, 4096));
        assertThrows(IllegalStateException.class, batch::commit);
        batch.abort();
        assertEquals(1, index.version());
    }
}
