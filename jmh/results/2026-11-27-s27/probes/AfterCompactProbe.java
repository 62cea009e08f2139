package io.daxrmap.index;

import io.daxrmap.model.Pagemap;
import io.daxrmap.testdata.Dataset;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Chained page queries over uniform probes on a fresh index, then right after compactions, with the process's
 * huge-page-backed anonymous memory from /proc/self/smaps_rollup.
 */
public class AfterCompactProbe
{
    public static void main(String[] args) throws Exception
    {
        final Dataset data = BenchData.load(args[0]);
        final ReverseIndex index = data.index();
        final IndexReader reader = index.newReader();
        final long size = index.geometry().size();
        final long[] uniform = UniformProbe.draw(reader, size, 1 << 22);
        final Pagemap pagemap = new Pagemap(UniformProbe.PHYS_BASE, size + (1 << 21), 0, 4096);
        final Sink sink = new Sink();
        report("fresh", reader, uniform, pagemap, sink);
        report("fresh again", reader, uniform, pagemap, sink);
        for (int c = 0; c < 2; c++)
        {
            final long t0 = System.nanoTime();
            index.compactNow();
            System.out.printf("compaction %d: %.2f s%n", c, (System.nanoTime() - t0) / 1e9);
            reader.refresh();
            System.gc();
            report("after compaction " + c, reader, uniform, pagemap, sink);
            Thread.sleep(5000);
            report("after compaction " + c + ", 5 s later", reader, uniform, pagemap, sink);
        }
        System.out.println("sink " + sink.accumulator);
    }

    static void report(String what, IndexReader reader, long[] probes, Pagemap pagemap, Sink sink) throws Exception
    {
        final double ns = UniformProbe.chain(reader, probes, pagemap, sink);
        String huge = "?";
        for (String line : Files.readAllLines(Path.of("/proc/self/smaps_rollup")))
        {
            if (line.startsWith("AnonHugePages"))
            {
                huge = line.replaceAll("\\s+", " ");
            }
        }
        System.out.printf("%s: %.1f ns; %s%n", what, ns, huge);
    }
}
