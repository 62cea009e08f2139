package io.daxrmap.example;

import io.daxrmap.format.FormatException;
import io.daxrmap.format.FsmapCsvReader;
import io.daxrmap.index.Batch;
import io.daxrmap.index.IndexConfig;
import io.daxrmap.index.IndexReader;
import io.daxrmap.index.InvalidMutationException;
import io.daxrmap.index.PageVisitor;
import io.daxrmap.index.ReverseIndex;
import io.daxrmap.model.DeviceGeometry;
import io.daxrmap.model.MappingFlags;
import io.daxrmap.model.Owner;
import io.daxrmap.model.Pagemap;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Loads an extent map captured with {@code xfs_io -c 'fsmap -m'} into a reverse index and shows what the engine
 * answers: a page query (the kill path) and a 64-byte byte query (repair) on the first page shared by several
 * files, as a pmem device mapped at physical address {@value #PHYS_BASE_HEX} would see them.
 * <p>
 * Usage: {@code SampleQueries FSMAP_CSV}. Exit status 2 on bad input, with a one-line message naming the file, line
 * and field.
 */
public final class SampleQueries
{
    private static final String PHYS_BASE_HEX = "0x100000000";
    private static final long PHYS_BASE = 0x1_0000_0000L;
    private static final int PAGE_SIZE = 4096;
    private static final int BLOCK_SIZE = 4096;

    private SampleQueries()
    {
    }

    /**
     * Run the example.
     *
     * @param args the fsmap-csv file.
     */
    public static void main(final String[] args)
    {
        if (args.length != 1)
        {
            System.err.println("usage: SampleQueries FSMAP_CSV");
            System.exit(2);
        }
        try
        {
            run(Path.of(args[0]), System.out);
        }
        catch (final FormatException | InvalidMutationException ex)
        {
            System.err.println(args[0] + ": " + ex.getMessage());
            System.exit(2);
        }
        catch (final IOException ex)
        {
            System.err.println(args[0] + ": cannot read: " + ex.getMessage());
            System.exit(2);
        }
    }

    static void run(final Path file, final PrintStream out) throws IOException
    {
        if (!Files.isRegularFile(file))
        {
            throw new IOException("no such file");
        }
        final FsmapCsvReader reader = new FsmapCsvReader();
        final long[] extent = {0, -1, -1};
        reader.read(file, (major, minor, deviceOffset, length, owner, fileOffset, flags) ->
        {
            final long device = (long)major << 32 | minor;
            if (extent[1] < 0)
            {
                extent[1] = device;
            }
            if (device == extent[1])
            {
                extent[0] = Math.max(extent[0], deviceOffset + length);
            }
        });
        if (extent[1] < 0)
        {
            throw new IOException("no records");
        }
        final long deviceSize = (extent[0] + BLOCK_SIZE - 1) / BLOCK_SIZE * BLOCK_SIZE;
        final ReverseIndex index = ReverseIndex.create(IndexConfig.of(new DeviceGeometry(0, deviceSize, BLOCK_SIZE)));
        final Batch batch = index.newBatch();
        final long[] loaded = new long[1];
        reader.read(file, (major, minor, deviceOffset, length, owner, fileOffset, flags) ->
        {
            if (((long)major << 32 | minor) == extent[1] && owner != Owner.FREE)
            {
                batch.insert(owner, fileOffset, deviceOffset, length, flags & MappingFlags.STORED);
                loaded[0]++;
            }
        });
        batch.commit();

        final IndexReader query = index.newReader();
        final long[] firstShared = {-1, -1};
        query.scan(0, deviceSize - 1, (deviceOffset, length, owner, fileOffset, flags) ->
        {
            if (firstShared[1] < 0 && Owner.isFileData(owner))
            {
                firstShared[1] = deviceOffset;
            }
            if ((flags & MappingFlags.SHARED) != 0)
            {
                firstShared[0] = deviceOffset;
                return false;
            }
            return true;
        });
        final long page = (firstShared[0] >= 0 ? firstShared[0] : Math.max(0, firstShared[1])) & -PAGE_SIZE;
        out.printf("%s: %d records on device %d:%d, %d bytes, %d share groups, %d off-heap bytes%n",
            file, loaded[0], extent[1] >>> 32, extent[1] & 0xFFFF_FFFFL, deviceSize, index.shareGroups(),
            index.liveOffHeapBytes());

        final Pagemap pagemap = new Pagemap(PHYS_BASE, deviceSize, 0, PAGE_SIZE);
        final long pfn = (PHYS_BASE + page) / PAGE_SIZE;
        out.printf("%npage query: pfn 0x%x (device offset %d, pagemap %s:%d)%n", pfn, page, PHYS_BASE_HEX, deviceSize);
        query.pageQuery(pfn, pagemap, new PageVisitor()
        {
            @Override
            public void onAddressSpace(final long inode, final long pgoff, final long pgcnt, final int flags)
            {
                out.printf("  kill   inode %d pgoff %d pgcnt %d%s%n", inode, pgoff, pgcnt, describe(flags));
            }

            @Override
            public void onOtherOwner(
                final long owner, final long deviceOffset, final long length, final long fileOffset, final int flags)
            {
                out.printf("  owner  %s device [%d, %d)%n", Owner.toString(owner), deviceOffset, deviceOffset + length);
            }
        });

        final long poison = page + 128;
        out.printf("%nbyte query: 64 bytes at device offset %d%n", poison);
        query.byteQuery(poison, 64, (deviceOffset, length, owner, fileOffset, flags) ->
        {
            out.printf("  %-22s device [%d, %d) file [%d, %d)%s%n", Owner.toString(owner), deviceOffset,
                deviceOffset + length, fileOffset, fileOffset + length, describe(flags));
            return true;
        });
    }

    private static String describe(final int flags)
    {
        return ((flags & MappingFlags.SHARED) != 0 ? " shared" : "") +
            ((flags & MappingFlags.UNWRITTEN) != 0 ? " unwritten" : "");
    }
}
