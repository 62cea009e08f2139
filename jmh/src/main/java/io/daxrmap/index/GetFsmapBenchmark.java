package io.daxrmap.index;

import io.daxrmap.cli.Main;
import io.daxrmap.model.Owner;
import io.daxrmap.model.Pagemap;
import io.daxrmap.source.GetFsmap;
import io.daxrmap.store.FilesystemIndex;
import io.daxrmap.store.IndexStore;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * The kernel's own reverse map as a baseline, in a harness of its own because it needs root and a mounted XFS
 * (DESIGN.md section 7: daxrmap at least 30x faster than a GETFSMAP ioctl per query).
 * <p>
 * Setup makes a loop-mounted XFS ({@code mkfs.xfs -m reflink=1,rmapbt=1}) holding a clone-heavy layout: a golden file
 * of {@code extents} 16 KiB extents (a 32 KiB-strided file with every other 16 KiB punched out), {@code clones} {@code
 * cp --reflink} copies of it, and 8 one-block CoW writes in each copy. It indexes the filesystem with {@code daxrmap
 * index} (GETFSMAP), checks that both answer the same owners for a probe, and then asks both about one 4 KiB page of
 * the golden file at a time: {@code getfsmap} is {@code FS_IOC_GETFSMAP} for that page's byte range on a descriptor
 * opened once (the records come back whole, one per sharer); {@code daxrmap} is a page query on the index built from
 * the same filesystem. Needs root, xfsprogs and loop devices; the filesystem is unmounted and deleted at teardown.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class GetFsmapBenchmark extends ForkedBenchmark
{
    private static final int PAGE = 4096;
    private static final int PROBES = 1024;

    /** Extents of the golden file. */
    @Param({"2048"})
    public int extents;

    /** Reflink copies of the golden file. */
    @Param({"64"})
    public int clones;

    /** How the page is asked about. */
    @Param({"getfsmap", "daxrmap"})
    public String source;

    private Path work;
    private Path mountPoint;
    private boolean mounted;
    private FilesystemIndex index;
    private IndexReader reader;
    private GetFsmap fsmap;
    private GetFsmap.Opened opened;
    private int device;
    private final long[] probes = new long[PROBES];
    private final Pagemap pagemap = new Pagemap(0, Long.MAX_VALUE >> 1, 0, PAGE);
    private int next;
    private final Sink sink = new Sink();

    /**
     * Make, fill, mount and index the filesystem; pick the probe pages.
     *
     * @throws IOException if a command fails.
     * @throws InterruptedException if interrupted.
     */
    @Setup(Level.Trial)
    public void setUp() throws IOException, InterruptedException
    {
        work = Files.createTempDirectory("daxrmap-getfsmap-");
        mountPoint = work.resolve("mnt");
        Files.createDirectory(mountPoint);
        final long fileBytes = extents * 32L * 1024;
        shell("truncate -s 2G \"$W/img\" && mkfs.xfs -q -f -m reflink=1,rmapbt=1 \"$W/img\" && " +
            "mount -o loop,noatime \"$W/img\" \"$W/mnt\"");
        mounted = true;
        final StringBuilder punches = new StringBuilder();
        for (long off = 16 * 1024; off < fileBytes; off += 32 * 1024)
        {
            punches.append(" -c 'fpunch ").append(off).append(" 16k'");
        }
        shell("xfs_io -f -c 'pwrite -q -b 1m 0 " + fileBytes + "' -c fsync" + punches + " \"$W/mnt/golden\"");
        final SplittableRandom random = new SplittableRandom(1);
        final StringBuilder copies = new StringBuilder("sync");
        for (int c = 0; c < clones; c++)
        {
            copies.append(" && cp --reflink=always \"$W/mnt/golden\" \"$W/mnt/clone").append(c).append('"');
            copies.append(" && xfs_io");
            for (int d = 0; d < 8; d++)
            {
                copies.append(" -c 'pwrite -q -S 0x").append(Integer.toHexString(c + 1)).append(' ')
                    .append(random.nextInt(extents) * 32L * 1024).append(" 4k'");
            }
            copies.append(" -c fsync \"$W/mnt/clone").append(c).append('"');
        }
        shell(copies + " && sync");
        final Path indexDirectory = work.resolve("index");
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int status = Main.run(new String[]{"index", mountPoint.toString(), "-o", indexDirectory.toString(),
            "--source", "fsmap"}, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
        if (status != 0)
        {
            throw new IOException("daxrmap index failed: " + err.toString(StandardCharsets.UTF_8));
        }
        index = IndexStore.load(indexDirectory);
        final ReverseIndex data = index.device(index.dataDevice());
        device = data.geometry().device();
        reader = data.newReader();
        fsmap = new GetFsmap(4096);
        opened = fsmap.open(mountPoint);
        final long golden = Owner.data((Long)Files.getAttribute(mountPoint.resolve("golden"), "unix:ino"));
        final List<Long> pages = new ArrayList<>();
        reader.forward(golden, 0, Long.MAX_VALUE >> 2, (fileOffset, deviceOffset, length, flags) ->
        {
            for (long p = deviceOffset & -PAGE; p < deviceOffset + length; p += PAGE)
            {
                pages.add(p);
            }
            return true;
        });
        final SplittableRandom pick = new SplittableRandom(2);
        for (int i = 0; i < PROBES; i++)
        {
            probes[i] = pages.get(pick.nextInt(pages.size()));
        }
        checkBothAgree(probes[0]);
        final long records = fsmap.count(mountPoint);
        System.out.println();
        System.out.println("getfsmap harness: extents=" + extents + " clones=" + clones + " rmap records=" + records +
            " golden pages=" + pages.size() + " source=" + source);
    }

    private void checkBothAgree(final long page) throws IOException
    {
        final TreeSet<Long> kernel = new TreeSet<>();
        fsmap.readRange(mountPoint, device, page, page + PAGE - 1,
            (major, minor, deviceOffset, length, owner, fileOffset, flags) ->
            {
                if (Owner.isFileData(owner))
                {
                    kernel.add(Owner.inode(owner) << 24 | (fileOffset + (page - deviceOffset)) / PAGE);
                }
            });
        final TreeSet<Long> ours = new TreeSet<>();
        reader.pageQuery(page / PAGE, pagemap, new PageVisitor()
        {
            @Override
            public void onAddressSpace(final long inode, final long pgoff, final long pgcnt, final int flags)
            {
                ours.add(inode << 24 | pgoff);
            }

            @Override
            public void onOtherOwner(
                final long owner, final long deviceOffset, final long length, final long fileOffset, final int flags)
            {
            }
        });
        if (!kernel.equals(ours) || ours.size() < 2)
        {
            throw new IllegalStateException("GETFSMAP and the index disagree on page " + page + ": kernel=" + kernel +
                " daxrmap=" + ours);
        }
    }

    /**
     * Unmount and delete the filesystem.
     *
     * @throws IOException if a command fails.
     * @throws InterruptedException if interrupted.
     */
    @TearDown(Level.Trial)
    public void tearDown() throws IOException, InterruptedException
    {
        if (opened != null)
        {
            opened.close();
        }
        if (fsmap != null)
        {
            fsmap.close();
        }
        if (index != null)
        {
            index.close();
        }
        if (mounted)
        {
            shell("umount \"$W/mnt\"");
        }
        shell("rm -rf \"$W\"");
    }

    /**
     * The owners of one page of the golden file.
     *
     * @return the running accumulator.
     * @throws IOException if GETFSMAP fails.
     */
    @Benchmark
    public long pageOwners() throws IOException
    {
        final long page = probes[next++ & (PROBES - 1)];
        if ("getfsmap".equals(source))
        {
            opened.readRange(device, page, page + PAGE - 1,
                (major, minor, deviceOffset, length, owner, fileOffset, flags) ->
                    sink.accumulator += owner + fileOffset);
        }
        else
        {
            reader.pageQuery(page / PAGE, pagemap, sink);
        }
        return sink.accumulator;
    }

    private void shell(final String script) throws IOException, InterruptedException
    {
        final ProcessBuilder builder = new ProcessBuilder("bash", "-c", "set -e; " + script).redirectErrorStream(true);
        builder.environment().put("W", work.toString());
        final Process process = builder.start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0)
        {
            throw new IOException("command failed: " + script.substring(0, Math.min(200, script.length())) + ": " +
                output);
        }
    }
}
