package io.daxrmap.index;

import io.daxrmap.index.ReferenceModel.AddressSpace;
import io.daxrmap.index.ReferenceModel.OtherOwner;
import io.daxrmap.index.ReferenceModel.PageAnswer;
import io.daxrmap.index.ReferenceModel.Rec;
import io.daxrmap.index.ReverseIndexPropertyTest.Op;
import io.daxrmap.index.ReverseIndexPropertyTest.Profile;
import io.daxrmap.model.DeviceGeometry;
import io.daxrmap.model.Pagemap;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * One long-lived reader against the reference model, in a fresh JVM each time, so that the JIT compiles the reader's
 * code while the session runs (inside the test JVM other tests compiled it long before). The session is the one a
 * review found wrong on JDK 17.0.15 once C2 compiled {@code IndexReader.contains} (most likely folding its two
 * compares of a piece value into one unsigned compare): a scan then missed a reference of a shared piece, in a third
 * to two thirds of the JVMs, so five of them catch it at least 87 times in 100.
 */
class CompiledReaderTest
{
    private static final int RUNS = 5;
    private static final long SEED = 100;
    private static final int BATCHES = 30;

    @Test
    void shouldAgreeWithTheModelWhileTheReaderIsCompiled() throws IOException, InterruptedException
    {
        for (int run = 0; run < RUNS; run++)
        {
            final Path log = Files.createTempFile("compiled-reader", ".log");
            try
            {
                // output to a file, so that the timeout can fire while the child runs
                final Process child = new ProcessBuilder(ChildJvm.command(
                    List.of("-XX:ActiveProcessorCount=1", "-Xmx1g"), CompiledReaderTest.class, Long.toString(SEED)))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
                if (!child.waitFor(2, TimeUnit.MINUTES))
                {
                    child.destroyForcibly();
                    fail("run " + run + " ran for two minutes:\n" + Files.readString(log, StandardCharsets.UTF_8));
                }
                assertEquals(0, child.exitValue(), "run " + run + ":\n" + Files.readString(log, StandardCharsets.UTF_8));
            }
            finally
            {
                Files.deleteIfExists(log);
            }
        }
    }

    /**
     * Run the session of a seed; exit 1 with the first disagreement.
     *
     * @param args the seed.
     */
    public static void main(final String[] args)
    {
        final String disagreement = session(Long.parseLong(args[0]));
        if (disagreement != null)
        {
            System.out.println(disagreement);
            System.exit(1);
        }
    }

    /**
     * Batches of random operations on a large device, each followed by page queries of large pages, batched page
     * queries, a full scan and byte queries, all from one reader that refreshes, against the model.
     *
     * @return the first disagreement, or null.
     */
    static String session(final long seed)
    {
        final Random random = new Random(seed);
        final Profile profile = Profile.values()[random.nextInt(4)];
        final long size = (1L << (33 + random.nextInt(12))) + (long)random.nextInt(1000) * 4096;
        final DeviceGeometry geometry = new DeviceGeometry(1, size, 4096);
        final long expectedRecords = random.nextBoolean() ? 100_000 : 1 + random.nextInt(50);
        final OpGenerator generator = new OpGenerator(random, geometry, profile);
        try (DifferentialSession session = new DifferentialSession(geometry, expectedRecords))
        {
            for (int batch = 0; batch < BATCHES; batch++)
            {
                session.begin();
                boolean alive = true;
                for (int action = 1 + random.nextInt(6); action > 0 && alive; action--)
                {
                    for (final Op op : generator.next(session.model))
                    {
                        if (!session.step(op))
                        {
                            alive = false;
                            break;
                        }
                    }
                }
                session.end(false);
                session.reader.refresh();
                final String disagreement = check(session.reader, session.model, random);
                if (disagreement != null)
                {
                    return "seed " + seed + " batch " + batch + ": " + disagreement;
                }
            }
        }
        return null;
    }

    /**
     * Batched page queries answer as single ones.
     */
    private static String checkBatched(final IndexReader reader, final long size, final int pageSize, final Random random)
    {
        final Pagemap pagemap = new Pagemap(1L << 32, 8192 + size + pageSize, 8192, pageSize);
        final long first = (1L << 32) / pageSize;
        final int n = (int)Math.min(2000, (8192 + size) / pageSize + 3);
        final long[] pfns = new long[n];
        for (int i = 0; i < n; i++)
        {
            pfns[i] = n < 2000 ? first - 1 + i : first + (long)(random.nextDouble() * ((8192 + size) / pageSize + 2));
        }
        final List<Object> batched = new ArrayList<>();
        reader.pageQueries(pfns, 0, n, pagemap, new PageBatchVisitor()
        {
            @Override
            public void onPage(final int index, final long deviceOffset)
            {
                batched.add("page " + index + " " + deviceOffset);
            }

            @Override
            public void onAddressSpace(final long inode, final long pgoff, final long pgcnt, final int flags)
            {
                batched.add(new AddressSpace(inode, pgoff, pgcnt, flags));
            }

            @Override
            public void onOtherOwner(
                final long owner, final long start, final long length, final long fileOffset, final int flags)
            {
                batched.add(new OtherOwner(owner, start, length, fileOffset, flags));
            }
        });
        final List<Object> single = new ArrayList<>();
        for (int i = 0; i < n; i++)
        {
            final List<AddressSpace> spaces = new ArrayList<>();
            final List<OtherOwner> others = new ArrayList<>();
            single.add("page " + i + " " + pageQuery(reader, pfns[i], pagemap, spaces, others));
            single.addAll(spaces);
            single.addAll(others);
        }
        return batched.equals(single) ? null : "pageQueries of " + pagemap + ": " + batched + ", single " + single;
    }

    /**
     * One page query, its calls in the order made: address spaces and other owners.
     */
    private static long pageQuery(
        final IndexReader reader, final long pfn, final Pagemap pagemap, final List<AddressSpace> spaces,
        final List<OtherOwner> others)
    {
        return reader.pageQuery(pfn, pagemap, new PageVisitor()
        {
            @Override
            public void onAddressSpace(final long inode, final long pgoff, final long pgcnt, final int flags)
            {
                spaces.add(new AddressSpace(inode, pgoff, pgcnt, flags));
            }

            @Override
            public void onOtherOwner(
                final long owner, final long start, final long length, final long fileOffset, final int flags)
            {
                others.add(new OtherOwner(owner, start, length, fileOffset, flags));
            }
        });
    }

    private static String check(final IndexReader reader, final ReferenceModel model, final Random random)
    {
        final long size = model.geometry().size();
        for (final int pageSize : new int[]{1 << 14, 1 << 16, 1 << 18, 1 << 20})
        {
            for (final long dataOffset : new long[]{0, pageSize, 512, 3 * 4096})
            {
                final Pagemap pagemap = new Pagemap(1L << 32, dataOffset + size + pageSize, dataOffset, pageSize);
                final long first = (1L << 32) / pageSize;
                final long pages = (dataOffset + size) / pageSize + 2;
                for (long k = 0; k < Math.min(pages, 300); k++)
                {
                    final long pfn = pages <= 300 ? first + k :
                        first + (k < 10 ? pages - k : (long)(random.nextDouble() * pages));
                    final List<AddressSpace> spaces = new ArrayList<>();
                    final List<OtherOwner> others = new ArrayList<>();
                    final long deviceOffset = pageQuery(reader, pfn, pagemap, spaces, others);
                    Collections.sort(spaces);
                    Collections.sort(others);
                    final PageAnswer expected = model.pageQuery(pfn, pagemap);
                    if (deviceOffset != expected.deviceOffset() || !spaces.equals(expected.addressSpaces()) ||
                        !others.equals(expected.others()))
                    {
                        return "page " + pfn + " of " + pagemap + ": " + deviceOffset + " " + spaces + " " + others +
                            ", expected " + expected;
                    }
                }
            }
        }
        for (final int pageSize : new int[]{1 << 12, 1 << 16, 1 << 20})
        {
            final String disagreement = checkBatched(reader, size, pageSize, random);
            if (disagreement != null)
            {
                return disagreement;
            }
        }
        final List<Rec> all = new ArrayList<>();
        reader.scan(0, Long.MAX_VALUE, (d, l, o, f, fl) -> all.add(new Rec(d, l, o, f, fl)));
        if (!all.equals(model.scan(0, size - 1)))
        {
            return "scan(0, MAX): " + all + ", expected " + model.scan(0, size - 1);
        }
        for (int i = 0; i < 20; i++)
        {
            final long low = (long)(random.nextDouble() * size);
            final long high = random.nextBoolean() ? Long.MAX_VALUE : low + (long)(random.nextDouble() * (size - low));
            final List<Rec> found = new ArrayList<>();
            reader.scan(low, high, (d, l, o, f, fl) -> found.add(new Rec(d, l, o, f, fl)));
            if (!found.equals(model.scan(low, Math.min(high, size - 1))))
            {
                return "scan(" + low + ", " + high + "): " + found;
            }
        }
        final List<Rec> paged = new ArrayList<>();
        while (paged.size() <= all.size())
        {
            final List<Rec> one = new ArrayList<>();
            if (paged.isEmpty())
            {
                reader.scan(0, Long.MAX_VALUE, (d, l, o, f, fl) -> !one.add(new Rec(d, l, o, f, fl)));
            }
            else
            {
                final Rec last = paged.get(paged.size() - 1);
                reader.scanAfter(last.deviceOffset(), last.owner(), last.fileOffset(), Long.MAX_VALUE,
                    (d, l, o, f, fl) -> !one.add(new Rec(d, l, o, f, fl)));
            }
            if (one.isEmpty())
            {
                break;
            }
            paged.add(one.get(0));
        }
        if (!paged.equals(all))
        {
            return "scan a record at a time: " + paged + ", expected " + all;
        }
        for (int i = 0; i < 30; i++)
        {
            final long offset = (long)(random.nextDouble() * size);
            final long length = 1 + (long)(random.nextDouble() * (size - offset - 1));
            final List<Rec> found = new ArrayList<>();
            reader.byteQuery(offset, length, (d, l, o, f, fl) -> found.add(new Rec(d, l, o, f, fl)));
            Collections.sort(found);
            if (!found.equals(model.byteQuery(offset, length)))
            {
                return "byteQuery(" + offset + ", " + length + "): " + found + ", expected " +
                    model.byteQuery(offset, length);
            }
        }
        return null;
    }
}
