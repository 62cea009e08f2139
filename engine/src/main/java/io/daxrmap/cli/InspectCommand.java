package io.daxrmap.cli;

import io.daxrmap.format.DeviceNumber;
import io.daxrmap.index.ReverseIndex;
import io.daxrmap.model.Owner;
import io.daxrmap.store.FilesystemIndex;
import io.daxrmap.store.IndexStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code daxrmap inspect INDEX [--json] [--svg FILE]}: what an index holds and where on the device.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true,
    description = "Records, owners, bytes per owner kind, sharing histogram, most shared extents, most " +
        "fragmented files, memory; --svg draws the device.")
final class InspectCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "INDEX", description = "index directory")
    private Path indexDirectory;

    @Option(names = "--json", description = "one JSON object instead of text")
    private boolean json;

    @Option(names = "--svg", paramLabel = "FILE", description = "draw the data device into an SVG file")
    private Path svg;

    @Override
    public Integer call() throws Exception
    {
        try (FilesystemIndex index = IndexStore.load(indexDirectory))
        {
            if (svg != null && index.device(index.dataDevice()) == null)
            {
                // said, not an exit 0 without the file asked for
                throw new IllegalArgumentException("--svg draws the data device, and this index has none: index=" +
                    indexDirectory);
            }
            final PrintWriter out = spec.commandLine().getOut();
            final List<String> jsonDevices = new ArrayList<>();
            for (final Map.Entry<Integer, ReverseIndex> entry : index.devices().entrySet())
            {
                final boolean draw = svg != null && entry.getKey() == index.dataDevice();
                final DeviceMapDrawing drawing = draw ? new DeviceMapDrawing(entry.getValue().geometry().size()) : null;
                final DeviceStats stats = DeviceStats.of(entry.getValue(), drawing == null ? null : drawing::add);
                final String name = DeviceNumber.major(entry.getKey()) + ":" + DeviceNumber.minor(entry.getKey());
                if (json)
                {
                    jsonDevices.add(json(name, stats, index));
                }
                else
                {
                    text(out, name, stats, index, entry.getKey() == index.dataDevice());
                }
                if (drawing != null)
                {
                    drawing.write(svg, indexDirectory + " device " + name);
                }
            }
            if (json)
            {
                out.printf("{\"index\":%s,\"inodesWithPaths\":%d,\"devices\":[%s]}%n",
                    Json.quote(indexDirectory.toString()), index.paths().size(), String.join(",", jsonDevices));
            }
            out.flush();
        }
        return Main.EXIT_OK;
    }

    private static void text(
        final PrintWriter out, final String name, final DeviceStats stats, final FilesystemIndex index,
        final boolean data)
    {
        out.printf("device %s%s: %d bytes%n", name, data ? " (data)" : "", stats.size);
        out.printf("  records %d, owners %d, off-heap bytes %d (%.1f per record)%n", stats.records, stats.owners.size(),
            stats.offHeapBytes, stats.records == 0 ? 0.0 : (double)stats.offHeapBytes / stats.records);
        out.println("  bytes by kind:");
        for (final DeviceStats.ByteClass byteClass : DeviceStats.ByteClass.values())
        {
            final long bytes = stats.bytesByClass[byteClass.ordinal()];
            if (bytes > 0)
            {
                out.printf("    %-18s %14d  %5.1f%%%n", byteClass.label, bytes, 100.0 * bytes / stats.size);
            }
        }
        out.println("  file data bytes by number of sharers:");
        for (int b = 0; b < DeviceStats.SHARING_BUCKETS.length; b++)
        {
            out.printf("    %-6s %14d%n", DeviceStats.SHARING_BUCKETS[b], stats.sharingHistogram[b]);
        }
        if (!stats.mostShared.isEmpty())
        {
            out.println("  most shared extents:");
            for (final DeviceStats.SharedExtent extent : stats.mostShared)
            {
                out.printf("    device bytes [%d, %d) shared by %d%n", extent.deviceOffset(),
                    extent.deviceOffset() + extent.length(), extent.degree());
            }
        }
        final List<Map.Entry<Long, Integer>> fragmented = mostFragmented(stats);
        if (!fragmented.isEmpty())
        {
            out.println("  most fragmented files (records):");
            for (final Map.Entry<Long, Integer> entry : fragmented)
            {
                final String path = index.path(Owner.inode(entry.getKey()));
                out.printf("    %-24s %6d%s%n", Owner.toString(entry.getKey()), entry.getValue(),
                    path == null ? "" : "  " + path);
            }
        }
    }

    private static String json(final String name, final DeviceStats stats, final FilesystemIndex index)
    {
        final StringBuilder out = new StringBuilder();
        out.append("{\"device\":\"").append(name).append("\",\"size\":").append(stats.size)
            .append(",\"records\":").append(stats.records).append(",\"owners\":").append(stats.owners.size())
            .append(",\"offHeapBytes\":").append(stats.offHeapBytes).append(",\"bytesByKind\":{");
        for (final DeviceStats.ByteClass byteClass : DeviceStats.ByteClass.values())
        {
            out.append(byteClass.ordinal() == 0 ? "" : ",").append(Json.quote(byteClass.label)).append(':')
                .append(stats.bytesByClass[byteClass.ordinal()]);
        }
        out.append("},\"sharingHistogram\":{");
        for (int b = 0; b < DeviceStats.SHARING_BUCKETS.length; b++)
        {
            out.append(b == 0 ? "" : ",").append(Json.quote(DeviceStats.SHARING_BUCKETS[b])).append(':')
                .append(stats.sharingHistogram[b]);
        }
        out.append("},\"mostShared\":[");
        for (int i = 0; i < stats.mostShared.size(); i++)
        {
            final DeviceStats.SharedExtent extent = stats.mostShared.get(i);
            out.append(i == 0 ? "" : ",").append("{\"deviceOffset\":").append(extent.deviceOffset())
                .append(",\"length\":").append(extent.length()).append(",\"sharers\":").append(extent.degree())
                .append('}');
        }
        out.append("],\"mostFragmented\":[");
        final List<Map.Entry<Long, Integer>> fragmented = mostFragmented(stats);
        for (int i = 0; i < fragmented.size(); i++)
        {
            final long owner = fragmented.get(i).getKey();
            final String path = index.path(Owner.inode(owner));
            out.append(i == 0 ? "" : ",").append("{\"owner\":\"").append(Owner.toString(owner))
                .append("\",\"records\":").append(fragmented.get(i).getValue()).append(",\"path\":")
                .append(path == null ? "null" : Json.quote(path)).append('}');
        }
        return out.append("]}").toString();
    }

    private static List<Map.Entry<Long, Integer>> mostFragmented(final DeviceStats stats)
    {
        final List<Map.Entry<Long, Integer>> files = new ArrayList<>();
        for (final Map.Entry<Long, Integer> entry : stats.recordsByOwner.entrySet())
        {
            if (Owner.isFileData(entry.getKey()) && entry.getValue() > 1)
            {
                files.add(entry);
            }
        }
        files.sort((a, b) -> !a.getValue().equals(b.getValue()) ? Integer.compare(b.getValue(), a.getValue()) :
            Long.compare(a.getKey(), b.getKey()));
        return files.subList(0, Math.min(DeviceStats.TOP, files.size()));
    }
}
