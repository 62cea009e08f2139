package io.daxrmap.cli;

import io.daxrmap.index.IndexReader;
import io.daxrmap.index.PageVisitor;
import io.daxrmap.index.ReverseIndex;
import io.daxrmap.model.Owner;
import io.daxrmap.model.Pagemap;
import io.daxrmap.store.FilesystemIndex;
import io.daxrmap.store.IndexStore;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code daxrmap query INDEX --range START:END} (GETFSMAP semantics) or
 * {@code daxrmap query INDEX --pfn N --pagemap BASE_PHYS:SIZE[:DATA_OFFSET]} (the kill path).
 */
@Command(name = "query", mixinStandardHelpOptions = true,
    description = "Records overlapping a device range (as xfs_io -c 'fsmap -d START END'), or the address_spaces " +
        "and pgoffs that map a physical page.")
final class QueryCommand implements Callable<Integer>
{
    /** The kernel's page, the unit of pfn, pgoff and pgcnt. */
    private static final int BASE_PAGE = 4096;

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "INDEX", description = "index directory")
    private Path indexDirectory;

    @Option(names = "--range", paramLabel = "START:END", description = "inclusive data-device range, in --units")
    private String range;

    @Option(names = "--units", defaultValue = "sectors", paramLabel = "UNITS",
        description = "sectors, bytes or blocks; default ${DEFAULT-VALUE}")
    private Units units;

    @Option(names = "--format", paramLabel = "FORMAT",
        description = "with --range: fsmap-csv (default), fsmap-verbose or json; with --pfn: text (default) or json")
    private String format;

    @Option(names = "--pfn", paramLabel = "N",
        description = "page frame number (decimal or 0x hex), in 4 KiB pages as the kernel counts them")
    private String pfn;

    @Option(names = "--pagemap", paramLabel = "BASE_PHYS:SIZE[:DATA_OFFSET]",
        description = "the device's physical window (decimal or 0x hex)")
    private String pagemap;

    @Option(names = "--page-size", defaultValue = "4096", paramLabel = "BYTES",
        description = "size of the mapping to answer for, a power of two from 4096 (2097152 or 0x200000 for a PMD): " +
            "the page of that size holding the pfn; pgoff and pgcnt stay in 4 KiB pages; default ${DEFAULT-VALUE}")
    private String pageSizeText;

    @Override
    public Integer call() throws Exception
    {
        if ((range == null) == (pfn == null))
        {
            throw new ParameterException(spec.commandLine(), "give exactly one of --range and --pfn");
        }
        if (pfn != null && pagemap == null)
        {
            throw new ParameterException(spec.commandLine(), "--pfn needs --pagemap BASE_PHYS:SIZE[:DATA_OFFSET]");
        }
        // an option of the other question would be ignored: the user meant something this answer does not say
        final CommandLine.ParseResult given = spec.commandLine().getParseResult();
        if (pfn != null && given.hasMatchedOption("--units"))
        {
            throw new ParameterException(spec.commandLine(), "--units goes with --range (--pfn answers in 4 KiB " +
                "pages and device bytes)");
        }
        if (range != null && (given.hasMatchedOption("--pagemap") || given.hasMatchedOption("--page-size")))
        {
            throw new ParameterException(spec.commandLine(), "--pagemap and --page-size go with --pfn");
        }
        try (FilesystemIndex index = IndexStore.load(indexDirectory))
        {
            if (range != null)
            {
                DumpCommand.print(spec, index, RecordFormat.parse(format == null ? "fsmap-csv" : format), range, units);
            }
            else
            {
                pageQuery(index);
            }
        }
        return Main.EXIT_OK;
    }

    private void pageQuery(final FilesystemIndex index)
    {
        final boolean json = "json".equals(format);
        if (format != null && !json && !"text".equals(format))
        {
            throw new IllegalArgumentException("unknown format for --pfn: format=" + format + " (text, json)");
        }
        // -1: an empty field (a trailing colon) is refused, never dropped
        final String[] window = pagemap.split(":", -1);
        if (window.length < 2 || window.length > 3)
        {
            throw new IllegalArgumentException("--pagemap takes BASE_PHYS:SIZE[:DATA_OFFSET]: pagemap=" + pagemap);
        }
        final long pageSizeValue = Units.parseNumber(pageSizeText, "--page-size");
        if (pageSizeValue < BASE_PAGE || pageSizeValue > 1 << 30 || Long.bitCount(pageSizeValue) != 1)
        {
            throw new IllegalArgumentException("--page-size must be a power of two from " + BASE_PAGE + " to 2^30: " +
                "pageSize=" + pageSizeText);
        }
        final int pageSize = (int)pageSizeValue;
        final long base = Units.parseNumber(window[0], "BASE_PHYS");
        final long dataOffset = window.length == 3 ? Units.parseNumber(window[2], "DATA_OFFSET") : 0;
        if (pageSize > BASE_PAGE && ((base + dataOffset) & (pageSize - 1)) != 0)
        {
            // a larger page maps a device only from a data start aligned to it (as fsdax requires of PMD mappings):
            // otherwise the page holding the pfn would be judged by bytes outside the device, or its metadata area
            throw new IllegalArgumentException("--page-size " + pageSize + " needs the data start BASE_PHYS + " +
                "DATA_OFFSET aligned to it: 0x" + Long.toHexString(base + dataOffset) + " is not");
        }
        final Pagemap map = new Pagemap(base, Units.parseNumber(window[1], "SIZE"), dataOffset, pageSize);
        final long frame = Units.parseNumber(pfn, "pfn");
        // the kernel's pfn counts 4 KiB pages whatever the mapping's size; the page query counts pages of pageSize
        final int pagesShift = Integer.numberOfTrailingZeros(pageSize) - Integer.numberOfTrailingZeros(BASE_PAGE);
        final ReverseIndex device = index.device(index.dataDevice());
        if (device == null)
        {
            throw new IllegalArgumentException("index has no data device");
        }
        final IndexReader reader = device.newReader();
        final PrintWriter out = spec.commandLine().getOut();
        final StringBuilder kill = new StringBuilder();
        final StringBuilder owners = new StringBuilder();
        // the pfn's own 4 KiB page is what lies in the window or not, and in its metadata area or not: a larger page
        // holding it may start before the window or reach past its end (a window smaller than the page, or not a
        // whole number of them), and would be judged by its first byte instead
        final long where = new Pagemap(base, map.size(), dataOffset, BASE_PAGE).locate(frame);
        final long deviceOffset = where < 0 ? where : reader.pageQuery(frame >>> pagesShift, map, new PageVisitor()
        {
            @Override
            public void onAddressSpace(final long inode, final long pages, final long pageCount, final int flags)
            {
                final long pgoff = pages << pagesShift;
                final long pgcnt = pageCount << pagesShift;
                final String path = index.path(inode);
                if (json)
                {
                    kill.append(kill.length() == 0 ? "" : ",").append("{\"inode\":").append(inode)
                        .append(",\"path\":").append(path == null ? "null" : Json.quote(path))
                        .append(",\"pgoff\":").append(pgoff).append(",\"pgcnt\":").append(pgcnt)
                        .append(",\"flags\":[").append(RecordFormat.flagNames(flags)).append("]}");
                }
                else
                {
                    // the path as the failure command's text prints it (ls -b): a name cannot forge a line
                    kill.append(String.format("kill  inode %d pgoff %d pgcnt %d%s%s%n", inode, pgoff, pgcnt,
                        RecordFormat.flagNames(flags).isEmpty() ? "" : " " + RecordFormat.flagNames(flags)
                            .replace("\"", ""), path == null ? "" : " " + FailureReportFormat.escape(path)));
                }
            }

            @Override
            public void onOtherOwner(
                final long owner, final long deviceOffset, final long length, final long fileOffset, final int flags)
            {
                if (json)
                {
                    owners.append(owners.length() == 0 ? "" : ",").append("{\"owner\":\"").append(Owner.toString(owner))
                        .append("\",\"deviceOffset\":").append(deviceOffset).append(",\"length\":").append(length)
                        .append('}');
                }
                else
                {
                    owners.append(String.format("owner %s device bytes [%d, %d)%n", Owner.toString(owner),
                        deviceOffset, deviceOffset + length));
                }
            }
        });
        final String verdict = deviceOffset == Pagemap.OUTSIDE ? "outside-devices" :
            deviceOffset == Pagemap.METADATA_AREA ? "device-metadata-area" : "mapped";
        if (json)
        {
            out.printf("{\"pfn\":%d,\"verdict\":\"%s\",\"deviceOffset\":%s,\"kill\":[%s],\"owners\":[%s]}%n", frame,
                verdict, deviceOffset >= 0 ? Long.toString(deviceOffset) : "null", kill, owners);
        }
        else
        {
            out.printf("pfn 0x%x: %s%s%n", frame, verdict, deviceOffset >= 0 ? " at device offset " + deviceOffset : "");
            out.print(kill);
            out.print(owners);
        }
        out.flush();
    }
}
